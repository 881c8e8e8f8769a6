//! What a valid request will make, in pixels per image: a function of the
//! catalog's roles and option sizes, never of label text. The budget counts it,
//! and must never count less than the provider makes: where a size is not
//! documented, a bound is counted (see [`Role`] and [`Follows`]).

use crate::catalog::{Follows, Kind, Role, MAX_REFERENCE_PIXELS, MAX_REFERENCE_SIDE};
use crate::valid::{Source, Valid};
use serde_json::{Map, Value};

/// Counted where the catalog's data names no size (a catalog mistake): more than any model makes.
pub const UNKNOWN: f64 = MAX_REFERENCE_SIDE as f64 * MAX_REFERENCE_SIDE as f64;

/// The size the chosen fields make, and the area an undocumented aspect ratio comes near.
struct Chosen {
    width: f64,
    height: f64,
    /// A megapixels choice's scale of each side.
    scale: f64,
    about: Option<u32>,
}

impl Valid {
    /// Pixels of one image. `size_of` gives a reference image's size where known
    /// (an upload's header); `None` for a URL not fetched yet: then the most any
    /// reference this server accepts would make is counted.
    pub fn pixels(&self, size_of: &dyn Fn(&Source) -> Option<(u32, u32)>) -> f64 {
        let values = self.values(true);
        let follows = |r: &crate::valid::Reference| match r.field.role {
            Role::Reference(f) => f,
            _ => Follows::Nothing,
        };
        for r in &self.references {
            if let Follows::Size { max_side } = follows(r) {
                return size_of(&r.source).map_or_else(|| largest(max_side), |dims| fit(dims, max_side));
            }
        }
        let Some(chosen) = self.chosen(&values) else { return self.sized_by_first_reference(size_of) };
        let area = scaled(chosen.width, chosen.scale) * scaled(chosen.height, chosen.scale);
        let shape = self.references.iter().find_map(|r| match follows(r) {
            Follows::Shape { max_side } => Some((size_of(&r.source), max_side)),
            _ => None,
        });
        match shape {
            None => area,
            // The image's shape at the chosen area, or its own size: the larger.
            Some((Some((iw, ih)), max_side)) => {
                let p = chosen.about.map_or(chosen.width * chosen.height, f64::from);
                let (x, y) = (f64::from(iw.max(1)), f64::from(ih.max(1)));
                let s = chosen.scale;
                let shaped = scaled(up((p * x / y).sqrt()), s) * scaled(up((p * y / x).sqrt()), s);
                area.max(shaped).max(fit((iw, ih), max_side))
            }
            Some((None, max_side)) => area.max(largest(max_side)),
        }
    }

    /// No size chosen (fal's `auto`, or none sent on an edit): the model sizes the
    /// output from the first reference, counted as that image's size.
    fn sized_by_first_reference(&self, size_of: &dyn Fn(&Source) -> Option<(u32, u32)>) -> f64 {
        match self.references.first() {
            Some(r) => size_of(&r.source).map_or_else(|| largest(MAX_REFERENCE_SIDE), |d| fit(d, MAX_REFERENCE_SIDE)),
            None => UNKNOWN,
        }
    }

    /// Width and height from the fields whose roles set them.
    fn chosen(&self, values: &Map<String, Value>) -> Option<Chosen> {
        let model = self.model;
        let get = |role| model.with_role(role).and_then(|f| Some((f, values.get(f.key)?)));
        let sized = |(width, height): (f64, f64)| Chosen { width, height, scale: 1.0, about: None };
        if let (Some((_, w)), Some((_, h))) = (get(Role::Width), get(Role::Height)) {
            return Some(sized((w.as_f64()?, h.as_f64()?)));
        }
        if let Some((field, value)) = get(Role::Size) {
            return match (&field.kind, value) {
                (Kind::Size(size), Value::String(name)) => {
                    size.preset(name).filter(|p| p.width > 0).map(|p| sized((f64::from(p.width), f64::from(p.height))))
                }
                (Kind::Size(_), Value::Object(custom)) => {
                    Some(sized((custom.get("width")?.as_f64()?, custom.get("height")?.as_f64()?)))
                }
                (Kind::Choice(c), Value::String(v)) => {
                    c.option(v)?.pixels.map(|(w, h)| sized((f64::from(w), f64::from(h))))
                }
                _ => None,
            };
        }
        let ratio = model.model.fields.iter().find_map(|f| match f.role {
            Role::AspectRatio { about } => Some((f, about)),
            _ => None,
        });
        let scale = get(Role::Megapixels)
            .and_then(|(_, v)| v.as_str()?.parse::<f64>().ok())
            .filter(|m| *m > 0.0)
            .map_or(1.0, f64::sqrt);
        // Megapixels with no ratio to shape them (1min.ai's FLUX.2 [dev]): a square of that many.
        let Some((field, about)) = ratio else {
            let side = f64::from(crate::catalog::ONE_MP).sqrt();
            return get(Role::Megapixels).map(|_| Chosen {
                width: side,
                height: side,
                scale,
                about: Some(crate::catalog::ONE_MP),
            });
        };
        // A resolution class sets the area the ratio shapes.
        let about = get(Role::Resolution)
            .and_then(|(f, v)| match &f.kind {
                Kind::Choice(c) => c.option(v.as_str()?)?.pixels,
                _ => None,
            })
            .map_or(about, |(w, h)| w * h);
        let chosen = values.get(field.key).and_then(Value::as_str).unwrap_or_default();
        let documented = match &field.kind {
            Kind::Choice(c) => c.option(chosen).and_then(|o| o.pixels),
            _ => None,
        };
        let (width, height) = documented.map_or_else(|| near(about, chosen), |(w, h)| (f64::from(w), f64::from(h)));
        Some(Chosen { width, height, scale, about: Some(about) })
    }
}

/// The bound for a reference whose size is not known yet: the largest made from
/// any reference this server accepts, its sides rounded up.
pub fn largest(max_side: u32) -> f64 {
    let side = f64::from(max_side.min(MAX_REFERENCE_SIDE));
    let most = MAX_REFERENCE_PIXELS as f64;
    if side * side <= most {
        return up(side).powi(2);
    }
    // w·h ≤ most with w, h ≤ side: rounding adds under 32·(w + h) + 32², and
    // w + h is largest at side + most / side.
    most + 32.0 * (side + most / side) + 1024.0
}

/// Where a size is not documented, FLUX hosts round sides to 16 or 32: counted as 32 up.
fn up(x: f64) -> f64 {
    (x / 32.0).ceil() * 32.0
}

/// A side scaled by `scale` (a `megapixels` choice): exact where it halves an
/// even side (Replicate's documented integer division), else rounded up.
fn scaled(x: f64, scale: f64) -> f64 {
    let s = x * scale;
    if s.fract() == 0.0 {
        s
    } else {
        up(s)
    }
}

/// An option with no documented size: the ratio `a:b` at about `about` pixels.
fn near(about: u32, ratio: &str) -> (f64, f64) {
    let (a, b) = ratio
        .split_once(':')
        .and_then(|(a, b)| Some((a.parse::<f64>().ok()?, b.parse::<f64>().ok()?)))
        .filter(|(a, b)| *a > 0.0 && *b > 0.0)
        .unwrap_or((1.0, 1.0));
    let p = f64::from(about);
    (up((p * a / b).sqrt()), up((p * b / a).sqrt()))
}

/// A reference's own size, scaled down to fit `max_side` (Replicate's code), sides rounded up.
fn fit((w, h): (u32, u32), max_side: u32) -> f64 {
    let (w, h) = (f64::from(w.max(1)), f64::from(h.max(1)));
    let max = f64::from(max_side);
    let s = (max / w).min(max / h).min(1.0);
    up((w * s).floor()) * up((h * s).floor())
}
