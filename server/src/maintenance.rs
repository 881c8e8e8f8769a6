//! The clean-up task: generations past the history's retention go with the images
//! only they held, uploads past their age go, and so do finished jobs after a day
//! and budget days after a week. Every replica runs it; each step is idempotent.

use crate::db::now_ms;
use crate::state::AppState;
use std::time::Duration;

const DAY_MS: i64 = 86_400_000;

/// What one pass removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cleaned {
    pub generations: u64,
    pub images: usize,
    pub uploads: usize,
    pub jobs: u64,
}

/// One pass.
pub async fn clean(state: &AppState) -> Cleaned {
    let inner = &state.inner;
    let mut cleaned = Cleaned { uploads: inner.uploads.remove_expired().await, ..Cleaned::default() };
    if let Some(age) = inner.guards.limits.guards.history_max_age {
        let cutoff = now_ms() - i64::try_from(age.as_millis()).unwrap_or(i64::MAX);
        match inner.db.forget_before(cutoff).await {
            Ok((generations, orphans)) => {
                for name in &orphans {
                    inner.remove_image(name).await;
                }
                cleaned.generations = generations;
                cleaned.images = orphans.len();
            }
            Err(e) => tracing::warn!("history retention: {e}"),
        }
    }
    cleaned.jobs = inner.db.expire_jobs(now_ms() - DAY_MS).await.unwrap_or_else(|e| {
        tracing::warn!("job clean-up: {e}");
        0
    });
    if cleaned != Cleaned::default() {
        tracing::info!(?cleaned, "clean-up");
    }
    cleaned
}

/// Runs [`clean`] at the uploads' pace (a quarter of their age limit, between a
/// second and ten minutes), until the process ends.
pub async fn run(state: AppState) {
    let age = state.inner.uploads.max_age().unwrap_or(Duration::from_secs(3600));
    let every = (age / 4).clamp(Duration::from_secs(1), Duration::from_secs(600));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        clean(&state).await;
    }
}
