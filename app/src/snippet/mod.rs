//! Code snippets of the exact provider request. The key is never in them: it is
//! an environment variable or a literal placeholder.

mod curl;
mod quote;

pub use curl::curl;
pub use quote::posix_quote;

use crate::catalog::{Auth, Kind, ModelRef};
use crate::request::{self, ApiRequest};
use crate::validate::upload_name;
use serde_json::{Map, Value};

/// How the key appears in a snippet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyStyle {
    /// Read from the environment variable the provider's docs use.
    #[default]
    Env,
    /// A literal placeholder like `<YOUR_AIMLAPI_KEY>`, as the providers' docs show.
    Placeholder,
}

/// The request a snippet shows. An uploaded file exists only on this server, so
/// its reference becomes a placeholder saying what the provider expects there.
pub fn display_request(model: ModelRef, params: &Map<String, Value>, base_url: &str) -> ApiRequest {
    let mut shown = params.clone();
    for field in model.model.fields {
        let Kind::Image(image) = &field.kind else { continue };
        if shown.get(field.key).and_then(Value::as_str).and_then(upload_name).is_some() {
            let hint = if image.accepts_url {
                "<https URL of your image, or data:image/png;base64,...>"
            } else {
                "<path of your image from the Asset API upload>"
            };
            shown.insert(field.key.to_owned(), Value::String(hint.to_owned()));
        }
    }
    request::build(model, &shown, base_url)
}

/// The auth header for `req`, with `key` standing in for the key itself.
pub(crate) fn auth_header(req: &ApiRequest, key: &str) -> (&'static str, String) {
    match req.auth {
        Auth::Bearer => ("Authorization", format!("Bearer {key}")),
        Auth::Header(name) => (name, key.to_owned()),
    }
}

pub(crate) fn placeholder(req: &ApiRequest) -> String {
    format!("<YOUR_{}>", req.key_env)
}
