use super::field_error::{error_id, message_for, FieldErrorText};
use crate::catalog::{Field, Number};
use crate::form::RawForm;
use crate::number::number_text;
use crate::validate::FieldError;
use leptos::prelude::*;

/// A number box; bounded fields also get a slider, as provider playgrounds have.
#[component]
pub fn NumberInput(
    field: &'static Field,
    number: Number,
    form: RwSignal<RawForm>,
    errors: Memo<Vec<FieldError>>,
) -> impl IntoView {
    let key = field.key;
    let default_text = number.default.map(number_text).unwrap_or_default();
    let text = {
        let default_text = default_text.clone();
        move || form.with(|f| f.get(key).map_or_else(|| default_text.clone(), str::to_owned))
    };
    let placeholder = if number.default.is_some() { default_text } else { number.unset.to_owned() };
    let message = message_for(errors, key);
    let set = move |ev| form.update(|f| f.set(key, event_target_value(&ev)));
    // A slider only where it can reach every value (not for seeds up to 2^32).
    let slider = match (number.min, number.max) {
        (Some(min), Some(max)) if (max - min) / number.step <= 1000.0 => {
            let position = {
                let text = text.clone();
                move || number_text(text().trim().parse::<f64>().unwrap_or(number.default.unwrap_or(min)))
            };
            Some(view! {
                <input
                    type="range"
                    class="slider"
                    aria-label=field.label
                    min=number_text(min)
                    max=number_text(max)
                    step=number_text(number.step)
                    value=position.clone()
                    prop:value=position
                    on:input=set
                />
            })
        }
        _ => None,
    };
    view! {
        <div class="field field-number">
            <div class="field-head">
                <label for=key>{field.label}</label>
                // No bounds documented (a seed): no hint, rather than "is out of range".
                <span class="hint">
                    {(number.min.is_some() || number.max.is_some())
                        .then(|| crate::validate::range_text(number.min, number.max).replace("must be ", ""))}
                </span>
            </div>
            <div class="number-row">
                {slider}
                <input
                    id=key
                    name=key
                    type="number"
                    inputmode=if number.integer { "numeric" } else { "decimal" }
                    min=number.min.map(number_text)
                    max=number.max.map(number_text)
                    step=number_text(number.step)
                    placeholder=placeholder
                    aria-invalid=move || message.get().is_some().to_string()
                    aria-describedby=error_id(key)
                    value=text.clone()
                    prop:value=text
                    on:input=set
                />
            </div>
            <p class="help">{field.help}</p>
            <FieldErrorText key message/>
        </div>
    }
}
