//! Any valid form state, written to a share link and read back, is the same
//! state (fields at their documented default are left out of links).

use app::catalog::{self, Kind, ModelRef};
use app::defaults::default_value;
use app::form::{to_params, RawForm};
use app::number::number_text;
use app::share::{restore, to_query};
use app::validate::validate;
use proptest::prelude::*;

/// A valid text for one field, or `None` to leave it out.
fn field_text(kind: &'static Kind, required: bool) -> BoxedStrategy<Option<String>> {
    let value: BoxedStrategy<String> = match kind {
        Kind::Text { max_chars, .. } => {
            let max = max_chars.unwrap_or(4000);
            any::<String>()
                .prop_map(move |s| s.chars().take(max).collect::<String>())
                .prop_filter("non-blank", |s| !s.trim().is_empty())
                .boxed()
        }
        Kind::Number(n) => {
            let (min, max) = (n.min.unwrap_or(-1e6), n.max.unwrap_or(1e9));
            let steps = ((max - min) / n.step).floor() as u64;
            let step = n.step;
            (0..=steps).prop_map(move |k| number_text(min + k as f64 * step)).boxed()
        }
        Kind::Bool { only: Some(v), .. } => Just(v.to_string()).boxed(),
        Kind::Bool { .. } => prop_oneof![Just("true".to_owned()), Just("false".to_owned())].boxed(),
        Kind::Choice(c) => {
            proptest::sample::select(c.options.iter().map(|o| o.value.to_owned()).collect::<Vec<_>>()).boxed()
        }
        Kind::Size(s) => {
            let sides = (s.min / s.multiple_of)..=(s.max / s.multiple_of);
            let m = s.multiple_of;
            prop_oneof![
                // The unnamed preset ("the first reference's size") is the field left out: `None` below.
                proptest::sample::select(
                    s.presets.iter().filter(|p| !p.name.is_empty()).map(|p| p.name.to_owned()).collect::<Vec<_>>()
                ),
                (sides.clone(), sides).prop_map(move |(w, h)| format!("{}x{}", w * m, h * m)),
            ]
            .boxed()
        }
        Kind::Image(_) => "[a-f0-9]{64}".prop_map(|h| format!("/uploads/{h}.png")).boxed(),
        // One to `max` weights a line: a repo, and a scale or none.
        Kind::Loras(l) => {
            let scales = (0..=(l.max_scale * 20.0) as u32).prop_map(|k| number_text(f64::from(k) / 20.0));
            let line = ("[a-z]{1,8}/[a-z0-9-]{1,12}", proptest::option::of(scales))
                .prop_map(|(path, scale)| scale.map_or(path.clone(), |s| format!("{path} {s}")));
            proptest::collection::vec(line, 1..=usize::from(l.max)).prop_map(|lines| lines.join("\n")).boxed()
        }
    };
    if required {
        value.prop_map(Some).boxed()
    } else {
        proptest::option::of(value).boxed()
    }
}

fn form() -> impl Strategy<Value = (ModelRef, RawForm)> {
    let models: Vec<ModelRef> = catalog::models().collect();
    proptest::sample::select(models).prop_flat_map(|model| {
        let fields: Vec<_> = model.model.fields.iter().map(|f| field_text(&f.kind, f.required)).collect();
        fields.prop_map(move |texts| {
            let mut raw = RawForm::default();
            for (field, text) in model.model.fields.iter().zip(texts) {
                if let Some(text) = text {
                    raw.set(field.key, text);
                }
            }
            (model, raw)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn link_then_restore_is_the_identity((model, raw) in form()) {
        prop_assert!(validate(model, &to_params(model, &raw)).is_ok(), "generated an invalid form");
        let params = to_params(model, &raw);
        let restored = restore(&to_query(model, &raw));
        prop_assert_eq!(restored.model, model);
        prop_assert!(restored.notices.is_empty(), "{:?}", restored.notices);
        let mut expected = raw;
        for field in model.model.fields {
            let at_default = matches!((default_value(&field.kind), params.get(field.key)),
                (Some(d), Some(v)) if d == *v || (d.as_f64().is_some() && d.as_f64() == v.as_f64()));
            if at_default {
                expected.clear(field.key);
            }
        }
        prop_assert_eq!(restored.raw, expected);
    }
}
