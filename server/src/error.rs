//! The one error type of our API. Bodies are `app::api::ApiError`; internals
//! (upstream bodies, IO errors) are logged, never returned.

use app::api::ApiError;
use app::validate::FieldError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    /// The body is not the JSON we take: 400 syntax, 415 content type, 422 shape.
    #[error("{message}")]
    Rejected { status: StatusCode, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("invalid parameters")]
    Invalid(Vec<FieldError>),
    #[error("{message}")]
    Provider { status: StatusCode, message: String },
    #[error("internal: {0}")]
    Internal(String),
}

/// An error answered together with the request id the logs carry.
#[derive(Debug)]
pub struct WithId(pub Error, pub String);

impl Error {
    fn status_and_body(&self) -> (StatusCode, ApiError) {
        match self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, ApiError::new(m.clone())),
            Self::NotFound(m) => (StatusCode::NOT_FOUND, ApiError::new(m.clone())),
            Self::Rejected { status, message } => (*status, ApiError::new(message.clone())),
            Self::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiError { fields: fields.clone(), ..ApiError::new("Some parameters are not valid for this model") },
            ),
            Self::Provider { status, message } => (*status, ApiError::new(message.clone())),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ApiError::new("Something went wrong on the fluxplay server; the log has the details"),
            ),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        WithId(self, String::new()).into_response()
    }
}

impl IntoResponse for WithId {
    fn into_response(self) -> Response {
        let WithId(error, id) = self;
        let (status, mut body) = error.status_and_body();
        if status.is_server_error() {
            tracing::error!(request_id = %id, "{error}");
        } else {
            tracing::info!(request_id = %id, "{error}");
        }
        body.request_id = (!id.is_empty()).then_some(id);
        (status, Json(body)).into_response()
    }
}
