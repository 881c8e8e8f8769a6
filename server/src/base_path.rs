//! Serving under a path (`FLUXPLAY_BASE_PATH=/playground`), so a reverse proxy can
//! mount the playground next to a docs site. The routes stay written from the root:
//! `mount` strips the base before routing. Stored data keeps root paths too
//! (`/images/…`, `/r/…`, `/uploads/…`), so moving the mount later breaks no
//! history; the base is added where a path leaves us (pages, JSON, `Location`).

use crate::config_error::ConfigError;
use app::api::{GenerateResponse, JobState};
use axum::body::Body;
use axum::extract::OriginalUri;
use axum::http::header::LOCATION;
use axum::http::{Request, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use tower::ServiceExt;

/// `text` as a base path: segments of URL-safe characters, no trailing slash (`/` alone
/// is the root). Nothing that could end an attribute or a string it is written into.
pub fn parse(text: &str) -> Result<String, ConfigError> {
    let base = text.trim().trim_end_matches('/');
    let segment_ok = |s: &str| {
        !s.is_empty() && s != "." && s != ".." && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    };
    match base.strip_prefix('/') {
        None if base.is_empty() => Ok(String::new()),
        Some(rest) if rest.split('/').all(segment_ok) => Ok(base.to_owned()),
        _ => Err(ConfigError::Bad("FLUXPLAY_BASE_PATH", "a path such as /playground (letters, digits, - . _ ~)")),
    }
}

/// `site` served under `base`: `{base}/x` reaches the route `/x`, `{base}` itself is
/// redirected to `{base}/` (so relative links resolve inside the mount), anything
/// else is `outside`'s (the health checks, which orchestrators call at the root).
pub fn mount(base: &str, site: Router, outside: Router) -> Router {
    if base.is_empty() {
        return site;
    }
    let base: std::sync::Arc<str> = base.into();
    let inside = tower::service_fn(move |mut req: Request<Body>| {
        let (base, site, outside) = (base.clone(), site.clone(), outside.clone());
        async move {
            let path = req.uri().path();
            if path == &*base {
                let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
                return Ok((StatusCode::PERMANENT_REDIRECT, [(LOCATION, format!("{base}/{query}"))]).into_response());
            }
            let Some(rest) = path.strip_prefix(&*base).filter(|r| r.starts_with('/')) else {
                return outside.oneshot(req).await;
            };
            let rest = match req.uri().query() {
                Some(q) => format!("{rest}?{q}"),
                None => rest.to_owned(),
            };
            let original = req.uri().clone();
            let Ok(stripped) = rest.parse::<Uri>() else {
                return Ok(StatusCode::BAD_REQUEST.into_response());
            };
            // Handlers that build absolute URLs (the emulator's) read the path as sent.
            req.extensions_mut().insert(OriginalUri(original));
            *req.uri_mut() = stripped;
            site.oneshot(req).await
        }
    });
    Router::new().fallback_service(inside)
}

/// A generation's answer as a client of this mount sees it: its paths under `base`.
pub fn response(base: &str, mut r: GenerateResponse) -> GenerateResponse {
    for image in &mut r.images {
        image.url = path(base, &image.url);
    }
    r.permalink = r.permalink.map(|p| path(base, &p));
    r
}

/// A job's state, its answer's paths under `base`.
pub fn job(base: &str, state: JobState) -> JobState {
    match state {
        JobState::Done { result } => JobState::Done { result: Box::new(response(base, *result)) },
        other => other,
    }
}

/// A root path (`/…`) under `base`; anything else (a provider's URL) as it is.
pub fn path(base: &str, p: &str) -> String {
    if p.starts_with('/') && !p.starts_with("//") {
        format!("{base}{p}")
    } else {
        p.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_is_plain_path_segments() {
        assert_eq!(parse("/playground").unwrap(), "/playground");
        assert_eq!(parse("/docs/play/").unwrap(), "/docs/play");
        assert_eq!(parse("").unwrap(), "");
        assert_eq!(parse("/").unwrap(), "");
        for bad in ["playground", "/a//b", "/a/../b", "/a b", "/a\"b", "/a?b", "/a#b", "/%2e", "//evil.example", "/<x>"]
        {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_root_paths_move_under_the_base() {
        assert_eq!(path("/p", "/images/a.png"), "/p/images/a.png");
        assert_eq!(path("/p", "https://cdn.example/a.png"), "https://cdn.example/a.png");
        assert_eq!(path("/p", "//cdn.example/a.png"), "//cdn.example/a.png");
        assert_eq!(path("", "/r/x"), "/r/x");
    }
}
