//! What each model costs as its provider publishes it, dated and sourced, so an
//! estimate can be shown before Generate and the daily budget counts dollars. Prices
//! change: each carries the day it was read and where; the operator's
//! `FLUXPLAY_PRICES` overrides any of them. Models with no published rule have none.
//!
//! Sources (shared/reference/providers-flux2-flux3.md): BFL §1.7 (the skills files'
//! table of 2026-01-28 and the pricing page: input images are billed); fal §3.6 (model
//! pages as stored 2026-10); FLUX 3 list prices as OpenRouter mirrored them (2026-10-02);
//! Segmind §5.2 (its FLUX.2 pages' run cost).

use super::ModelRef;

/// A price rule, in US dollars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// The same for every image.
    PerImage(f64),
    /// `first` for the first megapixel of output, `extra` for each further one; with
    /// `inputs`, each reference image's megapixels are billed at `extra` too; with `whole`,
    /// output and each input are rounded up to whole megapixels first (fal's flex).
    Megapixels { first: f64, extra: f64, inputs: bool, whole: bool },
    /// By the value of a choice field (FLUX 3's resolution classes).
    PerClass { key: &'static str, prices: &'static [(&'static str, f64)] },
}

/// How sure the source is, in the reference's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    /// The provider's own page or files.
    Documented,
    /// A third party quoting the provider.
    ThirdParty,
    /// Worked out from a documented figure (the rule named in the source).
    Inferred,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub rule: Rule,
    /// When the source said so (YYYY-MM-DD or YYYY-MM).
    pub as_of: &'static str,
    pub source: &'static str,
    pub grade: Grade,
}

const fn mp(first: f64, extra: f64, source: &'static str, as_of: &'static str, grade: Grade) -> Price {
    Price { rule: Rule::Megapixels { first, extra, inputs: true, whole: false }, as_of, source, grade }
}

const BFL_TABLE: &str = "BFL pricing (docs.bfl.ai/quick_start/pricing; black-forest-labs/skills)";
const BFL_DAY: &str = "2026-01-28";
/// FLUX 3 list prices per image by class.
const FLUX3_CLASSES: &[(&str, f64)] = &[("768sq", 0.041), ("1k", 0.048), ("1.5k", 0.07), ("2k", 0.10), ("4k", 0.607)];
const FLUX3_SOURCE: &str = "BFL list prices as mirrored by OpenRouter";
/// fal's FLUX 3: 1k from its page after the launch rate; "starting at" for 512sq; the rest BFL's list.
const FAL_FLUX3_CLASSES: &[(&str, f64)] =
    &[("512sq", 0.0205), ("768sq", 0.041), ("1k", 0.048), ("2k", 0.10), ("4k", 0.607)];
const FAL_PAGE: &str = "fal model page";
const SEGMIND_PAGE: &str = "Segmind's run price for 1 MP, per megapixel as BFL's rule";

const fn segmind(first: f64, extra: f64) -> Price {
    Price {
        rule: Rule::Megapixels { first, extra, inputs: true, whole: false },
        as_of: "2026-12",
        source: SEGMIND_PAGE,
        grade: Grade::Inferred,
    }
}
const FAL_MONTH: &str = "2026-10";

/// Every priced model by slug.
pub static PRICES: &[(&str, Price)] = &[
    ("bfl/flux-2-pro", mp(0.03, 0.015, BFL_TABLE, BFL_DAY, Grade::Documented)),
    ("bfl/flux-2-max", mp(0.07, 0.03, BFL_TABLE, BFL_DAY, Grade::Documented)),
    ("bfl/flux-2-flex", mp(0.05, 0.05, BFL_TABLE, BFL_DAY, Grade::Documented)),
    ("bfl/flux-2-klein-4b", mp(0.014, 0.001, BFL_TABLE, BFL_DAY, Grade::Documented)),
    ("bfl/flux-2-klein-9b", mp(0.015, 0.002, BFL_TABLE, BFL_DAY, Grade::Documented)),
    (
        "bfl/flux-3-image",
        Price {
            rule: Rule::PerClass { key: "resolution", prices: FLUX3_CLASSES },
            as_of: "2026-10-02",
            source: FLUX3_SOURCE,
            grade: Grade::ThirdParty,
        },
    ),
    ("fal/fal-ai/flux-2-pro", mp(0.03, 0.015, "fal prices as quoted by a third party", FAL_MONTH, Grade::ThirdParty)),
    (
        "fal/fal-ai/flux-2-pro/edit",
        mp(0.03, 0.015, "fal prices as quoted by a third party", FAL_MONTH, Grade::ThirdParty),
    ),
    ("fal/fal-ai/flux-2-max", mp(0.07, 0.03, FAL_PAGE, FAL_MONTH, Grade::Documented)),
    ("fal/fal-ai/flux-2-max/edit", mp(0.07, 0.03, FAL_PAGE, FAL_MONTH, Grade::Documented)),
    ("fal/fal-ai/flux-2-flex", FAL_FLEX),
    ("fal/fal-ai/flux-2-flex/edit", FAL_FLEX),
    (
        "fal/fal-ai/flux-2/klein/9b",
        Price {
            rule: Rule::Megapixels { first: 0.006, extra: 0.006, inputs: false, whole: false },
            as_of: FAL_MONTH,
            source: FAL_PAGE,
            grade: Grade::Documented,
        },
    ),
    (
        "fal/fal-ai/flux-2/klein/9b/edit",
        Price {
            rule: Rule::Megapixels { first: 0.011, extra: 0.011, inputs: false, whole: false },
            as_of: FAL_MONTH,
            source: "fal prices as quoted by a third party",
            grade: Grade::ThirdParty,
        },
    ),
    ("fal/blackforestlabs/flux-3/text-to-image", FAL_FLUX3),
    // One flat price per image, whatever the references (a third party's live runs).
    ("fal/blackforestlabs/flux-3/edit-image", FAL_FLUX3),
    // The pages' "~$0.073" and "~$0.172" a run are for 1 MP out, no references: per megapixel
    // at that rate, the extra ones and references counted as BFL's rule for the same model.
    ("segmind/flux-2-pro", segmind(0.073, 0.0365)),
    ("segmind/flux-2-flex", segmind(0.172, 0.172)),
];

const FAL_FLEX: Price = Price {
    rule: Rule::Megapixels { first: 0.05, extra: 0.05, inputs: true, whole: true },
    as_of: FAL_MONTH,
    source: FAL_PAGE,
    grade: Grade::Documented,
};
const FAL_FLUX3: Price = Price {
    rule: Rule::PerClass { key: "resolution", prices: FAL_FLUX3_CLASSES },
    as_of: FAL_MONTH,
    source: FAL_PAGE,
    grade: Grade::Documented,
};

impl ModelRef {
    /// The model's published price, where the catalog has one.
    pub fn price(&self) -> Option<&'static Price> {
        let slug = self.slug();
        PRICES.iter().find(|(s, _)| *s == slug).map(|(_, p)| p)
    }
}
