use super::field_error::{error_id, message_for, FieldErrorText};
use crate::catalog::Field;
use crate::form::RawForm;
use crate::validate::FieldError;
use leptos::prelude::*;

/// The prompt (or another free text: LoRA lines), with a live character count against
/// the provider's limit.
#[component]
pub fn PromptInput(
    field: &'static Field,
    max_chars: Option<usize>,
    form: RwSignal<RawForm>,
    errors: Memo<Vec<FieldError>>,
    placeholder: &'static str,
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
                placeholder=placeholder
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=error_id(key)
                prop:value=text
                inner_html=form.with_untracked(|f| initial_html(f.get(key).unwrap_or_default()))
                on:input=move |ev| form.update(|f| f.set(key, event_target_value(&ev)))
            ></textarea>
            <FieldErrorText key message/>
        </div>
    }
}

/// The textarea's server-rendered content. Leptos writes a textarea's children
/// unescaped (it is a raw-text element to it), so the text is escaped here; and a
/// browser drops one newline right after `<textarea>`, so one is added to keep a
/// value that starts with a newline. The browser never re-reads this: hydration
/// keeps the server's content and `prop:value` drives the control from then on.
fn initial_html(text: &str) -> String {
    let escaped = html_escape::encode_text(text);
    if cfg!(feature = "ssr") {
        format!("\n{escaped}")
    } else {
        escaped.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::initial_html;

    #[test]
    fn textarea_content_cannot_close_the_element() {
        let html = initial_html("</textarea><script>alert(1)</script>&amp;");
        assert!(!html.contains('<'), "{html}");
        assert!(html.contains("&lt;/textarea&gt;") && html.contains("&amp;amp;"), "{html}");
    }
}
