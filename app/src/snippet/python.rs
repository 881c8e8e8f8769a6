//! Python with `requests`, as the providers' own examples use.

use super::literal::{literal, string, Dialect};
use super::{auth_header, missing_key, placeholder, task, task_summary, Key, KeyStyle};
use super::{EMULATOR_KEY, GIVE_UP_SECS, POLL_SECS};
use crate::catalog::{ImageUrls, Task};
use crate::request::ApiRequest;

fn q(s: &str) -> String {
    string(s, Dialect::Python)
}

/// The auth header's name, and its value as an expression around `key_expr`.
fn header(req: &ApiRequest, key_expr: &str) -> (&'static str, String) {
    let (name, value) = auth_header(req, "\u{0}");
    let (before, after) = value.split_once('\u{0}').unwrap_or((&value, ""));
    let mut parts = Vec::new();
    if !before.is_empty() {
        parts.push(q(before));
    }
    parts.push(key_expr.to_owned());
    if !after.is_empty() {
        parts.push(q(after));
    }
    (name, parts.join(" + "))
}

pub fn python(req: &ApiRequest, key: Key) -> String {
    if let Some(task) = task(req) {
        return python_task(req, task, key);
    }
    let key_expr = match key.style {
        KeyStyle::Env if key.emulator => {
            let expr = format!("os.environ.get({}) or {}", q(req.key_env), q(EMULATOR_KEY));
            if auth_header(req, "").1.is_empty() {
                expr
            } else {
                format!("({expr})")
            }
        }
        KeyStyle::Env => format!("os.environ[{}]", q(req.key_env)),
        KeyStyle::Placeholder => q(&placeholder(req)),
    };
    let (name, header_value) = header(req, &key_expr);
    let (imports, handle) = match req.output_file() {
        Some(file) => (
            "import os\n\nimport requests\n",
            format!("with open({0}, \"wb\") as f:\n    f.write(response.content)\nprint(\"saved\", {0})\n", q(&file)),
        ),
        None => (
            "import json\nimport os\n\nimport requests\n",
            "print(json.dumps(response.json(), indent=2, ensure_ascii=False))\n".to_owned(),
        ),
    };
    format!(
        "{imports}\nurl = {url}\nheaders = {{\n    {name}: {header_value},\n    \"Content-Type\": \"application/json\",\n}}\n\
         payload = {payload}\n\nresponse = requests.post(url, headers=headers, json=payload, timeout=300)\n\
         response.raise_for_status()\n{handle}",
        url = q(&req.url),
        name = q(name),
        payload = literal(&req.body, Dialect::Python, 4, 0),
    )
}

/// `answer["result"]["sample"]`.
fn at(var: &str, path: &[&str]) -> String {
    path.iter().fold(var.to_owned(), |acc, k| format!("{acc}[{}]", q(k)))
}

/// `x == "a"`, or `x in ("a", "b")`.
fn one_of(var: &str, values: &[&str]) -> String {
    match values {
        [one] => format!("{var} == {}", q(one)),
        _ => format!("{var} in ({})", values.iter().map(|v| q(v)).collect::<Vec<_>>().join(", ")),
    }
}

fn python_task(req: &ApiRequest, task: &Task, key: Key) -> String {
    let key_lines = match key.style {
        KeyStyle::Env if key.emulator => format!(
            "key = os.environ.get({}) or {}  # this server's emulator takes any key\n",
            q(req.key_env),
            q(EMULATOR_KEY)
        ),
        KeyStyle::Env => {
            format!("key = os.environ.get({})\nif not key:\n    sys.exit({})\n", q(req.key_env), q(&missing_key(req)))
        }
        KeyStyle::Placeholder => format!("key = {}\n", q(&placeholder(req))),
    };
    let (name, value) = header(req, "key");
    let extra: String = task.submit_headers.iter().map(|(n, v)| format!("{}: {}, ", q(n), q(v))).collect();
    let mut s = format!(
        "# {summary}\nimport os\nimport sys\nimport time\n\nimport requests\n\n{key_lines}auth = {{{name}: {value}}}\n\
         url = {url}\npayload = {payload}\n\n\n\
         def call(method, url, **kwargs):\n    response = requests.request(method, url, timeout=120, **kwargs)\n    \
         if not response.ok:\n        sys.exit(f\"{{response.status_code}}: {{response.text}}\")\n    return response.json()\n\n\n\
         answer = call(\"POST\", url, headers={{**auth, {extra}\"Content-Type\": \"application/json\"}}, json=payload)\n\
         poll_url = {poll}\n",
        summary = task_summary(),
        name = q(name),
        url = q(&req.url),
        payload = literal(&req.body, Dialect::Python, 4, 0),
        poll = at("answer", task.poll_url),
    );
    if let Some(result) = task.result_url {
        s += &format!("result_url = {}\n", at("answer", result));
    }
    s += &format!(
        "deadline = time.monotonic() + {GIVE_UP_SECS}\nwhile True:\n    status = answer.get({})\n    if {}:\n        break\n",
        q(task.status),
        one_of("status", task.done),
    );
    if !task.failed.is_empty() {
        let reasons: String = task.reason.iter().map(|k| format!("answer.get({}) or ", q(k))).collect();
        s += &format!(
            "    if {}:\n        reason = {reasons}\"no reason given\"\n        sys.exit(f\"{{status}}: {{reason}}\")\n",
            one_of("status", task.failed),
        );
    }
    s += &format!(
        "    if time.monotonic() > deadline:\n        sys.exit(f\"Still {{status}} after {GIVE_UP_SECS} s; giving up.\")\n    \
         time.sleep({POLL_SECS})\n    answer = call(\"GET\", poll_url, headers=auth)\n"
    );
    if task.result_url.is_some() {
        s += "answer = call(\"GET\", result_url, headers=auth)\n";
    }
    s + &match task.images {
        ImageUrls::One(path) => format!("print({})\n", at("answer", path)),
        ImageUrls::OneOrList(path) => format!(
            "output = {}\nfor image_url in output if isinstance(output, list) else [output]:\n    print(image_url)\n",
            at("answer", path)
        ),
        ImageUrls::Objects(path, member) => {
            format!("for image in {}:\n    print(image[{}])\n", at("answer", path), q(member))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use crate::request::build;
    use serde_json::json;

    #[test]
    fn golden_flux_dev() {
        let m = find("aimlapi/flux/dev").unwrap();
        let req = build(m, json!({"prompt": "a \"cat\""}).as_object().unwrap(), m.provider.base_url);
        assert_eq!(
            python(&req, KeyStyle::Env.into()),
            "import json\nimport os\n\nimport requests\n\n\
             url = \"https://api.aimlapi.com/v1/images/generations\"\n\
             headers = {\n    \"Authorization\": \"Bearer \" + os.environ[\"AIMLAPI_KEY\"],\n    \"Content-Type\": \"application/json\",\n}\n\
             payload = {\n    \"model\": \"flux/dev\",\n    \"prompt\": \"a \\\"cat\\\"\",\n}\n\n\
             response = requests.post(url, headers=headers, json=payload, timeout=300)\n\
             response.raise_for_status()\n\
             print(json.dumps(response.json(), indent=2, ensure_ascii=False))\n"
        );
    }

    #[test]
    fn placeholder_keys_are_plain_strings() {
        let m = find("segmind/flux-dev").unwrap();
        let req = build(m, json!({"prompt": "p", "output_format": "png"}).as_object().unwrap(), m.provider.base_url);
        let s = python(&req, KeyStyle::Placeholder.into());
        assert!(s.contains("\"x-api-key\": \"<YOUR_SEGMIND_API_KEY>\","), "{s}");
        assert!(s.contains("with open(\"flux-dev.png\", \"wb\") as f:"), "{s}");
    }
}
