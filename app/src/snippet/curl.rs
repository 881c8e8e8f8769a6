//! cURL for a POSIX shell (sh, dash, bash, zsh).

use super::{auth_header, missing_key, placeholder, posix_quote, task, task_summary, Key, KeyStyle};
use super::{EMULATOR_KEY, GIVE_UP_SECS, POLL_SECS};
use crate::catalog::{ImageUrls, Task};
use crate::request::ApiRequest;

/// `--data-raw` so a body starting with `@` is never read as a file name; the body
/// is single-quoted, so nothing in a prompt is expanded by the shell.
pub fn curl(req: &ApiRequest, key: Key) -> String {
    if let Some(task) = task(req) {
        return curl_task(req, task, key);
    }
    let auth = match key.style {
        // Double quotes: the variable must expand, and its name is a fixed identifier.
        KeyStyle::Env => {
            let var = if key.emulator {
                format!("${{{}:-{EMULATOR_KEY}}}", req.key_env)
            } else {
                format!("${}", req.key_env)
            };
            let (name, value) = auth_header(req, &var);
            format!("\"{name}: {value}\"")
        }
        KeyStyle::Placeholder => {
            let (name, value) = auth_header(req, &placeholder(req));
            posix_quote(&format!("{name}: {value}"))
        }
    };
    let output = match req.output_file() {
        Some(file) => format!(" \\\n  -o {}", posix_quote(&file)),
        None => String::new(),
    };
    format!(
        "curl -X {} {} \\\n  -H {auth} \\\n  -H 'Content-Type: application/json' \\\n  --data-raw {}{output}\n",
        req.method,
        posix_quote(&req.url),
        posix_quote(&body(req)),
    )
}

fn body(req: &ApiRequest) -> String {
    super::literal::terminal_safe(&serde_json::to_string_pretty(&req.body).expect("JSON values serialise"))
}

/// A jq path, `.result.sample`.
fn jq(path: &[&str]) -> String {
    path.iter().map(|k| format!(".{k}")).collect()
}

/// Submit, poll and print with curl and jq, inside `( … )` so that pasted into a
/// terminal an `exit` ends only the snippet. `state`, not `status`: zsh reserves it.
fn curl_task(req: &ApiRequest, task: &Task, key: Key) -> String {
    let env = req.key_env;
    let key_line = match key.style {
        KeyStyle::Env if key.emulator => {
            format!("key=\"${{{env}:-{EMULATOR_KEY}}}\" # this server's emulator takes any key\n")
        }
        KeyStyle::Env => format!(
            "if [ -z \"${{{env}:-}}\" ]; then\n  echo {} >&2\n  exit 1\nfi\nkey=\"${env}\"\n",
            posix_quote(&missing_key(req))
        ),
        KeyStyle::Placeholder => format!("key={}\n", posix_quote(&placeholder(req))),
    };
    let (name, value) = auth_header(req, "$key");
    let auth = format!("-H \"{name}: {value}\"");
    let fail = "|| { printf '%s\\n' \"$answer\" >&2; exit 1; }";
    let get = |url: &str| format!("answer=$(curl -sS --fail-with-body -m 120 \"${url}\" {auth}) {fail}\n");
    let extra: String =
        task.submit_headers.iter().map(|(n, v)| format!("  -H {} \\\n", posix_quote(&format!("{n}: {v}")))).collect();
    let mut s = format!(
        "# {}\n# Needs curl 7.76+ and jq.\n(\n{key_line}\
         answer=$(curl -sS --fail-with-body -X {} {} \\\n  {auth} \\\n{extra}  -H 'Content-Type: application/json' \\\n  \
         --data-raw {}) {fail}\n\
         poll_url=$(printf '%s' \"$answer\" | jq -r '{}')\n",
        task_summary(),
        req.method,
        posix_quote(&req.url),
        posix_quote(&body(req)),
        jq(task.poll_url),
    );
    if let Some(result) = task.result_url {
        s += &format!("result_url=$(printf '%s' \"$answer\" | jq -r '{}')\n", jq(result));
    }
    let quoted = |states: &[&str]| states.iter().map(|v| posix_quote(v)).collect::<Vec<_>>().join(" | ");
    s += &format!(
        "deadline=$(($(date +%s) + {GIVE_UP_SECS}))\nwhile :; do\n  state=$(printf '%s' \"$answer\" | jq -r '.{} // empty')\n  \
         case $state in\n    {}) break ;;\n",
        task.status,
        quoted(task.done),
    );
    if !task.failed.is_empty() {
        let reason: String = task.reason.iter().map(|k| format!(".{k} // ")).collect();
        s += &format!(
            "    {})\n      printf '%s: %s\\n' \"$state\" \"$(printf '%s' \"$answer\" | jq -rc '{reason}\"no reason given\"')\" >&2\n      \
             exit 1 ;;\n",
            quoted(task.failed)
        );
    }
    s += &format!(
        "  esac\n  if [ \"$(date +%s)\" -ge \"$deadline\" ]; then\n    \
         printf 'Still %s after {GIVE_UP_SECS} s; giving up.\\n' \"${{state:-pending}}\" >&2\n    exit 1\n  fi\n  \
         sleep {POLL_SECS}\n  {}done\n",
        get("poll_url"),
    );
    if task.result_url.is_some() {
        s += &get("result_url");
    }
    let images = match task.images {
        ImageUrls::One(path) => jq(path),
        ImageUrls::OneOrList(path) => format!("{} | if type == \"array\" then .[] else . end", jq(path)),
        ImageUrls::Objects(path, member) => format!("{}[].{member}", jq(path)),
    };
    s + &format!("printf '%s' \"$answer\" | jq -r '{images}'\n)\n")
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
            curl(&req("aimlapi/flux/dev", "a cat"), KeyStyle::Env.into()),
            "curl -X POST 'https://api.aimlapi.com/v1/images/generations' \\\n  \
             -H \"Authorization: Bearer $AIMLAPI_KEY\" \\\n  \
             -H 'Content-Type: application/json' \\\n  \
             --data-raw '{\n  \"model\": \"flux/dev\",\n  \"prompt\": \"a cat\"\n}'\n"
        );
    }

    #[test]
    fn placeholder_key_and_hostile_prompt() {
        let s = curl(&req("aimlapi/flux/dev", "it's $(whoami) \"q\""), KeyStyle::Placeholder.into());
        assert!(s.contains("-H 'Authorization: Bearer <YOUR_AIMLAPI_KEY>'"));
        assert!(s.contains(r#""prompt": "it'\''s $(whoami) \"q\"""#), "{s}");
    }

    #[test]
    fn segmind_saves_the_image_bytes() {
        let s = curl(&req("segmind/flux-dev", "a cat"), KeyStyle::Env.into());
        assert!(s.contains("-H \"x-api-key: $SEGMIND_API_KEY\""));
        assert!(s.ends_with(" \\\n  -o 'flux-dev.webp'\n"), "{s}");
    }

    #[test]
    fn uploads_show_as_a_placeholder_never_as_our_path() {
        let m = find("aimlapi/flux/dev/image-to-image").unwrap();
        let upload = format!("/uploads/{}.png", "ab".repeat(32));
        let params = json!({"prompt": "p", "image_url": upload});
        let s = curl(
            &super::super::display_request(m, params.as_object().unwrap(), m.provider.base_url),
            KeyStyle::Env.into(),
        );
        assert!(s.contains(r#""image_url": "<https URL of your image>""#), "{s}");
        assert!(!s.contains("/uploads/"));
    }
}
