//! The accept loop: every connection is bounded in number and in time.
//!
//! - at most `max_connections` open at once; past that the loop stops accepting
//!   and new connections wait in the kernel's backlog;
//! - at most `max_connections_per_client` from one client (an IPv6 client is its
//!   /64); more are answered 429 and closed at once. Behind a trusted proxy every
//!   connection comes from the proxy, so this cap is the proxy's job there;
//! - `header_timeout` to send a request's headers, which is also how long an idle
//!   keep-alive connection stays open;
//! - `body_timeout` for a request's whole body (`BodyDeadline`);
//! - a response that the client stops reading for `WRITE_STALL` is dropped.

use crate::client::limit_key;
use crate::limits::Limits;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// A response the client has not read a byte of for this long is given up.
pub const WRITE_STALL: Duration = Duration::from_secs(30);
/// How long running requests get to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The connection limits, from the settings.
#[derive(Debug, Clone)]
pub struct ConnLimits {
    pub max_connections: usize,
    /// `None` behind a trusted proxy.
    pub per_client: Option<usize>,
    pub header_timeout: Duration,
}

impl ConnLimits {
    pub fn from(limits: &Limits) -> Self {
        Self {
            max_connections: limits.site.max_connections,
            per_client: (limits.site.trusted_proxies == 0).then_some(limits.site.max_connections_per_client),
            header_timeout: limits.site.header_timeout,
        }
    }
}

/// Open connections per client key.
#[derive(Default)]
struct PerClient(Mutex<HashMap<IpAddr, usize>>);

/// A client's claim on one of its connections; given back on drop.
struct ClientSlot(Arc<PerClient>, IpAddr);

impl PerClient {
    fn take(self: &Arc<Self>, key: IpAddr, limit: Option<usize>) -> Option<ClientSlot> {
        let mut open = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(key).or_default();
        if limit.is_some_and(|l| *count >= l) {
            return None;
        }
        *count += 1;
        Some(ClientSlot(self.clone(), key))
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self.0 .0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.1) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.1);
            }
        }
    }
}

const TOO_MANY: &[u8] = b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
connection: close\r\ncontent-length: 71\r\n\r\n{\"message\":\"Too many open connections from your address; close some.\"}\n";

/// Serves `router` on `listener` until `shutdown` resolves, then lets running
/// requests finish for up to `SHUTDOWN_GRACE`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let total = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = Arc::new(PerClient::default());
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = total.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (mut stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = per_client.take(limit_key(peer.ip()), limits.per_client) else {
            tokio::spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(TOO_MANY)).await;
                drop(permit);
            });
            continue;
        };
        let _ = stream.set_nodelay(true);
        let mut io = tokio_io_timeout::TimeoutStream::new(stream);
        io.set_write_timeout(Some(WRITE_STALL));
        let router = router.clone();
        let service = TowerToHyperService::new(tower::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(req.map(axum::body::Body::new))
        }));
        let conn = graceful.watch(http.serve_connection(TokioIo::new(Box::pin(io)), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection from {peer}: {e}");
            }
            drop((permit, slot));
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("some connections were still open after {SHUTDOWN_GRACE:?}");
    }
    Ok(())
}
