//! Small checks the emulators share; each emulator words its own errors.

use serde_json::{Map, Value};

/// A number in `min..=max` (integers only when `integer`), or why not.
pub fn number(body: &Map<String, Value>, key: &str, min: f64, max: f64, integer: bool) -> Result<(), String> {
    let Some(v) = body.get(key) else { return Ok(()) };
    let n = v.as_f64().ok_or_else(|| format!("{key} must be a number"))?;
    if integer && n.fract() != 0.0 {
        return Err(format!("{key} must be an integer"));
    }
    if n < min || n > max {
        return Err(format!("{key} must be between {min} and {max}"));
    }
    Ok(())
}

/// One of `values`, or why not.
pub fn one_of(body: &Map<String, Value>, key: &str, values: &[&str]) -> Result<(), String> {
    match body.get(key) {
        None => Ok(()),
        Some(Value::String(s)) if values.contains(&s.as_str()) => Ok(()),
        Some(other) => Err(format!("{key} must be one of {}; got {other}", values.join(", "))),
    }
}

pub fn boolean(body: &Map<String, Value>, key: &str) -> Result<(), String> {
    match body.get(key) {
        None | Some(Value::Bool(_)) => Ok(()),
        Some(_) => Err(format!("{key} must be a boolean")),
    }
}

/// No member outside `known`.
pub fn known(body: &Map<String, Value>, known: &[&str]) -> Result<(), String> {
    match body.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(format!("unknown parameter: {k}")),
        None => Ok(()),
    }
}

/// A required non-empty string.
pub fn prompt(body: &Map<String, Value>) -> Result<&str, String> {
    match body.get("prompt") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        _ => Err("prompt is required".into()),
    }
}
