//! What a valid request costs by its model's published price (`catalog::prices`):
//! the same arithmetic for the estimate shown before Generate and for the server's
//! daily budget, so the two never disagree.

use crate::catalog::prices::{Grade, Price, Rule};
use crate::catalog::MAX_REFERENCE_PIXELS;
use crate::valid::{Source, Valid};

/// A request's cost in US dollars; `exact: false` where a reference's size is not known
/// yet (a URL not fetched) and the largest this server accepts was counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    pub usd: f64,
    pub exact: bool,
}

impl Valid {
    /// The cost of this request at `price`; `size_of` gives a reference's size where known.
    pub fn cost(&self, price: &Price, size_of: &dyn Fn(&Source) -> Option<(u32, u32)>) -> Cost {
        let images = f64::from(self.images);
        let mut exact = true;
        let usd = match price.rule {
            Rule::PerImage(each) => each * images,
            Rule::Megapixels { first, extra, inputs, whole } => {
                let round = |mp: f64| if whole { mp.ceil() } else { mp };
                let output = round(self.pixels(size_of) / 1e6);
                let per_image = first + (output - 1.0).max(0.0) * extra;
                let input: f64 = if inputs {
                    let mut sum = 0.0;
                    for r in &self.references {
                        let pixels = size_of(&r.source).map_or_else(
                            || {
                                exact = false;
                                MAX_REFERENCE_PIXELS as f64
                            },
                            |(w, h)| f64::from(w) * f64::from(h),
                        );
                        sum += round(pixels / 1e6);
                    }
                    sum * extra
                } else {
                    0.0
                };
                per_image * images + input
            }
            Rule::PerClass { key, prices } => {
                let chosen = self.values(true).get(key).and_then(|v| v.as_str().map(str::to_owned));
                let known = chosen.and_then(|c| prices.iter().find(|(class, _)| *class == c));
                // A class with no price (a catalog gap): the dearest is counted.
                let each = known.map_or_else(|| prices.iter().map(|(_, p)| *p).fold(0.0, f64::max), |(_, p)| *p);
                each * images
            }
        };
        Cost { usd, exact }
    }
}

/// A price rule in words, with its source and date.
pub fn describe(price: &Price) -> String {
    let rule = match price.rule {
        Rule::PerImage(each) => format!("{} an image", dollars(each)),
        Rule::Megapixels { first, extra, inputs, whole } => {
            let mut text = if first == extra {
                format!("{} a megapixel of output", dollars(first))
            } else {
                format!("{} for the first megapixel, {} for each further one", dollars(first), dollars(extra))
            };
            if inputs {
                text.push_str(&format!(", input images billed at {} a megapixel", dollars(extra)));
            }
            if whole {
                text.push_str(", each rounded up to whole megapixels");
            }
            text
        }
        Rule::PerClass { key, prices } => {
            let list: Vec<String> = prices.iter().map(|(class, p)| format!("{class} {}", dollars(*p))).collect();
            format!("by {key}: {}", list.join(", "))
        }
    };
    let grade = match price.grade {
        Grade::Documented => "",
        Grade::ThirdParty => ", quoted by a third party",
        Grade::Inferred => ", inferred",
    };
    format!("{rule} ({}, {}{grade})", price.source, price.as_of)
}

/// The sentence shown before Generate.
pub fn sentence(valid: &Valid, size_of: &dyn Fn(&Source) -> Option<(u32, u32)>) -> String {
    match valid.model.price() {
        Some(price) => {
            let cost = valid.cost(price, size_of);
            let about = if cost.exact { "About" } else { "At most" };
            format!("{about} {} a run: {}.", dollars(cost.usd), describe(price))
        }
        None => "No published price for this model in the catalog.".to_owned(),
    }
}

/// Dollars with the cents a price needs: $0.045, $1.20.
pub fn dollars(usd: f64) -> String {
    let text = format!("{usd:.4}");
    let trimmed = text.trim_end_matches('0');
    let decimals = trimmed.split_once('.').map_or(0, |(_, d)| d.len()).max(2);
    format!("${usd:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use crate::validate::validate;
    use serde_json::json;

    fn valid(slug: &str, params: serde_json::Value) -> Valid {
        validate(find(slug).unwrap(), params.as_object().unwrap()).unwrap()
    }

    /// providers-flux2-flux3.md §1.7: "$0.03 t2i / $0.045 edit" for FLUX.2 [pro] at 1 MP
    /// with one 1 MP input; here in the formula's own terms.
    #[test]
    fn bfl_bills_output_and_input_megapixels() {
        let upload = format!("/uploads/{}.png", "a".repeat(64));
        let t2i = valid("bfl/flux-2-pro", json!({"prompt": "p", "width": 1024, "height": 1024}));
        let price = t2i.model.price().unwrap();
        let c = t2i.cost(price, &|_| None);
        assert!((c.usd - (0.03 + 0.048_576 * 0.015)).abs() < 1e-9 && c.exact, "{c:?}");
        let edit =
            valid("bfl/flux-2-pro", json!({"prompt": "p", "width": 1024, "height": 976, "input_image": [upload]}));
        let c = edit.cost(price, &|_| Some((1000, 1000)));
        assert!((c.usd - 0.045).abs() < 1e-9, "{c:?}");
        // A URL not fetched yet counts as the largest reference accepted: an upper bound.
        let by_url = valid(
            "bfl/flux-2-pro",
            json!({"prompt": "p", "width": 1024, "height": 976, "input_image": ["https://e.com/a.png"]}),
        );
        assert!(!by_url.cost(price, &|_| None).exact);
    }

    /// fal's flex: "$0.05 per MP on input and output, each rounded up (512×512 costs a full MP)".
    #[test]
    fn fal_flex_rounds_each_image_up_to_whole_megapixels() {
        let upload = format!("/uploads/{}.png", "b".repeat(64));
        let v = valid(
            "fal/fal-ai/flux-2-flex/edit",
            json!({"prompt": "p", "image_urls": [upload.clone(), upload], "image_size": "square"}),
        );
        let c = v.cost(v.model.price().unwrap(), &|_| Some((512, 512)));
        assert!((c.usd - 0.15).abs() < 1e-9, "{c:?}");
    }

    #[test]
    fn flux3_costs_its_class_and_an_unpriced_model_says_so() {
        let v = valid("bfl/flux-3-image", json!({"prompt": "p", "resolution": "2k"}));
        assert!((v.cost(v.model.price().unwrap(), &|_| None).usd - 0.10).abs() < 1e-9);
        assert!(sentence(&v, &|_| None).starts_with("About $0.10 a run: by resolution: 768sq $0.041"));
        let free = valid("aimlapi/flux/dev", json!({"prompt": "p"}));
        assert_eq!(sentence(&free, &|_| None), "No published price for this model in the catalog.");
    }

    #[test]
    fn dollars_keep_the_cents_a_price_needs() {
        assert_eq!(dollars(0.045), "$0.045");
        assert_eq!(dollars(1.2), "$1.20");
        assert_eq!(dollars(0.0205), "$0.0205");
        assert_eq!(dollars(0.607), "$0.607");
    }
}
