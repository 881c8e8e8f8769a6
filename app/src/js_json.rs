//! Reading JSON answers in the browser with the browser's own `JSON.parse`.
//! Parsing with serde_json in the wasm costs about 25 KB compressed (parser,
//! derived deserialisers, their messages); the first-load budget is 200 KB.

use js_sys::{Array, Object, Reflect, JSON};
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};

pub fn parse(text: &str) -> Option<JsValue> {
    JSON::parse(text).ok().filter(|v| v.is_object())
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn string(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

pub fn number(v: &JsValue, key: &str) -> Option<f64> {
    get(v, key).as_f64()
}

pub fn boolean(v: &JsValue, key: &str) -> Option<bool> {
    get(v, key).as_bool()
}

pub fn array(v: &JsValue, key: &str) -> Vec<JsValue> {
    get(v, key).dyn_into::<Array>().map(|a| a.iter().collect()).unwrap_or_default()
}

/// A parsed JS value as a `serde_json::Value` (for the few free-form fields).
pub fn to_value(v: &JsValue) -> Value {
    if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        // JS has one number type; whole ones read back as integers, as the server sent them.
        if n.fract() == 0.0 && n.abs() < 9e15 {
            Value::from(n as i64)
        } else {
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
    } else if let Some(s) = v.as_string() {
        Value::String(s)
    } else if Array::is_array(v) {
        Value::Array(Array::from(v).iter().map(|item| to_value(&item)).collect())
    } else if let Some(obj) = v.dyn_ref::<Object>() {
        let mut map = Map::new();
        for key in Object::keys(obj).iter() {
            if let Some(k) = key.as_string() {
                map.insert(k.clone(), to_value(&get(v, &k)));
            }
        }
        Value::Object(map)
    } else {
        Value::Null
    }
}
