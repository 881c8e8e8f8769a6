use super::field_error::{error_id, message_for, FieldErrorText};
use crate::catalog::{Field, Image};
use crate::form::RawForm;
use crate::renumber::{self, Moves};
use crate::valid::upload_name;
use crate::validate::FieldError;
use leptos::either::Either;
use leptos::ev::DragEvent;
use leptos::prelude::*;

/// A reference image: file picker, drag and drop, or (where the provider fetches
/// it) an https URL; with a preview and what the output size will be. A list field
/// collects images in order, each with a thumbnail, to move (buttons, Alt+arrows,
/// or drag) and remove; the prompt's "image N" can then be renumbered to match.
#[component]
pub fn ImageInput(
    field: &'static Field,
    image: &'static Image,
    form: RwSignal<RawForm>,
    errors: Memo<Vec<FieldError>>,
    /// The prompt's field, whose "image N" words follow the list.
    prompt: Option<&'static str>,
) -> impl IntoView {
    let key = field.key;
    let value = move || form.with(|f| f.get(key).unwrap_or_default().to_owned());
    let list = image.list.is_some();
    let url_text = move || Some(value()).filter(|v| !list && upload_name(v).is_none()).unwrap_or_default();
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
                    files::dropped(&ev, key, list, form, status);
                }
            >
                // Without script the form posts the file itself, and the value kept so far.
                <input type="hidden" name=key value=value/>
                <input
                    type="file"
                    id=key
                    name=format!("{key}.file")
                    accept="image/png,image/jpeg,image/webp"
                    aria-describedby=error_id(key)
                    on:change=move |ev| files::chosen(&ev, key, list, form, status)
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
                            name=format!("{key}.url")
                            type="url"
                            placeholder="https://example.com/reference.png"
                            aria-invalid=move || message.get().is_some().to_string()
                            aria-describedby=error_id(key)
                            value=url_text
                            prop:value=url_text
                            on:input=move |ev| {
                                if !list {
                                    form.update(|f| f.set(key, event_target_value(&ev)));
                                }
                            }
                            on:change=move |ev| {
                                if list {
                                    let url = event_target_value(&ev);
                                    if !url.trim().is_empty() {
                                        form.update(|f| f.set(key, added(f.get(key), url.trim())));
                                    }
                                }
                            }
                        />
                    }
                })}
            <p class="upload-status" role="status">{move || status.get()}</p>
            {match image.list {
                Some(l) => Either::Left(view! { <ImageList key max=l.max form prompt/> }),
                None => {
                    Either::Right(
                        view! {
                            <Show when=move || !value().is_empty() && message.get().is_none()>
                                <img class="preview" src=move || in_folder(value()) alt=format!("{} preview", field.label)/>
                            </Show>
                        },
                    )
                }
            }}
            <p class="help">{field.help} " Output size: " {image.output_size} "."</p>
            <FieldErrorText key message/>
        </div>
    }
}

/// The list `text` (references separated by spaces) with `item` added at the end.
fn added(text: Option<&str>, item: &str) -> String {
    let mut items: Vec<&str> = text.unwrap_or_default().split_whitespace().collect();
    items.push(item);
    items.join(" ")
}

/// The images of a list field, in order, to reorder and remove.
#[component]
fn ImageList(key: &'static str, max: u8, form: RwSignal<RawForm>, prompt: Option<&'static str>) -> impl IntoView {
    let items =
        move || form.with(|f| f.get(key).unwrap_or_default().split_whitespace().map(str::to_owned).collect::<Vec<_>>());
    // After a change, the moves the prompt's "image N" would need.
    let offer = RwSignal::new(None::<Moves>);
    let change = move |moves: Moves| {
        form.update(|f| {
            let old: Vec<String> = f.get(key).unwrap_or_default().split_whitespace().map(str::to_owned).collect();
            let mut new = vec![String::new(); old.len()];
            for (item, to) in old.into_iter().zip(&moves) {
                if let Some(to) = to {
                    new[*to] = item;
                }
            }
            new.retain(|i| !i.is_empty());
            f.set(key, new.join(" "));
        });
        let mentioned = prompt.is_some_and(|p| form.with_untracked(|f| f.get(p).is_some_and(renumber::mentions)));
        offer.set(mentioned.then_some(moves));
    };
    let shift = move |i: usize, to: usize| {
        let n = items().len();
        if to < n && to != i {
            change(renumber::moved(n, i, to));
        }
    };
    // The item a drag started on, until it is dropped on another.
    let dragged = StoredValue::new(None::<usize>);
    view! {
        // One handler per event for the whole list (per-item handlers cost the wasm
        // kilobytes): the item is found from the event's target by its `data-i`.
        <ol
            class="ref-list"
            aria-label=format!("Reference images, at most {max}")
            on:dragstart=move |ev| dragged.set_value(target::index(&ev))
            on:dragover=move |ev| {
                if dragged.get_value().is_some() {
                    ev.prevent_default();
                }
            }
            on:drop=move |ev| {
                if let (Some(from), Some(to)) = (dragged.get_value(), target::index(&ev)) {
                    ev.prevent_default();
                    shift(from, to);
                }
                dragged.set_value(None);
            }
            on:dragend=move |_| dragged.set_value(None)
            on:keydown=move |ev| {
                let Some(i) = target::index(&ev) else { return };
                match ev.key().as_str() {
                    "ArrowUp" if ev.alt_key() && i > 0 => shift(i, i - 1),
                    "ArrowDown" if ev.alt_key() => shift(i, i + 1),
                    _ => {}
                }
            }
        >
            {move || {
                let all = items();
                let n = all.len();
                all.into_iter()
                    .enumerate()
                    .map(|(i, src)| {
                        let label = format!("image {}", i + 1);
                        view! {
                            <li
                                tabindex="0"
                                draggable="true"
                                data-i=i
                                aria-label=label
                            >
                                <img class="thumb" src=in_folder(src) alt=format!("Reference {label}")/>
                                <span>{label.clone()}</span>
                                <button type="button" aria-label=format!("Move {label} up") disabled=i == 0 on:click=move |_| shift(i, i - 1)>"↑"</button>
                                <button type="button" aria-label=format!("Move {label} down") disabled=i + 1 == n on:click=move |_| shift(i, i + 1)>"↓"</button>
                                <button type="button" aria-label=format!("Remove {label}") on:click=move |_| change(renumber::removed(n, i))>"✕"</button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
        <Show when=move || offer.with(Option::is_some)>
            <p class="renumber">
                "The prompt names images by number. "
                <button
                    type="button"
                    on:click=move |_| {
                        if let (Some(moves), Some(p)) = (offer.get_untracked(), prompt) {
                            form.update(|f| {
                                let text = renumber::renumber(f.get(p).unwrap_or_default(), &moves);
                                f.set(p, text);
                            });
                        }
                        offer.set(None);
                    }
                >
                    "Renumber them to match"
                </button>
            </p>
        </Show>
    }
}

/// Which image of a list an event is about.
mod target {
    /// The `data-i` of the nearest list item at or above the event's target.
    #[cfg(feature = "hydrate")]
    pub fn index(ev: &leptos::web_sys::Event) -> Option<usize> {
        use wasm_bindgen::JsCast;
        let item = ev.target()?.dyn_into::<leptos::web_sys::Element>().ok()?.closest("[data-i]").ok()??;
        item.get_attribute("data-i")?.parse().ok()
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn index<E>(_: &E) -> Option<usize> {
        None
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

    type Status = RwSignal<Option<String>>;

    pub fn chosen(ev: &Event, key: &'static str, list: bool, form: RwSignal<RawForm>, status: Status) {
        let input = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
        if let Some(file) = input.as_ref().and_then(|i| i.files()?.get(0)) {
            send(file, key, list, form, status);
        }
        // The same file may be chosen again (a list may hold it twice).
        if let Some(input) = input {
            input.set_value("");
        }
    }

    pub fn dropped(ev: &DragEvent, key: &'static str, list: bool, form: RwSignal<RawForm>, status: Status) {
        if let Some(file) = ev.data_transfer().and_then(|d| d.files()?.get(0)) {
            send(file, key, list, form, status);
        }
    }

    /// Checks type and size here first, so a wrong file fails at once and says why.
    fn send(file: File, key: &'static str, list: bool, form: RwSignal<RawForm>, status: Status) {
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
                    form.update(|f| {
                        let value = if list { super::added(f.get(key), &u.reference) } else { u.reference };
                        f.set(key, value);
                    });
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

    pub fn chosen(_: &Event, _: &'static str, _: bool, _: RwSignal<RawForm>, _: RwSignal<Option<String>>) {}
    pub fn dropped(_: &DragEvent, _: &'static str, _: bool, _: RwSignal<RawForm>, _: RwSignal<Option<String>>) {}
}

/// An upload's reference (`/uploads/…`, from the site's root) as an address relative to
/// the page, which is in the site's folder: right under any base path. URLs stay as given.
fn in_folder(value: String) -> String {
    match value.strip_prefix('/') {
        Some(path) => path.to_owned(),
        None => value,
    }
}
