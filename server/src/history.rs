//! A recorded generation as the API and the pages show it: its images, its
//! outcome, and the links that restore its form or show it.

use crate::db::history::{Failure, Generation};
use app::api::{GenerateResponse, GeneratedImage};
use app::catalog::{self, ModelRef, Role};
use serde::Serialize;
use serde_json::{Map, Value};

/// Generations per page of history, unless asked for fewer.
pub const PAGE: i64 = 24;
/// The most one page may hold.
pub const MAX_PAGE: i64 = 100;

/// One entry of `GET /api/history`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub id: String,
    /// Unix milliseconds.
    pub created: i64,
    pub model: String,
    pub params: Map<String, Value>,
    pub seed: Option<i64>,
    pub ok: bool,
    pub emulated: bool,
    pub total_ms: i64,
    /// The budget's estimate, where one was counted.
    pub cost_usd: Option<f64>,
    /// The provider's own usage report, as it gave it.
    pub usage: Option<Value>,
    /// The provider's own timings, where it sends them.
    pub timings: Option<Value>,
    pub images: Vec<GeneratedImage>,
    /// `/thumbs/…`: a small copy of each image, in order.
    pub thumbs: Vec<String>,
    /// Why it failed, where it did.
    pub error: Option<String>,
    pub request_id: String,
    /// `/r/{id}`.
    pub permalink: String,
    /// The playground with this generation's form: `/?model=…`.
    pub restore: String,
}

/// `GET /api/history`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page {
    pub items: Vec<Entry>,
    /// `before` for the next page, when there may be one.
    pub next: Option<i64>,
}

impl Entry {
    /// `g` as a visitor of the site mounted at `base` sees it.
    pub fn from_generation(g: Generation, base: &str) -> Self {
        let params: Map<String, Value> = serde_json::from_str(&g.params).unwrap_or_default();
        let (images, usage, timings, error) = if g.ok {
            match serde_json::from_str::<GenerateResponse>(&g.outcome) {
                Ok(r) => (r.images, r.usage, r.timings, None),
                Err(_) => (Vec::new(), None, None, None),
            }
        } else {
            let error = serde_json::from_str::<Failure>(&g.outcome).map(|f| f.error.message).unwrap_or_default();
            (Vec::new(), None, None, Some(error))
        };
        // Built from the site's root, as stored; the base is added once, here.
        let at = |path: &str| crate::base_path::path(base, path);
        let restore = match catalog::find(&g.model) {
            Some(model) => at(&format!("/?{}", app::share::to_query(model, &app::form::from_params(model, &params)))),
            None => at("/"),
        };
        Entry {
            permalink: at(&format!("/r/{}", g.id)),
            id: g.id,
            created: g.created,
            model: g.model,
            params,
            seed: g.seed,
            ok: g.ok,
            emulated: g.emulated,
            total_ms: g.total_ms,
            cost_usd: g.cost_micro_usd.map(|m| m as f64 / 1e6),
            usage,
            timings,
            thumbs: images
                .iter()
                .filter_map(|i| i.url.strip_prefix("/images/").and_then(crate::store::thumb_of))
                .map(|t| at(&format!("/thumbs/{t}")))
                .collect(),
            images: images.into_iter().map(|i| GeneratedImage { url: at(&i.url), ..i }).collect(),
            error,
            request_id: g.request_id,
            restore,
        }
    }

    pub fn model(&self) -> Option<ModelRef> {
        catalog::find(&self.model)
    }

    /// The prompt, where the model has one.
    pub fn prompt(&self) -> &str {
        self.model()
            .and_then(|m| m.with_role(Role::Prompt))
            .and_then(|f| self.params.get(f.key))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}
