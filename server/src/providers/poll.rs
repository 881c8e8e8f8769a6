//! Asking a task's status or result URL until the polling deadline. These are
//! GETs: a transport error, an unreadable answer, a 429 or (for a status URL) a
//! 5xx is asked again, after the provider's `Retry-After` if it gave one; if
//! the deadline passes on such a refusal, that refusal (with its reason) is the
//! answer. A status URL's 4xx that carries a status body is that status. Any other
//! error status is final, with the provider's reason.

use super::refusal::{refusal, retry_after};
use super::{bad_answer, read_capped, too_slow, Ctx};
use crate::error::Error;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

pub struct Poll<'a> {
    ctx: &'a Ctx<'a>,
    key: (HeaderName, HeaderValue),
    provider: &'static str,
    key_env: &'static str,
    every: Duration,
    deadline: Instant,
    /// The provider's last "not now": what the user hears if the deadline passes on it.
    last: Option<Error>,
    /// How long the provider asked us to wait before asking again.
    wait: Option<Duration>,
}

impl<'a> Poll<'a> {
    /// Starts the polling deadline now.
    pub fn new(
        ctx: &'a Ctx<'a>,
        key: (HeaderName, HeaderValue),
        (provider, key_env): (&'static str, &'static str),
        every: Duration,
    ) -> Self {
        let deadline = Instant::now() + ctx.poll_deadline;
        Self { ctx, key, provider, key_env, every, deadline, last: None, wait: None }
    }

    /// Waits before the next request: the polling interval, or as long as the
    /// provider asked, never past the deadline. Past it: the provider's last
    /// refusal, else "did not finish in time".
    pub async fn pause(&mut self) -> Result<(), Error> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.last.take().unwrap_or_else(|| too_slow(self.provider, self.ctx.poll_deadline)));
        }
        let wait = self.wait.take().map_or(self.every, |w| w.max(self.every));
        tokio::time::sleep(wait.min(left)).await;
        Ok(())
    }

    /// One GET of a status URL: 429, 5xx and an answer that is not JSON mean "ask again".
    pub async fn status(&mut self, url: &str) -> Result<Option<Value>, Error> {
        self.get(url, false).await
    }

    /// One GET of a finished task's result URL: only 429 and 503 mean "ask
    /// again"; another error status, or an answer that is not JSON, is the outcome.
    pub async fn result(&mut self, url: &str) -> Result<Option<Value>, Error> {
        self.get(url, true).await
    }

    async fn get(&mut self, url: &str, result: bool) -> Result<Option<Value>, Error> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        let get = self.ctx.http.get(url).header(self.key.0.clone(), self.key.1.clone()).timeout(left);
        let Ok(resp) = get.send().await else {
            return Ok(None);
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = read_capped(resp, self.ctx.max_bytes, self.provider).await;
        if status.is_success() {
            self.last = None;
            let Ok(body) = body else { return Ok(None) };
            return match serde_json::from_slice(&body) {
                Ok(json) => Ok(Some(json)),
                Err(_) if result => Err(bad_answer(self.provider, "a result that is not JSON")),
                Err(_) => Ok(None),
            };
        }
        let body = body.unwrap_or_default();
        // A status answer in an error status (BFL's failed FLUX 3 task: 422 with
        // `{"status": "Error", "details"}`) is the task's status, for the adapter to read.
        if !result && status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
            if let Ok(json) = serde_json::from_slice::<Value>(&body) {
                if json.get("status").is_some_and(Value::is_string) {
                    return Ok(Some(json));
                }
            }
        }
        tracing::info!(provider = self.provider, status = status.as_u16(), "a polling request was refused");
        let error = refusal(self.provider, self.key_env, status.as_u16(), &headers, &body);
        let again = status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::SERVICE_UNAVAILABLE
            || (!result && status.is_server_error());
        if again {
            self.wait = retry_after(&headers, &body).map(Duration::from_secs);
            self.last = Some(error);
            return Ok(None);
        }
        Err(error)
    }
}
