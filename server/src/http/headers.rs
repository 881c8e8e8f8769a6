//! Security headers on every response, and the page rendered with a fresh CSP
//! nonce: the only inline script is Leptos's hydration loader, which carries it.
//! The JSON island in the head is `type="application/json"`, data a browser never runs.

use super::results::Shown;
use super::visitor::Visitor;
use crate::state::AppState;
use app::routes::playground::ShownResult;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::StatusCode;
use axum::http::{HeaderValue, Request};
use axum::response::{IntoResponse, Response};
use leptos::nonce::Nonce;
use leptos::prelude::provide_context;

/// The policy: this origin's scripts (and wasm), styles and images, nothing
/// else; `nonce` admits the hydration loader. `frame_ancestors` is a setting,
/// checked at start-up to hold only CSP sources.
pub fn policy(nonce: Option<&str>, frame_ancestors: &str) -> String {
    let inline = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{inline}; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// Adds the headers every response carries; a response that set its own CSP (the page) keeps it.
pub async fn add(State(state): State<AppState>, req: Request<Body>, next: axum::middleware::Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        if let Ok(csp) = HeaderValue::from_str(&policy(None, &state.limits().site.frame_ancestors)) {
            headers.insert(CONTENT_SECURITY_POLICY, csp);
        }
    }
    response
}

/// `GET /`: the playground, server-rendered; with `?result={id}` it shows that run.
pub async fn page(State(state): State<AppState>, visitor: Visitor, req: Request<Body>) -> Response {
    opened(&state, &visitor, req, false).await
}

/// `GET /embed`: the same form, snippet and result without the page's chrome, for a
/// docs page's frame: framed by whom `FLUXPLAY_EMBED_ANCESTORS` names, and reporting
/// its height to the framing page (`public/embed.js`).
pub async fn embed(State(state): State<AppState>, visitor: Visitor, req: Request<Body>) -> Response {
    opened(&state, &visitor, req, true).await
}

async fn opened(state: &AppState, visitor: &Visitor, req: Request<Body>, embed: bool) -> Response {
    let query = req.uri().query().unwrap_or_default().to_owned();
    let mut shown = None;
    if let Some(id) = app::share::parse_query(&query).get("result") {
        let found = super::results::shown(state, visitor, id).await.ok().flatten();
        shown =
            Some(
                found.unwrap_or_else(|| Shown {
                    html: "<p class=\"empty\">This link's result is no longer kept: it was deleted, or it expired.</p>"
                        .into(),
                    running: None,
                }),
            );
    }
    render(state, req, shown, None, StatusCode::OK, embed).await
}

/// The playground page (or its `embed` view) with `shown` in its result panel, and
/// `form` (a query) in place of the address's form, answered with `status`.
pub async fn render(
    state: &AppState,
    req: Request<Body>,
    shown: Option<Shown>,
    form: Option<String>,
    status: StatusCode,
    embed: bool,
) -> Response {
    let nonce = Nonce::new();
    let site = &state.limits().site;
    let csp = policy(Some(&nonce), if embed { &site.embed_ancestors } else { &site.frame_ancestors });
    let mount = app::Mount { base: state.base().to_owned(), embed };
    let mut backend = state.backend_status();
    backend.form = form;
    backend.running = shown.as_ref().and_then(|s| s.running.clone());
    if backend.providers.iter().any(|p| p.live) {
        backend.budget = state.inner.guards.budget.left_today().await;
    }
    let result = shown.map(|s| ShownResult(s.html));
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(backend.clone());
            provide_context(nonce.clone());
            provide_context(mount.clone());
            if let Some(result) = &result {
                provide_context(result.clone());
            }
        },
        move || app::shell(options.clone()),
    );
    let mut response = render(req).await.into_response();
    *response.status_mut() = status;
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(CONTENT_SECURITY_POLICY, csp);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::policy;

    #[test]
    fn the_policy_admits_only_this_origin_and_the_nonce() {
        let csp = policy(Some("abc"), "'self'");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'nonce-abc';"), "{csp}");
        assert!(!csp.contains("unsafe-inline") && csp.ends_with("frame-ancestors 'self'"), "{csp}");
        assert!(!policy(None, "'none'").contains("nonce"));
    }
}
