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
use serde_json::json;

pub async fn healthz() -> &'static str {
    "ok"
}

/// 200 when every check passes, else 503; the body says which failed, and which
/// providers are live or emulated.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let draining = state.inner.drain.is_draining();
    let database = state.inner.db.ping().await.map_err(|e| e.to_string());
    let store = state.inner.store.writable().await.map_err(|e| e.to_string());
    let ready = !draining && database.is_ok() && store.is_ok();
    let word = |r: &Result<(), String>| r.as_ref().map_or_else(Clone::clone, |()| "ok".to_owned());
    let providers: Vec<_> =
        state.backend_status().providers.iter().map(|p| json!({"id": p.id, "live": p.live})).collect();
    let body = json!({
        "ready": ready,
        "draining": draining,
        "database": word(&database),
        "store": word(&store),
        "providers": providers,
    });
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

/// New generations, uploads and form posts while the server shuts down: 503, so a
/// load balancer's retry reaches another replica.
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
