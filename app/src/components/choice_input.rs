use super::field_error::{error_id, message_for, FieldErrorText};
use crate::catalog::{Choice, Field};
use crate::form::RawForm;
use crate::validate::FieldError;
use leptos::prelude::*;

/// A select for a string enum; labels carry pixel sizes where known.
#[component]
pub fn ChoiceInput(
    field: &'static Field,
    choice: &'static Choice,
    form: RwSignal<RawForm>,
    errors: Memo<Vec<FieldError>>,
) -> impl IntoView {
    let key = field.key;
    let current = move || form.with(|f| f.get(key).map(str::to_owned).or(choice.default.map(str::to_owned)));
    let message = message_for(errors, key);
    view! {
        <div class="field field-choice">
            <div class="field-head">
                <label for=key>{field.label}</label>
                {choice.default.map(|d| view! { <span class="hint">"default " {d}</span> })}
            </div>
            <select
                id=key
                name=key
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=error_id(key)
                on:change=move |ev| form.update(|f| f.set(key, event_target_value(&ev)))
            >
                {choice
                    .default
                    .is_none()
                    .then(|| view! { <option value="" selected=move || current().is_none()>"provider default"</option> })}
                {choice
                    .options
                    .iter()
                    .map(|o| {
                        view! {
                            <option value=o.value selected=move || current().as_deref() == Some(o.value)>
                                {o.label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="help">{field.help}</p>
            <FieldErrorText key message/>
        </div>
    }
}
