//! The "Embed" tab: HTML a docs page pastes to frame this form in the playground's
//! embed view. The frame reports its height (`public/embed.js`); the script here
//! takes it only from that frame and from the playground's origin. No ids: two
//! snippets in one page each size their own frame.

use crate::form::from_params;
use crate::share::to_query;
use crate::valid::Valid;
use html_escape::{encode_double_quoted_attribute as attr, encode_script_quoted_text as in_script};

/// The tallest the frame is made, whatever the playground reports.
pub const MAX_HEIGHT: u32 = 4000;

/// The snippet for the playground at `playground` (origin and base path, no trailing slash).
pub fn embed(valid: &Valid, playground: &str) -> String {
    let model = valid.model;
    let query = to_query(model, &from_params(model, &valid.values(false)));
    let origin = playground.find("://").and_then(|s| playground[s + 3..].find('/').map(|p| &playground[..s + 3 + p]));
    let origin = origin.unwrap_or(playground);
    // The script finds its frame as the element before it, so a page may hold several.
    format!(
        "<iframe src=\"{src}\" title=\"{title}\"\n  \
         loading=\"lazy\" style=\"width: 100%; height: 720px; border: 0\"></iframe>\n\
         <script>\n\
         // Sizes the frame above to the playground's content, which posts its height when it changes.\n\
         (() => {{\n  \
         const frame = document.currentScript.previousElementSibling;\n  \
         addEventListener(\"message\", (event) => {{\n    \
         if (event.origin !== \"{origin}\" || event.source !== frame.contentWindow) return;\n    \
         const height = event.data && event.data.type === \"fluxplay:height\" && Number(event.data.height);\n    \
         if (height > 0) frame.style.height = Math.min(height, {MAX_HEIGHT}) + \"px\";\n  \
         }});\n\
         }})();\n\
         </script>\n",
        src = attr(&format!("{playground}/embed?{query}")),
        title = attr(&format!("FLUX playground: {} on {}", model.model.label, model.provider.name)),
        origin = in_script(origin),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_address_holds_any_prompt_and_the_script_hears_only_the_playground() {
        let prompt = "\"><script>alert(1)</script> & 'quotes' </iframe>";
        let query = format!("model=bfl/flux-dev&prompt={}", crate::share::encode(prompt));
        let valid = crate::share::strict(&query).unwrap();
        let html = embed(&valid, "https://play.example/docs/playground");
        let src = "src=\"https://play.example/docs/playground/embed?model=bfl/flux-dev&amp;prompt=%22%3E%3Cscript%3E";
        assert!(html.contains(src), "{html}");
        assert_eq!(html.matches("<script>").count(), 1, "only the sizing script: {html}");
        assert!(html.contains("event.origin !== \"https://play.example\""), "{html}");
        assert!(html.contains(&format!("Math.min(height, {MAX_HEIGHT})")));
        // Without a base path the playground's address is its origin.
        assert!(embed(&valid, "http://127.0.0.1:3000").contains("event.origin !== \"http://127.0.0.1:3000\""));
    }
}
