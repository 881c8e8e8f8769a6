//! Settings from the environment. Keys are read once into secret types. The
//! provider variables come from the catalog, so a new provider is configured
//! (and listed by `--help`) without code here.

use app::catalog::{Provider, PROVIDERS};
use secrecy::SecretString;
use std::fmt::Write;
use std::path::PathBuf;

/// `fluxplay --help`.
pub fn help() -> String {
    let mut out = String::from(
        "fluxplay: a self-hosted playground for the FLUX image APIs\n\n\
         USAGE:\n  fluxplay             serve the playground\n  \
         fluxplay emulate [--port N]\n                       serve only the provider emulators (default port 4000)\n  \
         fluxplay healthcheck  ask the server at LEPTOS_SITE_ADDR for /healthz (exit 0 when it answers)\n  \
         fluxplay --help\n\nEnvironment:\n  \
         LEPTOS_SITE_ADDR     address to listen on (default 127.0.0.1:3000)\n  \
         LEPTOS_SITE_ROOT     where the built site (pkg/) is (default target/site)\n  \
         FLUXPLAY_DATA_DIR    where generated and uploaded images are stored (default data)\n  \
         FLUXPLAY_CONFIG      a file of NAME=value lines read before the environment (default fluxplay.env)\n  \
         FLUXPLAY_DATABASE_URL  postgres://… for replicas (default: SQLite, fluxplay.db in the data directory)\n  \
         FLUXPLAY_S3_BUCKET   keep images in this S3-compatible bucket (default: the data directory)\n  \
         FLUXPLAY_S3_ENDPOINT the bucket's endpoint, for MinIO, R2, … (default: AWS)\n  \
         FLUXPLAY_S3_REGION   (default us-east-1)\n  \
         FLUXPLAY_S3_ACCESS_KEY_ID, FLUXPLAY_S3_SECRET_ACCESS_KEY  the bucket's credentials (default: AWS_* variables)\n  \
         RUST_LOG             log filter (default info)\n\n\
         Public-demo guards and upstream timeouts (default in brackets):\n",
    );
    for (name, default, what) in crate::limits::SETTINGS {
        let _ = writeln!(out, "  {name:<32} {what} [{default}]");
    }
    out.push_str("\nProviders (a provider without its key is served by the built-in emulator):\n");
    for p in PROVIDERS {
        let need = if p.key_optional { "optional key" } else { "key" };
        let _ = writeln!(out, "  {:<24} {} {need}", p.key_env, p.name);
        let _ = writeln!(out, "  {:<24} {} base URL (default {})", p.url_env, p.name, p.base_url);
        if let Some(model_env) = p.model_env {
            let _ = writeln!(out, "  {model_env:<24} {} model name to send (default: the catalog's id)", p.name);
        }
    }
    out
}

/// One provider's upstream settings.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub provider: &'static Provider,
    pub key: Option<SecretString>,
    pub base_url: String,
    /// Whether the base URL was set (a self-hosted engine is live once it is).
    pub url_set: bool,
    /// The model name to send, where the provider has a `model_env` and it is set.
    pub model_name: Option<String>,
}

impl ProviderConfig {
    /// Calls go to the real provider (else to the embedded emulator).
    pub fn live(&self) -> bool {
        self.key.is_some() || (self.provider.key_optional && self.url_set)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// PostgreSQL (or another SQLite file); it may hold a password.
    pub database_url: Option<SecretString>,
    pub s3: Option<crate::objects::S3Config>,
    pub providers: Vec<ProviderConfig>,
    /// Guards for a public demo, and upstream timeouts.
    pub limits: crate::limits::Limits,
}

pub use crate::config_error::ConfigError;

impl Config {
    /// The environment, over the config file (`FLUXPLAY_CONFIG`, or `fluxplay.env` if present).
    pub fn from_env() -> Result<Self, ConfigError> {
        let (path, required) = match std::env::var("FLUXPLAY_CONFIG") {
            Ok(path) if !path.trim().is_empty() => (path, true),
            _ => ("fluxplay.env".to_owned(), false),
        };
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => parse_file(&text),
            Err(e) if required || e.kind() != std::io::ErrorKind::NotFound => return Err(ConfigError::File(path, e)),
            Err(_) => Vec::new(),
        };
        Self::from_lookup(|name| {
            std::env::var(name).ok().or_else(|| file.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
        })
    }

    /// Reads settings through `var`, so tests need not touch the process environment.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let set = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let providers = PROVIDERS
            .iter()
            .map(|p| {
                let url = set(p.url_env);
                let base_url = url.clone().unwrap_or_else(|| p.base_url.to_owned());
                if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
                    return Err(ConfigError::BadUrl(p.url_env));
                }
                Ok(ProviderConfig {
                    provider: p,
                    key: set(p.key_env).map(SecretString::from),
                    base_url: base_url.trim_end_matches('/').to_owned(),
                    url_set: url.is_some(),
                    model_name: p.model_env.and_then(&set),
                })
            })
            .collect::<Result<_, _>>()?;
        let s3 = set("FLUXPLAY_S3_BUCKET").map(|bucket| crate::objects::S3Config {
            bucket,
            endpoint: set("FLUXPLAY_S3_ENDPOINT"),
            region: set("FLUXPLAY_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
            access_key_id: set("FLUXPLAY_S3_ACCESS_KEY_ID"),
            secret_access_key: set("FLUXPLAY_S3_SECRET_ACCESS_KEY").map(SecretString::from),
        });
        Ok(Self {
            data_dir: set("FLUXPLAY_DATA_DIR").unwrap_or_else(|| "data".into()).into(),
            database_url: set("FLUXPLAY_DATABASE_URL").map(SecretString::from),
            s3,
            providers,
            limits: crate::limits::Limits::from_lookup(&set)?,
        })
    }
}

/// `NAME=value` lines; `#` starts a comment line; values may be quoted.
fn parse_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("export ").unwrap_or(l).split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let unquoted = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
            (k.trim().to_owned(), unquoted.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_key() {
        let cfg = Config::from_lookup(|n| (n == "AIMLAPI_KEY").then(|| "canary-7f3a9".to_owned())).unwrap();
        assert!(cfg.providers[0].key.is_some());
        assert!(!format!("{cfg:?}").contains("canary-7f3a9"));
    }

    #[test]
    fn debug_output_never_shows_the_database_password_or_the_bucket_secret() {
        let vars = [
            ("FLUXPLAY_DATABASE_URL", "postgres://fluxplay:pg-canary-51c@db.internal/fluxplay"),
            ("FLUXPLAY_S3_BUCKET", "images"),
            ("FLUXPLAY_S3_SECRET_ACCESS_KEY", "s3-canary-9e0"),
        ];
        let cfg = Config::from_lookup(|n| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| (*v).to_owned())).unwrap();
        let shown = format!("{cfg:?}");
        assert!(cfg.s3.is_some() && cfg.database_url.is_some());
        assert!(!shown.contains("pg-canary-51c") && !shown.contains("s3-canary-9e0"), "{shown}");
    }

    #[test]
    fn rejects_a_base_url_that_is_not_http() {
        let err = Config::from_lookup(|n| (n == "AIMLAPI_BASE_URL").then(|| "file:///etc".to_owned()));
        assert!(matches!(err, Err(ConfigError::BadUrl("AIMLAPI_BASE_URL"))));
    }

    #[test]
    fn config_file_lines_are_read_with_comments_and_quotes() {
        let vars = parse_file("# demo\nFLUXPLAY_PASSPHRASE=\"open sesame\"\n\nexport FLUXPLAY_DAILY_IMAGES = 50\n");
        assert_eq!(
            vars,
            [("FLUXPLAY_PASSPHRASE".into(), "open sesame".into()), ("FLUXPLAY_DAILY_IMAGES".into(), "50".into())]
        );
    }

    #[test]
    fn help_lists_every_providers_variables() {
        let text = help();
        for p in PROVIDERS {
            assert!(text.contains(p.key_env) && text.contains(p.url_env), "{}", p.id);
        }
    }
}
