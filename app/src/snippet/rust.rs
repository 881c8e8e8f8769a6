//! Rust with reqwest (blocking) and serde_json. The body is parsed from a raw
//! string with enough `#`s that no prompt can end it, written as ASCII-only
//! JSON: rustc refuses bidi control characters in literals, and escapes parse
//! to the same body.

use super::literal::ascii_json;
use super::{auth_header, missing_key, placeholder, task, task_summary, Key, KeyStyle};
use super::{EMULATOR_KEY, GIVE_UP_SECS, POLL_SECS};
use crate::catalog::{ImageUrls, Task};
use crate::request::ApiRequest;

const CARGO: &str =
    "// Cargo.toml:\n// reqwest = { version = \"0.12\", features = [\"blocking\", \"json\"] }\n// serde_json = \"1\"\n";

/// The body as a raw string literal, indented for a call's argument.
fn raw_body(req: &ApiRequest) -> String {
    let body = ascii_json(&serde_json::to_string_pretty(&req.body).expect("JSON values serialise"));
    let hashes = "#".repeat(longest_hash_run_after_quote(&body) + 1);
    format!("r{hashes}\"{body}\"{hashes}")
}

pub fn rust(req: &ApiRequest, key: Key) -> String {
    if let Some(task) = task(req) {
        return rust_task(req, task, key);
    }
    let key_line = match key.style {
        KeyStyle::Env if key.emulator => {
            format!("    let key = std::env::var({:?}).unwrap_or_else(|_| {EMULATOR_KEY:?}.to_owned());\n", req.key_env)
        }
        KeyStyle::Env => format!("    let key = std::env::var({:?})?;\n", req.key_env),
        KeyStyle::Placeholder => format!("    let key = {:?};\n", placeholder(req)),
    };
    let (name, value) = auth_header(req, "{key}");
    let handle = match req.output_file() {
        Some(file) => format!("    std::fs::write({file:?}, response.bytes()?)?;\n    println!(\"saved {{}}\", {file:?});\n"),
        None => "    let answer: serde_json::Value = response.json()?;\n    println!(\"{}\", serde_json::to_string_pretty(&answer)?);\n"
            .to_owned(),
    };
    format!(
        "{CARGO}\nfn main() -> Result<(), Box<dyn std::error::Error>> {{\n{key_line}    \
         let body: serde_json::Value = serde_json::from_str(\n        {body},\n    )?;\n    \
         let response = reqwest::blocking::Client::builder()\n        \
         .timeout(std::time::Duration::from_secs(300))\n        .build()?\n        \
         .post({url:?})\n        .header({name:?}, format!({value:?}))\n        .json(&body)\n        .send()?\n        \
         .error_for_status()?;\n{handle}    Ok(())\n}}\n",
        body = raw_body(req),
        url = req.url,
    )
}

/// `answer["result"]["sample"]`.
fn at(path: &[&str]) -> String {
    path.iter().fold("answer".to_owned(), |acc, k| format!("{acc}[{k:?}]"))
}

/// `status == "a"`, or `["a", "b"].contains(&status.as_str())`.
fn one_of(values: &[&str]) -> String {
    match values {
        [one] => format!("status == {one:?}"),
        _ => format!("{values:?}.contains(&status.as_str())"),
    }
}

fn rust_task(req: &ApiRequest, task: &Task, key: Key) -> String {
    let env = req.key_env;
    let key_line = match key.style {
        KeyStyle::Env if key.emulator => format!(
            "    // This server's emulator takes any key.\n    \
             let key = std::env::var({env:?}).unwrap_or_else(|_| {EMULATOR_KEY:?}.to_owned());\n"
        ),
        KeyStyle::Env => format!("    let key = std::env::var({env:?}).map_err(|_| {:?})?;\n", missing_key(req)),
        KeyStyle::Placeholder => format!("    let key = {:?};\n", placeholder(req)),
    };
    let (name, value) = auth_header(req, "{key}");
    let auth = format!(".header({name:?}, format!({value:?}))");
    let extra: String =
        task.submit_headers.iter().map(|(n, v)| format!("\n            .header({n:?}, {v:?})")).collect();
    let mut s = format!(
        "{CARGO}\n// {summary}\nuse serde_json::Value;\nuse std::time::{{Duration, Instant}};\n\n\
         type Error = Box<dyn std::error::Error>;\n\n\
         /// The answer as JSON, or the provider's status and body as the error.\n\
         fn json(response: reqwest::blocking::Response) -> Result<Value, Error> {{\n    \
         let status = response.status();\n    let text = response.text()?;\n    if !status.is_success() {{\n        \
         return Err(format!(\"{{status}}: {{text}}\").into());\n    }}\n    Ok(serde_json::from_str(&text)?)\n}}\n\n\
         fn main() -> Result<(), Error> {{\n{key_line}    \
         let body: Value = serde_json::from_str(\n        {body},\n    )?;\n    \
         let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(120)).build()?;\n    \
         let mut answer = json(\n        client\n            .post({url:?})\n            {auth}{extra}\n            \
         .json(&body)\n            .send()?,\n    )?;\n    \
         let poll_url = {poll}.as_str().ok_or(\"no polling URL in the answer\")?.to_owned();\n",
        summary = task_summary(),
        body = raw_body(req),
        url = req.url,
        poll = at(task.poll_url),
    );
    if let Some(result) = task.result_url {
        s += &format!(
            "    let result_url = {}.as_str().ok_or(\"no result URL in the answer\")?.to_owned();\n",
            at(result)
        );
    }
    s += &format!(
        "    let deadline = Instant::now() + Duration::from_secs({GIVE_UP_SECS});\n    loop {{\n        \
         let status = {}.as_str().unwrap_or_default().to_owned();\n        if {} {{\n            break;\n        }}\n",
        at(&[task.status]),
        one_of(task.done),
    );
    if !task.failed.is_empty() {
        s += &format!(
            "        if {} {{\n            let reason = {:?}\n                .into_iter()\n                \
             .map(|member| &answer[member])\n                .find(|v| !v.is_null())\n                \
             .map_or_else(|| \"no reason given\".to_owned(), |v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));\n            \
             return Err(format!(\"{{status}}: {{reason}}\").into());\n        }}\n",
            one_of(task.failed),
            task.reason,
        );
    }
    s += &format!(
        "        if Instant::now() > deadline {{\n            \
         return Err(format!(\"still {{status}} after {GIVE_UP_SECS} s; giving up\").into());\n        }}\n        \
         std::thread::sleep(Duration::from_secs({POLL_SECS}));\n        \
         answer = json(client.get(&poll_url){auth}.send()?)?;\n    }}\n"
    );
    if task.result_url.is_some() {
        s += &format!("    answer = json(client.get(&result_url){auth}.send()?)?;\n");
    }
    s += &match task.images {
        ImageUrls::One(path) => {
            format!("    println!(\"{{}}\", {}.as_str().ok_or(\"no image URL in the answer\")?);\n", at(path))
        }
        ImageUrls::OneOrList(path) => format!(
            "    let output = &{};\n    \
             for url in output.as_array().map_or_else(|| vec![output], |urls| urls.iter().collect()) {{\n        \
             println!(\"{{}}\", url.as_str().unwrap_or_default());\n    }}\n",
            at(path)
        ),
        ImageUrls::Objects(path, member) => format!(
            "    for image in {}.as_array().ok_or(\"no images in the answer\")? {{\n        \
             println!(\"{{}}\", image[{member:?}].as_str().unwrap_or_default());\n    }}\n",
            at(path)
        ),
    };
    s + "    Ok(())\n}\n"
}

/// The longest run of `#` right after a `"` in `text`.
fn longest_hash_run_after_quote(text: &str) -> usize {
    text.split('"').skip(1).map(|rest| rest.chars().take_while(|c| *c == '#').count()).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use crate::request::build;
    use serde_json::json;

    #[test]
    fn raw_string_outlasts_any_hash_run() {
        let m = find("aimlapi/flux/dev").unwrap();
        let req = build(m, json!({"prompt": "a \"## b"}).as_object().unwrap(), m.provider.base_url);
        let s = rust(&req, KeyStyle::Env.into());
        // The JSON has `\"##`: the raw string needs three hashes.
        assert!(s.contains("r###\"{"), "{s}");
        assert!(s.contains("}\"###,"), "{s}");
        assert!(s.contains("let key = std::env::var(\"AIMLAPI_KEY\")?;"));
        assert!(s.contains(".header(\"Authorization\", format!(\"Bearer {key}\"))"), "{s}");
    }
}
