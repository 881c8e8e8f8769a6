use super::field_error::{error_id, message_for, FieldErrorText};
use crate::catalog::{Field, Image};
use crate::form::RawForm;
use crate::valid::upload_name;
use crate::validate::FieldError;
use leptos::ev::DragEvent;
use leptos::prelude::*;

/// A reference image: file picker, drag and drop, or (where the provider fetches
/// it) an https URL; with a preview and what the output size will be.
#[component]
pub fn ImageInput(
    field: &'static Field,
    image: &'static Image,
    form: RwSignal<RawForm>,
    errors: Memo<Vec<FieldError>>,
) -> impl IntoView {
    let key = field.key;
    let value = move || form.with(|f| f.get(key).unwrap_or_default().to_owned());
    let url_text = move || Some(value()).filter(|v| upload_name(v).is_none()).unwrap_or_default();
    let status = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    let message = message_for(errors, key);
    let url_id = format!("{key}-url");
    view! {
        <div class="field field-image">
            <div class="field-head">
                <label for=key>{field.label}{field.required.then_some(" *")}</label>
            </div>
            <div
                class="dropzone"
                class:dragging=move || dragging.get()
                on:dragover=move |ev: DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |ev: DragEvent| {
                    ev.prevent_default();
                    dragging.set(false);
                    files::dropped(&ev, key, form, status);
                }
            >
                <input
                    type="file"
                    id=key
                    accept="image/png,image/jpeg,image/webp"
                    aria-describedby=error_id(key)
                    on:change=move |ev| files::chosen(&ev, key, form, status)
                />
                <p>"Drop a PNG, JPEG or WebP here, or choose a file (up to 10 MB)."</p>
            </div>
            {image
                .accepts_url
                .then(|| {
                    view! {
                        <label class="url-label" for=url_id.clone()>"…or an https URL"</label>
                        <input
                            id=url_id.clone()
                            type="url"
                            placeholder="https://example.com/reference.png"
                            aria-invalid=move || message.get().is_some().to_string()
                            aria-describedby=error_id(key)
                            value=url_text
                            prop:value=url_text
                            on:input=move |ev| form.update(|f| f.set(key, event_target_value(&ev)))
                        />
                    }
                })}
            <p class="upload-status" role="status">{move || status.get()}</p>
            <Show when=move || !value().is_empty() && message.get().is_none()>
                <img class="preview" src=value alt=format!("{} preview", field.label)/>
            </Show>
            <p class="help">{field.help} " Output size: " {image.output_size} "."</p>
            <FieldErrorText key message/>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod files {
    use crate::api::{upload, MAX_UPLOAD_BYTES};
    use crate::form::RawForm;
    use leptos::ev::{DragEvent, Event};
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{File, HtmlInputElement};

    pub fn chosen(ev: &Event, key: &'static str, form: RwSignal<RawForm>, status: RwSignal<Option<String>>) {
        let file = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).and_then(|i| i.files()?.get(0));
        if let Some(file) = file {
            send(file, key, form, status);
        }
    }

    pub fn dropped(ev: &DragEvent, key: &'static str, form: RwSignal<RawForm>, status: RwSignal<Option<String>>) {
        if let Some(file) = ev.data_transfer().and_then(|d| d.files()?.get(0)) {
            send(file, key, form, status);
        }
    }

    /// Checks type and size here first, so a wrong file fails at once and says why.
    fn send(file: File, key: &'static str, form: RwSignal<RawForm>, status: RwSignal<Option<String>>) {
        let name = file.name();
        if !matches!(file.type_().as_str(), "image/png" | "image/jpeg" | "image/webp") {
            status.set(Some(format!("{name} is not a PNG, JPEG or WebP image")));
            return;
        }
        if file.size() > MAX_UPLOAD_BYTES as f64 {
            status.set(Some(format!("{name} is larger than 10 MB")));
            return;
        }
        status.set(Some(format!("Uploading {name}…")));
        leptos::task::spawn_local(async move {
            match upload(file).await {
                Ok(u) => {
                    form.update(|f| f.set(key, u.reference));
                    status.set(Some(format!("{name}: {} × {}, {} KB", u.width, u.height, u.bytes / 1024)));
                }
                Err(e) => status.set(Some(format!("{name}: {}", e.message))),
            }
        });
    }
}

/// On the server the handlers never run.
#[cfg(not(feature = "hydrate"))]
mod files {
    use crate::form::RawForm;
    use leptos::ev::{DragEvent, Event};
    use leptos::prelude::*;

    pub fn chosen(_: &Event, _: &'static str, _: RwSignal<RawForm>, _: RwSignal<Option<String>>) {}
    pub fn dropped(_: &DragEvent, _: &'static str, _: RwSignal<RawForm>, _: RwSignal<Option<String>>) {}
}
