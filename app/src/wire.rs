//! Reading our server's answers: a small reader per wire type (next to each type in
//! `api`) over a parsed `serde_json::Value` (in the browser `JSON.parse` feeds it
//! through `js_json`). The types keep their serde derives for the server; the page reads
//! them with these because the derives' visitors cost its first load 3 KB compressed.
//! As strict as those derives: an unknown member, a missing required one, a wrong type,
//! or a nullable one left out is an error, never a default.

use serde_json::{Map, Value};

/// A type the page reads from an answer.
pub trait Wire: Sized {
    fn read(value: &Value) -> Result<Self, String>;
}

/// An object's members, read by name.
pub struct Obj<'a>(pub &'a Map<String, Value>);

impl<'a> Obj<'a> {
    /// `value` as an object with no member outside `known`.
    pub fn new(value: &'a Value, known: &[&str]) -> Result<Self, String> {
        let map = value.as_object().ok_or("expected an object")?;
        match map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(format!("unknown field `{k}`")),
            None => Ok(Self(map)),
        }
    }

    pub fn need(&self, key: &str) -> Result<&'a Value, String> {
        self.0.get(key).ok_or_else(|| format!("missing field `{key}`"))
    }

    /// A required member, read by `read` (`what` names the type expected).
    pub fn get<T>(&self, key: &str, what: &str, read: impl Fn(&Value) -> Option<T>) -> Result<T, String> {
        read(self.need(key)?).ok_or_else(|| format!("`{key}`: expected {what}"))
    }

    /// A nullable member: present, `null` or a value.
    pub fn nullable<T>(&self, key: &str, what: &str, read: impl Fn(&Value) -> Option<T>) -> Result<Option<T>, String> {
        match self.need(key)? {
            Value::Null => Ok(None),
            v => read(v).map(Some).ok_or_else(|| format!("`{key}`: expected {what} or null")),
        }
    }

    /// An optional member: absent or `null` is `None`.
    pub fn optional<T>(&self, key: &str, what: &str, read: impl Fn(&Value) -> Option<T>) -> Result<Option<T>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => read(v).map(Some).ok_or_else(|| format!("`{key}`: expected {what}")),
        }
    }

    pub fn string(&self, key: &str) -> Result<String, String> {
        self.get(key, "a string", |v| v.as_str().map(str::to_owned))
    }

    pub fn boolean(&self, key: &str) -> Result<bool, String> {
        self.get(key, "a boolean", Value::as_bool)
    }

    pub fn u32(&self, key: &str) -> Result<u32, String> {
        self.get(key, "a whole number", |v| v.as_u64().and_then(|n| u32::try_from(n).ok()))
    }

    /// A list of `T`; with `required: false` an absent member is an empty list.
    pub fn list<T: Wire>(&self, key: &str, required: bool) -> Result<Vec<T>, String> {
        let items = match self.0.get(key) {
            None if !required => return Ok(Vec::new()),
            _ => self.get(key, "a list", |v| v.as_array().cloned())?,
        };
        items.iter().map(|item| T::read(item).map_err(|e| format!("`{key}`: {e}"))).collect()
    }
}

/// A string member's text.
pub fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

impl Wire for Value {
    fn read(value: &Value) -> Result<Self, String> {
        Ok(value.clone())
    }
}

/// The body of an answer whose success carries nothing the page reads.
impl Wire for () {
    fn read(value: &Value) -> Result<Self, String> {
        value.is_null().then_some(()).ok_or_else(|| "expected null".to_owned())
    }
}
