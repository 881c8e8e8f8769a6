//! Code snippets of the exact provider request. The key is never in them: it is
//! an environment variable or a literal placeholder.

mod curl;
mod quote;

pub use curl::curl;
pub use quote::posix_quote;

use crate::catalog::Auth;
use crate::request::ApiRequest;

/// How the key appears in a snippet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyStyle {
    /// Read from the environment variable the provider's docs use.
    #[default]
    Env,
    /// A literal placeholder like `<YOUR_AIMLAPI_KEY>`, as the providers' docs show.
    Placeholder,
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
