//! Gates in front of routes: the per-client rate limit's layer and the public emulators' gate.

use crate::error::Error;
use crate::guards::passphrase;
use crate::guards::rate_limit::{too_many, ByClient, Config};
use crate::state::AppState;
use axum::body::Body;
use axum::response::IntoResponse;
use governor::middleware::NoOpMiddleware;
use std::sync::Arc;
use tower_governor::{GovernorError, GovernorLayer};

/// The layer, answering 429 in our JSON shape with `Retry-After`.
pub fn layer(config: Arc<Config>, state: AppState) -> GovernorLayer<ByClient, NoOpMiddleware, Body> {
    GovernorLayer::new(config).error_handler(move |e| match e {
        GovernorError::TooManyRequests { wait_time, .. } => too_many(&state.inner.metrics, wait_time).into_response(),
        GovernorError::UnableToExtractKey => {
            Error::BadRequest("The client's address is unknown.".into()).into_response()
        }
        other => Error::Internal(format!("rate limiter: {other}")).into_response(),
    })
}

/// The public `/emulate` mount. This server never calls it (its own calls go to
/// a private loopback listener, see `emulator::serve_private`), so nobody here is
/// trusted by address: once a key or passphrase makes the server a public demo,
/// every client meets the passphrase and the rate limit, loopback included.
pub async fn emulator_gate(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let guards = &state.inner.guards;
    if guards.lock.as_ref().is_some_and(|lock| !lock.admits(req.headers())) {
        return passphrase::locked(&state.inner.metrics).into_response();
    }
    if let Some(rate) = &guards.rate {
        let Some(client) = req.extensions().get::<crate::client::Client>() else {
            return Error::BadRequest("The client's address is unknown.".into()).into_response();
        };
        if let Err(wait) = rate.limiter().check_key(&crate::client::limit_key(client.0)) {
            let now = governor::clock::Clock::now(&governor::clock::DefaultClock::default());
            return too_many(&state.inner.metrics, wait.wait_time_from(now).as_secs()).into_response();
        }
    }
    next.run(req).await
}
