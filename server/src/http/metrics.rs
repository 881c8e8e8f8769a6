//! `GET /metrics`, for the operator's token only.

use crate::state::AppState;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

/// `GET /metrics`.
pub async fn handler(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.inner.guards.limits.site.metrics_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let presented = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let ok: bool = presented.is_some_and(|p| p.as_bytes().ct_eq(token.expose_secret().as_bytes()).into());
    if !ok {
        return (StatusCode::UNAUTHORIZED, [("www-authenticate", "Bearer")]).into_response();
    }
    let guards = &state.inner.guards;
    let (running, spent) = (guards.running().await, guards.budget.spent().await);
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::metrics::render(&state.inner.metrics, running, spent.images, spent.usd),
    )
        .into_response()
}
