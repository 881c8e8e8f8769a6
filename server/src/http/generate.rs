//! `POST /api/generate`, `POST /api/jobs`, `GET /api/jobs/{id}` and `DELETE /api/jobs/{id}`.

use super::visitor::Visitor;
use crate::base_path;
use crate::error::{Error, WithId};
use crate::generate::{execute, prepare};
use crate::jobs::{Progress, FINAL};
use crate::state::AppState;
use app::api::{ApiError, GenerateRequest, GenerateResponse, JobState, JobTicket};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

/// What starting a generation can be refused with, either way (`OpenAPI` only).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Refusals {
    /// Unknown model, or malformed JSON.
    #[response(status = 400)]
    BadRequest(ApiError),
    /// A passphrase is set and the request has not given it (`FLUXPLAY_PASSPHRASE`).
    #[response(status = 401)]
    Locked(ApiError),
    /// The body is over `FLUXPLAY_MAX_JSON_BYTES`.
    #[response(status = 413)]
    TooLarge(ApiError),
    /// The body is not `application/json`.
    #[response(status = 415)]
    NotJson(ApiError),
    /// A field is invalid or not the model's: each one named, with the limit.
    #[response(status = 422)]
    Invalid(ApiError),
    /// Over the rate limit, the running cap or the daily budget (`Retry-After`).
    #[response(status = 429)]
    Busy(ApiError),
    /// The provider failed, or answered in a shape it does not document.
    #[response(status = 502)]
    Upstream(ApiError),
    /// The provider is unavailable, or this server is shutting down.
    #[response(status = 503)]
    Unavailable(ApiError),
    /// The provider took longer than the deadline.
    #[response(status = 504)]
    Timeout(ApiError),
}

/// `POST /api/generate`: runs the generation and answers with its result. The
/// work runs in its own task, so a client that disconnects does not cancel it.
#[utoipa::path(
    post, path = "/api/generate", operation_id = "generate", tag = "generate",
    request_body(content = GenerateRequest, description = "A catalog model and its parameters, as in a share link"),
    responses(
        (status = 200, description = "The images, stored on this server", body = GenerateResponse),
        Refusals,
    ),
)]
pub async fn handler(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Result<Json<GenerateRequest>, JsonRejection>,
) -> Result<Json<GenerateResponse>, WithId> {
    let id = uuid::Uuid::new_v4().to_string();
    let ready = prepare(&state, body, &visitor.0, &id).await.map_err(|e| WithId(e, id.clone()))?;
    let base = state.base().to_owned();
    let task = state.inner.drain.clone().spawn(execute(state, ready, Progress::default()));
    match task.await {
        Ok(result) => result.map(|r| Json(base_path::response(&base, r))).map_err(|e| WithId(e, id)),
        Err(e) => Err(WithId(Error::Internal(format!("generation task: {e}")), id)),
    }
}

/// `POST /api/jobs`: validates, starts the generation and answers 202 with the
/// job id to poll at `GET /api/jobs/{id}` (on any replica).
#[utoipa::path(
    post, path = "/api/jobs", operation_id = "start_job", tag = "generate",
    request_body(content = GenerateRequest, description = "A catalog model and its parameters, as in a share link"),
    responses(
        (status = 202, description = "Started: poll `GET /api/jobs/{job}`", body = JobTicket),
        Refusals,
    ),
)]
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
#[utoipa::path(
    get, path = "/api/jobs/{id}", operation_id = "job_status", tag = "generate",
    params(("id" = String, Path, description = "The job id `POST /api/jobs` gave")),
    responses(
        (status = 200, description = "Queued, running, done (with the result) or failed (with the error)", body = JobState),
        (status = 404, description = "No such job (finished jobs are kept for a day)", body = ApiError),
    ),
)]
pub async fn status(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<JobState>, Error> {
    state
        .inner
        .jobs
        .get(&id)
        .await?
        .map(|job| Json(base_path::job(state.base(), job)))
        .ok_or_else(|| Error::NotFound(format!("No job `{id}` (finished jobs are kept for a day)")))
}

/// `DELETE /api/jobs/{id}`: cancels a run that has not ended, and answers with the
/// words it ended with: what may still be charged. The replica running it (any of
/// them) stops within `jobs::CANCEL_CHECK` and cancels upstream where the provider can.
#[utoipa::path(
    delete, path = "/api/jobs/{id}", operation_id = "cancel_job", tag = "generate",
    params(("id" = String, Path, description = "The job id `POST /api/jobs` gave")),
    responses(
        (status = 200, description = "Cancelled: what the provider may still charge", body = ApiError),
        (status = 404, description = "No such job", body = ApiError),
        (status = 409, description = "The run has already ended", body = ApiError),
    ),
)]
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
