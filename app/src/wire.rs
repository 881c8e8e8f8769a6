//! Reading our server's answers: one small reader per wire type over a parsed
//! `serde_json::Value` (in the browser `JSON.parse` feeds it through `js_json`). The
//! types keep their serde derives for the server; the page reads them here because the
//! derives' visitors cost its first load about 5 KB compressed. As strict as those
//! derives: an unknown member, a missing required one, a wrong type, or a nullable one
//! left out is an error, never a default.

use crate::api::{
    ApiError, BackendStatus, GenerateResponse, GeneratedImage, JobState, JobTicket, ProviderStatus, Upload,
};
use crate::validate::FieldError;
use serde_json::{Map, Value};

/// A type the page reads from an answer.
pub trait Wire: Sized {
    fn read(value: &Value) -> Result<Self, String>;
}

/// An object's members, read by name.
struct Obj<'a>(&'a Map<String, Value>);

impl<'a> Obj<'a> {
    /// `value` as an object with no member outside `known`.
    fn new(value: &'a Value, known: &[&str]) -> Result<Self, String> {
        let map = value.as_object().ok_or("expected an object")?;
        match map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(format!("unknown field `{k}`")),
            None => Ok(Self(map)),
        }
    }

    fn need(&self, key: &str) -> Result<&'a Value, String> {
        self.0.get(key).ok_or_else(|| format!("missing field `{key}`"))
    }

    /// A required member, read by `read` (`what` names the type expected).
    fn get<T>(&self, key: &str, what: &str, read: impl Fn(&Value) -> Option<T>) -> Result<T, String> {
        read(self.need(key)?).ok_or_else(|| format!("`{key}`: expected {what}"))
    }

    /// A nullable member: present, `null` or a value.
    fn nullable<T>(&self, key: &str, what: &str, read: impl Fn(&Value) -> Option<T>) -> Result<Option<T>, String> {
        match self.need(key)? {
            Value::Null => Ok(None),
            v => read(v).map(Some).ok_or_else(|| format!("`{key}`: expected {what} or null")),
        }
    }

    /// An optional member: absent or `null` is `None`.
    fn optional<T>(&self, key: &str, what: &str, read: impl Fn(&Value) -> Option<T>) -> Result<Option<T>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => read(v).map(Some).ok_or_else(|| format!("`{key}`: expected {what}")),
        }
    }

    fn string(&self, key: &str) -> Result<String, String> {
        self.get(key, "a string", |v| v.as_str().map(str::to_owned))
    }

    fn boolean(&self, key: &str) -> Result<bool, String> {
        self.get(key, "a boolean", Value::as_bool)
    }

    fn u32(&self, key: &str) -> Result<u32, String> {
        self.get(key, "a whole number", |v| v.as_u64().and_then(|n| u32::try_from(n).ok()))
    }

    /// A list of `T`; with `required: false` an absent member is an empty list.
    fn list<T: Wire>(&self, key: &str, required: bool) -> Result<Vec<T>, String> {
        let items = match self.0.get(key) {
            None if !required => return Ok(Vec::new()),
            _ => self.get(key, "a list", |v| v.as_array().cloned())?,
        };
        items.iter().map(|item| T::read(item).map_err(|e| format!("`{key}`: {e}"))).collect()
    }
}

fn text(v: &Value) -> Option<String> {
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

impl Wire for GeneratedImage {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["url", "width", "height", "content_type", "nsfw"])?;
        Ok(Self {
            url: o.string("url")?,
            width: o.u32("width")?,
            height: o.u32("height")?,
            content_type: o.string("content_type")?,
            nsfw: o.nullable("nsfw", "a boolean", Value::as_bool)?,
        })
    }
}

impl Wire for GenerateResponse {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(
            value,
            &[
                "request_id",
                "model",
                "emulated",
                "images",
                "seed",
                "seed_chosen",
                "total_ms",
                "timings",
                "usage",
                "ran_prompt",
                "upstream",
            ],
        )?;
        let any = |v: &Value| Some(v.clone());
        Ok(Self {
            request_id: o.string("request_id")?,
            model: o.string("model")?,
            emulated: o.boolean("emulated")?,
            images: o.list("images", true)?,
            seed: o.nullable("seed", "a whole number", Value::as_u64)?,
            seed_chosen: o.boolean("seed_chosen")?,
            total_ms: o.get("total_ms", "a whole number", Value::as_u64)?,
            timings: o.nullable("timings", "a value", any)?,
            usage: o.nullable("usage", "a value", any)?,
            ran_prompt: o.nullable("ran_prompt", "a string", text)?,
            upstream: o.nullable("upstream", "a value", any)?,
        })
    }
}

/// On the wire: `{"state": "queued", "position": …}` and so on, one member per state.
impl Wire for JobState {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["state", "position", "progress", "result", "error"])?;
        Ok(match o.string("state")?.as_str() {
            "queued" => {
                let position =
                    o.optional("position", "a whole number", |v| v.as_u64().and_then(|n| u32::try_from(n).ok()))?;
                JobState::Queued { position }
            }
            "running" => JobState::Running { progress: o.optional("progress", "a number", Value::as_f64)? },
            "done" => {
                let result = o.optional("result", "a result", |v| Some(GenerateResponse::read(v)))?;
                let result = result.ok_or("a done job without its result")??;
                JobState::Done { result: Box::new(result) }
            }
            "failed" => {
                let error = o.optional("error", "an error", |v| Some(ApiError::read(v)))?;
                JobState::Failed { error: error.ok_or("a failed job without its error")?? }
            }
            other => return Err(format!("unknown job state `{other}`")),
        })
    }
}

impl Wire for JobTicket {
    fn read(value: &Value) -> Result<Self, String> {
        Ok(Self { job: Obj::new(value, &["job"])?.string("job")? })
    }
}

impl Wire for ApiError {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["message", "fields", "request_id"])?;
        Ok(Self {
            message: o.string("message")?,
            fields: o.list("fields", false)?,
            request_id: o.optional("request_id", "a string", text)?,
        })
    }
}

/// Read as its derive reads it: members beside `field` and `message` are let be.
impl Wire for FieldError {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj(value.as_object().ok_or("expected an object")?);
        Ok(Self { field: o.string("field")?, message: o.string("message")? })
    }
}

impl Wire for Upload {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["reference", "width", "height", "content_type", "bytes"])?;
        Ok(Self {
            reference: o.string("reference")?,
            width: o.u32("width")?,
            height: o.u32("height")?,
            content_type: o.string("content_type")?,
            bytes: o.get("bytes", "a whole number", |v| v.as_u64().and_then(|n| usize::try_from(n).ok()))?,
        })
    }
}

impl Wire for BackendStatus {
    fn read(value: &Value) -> Result<Self, String> {
        Ok(Self { providers: Obj::new(value, &["providers"])?.list("providers", true)? })
    }
}

impl Wire for ProviderStatus {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["id", "live", "model_name"])?;
        Ok(Self {
            id: o.string("id")?,
            live: o.boolean("live")?,
            model_name: o.optional("model_name", "a string", text)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::json;

    /// What the serde derive makes of `value`, and what the reader makes of it: the same
    /// value, or both an error.
    fn agree<T: Wire + DeserializeOwned + PartialEq + std::fmt::Debug>(value: Value) {
        let derived = serde_json::from_value::<T>(value.clone());
        let read = T::read(&value);
        match (derived, read) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{value}"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("derive {a:?} but reader {b:?} for {value}"),
        }
    }

    #[test]
    fn the_readers_agree_with_the_serde_derives() {
        let image = json!({"url": "/images/a.png", "width": 1, "height": 2, "content_type": "image/png", "nsfw": null});
        let done = json!({"request_id": "r", "model": "m", "emulated": true, "images": [image], "seed": 1,
            "seed_chosen": false, "total_ms": 3, "timings": {"a": 1}, "usage": null, "ran_prompt": "x", "upstream": null});
        let variants = |base: &Value| {
            let mut out = vec![base.clone()];
            for key in base.as_object().unwrap().keys() {
                let mut without = base.clone();
                without.as_object_mut().unwrap().remove(key);
                out.push(without);
                for wrong in
                    [json!(null), json!("7"), json!(7), json!(-1), json!(1.5), json!(true), json!([]), json!({})]
                {
                    let mut changed = base.clone();
                    changed[key] = wrong;
                    out.push(changed);
                }
            }
            let mut extra = base.clone();
            extra["cost"] = json!(2);
            out.push(extra);
            out
        };
        for v in variants(&image) {
            agree::<GeneratedImage>(v);
        }
        for v in variants(&done) {
            agree::<GenerateResponse>(v);
        }
        let error = json!({"message": "m", "fields": [{"field": "f", "message": "x"}], "request_id": "r"});
        for v in variants(&error) {
            agree::<ApiError>(v);
        }
        for v in variants(
            &json!({"reference": "/uploads/a.png", "width": 3, "height": 4, "content_type": "image/png", "bytes": 9}),
        ) {
            agree::<Upload>(v);
        }
        for v in variants(&json!({"providers": [{"id": "bfl", "live": false, "model_name": "x"}]})) {
            agree::<BackendStatus>(v);
        }
        for v in variants(&json!({"job": "j"})) {
            agree::<JobTicket>(v);
        }
        for state in [
            json!({"state": "queued", "position": 2}),
            json!({"state": "queued"}),
            json!({"state": "running", "progress": 0.5}),
            json!({"state": "done", "result": done}),
            json!({"state": "done"}),
            json!({"state": "failed", "error": error}),
            json!({"state": "failed"}),
            json!({"state": "paused"}),
        ] {
            for v in variants(&state) {
                agree::<JobState>(v);
            }
        }
    }
}
