//! The documented defaults: what a request means when a field is left out, and
//! which values a request or a share link may leave out.

use crate::catalog::{Kind, ModelRef};
use serde_json::{Map, Value};

/// A field's documented default as a param value; `None` where the provider picks.
pub fn default_value(kind: &Kind) -> Option<Value> {
    match kind {
        Kind::Number(n) => n.default.map(|d| if n.integer { Value::from(d as i64) } else { Value::from(d) }),
        Kind::Bool { default, .. } => Some(Value::Bool(*default)),
        Kind::Choice(c) => c.default.map(Value::from),
        // An empty default preset: nothing sent, the model sizes from the references.
        Kind::Size(s) => (!s.default_preset.is_empty()).then(|| Value::from(s.default_preset)),
        Kind::Text { .. } | Kind::Image(_) | Kind::Loras(_) => None,
    }
}

/// The params a request carries: by default only what differs from the documented
/// defaults; with `every`, each documented default is spelled out too.
pub fn effective(model: ModelRef, params: &Map<String, Value>, every: bool) -> Map<String, Value> {
    let mut out = Map::new();
    for field in model.model.fields {
        let default = default_value(&field.kind);
        match params.get(field.key) {
            Some(v) if every || field.required || default.as_ref().is_none_or(|d| !same_value(d, v)) => {
                out.insert(field.key.to_owned(), v.clone());
            }
            None if every => {
                if let Some(d) = default {
                    out.insert(field.key.to_owned(), d);
                }
            }
            _ => {}
        }
    }
    out
}

/// JSON equality where `2` and `2.0` are the same number.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use serde_json::json;

    #[test]
    fn effective_params_drop_or_spell_out_defaults() {
        let m = find("aimlapi/flux/dev").unwrap();
        let p = json!({"prompt": "p", "num_inference_steps": 50.0, "num_images": 2, "image_size": "landscape_4_3"});
        let p = p.as_object().unwrap();
        assert_eq!(Value::Object(effective(m, p, false)), json!({"prompt": "p", "num_images": 2}));
        assert_eq!(
            Value::Object(effective(m, p, true)),
            json!({"prompt": "p", "image_size": "landscape_4_3", "num_inference_steps": 50.0,
                   "num_images": 2, "enable_safety_checker": true})
        );
    }
}
