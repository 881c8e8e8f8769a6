//! Decoding answers in the browser: the browser's own `JSON.parse`, then the wire
//! types' own serde derives driven over the parsed value by the small deserialiser
//! below. Generic, so no field list is kept here; size-conscious, because the
//! first-load budget is 200 KB: serde_json's parser or `serde-wasm-bindgen` cost
//! 8 to 14 KB compressed more than this, mostly error messages that format the value found
//! (which pulls in float formatting). Errors here say what was expected and where.
//! Natively `api::decode` runs serde_json over the same types.

use crate::unreadable::Unreadable;
use js_sys::{Array, Object, Reflect, JSON};
use serde::de::{self, IntoDeserializer, Visitor};
use std::fmt::Display;
use wasm_bindgen::{JsCast, JsValue};

pub fn decode<T: de::DeserializeOwned>(text: &str) -> Result<T, Unreadable> {
    let value = JSON::parse(text).map_err(|_| Unreadable::NotJson)?;
    T::deserialize(Js(value)).map_err(|e| Unreadable::Shape(e.0))
}

#[derive(Debug)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Self(msg.to_string())
    }

    // The value found is left out: formatting it would bring float formatting into the wasm.
    fn invalid_type(_: de::Unexpected, expected: &dyn de::Expected) -> Self {
        Self(format!("invalid type, expected {expected}"))
    }

    fn invalid_value(_: de::Unexpected, expected: &dyn de::Expected) -> Self {
        Self(format!("invalid value, expected {expected}"))
    }
}

/// A value `JSON.parse` returned, as a serde deserialiser.
struct Js(JsValue);

impl<'de> de::Deserializer<'de> for Js {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let v = self.0;
        if v.is_null() || v.is_undefined() {
            visitor.visit_unit()
        } else if let Some(b) = v.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(n) = v.as_f64() {
            // JS has one number type; whole ones read as integers, as the server sent them.
            if n.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&n) {
                visitor.visit_u64(n as u64)
            } else if n.fract() == 0.0 && (-9_223_372_036_854_775_808.0..0.0).contains(&n) {
                visitor.visit_i64(n as i64)
            } else {
                visitor.visit_f64(n)
            }
        } else if let Some(s) = v.as_string() {
            visitor.visit_string(s)
        } else if Array::is_array(&v) {
            let items = Array::from(&v);
            let mut seq = Seq { items, next: 0 };
            let value = visitor.visit_seq(&mut seq)?;
            match seq.items.length() == seq.next {
                true => Ok(value),
                false => Err(de::Error::custom("too many items in an array")),
            }
        } else if let Some(obj) = v.dyn_ref::<Object>() {
            visitor.visit_map(Fields { keys: Object::keys(obj), next: 0, obj: v })
        } else {
            Err(de::Error::custom("a value JSON cannot hold"))
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    /// A struct is an object only (never an array), so no struct's sequence visitor is in the wasm.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let v = self.0;
        match v.dyn_ref::<Object>() {
            Some(obj) if !Array::is_array(&v) => visitor.visit_map(Fields { keys: Object::keys(obj), next: 0, obj: v }),
            _ => Err(expected(&visitor)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    // The types a wire struct holds are read directly, not through `deserialize_any`:
    // each visitor type would otherwise get its own copy of the whole dispatch.
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.as_bool() {
            Some(b) => visitor.visit_bool(b),
            None => Err(expected(&visitor)),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&n) => {
                visitor.visit_u64(n as u64)
            }
            Some(n) => visitor.visit_f64(n),
            None => Err(expected(&visitor)),
        }
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.as_f64() {
            Some(n) => visitor.visit_f64(n),
            None => Err(expected(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.as_string() {
            Some(s) => visitor.visit_string(s),
            None => Err(expected(&visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if !Array::is_array(&self.0) {
            return Err(expected(&visitor));
        }
        let mut seq = Seq { items: Array::from(&self.0), next: 0 };
        let value = visitor.visit_seq(&mut seq)?;
        match seq.items.length() == seq.next {
            true => Ok(value),
            false => Err(de::Error::custom("too many items in an array")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u128 f32 char
        bytes byte_buf unit unit_struct tuple tuple_struct map enum identifier
    }
}

/// The error for a value of the wrong kind.
fn expected(visitor: &dyn de::Expected) -> Error {
    Error(format!("invalid type, expected {visitor}"))
}

struct Seq {
    items: Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = Error;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        self.next += 1;
        seed.deserialize(Js(self.items.get(self.next - 1))).map(Some)
    }
}

struct Fields {
    keys: Array,
    next: u32,
    obj: JsValue,
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        if self.next >= self.keys.length() {
            return Ok(None);
        }
        let key = self.keys.get(self.next).as_string().unwrap_or_default();
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let key = self.keys.get(self.next);
        self.next += 1;
        let key_name = key.as_string().unwrap_or_default();
        let value = Reflect::get(&self.obj, &key).unwrap_or(JsValue::UNDEFINED);
        seed.deserialize(Js(value)).map_err(|Error(why)| Error(format!("{key_name}: {why}")))
    }
}
