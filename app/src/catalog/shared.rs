//! Tables more than one provider uses (providers.md §0), with the pixel sizes
//! the budget counts.

use super::{Field, Kind, Number, Opt, Preset};

/// fal's six legacy `image_size` presets (§0.1); the only names AI/ML API accepts.
pub const FAL_PRESETS: &[Preset] = &[
    Preset { name: "square_hd", label: "Square HD", width: 1024, height: 1024 },
    Preset { name: "square", label: "Square", width: 512, height: 512 },
    Preset { name: "portrait_4_3", label: "Portrait 4:3", width: 768, height: 1024 },
    Preset { name: "portrait_16_9", label: "Portrait 16:9", width: 576, height: 1024 },
    Preset { name: "landscape_4_3", label: "Landscape 4:3", width: 1024, height: 768 },
    Preset { name: "landscape_16_9", label: "Landscape 16:9", width: 1024, height: 576 },
];

/// Replicate flux-dev's `aspect_ratio` at 1 MP (§0.2), the model code's own table.
/// Segmind and 1min.ai mirror Replicate's parameters, so their pixel sizes are
/// inferred from this table.
pub const fn ratio(value: &'static str) -> Opt {
    let (label, w, h) = match value.as_bytes() {
        b"1:1" => ("1:1 — 1024×1024", 1024, 1024),
        b"16:9" => ("16:9 — 1344×768", 1344, 768),
        b"21:9" => ("21:9 — 1536×640", 1536, 640),
        b"3:2" => ("3:2 — 1216×832", 1216, 832),
        b"2:3" => ("2:3 — 832×1216", 832, 1216),
        b"4:5" => ("4:5 — 896×1088", 896, 1088),
        b"5:4" => ("5:4 — 1088×896", 1088, 896),
        b"3:4" => ("3:4 — 896×1152", 896, 1152),
        b"4:3" => ("4:3 — 1152×896", 1152, 896),
        b"9:16" => ("9:16 — 768×1344", 768, 1344),
        b"9:21" => ("9:21 — 640×1536", 640, 1536),
        _ => return plain(value),
    };
    Opt { value, label, pixels: Some((w, h)) }
}

/// One megapixel as FLUX counts it (1024×1024): Replicate's 1:1, Kontext's size.
pub const ONE_MP: u32 = 1024 * 1024;

/// A choice whose label is its value.
pub const fn plain(value: &'static str) -> Opt {
    Opt { value, label: value, pixels: None }
}

/// An optional numeric field.
pub const fn number(key: &'static str, label: &'static str, help: &'static str, n: Number) -> Field {
    Field { key, label, help, required: false, kind: Kind::Number(n) }
}

/// An optional boolean field.
pub const fn toggle(key: &'static str, label: &'static str, help: &'static str, default: bool) -> Field {
    Field { key, label, help, required: false, kind: Kind::Bool { default, only: None } }
}

/// A seed the provider would pick at random when left out; fluxplay then picks
/// one itself, so the seed shown is the one used. Bounds where documented.
pub const fn random_seed(min: Option<f64>, max: Option<f64>) -> Field {
    number(
        "seed",
        "Seed",
        "Same seed and prompt give the same image. Empty: random (fluxplay picks one and shows it).",
        Number { integer: true, min, max, step: 1.0, default: None, unset: "random", multiple_of: None },
    )
}
