//! fluxplay's server: renders the playground, validates requests with the
//! shared catalog, calls providers with keys only it holds, stores the images,
//! and embeds an emulator of each provider for offline use.

#![recursion_limit = "256"]

pub mod base_path;
pub mod client;
pub mod config;
pub mod config_error;
pub mod cookies;
pub mod curation;
pub mod db;
pub mod decode;
pub mod drain;
pub mod emulator;
pub mod error;
pub mod generate;
pub mod guards;
pub mod history;
pub mod http;
pub mod jobs;
pub mod limits;
pub mod listen;
pub mod maintenance;
pub mod metrics;
pub mod objects;
pub mod openapi;
pub mod precompress;
pub mod providers;
pub mod references;
pub mod result_view;
pub mod safe_fetch;
pub mod state;
pub mod store;

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::{HeaderName, Request};
use axum::middleware::{self, Next};
use axum::routing::{get, post};
use axum::Router;
pub use state::AppState;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// Upload bodies held in memory at once, all clients together: at most this many
/// times `FLUXPLAY_MAX_UPLOAD_BYTES`; more get 429 at once.
pub const UPLOADS_AT_ONCE: usize = 4;

/// A form posted without script may carry, besides its files, this much text.
pub const FORM_TEXT_BYTES: usize = 64 * 1024;

/// The whole HTTP surface; kept out of `main` so tests can drive it with `oneshot`.
pub fn app(state: AppState) -> Router {
    // Leptos renders on tokio; a second init (tests build several apps) is harmless.
    let _ = any_spawner::Executor::init_tokio();
    let site_root = state.leptos_options.site_root.to_string();
    let limits = state.limits();
    let (json_limit, upload_limit, body_timeout) =
        (limits.guards.max_json_bytes, limits.guards.max_upload_bytes, limits.guards.body_timeout);
    // A posted form: one full-size reference image and the fields' text.
    let form_limit = upload_limit + FORM_TEXT_BYTES;
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
            post(http::generate::handler).layer(DefaultBodyLimit::max(json_limit)).layer(declared(json_limit)),
        )
        .route(
            "/api/jobs",
            post(http::generate::start).layer(DefaultBodyLimit::max(json_limit)).layer(declared(json_limit)),
        )
        .route(
            "/api/uploads",
            post(http::uploads::handler)
                .layer(DefaultBodyLimit::max(upload_limit))
                .layer(declared(upload_limit))
                .layer(middleware::from_fn_with_state(
                    guards::AtOnce::new(UPLOADS_AT_ONCE, "uploads"),
                    guards::at_once,
                )),
        )
        .route(
            "/",
            post(http::form_post::submit).layer(DefaultBodyLimit::max(form_limit)).layer(declared(form_limit)).layer(
                middleware::from_fn_with_state(guards::AtOnce::new(UPLOADS_AT_ONCE, "uploads"), guards::at_once),
            ),
        )
        .route("/history/{id}/rerun", post(http::history::rerun).layer(DefaultBodyLimit::max(4096)))
        .route_layer(middleware::from_fn_with_state(state.clone(), http::health::refuse_while_draining))
        .route_layer(middleware::from_fn_with_state(state.clone(), http::passphrase::require))
        .route("/unlock", post(http::passphrase::unlock).layer(DefaultBodyLimit::max(4096)));
    if let Some(rate) = &state.inner.guards.rate {
        guards::rate_limit::spawn_sweeper(rate, std::time::Duration::from_secs(60));
        costly = costly.layer(http::gates::layer(rate.clone(), state.clone()));
    }
    // Behind the passphrase, when one is set.
    let private = Router::new()
        .route("/", get(http::headers::page))
        .route("/embed", get(http::headers::embed))
        .route("/api/jobs/{id}", get(http::generate::status).delete(http::generate::cancel))
        .route("/api/results/{id}", get(http::results::handler))
        .route("/api/snippet", get(http::snippet::handler))
        .route("/api/estimate", get(http::estimate::handler))
        .route("/images/{name}", get(http::images::serve))
        .route("/uploads/{name}", get(http::images::serve_upload))
        .route("/thumbs/{name}", get(http::images::serve_thumb))
        .route("/api/history", get(http::history::list).delete(http::history::clear))
        .route("/api/history/{id}", axum::routing::delete(http::history::delete_one))
        .route("/history", get(http::pages::history))
        .route("/history/clear", post(http::history::clear_form).layer(DefaultBodyLimit::max(4096)))
        .route("/history/{id}/delete", post(http::history::delete_form).layer(DefaultBodyLimit::max(4096)))
        .route("/r/{id}", get(http::pages::permalink))
        .route("/compare", get(http::compare::compare))
        .route("/r/{id}/delete", post(http::pages::delete_permalink).layer(DefaultBodyLimit::max(4096)))
        .route_layer(middleware::from_fn_with_state(state.clone(), http::passphrase::require));
    // For orchestrators and load balancers: outside every layer (no host check, no passphrase).
    let health = Router::new()
        .route("/healthz", get(http::health::healthz))
        .route("/readyz", get(http::health::readyz))
        .with_state(state.clone());
    let base = state.base().to_owned();
    let site = Router::new()
        .merge(costly)
        .merge(private)
        .route("/unlock", get(http::passphrase::page))
        .route("/metrics", get(http::metrics::handler))
        .route("/openapi.json", get(openapi::handler))
        .nest_service(
            "/emulate",
            emulator::router().layer(middleware::from_fn_with_state(state.clone(), http::gates::emulator_gate)),
        )
        // No index pages, so no "add a slash" redirects either: they would name the path without the base.
        .fallback_service(
            ServeDir::new(site_root).append_index_html_on_directories(false).precompressed_br().precompressed_gzip(),
        )
        // Brotli 5 rather than the default 4: the page is 240 bytes smaller for no measurable time.
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Precise(5)))
        .layer(middleware::from_fn(move |req, next| guards::body::deadline(body_timeout, req, next)))
        .layer(middleware::from_fn_with_state(state.clone(), http::visitor::identify))
        .layer(middleware::from_fn_with_state(state.clone(), client::identify))
        .layer(middleware::from_fn_with_state(state.clone(), http::hosts::check))
        .layer(CatchPanicLayer::custom(error::panicked))
        .layer(middleware::from_fn_with_state(state.clone(), http::headers::add))
        .layer(TraceLayer::new_for_http())
        .layer(SetSensitiveRequestHeadersLayer::new(sensitive_headers()))
        .with_state(state);
    // The health checks answer at the root too: orchestrators call them there.
    base_path::mount(&base, health.clone().merge(site), health)
}

/// Never shown by traces: `Authorization`, our cookie and passphrase header, and
/// every provider's own key header from the catalog (the emulators receive those).
pub fn sensitive_headers() -> Vec<HeaderName> {
    let mut names = vec![AUTHORIZATION, COOKIE, HeaderName::from_static("x-fluxplay-passphrase")];
    for provider in app::catalog::PROVIDERS {
        if let app::catalog::Auth::Header(name) = provider.auth {
            let name = HeaderName::from_bytes(name.as_bytes()).expect("the catalog's key header names are valid");
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Serves the app for `state` as `main` does: with the peer address each request
/// came from (which the rate limit keys on) and the connection limits of `listen`,
/// until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let limits = listen::ConnLimits::from(state.limits());
    let cleaning = tokio::spawn(maintenance::run(state.clone()));
    let _stop_cleaning = AbortOnDrop(cleaning);
    // Connections are taken until the running generations are done (or their deadline passed).
    let (drain, jobs, deadline) =
        (state.inner.drain.clone(), state.inner.jobs.clone(), state.limits().site.shutdown_deadline);
    let drained = async move {
        shutdown.await;
        drain.finish(deadline, &jobs).await;
    };
    listen::serve(listener, app(state), limits, drained).await
}

/// Stops the clean-up task with the server it belongs to.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod sensitive_tests {
    use super::*;

    #[test]
    fn every_providers_key_header_is_sensitive() {
        let sensitive = sensitive_headers();
        for provider in app::catalog::PROVIDERS {
            let name = match provider.auth {
                app::catalog::Auth::Bearer | app::catalog::Auth::Key => AUTHORIZATION,
                app::catalog::Auth::Header(name) => HeaderName::from_bytes(name.as_bytes()).unwrap(),
            };
            assert!(sensitive.contains(&name), "{}: {name}", provider.id);
        }
        for ours in ["authorization", "cookie", "x-fluxplay-passphrase", "x-key", "x-api-key", "api-key"] {
            assert!(sensitive.contains(&HeaderName::from_static(ours)), "{ours}");
        }
    }
}
