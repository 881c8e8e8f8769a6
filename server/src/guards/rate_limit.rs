//! Per-client rate limit on everything that costs (generations, uploads,
//! passphrase attempts). The client is the TCP peer; `X-Forwarded-For` is read
//! only when the operator says how many proxies sit in front, and then from the
//! right, where our own proxy wrote it — a client cannot spoof its way out.

use crate::error::Error;
use crate::metrics::{Metrics, Refusal};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::response::IntoResponse;
use governor::middleware::NoOpMiddleware;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

/// The client's address: the peer, or the entry our `trusted_proxies`-th proxy added.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp {
    pub trusted_proxies: usize,
}

impl ClientIp {
    pub fn of<T>(&self, req: &Request<T>) -> IpAddr {
        // Without connection info (`oneshot` tests) every request shares one bucket.
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| addr.ip());
        if self.trusted_proxies == 0 {
            return peer;
        }
        let hops: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        // Each trusted proxy appended the address it saw; the last one is ours.
        hops.len()
            .checked_sub(self.trusted_proxies)
            .and_then(|i| hops.get(i))
            .and_then(|ip| ip.parse().ok())
            .unwrap_or(peer)
    }
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<Self::Key, GovernorError> {
        Ok(self.of(req))
    }
}

pub type Config = GovernorConfig<ClientIp, NoOpMiddleware>;

/// The limiter for `per_minute` requests with bursts of `burst`; `None` when off.
pub fn config(per_minute: u32, burst: u32, trusted_proxies: usize) -> Option<Arc<Config>> {
    if per_minute == 0 {
        return None;
    }
    let period = Duration::from_secs(60) / per_minute;
    GovernorConfigBuilder::default()
        .period(period)
        .burst_size(burst.max(1))
        .key_extractor(ClientIp { trusted_proxies })
        .finish()
        .map(Arc::new)
}

/// The layer, answering 429 in our JSON shape with `Retry-After`.
pub fn layer(config: Arc<Config>, state: AppState) -> GovernorLayer<ClientIp, NoOpMiddleware, Body> {
    GovernorLayer::new(config).error_handler(move |e| match e {
        GovernorError::TooManyRequests { wait_time, .. } => too_many(&state.inner.metrics, wait_time).into_response(),
        other => Error::Internal(format!("rate limiter: {other}")).into_response(),
    })
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

    fn request(peer: &str, xff: &[&str]) -> Request<()> {
        let mut req = Request::new(());
        req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        for v in xff {
            req.headers_mut().append("x-forwarded-for", v.parse().unwrap());
        }
        req
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let direct = ClientIp { trusted_proxies: 0 };
        assert_eq!(direct.of(&request("10.0.0.9:5000", &["1.2.3.4"])), "10.0.0.9".parse::<IpAddr>().unwrap());
        let proxied = ClientIp { trusted_proxies: 1 };
        // A client-sent entry is to the left of what our proxy appended.
        assert_eq!(
            proxied.of(&request("10.0.0.9:5000", &["6.6.6.6, 203.0.113.7"])),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            proxied.of(&request("10.0.0.9:5000", &["6.6.6.6", "203.0.113.7"])),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(proxied.of(&request("10.0.0.9:5000", &["junk"])), "10.0.0.9".parse::<IpAddr>().unwrap());
        let two = ClientIp { trusted_proxies: 2 };
        assert_eq!(
            two.of(&request("10.0.0.9:5000", &["6.6.6.6, 203.0.113.7, 10.0.0.2"])),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn the_sweep_forgets_clients_whose_buckets_refilled() {
        let config = config(60_000, 1, 0).unwrap();
        let limiter = config.limiter();
        for i in 0..100_000u32 {
            let _ = limiter.check_key(&IpAddr::V4(Ipv4Addr::from(i)));
        }
        assert_eq!(limiter.len(), 100_000);
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(sweep(&config), 0);
    }
}
