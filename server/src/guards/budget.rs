//! The daily budget: images, and estimated US dollars where the model has a price
//! (the catalog's published one, or the operator's `FLUXPLAY_PRICES`), are reserved
//! in the database before a submit, in one atomic step, so concurrent requests on
//! any number of replicas can never together pass the limit. A reservation is kept
//! once the request goes to the provider (it may have been charged), and given back
//! when nothing was submitted: a reference URL that could not be fetched, any error
//! before. Dollars are counted in micro-dollars, so sums are exact.
//!
//! The estimate counts the pixels each model really makes, from the catalog's
//! data (`catalog::Output`), and never less: where a size is not documented it
//! counts a bound.

use crate::db::Db;
use crate::error::Error;
use crate::limits::Limits;
use app::cost::dollars;
use app::valid::{Source, Valid};
use std::collections::HashMap;
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

pub struct Budget {
    images: u32,
    usd: Option<f64>,
    db: Db,
}

/// What today's budget holds.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Spent {
    pub day: u64,
    pub images: u32,
    pub usd: f64,
}

/// Dollars as the database counts them; rounded up, so the sum never undercounts.
pub fn micro(usd: f64) -> i64 {
    (usd * 1e6).ceil() as i64
}

/// One request's share of today's budget. Dropped before [`Reservation::submitted`],
/// it is given back: nothing reached the provider, so nothing was charged.
pub struct Reservation {
    db: Db,
    day: u64,
    images: u32,
    micro_usd: i64,
    submitted: bool,
}

impl std::fmt::Debug for Reservation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reservation({} images, {} µ$, day {})", self.images, self.micro_usd, self.day)
    }
}

impl Reservation {
    /// Lowers the reservation to `cost` where that is less (a reference URL, once
    /// fetched, is smaller than the bound counted for it); never raises it.
    pub async fn settle(&mut self, cost: &Estimate) {
        let images = cost.images.min(self.images);
        let micro_usd = micro(cost.usd.unwrap_or(0.0)).min(self.micro_usd);
        give_back(&self.db, self.day, self.images - images, self.micro_usd - micro_usd).await;
        (self.images, self.micro_usd) = (images, micro_usd);
    }

    /// The request goes to the provider now: from here on it may be charged, so it is kept.
    pub fn submitted(&mut self) {
        self.submitted = true;
    }

    /// Today's count, with this reservation in it.
    pub fn micro_usd(&self) -> i64 {
        self.micro_usd
    }

    /// Ends the reservation now: given back unless it was submitted. The drop does the same
    /// in a task of its own; this way the answer leaves only once the count is right.
    pub async fn end(mut self) {
        if !self.submitted {
            give_back(&self.db, self.day, self.images, self.micro_usd).await;
            self.submitted = true;
        }
    }
}

async fn give_back(db: &Db, day: u64, images: u32, micro_usd: i64) {
    if images == 0 && micro_usd == 0 {
        return;
    }
    if let Err(e) = db.give_back(day as i64, i64::from(images), micro_usd).await {
        // Counted as spent: the budget errs on the side of the operator's money.
        tracing::warn!("cannot give back a budget reservation: {e}");
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.submitted && (self.images > 0 || self.micro_usd > 0) {
            let (db, day, images, micro_usd) = (self.db.clone(), self.day, self.images, self.micro_usd);
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move { give_back(&db, day, images, micro_usd).await });
            }
        }
    }
}

impl Budget {
    pub fn new(limits: &Limits, db: Db) -> Self {
        Self { images: limits.guards.daily_images, usd: limits.guards.daily_usd, db }
    }

    /// Reserves `cost` against today's budget at `now` (seconds since the epoch), or says
    /// which limit it would pass and when the budget renews.
    pub async fn reserve_at(&self, cost: &Estimate, now: u64) -> Result<Reservation, Error> {
        let today = now / DAY;
        let micro_usd = if self.usd.is_some() { cost.usd.map_or(0, micro) } else { 0 };
        let max_images = (self.images > 0).then_some(i64::from(self.images));
        let max_micro = self.usd.map(micro);
        let refused =
            match self.db.reserve(today as i64, i64::from(cost.images), micro_usd, max_images, max_micro).await? {
                Ok(()) => {
                    return Ok(Reservation {
                        db: self.db.clone(),
                        day: today,
                        images: cost.images,
                        micro_usd,
                        submitted: false,
                    })
                }
                Err(spent) => spent,
            };
        let renew = DAY - now % DAY;
        let when = format!("It renews at midnight UTC, in {}.", hours(renew));
        let spent_images = u32::try_from(refused.images).unwrap_or(u32::MAX);
        let message = if max_images.is_some_and(|max| refused.images + i64::from(cost.images) > max) {
            format!(
                "This demo's daily budget of {} is used up ({} left, {} asked). {when}",
                images(self.images),
                self.images.saturating_sub(spent_images),
                cost.images
            )
        } else {
            let limit = self.usd.unwrap_or(0.0);
            let spent = refused.micro_usd as f64 / 1e6;
            format!(
                "This demo's daily budget of {} is used up ({} left, about {} asked). {when}",
                dollars(limit),
                dollars((limit - spent).max(0.0)),
                dollars(cost.usd.unwrap_or(0.0))
            )
        };
        Err(Error::Busy { message, retry_after: renew })
    }

    pub async fn reserve(&self, cost: &Estimate) -> Result<Reservation, Error> {
        self.reserve_at(cost, unix_now()).await
    }

    /// What is left of today's budget, in words, where one is set: for the estimate
    /// shown before Generate.
    pub async fn left_today(&self) -> Option<String> {
        if self.images == 0 && self.usd.is_none() {
            return None;
        }
        let spent = self.spent().await;
        let mut parts = Vec::new();
        if self.images > 0 {
            parts.push(format!("{} of {}", self.images.saturating_sub(spent.images), images(self.images)));
        }
        if let Some(usd) = self.usd {
            parts.push(format!("{} of {}", dollars((usd - spent.usd).max(0.0)), dollars(usd)));
        }
        Some(format!("This demo's budget left today: {}.", parts.join(", ")))
    }

    /// Today's count, all replicas together.
    pub async fn spent(&self) -> Spent {
        let day = unix_now() / DAY;
        let spent = self.db.spent(day as i64).await.unwrap_or_default();
        Spent { day, images: u32::try_from(spent.images).unwrap_or(u32::MAX), usd: spent.micro_usd as f64 / 1e6 }
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
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

/// The sizes of a request's uploaded references, as recorded when they were put:
/// read before estimating, so the estimate itself stays a plain function.
pub async fn upload_sizes(uploads: &crate::store::ImageStore, valid: &Valid) -> HashMap<String, (u32, u32)> {
    let mut sizes = HashMap::new();
    for (_, name) in valid.uploads() {
        if let Some(size) = uploads.size_of(name).await {
            sizes.insert(name.to_owned(), size);
        }
    }
    sizes
}

/// `sizes` as the estimate asks for them.
pub fn known(sizes: &HashMap<String, (u32, u32)>) -> impl Fn(&Source) -> Option<(u32, u32)> + '_ {
    |source| match source {
        Source::Upload(name) => sizes.get(name.as_str()).copied(),
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

    /// A budget on a fresh SQLite database of its own.
    fn budget(l: &Limits) -> Budget {
        let dir = std::env::temp_dir().join(format!("fluxplay-budget-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Budget::new(l, Db::open(None, &dir).unwrap())
    }

    /// A reservation kept as if its request had been submitted.
    fn kept(r: Result<Reservation, Error>) -> Reservation {
        let mut r = r.expect("fits the budget");
        r.submitted();
        r
    }

    async fn spent_on(budget: &Budget, day: u64) -> (i64, i64) {
        let s = budget.db.spent(day as i64).await.unwrap();
        (s.images, s.micro_usd)
    }

    /// Give-backs of dropped reservations run in their own task; this waits for the count.
    async fn settled(budget: &Budget, day: u64, want: (i64, i64)) {
        for _ in 0..100 {
            if spent_on(budget, day).await == want {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(spent_on(budget, day).await, want);
    }

    #[tokio::test]
    async fn reservations_stop_at_the_limit_and_renew_the_next_day() {
        let budget = budget(&limits(&[("FLUXPLAY_DAILY_IMAGES", "5")]));
        let two = Estimate { images: 2, megapixels: 1.0, usd: None };
        let now = 10 * DAY + 3600;
        kept(budget.reserve_at(&two, now).await);
        kept(budget.reserve_at(&two, now).await);
        let Err(Error::Busy { message, retry_after }) = budget.reserve_at(&two, now).await else {
            panic!("over budget")
        };
        assert!(message.contains("5 images") && message.contains("1 left"), "{message}");
        assert_eq!(retry_after, DAY - 3600);
        kept(budget.reserve_at(&Estimate { images: 1, ..two }, now).await);
        kept(budget.reserve_at(&two, now + DAY).await);
    }

    #[tokio::test]
    async fn a_reservation_not_submitted_is_given_back_and_one_settles_only_down() {
        let l = limits(&[("FLUXPLAY_DAILY_IMAGES", "3"), ("FLUXPLAY_DAILY_USD", "10")]);
        let budget = budget(&l);
        let cost = Estimate { images: 2, megapixels: 4.0, usd: Some(8.0) };
        let now = 5 * DAY;
        drop(budget.reserve_at(&cost, now).await.unwrap());
        settled(&budget, 5, (0, 0)).await;

        let mut r = budget.reserve_at(&cost, now).await.unwrap();
        r.settle(&Estimate { images: 2, megapixels: 1.0, usd: Some(2.0) }).await;
        r.settle(&Estimate { images: 3, megapixels: 9.0, usd: Some(18.0) }).await;
        assert_eq!(spent_on(&budget, 5).await, (2, 2_000_000), "down to the real size, never up");
        r.submitted();
        drop(r);
        settled(&budget, 5, (2, 2_000_000)).await;

        let late = budget.reserve_at(&Estimate { images: 1, megapixels: 1.0, usd: Some(1.0) }, now).await.unwrap();
        kept(budget.reserve_at(&Estimate { images: 1, megapixels: 1.0, usd: None }, now + DAY).await);
        drop(late);
        settled(&budget, 5, (2, 2_000_000)).await;
        assert_eq!(spent_on(&budget, 6).await, (1, 0), "yesterday's is not taken from today");
    }

    /// Many reservations at once, on the pool's several connections: never past the limit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_reservations_never_pass_the_limit() {
        let budget = std::sync::Arc::new(budget(&limits(&[("FLUXPLAY_DAILY_IMAGES", "37")])));
        let one = Estimate { images: 1, megapixels: 1.0, usd: None };
        let tasks: Vec<_> = (0..120)
            .map(|_| {
                let budget = budget.clone();
                tokio::spawn(async move { budget.reserve_at(&one, 7 * DAY).await.map(|mut r| r.submitted()).is_ok() })
            })
            .collect();
        let mut granted = 0;
        for t in tasks {
            granted += usize::from(t.await.unwrap());
        }
        assert_eq!(granted, 37);
        assert_eq!(spent_on(&budget, 7).await, (37, 0));
    }

    #[tokio::test]
    async fn dollars_count_where_a_price_is_known() {
        let l = limits(&[("FLUXPLAY_DAILY_USD", "10"), ("FLUXPLAY_PRICES", "bfl/flux-dev=2.5/mp")]);
        let model = find("bfl/flux-dev").unwrap();
        let cost = estimate(&valid(model, json!({"width": 1024, "height": 1024})), &l, &unknown);
        assert_eq!(cost.images, 1);
        assert!((cost.usd.unwrap() - 2.5 * 1.048576).abs() < 1e-9, "{cost:?}");
        let budget = budget(&l);
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(kept(budget.reserve_at(&cost, 0).await));
        }
        assert!(matches!(budget.reserve_at(&cost, 0).await, Err(Error::Busy { .. })), "a fourth would pass $10");
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
