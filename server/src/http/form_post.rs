//! `POST /`: the playground's form as a browser posts it without script (or before
//! the page hydrated). The same validation as the API, then the same path: a job
//! through every guard, and the browser sent (303) to the page that follows it,
//! `/?{the form, seed included}&result={id}`. A form that does not validate, or a
//! refusal, is answered with the page itself: the form as typed, the reasons by
//! their fields and in the result panel, and the status (4xx) that says why.

use super::headers::render;
use super::history::{same_origin, see_other};
use super::results::Shown;
use super::visitor::Visitor;
use crate::error::Error;
use crate::result_view;
use crate::state::AppState;
use app::api::{ApiError, GenerateRequest};
use app::catalog::{self, ModelRef};
use app::form::{carry_over, from_posted, to_params};
use app::share::{encode, to_query};
use app::validate::{validate, FieldError};
use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::Response;
use axum::Json;

/// Parts a posted form may have: every field of the largest model, with room to spare.
pub const MAX_PARTS: usize = 128;

fn unreadable(e: MultipartError) -> Error {
    Error::Rejected { status: e.status(), message: format!("The form could not be read: {}", e.body_text()) }
}

pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, Error> {
    same_origin(&headers)?;
    let mut multipart = multipart.map_err(|e| Error::Rejected { status: e.status(), message: e.body_text() })?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut refused: Vec<FieldError> = Vec::new();
    while let Some(part) = multipart.next_field().await.map_err(unreadable)? {
        if pairs.len() + refused.len() >= MAX_PARTS {
            return Err(Error::BadRequest(format!("The form has more than {MAX_PARTS} parts")));
        }
        let name = part.name().unwrap_or_default().to_owned();
        let Some(key) = name.strip_suffix(".file").map(str::to_owned) else {
            let text = part.text().await.map_err(unreadable)?;
            pairs.push((name, text));
            continue;
        };
        let bytes = part.bytes().await.map_err(unreadable)?;
        // No file chosen: browsers still send the part, empty.
        if bytes.is_empty() {
            continue;
        }
        match super::uploads::store(&state, bytes).await {
            Ok(upload) => pairs.push((name, upload.reference)),
            Err(e) => refused.push(FieldError { field: key, message: e.to_api("").1.message }),
        }
    }
    let get = |name: &str| pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let slug = get("model").unwrap_or_default();
    let model = state
        .limits()
        .site
        .curation
        .find(slug)
        .ok_or_else(|| Error::BadRequest(format!("`{slug}` is not a model in the catalog")))?;
    // The model was switched without script: that model's form, with what fits of this one.
    if let Some(shown) = get("form_model").filter(|m| *m != slug).and_then(catalog::find) {
        let carried = carry_over(&from_posted(shown, &pairs), model);
        return Ok(see_other(&state.at(&format!("/?{}", to_query(model, &carried)))));
    }
    let mut raw = from_posted(model, &pairs);
    let page = |status: StatusCode, error: ApiError, raw: &app::form::RawForm| {
        let shown = Shown {
            html: result_view::failed(state.base(), &error, error.request_id.as_deref().unwrap_or("")),
            running: None,
        };
        let req = Request::builder().uri("/").body(Body::empty()).unwrap_or_default();
        render(&state, req, Some(shown), Some(to_query(model, raw)), status, false)
    };
    if !refused.is_empty() {
        let error =
            ApiError { message: "A reference image could not be used".into(), fields: refused, request_id: None };
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, error, &raw).await);
    }
    let params = to_params(model, &raw);
    if let Err(fields) = validate(model, &params) {
        let error = ApiError { message: "Fix the highlighted fields to generate".into(), fields, request_id: None };
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, error, &raw).await);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let request = GenerateRequest { model: model.slug(), params };
    match crate::generate::prepare(&state, Ok(Json(request)), &visitor.0, &id).await {
        Ok(ready) => {
            set_seed(model, &mut raw, ready.seed());
            super::generate::spawn_job(state.clone(), ready).await;
            Ok(see_other(&state.at(&format!("/?{}&result={}", to_query(model, &raw), encode(&id)))))
        }
        Err(e) => {
            let (status, error) = e.to_api(&id);
            e.log(&id, status);
            Ok(page(status, error, &raw).await)
        }
    }
}

/// The seed a run sends, in its form: the page after it restores the same image.
fn set_seed(model: ModelRef, raw: &mut app::form::RawForm, seed: Option<u64>) {
    if let (Some(field), Some(seed)) = (model.with_role(app::catalog::Role::Seed), seed) {
        raw.set(field.key, seed.to_string());
    }
}
