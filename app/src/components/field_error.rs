use crate::validate::FieldError;
use leptos::prelude::*;

/// The id of the message element, for `aria-describedby`.
pub fn error_id(key: &str) -> String {
    format!("{key}-error")
}

/// The message for one field, read from the page's validation result.
pub fn message_for(errors: Memo<Vec<FieldError>>, key: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || errors.with(|e| e.iter().find(|e| e.field == key).map(|e| e.message.clone())))
}

/// Inline validation message under a field; empty (but present) when valid.
#[component]
pub fn FieldErrorText(key: &'static str, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=error_id(key) aria-live="polite">
            {move || message.get()}
        </p>
    }
}
