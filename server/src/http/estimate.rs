//! `GET /api/estimate?<share-link query>`: what the request would cost by its model's
//! published price, as one sentence (text/plain) for the page to show before Generate.
//! Uploads count at their real size; a URL not fetched yet at the largest accepted.
//! For a live provider, what is left of a public demo's daily budget follows.

use crate::error::Error;
use crate::guards::budget::{known, upload_sizes};
use app::share;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

#[utoipa::path(
    get, path = "/api/estimate", operation_id = "estimate", tag = "snippets",
    params(("model" = String, Query, description = "A catalog slug; the model's fields follow as in a share link (`prompt=…&seed=…`)")),
    responses(
        (status = 200, description = "The cost by the model's published price, in one sentence", body = String, content_type = "text/plain"),
        (status = 422, description = "The form is invalid: each field named", body = app::api::ApiError),
    ),
)]
pub async fn handler(State(state): State<crate::AppState>, RawQuery(query): RawQuery) -> Result<Response, Error> {
    let valid = share::strict(&query.unwrap_or_default()).map_err(Error::Invalid)?;
    state.offered(valid.model)?;
    let sizes = upload_sizes(&state.inner.uploads, &valid).await;
    let mut text = app::cost::sentence(&valid, &known(&sizes));
    // The budget counts live runs only.
    if !state.upstream(valid.model.provider.id).emulated {
        if let Some(left) = state.inner.guards.budget.left_today().await {
            text = format!("{text} {left}");
        }
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}
