use crate::config::Config;
use crate::store::ImageStore;
use app::api::{BackendStatus, ProviderStatus};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Any non-empty key satisfies the emulator; this one is public on purpose.
pub const EMULATOR_KEY: &str = "fluxplay-emulator";

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub inner: Arc<Inner>,
}

pub struct Inner {
    /// For provider calls: no redirects, so a key header never follows one elsewhere.
    pub http: reqwest::Client,
    /// Generated images.
    pub store: ImageStore,
    /// Reference images people uploaded.
    pub uploads: ImageStore,
    /// One per catalog provider, in catalog order.
    pub upstreams: Vec<Upstream>,
    pub jobs: crate::jobs::Jobs,
    pub poll_deadline: Duration,
}

/// Where one provider's requests go, and with which key.
pub struct Upstream {
    pub provider: &'static str,
    pub base_url: String,
    pub key: SecretString,
    pub emulated: bool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot use the data directory: {0}")]
    DataDir(std::io::Error),
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
}

impl AppState {
    /// `addr` is where this server listens: with no key, providers are reached
    /// through the embedded emulator over real HTTP on that address.
    pub fn new(leptos_options: LeptosOptions, config: Config, addr: SocketAddr) -> Result<Self, StateError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(180))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(StateError::Client)?;
        let loopback = emulator_base(addr);
        let upstreams = config
            .providers
            .into_iter()
            .map(|p| {
                let provider = p.provider.id;
                if p.live() {
                    let key = p.key.unwrap_or_else(|| SecretString::from(""));
                    Upstream { provider, base_url: p.base_url, key, emulated: false }
                } else {
                    let base_url = format!("{loopback}/{provider}");
                    Upstream { provider, base_url, key: SecretString::from(EMULATOR_KEY), emulated: true }
                }
            })
            .collect();
        let (images, uploads) = (config.data_dir.join("images"), config.data_dir.join("uploads"));
        Ok(Self {
            leptos_options,
            inner: Arc::new(Inner {
                http,
                store: ImageStore::open(&images).map_err(StateError::DataDir)?,
                uploads: ImageStore::open(&uploads).map_err(StateError::DataDir)?,
                upstreams,
                jobs: crate::jobs::Jobs::default(),
                poll_deadline: config.poll_deadline,
            }),
        })
    }

    pub fn backend_status(&self) -> BackendStatus {
        let providers =
            self.inner.upstreams.iter().map(|u| ProviderStatus { id: u.provider.into(), live: !u.emulated }).collect();
        BackendStatus { providers }
    }

    /// The upstream for a catalog provider.
    pub fn upstream(&self, provider: &str) -> &Upstream {
        self.inner.upstreams.iter().find(|u| u.provider == provider).expect("every catalog provider is configured")
    }
}

/// The embedded emulator's base URL; an unspecified listen address is reached on loopback.
fn emulator_base(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        if addr.is_ipv4() {
            "127.0.0.1".to_owned()
        } else {
            "[::1]".to_owned()
        }
    } else if addr.is_ipv6() {
        format!("[{}]", addr.ip())
    } else {
        addr.ip().to_string()
    };
    format!("http://{ip}:{}/emulate", addr.port())
}
