//! Answers only the host names it was told about (and IP addresses), so a page
//! that holds a key cannot be reached through DNS rebinding: a rebound name is
//! an attacker's name, never an IP literal or one of ours. Nothing a client sends
//! in `Host` reaches a page, snippet or image URL without passing this check.

use crate::error::Error;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

/// The host part of a `Host` value (`name`, `name:port`, `1.2.3.4:80`, `[::1]:80`), lowercased.
fn name_of(host: &str) -> Option<String> {
    let name = if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(|p| p.parse::<u16>().is_ok())) {
            return None;
        }
        return inside.parse::<std::net::Ipv6Addr>().ok().map(|ip| ip.to_string());
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.parse::<u16>().is_ok() => name,
            Some(_) => return None,
            None => host,
        }
    };
    Some(name.trim_end_matches('.').to_ascii_lowercase())
}

/// Whether `host` (a `Host` header's value) is one this server answers to.
pub fn allowed(host: &str, names: &[String]) -> bool {
    let Some(name) = name_of(host) else { return false };
    name.parse::<IpAddr>().is_ok() || names.contains(&name)
}

pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let host = req.headers().get(HOST).and_then(|h| h.to_str().ok()).or_else(|| req.uri().host());
    match host {
        Some(host) if allowed(host, &state.limits().site.allowed_hosts) => next.run(req).await,
        Some(_) => Error::Rejected {
            status: StatusCode::MISDIRECTED_REQUEST,
            message: "This server does not answer to that host name; its operator can add it to FLUXPLAY_ALLOWED_HOSTS"
                .into(),
        }
        .into_response(),
        // HTTP/1.0 needs no Host; a browser (all that DNS rebinding can use) always sends one.
        None => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn ip_literals_and_listed_names_only() {
        let names = vec!["localhost".to_owned(), "docs.example.com".to_owned()];
        for ok in [
            "localhost",
            "localhost:3000",
            "LOCALHOST.",
            "127.0.0.1:3000",
            "[::1]:3000",
            "10.0.0.5",
            "docs.example.com",
        ] {
            assert!(allowed(ok, &names), "{ok}");
        }
        for bad in
            ["evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "[::1", "[::1]x", "localhost:x", "a:b:c", ""]
        {
            assert!(!allowed(bad, &names), "{bad}");
        }
    }
}
