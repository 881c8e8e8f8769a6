//! The daily budget: images (and estimated credits where the operator gave a
//! price) are reserved under one lock before a submit, so concurrent requests
//! can never together pass the limit. A reservation is never given back: once
//! a submit may have reached the provider, it may have been charged.

use crate::error::Error;
use crate::limits::Limits;
use app::catalog::{Kind, ModelRef};
use app::form::effective;
use serde_json::{Map, Value};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

const DAY: u64 = 86_400;

/// What a request will cost, as far as we can tell before sending it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub images: u32,
    pub megapixels: f64,
    /// Known only when the operator configured the model's price.
    pub credits: Option<f64>,
}

#[derive(Debug)]
pub struct Budget {
    images: u32,
    credits: Option<f64>,
    spent: Mutex<Spent>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Spent {
    pub day: u64,
    pub images: u32,
    pub credits: f64,
}

impl Budget {
    pub fn new(limits: &Limits) -> Self {
        Self { images: limits.daily_images, credits: limits.daily_credits, spent: Mutex::default() }
    }

    /// Reserves `cost` against today's budget at `now` (seconds since the epoch), or says
    /// which limit it would pass and when the budget renews.
    pub fn reserve_at(&self, cost: &Estimate, now: u64) -> Result<(), Error> {
        let mut spent = self.spent.lock().expect("budget lock");
        let today = now / DAY;
        if spent.day != today {
            *spent = Spent { day: today, ..Spent::default() };
        }
        let renew = DAY - now % DAY;
        let when = format!("It renews at midnight UTC, in {}.", hours(renew));
        if self.images > 0 && spent.images + cost.images > self.images {
            return Err(Error::Busy {
                message: format!(
                    "This demo's daily budget of {} is used up ({} left, {} asked). {when}",
                    images(self.images),
                    self.images - spent.images,
                    cost.images
                ),
                retry_after: renew,
            });
        }
        if let (Some(limit), Some(credits)) = (self.credits, cost.credits) {
            if spent.credits + credits > limit {
                return Err(Error::Busy {
                    message: format!(
                        "This demo's daily budget of {limit} credits is used up ({:.2} left, about {credits:.2} asked). {when}",
                        (limit - spent.credits).max(0.0)
                    ),
                    retry_after: renew,
                });
            }
        }
        spent.images += cost.images;
        spent.credits += cost.credits.unwrap_or(0.0);
        Ok(())
    }

    pub fn reserve(&self, cost: &Estimate) -> Result<(), Error> {
        self.reserve_at(cost, SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()))
    }

    pub fn spent(&self) -> Spent {
        *self.spent.lock().expect("budget lock")
    }
}

fn images(n: u32) -> String {
    if n == 1 {
        "1 image".into()
    } else {
        format!("{n} images")
    }
}

fn hours(secs: u64) -> String {
    match secs {
        s if s >= 3600 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s => format!("{} min", s.div_ceil(60)),
    }
}

/// Images and megapixels a validated request asks for; unknown sizes count as 1 MP.
pub fn estimate(model: ModelRef, params: &Map<String, Value>, limits: &Limits) -> Estimate {
    let values = effective(model, params, true);
    let images = ["num_images", "samples", "num_outputs", "n"]
        .iter()
        .find_map(|k| values.get(*k).and_then(Value::as_u64))
        .map_or(1, |n| u32::try_from(n).unwrap_or(u32::MAX).max(1));
    let megapixels = size(model, &values).map_or(1.0, |(w, h)| w * h / 1e6);
    let credits = limits.price(&model.slug()).map(|p| {
        let per_image = if p.per_megapixel { p.credits * megapixels } else { p.credits };
        per_image * f64::from(images)
    });
    Estimate { images, megapixels, credits }
}

fn size(model: ModelRef, values: &Map<String, Value>) -> Option<(f64, f64)> {
    let number = |k: &str| values.get(k).and_then(Value::as_f64);
    if let (Some(w), Some(h)) = (number("width"), number("height")) {
        return Some((w, h));
    }
    for field in model.model.fields {
        let value = values.get(field.key)?;
        match (&field.kind, value) {
            (Kind::Size(size), Value::String(name)) => {
                return size.preset(name).map(|p| (f64::from(p.width), f64::from(p.height)))
            }
            (Kind::Size(_), Value::Object(custom)) => {
                return Some((custom.get("width")?.as_f64()?, custom.get("height")?.as_f64()?))
            }
            (_, Value::String(text)) if field.key == "size" => {
                let (w, h) = text.split_once('x')?;
                return Some((w.parse().ok()?, h.parse().ok()?));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(vars: &[(&str, &str)]) -> Limits {
        Limits::from_pairs(vars).unwrap()
    }

    #[test]
    fn reservations_stop_at_the_limit_and_renew_the_next_day() {
        let budget = Budget::new(&limits(&[("FLUXPLAY_DAILY_IMAGES", "5")]));
        let two = Estimate { images: 2, megapixels: 1.0, credits: None };
        let now = 10 * DAY + 3600;
        assert!(budget.reserve_at(&two, now).is_ok());
        assert!(budget.reserve_at(&two, now).is_ok());
        let Err(Error::Busy { message, retry_after }) = budget.reserve_at(&two, now) else { panic!("over budget") };
        assert!(message.contains("5 images") && message.contains("1 left"), "{message}");
        assert_eq!(retry_after, DAY - 3600);
        assert!(budget.reserve_at(&Estimate { images: 1, ..two }, now).is_ok(), "the last one still fits");
        assert!(budget.reserve_at(&two, now + DAY).is_ok(), "a new day");
    }

    #[test]
    fn credits_count_where_a_price_is_known() {
        let l = limits(&[("FLUXPLAY_DAILY_CREDITS", "10"), ("FLUXPLAY_PRICES", "bfl/flux-dev=2.5/mp")]);
        let model = app::catalog::find("bfl/flux-dev").unwrap();
        let params = serde_json::json!({"prompt": "x", "width": 1024, "height": 1024}).as_object().unwrap().clone();
        let cost = estimate(model, &params, &l);
        assert_eq!(cost.images, 1);
        assert!((cost.credits.unwrap() - 2.5 * 1.048576).abs() < 1e-9, "{cost:?}");
        let budget = Budget::new(&l);
        for _ in 0..3 {
            budget.reserve_at(&cost, 0).unwrap();
        }
        assert!(matches!(budget.reserve_at(&cost, 0), Err(Error::Busy { .. })), "a fourth would pass 10 credits");
        let unpriced = estimate(app::catalog::find("segmind/flux-dev").unwrap(), &Map::new(), &l);
        assert_eq!(unpriced.credits, None);
    }

    #[test]
    fn image_counts_come_from_each_providers_count_field() {
        let l = limits(&[]);
        for (slug, key) in [
            ("fal/fal-ai/flux/dev", "num_images"),
            ("replicate/black-forest-labs/flux-dev", "num_outputs"),
            ("segmind/flux-dev", "samples"),
        ] {
            let params = serde_json::json!({ "prompt": "x", key: 3 }).as_object().unwrap().clone();
            assert_eq!(estimate(app::catalog::find(slug).unwrap(), &params, &l).images, 3, "{slug}");
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Whatever dimensions and counts are asked, what validation lets through stays
        /// within 10 images (OpenAI's documented `n` maximum; the others stop at 4) of at
        /// most 4096×4096: the cost of one request is bounded.
        #[test]
        fn what_validation_accepts_has_a_bounded_cost(
            model in 0..app::catalog::models().count(),
            w in proptest::prop_oneof![4 => (8u64..64).prop_map(|k| k * 32), 1 => 1u64..5000, 1 => 0u64..2_000_000],
            h in proptest::prop_oneof![4 => (8u64..64).prop_map(|k| k * 32), 1 => 1u64..5000, 1 => 0u64..2_000_000],
            n in proptest::prop_oneof![4 => 1u64..6, 1 => 0u64..1_000_000],
        ) {
            let model = app::catalog::models().nth(model).unwrap();
            let mut params = serde_json::json!({
                "prompt": "x", "width": w, "height": h, "image_size": {"width": w, "height": h},
                "num_images": n, "samples": n, "num_outputs": n, "n": n, "size": format!("{w}x{h}"),
            }).as_object().unwrap().clone();
            params.retain(|k, _| model.field(k).is_some());
            if app::validate::validate(model, &params).is_empty() {
                let cost = estimate(model, &params, &limits(&[]));
                proptest::prop_assert!(cost.images <= 10, "{} {cost:?}", model.slug());
                proptest::prop_assert!(cost.megapixels <= 4096.0 * 4096.0 / 1e6, "{} {cost:?}", model.slug());
            }
        }
    }
}
