//! Code snippets of the exact provider request, in six languages. The key is
//! never in them: it is an environment variable or a literal placeholder.
//!
//! For a provider that answers with a task ([`Answer::Task`]) a snippet goes on
//! to the image: it polls every [`POLL_SECS`] for at most [`GIVE_UP_SECS`], stops
//! with the provider's reason on a failed status, and prints the image URLs.
//! One generic implementation per language reads the catalog's [`Task`] data.
//!
//! Every generator embeds strings with the quoting its language needs for
//! *any* input (see shared/reference/playgrounds-and-snippets.md); the harness
//! in `server/tests/snippet_harness.rs` runs them against an echo server.

mod curl;
/// Server-side only: the page fetches its snippets (`/api/snippet`).
#[cfg(any(feature = "ssr", test))]
mod embed;
mod javascript;
mod literal;
mod node;
mod powershell;
mod python;
mod quote;
mod rust;

pub use quote::{posix_quote, powershell_quote};

use crate::catalog::{Answer, Auth, FileInput, Kind, ModelRef};
use crate::request::{self, ApiRequest};
use crate::valid::{upload_name, Valid};
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
    /// Not a request: the HTML that frames this form in a docs page.
    Embed,
}

impl Lang {
    /// The languages of the request.
    pub const ALL: [Lang; 6] = [Lang::Curl, Lang::Python, Lang::JavaScript, Lang::Node, Lang::PowerShell, Lang::Rust];
    /// The snippet panel's tabs: the request's languages, then the embed code.
    pub const TABS: [Lang; 7] =
        [Lang::Curl, Lang::Python, Lang::JavaScript, Lang::Node, Lang::PowerShell, Lang::Rust, Lang::Embed];

    /// The id used in `?lang=` and remembered by the browser.
    pub fn id(self) -> &'static str {
        match self {
            Lang::Curl => "curl",
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::Node => "node",
            Lang::PowerShell => "powershell",
            Lang::Rust => "rust",
            Lang::Embed => "embed",
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
            Lang::Embed => "Embed",
        }
    }

    pub fn from_id(id: &str) -> Option<Lang> {
        Lang::TABS.into_iter().find(|l| l.id() == id)
    }
}

/// What a snippet shows besides the form's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options<'a> {
    pub key: KeyStyle,
    /// The model name the server sends instead of the catalog id, where one is
    /// configured (`OPENAI_IMAGES_MODEL`), so the snippet is the request really made.
    pub model_name: Option<&'a str>,
    /// Spell out every documented default, not only what differs from them.
    pub every: bool,
    /// The snippet calls this server's emulator: with its key variable unset it
    /// uses [`EMULATOR_KEY`] (the emulators take any non-empty key), so it runs as pasted.
    pub emulator: bool,
}

/// The key a snippet aimed at this server's emulator falls back to.
pub const EMULATOR_KEY: &str = "emulator";
/// Seconds between polls (BFL's docs poll every 0.5 s, its skills every 1–2 s).
pub const POLL_SECS: u32 = 1;
/// How long a snippet waits for a task before it gives up.
pub const GIVE_UP_SECS: u32 = 300;

/// How a generator writes the key: the style, and whether an unset variable
/// falls back to [`EMULATOR_KEY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    pub style: KeyStyle,
    pub emulator: bool,
}

impl From<KeyStyle> for Key {
    fn from(style: KeyStyle) -> Self {
        Key { style, emulator: false }
    }
}

/// The snippet for a valid request, calling `base_url` (the provider's, or an emulator's).
///
/// For [`Lang::Embed`], `base_url` is the playground's address (origin and base path).
pub fn render(lang: Lang, valid: &Valid, base_url: &str, options: Options) -> String {
    let model = valid.model;
    let req = || {
        let mut req = display_request(model, &valid.values(options.every), base_url);
        req.name_model(model, options.model_name);
        req
    };
    let key = Key { style: options.key, emulator: options.emulator };
    match lang {
        Lang::Curl => curl::curl(&req(), key),
        Lang::Python => python::python(&req(), key),
        Lang::JavaScript => javascript::javascript(&req(), key),
        Lang::Node => node::node(&req(), key),
        Lang::PowerShell => powershell::powershell(&req(), key),
        Lang::Rust => rust::rust(&req(), key),
        #[cfg(any(feature = "ssr", test))]
        Lang::Embed => embed::embed(valid, base_url),
        // The page's wasm asks the server for every snippet; it never renders one.
        #[cfg(not(any(feature = "ssr", test)))]
        Lang::Embed => String::new(),
    }
}

/// The request a snippet shows (to the submit URL, e.g. fal's queue). An uploaded
/// file exists only on this server, so its reference becomes a placeholder in the
/// provider's own way of taking a file there.
pub fn display_request(model: ModelRef, params: &Map<String, Value>, base_url: &str) -> ApiRequest {
    let mut shown = params.clone();
    for field in model.model.fields {
        let Kind::Image(image) = &field.kind else { continue };
        let placeholder = || Value::String(file_placeholder(image.file).to_owned());
        match shown.get_mut(field.key) {
            Some(Value::Array(items)) => {
                for item in items.iter_mut().filter(|i| i.as_str().and_then(upload_name).is_some()) {
                    *item = placeholder();
                }
            }
            Some(item) if item.as_str().and_then(upload_name).is_some() => *item = placeholder(),
            _ => {}
        }
    }
    request::build(model, &shown, &model.provider.submit_base(base_url))
}

/// What stands for a file in a snippet, in the provider's own way of taking one.
pub fn file_placeholder(file: FileInput) -> &'static str {
    match file {
        FileInput::Url => "<https URL of your image>",
        FileInput::UrlOrDataUri => "<https URL of your image, or data:image/png;base64,...>",
        FileInput::Base64 => "<your image file as base64, without a data: prefix>",
        FileInput::UrlOrBase64 => "<https URL of your image, or the file as base64 without a data: prefix>",
        FileInput::AssetPath => "<path of your image from the Asset API: POST /api/assets, form field asset>",
    }
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

/// The provider's task protocol, for a request whose answer is a task.
pub(crate) fn task(req: &ApiRequest) -> Option<&'static crate::catalog::Task> {
    match req.answer {
        Answer::Task(task) => Some(task),
        _ => None,
    }
}

/// The comment that opens a polling snippet.
pub(crate) fn task_summary() -> String {
    format!("Submit, then poll every {POLL_SECS} s for up to {GIVE_UP_SECS} s; prints the image URL(s).")
}

/// What a polling snippet says when the key variable is unset (provider target).
pub(crate) fn missing_key(req: &ApiRequest) -> String {
    format!("Set {} to your API key.", req.key_env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{find, models, ImageUrls, Spelling, PROVIDERS};
    use serde_json::json;

    fn snippet(slug: &str, lang: Lang, options: Options, base: Option<&str>) -> String {
        let m = find(slug).unwrap();
        let valid = crate::validate::validate(m, json!({"prompt": "p"}).as_object().unwrap()).unwrap();
        render(lang, &valid, base.unwrap_or(m.provider.base_url), options)
    }

    const ASYNC: [&str; 3] = ["bfl/flux-dev", "fal/fal-ai/flux/dev", "replicate/black-forest-labs/flux-dev"];

    #[test]
    fn task_members_are_plain_names_every_language_can_write_after_a_dot() {
        let plain = |k: &str| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        for p in PROVIDERS {
            let Answer::Task(task) = p.answer else { continue };
            let images = match task.images {
                ImageUrls::One(path) | ImageUrls::OneOrList(path) => path.to_vec(),
                ImageUrls::Objects(path, member) => [path, &[member]].concat(),
            };
            let members = [task.poll_url, task.reason, task.result_url.unwrap_or_default(), &[task.status], &images];
            for k in members.concat() {
                assert!(plain(k), "{}: {k}", p.id);
            }
            assert!(!task.done.is_empty(), "{}", p.id);
        }
    }

    #[test]
    fn every_asynchronous_snippet_polls_to_the_image_in_every_language() {
        for slug in ASYNC {
            let m = find(slug).unwrap();
            let Answer::Task(task) = m.provider.answer else { panic!("{slug} is asynchronous") };
            for lang in Lang::ALL {
                let s = snippet(slug, lang, Options::default(), None);
                assert!(s.contains(&task_summary()), "{slug} {lang:?}:\n{s}");
                assert!(s.contains(task.poll_url.last().unwrap()), "{slug} {lang:?}:\n{s}");
                for status in task.done.iter().chain(task.failed) {
                    assert!(s.contains(status), "{slug} {lang:?}: {status}\n{s}");
                }
                assert!(s.contains(&GIVE_UP_SECS.to_string()), "{slug} {lang:?}");
                assert!(
                    s.contains(&missing_key(&display_request(m, &Map::new(), m.provider.base_url))),
                    "{slug} {lang:?}"
                );
                assert!(!s.contains(EMULATOR_KEY), "{slug} {lang:?}: only the emulator variant falls back");
                for (name, value) in task.submit_headers {
                    assert!(s.contains(name) && s.contains(value), "{slug} {lang:?}: {name}");
                }
            }
        }
    }

    #[test]
    fn only_the_emulator_variant_falls_back_to_a_stand_in_key() {
        let emulator = Options { emulator: true, ..Options::default() };
        for slug in ASYNC.into_iter().chain(["aimlapi/flux/dev", "segmind/flux-dev", "1min/black-forest-labs/flux-dev"])
        {
            for lang in Lang::ALL {
                let s = snippet(slug, lang, emulator, Some("http://127.0.0.1:3000/emulate/x"));
                assert!(s.contains(EMULATOR_KEY), "{slug} {lang:?}:\n{s}");
                let provider = snippet(slug, lang, Options::default(), None);
                assert!(!provider.contains(EMULATOR_KEY), "{slug} {lang:?}");
            }
        }
        let curl = snippet("aimlapi/flux/dev", Lang::Curl, emulator, Some("http://h/emulate/aimlapi"));
        assert!(curl.contains("-H \"Authorization: Bearer ${AIMLAPI_KEY:-emulator}\""), "{curl}");
    }

    #[test]
    fn fal_submits_to_its_queue() {
        let s = snippet("fal/fal-ai/flux/dev", Lang::Curl, Options::default(), None);
        assert!(s.contains("'https://queue.fal.run/fal-ai/flux/dev'"), "{s}");
        let s = snippet("fal/fal-ai/flux/dev", Lang::Python, Options::default(), Some("http://h/emulate/fal"));
        assert!(s.contains("\"http://h/emulate/fal/queue/fal-ai/flux/dev\""), "{s}");
        assert!(s.contains("answer = call(\"GET\", result_url, headers=auth)"), "{s}");
    }

    #[test]
    fn an_upload_shows_as_the_providers_own_way_to_pass_a_file() {
        let upload = format!("/uploads/{}.png", "ab".repeat(32));
        let expect = [
            ("aimlapi/blackforestlabs", "<https URL of your image, or data:image/png;base64,...>"),
            ("aimlapi", "<https URL of your image>"),
            ("bfl/flux-dev", "<your image file as base64, without a data: prefix>"),
            ("bfl", "<https URL of your image, or the file as base64 without a data: prefix>"),
            ("replicate", "<https URL of your image, or data:image/png;base64,...>"),
            ("fal", "<https URL of your image, or data:image/png;base64,...>"),
            ("1min", "<path of your image from the Asset API: POST /api/assets, form field asset>"),
            ("segmind", "<https URL of your image>"),
        ];
        let mut seen = 0;
        for m in models() {
            for field in m.model.fields {
                let Kind::Image(image) = &field.kind else { continue };
                // A list holds two: the second upload lands in the second place, the provider's way.
                let value = match image.list {
                    Some(_) => json!([upload, upload]),
                    None => json!(upload),
                };
                let params = json!({"prompt": "p", field.key: value});
                let req = display_request(m, params.as_object().unwrap(), m.provider.base_url);
                let body = req.body.as_object().unwrap();
                let find = |key: &str| body.get(key).or_else(|| body.values().find_map(|v| v.get(key))).cloned();
                let shown: Vec<Value> = match image.list.map(|l| l.spelling) {
                    Some(Spelling::Numbered) => vec![find(field.key), find(&format!("{}_2", field.key))],
                    Some(Spelling::Array) => find(field.key)
                        .and_then(|v| v.as_array().cloned())
                        .unwrap_or_default()
                        .into_iter()
                        .map(Some)
                        .collect(),
                    None => vec![find(field.key)],
                }
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect();
                let slug = m.slug();
                let hint = expect.iter().find(|(p, _)| slug.starts_with(p)).unwrap_or_else(|| panic!("{slug}")).1;
                assert_eq!(shown.len(), if image.list.is_some() { 2 } else { 1 }, "{slug}");
                assert!(shown.iter().all(|v| v.as_str() == Some(hint)), "{slug} {}: {shown:?}", field.key);
                seen += 1;
            }
        }
        assert!(seen >= 4);
    }
}
