//! Share links: the model and every non-default field in the URL query, e.g.
//! `/?model=aimlapi/flux/dev&prompt=a%20red%20fox&num_images=2&image_size=1024x768`.
//! Keys are the provider's parameter names; values are the form's text.
//! Restoring is lenient for the page (bad values become notices and defaults)
//! and strict for `/api/snippet` (bad values are field errors).

use crate::catalog::{self, ModelRef};
use crate::defaults::default_value;
use crate::form::{to_params, RawForm};
use crate::valid::Valid;
use crate::validate::{errors, validate, FieldError};

/// The query string (without `?`) for `model` and the fields of `raw` that
/// differ from the documented defaults, in catalog order.
pub fn to_query(model: ModelRef, raw: &RawForm) -> String {
    let params = to_params(model, raw);
    let mut pairs = vec![format!("model={}", encode(&model.slug()))];
    for field in model.model.fields {
        let (Some(text), Some(value)) = (raw.get(field.key), params.get(field.key)) else { continue };
        if default_value(&field.kind)
            .is_some_and(|d| d == *value || d.as_f64().is_some_and(|x| value.as_f64() == Some(x)))
        {
            continue;
        }
        pairs.push(format!("{}={}", field.key, encode(text)));
    }
    pairs.join("&")
}

/// The form a link describes, with a notice for everything that could not be used.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    pub model: ModelRef,
    pub raw: RawForm,
    pub notices: Vec<String>,
}

pub fn restore(query: &str) -> Restored {
    let mut restored = typed(query);
    let (model, raw) = (restored.model, &mut restored.raw);
    for error in errors(model, &to_params(model, raw)) {
        if raw.get(&error.field).is_some() {
            restored.notices.push(format!("The link's {} was not used: {}.", error.field, error.message));
            raw.clear(&error.field);
        }
    }
    restored
}

/// `restore` on a server that offers only some models (`offers`): a link without a model,
/// or to one not offered, opens `default` (with a notice for the latter), carrying what fits.
pub fn restore_offered(query: &str, offers: impl Fn(ModelRef) -> bool, default: ModelRef) -> Restored {
    let restored = restore(query);
    let linked = parse_query(query).get("model").is_some();
    if linked && offers(restored.model) {
        return restored;
    }
    let mut notices = restored.notices;
    if linked {
        notices.push(format!("`{}` is not offered here; showing the default model.", restored.model.slug()));
    }
    Restored { model: default, raw: crate::form::carry_over(&restored.raw, default), notices }
}

/// The form a query describes with its invalid values kept, to show by their fields:
/// a form the server rendered from a post (`BackendStatus::form`), not a link.
pub fn typed(query: &str) -> Restored {
    let Query { pairs, problems } = parse_query(query);
    let mut notices: Vec<String> =
        problems.iter().map(|p| format!("The link's `{}` was not used: {}.", p.field, p.message)).collect();
    let model = match pairs.iter().find(|(k, _)| k == "model") {
        Some((_, slug)) => catalog::find(slug).unwrap_or_else(|| {
            notices.push(format!("The link names an unknown model `{slug}`; showing the default model."));
            catalog::default_model()
        }),
        None => catalog::default_model(),
    };
    let mut raw = RawForm::default();
    for (key, text) in pairs.iter().filter(|(k, _)| k != "model") {
        if model.field(key).is_some() {
            raw.set(key, text.clone());
        } else if !OPTION_KEYS.contains(&key.as_str()) {
            notices.push(format!("`{key}` is not a parameter of {}; it was ignored.", model.model.id));
        }
    }
    Restored { model, raw, notices }
}

/// Query keys that are not form fields: snippet options (`/api/snippet`), and the
/// run the page shows (`result`).
pub const OPTION_KEYS: &[&str] = &["lang", "key", "every", "target", "origin", "result"];

/// The valid request a query describes, or every reason it is not valid.
pub fn strict(query: &str) -> Result<Valid, Vec<FieldError>> {
    let Query { pairs, problems } = parse_query(query);
    if !problems.is_empty() {
        return Err(problems);
    }
    let error = |field: &str, message: String| vec![FieldError { field: field.to_owned(), message }];
    let slug = pairs.iter().find(|(k, _)| k == "model").map(|(_, v)| v.as_str()).unwrap_or_default();
    let model = catalog::find(slug).ok_or_else(|| error("model", format!("`{slug}` is not a model in the catalog")))?;
    let mut raw = RawForm::default();
    let mut errors = Vec::new();
    for (key, text) in pairs.into_iter().filter(|(k, _)| k != "model" && !OPTION_KEYS.contains(&k.as_str())) {
        if model.field(&key).is_none() {
            errors
                .push(FieldError { message: format!("`{key}` is not a parameter of {}", model.model.id), field: key });
        } else {
            raw.set(&key, text);
        }
    }
    match validate(model, &to_params(model, &raw)) {
        Ok(valid) if errors.is_empty() => Ok(valid),
        Ok(_) => Err(errors),
        Err(more) => Err(errors.into_iter().chain(more).collect()),
    }
}

/// A query's pairs, and what is wrong with it. Nothing is guessed: a pair whose
/// text is not valid percent-encoded UTF-8, or a key given twice (which value is
/// meant cannot be known), is left out and named in `problems`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub pairs: Vec<(String, String)>,
    pub problems: Vec<FieldError>,
}

impl Query {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// `key=value` pairs, percent-decoded (`+` is a space, as in form encoding).
pub fn parse_query(query: &str) -> Query {
    let mut out = Query::default();
    let mut seen: Vec<String> = Vec::new();
    for pair in query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(key) = decode(k) else {
            let shown = String::from_utf8_lossy(k.as_bytes()).chars().filter(|c| !c.is_control()).take(40).collect();
            out.problems
                .push(FieldError { field: shown, message: "the key is not valid percent-encoded UTF-8".into() });
            continue;
        };
        if seen.contains(&key) {
            if !out.problems.iter().any(|p| p.field == key) {
                out.problems.push(FieldError { field: key.clone(), message: "is given more than once".into() });
            }
            out.pairs.retain(|(k, _)| *k != key);
            continue;
        }
        seen.push(key.clone());
        match decode(v) {
            Some(value) => out.pairs.push((key, value)),
            None => out
                .problems
                .push(FieldError { field: key, message: "the value is not valid percent-encoded UTF-8".into() }),
        }
    }
    out
}

/// Percent-encodes all but unreserved characters and `/` and `:`, which keep links readable.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decodes `text`; `None` for a `%` without two hex digits or bytes that are not UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let (h, l) = (bytes.get(i + 1).copied().and_then(hex)?, bytes.get(i + 2).copied().and_then(hex)?);
                out.push((h * 16 + l) as u8);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;

    fn raw(pairs: &[(&str, &str)]) -> RawForm {
        RawForm(pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect())
    }

    #[test]
    fn a_posted_form_keeps_its_invalid_values_where_a_link_drops_them() {
        let q = "model=aimlapi/flux/dev&prompt=hi&num_inference_steps=999";
        assert_eq!(typed(q).raw.get("num_inference_steps"), Some("999"));
        assert!(typed(q).notices.is_empty());
        let link = restore(q);
        assert_eq!(link.raw.get("num_inference_steps"), None);
        assert_eq!(link.notices.len(), 1, "{:?}", link.notices);
    }

    #[test]
    fn links_are_readable_and_skip_defaults() {
        let m = find("aimlapi/flux/dev").unwrap();
        let form = raw(&[
            ("prompt", "a red fox & 50% \"owl\""),
            ("num_images", "1"),
            ("image_size", "640x512"),
            ("seed", "7"),
        ]);
        assert_eq!(
            to_query(m, &form),
            "model=aimlapi/flux/dev&prompt=a%20red%20fox%20%26%2050%25%20%22owl%22&image_size=640x512&seed=7"
        );
    }

    #[test]
    fn restore_inverts_to_query() {
        let m = find("1min/black-forest-labs/flux-dev").unwrap();
        let form = raw(&[("prompt", "日本語 + emoji 🦖\nline"), ("megapixels", "0.25"), ("go_fast", "true")]);
        let back = restore(&to_query(m, &form));
        assert_eq!(back, Restored { model: m, raw: form, notices: vec![] });
    }

    #[test]
    fn bad_values_become_notices_and_defaults() {
        let r = restore("?model=aimlapi/flux/dev&prompt=hi&num_images=9&colour=red&seed=%zz");
        assert_eq!(r.raw, raw(&[("prompt", "hi")]));
        assert_eq!(r.notices.len(), 3, "{:?}", r.notices);
        assert!(r.notices.iter().any(|n| n.contains("seed") && n.contains("percent-encoded")), "{:?}", r.notices);
        assert!(r.notices.iter().any(|n| n.contains("num_images") && n.contains("between 1 and 4")));
        assert!(r.notices.iter().any(|n| n.contains("`colour`")));
        let r = restore("model=nope/none");
        assert_eq!(r.model, crate::catalog::default_model());
        assert_eq!(r.notices.len(), 1);
    }

    #[test]
    fn a_curated_server_opens_its_default_for_a_model_it_does_not_offer() {
        let dev = find("bfl/flux-dev").unwrap();
        let offers = |m: ModelRef| m == dev;
        let r = restore_offered("model=fal/fal-ai/flux/dev&prompt=hi", offers, dev);
        assert_eq!((r.model, r.raw.get("prompt")), (dev, Some("hi")), "what fits is carried");
        assert!(r.notices.iter().any(|n| n.contains("not offered here")), "{:?}", r.notices);
        let r = restore_offered("prompt=hi", offers, dev);
        assert_eq!((r.model, r.notices.len()), (dev, 0), "no link to a model: the default, quietly");
        let r = restore_offered("model=bfl/flux-dev&prompt=x", offers, dev);
        assert_eq!(r, restore("model=bfl/flux-dev&prompt=x"), "an offered model is as linked");
    }

    #[test]
    fn decoding_refuses_malformed_escapes_instead_of_guessing() {
        assert_eq!(decode("%41%42+c").as_deref(), Some("AB c"));
        assert_eq!(decode("%F0%9F%A6%96").as_deref(), Some("🦖"));
        for bad in ["100%", "%4", "%zz", "%FF", "%C3%28", "%ED%A0%80"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn repeated_and_undecodable_keys_are_named_not_guessed() {
        let q = parse_query("model=aimlapi/flux/dev&prompt=a&prompt=b&seed=%FF&steps=2&%E0=x");
        assert_eq!(
            q.pairs,
            [("model".to_owned(), "aimlapi/flux/dev".to_owned()), ("steps".to_owned(), "2".to_owned())]
        );
        let named: Vec<_> = q.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(named, ["prompt", "seed", "%E0"]);
    }

    #[test]
    fn strict_names_each_problem() {
        let errors = strict("model=aimlapi/flux/dev&prompt=p&num_images=9&colour=red&lang=python").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["colour", "num_images"]);
        assert_eq!(strict("model=x").unwrap_err()[0].field, "model");
        assert!(strict("model=segmind/flux-dev&prompt=p&steps=30").is_ok());
        let errors = strict("model=segmind/flux-dev&prompt=p&prompt=q&steps=%3").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["prompt", "steps"]);
    }
}
