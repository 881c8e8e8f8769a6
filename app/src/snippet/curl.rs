//! cURL for a POSIX shell (sh, dash, bash, zsh).

use super::{auth_header, placeholder, posix_quote, KeyStyle};
use crate::request::ApiRequest;

/// `--data-raw` so a body starting with `@` is never read as a file name; the body
/// is single-quoted, so nothing in a prompt is expanded by the shell.
pub fn curl(req: &ApiRequest, key: KeyStyle) -> String {
    let auth = match key {
        // Double quotes: the variable must expand, and its name is a fixed identifier.
        KeyStyle::Env => {
            let (name, value) = auth_header(req, &format!("${}", req.key_env));
            format!("\"{name}: {value}\"")
        }
        KeyStyle::Placeholder => {
            let (name, value) = auth_header(req, &placeholder(req));
            posix_quote(&format!("{name}: {value}"))
        }
    };
    let body = super::literal::terminal_safe(&serde_json::to_string_pretty(&req.body).expect("JSON values serialise"));
    let output = match req.output_file() {
        Some(file) => format!(" \\\n  -o {}", posix_quote(&file)),
        None => String::new(),
    };
    format!(
        "curl -X {} {} \\\n  -H {auth} \\\n  -H 'Content-Type: application/json' \\\n  --data-raw {}{output}\n",
        req.method,
        posix_quote(&req.url),
        posix_quote(&body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use crate::request::build;
    use serde_json::json;

    fn req(slug: &str, prompt: &str) -> ApiRequest {
        let m = find(slug).unwrap();
        build(m, json!({"prompt": prompt}).as_object().unwrap(), m.provider.base_url)
    }

    #[test]
    fn flux_dev_curl_with_env_key() {
        assert_eq!(
            curl(&req("aimlapi/flux/dev", "a cat"), KeyStyle::Env),
            "curl -X POST 'https://api.aimlapi.com/v1/images/generations' \\\n  \
             -H \"Authorization: Bearer $AIMLAPI_KEY\" \\\n  \
             -H 'Content-Type: application/json' \\\n  \
             --data-raw '{\n  \"model\": \"flux/dev\",\n  \"prompt\": \"a cat\"\n}'\n"
        );
    }

    #[test]
    fn placeholder_key_and_hostile_prompt() {
        let s = curl(&req("aimlapi/flux/dev", "it's $(whoami) \"q\""), KeyStyle::Placeholder);
        assert!(s.contains("-H 'Authorization: Bearer <YOUR_AIMLAPI_KEY>'"));
        assert!(s.contains(r#""prompt": "it'\''s $(whoami) \"q\"""#), "{s}");
    }

    #[test]
    fn segmind_saves_the_image_bytes() {
        let s = curl(&req("segmind/flux-dev", "a cat"), KeyStyle::Env);
        assert!(s.contains("-H \"x-api-key: $SEGMIND_API_KEY\""));
        assert!(s.ends_with(" \\\n  -o 'flux-dev.webp'\n"), "{s}");
    }

    #[test]
    fn uploads_show_as_a_placeholder_never_as_our_path() {
        let m = find("aimlapi/flux/dev/image-to-image").unwrap();
        let upload = format!("/uploads/{}.png", "ab".repeat(32));
        let params = json!({"prompt": "p", "image_url": upload});
        let s =
            curl(&super::super::display_request(m, params.as_object().unwrap(), m.provider.base_url), KeyStyle::Env);
        assert!(s.contains(r#""image_url": "<https URL of your image, or data:image/png;base64,...>""#), "{s}");
        assert!(!s.contains("/uploads/"));
    }
}
