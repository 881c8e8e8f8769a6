//! Every image this server keeps is decoded here first, whatever its source:
//! an upload, a reference image fetched from a URL, an image a provider
//! returned. The format is sniffed from the bytes (PNG, JPEG or WebP only), the
//! size is read from the header and checked before any pixel is decoded, and
//! the decode itself runs with `image::Limits`, on the blocking pool, at most
//! [`CONCURRENT`] at once. So the worst input that still looks valid costs a
//! bounded amount of memory (measured in `tests/it/hostile/decode.rs` and
//! written in the README), and an image that does not decode is never stored.
//!
//! What one decode may hold, at most:
//! - the pixels: [`MAX_ALLOC`] (the largest image at 8 bytes a pixel);
//! - PNG: the chunks the `png` crate keeps beside the pixels (the ICC profile,
//!   which it decompresses, text, EXIF, one row): [`MAX_METADATA`], given to
//!   it through `Limits::max_alloc` when the decoder is built;
//! - progressive JPEG: every DCT coefficient (2 bytes a sample, up to 4
//!   samples a pixel), which `zune-jpeg` keeps outside `image`'s count and
//!   only [`MAX_PIXELS`] bounds: 128 MiB at most.

use crate::error::Error;
use axum::http::StatusCode;
use bytes::Bytes;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::error::LimitErrorKind;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, Limits};
use std::io::Cursor;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Longest side. FLUX endpoints make at most 4096 px a side (fal's custom
/// size); twice that leaves room for long panoramas within [`MAX_PIXELS`].
pub const MAX_SIDE: u32 = 8192;
/// 4096 × 4096 = 16.8 megapixels: the largest image a FLUX endpoint makes
/// (fal's custom size) or takes (BFL: up to 16 MP; fal: up to 4 MP).
pub const MAX_PIXELS: u64 = 4096 * 4096;
/// The decoded pixels: the largest image above in the widest pixel format
/// these formats carry (16-bit RGBA, 8 bytes a pixel): 128 MiB.
pub const MAX_ALLOC: u64 = MAX_PIXELS * 8;
/// What the PNG decoder may keep besides the pixels. ICC profiles are
/// kilobytes, rarely a few megabytes; a decompression bomb in `iCCP` stops here.
pub const MAX_METADATA: u64 = 16 << 20;
/// Decodes at once, all sources together; the others wait their turn.
pub const CONCURRENT: usize = 2;

static PERMITS: Semaphore = Semaphore::const_new(CONCURRENT);

/// The formats we keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    WebP,
}

impl Format {
    /// From the magic bytes, whatever the sender declared.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match image::guess_format(bytes).ok()? {
            ImageFormat::Png => Some(Self::Png),
            ImageFormat::Jpeg => Some(Self::Jpeg),
            ImageFormat::WebP => Some(Self::WebP),
            _ => None,
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::WebP => "webp",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::WebP => "image/webp",
        }
    }
}

/// Bytes that decoded in full within the limits: the only thing the image
/// stores take, so nothing reaches them undecoded (only this module makes one).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Checked {
    pub bytes: Bytes,
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// Why an image was refused; reads after "it".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refused {
    #[error("is empty")]
    Empty,
    #[error("is not a PNG, JPEG or WebP image")]
    NotImage,
    #[error(
        "is {width}×{height} px, over the limit of {MAX_SIDE} px a side and {:.1} megapixels (4096×4096)",
        MAX_PIXELS as f64 / 1e6
    )]
    TooLarge { width: u32, height: u32 },
    #[error("needs more memory to decode than the limit ({} MiB for the pixels, {} MiB for PNG metadata)", MAX_ALLOC >> 20, MAX_METADATA >> 20)]
    Memory,
    #[error("has an ICC profile (iCCP) that is damaged or inflates beyond the limit of {} MiB", MAX_METADATA >> 20)]
    Profile,
    #[error("is an animated WebP; only still images are taken")]
    Animated,
    #[error("is damaged or truncated: {0}")]
    Invalid(String),
}

/// Why `check` gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("it {0}")]
    Refused(#[from] Refused),
    /// No decode slot came free in time.
    #[error("every decode slot stayed busy for {0:?}")]
    Busy(Duration),
    #[error("decode task: {0}")]
    Panicked(String),
}

/// Decodes `bytes` in full, waiting at most `wait` for one of the [`CONCURRENT`] slots.
pub async fn check(bytes: Bytes, wait: Duration) -> Result<Checked, Failure> {
    // Refusals that need no decoding do not queue.
    let format = sniff(&bytes)?;
    let _permit = tokio::time::timeout(wait, PERMITS.acquire())
        .await
        .map_err(|_| Failure::Busy(wait))?
        .map_err(|e| Failure::Panicked(e.to_string()))?;
    let task = bytes.clone();
    let (width, height) = tokio::task::spawn_blocking(move || decode(&task, format))
        .await
        .map_err(|e| Failure::Panicked(e.to_string()))??;
    Ok(Checked { bytes, format, width, height })
}

fn sniff(bytes: &[u8]) -> Result<Format, Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    Format::sniff(bytes).ok_or(Refused::NotImage)
}

/// The synchronous decode, without the queue: for callers already on a blocking thread.
pub fn check_blocking(bytes: &[u8]) -> Result<(Format, u32, u32), Refused> {
    let format = sniff(bytes)?;
    decode(bytes, format).map(|(w, h)| (format, w, h))
}

/// Header first, then the pixels within the limits; the pixels are dropped.
fn decode(bytes: &[u8], format: Format) -> Result<(u32, u32), Refused> {
    if let Some((width, height)) = claimed_size(bytes).filter(|&(w, h)| !fits(w, h)) {
        return Err(Refused::TooLarge { width, height });
    }
    let cursor = Cursor::new(bytes);
    let mut decoder: Box<dyn ImageDecoder> = match format {
        // The png crate is given its own allocation budget when it is built:
        // it parses (and inflates) every chunk before the first IDAT right then.
        Format::Png => {
            let mut png = PngDecoder::with_limits(cursor, limits(MAX_METADATA)).map_err(refusal)?;
            // The png crate drops an ICC profile it cannot inflate within the limit and
            // carries on; the bomb would still be stored and sent on.
            if png_has_iccp(bytes) && png.icc_profile().map_err(refusal)?.is_none() {
                return Err(Refused::Profile);
            }
            Box::new(png)
        }
        Format::Jpeg => return jpeg(bytes),
        Format::WebP => {
            let webp = WebPDecoder::new(cursor).map_err(refusal)?;
            let (width, height) = webp.dimensions();
            if !fits(width, height) {
                return Err(Refused::TooLarge { width, height });
            }
            // An animation decodes into a canvas and a frame besides the output; no FLUX endpoint takes one.
            if webp.has_animation() {
                return Err(Refused::Animated);
            }
            Box::new(webp)
        }
    };
    let (width, height) = decoder.dimensions();
    if !fits(width, height) {
        return Err(Refused::TooLarge { width, height });
    }
    // As `ImageReader::decode` does: the output buffer counts against `max_alloc`,
    // what is left bounds the decoder's own buffers.
    let mut limits = limits(MAX_ALLOC);
    limits.reserve(decoder.total_bytes()).map_err(|_| Refused::Memory)?;
    decoder.set_limits(limits).map_err(refusal)?;
    DynamicImage::from_decoder(decoder).map_err(refusal)?;
    Ok((width, height))
}

/// JPEG through `zune-jpeg` itself (what `image` uses), in strict mode: through
/// `image` it pads a truncated or corrupt scan with grey and calls it decoded.
fn jpeg(bytes: &[u8]) -> Result<(u32, u32), Refused> {
    use zune_core::bytestream::ZCursor;
    use zune_core::options::DecoderOptions;
    let invalid = |e: zune_jpeg::errors::DecodeErrors| Refused::Invalid(e.to_string());
    let options = DecoderOptions::default().set_strict_mode(true);
    // Any size in the header, to name it; the decode itself is held to the limits.
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        ZCursor::new(bytes),
        options.set_max_width(usize::MAX).set_max_height(usize::MAX),
    );
    decoder.decode_headers().map_err(invalid)?;
    let (w, h) = decoder.dimensions().ok_or_else(|| Refused::Invalid("no frame header".into()))?;
    let (width, height) = (u32::try_from(w).unwrap_or(u32::MAX), u32::try_from(h).unwrap_or(u32::MAX));
    if !fits(width, height) {
        return Err(Refused::TooLarge { width, height });
    }
    decoder.set_options(options.set_max_width(MAX_SIDE as usize).set_max_height(MAX_SIDE as usize));
    if decoder.output_buffer_size().is_none_or(|n| n as u64 > MAX_ALLOC) {
        return Err(Refused::Memory);
    }
    decoder.decode().map_err(invalid)?;
    Ok((width, height))
}

fn fits(width: u32, height: u32) -> bool {
    width <= MAX_SIDE && height <= MAX_SIDE && u64::from(width) * u64::from(height) <= MAX_PIXELS
}

fn limits(max_alloc: u64) -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(max_alloc);
    limits
}

/// Whether a PNG has an `iCCP` chunk before its pixels (chunk headers only).
fn png_has_iccp(bytes: &[u8]) -> bool {
    let mut at = 8usize;
    while let Some(head) = bytes.get(at..at.saturating_add(8)) {
        match &head[4..] {
            b"iCCP" => return true,
            b"IDAT" => return false,
            _ => {}
        }
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        at = at.saturating_add(12).saturating_add(len);
    }
    false
}

/// The size a PNG's IHDR or an extended WebP's VP8X canvas claims (both at
/// byte 12), to name it when it is over the limit: the decoders only say so.
fn claimed_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let u24 = |at: usize| Some(1 + u32::from_le_bytes([*bytes.get(at)?, *bytes.get(at + 1)?, *bytes.get(at + 2)?, 0]));
    match bytes.get(12..16)? {
        b"IHDR" => Some((be(16)?, be(20)?)),
        b"VP8X" => Some((u24(24)?, u24(27)?)),
        _ => None,
    }
}

fn refusal(e: ImageError) -> Refused {
    match e {
        ImageError::Limits(l) if matches!(l.kind(), LimitErrorKind::DimensionError) => {
            Refused::Invalid("its size is over the limit".into())
        }
        ImageError::Limits(_) => Refused::Memory,
        other => Refused::Invalid(other.to_string()),
    }
}

impl Failure {
    /// For `POST /api/uploads`.
    pub fn upload(self) -> Error {
        match self {
            Self::Refused(why) => {
                let status = match why {
                    Refused::Empty => StatusCode::BAD_REQUEST,
                    Refused::NotImage => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Error::Rejected { status, message: format!("The upload {why}") }
            }
            Self::Busy(_) => busy(),
            Self::Panicked(e) => Error::Internal(format!("decode task: {e}")),
        }
    }

    /// For an image field given as a URL: a field error, 400.
    pub fn field(self, key: &str, label: &str) -> Error {
        match self {
            Self::Refused(why) => Error::Unusable(app::validate::FieldError {
                field: key.to_owned(),
                message: format!("{label} could not be used: the URL does not lead to a usable image (it {why})"),
            }),
            Self::Busy(_) => busy(),
            Self::Panicked(e) => Error::Internal(format!("decode task: {e}")),
        }
    }

    /// For the `n`th image a provider returned (from 1): 502.
    pub fn provider_image(self, n: usize) -> Error {
        match self {
            Self::Refused(why) => Error::Provider {
                status: StatusCode::BAD_GATEWAY,
                message: format!("The provider's image {n} is not a valid image: it {why}."),
            },
            Self::Busy(_) => busy(),
            Self::Panicked(e) => Error::Internal(format!("decode task: {e}")),
        }
    }
}

fn busy() -> Error {
    Error::Busy { message: "The server is busy decoding other images; try again in a moment".into(), retry_after: 5 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::new(width, height);
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn html_svg_and_gif_are_not_images_we_take() {
        for bytes in [&b"<html>nope</html>"[..], b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"GIF89a\x01\0\x01\0"] {
            assert_eq!(check_blocking(bytes), Err(Refused::NotImage));
        }
        assert_eq!(check_blocking(b""), Err(Refused::Empty));
    }

    #[test]
    fn a_png_header_over_the_limit_is_named_before_decoding() {
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&60000u32.to_be_bytes());
        assert_eq!(check_blocking(&bytes), Err(Refused::TooLarge { width: 60000, height: 1 }));
        assert_eq!(check_blocking(&png(3, 2)), Ok((Format::Png, 3, 2)));
    }

    #[test]
    fn the_limits_cover_the_largest_image_at_the_widest_pixel() {
        assert!(fits(4096, 4096) && fits(8192, 2048) && !fits(8193, 1) && !fits(4097, 4096));
        assert_eq!(MAX_ALLOC, 128 << 20);
        let mut limits = limits(MAX_ALLOC);
        assert!(limits.reserve(4096 * 4096 * 8).is_ok());
    }

    #[tokio::test]
    async fn refusals_that_need_no_decoding_do_not_wait_for_a_slot() {
        let held: Vec<_> = (0..CONCURRENT).map(|_| PERMITS.try_acquire().unwrap()).collect();
        let err = check(Bytes::from_static(b"<html>"), Duration::ZERO).await.unwrap_err();
        assert!(matches!(err, Failure::Refused(Refused::NotImage)), "{err:?}");
        let err = check(Bytes::from(png(2, 2)), Duration::from_millis(50)).await.unwrap_err();
        assert!(matches!(err, Failure::Busy(_)), "{err:?}");
        drop(held);
        assert_eq!(check(Bytes::from(png(2, 2)), Duration::from_secs(5)).await.unwrap().width, 2);
    }
}
