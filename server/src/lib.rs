//! fluxplay's server: renders the playground, validates requests with the
//! shared catalog, calls providers with keys only it holds, stores the images,
//! and embeds an emulator of each provider for offline use.

#![recursion_limit = "256"]

pub mod config;
pub mod emulator;
pub mod error;
pub mod generate;
pub mod providers;
pub mod state;
pub mod store;

use app::{shell, App};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
pub use state::AppState;
use std::iter::once;
use tower_http::compression::CompressionLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;

/// The whole HTTP surface; kept out of `main` so tests can drive it with `oneshot`.
pub fn app(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let status = state.backend_status();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/api/generate", post(generate::handler))
        .route("/images/{name}", get(store::serve))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(status.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .nest_service("/emulate", emulator::router())
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(SetSensitiveRequestHeadersLayer::new(once(AUTHORIZATION).chain(once(COOKIE))))
        .with_state(state)
}
