use crate::catalog::ModelRef;
use crate::form::RawForm;
use crate::share;
use crate::valid::Valid;
use leptos::prelude::*;

/// What this request would cost by its model's published price, shown before Generate.
/// The server words it (`/api/estimate`): it knows the uploads' sizes, and the price
/// rules stay out of the wasm. Asked again whenever the form changes.
#[component]
pub fn CostEstimate(model: RwSignal<ModelRef>, form: RwSignal<RawForm>, valid: Memo<Option<Valid>>) -> impl IntoView {
    let text = RwSignal::new(first_text(valid));
    let asked = StoredValue::new(0u32);
    Effect::new(move |ran: Option<()>| {
        let query = form.with(|f| share::to_query(model.get(), f));
        if !valid.with(Option::is_some) {
            text.set(String::new());
            return;
        }
        // The server's first words are right unless references count: their sizes it learns here.
        if ran.is_none() && valid.with(|v| v.as_ref().is_none_or(|v| v.references.is_empty())) {
            return;
        }
        asked.update_value(|n| *n += 1);
        let mine = asked.get_value();
        crate::api::fetch_text(format!("api/estimate?{query}"), move |answer| {
            if asked.get_value() == mine {
                text.set(answer.unwrap_or_default());
            }
        });
    });
    view! { <p class="estimate" aria-live="polite">{move || text.get()}</p> }
}

/// The server's first words, before it knows the uploads' sizes.
#[cfg(not(feature = "hydrate"))]
fn first_text(valid: Memo<Option<Valid>>) -> String {
    let status = use_context::<crate::api::BackendStatus>().unwrap_or_default();
    valid.with_untracked(|v| {
        let Some(v) = v else { return String::new() };
        let sentence = crate::cost::sentence(v, &|_| None);
        // A public demo's budget counts live runs: said as `/api/estimate` says it.
        match status.budget.as_deref().filter(|_| status.is_live(v.model.provider.id)) {
            Some(left) => format!("{sentence} {left}"),
            None => sentence,
        }
    })
}

#[cfg(feature = "hydrate")]
fn first_text(_: Memo<Option<Valid>>) -> String {
    String::new()
}
