//! The server's integration tests, linked into one binary: each test binary
//! links the whole server, so one binary instead of fifteen saves minutes of
//! linking and gigabytes of disk. `secrets` stays on its own because it owns
//! the process-wide log subscriber.
#[path = "../common/mod.rs"]
mod common;

mod aimlapi_adapter;
mod api;
mod base_path;
mod bfl;
mod boundaries;
mod curation;
mod emulated_generate;
mod error_statuses;
mod fal;
mod faults;
mod fixtures;
mod guards;
mod health;
mod history;
mod hostile;
mod no_script;
mod openai;
mod openapi;
mod replicate;
mod segmind_onemin;
mod snippet_harness;
mod snippet_tasks;
mod ssrf;
mod uploads;
mod wire;
