//! `GET /api/snippet?lang=<lang>&<share-link query>`: the exact text the page
//! shows, for docs pages and scripts. Options: `key=env|placeholder`,
//! `every=1` (spell out defaults), `target=provider|emulator`, and for the emulator
//! and `lang=embed` (the HTML that frames the form in a docs page)
//! `origin=<scheme://host[:port]>`, the page's own origin (else this request's host, over https behind a trusted proxy that says so).
//! The page itself fetches its snippets here, so the generators are not in the wasm.

use crate::error::Error;
use app::share;
use app::snippet::{render, KeyStyle, Lang, Options};
use app::validate::FieldError;
use axum::extract::RawQuery;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

#[utoipa::path(
    get, path = "/api/snippet", operation_id = "snippet", tag = "snippets",
    params(
        ("model" = String, Query, description = "A catalog slug; the model's fields follow as in a share link (`prompt=…&seed=…`)"),
        ("lang" = Option<String>, Query, description = "curl (default), python, javascript, node, powershell, rust, or embed (the HTML that frames the form)"),
        ("key" = Option<String>, Query, description = "env (default: read from the environment) or placeholder"),
        ("every" = Option<String>, Query, description = "1: spell out every parameter, defaults too"),
        ("target" = Option<String>, Query, description = "provider (default) or emulator (this server's)"),
        ("origin" = Option<String>, Query, description = "scheme://host[:port] this server is reached at, for the emulator's and the embed's addresses"),
    ),
    responses(
        (status = 200, description = "The snippet, exactly as the page shows it; never with a key", body = String, content_type = "text/plain"),
        (status = 422, description = "The form or an option is invalid: each one named", body = app::api::ApiError),
    ),
)]
pub async fn handler(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Error> {
    let query = query.unwrap_or_default();
    let parsed = share::parse_query(&query);
    if !parsed.problems.is_empty() {
        return Err(Error::Invalid(parsed.problems));
    }
    let option = |key: &str| parsed.get(key);
    let invalid = |field: &str, message: String| Error::Invalid(vec![FieldError { field: field.to_owned(), message }]);

    let lang = match option("lang") {
        None => Lang::Curl,
        Some(id) => Lang::from_id(id).ok_or_else(|| {
            let ids: Vec<_> = Lang::TABS.iter().map(|l| l.id()).collect();
            invalid("lang", format!("`{id}` is not a language; use one of {}", ids.join(", ")))
        })?,
    };
    let key = match option("key") {
        None | Some("env") => KeyStyle::Env,
        Some("placeholder") => KeyStyle::Placeholder,
        Some(other) => return Err(invalid("key", format!("`{other}` is not a key style; use env or placeholder"))),
    };
    let every = match option("every") {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(other) => return Err(invalid("every", format!("`{other}` is not 1 or 0"))),
    };
    let valid = share::strict(&query).map_err(Error::Invalid)?;
    state.offered(valid.model)?;
    let model = valid.model;
    // Where a browser reached us: for the emulator's address and the embed code's.
    let origin = match option("origin") {
        Some(origin) => checked_origin(origin)
            .ok_or_else(|| invalid("origin", format!("`{origin}` is not an origin; use scheme://host[:port]")))?,
        None => super::pages::origin(&state, &headers),
    };
    let (base, emulator) = match option("target") {
        _ if lang == Lang::Embed => (format!("{origin}{}", state.base()), false),
        None | Some("provider") => (model.provider.base_url.to_owned(), false),
        Some("emulator") => (format!("{origin}{}/emulate/{}", state.base(), model.provider.id), true),
        Some(other) => return Err(invalid("target", format!("`{other}` is not a target; use provider or emulator"))),
    };
    let model_name = state.upstream(model.provider.id).model_name.as_deref();
    let text = render(lang, &valid, &base, Options { key, every, emulator, model_name });
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// `origin` when it is only an http(s) scheme, a host and a port: nothing that could
/// add a path, a query or a second line to a snippet.
fn checked_origin(origin: &str) -> Option<String> {
    let url = reqwest::Url::parse(origin).ok()?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    let serialized = url.origin().ascii_serialization();
    (plain && origin.trim_end_matches('/') == serialized).then_some(serialized)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_plain_origin_is_taken() {
        assert_eq!(super::checked_origin("https://docs.example.com").as_deref(), Some("https://docs.example.com"));
        assert_eq!(super::checked_origin("http://127.0.0.1:3000").as_deref(), Some("http://127.0.0.1:3000"));
        for bad in [
            "https://docs.example.com/x",
            "https://a.example?x=1",
            "javascript:alert(1)",
            "https://u:p@a.example",
            "https://a.example\n#",
            "file:///etc",
            "",
        ] {
            assert_eq!(super::checked_origin(bad), None, "{bad}");
        }
    }
}
