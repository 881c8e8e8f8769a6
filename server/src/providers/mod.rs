//! One adapter per provider: send the catalog-built request with the key, and
//! read the provider's answer into a common shape.

pub mod aimlapi;

use crate::error::Error;
use axum::http::StatusCode;
use serde_json::Value;

/// An image as the provider hands it over.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageRef {
    Url(String),
    Base64(String),
}

/// A provider's successful answer, normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Generated {
    pub images: Vec<ImageRef>,
    pub seed: Option<u64>,
    pub nsfw: Vec<bool>,
    pub timings: Option<Value>,
    pub usage: Option<Value>,
}

/// Turns a transport failure into a message that names no URL and no key.
pub fn transport_error(provider: &str, e: reqwest::Error) -> Error {
    let (status, what) = if e.is_timeout() {
        (StatusCode::GATEWAY_TIMEOUT, "did not answer in time")
    } else if e.is_connect() {
        (StatusCode::BAD_GATEWAY, "could not be reached")
    } else {
        (StatusCode::BAD_GATEWAY, "broke off the connection")
    };
    tracing::warn!(provider, error = %e.without_url(), "upstream transport error");
    Error::Provider {
        status,
        message: format!("{provider} {what}. Try again; if it persists, check the server's network."),
    }
}
