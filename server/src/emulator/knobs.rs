//! Fault knobs for tests and demos, carried in the API key: every emulator
//! accepts any non-empty key, so `anything#status=500,latency=200` reaches the
//! emulator through the real adapter unchanged. Knobs:
//!
//! - `latency=<ms>`: wait before answering (at most `faults::MAX_WAIT`)
//! - `status=<code>`: answer with that error status (and the provider's error body),
//!   after reading the whole request (so `status=502` is "502 after accepting")
//! - `shape=fal`: AI/ML API answers in the fal-style shape A
//! - `moderated`, `never-ready`: for the asynchronous providers
//! - `failed`: BFL's task ends `Error` (FLUX 3's poll then answers 422 with the status body)
//! - `poll-host=<host:port>`: BFL hands out its polling URL on that host
//!
//! Transport faults, applied to every emulator's submit by `faults::layer`:
//! - `hang`: read the request, then never answer (for `MAX_WAIT`, then 504)
//! - `slow-body`: send the headers and one byte of the body, then stall (for `MAX_WAIT`)
//! - `reset`: read the request, then drop the connection without an answer
//! - `truncate`: cut the answer in half
//! - `html`: answer 200 with an HTML page
//! - `oversize=<bytes>`: answer 200 with a JSON body of that size (at most 256 MB, streamed)
//! - `redirect=<url>`: answer 302 to that URL
//! - `poll-hang`: every GET (a status poll) never answers (for `MAX_WAIT`, then 504)

use axum::http::{HeaderMap, StatusCode};
use std::time::Duration;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Knobs {
    pub latency: Option<Duration>,
    pub status: Option<StatusCode>,
    pub truncate: bool,
    pub shape_fal: bool,
    pub moderated: bool,
    pub never_ready: bool,
    pub failed: bool,
    pub poll_host: Option<String>,
    pub hang: bool,
    pub slow_body: bool,
    pub reset: bool,
    pub html: bool,
    pub oversize: Option<usize>,
    pub redirect: Option<String>,
    pub poll_hang: bool,
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
                "latency" => {
                    knobs.latency = value.parse().ok().map(|ms| Duration::from_millis(ms).min(super::faults::MAX_WAIT));
                }
                "status" => knobs.status = value.parse().ok().and_then(|s| StatusCode::from_u16(s).ok()),
                "truncate" => knobs.truncate = true,
                "shape" => knobs.shape_fal = value == "fal",
                "moderated" => knobs.moderated = true,
                "never-ready" => knobs.never_ready = true,
                "failed" => knobs.failed = true,
                "poll-host" => knobs.poll_host = Some(value.to_owned()),
                "hang" => knobs.hang = true,
                "slow-body" => knobs.slow_body = true,
                "reset" => knobs.reset = true,
                "html" => knobs.html = true,
                "oversize" => knobs.oversize = value.parse().ok().map(|n: usize| n.min(super::faults::MAX_OVERSIZE)),
                "redirect" => knobs.redirect = Some(value.to_owned()),
                "poll-hang" => knobs.poll_hang = true,
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
