//! A request that passed validation. Everything after validation (guards and
//! budget, adapters, snippets, history) takes a [`Valid`]: what a value means is
//! in typed members read through the catalog's roles, never guessed from a name.

use crate::catalog::{Field, Kind, ModelRef, Role, UPLOAD_PREFIX};
use crate::defaults::effective;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    pub model: ModelRef,
    /// The checked values by field key: only the model's fields, each in its kind's
    /// shape. For the generic request builder, which needs no meaning.
    params: Map<String, Value>,
    /// The seed the request sends, where it sends one.
    pub seed: Option<u64>,
    /// How many images the request makes.
    pub images: u32,
    /// The reference images given, in catalog order.
    pub references: Vec<Reference>,
}

/// A reference image given in a field: the field's only one, or image `index` (from 0) of its list.
#[derive(Debug, Clone)]
pub struct Reference {
    pub field: &'static Field,
    pub index: usize,
    pub source: Source,
}

impl PartialEq for Reference {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.field, other.field) && self.index == other.index && self.source == other.source
    }
}

impl Reference {
    /// Puts `text` (what the provider is sent for this image) in its place in `values`.
    pub fn set(&self, values: &mut Map<String, Value>, text: String) {
        match values.get_mut(self.field.key) {
            Some(Value::Array(items)) if self.index < items.len() => items[self.index] = Value::String(text),
            _ => {
                values.insert(self.field.key.to_owned(), Value::String(text));
            }
        }
    }
}

/// Where a reference image is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file in this server's uploads: its stored name (`<sha256>.<ext>`).
    Upload(String),
    /// An https URL, which the server fetches before anything is sent.
    Url(String),
}

/// Whether `name` is one our store makes: a SHA-256 in lowercase hex and an image extension.
pub fn is_stored_name(name: &str) -> bool {
    let Some((hash, ext)) = name.split_once('.') else {
        return false;
    };
    let hex = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    hex && matches!(ext, "png" | "jpg" | "webp")
}

/// The file name in an upload reference (`/uploads/<sha256>.<ext>`), if `value` is one.
pub fn upload_name(value: &str) -> Option<&str> {
    value.strip_prefix(UPLOAD_PREFIX).filter(|name| is_stored_name(name))
}

/// A whole, non-negative number (`2` and `2.0` alike).
fn whole(value: Option<&Value>) -> Option<u64> {
    value.and_then(Value::as_f64).filter(|x| x.fract() == 0.0 && *x >= 0.0).map(|x| x as u64)
}

impl Valid {
    /// Only [`crate::validate::validate`] makes one, from params it found valid.
    pub(crate) fn new(model: ModelRef, params: Map<String, Value>) -> Self {
        let values = effective(model, &params, true);
        let by_role = |role| model.with_role(role).and_then(|f| values.get(f.key));
        let images = whole(by_role(Role::Count)).map_or(1, |n| u32::try_from(n).unwrap_or(u32::MAX).max(1));
        let seed = whole(by_role(Role::Seed));
        let references = model
            .model
            .fields
            .iter()
            .filter(|f| matches!(f.kind, Kind::Image(_)))
            .flat_map(|field| {
                let texts: Vec<&str> = match params.get(field.key) {
                    Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                    Some(Value::String(text)) => vec![text],
                    _ => Vec::new(),
                };
                texts.into_iter().enumerate().map(move |(index, text)| {
                    let source = match upload_name(text) {
                        Some(name) => Source::Upload(name.to_owned()),
                        None => Source::Url(text.to_owned()),
                    };
                    Reference { field, index, source }
                })
            })
            .collect();
        Valid { model, params, seed, images, references }
    }

    /// The values as given (the form's), by field key.
    pub fn params(&self) -> &Map<String, Value> {
        &self.params
    }

    /// The values a request carries: with `every`, each documented default spelled
    /// out (what a generation sends); without, only what differs (a snippet's choice).
    pub fn values(&self, every: bool) -> Map<String, Value> {
        effective(self.model, &self.params, every)
    }

    /// Picks the seed with `pick(low, high)` where the form left it empty and the
    /// provider would pick one at random, so the seed shown is the one used.
    /// Whether it picked.
    pub fn choose_seed(&mut self, pick: impl FnOnce(u32, u32) -> u32) -> bool {
        let Some((key, low, high)) = random_seed_range(self.model) else { return false };
        if self.params.contains_key(key) {
            return false;
        }
        let seed = pick(low, high);
        self.params.insert(key.to_owned(), Value::from(seed));
        self.seed = Some(u64::from(seed));
        true
    }

    /// Reference `at` (an index into `references`) is now the upload `name` (a URL the
    /// server fetched and stored).
    pub fn use_upload(&mut self, at: usize, name: &str) {
        let Some(r) = self.references.get_mut(at) else { return };
        r.source = Source::Upload(name.to_owned());
        let r = r.clone();
        r.set(&mut self.params, format!("{UPLOAD_PREFIX}{name}"));
    }

    /// The uploads the request references, each with where it goes.
    pub fn uploads(&self) -> impl Iterator<Item = (&Reference, &str)> {
        self.references.iter().filter_map(|r| match &r.source {
            Source::Upload(name) => Some((r, name.as_str())),
            Source::Url(_) => None,
        })
    }
}

/// The seed field of `model` and the range a random seed is drawn from, where the
/// provider would pick one at random (no documented default); at most `i32::MAX`,
/// which every provider takes.
pub fn random_seed_range(model: ModelRef) -> Option<(&'static str, u32, u32)> {
    let field = model.with_role(Role::Seed)?;
    let Kind::Number(n) = &field.kind else { return None };
    if n.default.is_some() {
        return None;
    }
    let low = n.min.unwrap_or(0.0).max(1.0) as u32;
    let high = n.max.unwrap_or(f64::from(i32::MAX)).min(f64::from(i32::MAX)) as u32;
    Some((field.key, low, high))
}
