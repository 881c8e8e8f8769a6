//! Builders that make a field one line which reads like the provider's parameter
//! table: `int("steps", "Steps", "…", 1.0, 50.0, Some(28.0))`. Each sets the field's
//! [`Role`]; the few that need more say so with `.required()`, `.role(…)`, `.unset(…)`.

use super::{Choice, Field, FileInput, Follows, Image, Kind, List, Number, Opt, Role, Spelling};

impl Field {
    /// An optional field of `kind` with no particular role.
    pub const fn new(key: &'static str, label: &'static str, help: &'static str, kind: Kind) -> Self {
        Field { key, label, help, required: false, kind, role: Role::Other }
    }

    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub const fn role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }

    /// A number's meaning when its box is empty and it has no default ("default", "random").
    pub const fn unset(mut self, unset: &'static str) -> Self {
        if let Kind::Number(n) = &mut self.kind {
            n.unset = unset;
        }
        self
    }

    /// A prompt the model reads a box layout from (FLUX 3's bounding boxes).
    pub const fn layout(mut self) -> Self {
        if let Kind::Text { layout, .. } = &mut self.kind {
            *layout = true;
        }
        self
    }

    /// A number that must be a multiple of `m` (BFL's sides: 32), offered in steps of `m`.
    pub const fn multiple_of(mut self, m: f64) -> Self {
        if let Kind::Number(n) = &mut self.kind {
            n.multiple_of = Some(m);
            n.step = m;
        }
        self
    }
}

/// The required prompt; `max_chars: None` where the provider documents no limit.
pub const fn prompt(help: &'static str, max_chars: Option<usize>, example: &'static str) -> Field {
    Field::new("prompt", "Prompt", help, Kind::Text { max_chars, example, layout: false }).required().role(Role::Prompt)
}

const fn number(min: Option<f64>, max: Option<f64>, step: f64, default: Option<f64>, integer: bool) -> Number {
    Number { integer, min, max, step, default, unset: "", multiple_of: None }
}

/// A whole number from `min` to `max`.
pub const fn int(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    min: f64,
    max: f64,
    default: Option<f64>,
) -> Field {
    Field::new(key, label, help, Kind::Number(number(Some(min), Some(max), 1.0, default, true)))
}

/// A decimal number from `min` to `max`, offered in steps of `step`.
pub const fn real(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    (min, max, step): (f64, f64, f64),
    default: Option<f64>,
) -> Field {
    Field::new(key, label, help, Kind::Number(number(Some(min), Some(max), step, default, false)))
}

/// How many images a request makes, 1 to `max` (default 1).
pub const fn count(key: &'static str, label: &'static str, help: &'static str, max: f64) -> Field {
    int(key, label, help, 1.0, max, Some(1.0)).role(Role::Count)
}

/// A seed the provider would pick at random when left out; fluxplay then picks
/// one itself, so the seed shown is the one used. Bounds where documented.
pub const fn random_seed(min: Option<f64>, max: Option<f64>) -> Field {
    let help = "Same seed and prompt give the same image. Empty: random (fluxplay picks one and shows it).";
    Field::new("seed", "Seed", help, Kind::Number(number(min, max, 1.0, None, true))).role(Role::Seed).unset("random")
}

/// A seed with a documented default (Segmind's), and no documented bounds.
pub const fn fixed_seed(help: &'static str, default: f64) -> Field {
    Field::new("seed", "Seed", help, Kind::Number(number(None, None, 1.0, Some(default), true))).role(Role::Seed)
}

/// An optional boolean.
pub const fn toggle(key: &'static str, label: &'static str, help: &'static str, default: bool) -> Field {
    Field::new(key, label, help, Kind::Bool { default, only: None })
}

/// The `loras` list (see [`super::Loras`]): scales 0–4, as AI/ML API documents (fal gives no range).
pub const fn loras(max: u8) -> Field {
    Field::new(
        "loras",
        "LoRAs",
        "One a line: an https URL or Hugging Face repo (owner/name), then its scale (0–4; default 1).",
        Kind::Loras(super::Loras { max, max_scale: 4.0 }),
    )
}

/// A string enum; `default: None` where the provider picks.
pub const fn choice(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    options: &'static [Opt],
    default: Option<&'static str>,
) -> Field {
    Field::new(key, label, help, Kind::Choice(Choice { options, default }))
}

/// The `output_format` choice.
pub const fn output_format(help: &'static str, options: &'static [Opt], default: &'static str) -> Field {
    choice("output_format", "Output format", help, options, Some(default)).role(Role::OutputFormat)
}

/// The `aspect_ratio` choice; an option without documented pixels makes about `about`.
pub const fn aspect_ratio(help: &'static str, options: &'static [Opt], default: &'static str, about: u32) -> Field {
    choice("aspect_ratio", "Aspect ratio", help, options, Some(default)).role(Role::AspectRatio { about })
}

/// A reference image, taken the way `file` says; `accepts_url` where an https URL may be given.
pub const fn image(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    (file, accepts_url): (FileInput, bool),
    output_size: &'static str,
    follows: Follows,
) -> Field {
    Field::new(key, label, help, Kind::Image(Image { accepts_url, output_size, file, list: None, min_side: 0 }))
        .role(Role::Reference(follows))
}

impl Field {
    /// An image field that takes up to `max` images in order, spelled the provider's way.
    pub const fn list(mut self, max: u8, spelling: Spelling) -> Self {
        if let Kind::Image(image) = &mut self.kind {
            image.list = Some(List { max, spelling });
        }
        self
    }

    /// An image field whose images must be at least `side` pixels on each side.
    pub const fn min_side(mut self, side: u32) -> Self {
        if let Kind::Image(image) = &mut self.kind {
            image.min_side = side;
        }
        self
    }
}
