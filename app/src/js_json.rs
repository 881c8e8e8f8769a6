//! JSON in the browser: the browser's own `JSON.parse`, turned into a `serde_json::Value`
//! for the wire readers (`wire`). serde_json's own parser, or `serde-wasm-bindgen`, cost
//! the first load kilobytes more (mostly error messages that format the value found,
//! which pull in float formatting). Natively serde_json does it.

use crate::unreadable::Unreadable;
use js_sys::{Array, Object, JSON};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

pub fn decode(text: &str) -> Result<Value, Unreadable> {
    let parsed = JSON::parse(text).map_err(|_| Unreadable::NotJson)?;
    Ok(to_value(&parsed))
}

fn to_value(v: &JsValue) -> Value {
    if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        // JS has one number type; whole ones read as integers, as the server sent them.
        if n.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&n) {
            Value::from(n as u64)
        } else if n.fract() == 0.0 && (-9_223_372_036_854_775_808.0..0.0).contains(&n) {
            Value::from(n as i64)
        } else {
            Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
    } else if let Some(s) = v.as_string() {
        Value::String(s)
    } else if Array::is_array(v) {
        Value::Array(Array::from(v).iter().map(|item| to_value(&item)).collect())
    } else if let Some(obj) = v.dyn_ref::<Object>() {
        let mut map = Map::new();
        for entry in Object::entries(obj).iter() {
            let pair = Array::from(&entry);
            map.insert(pair.get(0).as_string().unwrap_or_default(), to_value(&pair.get(1)));
        }
        Value::Object(map)
    } else {
        // `null` (JSON.parse gives nothing else).
        Value::Null
    }
}
