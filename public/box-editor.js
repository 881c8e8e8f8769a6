// FLUX 3's box editor (app/src/box_editor.rs, a wasm of its own), added to the page
// by the layout host the first time a model that reads layouts is shown.
import init from "./pkg/box_editor.js";
await init();
