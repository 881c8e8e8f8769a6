use crate::api::{self, GenerateRequest, JobState};
use crate::browser;
use crate::catalog::{Kind, ModelRef, Role};
use crate::components::{
    backend_badge::BackendBadge, cost_estimate::CostEstimate, field_input::FieldInput, layout_host::LayoutHost,
    model_picker::ModelPicker, result_panel::ResultPanel, snippet_panel::SnippetPanel,
};
use crate::form::{carry_over, to_params, RawForm};
use crate::share;
use crate::validate::validate;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

/// Fills an empty prompt with the model's example, so Generate works at once.
fn with_example(model: ModelRef, mut raw: RawForm) -> RawForm {
    for field in model.model.fields {
        if let Kind::Text { example, .. } = field.kind {
            if raw.get(field.key).is_none_or(str::is_empty) {
                raw.set(field.key, example.to_owned());
            }
        }
    }
    raw
}

/// The playground: model picker and form on one side, snippet and result on the other.
#[component]
pub fn Playground() -> impl IntoView {
    // The server renders from the request's query, the browser hydrates from the same URL.
    let restored = share::restore(&browser::query());
    let model = RwSignal::new(restored.model);
    let form = RwSignal::new(with_example(restored.model, restored.raw));
    let notices = RwSignal::new(restored.notices);
    let params = Memo::new(move |_| form.with(|f| to_params(model.get(), f)));
    let checked = Memo::new(move |_| params.with(|p| validate(model.get(), p)));
    let errors = Memo::new(move |_| checked.with(|c| c.as_ref().err().cloned().unwrap_or_default()));
    let valid = Memo::new(move |_| checked.with(|c| c.as_ref().ok().cloned()));
    let link_copied = RwSignal::new(None::<bool>);
    let copy_link = move |_| {
        let url =
            format!("{}/?{}", browser::origin(), form.with_untracked(|f| share::to_query(model.get_untracked(), f)));
        browser::replace_url(&url);
        browser::copy(url, move |ok| {
            link_copied.set(Some(ok));
            set_timeout(move || link_copied.set(None), std::time::Duration::from_secs(2));
        });
    };
    let switch_model = Callback::new(move |next: ModelRef| {
        let carried = form.with_untracked(|f| carry_over(f, next));
        model.set(next);
        form.set(with_example(next, carried));
    });

    let progress = RwSignal::new(None::<JobState>);
    let generate = Action::new_local(move |req: &GenerateRequest| {
        progress.set(None);
        api::generate(req.clone(), move |state| progress.set(Some(state)))
    });
    let pending = generate.pending();
    let can_generate = move || errors.with(Vec::is_empty) && !pending.get();
    let submit = move || {
        if can_generate() {
            generate.dispatch_local(GenerateRequest {
                model: model.get_untracked().slug(),
                params: params.get_untracked(),
            });
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            submit();
        }
    };

    view! {
        <div class="page">
            <header class="top">
                <div class="brand">"fluxplay"</div>
                <div class="model-title">
                    <h1>{move || model.get().model.label}</h1>
                    <p>
                        <span class="provider">{move || model.get().provider.name}</span>
                        " · " <code>{move || model.get().model.id}</code> " · " {move || model.get().model.summary}
                    </p>
                </div>
                <div class="status">{move || view! { <BackendBadge provider=model.get().provider/> }}</div>
            </header>
            <Show when=move || !notices.with(Vec::is_empty)>
                <div class="notices" role="status">
                    <p>"Some of this link could not be used:"</p>
                    <ul>{move || notices.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                    <button type="button" class="copy" on:click=move |_| notices.set(Vec::new())>"Dismiss"</button>
                </div>
            </Show>
            <div class="columns">
                <form
                    class="panel form"
                    aria-label="Parameters"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        submit();
                    }
                    on:keydown=on_keydown
                >
                    <ModelPicker model on_change=switch_model/>
                    // Keyed, so switching model builds the new fields rather than patching old ones.
                    <For
                        each=move || model.get().model.fields.iter()
                        key=move |field| (model.get_untracked().slug(), field.key)
                        let(field)
                    >
                        <FieldInput
                            field
                            form
                            errors
                            prompt=model.get_untracked().with_role(Role::Prompt).map(|p| p.key)
                        />
                        // FLUX 3's box editor, under the prompt it writes to.
                        {matches!(field.kind, Kind::Text { layout: true, .. }).then(|| view! { <LayoutHost model form/> })}
                    </For>
                    <div class="actions">
                        <button type="submit" class="generate" disabled=move || !can_generate()>
                            {move || if pending.get() { "Generating…" } else { "Generate" }}
                        </button>
                        <span class="shortcut">"Ctrl+Enter"</span>
                        <button type="button" class="copy link" on:click=copy_link>
                            {move || match link_copied.get() {
                                Some(true) => "Link copied!",
                                Some(false) => "Link is in the address bar",
                                None => "Copy link",
                            }}
                        </button>
                        <Show when=move || !errors.with(Vec::is_empty)>
                            <span class="invalid-note">"Fix the highlighted fields to generate."</span>
                        </Show>
                    </div>
                    <CostEstimate model form valid/>
                    <p class="output-note">"Output: " {move || model.get().model.output_note}</p>
                </form>
                <div class="side">
                    <SnippetPanel model form valid/>
                    <ResultPanel result=generate.value().into() pending=pending.into() progress=progress.into()/>
                </div>
            </div>
        </div>
    }
}
