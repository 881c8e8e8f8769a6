//! Generations run as server-side jobs: the browser polls their state, and a
//! client that goes away cannot cancel a paid generation — the job finishes and
//! its images land in the store. States live in the database, so any replica
//! answers a poll, and a job finished before a restart is still there after it.

use crate::db::Db;
use app::api::JobState;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

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

    pub async fn get(&self, id: &str) -> Result<Option<JobState>, crate::db::DbError> {
        Ok(self.db.job(id).await?.and_then(|json| serde_json::from_str(&json).ok()))
    }
}

/// The `seq` of a job's last write: above every progress report.
pub const FINAL: i64 = i64::MAX;

/// Where an adapter reports progress: a job's state, or nowhere.
#[derive(Clone, Default)]
pub struct Progress(Option<(Jobs, String, Arc<AtomicI64>)>);

impl Progress {
    pub fn job(jobs: Jobs, id: &str) -> Self {
        Self(Some((jobs, id.to_owned(), Arc::new(AtomicI64::new(1)))))
    }

    pub fn queued(&self, position: Option<u32>) {
        self.report(JobState::Queued { position });
    }

    pub fn running(&self, progress: Option<f64>) {
        self.report(JobState::Running { progress });
    }

    /// Written in a task of its own: an adapter's poll loop never waits on the database.
    fn report(&self, state: JobState) {
        if let Some((jobs, id, seq)) = &self.0 {
            let (jobs, id, seq) = (jobs.clone(), id.clone(), seq.fetch_add(1, Ordering::Relaxed) + 1);
            tokio::spawn(async move { jobs.put(&id, seq, &state).await });
        }
    }
}
