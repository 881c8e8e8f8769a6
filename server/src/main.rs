use leptos::config::get_configuration;
use server::config::{help, Config};
use server::AppState;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{}", help());
        return ExitCode::SUCCESS;
    }
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tower_http=info".into());
    // One JSON object a line for log collectors (FLUXPLAY_LOG_FORMAT=json), else text.
    match std::env::var("FLUXPLAY_LOG_FORMAT").as_deref() {
        Ok("json") => tracing_subscriber::fmt().json().with_env_filter(filter).init(),
        Ok("text") | Err(_) => tracing_subscriber::fmt().with_env_filter(filter).init(),
        Ok(other) => {
            eprintln!("FLUXPLAY_LOG_FORMAT is `json` or `text`, not `{other}`");
            return ExitCode::FAILURE;
        }
    }
    let result = match args.first().map(String::as_str) {
        Some("emulate") => emulate(&args[1..]).await,
        Some("healthcheck") => healthcheck().await,
        Some(other) => Err(format!("unknown command `{other}`; see fluxplay --help").into()),
        None => run().await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let stop = shutdown();
    let options = get_configuration(None)?.leptos_options;
    let config = Config::from_env()?;
    let listener = tokio::net::TcpListener::bind(options.site_addr).await?;
    let addr = listener.local_addr()?;
    let pkg = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    // Once per build (fresh copies are kept): about a second for the wasm.
    let started = std::time::Instant::now();
    match tokio::task::spawn_blocking(move || server::precompress::assets(&pkg).map(|n| (n, pkg))).await? {
        Ok((n, pkg)) => tracing::info!("precompressed {n} asset copies in {} ({:?})", pkg.display(), started.elapsed()),
        Err(e) => tracing::warn!("assets are compressed per request: cannot precompress them: {e}"),
    }
    // The server's own emulated calls go to a private loopback listener.
    let emulator = server::emulator::serve_private().await?;
    let state = AppState::new(options, config, emulator)?;
    // Reach the database and migrate it now: a wrong URL stops the start, not the first visitor.
    state.inner.db.ready().await?;
    for p in &state.backend_status().providers {
        tracing::info!(provider = %p.id, live = p.live, "provider configured");
    }
    let guards = &state.inner.guards;
    tracing::info!(
        passphrase = guards.lock.is_some(),
        rate_limited = guards.rate.is_some(),
        max_concurrent = guards.limits.guards.max_concurrent,
        daily_images = guards.limits.guards.daily_images,
        daily_usd = ?guards.limits.guards.daily_usd,
        "demo guards"
    );
    tracing::info!("fluxplay listening on http://{addr}");
    server::serve(listener, state, stop).await?;
    Ok(())
}

/// `fluxplay emulate [--port N]`: only the emulators, each under `/<provider>`.
async fn emulate(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let stop = shutdown();
    let port = match args {
        [] => 4000,
        [flag, port] if flag == "--port" => port.parse().map_err(|_| format!("--port takes a number, not `{port}`"))?,
        _ => return Err("usage: fluxplay emulate [--port N]".into()),
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    for p in app::catalog::PROVIDERS {
        tracing::info!("{} emulator: http://{addr}/{}  ({}=http://{addr}/{})", p.name, p.id, p.url_env, p.id);
    }
    axum::serve(listener, server::emulator::router()).with_graceful_shutdown(stop).await?;
    Ok(())
}

/// `fluxplay healthcheck`: asks the server at `LEPTOS_SITE_ADDR` (an unspecified address
/// on loopback) for `/healthz`; fails unless it answers 200. A container's HEALTHCHECK,
/// in an image without curl.
async fn healthcheck() -> Result<(), Box<dyn std::error::Error>> {
    let mut addr = get_configuration(None)?.leptos_options.site_addr;
    if addr.ip().is_unspecified() {
        let loopback: std::net::IpAddr =
            if addr.is_ipv4() { std::net::Ipv4Addr::LOCALHOST.into() } else { std::net::Ipv6Addr::LOCALHOST.into() };
        addr.set_ip(loopback);
    }
    // Never through HTTP_PROXY: the server is on this machine.
    let client = reqwest::Client::builder().no_proxy().timeout(std::time::Duration::from_secs(4)).build()?;
    let status = client.get(format!("http://{addr}/healthz")).send().await?.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("/healthz answered {status}").into())
    }
}

/// Ctrl+C or SIGTERM (what a container runtime sends), listened for from the call on:
/// a signal that comes before the server listens is not lost (nor fatal).
fn shutdown() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
