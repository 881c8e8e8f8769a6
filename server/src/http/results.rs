//! `GET /api/results/{id}`: a run's result panel as HTML (`result_view`), for the
//! page after a run and for the page the server renders with `?result={id}`.

use super::visitor::Visitor;
use crate::error::Error;
use crate::result_view;
use crate::state::AppState;
use app::api::JobState;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

/// What the panel shows for a run, and the run's id while it is still going.
pub struct Shown {
    pub html: String,
    pub running: Option<String>,
}

/// The run's panel: from the history once it is recorded, from its job before.
/// The link to the visitor's previous run (for compare) is only offered to its owner.
pub async fn shown(state: &AppState, visitor: &Visitor, id: &str) -> Result<Option<Shown>, Error> {
    if let Some(g) = state.inner.db.generation(id).await? {
        let previous = if visitor.owns(state.inner.guards.scope, &g.visitor) {
            state.inner.db.history(Some(&g.visitor), Some(g.created), 1).await?.into_iter().next().map(|p| p.id)
        } else {
            None
        };
        return Ok(Some(Shown { html: result_view::recorded(state.base(), &g, previous.as_deref()), running: None }));
    }
    Ok(state.inner.jobs.get(id).await?.map(|job| match job {
        JobState::Failed { error } => Shown { html: result_view::failed(state.base(), &error, id), running: None },
        // Done but not recorded (the history could not be written): the images, without the extras.
        JobState::Done { result } => {
            let g = crate::db::history::Generation {
                id: id.to_owned(),
                model: result.model.clone(),
                ok: true,
                outcome: serde_json::to_string(&result).unwrap_or_default(),
                params: "{}".into(),
                ..Default::default()
            };
            Shown { html: result_view::recorded(state.base(), &g, None), running: None }
        }
        pending => Shown { html: result_view::pending(&pending), running: Some(id.to_owned()) },
    }))
}

/// `GET /api/results/{id}`: the result panel's HTML for run `id`, as the page shows it.
#[utoipa::path(
    get, path = "/api/results/{id}", operation_id = "result_panel", tag = "generate",
    params(("id" = String, Path, description = "A job or generation id")),
    responses(
        (status = 200, description = "The panel: images, downloads, seeds, permalink", body = String, content_type = "text/html"),
        (status = 404, description = "No such run", body = app::api::ApiError),
    ),
)]
pub async fn handler(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    match shown(&state, &visitor, &id).await? {
        Some(s) => Ok(([(CONTENT_TYPE, "text/html; charset=utf-8")], s.html).into_response()),
        // The id is not echoed: this path answers HTML when it finds one.
        None => Err(Error::NotFound("No such run: it was deleted, or it expired".into())),
    }
}
