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
    /// A valid field whose content turned out unusable (a reference URL that cannot be fetched).
    #[error("{}", .0.message)]
    Unusable(FieldError),
    #[error("{message}")]
    Provider { status: StatusCode, message: String },
    /// A provider's "not now" passed on (its 429 or 503), with its `Retry-After` in seconds.
    #[error("{message}")]
    Upstream { status: StatusCode, message: String, retry_after: Option<u64> },
    /// The demo's passphrase is missing or wrong.
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    TooLarge(String),
    /// A guard refused for now: rate limit, concurrency cap or daily budget.
    #[error("{message}")]
    Busy { message: String, retry_after: u64 },
    /// The run was cancelled on request; the words say what may still be charged.
    #[error("{0}")]
    Cancelled(String),
    #[error("internal: {0}")]
    Internal(String),
}

/// An error answered together with the request id the logs carry.
#[derive(Debug)]
pub struct WithId(pub Error, pub String);

impl Error {
    /// The status and body this error is answered with, `request_id` included
    /// (none when empty). Built once: the HTTP answer and a failed job's state
    /// both carry this, so they cannot drift apart.
    pub fn to_api(&self, request_id: &str) -> (StatusCode, ApiError) {
        let (status, mut body) = self.status_and_body();
        body.request_id = (!request_id.is_empty()).then(|| request_id.to_owned());
        (status, body)
    }

    /// Logs the error under `request_id`: those answered with a server error
    /// `status` as errors, the rest as info.
    pub fn log(&self, request_id: &str, status: StatusCode) {
        if status.is_server_error() {
            tracing::error!(request_id = %request_id, "{self}");
        } else {
            tracing::info!(request_id = %request_id, "{self}");
        }
    }

    fn status_and_body(&self) -> (StatusCode, ApiError) {
        match self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, ApiError::new(m.clone())),
            Self::NotFound(m) => (StatusCode::NOT_FOUND, ApiError::new(m.clone())),
            Self::Rejected { status, message } => (*status, ApiError::new(message.clone())),
            Self::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiError { fields: fields.clone(), ..ApiError::new("Some parameters are not valid for this model") },
            ),
            Self::Provider { status, message } | Self::Upstream { status, message, .. } => {
                (*status, ApiError::new(message.clone()))
            }
            Self::Unusable(field) => (
                StatusCode::BAD_REQUEST,
                ApiError { fields: vec![field.clone()], ..ApiError::new(field.message.clone()) },
            ),
            Self::Unauthorized(m) => (StatusCode::UNAUTHORIZED, ApiError::new(m.clone())),
            Self::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, ApiError::new(m.clone())),
            Self::Busy { message, .. } => (StatusCode::TOO_MANY_REQUESTS, ApiError::new(message.clone())),
            Self::Cancelled(m) => (StatusCode::CONFLICT, ApiError::new(m.clone())),
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
        let (status, body) = error.to_api(&id);
        error.log(&id, status);
        let mut response = (status, Json(body)).into_response();
        if let Error::Busy { retry_after, .. } | Error::Upstream { retry_after: Some(retry_after), .. } = error {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after.into());
        }
        response
    }
}

/// A handler that panicked: 500 in our JSON shape (the panic is logged, never sent),
/// and the process lives on.
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    Error::Internal(format!("handler panicked: {what}")).into_response()
}
