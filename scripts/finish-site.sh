#!/usr/bin/env bash
# What `cargo leptos build` cannot do, run right after it (it empties the site's pkg/):
# 1. Drops the stream classes server_fn exports from the page's wasm (wasm-streams',
#    for streaming server functions: this app has none), and the code only they kept:
#    1 KB less on every first load. cargo-leptos passes wasm-opt its flags as a set,
#    in any order, and this pass needs its argument after it.
# 2. Builds FLUX 3's box editor, the app crate with feature `boxes`, next to the page's
#    wasm (slimmed the same way). The page fetches it only where a model reads layouts.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
site_pkg=target/site/pkg
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

# wasm-opt -Oz without the stream classes: `slim <in> <out>`.
slim() {
  wasm-opt --remove-exports --pass-arg='remove-exports@*intounderlying*' -Oz "${features[@]}" "$1" -o "$2"
}

page="$site_pkg/fluxplay.wasm"
before=$(wc -c < "$page")
slim "$page" "$page.tmp"
mv "$page.tmp" "$page"
echo "page wasm: $before -> $(wc -c < "$page") bytes without the unused stream classes"

# A target dir of its own: other features of the same crates, so no rebuilds of the page's.
cargo build -p app --lib --target wasm32-unknown-unknown --profile wasm-release \
  --no-default-features --features boxes --target-dir target/box-editor
mkdir -p "$site_pkg"
wasm-bindgen --target web --no-typescript --out-name box_editor --out-dir target/box-editor/bindgen \
  target/box-editor/wasm32-unknown-unknown/wasm-release/app.wasm
slim target/box-editor/bindgen/box_editor_bg.wasm "$site_pkg/box_editor_bg.wasm"
cp target/box-editor/bindgen/box_editor.js "$site_pkg/box_editor.js"
echo "box editor: $(wc -c < "$site_pkg/box_editor_bg.wasm") bytes of wasm in $site_pkg"
