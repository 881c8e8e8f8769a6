//! What keeps a public demo from being drained: a passphrase, a per-client
//! rate limit, a cap on generations running at once, a daily budget, and
//! request-body limits. Each is a setting (see `limits`).

pub mod body;
pub mod budget;
pub mod passphrase;
pub mod rate_limit;

use crate::error::Error;
use crate::limits::Limits;
use crate::metrics::{Metrics, Refusal};
use app::catalog::ModelRef;
use serde_json::{Map, Value};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const DEFAULT_RATE_PER_MINUTE: u32 = 12;

pub struct Guards {
    pub limits: Limits,
    pub lock: Option<passphrase::Lock>,
    pub budget: budget::Budget,
    pub rate: Option<Arc<rate_limit::Config>>,
    running: Arc<Semaphore>,
}

/// A generation's right to run; dropping it frees the slot.
#[derive(Debug)]
pub struct Slot(#[allow(dead_code)] OwnedSemaphorePermit);

impl Guards {
    /// `any_live`: some provider is called with a real key. Then, or with a passphrase,
    /// the rate limit is on by default; a playground on the emulators alone costs
    /// nothing and its developer is not slowed down.
    pub fn new(limits: Limits, any_live: bool) -> Self {
        let exposed = any_live || limits.passphrase.is_some();
        let per_minute = limits.rate_per_minute.unwrap_or(if exposed { DEFAULT_RATE_PER_MINUTE } else { 0 });
        Self {
            lock: limits.passphrase.as_ref().map(passphrase::Lock::new),
            budget: budget::Budget::new(&limits),
            rate: rate_limit::config(per_minute, limits.rate_burst, limits.trusted_proxies),
            running: Arc::new(Semaphore::new(limits.max_concurrent)),
            limits,
        }
    }

    /// Takes a slot, then (for a live provider) reserves the request's cost.
    /// Both happen before anything is sent, and both refuse rather than queue.
    pub fn admit(
        &self,
        model: ModelRef,
        params: &Map<String, Value>,
        live: bool,
        metrics: &Metrics,
    ) -> Result<Slot, Error> {
        let permit = self.running.clone().try_acquire_owned().map_err(|_| {
            metrics.refused(Refusal::Busy);
            Error::Busy {
            message: format!(
                "{} generations are already running on this server, the most it runs at once. Try again in a few seconds.",
                self.limits.max_concurrent
            ),
            retry_after: 5,
        }})?;
        if live {
            self.budget
                .reserve(&budget::estimate(model, params, &self.limits))
                .inspect_err(|_| metrics.refused(Refusal::Budget))?;
        }
        Ok(Slot(permit))
    }

    pub fn running(&self) -> usize {
        self.limits.max_concurrent - self.running.available_permits()
    }
}

/// The emulators cost nothing but CPU. This server's own calls to them come from
/// loopback and pass; anyone else meets the passphrase and the rate limit.
pub async fn emulator_gate(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let guards = &state.inner.guards;
    let client = rate_limit::ClientIp { trusted_proxies: guards.limits.trusted_proxies }.of(&req);
    let local = match client {
        std::net::IpAddr::V4(v4) => v4.is_loopback(),
        std::net::IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    };
    if local {
        return next.run(req).await;
    }
    if guards.lock.as_ref().is_some_and(|lock| !lock.admits(req.headers())) {
        return passphrase::locked(&state.inner.metrics).into_response();
    }
    if let Some(Err(wait)) = guards.rate.as_ref().map(|rate| rate.limiter().check_key(&client)) {
        let now = governor::clock::Clock::now(&governor::clock::DefaultClock::default());
        return rate_limit::too_many(&state.inner.metrics, wait.wait_time_from(now).as_secs()).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(vars: &[(&str, &str)]) -> Limits {
        Limits::from_pairs(vars).unwrap()
    }

    #[test]
    fn the_rate_limit_is_on_by_default_once_anything_costs() {
        assert!(Guards::new(limits(&[]), false).rate.is_none(), "emulators only: nothing to drain");
        assert!(Guards::new(limits(&[]), true).rate.is_some(), "a live key");
        assert!(Guards::new(limits(&[("FLUXPLAY_PASSPHRASE", "x")]), false).rate.is_some(), "a public demo");
        assert!(Guards::new(limits(&[("FLUXPLAY_RATE_PER_MINUTE", "0")]), true).rate.is_none(), "turned off");
        assert!(Guards::new(limits(&[("FLUXPLAY_RATE_PER_MINUTE", "5")]), false).rate.is_some(), "turned on");
    }
}
