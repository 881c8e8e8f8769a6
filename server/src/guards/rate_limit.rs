//! Per-client rate limit on everything that costs (generations, uploads,
//! passphrase attempts), keyed by the client `client::identify` found.

use crate::client::{limit_key, Client};
use crate::error::Error;
use crate::metrics::{Metrics, Refusal};
use axum::http::Request;
use governor::middleware::NoOpMiddleware;
use std::net::IpAddr;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::GovernorError;

/// Keys the limiter by the client `client::identify` found (an IPv6 client by its /64).
#[derive(Debug, Clone, Copy)]
pub struct ByClient;

impl KeyExtractor for ByClient {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<Self::Key, GovernorError> {
        req.extensions().get::<Client>().map(|c| limit_key(c.0)).ok_or(GovernorError::UnableToExtractKey)
    }
}

pub type Config = GovernorConfig<ByClient, NoOpMiddleware>;

/// The limiter for `per_minute` requests with bursts of `burst`; `None` when off.
pub fn config(per_minute: u32, burst: u32) -> Option<Arc<Config>> {
    if per_minute == 0 {
        return None;
    }
    let period = Duration::from_secs(60) / per_minute;
    GovernorConfigBuilder::default()
        .period(period)
        .burst_size(burst.max(1))
        .key_extractor(ByClient)
        .finish()
        .map(Arc::new)
}

/// The refusal of a client over its rate, counted.
pub fn too_many(metrics: &Metrics, wait_secs: u64) -> Error {
    metrics.refused(Refusal::RateLimit);
    let wait = wait_secs.max(1);
    Error::Busy { message: format!("Too many requests from your address. Try again in {wait} s."), retry_after: wait }
}

/// Forgets clients whose buckets are full again, so the map cannot grow without bound.
pub fn sweep(config: &Config) -> usize {
    let limiter = config.limiter();
    limiter.retain_recent();
    limiter.shrink_to_fit();
    limiter.len()
}

/// Sweeps every `every` for as long as the limiter lives.
pub fn spawn_sweeper(config: &Arc<Config>, every: Duration) {
    let weak: Weak<Config> = Arc::downgrade(config);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            let Some(config) = weak.upgrade() else { return };
            let left = sweep(&config);
            tracing::debug!(clients = left, "rate limiter swept");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_forgets_clients_whose_buckets_refilled() {
        let config = config(60_000, 1).unwrap();
        let limiter = config.limiter();
        for i in 0..100_000u32 {
            let _ = limiter.check_key(&IpAddr::V4(std::net::Ipv4Addr::from(i)));
        }
        assert_eq!(limiter.len(), 100_000);
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(sweep(&config), 0);
    }
}
