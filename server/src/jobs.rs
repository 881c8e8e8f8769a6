//! Generations run as server-side jobs: the browser polls their state, and a
//! client that goes away cannot cancel a paid generation — the job finishes and
//! its images land in the store.

use app::api::JobState;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Finished jobs kept for their pollers; the oldest are forgotten first.
const KEPT: usize = 512;

#[derive(Clone, Default)]
pub struct Jobs(Arc<Mutex<VecDeque<(String, JobState)>>>);

impl Jobs {
    pub fn insert(&self, id: &str, state: JobState) {
        let mut jobs = self.0.lock().expect("jobs lock");
        if jobs.len() >= KEPT {
            if let Some(i) = jobs.iter().position(|(_, s)| matches!(s, JobState::Done { .. } | JobState::Failed { .. }))
            {
                jobs.remove(i);
            }
        }
        jobs.push_back((id.to_owned(), state));
    }

    pub fn set(&self, id: &str, state: JobState) {
        let mut jobs = self.0.lock().expect("jobs lock");
        if let Some(entry) = jobs.iter_mut().find(|(j, _)| j == id) {
            entry.1 = state;
        }
    }

    pub fn get(&self, id: &str) -> Option<JobState> {
        self.0.lock().expect("jobs lock").iter().find(|(j, _)| j == id).map(|(_, s)| s.clone())
    }
}

/// Where an adapter reports progress: a job's state, or nowhere.
#[derive(Clone, Default)]
pub struct Progress(Option<(Jobs, String)>);

impl Progress {
    pub fn job(jobs: Jobs, id: &str) -> Self {
        Self(Some((jobs, id.to_owned())))
    }

    pub fn queued(&self, position: Option<u32>) {
        self.report(JobState::Queued { position });
    }

    pub fn running(&self, progress: Option<f64>) {
        self.report(JobState::Running { progress });
    }

    fn report(&self, state: JobState) {
        if let Some((jobs, id)) = &self.0 {
            jobs.set(id, state);
        }
    }
}
