#!/usr/bin/env bash
# Builds FLUX 3's box editor, the app crate with feature `boxes`, into the site's
# pkg/ next to the page's own wasm (run after `cargo leptos build`, which leaves
# other files there alone). The page fetches it only where a model reads layouts.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
site_pkg=target/site/pkg
# A target dir of its own: other features of the same crates, so no rebuilds of the page's.
cargo build -p app --lib --target wasm32-unknown-unknown --profile wasm-release \
  --no-default-features --features boxes --target-dir target/box-editor
mkdir -p "$site_pkg"
wasm-bindgen --target web --no-typescript --out-name box_editor --out-dir target/box-editor/bindgen \
  target/box-editor/wasm32-unknown-unknown/wasm-release/app.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  target/box-editor/bindgen/box_editor_bg.wasm -o "$site_pkg/box_editor_bg.wasm"
cp target/box-editor/bindgen/box_editor.js "$site_pkg/box_editor.js"
echo "box editor: $(wc -c < "$site_pkg/box_editor_bg.wasm") bytes of wasm in $site_pkg"
