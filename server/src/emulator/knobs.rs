//! Fault knobs for tests and demos, carried in the API key: every emulator
//! accepts any non-empty key, so `anything#status=500,latency=200` reaches the
//! emulator through the real adapter unchanged. Knobs:
//!
//! - `latency=<ms>`: wait before answering
//! - `status=<code>`: answer with that error status (and the provider's error body)
//! - `truncate`: cut the JSON answer in half
//! - `shape=fal`: AI/ML API answers in the fal-style shape A
//! - `moderated`, `never-ready`: for the asynchronous providers

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::time::Duration;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Knobs {
    pub latency: Option<Duration>,
    pub status: Option<StatusCode>,
    pub truncate: bool,
    pub shape_fal: bool,
    pub moderated: bool,
    pub never_ready: bool,
}

impl Knobs {
    /// Reads knobs from whatever header carries the key.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let key = ["authorization", "x-api-key", "api-key", "x-key"]
            .iter()
            .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
            .unwrap_or_default();
        Self::parse(key)
    }

    pub fn parse(key: &str) -> Self {
        let mut knobs = Knobs::default();
        let Some((_, spec)) = key.split_once('#') else { return knobs };
        for item in spec.split(',') {
            let (name, value) = item.split_once('=').unwrap_or((item, ""));
            match name.trim() {
                "latency" => knobs.latency = value.parse().ok().map(Duration::from_millis),
                "status" => knobs.status = value.parse().ok().and_then(|s| StatusCode::from_u16(s).ok()),
                "truncate" => knobs.truncate = true,
                "shape" => knobs.shape_fal = value == "fal",
                "moderated" => knobs.moderated = true,
                "never-ready" => knobs.never_ready = true,
                _ => {}
            }
        }
        knobs
    }

    /// Waits out the configured latency.
    pub async fn delay(&self) {
        if let Some(latency) = self.latency {
            tokio::time::sleep(latency).await;
        }
    }

    /// Applies `truncate` to a finished response.
    pub async fn finish(&self, response: Response) -> Response {
        if !self.truncate {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_knobs_after_the_hash() {
        let k = Knobs::parse("Bearer test#status=503,latency=20,truncate,shape=fal");
        assert_eq!(k.status, Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(k.latency, Some(Duration::from_millis(20)));
        assert!(k.truncate && k.shape_fal && !k.moderated);
        assert_eq!(Knobs::parse("plain-key"), Knobs::default());
    }
}
