//! The HTTP side of the domain modules: handlers and middleware that need the
//! application state live here, so the modules they serve (guards, metrics,
//! store) never import the state that holds them.

pub mod compare;
pub mod estimate;
pub mod form_post;
pub mod gates;
pub mod generate;
pub mod headers;
pub mod health;
pub mod history;
pub mod hosts;
pub mod images;
pub mod metrics;
pub mod pages;
pub mod passphrase;
pub mod results;
pub mod snippet;
pub mod uploads;
pub mod visitor;
