//! The one validation over the catalog, used by the browser as the user types
//! and by the server before anything is forwarded to a paid provider.

use crate::catalog::{Choice, Image, Kind, Loras, ModelRef, Number, Size};
use crate::number::number_text;
use crate::valid::{upload_name, Valid};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: &str, message: String) -> Self {
        Self { field: field.to_owned(), message }
    }
}

/// `params` as a [`Valid`] request for `model`, or every problem with them.
pub fn validate(model: ModelRef, params: &Map<String, Value>) -> Result<Valid, Vec<FieldError>> {
    let errors = errors(model, params);
    if errors.is_empty() {
        Ok(Valid::new(model, params.clone()))
    } else {
        Err(errors)
    }
}

/// Every problem with `params` for `model`; empty means valid. For the form, which
/// marks them as the user types.
pub fn errors(model: ModelRef, params: &Map<String, Value>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for key in params.keys() {
        if model.field(key).is_none() {
            errors.push(FieldError::new(key, format!("`{key}` is not a parameter of {}", model.model.id)));
        }
    }
    for field in model.model.fields {
        let Some(value) = params.get(field.key) else {
            if field.required {
                errors.push(FieldError::new(field.key, format!("{} is required", field.label)));
            }
            continue;
        };
        let message = match &field.kind {
            Kind::Text { max_chars, .. } => check_text(field.label, field.required, *max_chars, value),
            Kind::Number(n) => check_number(field.label, n, value),
            Kind::Bool { only, .. } => check_bool(field.label, *only, value),
            Kind::Choice(c) => check_choice(field.label, c, value),
            Kind::Size(s) => check_size(field.label, s, value),
            Kind::Image(i) => check_image(field.label, i, value),
            Kind::Loras(l) => check_loras(field.label, l, value),
        };
        if let Some(message) = message {
            errors.push(FieldError::new(field.key, message));
        }
    }
    errors
}

fn check_text(label: &str, required: bool, max_chars: Option<usize>, value: &Value) -> Option<String> {
    let Some(text) = value.as_str() else {
        return Some(format!("{label} must be text"));
    };
    let chars = text.chars().count();
    match max_chars {
        _ if required && text.trim().is_empty() => Some(format!("{label} is required")),
        Some(max) if chars > max => Some(format!("{label} is {chars} characters; the limit is {max}")),
        _ => None,
    }
}

fn check_bool(label: &str, only: Option<bool>, value: &Value) -> Option<String> {
    match (value.as_bool(), only) {
        (None, _) => Some(format!("{label} must be true or false")),
        (Some(v), Some(only)) if v != only => Some(format!("{label} can only be {only} for this model")),
        _ => None,
    }
}

fn check_choice(label: &str, c: &Choice, value: &Value) -> Option<String> {
    if value.as_str().is_some_and(|v| c.option(v).is_some()) {
        return None;
    }
    let values: Vec<_> = c.options.iter().map(|o| o.value).collect();
    Some(format!("{label} must be one of {}", values.join(", ")))
}

fn check_image(label: &str, image: &Image, value: &Value) -> Option<String> {
    let Some(list) = image.list else { return check_reference(label, image, value) };
    let Some(items) = value.as_array() else {
        return Some(format!("{label} must be a list of images"));
    };
    if items.is_empty() || items.len() > usize::from(list.max) {
        return Some(format!("{label} takes 1 to {} images; {} given", list.max, items.len()));
    }
    items.iter().enumerate().find_map(|(i, item)| check_reference(&format!("{label}: image {}", i + 1), image, item))
}

fn check_loras(label: &str, loras: &Loras, value: &Value) -> Option<String> {
    let max = loras.max;
    let Some(items) = value.as_array().filter(|a| (1..=usize::from(max)).contains(&a.len())) else {
        return Some(format!("{label} takes 1 to {max} weights, one a line"));
    };
    // Counted in weights, not text lines: the form skips blank lines.
    let n = items.iter().position(|item| !is_lora(item, loras.max_scale))? + 1;
    let most = number_text(loras.max_scale);
    Some(format!("{label}, weight {n}: an https URL or Hugging Face repo (owner/name), then a scale from 0 to {most}"))
}

/// `{path, scale}` with a path [`is_lora_path`] allows and a scale in range (or none).
fn is_lora(item: &Value, max_scale: f64) -> bool {
    let Some(obj) = item.as_object() else { return false };
    let path = obj.get("path").and_then(Value::as_str).is_some_and(is_lora_path);
    let scale = obj.get("scale").map(|s| s.as_f64().is_some_and(|s| (0.0..=max_scale).contains(&s)));
    path && scale != Some(false) && obj.len() == 1 + usize::from(scale.is_some())
}

/// Where LoRA weights may be: an https URL, or a Hugging Face repo id (`owner/name`,
/// maybe with a file path) of letters, digits and `-_.`; nothing with spaces, controls
/// or `..`.
fn is_lora_path(path: &str) -> bool {
    let plain = path.len() <= 2048 && !path.contains(|c: char| c.is_whitespace() || c.is_control());
    if let Some(rest) = path.strip_prefix("https://") {
        return plain && !rest.is_empty() && !rest.starts_with(['/', '?', '#']);
    }
    let named = path.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
    let parts = path.contains('/') && !path.starts_with('/') && !path.ends_with('/');
    plain && named && parts && !path.contains("//") && !path.contains("..")
}

/// One reference: an upload of ours, or (where the provider fetches it) an https URL.
fn check_reference(label: &str, image: &Image, value: &Value) -> Option<String> {
    let text = value.as_str().unwrap_or_default();
    if upload_name(text).is_some() {
        return None;
    }
    if !image.accepts_url {
        return Some(format!("{label} must be a file uploaded here (PNG, JPEG or WebP)"));
    }
    let host = text.strip_prefix("https://").map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    let ok = host.is_some_and(|h| !h.is_empty()) && text.len() <= 2048 && !text.contains(char::is_whitespace);
    (!ok).then(|| format!("{label} must be an uploaded file or an https:// URL"))
}

fn check_number(label: &str, n: &Number, value: &Value) -> Option<String> {
    let Some(x) = value.as_f64() else {
        return Some(format!("{label} must be a number"));
    };
    if n.integer && (x.fract() != 0.0 || !x.is_finite()) {
        return Some(format!("{label} must be a whole number"));
    }
    let in_range = n.min.is_none_or(|min| x >= min) && n.max.is_none_or(|max| x <= max);
    match n.multiple_of {
        Some(m) if !in_range || x % m != 0.0 => Some(format!(
            "{label} must be a multiple of {} {}",
            number_text(m),
            range_text(n.min, n.max).replacen("must be ", "", 1)
        )),
        _ => (!in_range).then(|| format!("{label} {}", range_text(n.min, n.max))),
    }
}

/// "must be between 1 and 4", "must be at least 1", …
pub fn range_text(min: Option<f64>, max: Option<f64>) -> String {
    let n = number_text;
    match (min, max) {
        (Some(lo), Some(hi)) => format!("must be between {} and {}", n(lo), n(hi)),
        (Some(lo), None) => format!("must be at least {}", n(lo)),
        (None, Some(hi)) => format!("must be at most {}", n(hi)),
        (None, None) => "is out of range".to_owned(),
    }
}

fn check_size(label: &str, s: &Size, value: &Value) -> Option<String> {
    match value {
        Value::String(name) if !name.is_empty() && s.preset(name).is_some() => None,
        Value::String(name) => {
            let names: Vec<_> = s.presets.iter().map(|p| p.name).filter(|n| !n.is_empty()).collect();
            Some(format!("{label} `{name}` is not a preset; use one of {} or WIDTHxHEIGHT", names.join(", ")))
        }
        Value::Object(obj) => {
            if let Some(k) = obj.keys().find(|k| *k != "width" && *k != "height") {
                return Some(format!("{label} has an unknown member `{k}`; only width and height"));
            }
            ["width", "height"].into_iter().find_map(|side| check_side(side, s, obj.get(side)))
        }
        _ => Some(format!("{label} must be a preset name or {{width, height}}")),
    }
}

fn check_side(side: &str, s: &Size, value: Option<&Value>) -> Option<String> {
    let name = if side == "width" { "Width" } else { "Height" };
    let rule = if s.multiple_of > 1 {
        format!("must be a multiple of {} between {} and {}", s.multiple_of, s.min, s.max)
    } else {
        format!("must be between {} and {}", s.min, s.max)
    };
    let ok = value
        .and_then(Value::as_u64)
        .is_some_and(|v| v >= u64::from(s.min) && v <= u64::from(s.max) && v % u64::from(s.multiple_of) == 0);
    (!ok).then(|| format!("{name} {rule}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use serde_json::json;

    fn check(params: &Value) -> Vec<String> {
        let m = find("aimlapi/flux/dev").unwrap();
        errors(m, params.as_object().unwrap()).into_iter().map(|e| format!("{}: {}", e.field, e.message)).collect()
    }

    #[test]
    fn accepts_a_minimal_request() {
        assert!(check(&json!({"prompt": "a cat"})).is_empty());
    }

    #[test]
    fn names_the_field_and_the_limit() {
        assert_eq!(check(&json!({})), ["prompt: Prompt is required"]);
        assert_eq!(
            check(&json!({"prompt": "x", "num_images": 5})),
            ["num_images: Number of images must be between 1 and 4"]
        );
        assert_eq!(check(&json!({"prompt": "x", "seed": 0})), ["seed: Seed must be at least 1"]);
        assert_eq!(check(&json!({"prompt": "x", "seed": 1.5})), ["seed: Seed must be a whole number"]);
        assert_eq!(
            check(&json!({"prompt": "x", "guidance_scale": "high"})),
            ["guidance_scale: Guidance scale must be a number"]
        );
        assert_eq!(
            check(&json!({"prompt": "x", "image_size": {"width": 1000, "height": 768}})),
            ["image_size: Width must be a multiple of 32 between 512 and 1536"]
        );
        assert_eq!(
            check(&json!({"prompt": "x", "colour": "red"})),
            ["colour: `colour` is not a parameter of flux/dev"]
        );
    }

    #[test]
    fn prompt_limit_counts_characters_not_bytes() {
        assert!(check(&json!({"prompt": "é".repeat(4000)})).is_empty());
        assert_eq!(
            check(&json!({"prompt": "a".repeat(4001)})),
            ["prompt: Prompt is 4001 characters; the limit is 4000"]
        );
    }

    #[test]
    fn choices_images_and_fixed_booleans() {
        let check_in = |slug: &str, params: &Value| {
            errors(find(slug).unwrap(), params.as_object().unwrap())
                .into_iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            check_in("aimlapi/flux-pro", &json!({"prompt": "x", "output_format": "webp"})),
            ["output_format: Output format must be one of jpeg, png"]
        );
        assert_eq!(
            check_in("aimlapi/flux-pro/v1.1-ultra", &json!({"prompt": "x", "raw": true})),
            ["raw: Raw can only be false for this model"]
        );
        let i2i = "aimlapi/flux/dev/image-to-image";
        assert_eq!(check_in(i2i, &json!({"prompt": "x"})), ["image_url: Reference image is required"]);
        assert!(check_in(i2i, &json!({"prompt": "x", "image_url": "https://example.com/a.png"})).is_empty());
        let upload = format!("/uploads/{}.png", "0a".repeat(32));
        assert!(check_in(i2i, &json!({"prompt": "x", "image_url": upload})).is_empty());
        for bad in ["http://example.com/a.png", "https://", "file:///etc/passwd", "/uploads/../x.png"] {
            assert_eq!(
                check_in(i2i, &json!({"prompt": "x", "image_url": bad})),
                ["image_url: Reference image must be an uploaded file or an https:// URL"],
                "{bad}"
            );
        }
        assert_eq!(
            check_in("1min/black-forest-labs/flux-dev", &json!({"prompt": "x", "image_prompt": "https://e.com/a.png"})),
            ["image_prompt: Input image must be a file uploaded here (PNG, JPEG or WebP)"]
        );
    }

    #[test]
    fn size_bounds_are_inclusive() {
        assert!(check(&json!({"prompt": "x", "image_size": {"width": 512, "height": 1536}})).is_empty());
        assert_eq!(
            check(&json!({"prompt": "x", "image_size": {"width": 480, "height": 768}})),
            ["image_size: Width must be a multiple of 32 between 512 and 1536"]
        );
        assert_eq!(
            check(&json!({"prompt": "x", "image_size": {"width": 1024, "height": 1568}})),
            ["image_size: Height must be a multiple of 32 between 512 and 1536"]
        );
        assert!(!check(&json!({"prompt": "x", "image_size": "huge"})).is_empty());
    }
}
