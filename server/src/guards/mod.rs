//! What keeps a public demo from being drained: a passphrase, a per-client
//! rate limit, a cap on generations running at once, a daily budget, and
//! request-body limits. Each is a setting (see `limits`). The cap and the
//! budget live in the database, so they hold across replicas; the rate limit
//! is per replica.

pub mod body;
pub mod budget;
pub mod passphrase;
pub mod rate_limit;

use crate::db::Db;
use crate::error::Error;
use crate::limits::{HistoryScope, Limits};
use crate::metrics::{Metrics, Refusal};
use crate::store::ImageStore;
use app::valid::Valid;
use std::sync::Arc;
use tokio::sync::Semaphore;

const DEFAULT_RATE_PER_MINUTE: u32 = 12;

pub struct Guards {
    pub limits: Limits,
    pub lock: Option<passphrase::Lock>,
    pub budget: budget::Budget,
    pub rate: Option<Arc<rate_limit::Config>>,
    /// Whose history a browser sees.
    pub scope: HistoryScope,
    db: Db,
}

/// A generation's right to run, with its share of the budget (live providers);
/// dropping it frees the slot, and gives the share back unless it was submitted.
#[derive(Debug)]
pub struct Slot {
    _lease: Lease,
    reservation: Option<budget::Reservation>,
}

/// One of the running slots in the database, released when dropped.
struct Lease {
    db: Db,
    id: String,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lease({})", self.id)
    }
}

impl Lease {
    async fn end(mut self) {
        let id = std::mem::take(&mut self.id);
        if let Err(e) = self.db.release_slot(&id).await {
            tracing::warn!("cannot release a running slot (its lease runs out): {e}");
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if self.id.is_empty() {
            return;
        }
        let (db, id) = (self.db.clone(), std::mem::take(&mut self.id));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = db.release_slot(&id).await {
                    tracing::warn!("cannot release a running slot (its lease runs out): {e}");
                }
            });
        }
    }
}

impl Slot {
    /// Frees the slot and settles the reservation now, awaited, so whoever hears the
    /// outcome next finds the counts already right. A slot dropped instead (a panic,
    /// a task cancelled) does the same in tasks of its own.
    pub async fn end(self) {
        let Slot { _lease: lease, reservation } = self;
        if let Some(reservation) = reservation {
            reservation.end().await;
        }
        lease.end().await;
    }

    /// The budget's estimate in micro-dollars, where one was reserved.
    pub fn micro_usd(&self) -> Option<i64> {
        self.reservation.as_ref().map(budget::Reservation::micro_usd).filter(|m| *m > 0)
    }
}

impl Guards {
    /// `any_live`: some provider is called with a real key. Then, or with a passphrase,
    /// the rate limit is on by default; a playground on the emulators alone costs
    /// nothing and its developer is not slowed down.
    pub fn new(limits: Limits, any_live: bool, db: Db) -> Self {
        let exposed = any_live || limits.guards.passphrase.is_some();
        let per_minute = limits.guards.rate_per_minute.unwrap_or(if exposed { DEFAULT_RATE_PER_MINUTE } else { 0 });
        let scope =
            limits.guards.history_scope.unwrap_or(if exposed { HistoryScope::Visitor } else { HistoryScope::Everyone });
        Self {
            lock: limits.guards.passphrase.as_ref().map(passphrase::Lock::new),
            budget: budget::Budget::new(&limits, db.clone()),
            rate: rate_limit::config(per_minute, limits.guards.rate_burst),
            scope,
            db,
            limits,
        }
    }

    /// Takes a slot, then (for a live provider) reserves the request's cost.
    /// Both happen before anything is sent, and both refuse rather than queue.
    /// `uploads` holds the reference images, whose size may decide the cost.
    pub async fn admit(
        &self,
        valid: &Valid,
        live: bool,
        uploads: &ImageStore,
        metrics: &Metrics,
    ) -> Result<Slot, Error> {
        let max = self.limits.guards.max_concurrent;
        let id = uuid::Uuid::new_v4().to_string();
        if !self.db.take_slot(&id, max as i64, self.lease_ms()).await? {
            metrics.refused(Refusal::Busy);
            return Err(Error::Busy {
                message: format!(
                    "{max} generations are already running on this server, the most it runs at once. Try again in a few seconds."
                ),
                retry_after: 5,
            });
        }
        let lease = Lease { db: self.db.clone(), id };
        let reservation = if live {
            let sizes = budget::upload_sizes(uploads, valid).await;
            let cost = budget::estimate(valid, &self.limits, &budget::known(&sizes));
            Some(self.budget.reserve(&cost).await.inspect_err(|_| metrics.refused(Refusal::Budget))?)
        } else {
            None
        };
        Ok(Slot { _lease: lease, reservation })
    }

    /// How long a slot outlives a replica that stopped while it ran: the longest a
    /// generation may take (its provider's whole task, then fetching its images).
    fn lease_ms(&self) -> i64 {
        let up = &self.limits.upstream;
        i64::try_from((up.poll_deadline + up.request_timeout * 2).as_millis()).unwrap_or(i64::MAX)
    }

    /// Right before the request goes to the provider: the reservation is settled to
    /// what is known now (a fetched reference's real size; never more than reserved)
    /// and kept, since from here on the request may be charged.
    pub async fn submitting(&self, slot: &mut Slot, valid: &Valid, uploads: &ImageStore) {
        if let Some(reservation) = slot.reservation.as_mut() {
            let sizes = budget::upload_sizes(uploads, valid).await;
            reservation.settle(&budget::estimate(valid, &self.limits, &budget::known(&sizes))).await;
            reservation.submitted();
        }
    }

    /// Generations running now, all replicas together.
    pub async fn running(&self) -> usize {
        self.db.running().await.map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }
}

/// A cap on requests in progress at once, for routes whose requests hold much
/// memory: over it, 429 at once (never a queue).
#[derive(Clone)]
pub struct AtOnce {
    slots: Arc<Semaphore>,
    n: usize,
    what: &'static str,
}

impl AtOnce {
    pub fn new(n: usize, what: &'static str) -> Self {
        Self { slots: Arc::new(Semaphore::new(n)), n, what }
    }
}

/// The middleware for `AtOnce` (`from_fn_with_state`).
pub async fn at_once(
    axum::extract::State(cap): axum::extract::State<AtOnce>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Ok(_permit) = cap.slots.try_acquire_owned() else {
        let message = format!("{} {} are already in progress on this server. Try again in a moment.", cap.n, cap.what);
        return Error::Busy { message, retry_after: 1 }.into_response();
    };
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(vars: &[(&str, &str)]) -> Limits {
        Limits::from_pairs(vars).unwrap()
    }

    fn guards(vars: &[(&str, &str)], live: bool) -> Guards {
        let dir = std::env::temp_dir().join(format!("fluxplay-guards-{}", uuid::Uuid::new_v4()));
        Guards::new(limits(vars), live, Db::open(None, &dir).unwrap())
    }

    // The pool needs a runtime, as in the server.
    #[tokio::test]
    async fn the_rate_limit_is_on_by_default_once_anything_costs() {
        assert!(guards(&[], false).rate.is_none(), "emulators only: nothing to drain");
        assert!(guards(&[], true).rate.is_some(), "a live key");
        assert!(guards(&[("FLUXPLAY_PASSPHRASE", "x")], false).rate.is_some(), "a public demo");
        assert!(guards(&[("FLUXPLAY_RATE_PER_MINUTE", "0")], true).rate.is_none(), "turned off");
        assert!(guards(&[("FLUXPLAY_RATE_PER_MINUTE", "5")], false).rate.is_some(), "turned on");
    }

    #[tokio::test]
    async fn history_is_each_visitors_own_once_anything_costs() {
        assert_eq!(guards(&[], false).scope, HistoryScope::Everyone, "a playground on one's own machine");
        assert_eq!(guards(&[], true).scope, HistoryScope::Visitor, "a live key");
        assert_eq!(guards(&[("FLUXPLAY_PASSPHRASE", "x")], false).scope, HistoryScope::Visitor, "a public demo");
        assert_eq!(guards(&[("FLUXPLAY_HISTORY_SCOPE", "everyone")], true).scope, HistoryScope::Everyone);
    }
}
