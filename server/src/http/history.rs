//! The history's HTTP side: `GET /api/history`, `DELETE /api/history[/{id}]`, and
//! the form posts of the no-JS pages (delete, clear, re-run). Each visitor reaches
//! only their own generations unless the history is shared (`everyone`).

use super::visitor::Visitor;
use crate::error::Error;
use crate::history::{Entry, Page, MAX_PAGE, PAGE};
use crate::state::AppState;
use app::api::GenerateRequest;
use axum::extract::{Path, Query, State};
use axum::http::header::{HOST, LOCATION, ORIGIN};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Only generations made before this (Unix ms): the previous page's `next`.
    pub before: Option<i64>,
    pub limit: Option<i64>,
    /// The page framed under the playground (`/history` only); its value names the
    /// run the frame follows, so each new run gives the frame a new address.
    #[serde(default)]
    #[param(ignore)]
    pub embed: Option<String>,
}

/// A page of `visitor`'s history (all of it when shared), newest first.
pub async fn page(state: &AppState, visitor: &Visitor, query: &PageQuery) -> Result<Page, Error> {
    let limit = match query.limit {
        None => PAGE,
        Some(n @ 1..=MAX_PAGE) => n,
        Some(n) => return Err(Error::BadRequest(format!("limit: {n} is not from 1 to {MAX_PAGE}"))),
    };
    let who = visitor.filter(state.inner.guards.scope);
    let rows = state.inner.db.history(who, query.before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<Entry> =
        rows.into_iter().take(limit as usize).map(|g| Entry::from_generation(g, state.base())).collect();
    let next = if more { items.last().map(|e| e.created) } else { None };
    Ok(Page { items, next })
}

/// `GET /api/history?before=&limit=`.
#[utoipa::path(
    get, path = "/api/history", operation_id = "history", tag = "history",
    params(PageQuery),
    responses(
        (status = 200, description = "This visitor's generations (everyone's when shared), newest first", body = Page),
        (status = 400, description = "A malformed query", body = app::api::ApiError),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Page>, Error> {
    let Query(query) = query.map_err(|e| Error::BadRequest(format!("history query: {}", e.body_text())))?;
    Ok(Json(page(&state, &visitor, &query).await?))
}

/// Deletes one generation or all of them (`id` None), with the images only they held.
pub async fn forget(state: &AppState, visitor: &Visitor, id: Option<&str>) -> Result<u64, Error> {
    let (deleted, orphans) = state.inner.db.forget(id, visitor.filter(state.inner.guards.scope)).await?;
    for name in orphans {
        state.inner.remove_image(&name).await;
    }
    Ok(deleted)
}

/// Deletes one generation of this visitor's; 404 when it is not there (or not theirs).
pub async fn forget_one(state: &AppState, visitor: &Visitor, id: &str) -> Result<(), Error> {
    match forget(state, visitor, Some(id)).await? {
        0 => Err(not_yours(id)),
        _ => Ok(()),
    }
}

fn not_yours(id: &str) -> Error {
    Error::NotFound(format!("No generation `{id}` in your history"))
}

/// `DELETE /api/history/{id}`: 204, or 404 when it is not there (or not this visitor's).
#[utoipa::path(
    delete, path = "/api/history/{id}", operation_id = "delete_generation", tag = "history",
    params(("id" = String, Path, description = "A generation id")),
    responses(
        (status = 204, description = "Deleted, with the images only it held"),
        (status = 404, description = "Not in this visitor's history", body = app::api::ApiError),
    ),
)]
pub async fn delete_one(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    forget_one(&state, &visitor, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/history` answer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Cleared {
    /// How many generations were deleted.
    pub deleted: u64,
}

/// `DELETE /api/history`: the whole history (this visitor's).
#[utoipa::path(
    delete, path = "/api/history", operation_id = "clear_history", tag = "history",
    responses((status = 200, description = "This visitor's whole history deleted", body = Cleared)),
)]
pub async fn clear(State(state): State<AppState>, visitor: Visitor) -> Result<Json<Cleared>, Error> {
    let deleted = forget(&state, &visitor, None).await?;
    Ok(Json(Cleared { deleted }))
}

/// A form post from one of our pages: the browser says it comes from this origin.
/// Cookies are `SameSite=Lax`, but without a passphrase nothing else would stop
/// another site's form from spending or deleting here.
pub fn same_origin(headers: &HeaderMap) -> Result<(), Error> {
    let refuse = || Error::Rejected {
        status: StatusCode::FORBIDDEN,
        message: "This form can only be sent from this site's own pages".into(),
    };
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return Err(refuse());
        }
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let ours = origin.to_str().ok().and_then(|o| o.split_once("://")).is_some_and(|(_, rest)| rest == host);
        if !ours {
            return Err(refuse());
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct Back {
    #[serde(default)]
    embed: Option<String>,
}

impl Back {
    fn to(&self, state: &AppState) -> String {
        state.at(if self.embed.is_some() { "/history?embed=1" } else { "/history" })
    }
}

pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

/// `POST /history/{id}/delete` (a form).
pub async fn delete_form(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Result<Response, Error> {
    same_origin(&headers)?;
    forget(&state, &visitor, Some(&id)).await?;
    Ok(see_other(&back.to(&state)))
}

/// `POST /history/clear` (a form).
pub async fn clear_form(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(back): Form<Back>,
) -> Result<Response, Error> {
    same_origin(&headers)?;
    forget(&state, &visitor, None).await?;
    Ok(see_other(&back.to(&state)))
}

/// `POST /history/{id}/rerun` (a form): the same request again, as a job, through
/// every guard a new one passes; then its page, which follows it to the end.
pub async fn rerun(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    same_origin(&headers)?;
    let scope = state.inner.guards.scope;
    let generation = state.inner.db.generation(&id).await?.filter(|g| visitor.owns(scope, &g.visitor));
    let generation = generation.ok_or_else(|| not_yours(&id))?;
    let params = serde_json::from_str(&generation.params).unwrap_or_default();
    let request = GenerateRequest { model: generation.model, params };
    let new = uuid::Uuid::new_v4().to_string();
    let ready = crate::generate::prepare(&state, Ok(Json(request)), &visitor.0, &new).await?;
    let to = state.at(&format!("/r/{new}"));
    super::generate::spawn_job(state, ready).await;
    Ok(see_other(&to))
}

#[cfg(test)]
mod tests {
    use super::same_origin;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap())).collect()
    }

    #[test]
    fn only_our_own_pages_may_post_forms() {
        assert!(same_origin(&headers(&[("host", "demo.example"), ("origin", "https://demo.example")])).is_ok());
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])).is_ok());
        assert!(same_origin(&headers(&[])).is_ok(), "no browser: nothing to forge");
        for bad in [
            headers(&[("host", "demo.example"), ("origin", "https://evil.example")]),
            headers(&[("host", "demo.example"), ("origin", "https://demo.example.evil.example")]),
            headers(&[("host", "demo.example"), ("origin", "null")]),
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[("sec-fetch-site", "same-site")]),
        ] {
            assert!(same_origin(&bad).is_err(), "{bad:?}");
        }
    }
}
