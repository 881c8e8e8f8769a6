# fluxplay as a container image: the release server and its built site, run as a
# non-root user, with its data (history, images, uploads) in a volume.
#   docker build -t fluxplay .
#   docker run -p 3000:3000 -v fluxplay-data:/data fluxplay
# Keys and settings are environment variables (README: "Settings"); deploy/ has
# compose files for one server and for replicas.

ARG RUST_IMAGE=docker.io/library/rust:1.95-bookworm
ARG RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim

# The build: the project's own installer, for what `make build` needs only (the wasm
# target, cargo-leptos, wasm-bindgen and npm's wasm-opt; no browser, database or proxy).
# The binary's symbols are stripped: 38 MB -> 25 MB.
FROM ${RUST_IMAGE} AS builder
# Debian stable's own nodejs and npm: the tools the build uses are pinned by the installer.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN FLUXPLAY_TOOLS=build scripts/install-tools.sh \
 && make build \
 && mkdir -p /out \
 && cp target/release/fluxplay /out/fluxplay \
 && strip /out/fluxplay \
 && cp -r target/site /out/site

# The image: glibc and the binary (TLS is rustls with its own roots: no OpenSSL, no CA package).
FROM ${RUNTIME_IMAGE} AS runtime
RUN groupadd --system --gid 10001 fluxplay \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --shell /usr/sbin/nologin fluxplay \
 && mkdir -p /data /app \
 && chown fluxplay:fluxplay /data
COPY --from=builder /out/fluxplay /usr/local/bin/fluxplay
# The server precompresses the site's assets at start: the site folder is the user's.
COPY --from=builder --chown=10001:10001 /out/site /app/site
ENV LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_ENV=PROD \
    FLUXPLAY_DATA_DIR=/data \
    FLUXPLAY_LOG_FORMAT=json
USER 10001:10001
VOLUME /data
EXPOSE 3000
# `fluxplay healthcheck` asks this container's /healthz: no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["fluxplay", "healthcheck"]
# SIGTERM: running generations get FLUXPLAY_SHUTDOWN_SECS (60) to finish; give the
# container more than that to stop (compose: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["fluxplay"]
