use crate::api::{self, GenerateRequest};
use crate::catalog::{self, Kind, ModelRef};
use crate::components::{
    backend_badge::BackendBadge, field_input::FieldInput, model_picker::ModelPicker, result_panel::ResultPanel,
    snippet_panel::SnippetPanel,
};
use crate::form::{carry_over, to_params, RawForm};
use crate::snippet::{curl, display_request, KeyStyle};
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
    let model = RwSignal::new(catalog::default_model());
    let form = RwSignal::new(with_example(model.get_untracked(), RawForm::default()));
    let params = Memo::new(move |_| form.with(|f| to_params(model.get(), f)));
    let errors = Memo::new(move |_| params.with(|p| validate(model.get(), p)));
    let snippet = Callback::new(move |key: KeyStyle| {
        let m = model.get();
        params.with(|p| curl(&display_request(m, p, m.provider.base_url), key))
    });
    let switch_model = Callback::new(move |next: ModelRef| {
        let carried = form.with_untracked(|f| carry_over(f, next));
        model.set(next);
        form.set(with_example(next, carried));
    });

    let generate = Action::new_local(|req: &GenerateRequest| api::generate(req.clone()));
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
                    {move || {
                        model
                            .get()
                            .model
                            .fields
                            .iter()
                            .map(|field| view! { <FieldInput field form errors/> })
                            .collect_view()
                    }}
                    <div class="actions">
                        <button type="submit" class="generate" disabled=move || !can_generate()>
                            {move || if pending.get() { "Generating…" } else { "Generate" }}
                        </button>
                        <span class="shortcut">"Ctrl+Enter"</span>
                        <Show when=move || !errors.with(Vec::is_empty)>
                            <span class="invalid-note">"Fix the highlighted fields to generate."</span>
                        </Show>
                    </div>
                    <p class="output-note">"Output: " {move || model.get().model.output_note}</p>
                </form>
                <div class="side">
                    <SnippetPanel snippet/>
                    <ResultPanel result=generate.value().into() pending=pending.into()/>
                </div>
            </div>
        </div>
    }
}
