//! fluxplay's server: renders the playground, validates requests with the
//! shared catalog, calls providers with keys only it holds, stores the images,
//! and embeds an emulator of each provider for offline use.

#![recursion_limit = "256"]

pub mod config;
pub mod emulator;
pub mod error;
pub mod generate;
pub mod jobs;
pub mod precompress;
pub mod providers;
pub mod snippets;
pub mod state;
pub mod store;
pub mod uploads;

use app::shell;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::Request;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
pub use state::AppState;
use std::iter::once;
use tower_http::compression::CompressionLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// The whole HTTP surface; kept out of `main` so tests can drive it with `oneshot`.
pub fn app(state: AppState) -> Router {
    // Leptos renders on tokio; a second init (tests build several apps) is harmless.
    let _ = any_spawner::Executor::init_tokio();
    let status = state.backend_status();
    let options = state.leptos_options.clone();
    let site_root = options.site_root.to_string();
    let page = leptos_axum::render_app_to_stream_with_context(
        move || provide_context(status.clone()),
        move || shell(options.clone()),
    );
    Router::new()
        .route("/", get(move |req: Request<Body>| page(req)))
        .route("/api/generate", post(generate::handler))
        .route("/api/jobs", post(generate::start))
        .route("/api/jobs/{id}", get(generate::status))
        .route("/api/snippet", get(snippets::handler))
        .route("/images/{name}", get(store::serve))
        .route("/api/uploads", post(uploads::handler).layer(DefaultBodyLimit::max(app::api::MAX_UPLOAD_BYTES)))
        .route("/uploads/{name}", get(store::serve_upload))
        .nest_service("/emulate", emulator::router())
        .fallback_service(ServeDir::new(site_root).precompressed_br().precompressed_gzip())
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(SetSensitiveRequestHeadersLayer::new(once(AUTHORIZATION).chain(once(COOKIE))))
        .with_state(state)
}
