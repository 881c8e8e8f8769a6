use crate::browser;
use leptos::prelude::*;

/// The keyboard shortcuts, in a native popover (no script needed to open it);
/// `?` anywhere outside a text box opens it too.
#[component]
pub fn Help() -> impl IntoView {
    Effect::new(move |_| {
        let _ = window_event_listener(leptos::ev::keydown, |ev| {
            if ev.key() == "?" && browser::closest(&ev, "input,textarea,select").is_none() {
                browser::toggle_popover("help");
            }
        });
    });
    view! {
        <button
            type="button"
            class="help-button"
            popovertarget="help"
            aria-keyshortcuts="?"
            aria-label="Keyboard shortcuts"
            title="Keyboard shortcuts (?)"
        >
            "?"
        </button>
        <div id="help" popover class="shortcuts" role="dialog" aria-labelledby="help-title">
            <h2 id="help-title">"Keyboard shortcuts"</h2>
            <dl>
                <dt><kbd>"Ctrl"</kbd> "+" <kbd>"Enter"</kbd></dt>
                <dd>"Generate (in the form)"</dd>
                <dt><kbd>"?"</kbd></dt>
                <dd>"Open or close this list"</dd>
                <dt><kbd>"Esc"</kbd></dt>
                <dd>"Close this list or a zoomed image"</dd>
                <dt><kbd>"←"</kbd> <kbd>"→"</kbd> <kbd>"Home"</kbd> <kbd>"End"</kbd></dt>
                <dd>"Move between the snippet's languages"</dd>
                <dt><kbd>"Alt"</kbd> "+" <kbd>"↑"</kbd> <kbd>"↓"</kbd></dt>
                <dd>"Move a reference image in its list"</dd>
            </dl>
            <button type="button" popovertarget="help" popovertargetaction="hide">"Close"</button>
        </div>
    }
}
