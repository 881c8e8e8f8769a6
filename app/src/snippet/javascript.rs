//! JavaScript with `fetch` (Node 18+ or Deno; `process.env` holds the key).

use super::literal::{literal, string, Dialect};
use super::{auth_header, missing_key, placeholder, task, task_summary, Key, KeyStyle};
use super::{EMULATOR_KEY, GIVE_UP_SECS, POLL_SECS};
use crate::catalog::{ImageUrls, Task};
use crate::request::ApiRequest;

fn q(s: &str) -> String {
    string(s, Dialect::JavaScript)
}

/// The auth header's value as a JavaScript expression.
pub(super) fn key_value(req: &ApiRequest, key: Key) -> String {
    match key.style {
        // A template literal: only `${…}` is special, and the rest is a fixed header prefix.
        KeyStyle::Env => {
            let var = if key.emulator {
                format!("${{process.env.{} || {}}}", req.key_env, q(EMULATOR_KEY))
            } else {
                format!("${{process.env.{}}}", req.key_env)
            };
            format!("`{}`", auth_header(req, &var).1)
        }
        KeyStyle::Placeholder => q(&auth_header(req, &placeholder(req)).1),
    }
}

pub fn javascript(req: &ApiRequest, key: Key) -> String {
    if let Some(task) = task(req) {
        let call = "async function call(url, options) {\n  \
                    const response = await fetch(url, { ...options, signal: AbortSignal.timeout(120000) });\n  \
                    if (!response.ok) {\n    throw new Error(`${response.status}: ${await response.text()}`);\n  }\n  \
                    return response.json();\n}\n\n";
        let submit = format!(
            "await call({}, {{\n    method: \"POST\",\n    headers: {{ ...auth, {}\"Content-Type\": \"application/json\" }},\n    \
             body: JSON.stringify(payload),\n  }})",
            q(&req.url),
            extra_headers(task),
        );
        let catch = "main().catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n});\n";
        return task_script(
            req,
            task,
            key,
            "",
            call,
            &submit,
            |url| format!("await call({url}, {{ headers: auth }})"),
            catch,
        );
    }
    let (name, _) = auth_header(req, "");
    let (prelude, handle) = match req.output_file() {
        Some(file) => (
            "const fs = require(\"node:fs\");\n\n",
            format!(
                "  fs.writeFileSync({0}, Buffer.from(await response.arrayBuffer()));\n  console.log(\"saved\", {0});\n",
                q(&file)
            ),
        ),
        None => ("", "  console.log(JSON.stringify(await response.json(), null, 2));\n".to_owned()),
    };
    format!(
        "{prelude}const payload = {payload};\n\nasync function main() {{\n  const response = await fetch({url}, {{\n    \
         method: \"POST\",\n    headers: {{\n      {name}: {value},\n      \"Content-Type\": \"application/json\",\n    }},\n    \
         body: JSON.stringify(payload),\n  }});\n  if (!response.ok) {{\n    \
         throw new Error(`${{response.status}}: ${{await response.text()}}`);\n  }}\n{handle}}}\n\n\
         main().catch((error) => {{\n  console.error(error);\n  process.exitCode = 1;\n}});\n",
        payload = literal(&req.body, Dialect::JavaScript, 2, 0),
        url = q(&req.url),
        name = q(name),
        value = key_value(req, key),
    )
}

/// The submit's headers besides the key's and the content type, e.g. `"Prefer": "wait", `.
pub(super) fn extra_headers(task: &Task) -> String {
    task.submit_headers.iter().map(|(n, v)| format!("{}: {}, ", q(n), q(v))).collect()
}

/// `answer.result.sample`.
fn at(var: &str, path: &[&str]) -> String {
    path.iter().fold(var.to_owned(), |acc, k| format!("{acc}.{k}"))
}

/// `status === "a"`, or `["a", "b"].includes(status)`.
fn one_of(var: &str, values: &[&str]) -> String {
    match values {
        [one] => format!("{var} === {}", q(one)),
        _ => format!("[{}].includes({var})", values.iter().map(|v| q(v)).collect::<Vec<_>>().join(", ")),
    }
}

/// The whole polling script, shared by fetch and axios: `call` defines their HTTP
/// helpers, `submit` is the submit's answer as an expression, `get(url)` a poll's.
#[allow(clippy::too_many_arguments)]
pub(super) fn task_script(
    req: &ApiRequest,
    task: &Task,
    key: Key,
    prelude: &str,
    call: &str,
    submit: &str,
    get: impl Fn(&str) -> String,
    catch: &str,
) -> String {
    let key_lines = match key.style {
        KeyStyle::Env if key.emulator => format!(
            "  const key = process.env.{} || {}; // this server's emulator takes any key\n",
            req.key_env,
            q(EMULATOR_KEY)
        ),
        KeyStyle::Env => format!(
            "  const key = process.env.{};\n  if (!key) {{\n    throw new Error({});\n  }}\n",
            req.key_env,
            q(&missing_key(req))
        ),
        KeyStyle::Placeholder => format!("  const key = {};\n", q(&placeholder(req))),
    };
    let (name, value) = auth_header(req, "${key}");
    let value = if value == "${key}" { "key".to_owned() } else { format!("`{value}`") };
    let mut s = format!(
        "// {summary}\n{prelude}const payload = {payload};\n\n{call}async function main() {{\n{key_lines}  \
         const auth = {{ {name}: {value} }};\n  let answer = {submit};\n  const pollUrl = {poll};\n",
        summary = task_summary(),
        payload = literal(&req.body, Dialect::JavaScript, 2, 0),
        name = q(name),
        poll = at("answer", task.poll_url),
    );
    if let Some(result) = task.result_url {
        s += &format!("  const resultUrl = {};\n", at("answer", result));
    }
    s += &format!(
        "  const deadline = Date.now() + {GIVE_UP_SECS} * 1000;\n  for (;;) {{\n    const status = {};\n    \
         if ({}) {{\n      break;\n    }}\n",
        at("answer", &[task.status]),
        one_of("status", task.done),
    );
    if !task.failed.is_empty() {
        let reasons: String = task.reason.iter().map(|k| format!("{} ?? ", at("answer", &[*k]))).collect();
        s += &format!(
            "    if ({}) {{\n      const reason = {reasons}\"no reason given\";\n      \
             throw new Error(`${{status}}: ${{typeof reason === \"string\" ? reason : JSON.stringify(reason)}}`);\n    }}\n",
            one_of("status", task.failed),
        );
    }
    s += &format!(
        "    if (Date.now() > deadline) {{\n      throw new Error(`Still ${{status}} after {GIVE_UP_SECS} s; giving up.`);\n    }}\n    \
         await new Promise((resolve) => setTimeout(resolve, {ms}));\n    answer = {get};\n  }}\n",
        ms = POLL_SECS * 1000,
        get = get("pollUrl"),
    );
    if task.result_url.is_some() {
        s += &format!("  answer = {};\n", get("resultUrl"));
    }
    s += &match task.images {
        ImageUrls::One(path) => format!("  console.log({});\n", at("answer", path)),
        ImageUrls::OneOrList(path) => {
            format!("  for (const imageUrl of [{}].flat()) {{\n    console.log(imageUrl);\n  }}\n", at("answer", path))
        }
        ImageUrls::Objects(path, member) => {
            format!("  for (const image of {}) {{\n    console.log(image.{member});\n  }}\n", at("answer", path))
        }
    };
    s + "}\n\n" + catch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use crate::request::build;
    use serde_json::json;

    #[test]
    fn env_key_is_a_template_literal_and_prompts_are_escaped() {
        let m = find("1min/black-forest-labs/flux-dev").unwrap();
        let req = build(m, json!({"prompt": "`${x}` \u{2028}"}).as_object().unwrap(), m.provider.base_url);
        let s = javascript(&req, KeyStyle::Env.into());
        assert!(s.contains("\"API-KEY\": `${process.env.ONEMIN_AI_API_KEY}`,"), "{s}");
        assert!(s.contains(r#""prompt": "`${x}` \u2028","#), "{s}");
        assert!(s.contains("\"promptObject\": {\n"), "{s}");
    }
}
