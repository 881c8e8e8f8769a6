use crate::api::{self, GenerateRequest};
use crate::catalog::{self, Kind, ModelRef};
use crate::components::{
    backend_badge::BackendBadge, field_input::FieldInput, result_panel::ResultPanel, snippet_panel::SnippetPanel,
};
use crate::form::{to_params, RawForm};
use crate::request;
use crate::snippet::{curl, KeyStyle};
use crate::validate::validate;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

/// A fresh form: the example prompt filled in, everything else at its default.
fn initial_form(model: ModelRef) -> RawForm {
    let mut raw = RawForm::default();
    for field in model.model.fields {
        if let Kind::Text { example, .. } = field.kind {
            raw.set(field.key, example.to_owned());
        }
    }
    raw
}

/// The playground for one model: form on one side, snippet and result on the other.
#[component]
pub fn Playground() -> impl IntoView {
    let model = catalog::default_model();
    let form = RwSignal::new(initial_form(model));
    let params = Memo::new(move |_| form.with(|f| to_params(model, f)));
    let errors = Memo::new(move |_| params.with(|p| validate(model, p)));
    let snippet = Callback::new(move |key: KeyStyle| {
        params.with(|p| curl(&request::build(model, p, model.provider.base_url), key))
    });

    let generate = Action::new_local(|req: &GenerateRequest| api::generate(req.clone()));
    let pending = generate.pending();
    let can_generate = move || errors.with(Vec::is_empty) && !pending.get();
    let submit = move || {
        if can_generate() {
            generate.dispatch_local(GenerateRequest { model: model.slug(), params: params.get_untracked() });
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
                    <h1>{model.model.label}</h1>
                    <p>
                        <span class="provider">{model.provider.name}</span>
                        " · " <code>{model.model.id}</code> " · " {model.model.summary}
                    </p>
                </div>
                <div class="status">
                    <BackendBadge provider=model.provider/>
                </div>
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
                    {model.model.fields.iter().map(|field| view! { <FieldInput field form errors/> }).collect_view()}
                    <div class="actions">
                        <button type="submit" class="generate" disabled=move || !can_generate()>
                            {move || if pending.get() { "Generating…" } else { "Generate" }}
                        </button>
                        <span class="shortcut">"Ctrl+Enter"</span>
                        <Show when=move || !errors.with(Vec::is_empty)>
                            <span class="invalid-note">"Fix the highlighted fields to generate."</span>
                        </Show>
                    </div>
                    <p class="output-note">"Output: " {model.model.output_note}</p>
                </form>
                <div class="side">
                    <SnippetPanel snippet/>
                    <ResultPanel result=generate.value().into() pending=pending.into()/>
                </div>
            </div>
        </div>
    }
}
