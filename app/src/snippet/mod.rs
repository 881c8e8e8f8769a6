//! Code snippets of the exact provider request, in six languages. The key is
//! never in them: it is an environment variable or a literal placeholder.
//!
//! Every generator embeds strings with the quoting its language needs for
//! *any* input (see shared/reference/playgrounds-and-snippets.md); the harness
//! in `server/tests/snippet_harness.rs` runs them against an echo server.

mod curl;
mod javascript;
mod literal;
mod node;
mod powershell;
mod python;
mod quote;
mod rust;

pub use quote::{posix_quote, powershell_quote};

use crate::catalog::{Auth, Kind, ModelRef};
use crate::form::effective;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Curl,
    Python,
    JavaScript,
    Node,
    PowerShell,
    Rust,
}

impl Lang {
    pub const ALL: [Lang; 6] = [Lang::Curl, Lang::Python, Lang::JavaScript, Lang::Node, Lang::PowerShell, Lang::Rust];

    /// The id used in `?lang=` and remembered by the browser.
    pub fn id(self) -> &'static str {
        match self {
            Lang::Curl => "curl",
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::Node => "node",
            Lang::PowerShell => "powershell",
            Lang::Rust => "rust",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Lang::Curl => "cURL",
            Lang::Python => "Python",
            Lang::JavaScript => "JavaScript",
            Lang::Node => "Node",
            Lang::PowerShell => "PowerShell",
            Lang::Rust => "Rust",
        }
    }

    pub fn from_id(id: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.id() == id)
    }
}

/// What a snippet shows besides the form's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub key: KeyStyle,
    /// Spell out every documented default, not only what differs from them.
    pub every: bool,
}

/// The snippet for the form's params, calling `base_url` (the provider's, or an emulator's).
pub fn render(lang: Lang, model: ModelRef, params: &Map<String, Value>, base_url: &str, options: Options) -> String {
    let req = display_request(model, &effective(model, params, options.every), base_url);
    let key = options.key;
    match lang {
        Lang::Curl => curl::curl(&req, key),
        Lang::Python => python::python(&req, key),
        Lang::JavaScript => javascript::javascript(&req, key),
        Lang::Node => node::node(&req, key),
        Lang::PowerShell => powershell::powershell(&req, key),
        Lang::Rust => rust::rust(&req, key),
    }
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

/// The auth header name, and its value with `key` standing in for the key.
pub(crate) fn auth_header(req: &ApiRequest, key: &str) -> (&'static str, String) {
    match req.auth {
        Auth::Bearer => ("Authorization", format!("Bearer {key}")),
        Auth::Key => ("Authorization", format!("Key {key}")),
        Auth::Header(name) => (name, key.to_owned()),
    }
}

pub(crate) fn placeholder(req: &ApiRequest) -> String {
    format!("<YOUR_{}>", req.key_env)
}
