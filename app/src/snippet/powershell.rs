//! PowerShell with `Invoke-RestMethod`. The body is a verbatim here-string of
//! ASCII-only JSON: nothing in it expands, no line of pretty JSON can start with
//! the `'@` terminator, and Windows PowerShell 5.1's Latin-1 body encoding
//! cannot mangle a prompt.

use super::literal::ascii_json;
use super::{auth_header, placeholder, powershell_quote, KeyStyle};
use crate::request::ApiRequest;

pub fn powershell(req: &ApiRequest, key: KeyStyle) -> String {
    let (name, value) = match key {
        // Double quotes so `$env:` expands; the rest is a fixed header prefix.
        KeyStyle::Env => {
            let (name, value) = auth_header(req, &format!("$env:{}", req.key_env));
            (name, format!("\"{value}\""))
        }
        KeyStyle::Placeholder => {
            let (name, value) = auth_header(req, &placeholder(req));
            (name, powershell_quote(&value))
        }
    };
    let body = ascii_json(&serde_json::to_string_pretty(&req.body).expect("JSON values serialise"));
    let call = format!(
        "Invoke-RestMethod -Method Post -Uri {} -Headers $headers -ContentType 'application/json; charset=utf-8' -Body $body",
        powershell_quote(&req.url)
    );
    let tail = match req.output_file() {
        Some(file) => format!("{call} -OutFile {}\n", powershell_quote(&file)),
        None => format!("$response = {call}\n$response | ConvertTo-Json -Depth 20\n"),
    };
    format!("$headers = @{{\n    {} = {value}\n}}\n$body = @'\n{body}\n'@\n{tail}", powershell_quote(name))
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
        let req = build(m, json!({"prompt": "it’s 🦖 $x"}).as_object().unwrap(), m.provider.base_url);
        assert_eq!(
            powershell(&req, KeyStyle::Env),
            "$headers = @{\n    'Authorization' = \"Bearer $env:AIMLAPI_KEY\"\n}\n$body = @'\n{\n  \"model\": \"flux/dev\",\n  \
             \"prompt\": \"it\\u2019s \\ud83e\\udd96 $x\"\n}\n'@\n\
             $response = Invoke-RestMethod -Method Post -Uri 'https://api.aimlapi.com/v1/images/generations' -Headers $headers \
             -ContentType 'application/json; charset=utf-8' -Body $body\n$response | ConvertTo-Json -Depth 20\n"
        );
    }

    #[test]
    fn segmind_writes_the_file_and_placeholders_are_verbatim() {
        let m = find("segmind/flux-dev").unwrap();
        let req = build(m, json!({"prompt": "p"}).as_object().unwrap(), m.provider.base_url);
        let s = powershell(&req, KeyStyle::Placeholder);
        assert!(s.contains("'x-api-key' = '<YOUR_SEGMIND_API_KEY>'"), "{s}");
        assert!(s.ends_with(" -OutFile 'flux-dev.webp'\n"), "{s}");
    }
}
