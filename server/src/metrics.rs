//! Counters for an operator, in Prometheus' text format at `/metrics`, which
//! answers only to `Authorization: Bearer $FLUXPLAY_METRICS_TOKEN`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

/// Why a request was turned away.
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    RateLimit,
    Busy,
    Budget,
    Passphrase,
    TooLarge,
}

impl Refusal {
    const ALL: [Refusal; 5] = [Self::RateLimit, Self::Busy, Self::Budget, Self::Passphrase, Self::TooLarge];

    fn label(self) -> &'static str {
        match self {
            Self::RateLimit => "rate_limit",
            Self::Busy => "busy",
            Self::Budget => "budget",
            Self::Passphrase => "passphrase",
            Self::TooLarge => "too_large",
        }
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    refused: [AtomicU64; Refusal::ALL.len()],
    done: AtomicU64,
    failed: AtomicU64,
    images: AtomicU64,
    /// Submits sent to providers, by provider.
    submits: Mutex<BTreeMap<&'static str, u64>>,
    /// Upstream failures by kind (`status_502`, `timeout`, …).
    upstream_errors: Mutex<BTreeMap<String, u64>>,
}

impl Metrics {
    pub fn refused(&self, why: Refusal) {
        self.refused[why as usize].fetch_add(1, Relaxed);
    }

    pub fn finished(&self, ok: bool, images: usize) {
        if ok { &self.done } else { &self.failed }.fetch_add(1, Relaxed);
        self.images.fetch_add(images as u64, Relaxed);
    }

    pub fn submit(&self, provider: &'static str) {
        *self.submits.lock().expect("metrics lock").entry(provider).or_default() += 1;
    }

    pub fn upstream_error(&self, kind: &str) {
        *self.upstream_errors.lock().expect("metrics lock").entry(kind.to_owned()).or_default() += 1;
    }

    pub fn submits(&self, provider: &str) -> u64 {
        self.submits.lock().expect("metrics lock").get(provider).copied().unwrap_or(0)
    }
}

/// The Prometheus text: our counters plus what the guards report (in flight, spent today).
pub fn render(m: &Metrics, in_flight: usize, spent_images: u32, spent_usd: f64) -> String {
    let mut out = String::new();
    let mut line = |name: &str, labels: &str, value: f64| {
        let _ = writeln!(out, "fluxplay_{name}{labels} {value}");
    };
    for why in Refusal::ALL {
        line("refused_total", &format!("{{reason=\"{}\"}}", why.label()), m.refused[why as usize].load(Relaxed) as f64);
    }
    line("generations_total", "{outcome=\"done\"}", m.done.load(Relaxed) as f64);
    line("generations_total", "{outcome=\"failed\"}", m.failed.load(Relaxed) as f64);
    line("generations_in_flight", "", in_flight as f64);
    line("images_stored_total", "", m.images.load(Relaxed) as f64);
    line("budget_images_today", "", f64::from(spent_images));
    line("budget_usd_today", "", spent_usd);
    for (provider, n) in m.submits.lock().expect("metrics lock").iter() {
        line("upstream_submits_total", &format!("{{provider=\"{provider}\"}}"), *n as f64);
    }
    for (kind, n) in m.upstream_errors.lock().expect("metrics lock").iter() {
        line("upstream_errors_total", &format!("{{kind=\"{kind}\"}}"), *n as f64);
    }
    out
}
