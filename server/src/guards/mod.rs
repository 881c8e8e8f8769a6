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
    pub fn new(limits: Limits) -> Self {
        Self {
            lock: limits.passphrase.as_ref().map(passphrase::Lock::new),
            budget: budget::Budget::new(&limits),
            rate: rate_limit::config(limits.rate_per_minute, limits.rate_burst, limits.trusted_proxies),
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
