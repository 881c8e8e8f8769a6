//! fluxplay's server: renders the playground, validates requests with the
//! shared catalog, calls providers with keys only it holds, stores the images,
//! and embeds an emulator of each provider for offline use.

#![recursion_limit = "256"]

pub mod config;
pub mod emulator;
pub mod error;
pub mod generate;
pub mod guards;
pub mod jobs;
pub mod limits;
pub mod metrics;
pub mod precompress;
pub mod providers;
pub mod references;
pub mod safe_fetch;
pub mod snippets;
pub mod state;
pub mod store;
pub mod uploads;

use app::shell;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::{HeaderName, Request};
use axum::middleware::{self, Next};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
pub use state::AppState;
use tower_http::compression::CompressionLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::RequestBodyTimeoutLayer;
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
    let limits = state.limits();
    let (json_limit, upload_limit) = (limits.max_json_bytes, limits.max_upload_bytes);
    let declared = |limit: usize| {
        let state = state.clone();
        middleware::from_fn(move |req: Request<Body>, next: Next| {
            let state = state.clone();
            async move { guards::body::declared_length(&state.inner.metrics, limit, req, next).await }
        })
    };
    // What costs money or disk: rate limited per client.
    let mut costly = Router::new()
        .route(
            "/api/generate",
            post(generate::handler).layer(DefaultBodyLimit::max(json_limit)).layer(declared(json_limit)),
        )
        .route("/api/jobs", post(generate::start).layer(DefaultBodyLimit::max(json_limit)).layer(declared(json_limit)))
        .route(
            "/api/uploads",
            post(uploads::handler).layer(DefaultBodyLimit::max(upload_limit)).layer(declared(upload_limit)),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), guards::passphrase::require))
        .route("/unlock", post(guards::passphrase::unlock).layer(DefaultBodyLimit::max(4096)));
    if let Some(rate) = &state.inner.guards.rate {
        guards::rate_limit::spawn_sweeper(rate, std::time::Duration::from_secs(60));
        costly = costly.layer(guards::rate_limit::layer(rate.clone(), state.clone()));
    }
    // Behind the passphrase, when one is set.
    let private = Router::new()
        .route("/", get(move |req: Request<Body>| page(req)))
        .route("/api/jobs/{id}", get(generate::status))
        .route("/api/snippet", get(snippets::handler))
        .route("/images/{name}", get(store::serve))
        .route("/uploads/{name}", get(store::serve_upload))
        .route_layer(middleware::from_fn_with_state(state.clone(), guards::passphrase::require));
    Router::new()
        .merge(costly)
        .merge(private)
        .route("/unlock", get(guards::passphrase::page))
        .route("/metrics", get(metrics::handler))
        .nest_service(
            "/emulate",
            emulator::router().layer(middleware::from_fn_with_state(state.clone(), guards::emulator_gate)),
        )
        .fallback_service(ServeDir::new(site_root).precompressed_br().precompressed_gzip())
        .layer(CompressionLayer::new())
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(TraceLayer::new_for_http())
        .layer(SetSensitiveRequestHeadersLayer::new(SENSITIVE.iter().cloned()))
        .with_state(state)
}

/// Never shown by traces: our cookie and every provider's key header (the emulators receive those).
const SENSITIVE: [HeaderName; 6] = [
    AUTHORIZATION,
    COOKIE,
    HeaderName::from_static("x-key"),
    HeaderName::from_static("x-api-key"),
    HeaderName::from_static("api-key"),
    HeaderName::from_static("x-fluxplay-passphrase"),
];

/// Serves `router` as `main` does: with the peer address each request came from,
/// which the rate limit keys on.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
}
