use crate::api::BackendStatus;
use crate::catalog::Provider;
use leptos::either::Either;
use leptos::prelude::*;

/// Says plainly whether this provider is live or emulated, and how to go live.
#[component]
pub fn BackendBadge(provider: &'static Provider) -> impl IntoView {
    let live = use_context::<BackendStatus>().is_some_and(|s| s.is_live(provider.id));
    if live {
        Either::Left(view! { <span class="badge live">"Live: " {provider.name}</span> })
    } else {
        Either::Right(view! {
            <span class="badge emulated">"Emulated"</span>
            <span class="note">
                "Images come from fluxplay's built-in emulator, not from " {provider.name} ". Set "
                // A self-hosted engine is live once its address is set; its key is optional.
                <code>{if provider.key_optional { provider.url_env } else { provider.key_env }}</code>
                {provider.key_optional.then_some(" (and its key, if it needs one)")} " on the server to call the real API."
            </span>
        })
    }
}
