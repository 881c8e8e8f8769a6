use crate::api::{self, ApiError, BackendStatus, GenerateRequest, JobState};
use crate::browser;
use crate::catalog::{self, Kind, ModelRef, Role};
use crate::components::{
    backend_badge::BackendBadge,
    cost_estimate::CostEstimate,
    field_input::FieldInput,
    help::Help,
    layout_host::LayoutHost,
    model_picker::ModelPicker,
    result_panel::{ResultPanel, Running, EMPTY},
    snippet_panel::SnippetPanel,
};
use crate::form::{carry_over, from_posted, to_params, RawForm};
use crate::share;
use crate::valid::random_seed_range;
use crate::validate::{validate, FieldError};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

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

/// What the server rendered in the result panel: a result (`?result=`), or the
/// outcome of a form posted without script. In the browser the page keeps the
/// server's HTML until the next run, so it starts empty.
#[derive(Debug, Clone)]
pub struct ShownResult(pub String);

/// The playground: the form (a real form, which posts to the server without script)
/// on one side, the result and then the snippet on the other.
#[component]
pub fn Playground() -> impl IntoView {
    let status = use_context::<BackendStatus>().unwrap_or_default();
    // The server renders from the request's query (or the form it was posted), the browser hydrates from the same.
    let restored = match &status.form {
        Some(query) => share::typed(query),
        None => {
            // This server's curation: its default model, and only the models it offers.
            let r = share::restore_offered(&browser::query(), |m| status.offers(m), status.default_model());
            share::Restored { raw: with_example(r.model, r.raw), ..r }
        }
    };
    let model = RwSignal::new(restored.model);
    let form = RwSignal::new(restored.raw);
    let notices = RwSignal::new(restored.notices);
    let params = Memo::new(move |_| form.with(|f| to_params(model.get(), f)));
    let checked = Memo::new(move |_| params.with(|p| validate(model.get(), p)));
    // What the server said of the last run's fields (an unreachable reference URL), until the form changes.
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let errors = Memo::new(move |_| {
        let mut all = checked.with(|c| c.as_ref().err().cloned().unwrap_or_default());
        for e in server_errors.get() {
            if !all.iter().any(|a| a.field == e.field) {
                all.push(e);
            }
        }
        all
    });
    let valid = Memo::new(move |_| checked.with(|c| c.as_ref().ok().cloned()));

    // The server's HTML for a result is not sent twice: the browser starts empty where there is one.
    let server_shown = status.form.is_some() || share::parse_query(&browser::query()).get("result").is_some();
    let body = RwSignal::new(match use_context::<ShownResult>() {
        Some(shown) => shown.0,
        None if server_shown && cfg!(feature = "hydrate") => String::new(),
        None => EMPTY.into(),
    });
    let failure = RwSignal::new(None::<ApiError>);
    let running = RwSignal::new(None::<Running>);
    // Each run (and each cancel or model switch) takes the next number; a run whose number has passed stops.
    let run = StoredValue::new(0u32);
    // The last finished run and its seed, while the form is still the one it ran.
    let last = RwSignal::new(None::<(String, Option<u64>)>);
    Effect::new(move |first: Option<()>| {
        form.track();
        if first.is_some() {
            server_errors.set(Vec::new());
            last.set(None);
        }
    });

    // The share link's query: the form, with the seed the last run used and that run's result.
    let share_query = move || {
        let m = model.get_untracked();
        let mut f = form.get_untracked();
        let mut tail = String::new();
        if let Some((id, seed)) = last.get_untracked() {
            if let (Some((key, _, _)), Some(seed)) = (random_seed_range(m), seed) {
                if f.get(key).is_none_or(str::is_empty) {
                    f.set(key, seed.to_string());
                }
            }
            tail = format!("&result={}", share::encode(&id));
        }
        // Relative: the address bar keeps its path (the embed view stays the embed view).
        format!("?{}{tail}", share::to_query(m, &f))
    };
    let link_copied = RwSignal::new(None::<bool>);
    let copy_link = move |_| {
        let query = share_query();
        browser::replace_url(&query);
        // The playground's own address (`{base}/`), also from the embed view.
        browser::copy(format!("{}{query}", browser::folder()), move |ok| {
            link_copied.set(Some(ok));
            set_timeout(move || link_copied.set(None), std::time::Duration::from_secs(2));
        });
    };

    let clear_result = move || {
        run.update_value(|n| *n += 1);
        running.set(None);
        failure.set(None);
        server_errors.set(Vec::new());
        body.set(EMPTY.into());
    };
    let switch_model = Callback::new(move |next: ModelRef| {
        let carried = form.with_untracked(|f| carry_over(f, next));
        model.set(next);
        form.set(with_example(next, carried));
        clear_result();
    });

    // The server's rendering of run `job`, once it has ended.
    let show = move |job: String, mine: u32| {
        api::fetch_text(format!("api/results/{}", share::encode(&job)), move |answer| {
            if run.get_value() == mine {
                match answer {
                    Ok(html) => body.set(html),
                    Err(e) => failure.set(Some(e)),
                }
                running.set(None);
                browser::replace_url(&share_query());
            }
        });
    };
    let follow = move |job: String, mine: u32| async move {
        for attempt in 0.. {
            let state = api::poll(&job, attempt).await;
            if run.get_value() != mine {
                return;
            }
            match state {
                Ok(JobState::Done { result }) => {
                    last.set(Some((job.clone(), result.seed)));
                    break;
                }
                Ok(JobState::Failed { error }) => {
                    server_errors.set(error.fields);
                    break;
                }
                Ok(state) => running.update(|r| {
                    if let Some(r) = r {
                        r.state = Some(state);
                    }
                }),
                Err(e) => {
                    failure.set(Some(e));
                    running.set(None);
                    return;
                }
            }
        }
        show(job, mine);
    };
    let begin = move |job: Option<String>| {
        let mine = run.get_value() + 1;
        run.set_value(mine);
        failure.set(None);
        server_errors.set(Vec::new());
        running.set(Some(Running { job, since: browser::now(), state: None }));
        // "Press Generate" no longer applies; a result from before stays until the new one.
        if body.with_untracked(|b| b == EMPTY) {
            body.set(String::new());
        }
        browser::reveal("result");
        mine
    };
    // A page opened on a run still going (a form posted before hydration) follows it.
    if let Some(job) = status.running {
        Effect::new(move |_| {
            let mine = begin(Some(job.clone()));
            spawn_local(follow(job.clone(), mine));
        });
    }
    let can_generate = move || errors.with(Vec::is_empty) && running.with(Option::is_none);
    let submit = move || {
        if !can_generate() {
            return;
        }
        let mine = begin(None);
        let req = GenerateRequest { model: model.get_untracked().slug(), params: params.get_untracked() };
        spawn_local(async move {
            let started = api::start(req).await;
            if run.get_value() != mine {
                return;
            }
            match started {
                Ok(job) => {
                    running.update(|r| {
                        if let Some(r) = r {
                            r.job = Some(job.clone());
                        }
                    });
                    follow(job, mine).await;
                }
                Err(e) => {
                    server_errors.set(e.fields.clone());
                    failure.set(Some(e));
                    running.set(None);
                }
            }
        });
    };
    let cancel = Callback::new(move |()| {
        let Some(job) = running.with_untracked(|r| r.as_ref().and_then(|r| r.job.clone())) else { return };
        run.update_value(|n| *n += 1);
        running.set(None);
        spawn_local(async move {
            failure.set(Some(api::cancel(&job).await.unwrap_or_else(|e| e)));
        });
    });
    let use_seed = Callback::new(move |seed: String| {
        if let Some((key, _, _)) = random_seed_range(model.get_untracked()) {
            form.update(|f| if seed.is_empty() { f.clear(key) } else { f.set(key, seed) });
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            submit();
        }
    };
    let restore_typed = move |query: String| {
        let pairs = share::parse_query(&query).pairs;
        let shown = model.get_untracked();
        let typed = from_posted(shown, &pairs);
        if share::to_query(shown, &typed) != form.with_untracked(|f| share::to_query(shown, f)) {
            form.set(typed);
        }
        let chosen = pairs.iter().find(|(k, _)| k == "model").and_then(|(_, slug)| catalog::find(slug));
        if let Some(next) = chosen.filter(|m| *m != shown) {
            switch_model.run(next);
        }
    };
    // What was typed before hydration, which set the controls back to the server's values;
    // applied once every first effect has run, so the snippet and estimate follow it.
    Effect::new(move |_| {
        let Some(query) = browser::typed() else { return };
        set_timeout(move || restore_typed(query), std::time::Duration::ZERO);
    });

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
                <Help/>
            </header>
            <Show when=move || !notices.with(Vec::is_empty)>
                <div class="notices" role="status">
                    <p>"Some of this link could not be used:"</p>
                    <ul>{move || notices.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                    <button type="button" class="copy" on:click=move |_| notices.set(Vec::new())>"Dismiss"</button>
                </div>
            </Show>
            <main class="columns">
                // Without script (or before hydration) this posts to the server, which answers with the same page.
                <form
                    class="panel form"
                    aria-label="Parameters"
                    method="post"
                    action="./"
                    enctype="multipart/form-data"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        submit();
                    }
                    on:keydown=on_keydown
                >
                    <input type="hidden" name="form_model" value=move || model.get().slug()/>
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
                            {move || if running.with(Option::is_some) { "Generating…" } else { "Generate" }}
                        </button>
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
                        <CostEstimate model form valid/>
                    </div>
                    <p class="output-note">"Output: " {move || model.get().model.output_note}</p>
                </form>
                <div class="side">
                    <ResultPanel body failure running on_cancel=cancel on_seed=use_seed/>
                    <SnippetPanel model form valid errors/>
                </div>
            </main>
        </div>
    }
}
