//! The anonymous visitor: a random id in an HttpOnly cookie, made on a browser's
//! first request. It is no account and proves nothing; in a public demo it only
//! keeps each browser's history apart (`FLUXPLAY_HISTORY_SCOPE`).

use crate::limits::HistoryScope;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub const COOKIE_NAME: &str = "fluxplay_visitor";

/// Who is asking, as far as the cookie says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor(pub String);

/// 32 lowercase hex digits, as [`identify`] makes them; anything else is ignored.
fn well_formed(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Gives every request its visitor, and a browser without one its cookie (a year).
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let known = crate::cookies::get(req.headers(), COOKIE_NAME).filter(|id| well_formed(id)).map(str::to_owned);
    let secure = crate::cookies::secure(req.headers(), state.limits().site.trusted_proxies);
    let (id, new) = match known {
        Some(id) => (id, false),
        None => (uuid::Uuid::new_v4().simple().to_string(), true),
    };
    req.extensions_mut().insert(Visitor(id.clone()));
    // Only where a visitor counts: not on static files, nor on the passphrase's form.
    let path = req.uri().path();
    let counts = path == "/" || ["/embed", "/api/", "/history", "/r/"].iter().any(|p| path.starts_with(p));
    let mut response = next.run(req).await;
    if new && counts {
        let secure = if secure { "; Secure" } else { "" };
        let base = state.base();
        let cookie = format!("{COOKIE_NAME}={id}; Path={base}/; HttpOnly; SameSite=Lax; Max-Age=31536000{secure}");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Set by `identify` on every route; a router without it (a test's) gets a fresh one.
        Ok(parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .unwrap_or_else(|| Visitor(uuid::Uuid::new_v4().simple().to_string())))
    }
}

impl Visitor {
    /// Whose generations this visitor sees: their own, or (`everyone`) all.
    pub fn filter(&self, scope: HistoryScope) -> Option<&str> {
        match scope {
            HistoryScope::Visitor => Some(&self.0),
            HistoryScope::Everyone => None,
        }
    }

    /// Whether this visitor may delete or re-run what `owner` made.
    pub fn owns(&self, scope: HistoryScope, owner: &str) -> bool {
        self.filter(scope).is_none_or(|v| v == owner)
    }
}

#[cfg(test)]
mod tests {
    use super::well_formed;

    #[test]
    fn only_ids_we_make_are_taken() {
        assert!(well_formed(&uuid::Uuid::new_v4().simple().to_string()));
        for bad in [
            "",
            "x",
            &"A".repeat(32),
            &"a".repeat(33),
            "0123456789abcdef0123456789abcde;",
            "../../../../../../etc/passwd00",
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
    }
}
