//! The form as the user typed it, and its conversion to typed request params.
//!
//! The raw form keeps every keystroke verbatim (nothing is lost while a value is
//! invalid); conversion is lenient and validation is strict, so a value that
//! does not parse still reaches `validate` and gets a field-specific message.

use crate::catalog::{Kind, ModelRef};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

/// Field key → text as typed. An absent key means "provider default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawForm(pub BTreeMap<String, String>);

impl RawForm {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }

    pub fn clear(&mut self, key: &str) {
        self.0.remove(key);
    }
}

/// Separator between width and height in a custom size, e.g. `1024x768`.
pub const SIZE_SEP: char = 'x';

/// Typed params for a request; values that do not parse are kept as strings.
pub fn to_params(model: ModelRef, raw: &RawForm) -> Map<String, Value> {
    let mut params = Map::new();
    for (key, text) in &raw.0 {
        let value = match model.field(key).map(|f| &f.kind) {
            Some(Kind::Image(image)) if image.list.is_some() => {
                let items: Vec<Value> = text.split_whitespace().map(|s| Value::String(s.to_owned())).collect();
                (!items.is_empty()).then_some(Value::Array(items))
            }
            Some(Kind::Text { .. } | Kind::Choice(_) | Kind::Image(_)) => {
                (!text.is_empty()).then(|| Value::String(text.clone()))
            }
            Some(Kind::Number(_)) => number_value(text),
            Some(Kind::Bool { .. }) => match text.as_str() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                "" => None,
                other => Some(Value::String(other.to_owned())),
            },
            Some(Kind::Size(_)) => size_value(text),
            Some(Kind::Loras(_)) => loras_value(text),
            None => Some(Value::String(text.clone())),
        };
        if let Some(value) = value {
            params.insert(key.clone(), value);
        }
    }
    params
}

fn number_value(text: &str) -> Option<Value> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::Number(i.into()));
    }
    match t.parse::<f64>().ok().and_then(Number::from_f64) {
        Some(n) => Some(Value::Number(n)),
        None => Some(Value::String(t.to_owned())),
    }
}

fn size_value(text: &str) -> Option<Value> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let Some((w, h)) = t.split_once(SIZE_SEP) else {
        return Some(Value::String(t.to_owned()));
    };
    let side = |s: &str| number_value(s).unwrap_or_else(|| Value::String(String::new()));
    let mut obj = Map::new();
    obj.insert("width".into(), side(w));
    obj.insert("height".into(), side(h));
    Some(Value::Object(obj))
}

/// The size choice that shows the width and height boxes.
pub const CUSTOM_SIZE: &str = "custom";

/// The form as a browser posts it: without script, or read back from the page
/// before hydration. The controls' names are the share link's keys, except where a
/// control cannot carry the value alone: a checkbox sends `true` only when on, a
/// custom size sends `{key}.width` and `{key}.height`, and an image field sends its
/// current value (`{key}`), the typed URL (`{key}.url`) and an uploaded file, which
/// the server has stored and turned into its reference (`{key}.file`). A name given
/// twice counts by its last value; names of no field are let be.
pub fn from_posted(model: ModelRef, posted: &[(String, String)]) -> RawForm {
    let get = |name: &str| posted.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let part = |key: &str, part: &str| get(&format!("{key}.{part}")).unwrap_or_default().trim().to_owned();
    let mut raw = RawForm::default();
    for field in model.model.fields {
        let key = field.key;
        let value = match &field.kind {
            Kind::Bool { only: Some(_), .. } => continue,
            Kind::Bool { .. } => (if get(key) == Some("true") { "true" } else { "false" }).to_owned(),
            Kind::Size(_) if get(key) == Some(CUSTOM_SIZE) => {
                format!("{}{SIZE_SEP}{}", part(key, "width"), part(key, "height"))
            }
            Kind::Image(image) => {
                let current = get(key).unwrap_or_default().trim();
                let (url, mut file) = (part(key, "url"), part(key, "file"));
                // A chosen file arrives as the reference the server stored it under. Anything
                // else is no file: the page read before hydration gives "[object File]".
                if crate::valid::upload_name(&file).is_none() {
                    file.clear();
                }
                if image.list.is_some() {
                    [current, &url, &file].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ")
                } else if !file.is_empty() {
                    file
                } else if !url.is_empty() {
                    url
                } else {
                    // The URL box never shows an upload: a kept upload is only in the current value.
                    crate::valid::upload_name(current).map(|_| current.to_owned()).unwrap_or_default()
                }
            }
            _ => match get(key) {
                Some(v) => v.to_owned(),
                None => continue,
            },
        };
        raw.set(key, value);
    }
    raw
}

/// The form for another model: values that exist and are valid there are kept,
/// everything else goes back to that model's defaults.
pub fn carry_over(raw: &RawForm, to: ModelRef) -> RawForm {
    let kept: BTreeMap<String, String> =
        raw.0.iter().filter(|(key, _)| to.field(key).is_some()).map(|(k, v)| (k.clone(), v.clone())).collect();
    let candidate = RawForm(kept);
    let errors = crate::validate::errors(to, &to_params(to, &candidate));
    RawForm(candidate.0.into_iter().filter(|(key, _)| !errors.iter().any(|e| &e.field == key)).collect())
}

/// The form that `to_params` turns into `params`: what a recorded generation restores
/// (the server builds its share link). Server-side only, so the wasm does not carry it.
#[cfg(any(feature = "ssr", test))]
pub fn from_params(model: ModelRef, params: &Map<String, Value>) -> RawForm {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut raw = RawForm::default();
    for (key, value) in params {
        let typed = match (model.field(key).map(|f| &f.kind), value) {
            (Some(Kind::Image(_)), Value::Array(items)) => items.iter().map(text).collect::<Vec<_>>().join(" "),
            (Some(Kind::Size(_)), Value::Object(o)) => format!(
                "{}{SIZE_SEP}{}",
                o.get("width").map(text).unwrap_or_default(),
                o.get("height").map(text).unwrap_or_default()
            ),
            (Some(Kind::Loras(_)), Value::Array(items)) => items
                .iter()
                .map(|item| match (item.get("path"), item.get("scale")) {
                    (Some(path), Some(scale)) => format!("{} {}", text(path), text(scale)),
                    (Some(path), None) => text(path),
                    _ => String::new(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            (_, value) => text(value),
        };
        raw.set(key, typed);
    }
    raw
}

/// LoRA lines as `[{path, scale}]`: a line's first word is the path, the next its scale
/// (a number where it reads as one, else kept as typed for validation to name).
fn loras_value(text: &str) -> Option<Value> {
    let mut items = Vec::new();
    for line in text.split('\n') {
        let mut words = line.split_whitespace();
        let Some(path) = words.next() else { continue };
        let mut item = Map::new();
        item.insert("path".into(), Value::String(path.to_owned()));
        if let Some(scale) = words.next() {
            // A further word makes the scale unreadable, as typed.
            let scale = if words.next().is_some() { line.trim()[path.len()..].trim() } else { scale };
            item.insert("scale".into(), number_value(scale).unwrap_or_else(|| Value::String(scale.to_owned())));
        }
        items.push(Value::Object(item));
    }
    (!items.is_empty()).then_some(Value::Array(items))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use serde_json::json;

    fn posted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    /// A form as a browser posts it turns into the form a share link would describe.
    #[test]
    fn a_posted_form_reads_as_the_page_wrote_it() {
        let model = find("aimlapi/flux/dev").unwrap();
        // The box left unticked is not sent at all; a custom size comes in two boxes.
        let raw = from_posted(
            model,
            &posted(&[
                ("form_model", "aimlapi/flux/dev"),
                ("prompt", "  a fox  "),
                ("image_size", CUSTOM_SIZE),
                ("image_size.width", "640"),
                ("image_size.height", " 512 "),
                ("seed", ""),
                ("unknown", "x"),
            ]),
        );
        assert_eq!(raw.get("prompt"), Some("  a fox  "), "text is kept as typed");
        assert_eq!(raw.get("enable_safety_checker"), Some("false"));
        assert_eq!(raw.get("image_size"), Some("640x512"));
        assert_eq!(raw.get("unknown"), None);
        let on = from_posted(model, &posted(&[("enable_safety_checker", "true"), ("image_size", "square")]));
        assert_eq!((on.get("enable_safety_checker"), on.get("image_size")), (Some("true"), Some("square")));

        // An image: a new file wins over the typed URL, which wins over the upload kept so far.
        let i2i = find("aimlapi/flux/dev/image-to-image").unwrap();
        let kept = "/uploads/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.png";
        let image = |pairs: &[(&str, &str)]| from_posted(i2i, &posted(pairs)).get("image_url").map(str::to_owned);
        assert_eq!(image(&[("image_url", kept)]).as_deref(), Some(kept));
        assert_eq!(
            image(&[("image_url", kept), ("image_url.url", " https://e.example/a.png ")]).as_deref(),
            Some("https://e.example/a.png")
        );
        assert_eq!(
            image(&[("image_url", "https://old.example/a.png")]).as_deref(),
            Some(""),
            "a cleared URL box clears it"
        );
        // A list appends.
        let bfl = find("bfl/flux-2-pro").unwrap();
        let list = from_posted(bfl, &posted(&[("input_image", kept), ("input_image.url", "https://e.example/b.png")]));
        assert_eq!(list.get("input_image"), Some(format!("{kept} https://e.example/b.png").as_str()));
        // The page's form read in the browser (before hydration): an empty file box reads as
        // "[object File]", which is no file, for one image and for a list.
        let blank = [("image_url", ""), ("image_url.url", ""), ("image_url.file", "[object File]")];
        assert_eq!(image(&blank).as_deref(), Some(""));
        let list = from_posted(bfl, &posted(&[("input_image", kept), ("input_image.file", "[object File]")]));
        assert_eq!(list.get("input_image"), Some(kept));
        assert_eq!(image(&[("image_url.file", kept)]).as_deref(), Some(kept), "a stored file is taken");
    }

    /// Whatever a valid request sent, the form rebuilt from it sends the same again:
    /// every kind of field, on every model, from its catalog example values.
    #[test]
    fn a_form_rebuilt_from_its_params_sends_them_again() {
        let cases = [
            (
                "fal/fal-ai/flux/dev",
                json!({"prompt": "a fox", "image_size": {"width": 1024, "height": 768}, "num_images": 2, "enable_safety_checker": false, "seed": 7}),
            ),
            (
                "aimlapi/blackforestlabs/flux-2-lora",
                json!({"prompt": "x", "loras": [{"path": "owner/name", "scale": 0.5}, {"path": "https://h.example/w.safetensors"}]}),
            ),
            (
                "bfl/flux-2-pro",
                json!({"prompt": "x", "input_image": ["/uploads/a.png", "https://e.example/b.png"], "width": 1024, "height": 1024}),
            ),
            ("openai/flux-dev", json!({"prompt": "x", "size": "1024x1024", "n": 1})),
        ];
        for (slug, params) in cases {
            let model = find(slug).unwrap_or_else(|| panic!("{slug}"));
            let params = params.as_object().unwrap().clone();
            assert_eq!(to_params(model, &from_params(model, &params)), params, "{slug}");
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> RawForm {
        RawForm(pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect())
    }

    #[test]
    fn converts_by_field_kind_and_keeps_bad_input() {
        let m = find("aimlapi/flux/dev").unwrap();
        let p = to_params(
            m,
            &raw(&[
                ("prompt", "a cat"),
                ("num_images", " 2 "),
                ("guidance_scale", "3.5"),
                ("seed", "12abc"),
                ("enable_safety_checker", "false"),
                ("image_size", "1024x7"),
                ("num_inference_steps", ""),
            ]),
        );
        assert_eq!(
            Value::Object(p),
            json!({
                "enable_safety_checker": false,
                "guidance_scale": 3.5,
                "image_size": {"width": 1024, "height": 7},
                "num_images": 2,
                "prompt": "a cat",
                "seed": "12abc",
            })
        );
    }

    #[test]
    fn switching_model_keeps_what_fits_and_resets_the_rest() {
        let dev = find("aimlapi/flux/dev").unwrap();
        let pro = find("aimlapi/flux-pro").unwrap();
        let segmind = find("segmind/flux-dev").unwrap();
        let form = raw(&[
            ("prompt", "a cat"),
            ("image_size", "1536x1536"),
            ("num_inference_steps", "30"),
            ("enable_safety_checker", "false"),
        ]);
        // flux-pro: sizes only to 1440, no safety checker; prompt and steps fit.
        assert_eq!(carry_over(&form, pro), raw(&[("prompt", "a cat"), ("num_inference_steps", "30")]));
        // Segmind names its steps differently: only the prompt survives.
        assert_eq!(carry_over(&form, segmind), raw(&[("prompt", "a cat")]));
        assert_eq!(carry_over(&form, dev), form);
    }

    #[test]
    fn lora_lines_become_path_and_scale() {
        let got = loras_value("owner/repo 0.8\n\n  https://example.com/w.safetensors\nx/y much");
        assert_eq!(
            got,
            Some(json!([
                {"path": "owner/repo", "scale": 0.8},
                {"path": "https://example.com/w.safetensors"},
                {"path": "x/y", "scale": "much"},
            ]))
        );
        assert_eq!(loras_value(" \n "), None);
    }
}
