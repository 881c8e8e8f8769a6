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
use crate::store::ImageStore;
use app::valid::Valid;
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

/// A generation's right to run, with its share of the budget (live providers);
/// dropping it frees the slot, and gives the share back unless it was submitted.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    reservation: Option<budget::Reservation>,
}

impl Guards {
    /// `any_live`: some provider is called with a real key. Then, or with a passphrase,
    /// the rate limit is on by default; a playground on the emulators alone costs
    /// nothing and its developer is not slowed down.
    pub fn new(limits: Limits, any_live: bool) -> Self {
        let exposed = any_live || limits.guards.passphrase.is_some();
        let per_minute = limits.guards.rate_per_minute.unwrap_or(if exposed { DEFAULT_RATE_PER_MINUTE } else { 0 });
        Self {
            lock: limits.guards.passphrase.as_ref().map(passphrase::Lock::new),
            budget: budget::Budget::new(&limits),
            rate: rate_limit::config(per_minute, limits.guards.rate_burst),
            running: Arc::new(Semaphore::new(limits.guards.max_concurrent)),
            limits,
        }
    }

    /// Takes a slot, then (for a live provider) reserves the request's cost.
    /// Both happen before anything is sent, and both refuse rather than queue.
    /// `uploads` holds the reference images, whose size may decide the cost.
    pub fn admit(&self, valid: &Valid, live: bool, uploads: &ImageStore, metrics: &Metrics) -> Result<Slot, Error> {
        let permit = self.running.clone().try_acquire_owned().map_err(|_| {
            metrics.refused(Refusal::Busy);
            Error::Busy {
            message: format!(
                "{} generations are already running on this server, the most it runs at once. Try again in a few seconds.",
                self.limits.guards.max_concurrent
            ),
            retry_after: 5,
        }})?;
        let reservation = if live {
            let cost = budget::estimate(valid, &self.limits, &budget::upload_size(uploads));
            Some(self.budget.reserve(&cost).inspect_err(|_| metrics.refused(Refusal::Budget))?)
        } else {
            None
        };
        Ok(Slot { _permit: permit, reservation })
    }

    /// Right before the request goes to the provider: the reservation is settled to
    /// what is known now (a fetched reference's real size; never more than reserved)
    /// and kept, since from here on the request may be charged.
    pub fn submitting(&self, slot: &mut Slot, valid: &Valid, uploads: &ImageStore) {
        if let Some(reservation) = slot.reservation.as_mut() {
            reservation.settle(&budget::estimate(valid, &self.limits, &budget::upload_size(uploads)));
            reservation.submitted();
        }
    }

    pub fn running(&self) -> usize {
        self.limits.guards.max_concurrent - self.running.available_permits()
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

    #[test]
    fn the_rate_limit_is_on_by_default_once_anything_costs() {
        assert!(Guards::new(limits(&[]), false).rate.is_none(), "emulators only: nothing to drain");
        assert!(Guards::new(limits(&[]), true).rate.is_some(), "a live key");
        assert!(Guards::new(limits(&[("FLUXPLAY_PASSPHRASE", "x")]), false).rate.is_some(), "a public demo");
        assert!(Guards::new(limits(&[("FLUXPLAY_RATE_PER_MINUTE", "0")]), true).rate.is_none(), "turned off");
        assert!(Guards::new(limits(&[("FLUXPLAY_RATE_PER_MINUTE", "5")]), false).rate.is_some(), "turned on");
    }
}
