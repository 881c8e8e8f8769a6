//! Settings from the environment. Keys are read once into secret types.

use secrecy::SecretString;
use std::path::PathBuf;

pub const HELP: &str = "\
fluxplay: a self-hosted playground for the FLUX image APIs

USAGE: fluxplay [--help]

Environment:
  LEPTOS_SITE_ADDR     address to listen on (default 127.0.0.1:3000)
  LEPTOS_SITE_ROOT     where the built site (pkg/) is (default target/site)
  FLUXPLAY_DATA_DIR    where generated images are stored (default data)
  AIMLAPI_KEY          AI/ML API key; unset: the built-in emulator answers
  AIMLAPI_BASE_URL     AI/ML API base URL (default https://api.aimlapi.com)
  RUST_LOG             log filter (default info)
";

/// One provider's upstream: the real API when a key is set, else none (emulated).
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub key: Option<SecretString>,
    pub base_url: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub aimlapi: ProviderConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} must be an http(s) URL")]
    BadUrl(&'static str),
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `var`, so tests need not touch the process environment.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let provider = |key: &'static str, url: &'static str, default: &str| -> Result<_, ConfigError> {
            let base_url = var(url).filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_owned());
            if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
                return Err(ConfigError::BadUrl(url));
            }
            let key = var(key).filter(|k| !k.trim().is_empty()).map(|k| SecretString::from(k.trim().to_owned()));
            Ok(ProviderConfig { key, base_url: base_url.trim_end_matches('/').to_owned() })
        };
        Ok(Self {
            data_dir: var("FLUXPLAY_DATA_DIR").filter(|v| !v.is_empty()).unwrap_or_else(|| "data".into()).into(),
            aimlapi: provider("AIMLAPI_KEY", "AIMLAPI_BASE_URL", app::catalog::AIMLAPI.base_url)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_key() {
        let cfg = Config::from_lookup(|n| (n == "AIMLAPI_KEY").then(|| "canary-7f3a9".to_owned())).unwrap();
        assert!(cfg.aimlapi.key.is_some());
        assert!(!format!("{cfg:?}").contains("canary-7f3a9"));
    }

    #[test]
    fn rejects_a_base_url_that_is_not_http() {
        let err = Config::from_lookup(|n| (n == "AIMLAPI_BASE_URL").then(|| "file:///etc".to_owned()));
        assert!(matches!(err, Err(ConfigError::BadUrl("AIMLAPI_BASE_URL"))));
    }
}
