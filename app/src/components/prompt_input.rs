use super::field_error::{error_id, message_for, FieldErrorText};
use crate::catalog::Field;
use crate::form::RawForm;
use crate::validate::FieldError;
use leptos::prelude::*;

/// The prompt, with a live character count against the provider's limit.
#[component]
pub fn PromptInput(
    field: &'static Field,
    max_chars: Option<usize>,
    form: RwSignal<RawForm>,
    errors: Memo<Vec<FieldError>>,
) -> impl IntoView {
    let key = field.key;
    let text = move || form.with(|f| f.get(key).unwrap_or_default().to_owned());
    let count = move || form.with(|f| f.get(key).map_or(0, |t| t.chars().count()));
    let message = message_for(errors, key);
    view! {
        <div class="field field-prompt">
            <div class="field-head">
                <label for=key>{field.label}{field.required.then_some(" *")}</label>
                <span class="counter" class:over=move || { max_chars.is_some_and(|m| count() > m) } aria-live="polite">
                    {count}
                    {match max_chars {
                        Some(max) => format!(" / {max}"),
                        None => " characters".to_owned(),
                    }}
                </span>
            </div>
            <textarea
                id=key
                name=key
                rows="5"
                placeholder="Describe the image"
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=error_id(key)
                prop:value=text
                on:input=move |ev| form.update(|f| f.set(key, event_target_value(&ev)))
            >
                {text}
            </textarea>
            <FieldErrorText key message/>
        </div>
    }
}
