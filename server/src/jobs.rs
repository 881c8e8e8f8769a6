//! Generations run as server-side jobs: the browser polls their state, and a
//! client that goes away does not cancel a paid generation — the job finishes and
//! its images land in the store. Only an explicit cancel (`DELETE /api/jobs/{id}`)
//! stops one: it is asked in the database, and the replica running the job sees it
//! within `CANCEL_CHECK`, stops, and cancels upstream where the provider can. States
//! live in the database, so any replica answers a poll, and a job finished before a
//! restart is still there after it.

use crate::db::Db;
use app::api::JobState;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often a running job looks for a cancel.
pub const CANCEL_CHECK: Duration = Duration::from_millis(500);

#[derive(Clone)]
pub struct Jobs {
    db: Db,
}

impl Jobs {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Writes a state; `seq` orders the writes of one job (a later write wins).
    pub async fn put(&self, id: &str, seq: i64, state: &JobState) {
        let json = serde_json::to_string(state).unwrap_or_default();
        if let Err(e) = self.db.put_job(id, seq, &json).await {
            tracing::warn!(job = id, "cannot record the job's state: {e}");
        }
    }

    /// Asks for a cancel; false when the job has ended or is unknown.
    pub async fn request_cancel(&self, id: &str) -> Result<bool, crate::db::DbError> {
        self.db.request_cancel(id).await
    }

    pub async fn get(&self, id: &str) -> Result<Option<JobState>, crate::db::DbError> {
        Ok(self.db.job(id).await?.and_then(|json| serde_json::from_str(&json).ok()))
    }
}

pub use crate::db::jobs::FINAL;

/// Where an adapter reports progress, and what a cancel needs to know: whether the
/// request reached the provider, and how the provider cancels it, where it can.
#[derive(Clone, Default)]
pub struct Progress {
    job: Option<(Jobs, String, Arc<AtomicI64>)>,
    submitted: Arc<AtomicBool>,
    cancel: Arc<Mutex<Option<UpstreamCancel>>>,
}

/// The provider's own way to cancel a task: a request to `url` with the key.
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamCancel {
    pub method: reqwest::Method,
    pub url: String,
}

impl Progress {
    pub fn job(jobs: Jobs, id: &str) -> Self {
        Self { job: Some((jobs, id.to_owned(), Arc::new(AtomicI64::new(1)))), ..Self::default() }
    }

    pub fn queued(&self, position: Option<u32>) {
        self.report(JobState::Queued { position });
    }

    pub fn running(&self, progress: Option<f64>) {
        self.report(JobState::Running { progress });
    }

    /// From here on the provider has the request (and may charge for it).
    pub fn submitted(&self) {
        self.submitted.store(true, Ordering::Relaxed);
    }

    pub fn was_submitted(&self) -> bool {
        self.submitted.load(Ordering::Relaxed)
    }

    /// The provider's task can be cancelled so (an adapter says, once it has the task).
    pub fn cancel_with(&self, method: reqwest::Method, url: String) {
        if let Ok(mut c) = self.cancel.lock() {
            *c = Some(UpstreamCancel { method, url });
        }
    }

    pub fn upstream_cancel(&self) -> Option<UpstreamCancel> {
        self.cancel.lock().ok().and_then(|c| c.clone())
    }

    /// Resolves when someone asks to cancel this job; never for a call that is not a job.
    pub async fn cancelled(&self) {
        let Some((jobs, id, _)) = &self.job else { return std::future::pending().await };
        loop {
            tokio::time::sleep(CANCEL_CHECK).await;
            if jobs.db.cancel_requested(id).await.unwrap_or(false) {
                return;
            }
        }
    }

    /// Written in a task of its own: an adapter's poll loop never waits on the database.
    fn report(&self, state: JobState) {
        if let Some((jobs, id, seq)) = &self.job {
            let (jobs, id, seq) = (jobs.clone(), id.clone(), seq.fetch_add(1, Ordering::Relaxed) + 1);
            tokio::spawn(async move { jobs.put(&id, seq, &state).await });
        }
    }
}
