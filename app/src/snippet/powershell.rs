//! PowerShell with `Invoke-RestMethod`. The body is a verbatim here-string of
//! ASCII-only JSON: nothing in it expands, no line of pretty JSON can start with
//! the `'@` terminator, and Windows PowerShell 5.1's Latin-1 body encoding
//! cannot mangle a prompt.

use super::literal::ascii_json;
use super::{auth_header, missing_key, placeholder, powershell_quote, task, task_summary, Key, KeyStyle};
use super::{EMULATOR_KEY, GIVE_UP_SECS, POLL_SECS};
use crate::catalog::{ImageUrls, Task};
use crate::request::ApiRequest;

fn body(req: &ApiRequest) -> String {
    ascii_json(&serde_json::to_string_pretty(&req.body).expect("JSON values serialise"))
}

pub fn powershell(req: &ApiRequest, key: Key) -> String {
    if let Some(task) = task(req) {
        return powershell_task(req, task, key);
    }
    let (name, value) = match key.style {
        // Double quotes so `$env:` expands; the rest is a fixed header prefix.
        KeyStyle::Env => {
            let var = if key.emulator {
                format!("$(if ($env:{0}) {{ $env:{0} }} else {{ '{EMULATOR_KEY}' }})", req.key_env)
            } else {
                format!("$env:{}", req.key_env)
            };
            let (name, value) = auth_header(req, &var);
            (name, format!("\"{value}\""))
        }
        KeyStyle::Placeholder => {
            let (name, value) = auth_header(req, &placeholder(req));
            (name, powershell_quote(&value))
        }
    };
    let call = format!(
        "Invoke-RestMethod -Method Post -Uri {} -Headers $headers -ContentType 'application/json; charset=utf-8' -Body $body",
        powershell_quote(&req.url)
    );
    let tail = match req.output_file() {
        Some(file) => format!("{call} -OutFile {}\n", powershell_quote(&file)),
        None => format!("$response = {call}\n$response | ConvertTo-Json -Depth 20\n"),
    };
    format!("$headers = @{{\n    {} = {value}\n}}\n$body = @'\n{}\n'@\n{tail}", powershell_quote(name), body(req))
}

/// `$answer.result.sample`; member enumeration reads a list's members too (`$answer.images.url`).
fn at(path: &[&str]) -> String {
    path.iter().fold("$answer".to_owned(), |acc, k| format!("{acc}.{k}"))
}

/// `$status -eq 'a'`, or `$status -in @('a', 'b')`.
fn one_of(values: &[&str]) -> String {
    match values {
        [one] => format!("$status -eq {}", powershell_quote(one)),
        _ => format!("$status -in @({})", values.iter().map(|v| powershell_quote(v)).collect::<Vec<_>>().join(", ")),
    }
}

fn powershell_task(req: &ApiRequest, task: &Task, key: Key) -> String {
    let env = req.key_env;
    let key_lines = match key.style {
        KeyStyle::Env if key.emulator => {
            format!("$key = if ($env:{env}) {{ $env:{env} }} else {{ '{EMULATOR_KEY}' }} # this server's emulator takes any key\n")
        }
        KeyStyle::Env => {
            format!("$key = $env:{env}\nif (-not $key) {{ throw {} }}\n", powershell_quote(&missing_key(req)))
        }
        KeyStyle::Placeholder => format!("$key = {}\n", powershell_quote(&placeholder(req))),
    };
    let (name, value) = auth_header(req, "$key");
    let value = if value == "$key" { value } else { format!("\"{value}\"") };
    let extra: Vec<String> =
        task.submit_headers.iter().map(|(n, v)| format!("{} = {}", powershell_quote(n), powershell_quote(v))).collect();
    let headers = if extra.is_empty() { "$auth".to_owned() } else { format!("($auth + @{{ {} }})", extra.join("; ")) };
    let mut s = format!(
        "# {}\n{key_lines}$auth = @{{ {} = {value} }}\n$body = @'\n{}\n'@\n\
         $answer = Invoke-RestMethod -Method Post -Uri {} -Headers {headers} -ContentType 'application/json; charset=utf-8' -Body $body\n\
         $pollUrl = {}\n",
        task_summary(),
        powershell_quote(name),
        body(req),
        powershell_quote(&req.url),
        at(task.poll_url),
    );
    if let Some(result) = task.result_url {
        s += &format!("$resultUrl = {}\n", at(result));
    }
    s += &format!(
        "$deadline = (Get-Date).AddSeconds({GIVE_UP_SECS})\nwhile ($true) {{\n    $status = {}\n    if ({}) {{ break }}\n",
        at(&[task.status]),
        one_of(task.done),
    );
    if !task.failed.is_empty() {
        let mut reason = String::new();
        for (i, k) in task.reason.iter().enumerate() {
            let member = at(&[*k]);
            reason += &format!("{} ({member}) {{ {member} }} ", if i == 0 { "if" } else { "elseif" });
        }
        reason = if reason.is_empty() {
            "'no reason given'".to_owned()
        } else {
            format!("{reason}else {{ 'no reason given' }}")
        };
        s += &format!(
            "    if ({}) {{\n        $reason = {reason}\n        throw \"${{status}}: $reason\"\n    }}\n",
            one_of(task.failed)
        );
    }
    s += &format!(
        "    if ((Get-Date) -gt $deadline) {{ throw \"Still $status after {GIVE_UP_SECS} s; giving up.\" }}\n    \
         Start-Sleep -Seconds {POLL_SECS}\n    $answer = Invoke-RestMethod -Uri $pollUrl -Headers $auth -TimeoutSec 120\n}}\n"
    );
    if task.result_url.is_some() {
        s += "$answer = Invoke-RestMethod -Uri $resultUrl -Headers $auth -TimeoutSec 120\n";
    }
    s + &match task.images {
        ImageUrls::One(path) | ImageUrls::OneOrList(path) => at(path),
        ImageUrls::Objects(path, member) => format!("{}.{member}", at(path)),
    } + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use crate::request::build;
    use crate::snippet::Key;
    use serde_json::json;

    #[test]
    fn golden_flux_dev() {
        let m = find("aimlapi/flux/dev").unwrap();
        let req = build(m, json!({"prompt": "it’s 🦖 $x"}).as_object().unwrap(), m.provider.base_url);
        assert_eq!(
            powershell(&req, KeyStyle::Env.into()),
            "$headers = @{\n    'Authorization' = \"Bearer $env:AIMLAPI_KEY\"\n}\n$body = @'\n{\n  \"model\": \"flux/dev\",\n  \
             \"prompt\": \"it\\u2019s \\ud83e\\udd96 $x\"\n}\n'@\n\
             $response = Invoke-RestMethod -Method Post -Uri 'https://api.aimlapi.com/v1/images/generations' -Headers $headers \
             -ContentType 'application/json; charset=utf-8' -Body $body\n$response | ConvertTo-Json -Depth 20\n"
        );
    }

    #[test]
    fn tasks_poll_with_the_same_headers_and_print_the_urls() {
        let render = |slug: &str, key: Key| {
            let m = find(slug).unwrap();
            let req =
                super::super::display_request(m, json!({"prompt": "it's"}).as_object().unwrap(), m.provider.base_url);
            powershell(&req, key)
        };
        let s = render("replicate/black-forest-labs/flux-dev", KeyStyle::Env.into());
        assert!(s.contains(
            "$key = $env:REPLICATE_API_TOKEN\nif (-not $key) { throw 'Set REPLICATE_API_TOKEN to your API key.' }\n"
        ));
        assert!(s.contains("$auth = @{ 'Authorization' = \"Bearer $key\" }\n"), "{s}");
        assert!(s.contains("-Headers ($auth + @{ 'Prefer' = 'wait' }) -ContentType"), "{s}");
        assert!(s.contains("$pollUrl = $answer.urls.get\n"), "{s}");
        assert!(s.contains("if ($status -in @('failed', 'canceled', 'aborted')) {\n"), "{s}");
        assert!(s.contains("        throw \"${status}: $reason\"\n"), "{s}");
        assert!(
            s.contains("$answer = Invoke-RestMethod -Uri $pollUrl -Headers $auth -TimeoutSec 120\n}\n$answer.output\n")
        );
        let s = render("fal/fal-ai/flux/dev", Key { style: KeyStyle::Env, emulator: true });
        assert!(s.contains("$key = if ($env:FAL_KEY) { $env:FAL_KEY } else { 'emulator' }"), "{s}");
        assert!(s.contains("-Uri 'https://queue.fal.run/fal-ai/flux/dev' -Headers $auth -ContentType"), "{s}");
        assert!(s.ends_with(
            "$answer = Invoke-RestMethod -Uri $resultUrl -Headers $auth -TimeoutSec 120\n$answer.images.url\n"
        ));
        let s = render("bfl/flux-dev", KeyStyle::Placeholder.into());
        assert!(s.contains("$key = '<YOUR_BFL_API_KEY>'\n$auth = @{ 'x-key' = $key }\n"), "{s}");
        assert!(s.contains("\"prompt\": \"it's\"\n}\n'@\n"), "the body stays a verbatim here-string: {s}");
        assert!(s.ends_with("$answer.result.sample\n"), "{s}");
    }

    #[test]
    fn segmind_writes_the_file_and_placeholders_are_verbatim() {
        let m = find("segmind/flux-dev").unwrap();
        let req = build(m, json!({"prompt": "p"}).as_object().unwrap(), m.provider.base_url);
        let s = powershell(&req, KeyStyle::Placeholder.into());
        assert!(s.contains("'x-api-key' = '<YOUR_SEGMIND_API_KEY>'"), "{s}");
        assert!(s.ends_with(" -OutFile 'flux-dev.webp'\n"), "{s}");
    }
}
