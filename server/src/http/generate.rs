//! `POST /api/generate`, `POST /api/jobs`, `GET /api/jobs/{id}` and `DELETE /api/jobs/{id}`.

use super::visitor::Visitor;
use crate::error::{Error, WithId};
use crate::generate::{execute, prepare};
use crate::jobs::{Progress, FINAL};
use crate::state::AppState;
use app::api::{ApiError, GenerateRequest, GenerateResponse, JobState, JobTicket};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

/// `POST /api/generate`: runs the generation and answers with its result. The
/// work runs in its own task, so a client that disconnects does not cancel it.
pub async fn handler(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Result<Json<GenerateRequest>, JsonRejection>,
) -> Result<Json<GenerateResponse>, WithId> {
    let id = uuid::Uuid::new_v4().to_string();
    let ready = prepare(&state, body, &visitor.0, &id).await.map_err(|e| WithId(e, id.clone()))?;
    let task = state.inner.drain.clone().spawn(execute(state, ready, Progress::default()));
    match task.await {
        Ok(result) => result.map(Json).map_err(|e| WithId(e, id)),
        Err(e) => Err(WithId(Error::Internal(format!("generation task: {e}")), id)),
    }
}

/// `POST /api/jobs`: validates, starts the generation and answers 202 with the
/// job id to poll at `GET /api/jobs/{id}` (on any replica).
pub async fn start(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Result<Json<GenerateRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<JobTicket>), WithId> {
    let id = uuid::Uuid::new_v4().to_string();
    let ready = prepare(&state, body, &visitor.0, &id).await.map_err(|e| WithId(e, id.clone()))?;
    spawn_job(state, ready).await;
    Ok((StatusCode::ACCEPTED, Json(JobTicket { job: id })))
}

/// Records the job as queued, then runs it in its own task to its final state.
pub async fn spawn_job(state: AppState, ready: crate::generate::Ready) {
    let jobs = state.inner.jobs.clone();
    let job = ready.id.clone();
    jobs.put(&job, 0, &JobState::Queued { position: None }).await;
    let progress = Progress::job(jobs.clone(), &job);
    let drain = state.inner.drain.clone();
    drain.spawn_job(&job.clone(), async move {
        let done = match execute(state, ready, progress).await {
            Ok(result) => JobState::Done { result: Box::new(result) },
            Err(e) => {
                let (status, error) = e.to_api(&job);
                e.log(&job, status);
                JobState::Failed { error }
            }
        };
        jobs.put(&job, FINAL, &done).await;
    });
}

/// `GET /api/jobs/{id}`.
pub async fn status(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<JobState>, Error> {
    state
        .inner
        .jobs
        .get(&id)
        .await?
        .map(Json)
        .ok_or_else(|| Error::NotFound(format!("No job `{id}` (finished jobs are kept for a day)")))
}

/// `DELETE /api/jobs/{id}`: cancels a run that has not ended, and answers with the
/// words it ended with: what may still be charged. The replica running it (any of
/// them) stops within `jobs::CANCEL_CHECK` and cancels upstream where the provider can.
pub async fn cancel(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<ApiError>, Error> {
    let jobs = &state.inner.jobs;
    let ended = || Error::Rejected { status: StatusCode::CONFLICT, message: "This run has already ended".into() };
    match jobs.get(&id).await? {
        None => return Err(Error::NotFound(format!("No job `{id}` (finished jobs are kept for a day)"))),
        Some(JobState::Done { .. } | JobState::Failed { .. }) => return Err(ended()),
        Some(_) => {}
    }
    if !jobs.request_cancel(&id).await? {
        return Err(ended());
    }
    // Its upstream cancel may take up to 10 s.
    let deadline = tokio::time::Instant::now() + CANCEL_WAIT;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        match jobs.get(&id).await? {
            Some(JobState::Failed { error }) => return Ok(Json(error)),
            Some(JobState::Done { .. }) => return Ok(Json(ApiError::new("It finished before the cancel reached it."))),
            _ => {}
        }
    }
    // No replica acted on it (the one running it is gone): it ends here.
    let error = ApiError::new(
        "Cancelled. The server that ran it did not answer, so the provider may still finish it and charge for it.",
    );
    jobs.put(&id, FINAL, &JobState::Failed { error: error.clone() }).await;
    Ok(Json(error))
}

/// How long a cancel waits for the run to stop: the check's pace plus an upstream cancel's timeout.
const CANCEL_WAIT: std::time::Duration = std::time::Duration::from_secs(15);
