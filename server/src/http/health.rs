//! `GET /healthz` (the process answers) and `GET /readyz` (it can serve: the database
//! answers, the store takes a write, it is not shutting down), and the 503 that new
//! generations get while the server drains (see `drain`).

use crate::error::Error;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[utoipa::path(
    get, path = "/healthz", operation_id = "healthz", tag = "health",
    responses((status = 200, description = "The process answers", body = String, content_type = "text/plain")),
)]
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`'s body.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Readiness {
    pub ready: bool,
    pub draining: bool,
    /// `ok`, or why the database does not answer.
    pub database: String,
    /// `ok`, or why the image store takes no write.
    pub store: String,
    pub providers: Vec<ProviderLive>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderLive {
    pub id: String,
    /// Called with a key; else this server's emulator answers.
    pub live: bool,
}

/// 200 when every check passes, else 503; the body says which failed, and which
/// providers are live or emulated.
#[utoipa::path(
    get, path = "/readyz", operation_id = "readyz", tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "Not ready: the database, the store, or shutting down", body = Readiness),
    ),
)]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let draining = state.inner.drain.is_draining();
    let database = state.inner.db.ping().await.map_err(|e| e.to_string());
    let store = state.inner.store.writable().await.map_err(|e| e.to_string());
    let ready = !draining && database.is_ok() && store.is_ok();
    let word = |r: Result<(), String>| r.map_or_else(|e| e, |()| "ok".to_owned());
    let providers =
        state.backend_status().providers.into_iter().map(|p| ProviderLive { id: p.id, live: p.live }).collect();
    let body = Readiness { ready, draining, database: word(database), store: word(store), providers };
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

pub async fn refuse_while_draining(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    if state.inner.drain.is_draining() {
        return Error::Rejected {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "This server is shutting down; try again in a moment".into(),
        }
        .into_response();
    }
    next.run(req).await
}
