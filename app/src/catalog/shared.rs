//! Tables more than one provider uses (providers.md §0), with the pixel sizes
//! the budget counts.

use super::build::{int, real, toggle};
use super::{Field, Kind, Opt, Preset, Role, Size};

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

/// A `WIDTHxHEIGHT` size option, its pixels read from its value.
pub const fn px(value: &'static str) -> Opt {
    let bytes = value.as_bytes();
    let (mut w, mut h, mut i, mut second) = (0u32, 0u32, 0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'x' => second = true,
            d if second => h = h * 10 + (d - b'0') as u32,
            d => w = w * 10 + (d - b'0') as u32,
        }
        i += 1;
    }
    Opt { value, label: value, pixels: Some((w, h)) }
}

/// fal's `image_size`: one of [`FAL_PRESETS`] or a custom size from `min` to `max`.
pub const fn image_size(min: u32, max: u32, multiple_of: u32, custom_default: (u32, u32)) -> Field {
    sized(FAL_PRESETS, "landscape_4_3", (min, max, multiple_of), custom_default)
}

/// An `image_size` over `presets`, starting at `default` ("" leaves it out).
pub const fn sized(
    presets: &'static [Preset],
    default_preset: &'static str,
    (min, max, multiple_of): (u32, u32, u32),
    custom_default: (u32, u32),
) -> Field {
    let size = Size { presets, default_preset, min, max, multiple_of, custom_default };
    Field::new("image_size", "Image size", "A preset, or a custom width and height.", Kind::Size(size)).role(Role::Size)
}

/// A preset with no pixels: the model sizes the output from the references.
const fn from_references(name: &'static str, label: &'static str) -> Preset {
    Preset { name, label, width: 0, height: 0 }
}

/// fal's edit endpoints' `image_size` (BFL-hosted tiers): `auto`, its default, or a legacy preset.
pub const FAL_EDIT_PRESETS: &[Preset] = &[
    from_references("auto", "Auto — from the reference images"),
    FAL_PRESETS[0],
    FAL_PRESETS[1],
    FAL_PRESETS[2],
    FAL_PRESETS[3],
    FAL_PRESETS[4],
    FAL_PRESETS[5],
];

/// fal's [dev] and [klein] edits: no `image_size` sent means the first reference's size.
pub const FAL_INPUT_PRESETS: &[Preset] = &[
    from_references("", "The first reference's size"),
    FAL_PRESETS[0],
    FAL_PRESETS[1],
    FAL_PRESETS[2],
    FAL_PRESETS[3],
    FAL_PRESETS[4],
    FAL_PRESETS[5],
];

/// A safety tolerance sent as a string (AI/ML API, fal): `"1"` (strictest) to the last option.
pub const fn text_tolerance(options: &'static [Opt], help: &'static str) -> Field {
    let kind = Kind::Choice(super::Choice { options, default: Some("2") });
    Field::new("safety_tolerance", "Safety tolerance", help, kind).role(Role::Safety)
}

pub const ONE_TO_FIVE: &[Opt] = &[plain("1"), plain("2"), plain("3"), plain("4"), plain("5")];
pub const ONE_TO_SIX: &[Opt] = &[plain("1"), plain("2"), plain("3"), plain("4"), plain("5"), plain("6")];

pub const FLUX3_RATIOS: &[Opt] = &[
    plain("auto"),
    plain("21:9"),
    plain("2:1"),
    plain("16:9"),
    plain("3:2"),
    plain("7:5"),
    plain("4:3"),
    plain("5:4"),
    plain("1:1"),
    plain("4:5"),
    plain("3:4"),
    plain("5:7"),
    plain("2:3"),
    plain("9:16"),
    plain("1:2"),
    plain("9:21"),
];

/// FLUX 3's resolution classes, each as an area at 1:1 of at least the documented
/// ≈0.6 / 1 / 2.4 / 4.2 / 16.8 MP (sides to 16), so the budget never counts less:
/// 2k at 16:9 was seen making 2736×1536, more than 2048².
pub const FLUX3_RESOLUTIONS: &[Opt] = &[
    Opt { value: "768sq", label: "768sq — about 0.6 MP", pixels: Some((784, 784)) },
    Opt { value: "1k", label: "1k — about 1 MP", pixels: Some((1024, 1024)) },
    Opt { value: "1.5k", label: "1.5k — about 2.4 MP", pixels: Some((1552, 1552)) },
    Opt { value: "2k", label: "2k — about 4.2 MP", pixels: Some((2064, 2064)) },
    Opt { value: "4k", label: "4k — about 16.8 MP, can take minutes", pixels: Some((4112, 4112)) },
];

/// fal's FLUX 3 classes: `512sq` in, `1.5k` out (providers-flux2-flux3.md §3.4, §6.2 item 7).
pub const FAL_FLUX3_RESOLUTIONS: &[Opt] = &[
    Opt { value: "512sq", label: "512sq — about 0.26 MP", pixels: Some((528, 528)) },
    FLUX3_RESOLUTIONS[0],
    FLUX3_RESOLUTIONS[1],
    FLUX3_RESOLUTIONS[3],
    FLUX3_RESOLUTIONS[4],
];

/// fal's FLUX 3 ratios: BFL's without `9:21` (§6.2 item 8).
pub const FAL_FLUX3_RATIOS: &[Opt] = FLUX3_RATIOS.split_at(FLUX3_RATIOS.len() - 1).0;

/// FLUX 3 Image's prompt, where a layout may follow as bounding boxes.
pub const FLUX3_PROMPT: Field = super::build::prompt(
    "What to make; a layout may follow as a JSON list of boxes (see BFL's bounding-box guide).",
    None,
    "A poster for a jazz night: a saxophone player in warm light, the title JAZZ AT NINE in bold serif",
)
.layout();

/// Kontext's aspect ratios (21:9 to 9:21; no sizes documented), on AI/ML API and BFL.
pub const KONTEXT_RATIOS: &[Opt] = &[
    plain("21:9"),
    plain("16:9"),
    plain("4:3"),
    plain("3:2"),
    plain("1:1"),
    plain("2:3"),
    plain("3:4"),
    plain("9:16"),
    plain("9:21"),
];

/// FLUX.2's sides: 256–2048, multiples of 16 (help.bfl.ai), on BFL and the hosts that relay it.
pub const fn flux2_side(key: &'static str, label: &'static str, role: Role) -> Field {
    int(key, label, "In pixels; a multiple of 16, at most 4 MP in all.", 256.0, 2048.0, Some(1024.0))
        .multiple_of(16.0)
        .role(role)
}

// FLUX.2 [flex]'s tuning (BFL's OpenAPI defaults), on BFL and the hosts that relay it.
pub const FLEX_UPSAMPLING: Field =
    toggle("prompt_upsampling", "Prompt upsampling", "Let the model rewrite the prompt.", true);
pub const FLEX_GUIDANCE: Field =
    real("guidance", "Guidance", "How closely the image follows the prompt.", (1.5, 10.0, 0.1), Some(5.0));
pub const FLEX_STEPS: Field = int("steps", "Steps", "More steps: more detail, slower.", 1.0, 50.0, Some(50.0));
