//! The passphrase's HTTP side: the middleware in front of the page, API and
//! images, and `/unlock` (a small server-rendered form).

use crate::guards::passphrase::{form, locked, percent_encode, safe_next};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;

/// Guards the page, the API and the stored images; the page sends people to `/unlock`.
pub async fn require(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(lock) = &state.inner.guards.lock else { return next.run(req).await };
    if lock.admits(req.headers()) {
        return next.run(req).await;
    }
    let path = req.uri().path();
    if req.method() == Method::GET && (path == "/" || path == "/embed") {
        let target = match req.uri().query() {
            Some(q) => format!("/unlock?next={}", percent_encode(&format!("{path}?{q}"))),
            None if path == "/" => "/unlock".to_owned(),
            None => format!("/unlock?next={}", percent_encode(path)),
        };
        return (StatusCode::SEE_OTHER, [(LOCATION, state.at(&target))]).into_response();
    }
    locked(&state.inner.metrics).into_response()
}

#[derive(serde::Deserialize)]
pub struct Attempt {
    passphrase: String,
    #[serde(default)]
    next: String,
}

#[derive(serde::Deserialize)]
pub struct UnlockQuery {
    #[serde(default)]
    next: String,
}

/// `GET /unlock`.
pub async fn page(State(state): State<AppState>, query: axum::extract::Query<UnlockQuery>) -> Response {
    if state.inner.guards.lock.is_none() {
        return (StatusCode::SEE_OTHER, [(LOCATION, state.at("/"))]).into_response();
    }
    unlock_page(&state, StatusCode::OK, &query.next, None)
}

/// The unlock form, framed as the page it leads to is: the embed view by the docs.
fn unlock_page(state: &AppState, status: StatusCode, next: &str, error: Option<&str>) -> Response {
    let mut response = (status, Html(form(state.base(), next, error))).into_response();
    if safe_next(next).starts_with("/embed") {
        let csp = super::headers::policy(None, &state.limits().site.embed_ancestors);
        if let Ok(csp) = HeaderValue::from_str(&csp) {
            response.headers_mut().insert(CONTENT_SECURITY_POLICY, csp);
        }
    }
    response
}

/// `POST /unlock`: a form post; rate limited with the generations.
pub async fn unlock(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Form(attempt): Form<Attempt>,
) -> Response {
    let Some(lock) = &state.inner.guards.lock else {
        return (StatusCode::SEE_OTHER, [(LOCATION, state.at("/"))]).into_response();
    };
    if !lock.accepts(&attempt.passphrase) {
        tracing::info!("wrong demo passphrase");
        return unlock_page(&state, StatusCode::UNAUTHORIZED, &attempt.next, Some("That passphrase is not right."));
    }
    let secure = crate::cookies::secure(&headers, state.inner.guards.limits.site.trusted_proxies);
    let cookie = HeaderValue::from_str(&lock.cookie(state.base(), secure)).expect("cookie is ASCII");
    let next = state.at(safe_next(&attempt.next));
    (StatusCode::SEE_OTHER, [(SET_COOKIE, cookie), (LOCATION, HeaderValue::from_str(&next).expect("ASCII"))])
        .into_response()
}
