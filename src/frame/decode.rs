//! Bounded image decoding: no file can make us allocate without limit or hand the pipeline
//! a frame larger than it is built for. What the whole path will allocate (the decoded
//! pixels, the turn EXIF asks for, the conversion to 8-bit RGB, the shrink) is added up from
//! the header and checked against [`DECODE_BUDGET`] before a byte of pixels is allocated.

use std::io::Cursor;
use std::path::Path;

use image::metadata::Orientation;
use image::{ColorType, DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};

/// Longest side any frame may have when it enters the pipeline; larger ones are shrunk first.
pub const MAX_SIDE: u32 = 2048;
/// Files larger than this are refused before decoding (a 2048x2048 PNG is far smaller).
const MAX_FILE_BYTES: u64 = 64 << 20;
/// Dimensions past this are a decompression bomb, not a photo.
const MAX_DECODE_SIDE: u32 = 16_384;
/// Bytes the decode path may allocate for one image: a 48-megapixel 8-bit photo, or a
/// 16-megapixel 16-bit one with alpha, fits; with the app's own ~60 MB no command passes
/// 400 MB on any input.
pub const DECODE_BUDGET: u64 = 256 << 20;

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("file is {0} bytes, over the {MAX_FILE_BYTES}-byte limit")]
    TooLarge(u64),
    #[error("file is empty")]
    Empty,
    #[error("not a readable image: {0}")]
    Image(#[from] image::ImageError),
    #[error(
        "{width}x{height} pixels ({color:?}) would need {} MB to decode, over the {} MB budget",
        needed >> 20,
        DECODE_BUDGET >> 20
    )]
    OverBudget {
        width: u32,
        height: u32,
        color: ColorType,
        needed: u64,
    },
}

/// Reads an image file, honours its EXIF orientation, converts it to 8-bit RGB and caps its
/// long side at [`MAX_SIDE`].
pub fn decode_file(path: &Path) -> Result<RgbImage, DecodeError> {
    let size = std::fs::metadata(path)?.len();
    if size == 0 {
        return Err(DecodeError::Empty);
    }
    if size > MAX_FILE_BYTES {
        return Err(DecodeError::TooLarge(size));
    }
    let bytes = std::fs::read(path)?;
    decode_bytes(&bytes)
}

pub fn decode_bytes(bytes: &[u8]) -> Result<RgbImage, DecodeError> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODE_SIDE);
    limits.max_image_height = Some(MAX_DECODE_SIDE);
    limits.max_alloc = Some(DECODE_BUDGET);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation()?;
    let (width, height) = decoder.dimensions();
    let color = decoder.color_type();
    let needed = path_cost(width, height, color, orientation);
    if needed > DECODE_BUDGET {
        return Err(DecodeError::OverBudget {
            width,
            height,
            color,
            needed,
        });
    }
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    Ok(cap_size(flatten_to_rgb(image)))
}

/// Bytes [`decode_bytes`] allocates for an image of this header, at its peak.
fn path_cost(width: u32, height: u32, color: ColorType, orientation: Orientation) -> u64 {
    let pixels = u64::from(width) * u64::from(height);
    let decoded = pixels * u64::from(color.bytes_per_pixel());
    // A quarter or three-quarter turn builds a turned copy beside the decoded image.
    let turned = match orientation {
        Orientation::NoTransforms => 0,
        _ => decoded,
    };
    let rgba = if color.has_alpha() && color != ColorType::Rgba8 {
        pixels * 4
    } else {
        0
    };
    let rgb = if color == ColorType::Rgb8 {
        0
    } else {
        pixels * 3
    };
    let long = width.max(height);
    let capped = if long > MAX_SIDE {
        u64::from(MAX_SIDE) * u64::from(MAX_SIDE) * 3
    } else {
        0
    };
    decoded + turned + rgba + rgb + capped
}

/// Transparent pixels become white, as an image viewer shows them, rather than whatever colour
/// the encoder left behind the alpha.
fn flatten_to_rgb(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let alpha = u32::from(px[3]);
        for c in 0..3 {
            out[c] = ((u32::from(px[c]) * alpha + 255 * (255 - alpha) + 127) / 255) as u8;
        }
    }
    rgb
}

/// Shrinks a frame whose long side is over [`MAX_SIDE`]; others pass through untouched.
/// `thumbnail` averages areas straight into the output: the filtered `resize` used before
/// built a 16-byte-per-pixel float copy of the image first (524 MB for 16000x16000).
pub fn cap_size(image: RgbImage) -> RgbImage {
    let long = image.width().max(image.height());
    if long <= MAX_SIDE {
        return image;
    }
    let scale = MAX_SIDE as f32 / long as f32;
    let width = ((image.width() as f32 * scale).round() as u32).clamp(1, MAX_SIDE);
    let height = ((image.height() as f32 * scale).round() as u32).clamp(1, MAX_SIDE);
    image::imageops::thumbnail(&image, width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_frames_are_capped_and_keep_their_aspect() {
        let capped = cap_size(RgbImage::new(4096, 1024));
        assert_eq!((capped.width(), capped.height()), (2048, 512));
        let small = cap_size(RgbImage::new(640, 480));
        assert_eq!((small.width(), small.height()), (640, 480));
    }

    #[test]
    fn the_budget_counts_every_copy_the_path_makes() {
        let rgb = path_cost(1000, 1000, ColorType::Rgb8, Orientation::NoTransforms);
        assert_eq!(rgb, 3_000_000);
        // 16-bit RGBA: decoded 8 B/px, then 8-bit RGBA 4 B/px, then RGB 3 B/px.
        let deep = path_cost(1000, 1000, ColorType::Rgba16, Orientation::NoTransforms);
        assert_eq!(deep, 15_000_000);
        let turned = path_cost(1000, 1000, ColorType::Rgb8, Orientation::Rotate90);
        assert_eq!(turned, 6_000_000);
        assert!(
            path_cost(16_000, 16_000, ColorType::Rgb8, Orientation::NoTransforms) > DECODE_BUDGET
        );
        assert!(path_cost(4000, 3000, ColorType::Rgb8, Orientation::NoTransforms) < DECODE_BUDGET);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_bytes(b"this is text, not a JPEG").is_err());
        assert!(decode_bytes(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]).is_err());
    }

    #[test]
    fn alpha_is_composited_on_white() {
        let mut rgba = image::RgbaImage::new(2, 1);
        rgba.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
        rgba.put_pixel(1, 0, image::Rgba([10, 20, 30, 255]));
        let rgb = flatten_to_rgb(DynamicImage::ImageRgba8(rgba));
        assert_eq!(rgb.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(rgb.get_pixel(1, 0).0, [10, 20, 30]);
    }
}
