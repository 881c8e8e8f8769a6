//! Deterministic stand-in images: the same prompt and seed always give the
//! same picture, of exactly the requested size, in the requested format.

use image::{ImageFormat, Rgb, RgbImage};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::sync::{Condvar, Mutex};

/// The most pixels any emulator renders (16 MP, 48 MB as RGB): a larger request
/// (a reference image claiming 100 000 px per side, say) is scaled down to fit,
/// keeping its shape, so no request can make the emulator allocate without bound.
pub const MAX_PIXELS: u64 = 1 << 24;

/// `width × height` scaled down to at most `MAX_PIXELS`, each side at least 1.
pub fn bounded(width: u32, height: u32) -> (u32, u32) {
    let (w, h) = (u64::from(width.max(1)), u64::from(height.max(1)));
    if w * h <= MAX_PIXELS {
        return (w as u32, h as u32);
    }
    let scale = (MAX_PIXELS as f64 / (w * h) as f64).sqrt();
    let fit = |side: u64| ((side as f64 * scale).floor() as u64).max(1);
    // A side that rounds up to 1 px leaves the other to take what is left.
    let (bw, bh) = (fit(w), fit(h));
    let bw = bw.min(MAX_PIXELS / bh);
    let bh = bh.min(MAX_PIXELS / bw);
    (bw as u32, bh as u32)
}

/// Soft colour fields on a gradient, derived from prompt and seed.
pub fn render(prompt: &str, seed: u64, width: u32, height: u32) -> RgbImage {
    let (width, height) = bounded(width, height);
    let digest = Sha256::new().chain_update(prompt.as_bytes()).chain_update(seed.to_le_bytes()).finalize();
    let b = |i: usize| f32::from(digest[i % digest.len()]);
    let top = [b(0), b(1), b(2)];
    let bottom = [b(3) * 0.5, b(4) * 0.5, b(5) * 0.5];
    let blobs: Vec<([f32; 2], f32, [f32; 3])> = (0..5)
        .map(|k| {
            let o = 6 + k * 5;
            let centre = [b(o) / 255.0 * width as f32, b(o + 1) / 255.0 * height as f32];
            let radius = (0.08 + b(o + 2) / 255.0 * 0.25) * width.max(height) as f32;
            (centre, radius * radius, [b(o + 3), b(o + 4), b(o + 2)])
        })
        .collect();
    let mut img = RgbImage::new(width, height);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let t = y as f32 / height.max(1) as f32;
        let mut c = [0.0f32; 3];
        for i in 0..3 {
            c[i] = top[i] * (1.0 - t) + bottom[i] * t;
        }
        for (centre, r2, colour) in &blobs {
            let dx = x as f32 - centre[0];
            let dy = y as f32 - centre[1];
            let w = r2 / (r2 + dx * dx + dy * dy);
            for i in 0..3 {
                c[i] = c[i] * (1.0 - w) + colour[i] * w;
            }
        }
        *px = Rgb(c.map(|v| v.clamp(0.0, 255.0) as u8));
    }
    img
}

/// Renders and encodes one image. At most `RENDERS` run at once in the whole
/// process (others wait), so the worst case holds `RENDERS` × 16 MP of pixels;
/// on a multi-threaded runtime the waiting and the work happen off the async
/// workers (`block_in_place`), so the rest of the server keeps answering.
pub fn image(prompt: &str, seed: u64, width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let work = || {
        let _turn = Turn::take();
        encode(&render(prompt, seed, width, height), format)
    };
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

/// Renders at once, all emulators together.
pub const RENDERS: usize = 2;

static RUNNING: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// One of the `RENDERS` turns, given back on drop.
struct Turn;

impl Turn {
    fn take() -> Self {
        let (count, freed) = &RUNNING;
        let mut running = count.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *running >= RENDERS {
            running = freed.wait(running).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *running += 1;
        Turn
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let (count, freed) = &RUNNING;
        *count.lock().unwrap_or_else(std::sync::PoisonError::into_inner) -= 1;
        freed.notify_one();
    }
}

/// Encodes to `format` (PNG, JPEG, or lossless WebP).
pub fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encoding into memory cannot fail");
    out.into_inner()
}

/// `(a, b)` of an `a:b` aspect ratio.
pub fn ratio(text: &str) -> Option<(f64, f64)> {
    let (a, b) = text.split_once(':')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Sides for `megapixels` (at most 16) at `a:b`, multiples of 16.
pub fn shaped(megapixels: f64, (a, b): (f64, f64)) -> (u32, u32) {
    let area = megapixels.min(16.0) * 1e6;
    let side = |x: f64| ((x / 16.0).round() * 16.0).max(16.0) as u32;
    (side((area * a / b).sqrt()), side((area * b / a).sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_input_same_picture_other_seed_other_picture() {
        let a = render("cat", 1, 64, 32);
        assert_eq!(a.dimensions(), (64, 32));
        assert_eq!(a, render("cat", 1, 64, 32));
        assert_ne!(a, render("cat", 2, 64, 32));
        assert_ne!(a, render("dog", 1, 64, 32));
    }

    #[test]
    fn no_size_asked_allocates_more_than_the_bound() {
        for (w, h) in [(u32::MAX, u32::MAX), (100_000, 100_000), (u32::MAX, 1), (0, 0), (4096, 4096)] {
            let (bw, bh) = bounded(w, h);
            assert!(u64::from(bw) * u64::from(bh) <= MAX_PIXELS && bw >= 1 && bh >= 1, "{w}x{h} -> {bw}x{bh}");
        }
        assert_eq!(bounded(1024, 768), (1024, 768));
    }

    #[test]
    fn encodes_every_format_at_the_requested_size() {
        let img = render("p", 7, 96, 64);
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let bytes = encode(&img, format);
            let decoded = image::load_from_memory_with_format(&bytes, format).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (96, 64), "{format:?}");
        }
    }
}
