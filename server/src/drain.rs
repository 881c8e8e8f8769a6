//! Shutting down without cutting a generation short. On SIGTERM the server keeps
//! answering (status polls, results, images) but takes no new generation (503), waits
//! up to `FLUXPLAY_SHUTDOWN_SECS` for the running ones, marks those still unfinished as
//! failed (their visitors hear it on their next poll, from any replica), and only then
//! stops accepting connections.

use crate::jobs::{Jobs, FINAL};
use app::api::{ApiError, JobState};
use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// After the last generation ends, how long pollers get to read its final state.
const LINGER: Duration = Duration::from_secs(1);

#[derive(Clone, Default)]
pub struct Drain {
    tasks: TaskTracker,
    draining: CancellationToken,
    /// Jobs running on this server, by id.
    running: Arc<Mutex<HashSet<String>>>,
}

/// Forgets a job when its task ends, however it ends.
struct Running(Arc<Mutex<HashSet<String>>>, String);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut running) = self.0.lock() {
            running.remove(&self.1);
        }
    }
}

impl Drain {
    /// Runs a generation the shutdown waits for.
    pub fn spawn<F>(&self, work: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.tasks.spawn(work)
    }

    /// Runs job `id`, which the shutdown waits for and, past its deadline, marks failed.
    pub fn spawn_job<F>(&self, id: &str, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        if let Ok(mut running) = self.running.lock() {
            running.insert(id.to_owned());
        }
        let guard = Running(self.running.clone(), id.to_owned());
        self.tasks.spawn(async move {
            work.await;
            drop(guard);
        });
    }

    pub fn is_draining(&self) -> bool {
        self.draining.is_cancelled()
    }

    /// The shutdown: no new generations, the running ones waited for up to `deadline`,
    /// then the unfinished ones failed in the jobs table.
    pub async fn finish(&self, deadline: Duration, jobs: &Jobs) {
        self.draining.cancel();
        self.tasks.close();
        let left = self.running.lock().map(|r| r.len()).unwrap_or(0);
        tracing::info!(running = left, ?deadline, "shutting down: waiting for running generations");
        if tokio::time::timeout(deadline, self.tasks.wait()).await.is_err() {
            self.fail_unfinished(jobs).await;
        }
        tokio::time::sleep(LINGER).await;
    }

    async fn fail_unfinished(&self, jobs: &Jobs) {
        let unfinished: Vec<String> = self.running.lock().map(|r| r.iter().cloned().collect()).unwrap_or_default();
        tracing::warn!(unfinished = unfinished.len(), "shutdown deadline passed: failing the runs still going");
        let error = ApiError::new(
            "The server stopped before this run ended. The provider may still finish it and charge for it; \
             its images are not kept.",
        );
        for id in unfinished {
            jobs.put(&id, FINAL, &JobState::Failed { error: error.clone() }).await;
        }
    }
}
