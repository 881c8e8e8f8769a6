use super::field_error::{error_id, message_for, FieldErrorText};
use crate::catalog::{Field, Size};
use crate::form::{RawForm, CUSTOM_SIZE as CUSTOM, SIZE_SEP};
use crate::validate::FieldError;
use leptos::prelude::*;

/// Preset-or-custom image size; presets show their pixel size.
#[component]
pub fn SizeInput(
    field: &'static Field,
    size: &'static Size,
    form: RwSignal<RawForm>,
    errors: Memo<Vec<FieldError>>,
) -> impl IntoView {
    let key = field.key;
    let current = move || form.with(|f| f.get(key).unwrap_or(size.default_preset).to_owned());
    let custom = move || size.preset(&current()).is_none();
    // The boxes hold the custom size, or (hidden, under a preset) the size "Custom…" starts from.
    let side = move |i: usize| {
        move || {
            let (w, h) = size.custom_default;
            let c = if custom() { current() } else { format!("{w}{SIZE_SEP}{h}") };
            let (w, h) = c.split_once(SIZE_SEP).unwrap_or((&c, ""));
            if i == 0 { w } else { h }.to_owned()
        }
    };
    let set_side = move |i: usize, value: String| {
        form.update(|f| {
            let c = f.get(key).unwrap_or_default().to_owned();
            let (w, h) = c.split_once(SIZE_SEP).unwrap_or((&c, ""));
            let next = if i == 0 { format!("{value}{SIZE_SEP}{h}") } else { format!("{w}{SIZE_SEP}{value}") };
            f.set(key, next);
        });
    };
    let choose = move |ev| {
        let choice = event_target_value(&ev);
        form.update(|f| {
            if choice == CUSTOM {
                let (w, h) = size.custom_default;
                f.set(key, format!("{w}{SIZE_SEP}{h}"));
            } else {
                f.set(key, choice);
            }
        });
    };
    let message = message_for(errors, key);
    let rule = format!("Multiple of {} from {} to {}", size.multiple_of, size.min, size.max);
    view! {
        <div class="field field-size">
            <div class="field-head">
                <label for=key>{field.label}</label>
            </div>
            <select id=key name=key on:change=choose>
                {size
                    .presets
                    .iter()
                    .map(|p| {
                        view! {
                            <option value=p.name selected=move || current() == p.name>
                                {if p.width == 0 {
                                    p.label.to_owned()
                                } else {
                                    format!("{} — {}×{}", p.label, p.width, p.height)
                                }}
                            </option>
                        }
                    })
                    .collect_view()}
                <option value=CUSTOM selected=custom>"Custom…"</option>
            </select>
            // Shown by the stylesheet while "Custom…" is chosen, so it works without script too.
            <div class="size-custom">
                    <label>
                        "Width"
                        <input
                            type="number"
                            name=format!("{key}.width")
                            min=size.min
                            max=size.max
                            step=size.multiple_of
                            aria-describedby=error_id(key)
                            value=side(0)
                            prop:value=side(0)
                            on:input=move |ev| set_side(0, event_target_value(&ev))
                        />
                    </label>
                    <span aria-hidden="true">"×"</span>
                    <label>
                        "Height"
                        <input
                            type="number"
                            name=format!("{key}.height")
                            min=size.min
                            max=size.max
                            step=size.multiple_of
                            aria-describedby=error_id(key)
                            value=side(1)
                            prop:value=side(1)
                            on:input=move |ev| set_side(1, event_target_value(&ev))
                        />
                    </label>
                <p class="help">{rule}</p>
            </div>
            <FieldErrorText key message/>
        </div>
    }
}
