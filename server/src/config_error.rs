//! What is wrong with a setting: shared by every settings module, depending on none.

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} must be an http(s) URL")]
    BadUrl(&'static str),
    #[error("{0} must be {1}")]
    Bad(&'static str, &'static str),
    #[error("{0}: `{1}` is not in the catalog")]
    Unknown(&'static str, String),
    #[error("cannot read the config file {0}: {1}")]
    File(String, std::io::Error),
}
