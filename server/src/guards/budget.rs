//! The daily budget: images, and estimated US dollars where the model has a price
//! (the catalog's published one, or the operator's `FLUXPLAY_PRICES`), are reserved under one lock before a submit, so concurrent requests
//! can never together pass the limit. A reservation is kept once the request
//! goes to the provider (it may have been charged), and given back when nothing
//! was submitted: a reference URL that could not be fetched, any error before.
//!
//! The estimate counts the pixels each model really makes, from the catalog's
//! data (`catalog::Output`), and never less: where a size is not documented it
//! counts a bound.

use crate::error::Error;
use crate::limits::Limits;
use crate::store::ImageStore;
use app::cost::dollars;
use app::valid::{Source, Valid};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

const DAY: u64 = 86_400;

/// What a request will cost, as far as we can tell before sending it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub images: u32,
    /// Of each image.
    pub megapixels: f64,
    /// Known only when the operator configured the model's price.
    pub usd: Option<f64>,
}

#[derive(Debug)]
pub struct Budget {
    images: u32,
    usd: Option<f64>,
    spent: Arc<Mutex<Spent>>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Spent {
    pub day: u64,
    pub images: u32,
    pub usd: f64,
}

/// One request's share of today's budget. Dropped before [`Reservation::submitted`],
/// it is given back: nothing reached the provider, so nothing was charged.
#[derive(Debug)]
pub struct Reservation {
    spent: Arc<Mutex<Spent>>,
    day: u64,
    images: u32,
    usd: f64,
    submitted: bool,
}

impl Reservation {
    /// Lowers the reservation to `cost` where that is less (a reference URL, once
    /// fetched, is smaller than the bound counted for it); never raises it.
    pub fn settle(&mut self, cost: &Estimate) {
        let images = cost.images.min(self.images);
        let usd = cost.usd.unwrap_or(0.0).min(self.usd);
        self.give_back(self.images - images, self.usd - usd);
        (self.images, self.usd) = (images, usd);
    }

    /// The request goes to the provider now: from here on it may be charged, so it is kept.
    pub fn submitted(&mut self) {
        self.submitted = true;
    }

    fn give_back(&self, images: u32, usd: f64) {
        let mut spent = self.spent.lock().expect("budget lock");
        // A reservation from a day already over was cleared with it.
        if spent.day == self.day {
            spent.images = spent.images.saturating_sub(images);
            spent.usd = (spent.usd - usd).max(0.0);
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.submitted {
            self.give_back(self.images, self.usd);
        }
    }
}

impl Budget {
    pub fn new(limits: &Limits) -> Self {
        Self { images: limits.guards.daily_images, usd: limits.guards.daily_usd, spent: Arc::default() }
    }

    /// Reserves `cost` against today's budget at `now` (seconds since the epoch), or says
    /// which limit it would pass and when the budget renews.
    pub fn reserve_at(&self, cost: &Estimate, now: u64) -> Result<Reservation, Error> {
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
        if let (Some(limit), Some(usd)) = (self.usd, cost.usd) {
            if spent.usd + usd > limit {
                return Err(Error::Busy {
                    message: format!(
                        "This demo's daily budget of {} is used up ({} left, about {} asked). {when}",
                        dollars(limit),
                        dollars((limit - spent.usd).max(0.0)),
                        dollars(usd)
                    ),
                    retry_after: renew,
                });
            }
        }
        let usd = cost.usd.unwrap_or(0.0);
        spent.images += cost.images;
        spent.usd += usd;
        Ok(Reservation { spent: self.spent.clone(), day: today, images: cost.images, usd, submitted: false })
    }

    pub fn reserve(&self, cost: &Estimate) -> Result<Reservation, Error> {
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

/// The size of a reference image where known: an upload's, read from its file's header.
pub fn upload_size(uploads: &ImageStore) -> impl Fn(&Source) -> Option<(u32, u32)> + '_ {
    |source| match source {
        Source::Upload(name) => image::image_dimensions(uploads.path_of(name)?.0).ok(),
        Source::Url(_) => None,
    }
}

/// Images, pixels of each, and dollars that a valid request makes and costs. `reference` gives the
/// size of a reference image (see [`upload_size`]); `None` where unknown, and the
/// catalog's bound is counted.
pub fn estimate(valid: &Valid, limits: &Limits, reference: &dyn Fn(&Source) -> Option<(u32, u32)>) -> Estimate {
    let images = valid.images;
    let megapixels = valid.pixels(reference) / 1e6;
    let usd = match limits.price(&valid.model.slug()) {
        Some(p) => Some(if p.per_megapixel { p.usd * megapixels } else { p.usd } * f64::from(images)),
        None => valid.model.price().map(|price| valid.cost(price, reference).usd),
    };
    Estimate { images, megapixels, usd }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::catalog::{find, Kind, ModelRef, MAX_REFERENCE_PIXELS, MAX_REFERENCE_SIDE};
    use app::pixels::{largest, UNKNOWN};
    use app::validate::validate;
    use serde_json::{json, Map, Value};

    fn limits(vars: &[(&str, &str)]) -> Limits {
        Limits::from_pairs(vars).unwrap()
    }

    /// An upload reference in the store's own form.
    const UPLOAD: &str = "/uploads/0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a.png";

    /// `p` (with a prompt unless it has one) validated for `model`.
    fn valid(model: ModelRef, p: Value) -> Valid {
        let mut p = p.as_object().unwrap().clone();
        p.entry("prompt").or_insert_with(|| json!("x"));
        validate(model, &p).unwrap_or_else(|e| panic!("{}: {e:?}", model.slug()))
    }

    /// No reference image's size is known.
    fn unknown(_: &Source) -> Option<(u32, u32)> {
        None
    }

    /// Pixels of one image as estimated for `slug` with `p`, every reference `dims`.
    fn pixels_of(slug: &str, p: Value, dims: Option<(u32, u32)>) -> f64 {
        (estimate(&valid(find(slug).unwrap(), p), &limits(&[]), &|_| dims).megapixels * 1e6).round()
    }

    /// A reservation kept as if its request had been submitted.
    fn kept(r: Result<Reservation, Error>) -> Reservation {
        let mut r = r.expect("fits the budget");
        r.submitted();
        r
    }

    #[test]
    fn reservations_stop_at_the_limit_and_renew_the_next_day() {
        let budget = Budget::new(&limits(&[("FLUXPLAY_DAILY_IMAGES", "5")]));
        let two = Estimate { images: 2, megapixels: 1.0, usd: None };
        let now = 10 * DAY + 3600;
        kept(budget.reserve_at(&two, now));
        kept(budget.reserve_at(&two, now));
        let Err(Error::Busy { message, retry_after }) = budget.reserve_at(&two, now) else { panic!("over budget") };
        assert!(message.contains("5 images") && message.contains("1 left"), "{message}");
        assert_eq!(retry_after, DAY - 3600);
        kept(budget.reserve_at(&Estimate { images: 1, ..two }, now));
        kept(budget.reserve_at(&two, now + DAY));
    }

    #[test]
    fn a_reservation_not_submitted_is_given_back_and_one_settles_only_down() {
        let l = limits(&[("FLUXPLAY_DAILY_IMAGES", "3"), ("FLUXPLAY_DAILY_USD", "10")]);
        let budget = Budget::new(&l);
        let cost = Estimate { images: 2, megapixels: 4.0, usd: Some(8.0) };
        let now = 5 * DAY;
        drop(budget.reserve_at(&cost, now).unwrap());
        assert_eq!(budget.spent(), Spent { day: 5, images: 0, usd: 0.0 }, "nothing was submitted");

        let mut r = budget.reserve_at(&cost, now).unwrap();
        r.settle(&Estimate { images: 2, megapixels: 1.0, usd: Some(2.0) });
        r.settle(&Estimate { images: 3, megapixels: 9.0, usd: Some(18.0) });
        assert_eq!(budget.spent(), Spent { day: 5, images: 2, usd: 2.0 }, "down to the real size, never up");
        r.submitted();
        drop(r);
        assert_eq!(budget.spent(), Spent { day: 5, images: 2, usd: 2.0 }, "a submitted request is kept");

        let late = budget.reserve_at(&Estimate { images: 1, megapixels: 1.0, usd: Some(1.0) }, now).unwrap();
        kept(budget.reserve_at(&Estimate { images: 1, megapixels: 1.0, usd: None }, now + DAY));
        drop(late);
        assert_eq!(budget.spent(), Spent { day: 6, images: 1, usd: 0.0 }, "yesterday's is not taken from today");
    }

    #[test]
    fn dollars_count_where_a_price_is_known() {
        let l = limits(&[("FLUXPLAY_DAILY_USD", "10"), ("FLUXPLAY_PRICES", "bfl/flux-dev=2.5/mp")]);
        let model = find("bfl/flux-dev").unwrap();
        let cost = estimate(&valid(model, json!({"width": 1024, "height": 1024})), &l, &unknown);
        assert_eq!(cost.images, 1);
        assert!((cost.usd.unwrap() - 2.5 * 1.048576).abs() < 1e-9, "{cost:?}");
        let budget = Budget::new(&l);
        let _held: Vec<_> = (0..3).map(|_| kept(budget.reserve_at(&cost, 0))).collect();
        assert!(matches!(budget.reserve_at(&cost, 0), Err(Error::Busy { .. })), "a fourth would pass $10");
        let unpriced = estimate(&valid(find("segmind/flux-dev").unwrap(), json!({})), &l, &unknown);
        assert_eq!(unpriced.usd, None);
    }

    /// With no override the catalog's published price counts: FLUX.2 [pro] at 1 MP out
    /// and one 1 MP reference is BFL's "$0.045 edit"; an override replaces it.
    #[test]
    fn the_catalogs_price_counts_unless_the_operator_sets_one() {
        let model = find("bfl/flux-2-pro").unwrap();
        let upload = format!("/uploads/{}.png", "c".repeat(64));
        let edit = valid(model, json!({"width": 1024, "height": 976, "input_image": [upload]}));
        let catalog = estimate(&edit, &limits(&[]), &|_| Some((1000, 1000)));
        assert!((catalog.usd.unwrap() - 0.045).abs() < 1e-9, "{catalog:?}");
        let over = estimate(&edit, &limits(&[("FLUXPLAY_PRICES", "bfl/flux-2-pro=0.5")]), &|_| Some((1000, 1000)));
        assert_eq!(over.usd, Some(0.5));
    }

    #[test]
    fn image_counts_come_from_each_providers_count_field() {
        let l = limits(&[]);
        for (slug, key) in [
            ("fal/fal-ai/flux/dev", "num_images"),
            ("replicate/black-forest-labs/flux-dev", "num_outputs"),
            ("segmind/flux-dev", "samples"),
        ] {
            let p = valid(find(slug).unwrap(), json!({ key: 3 }));
            assert_eq!(estimate(&p, &l, &unknown).images, 3, "{slug}");
            let p = valid(find(slug).unwrap(), json!({ key: 3.0 }));
            assert_eq!(estimate(&p, &l, &unknown).images, 3, "{slug}: a whole number written 3.0 is 3");
        }
    }

    #[test]
    fn sizes_come_from_the_catalogs_data_for_every_kind_of_output() {
        let none = None;
        // Fields: presets, custom sizes, width × height, "WxH".
        assert_eq!(pixels_of("aimlapi/flux/dev", json!({"prompt": "x"}), none), 1024.0 * 768.0);
        assert_eq!(pixels_of("fal/fal-ai/flux/dev", json!({"image_size": "square"}), none), 512.0 * 512.0);
        let custom = json!({"image_size": {"width": 4096, "height": 2048}});
        assert_eq!(pixels_of("fal/fal-ai/flux/dev", custom, none), 4096.0 * 2048.0);
        assert_eq!(pixels_of("bfl/flux-dev", json!({"width": 1440, "height": 256}), none), 1440.0 * 256.0);
        assert_eq!(pixels_of("openai/flux-dev", json!({"size": "1536x1024"}), none), 1536.0 * 1024.0);
        // Ultra: 16:9 is documented (and the default); the others about as many pixels, rounded up.
        let ultra = "aimlapi/flux-pro/v1.1-ultra";
        assert_eq!(pixels_of(ultra, json!({}), none), 2752.0 * 1536.0);
        for ratio in ["21:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21"] {
            let mp = pixels_of(ultra, json!({ "aspect_ratio": ratio }), none) / 1e6;
            assert!((4.2..4.4).contains(&mp), "{ratio}: {mp}");
        }
        assert_eq!(
            pixels_of("aimlapi/flux/kontext-pro/text-to-image", json!({"aspect_ratio": "1:1"}), none),
            1048576.0
        );
        // Replicate's table, halved by megapixels=0.25; 1min.ai's "2" doubles the area, rounded up.
        let replicate = "replicate/black-forest-labs/flux-dev";
        assert_eq!(pixels_of(replicate, json!({"aspect_ratio": "21:9"}), none), 1536.0 * 640.0);
        assert_eq!(pixels_of(replicate, json!({"aspect_ratio": "21:9", "megapixels": "0.25"}), none), 768.0 * 320.0);
        assert_eq!(pixels_of("1min/black-forest-labs/flux-dev", json!({"megapixels": "2"}), none), 1472.0 * 1472.0);
        assert_eq!(pixels_of("segmind/flux-dev", json!({"aspect_ratio": "9:16"}), none), 768.0 * 1344.0);
        // A reference: its own size (sides up to 32), within Replicate's 1440×1440; unknown, the bound.
        let i2i = "aimlapi/flux/dev/image-to-image";
        let reference = json!({"image_url": UPLOAD});
        assert_eq!(pixels_of(i2i, reference.clone(), Some((1000, 750))), 1024.0 * 768.0);
        assert_eq!(pixels_of(i2i, reference, None), 16_777_216.0 + 32.0 * (8192.0 + 2048.0) + 1024.0);
        let big = json!({"image": UPLOAD, "aspect_ratio": "21:9"});
        assert_eq!(pixels_of(replicate, big.clone(), Some((4000, 3000))), 1440.0 * 1088.0);
        assert_eq!(pixels_of(replicate, big, None), 1440.0 * 1440.0);
        // …or the image's shape at the chosen area, when that is larger (1min.ai).
        let shaped = json!({"image_prompt": UPLOAD, "aspect_ratio": "16:9"});
        assert_eq!(pixels_of("1min/black-forest-labs/flux-dev", shaped, Some((64, 64))), 1024.0 * 1024.0);
        // FLUX 3: a resolution class shaped by the ratio covers the sizes seen in live runs
        // (providers-flux2-flux3.md §1.3: 4:3 @ 1k made 1184×880, 16:9 @ 2k made 2736×1536).
        let flux3 = "bfl/flux-3-image";
        assert!(pixels_of(flux3, json!({"aspect_ratio": "4:3", "resolution": "1k"}), none) >= 1184.0 * 880.0);
        assert!(pixels_of(flux3, json!({"aspect_ratio": "16:9", "resolution": "2k"}), none) >= 2736.0 * 1536.0);
        let more = pixels_of(flux3, json!({"aspect_ratio": "16:9", "resolution": "4k"}), none);
        assert!(more > 4.0 * pixels_of(flux3, json!({"aspect_ratio": "16:9", "resolution": "2k"}), none) * 0.9);
    }

    #[test]
    fn the_reference_bounds_are_the_decoders_limits() {
        assert_eq!((crate::decode::MAX_SIDE, crate::decode::MAX_PIXELS), (MAX_REFERENCE_SIDE, MAX_REFERENCE_PIXELS));
    }

    #[test]
    fn every_model_has_a_size_from_its_data() {
        for model in app::catalog::models() {
            let mut p = Map::new();
            for field in model.model.fields {
                let Kind::Image(image) = &field.kind else { continue };
                let value = if image.list.is_some() { json!([UPLOAD]) } else { json!(UPLOAD) };
                p.insert(field.key.into(), value);
            }
            let cost = estimate(&valid(model, Value::Object(p)), &limits(&[]), &|_| Some((1024, 1024)));
            assert!(cost.megapixels > 0.0 && cost.megapixels * 1e6 < UNKNOWN, "{} {cost:?}", model.slug());
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Whatever dimensions, counts and references are asked, what validation lets
        /// through stays within 10 images (OpenAI's documented `n` maximum; the others
        /// stop at 4) of at most 4096×4096, or, with a reference image, what the largest
        /// reference this server accepts makes: the cost of one request is bounded.
        #[test]
        fn what_validation_accepts_has_a_bounded_cost(
            model in 0..app::catalog::models().count(),
            w in proptest::prop_oneof![4 => (8u64..64).prop_map(|k| k * 32), 1 => 1u64..5000, 1 => 0u64..2_000_000],
            h in proptest::prop_oneof![4 => (8u64..64).prop_map(|k| k * 32), 1 => 1u64..5000, 1 => 0u64..2_000_000],
            n in proptest::prop_oneof![4 => 1u64..6, 1 => 0u64..1_000_000],
            url in proptest::bool::ANY,
        ) {
            let model = app::catalog::models().nth(model).unwrap();
            let image = if url { "https://example.com/a.png" } else { "/uploads/0000000000000000000000000000000000000000000000000000000000000000.png" };
            let mut params = json!({
                "prompt": "x", "width": w, "height": h, "image_size": {"width": w, "height": h},
                "num_images": n, "samples": n, "num_outputs": n, "n": n, "size": format!("{w}x{h}"),
                "image_url": image, "image": image, "image_prompt": image,
                "images": [image, image], "input_image": [image],
            }).as_object().unwrap().clone();
            params.retain(|k, _| model.field(k).is_some());
            if let Ok(valid) = validate(model, &params) {
                // An upload is within the decoder's limits; a URL's size is not known yet.
                let fits = w * h <= MAX_REFERENCE_PIXELS && w.max(h) <= u64::from(MAX_REFERENCE_SIDE);
                let dims = (!url && fits).then_some((w as u32, h as u32));
                let cost = estimate(&valid, &limits(&[]), &|_| dims);
                let referenced = !valid.references.is_empty();
                // FLUX 3's 4k class (≈16.8 MP, shaped by its ratio, sides rounded up) is the largest documented output.
                let most = if referenced { largest(MAX_REFERENCE_SIDE) } else { 4096.0 * 4096.0 }.max(17.5e6);
                let most = most / 1e6;
                proptest::prop_assert!(cost.images <= 10, "{} {cost:?}", model.slug());
                proptest::prop_assert!(cost.megapixels <= most, "{} {cost:?}", model.slug());
            }
        }
    }
}
