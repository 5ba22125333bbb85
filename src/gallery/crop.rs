//! An enrolled face crop as stored: an aligned 112x112 image (PNG, or JPEG in older
//! galleries). Its size is read from the header before a pixel is decoded, so a crop in an
//! import or a hand-edited folder cannot make lrfr decode a 9000x9000 image first.

use std::io::Cursor;

use image::ImageReader;

use crate::align::FACE_SIZE;
use crate::frame::{decode_bytes, Frame};

/// Largest crop file read: a 112x112 PNG is under 40 kB, even of noise.
pub const MAX_CROP_BYTES: u64 = 4 << 20;

/// Decodes a crop, refusing from its header anything but an aligned face's size.
pub fn decode(bytes: &[u8]) -> Result<Frame, String> {
    let (width, height) = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?
        .into_dimensions()
        .map_err(|e| format!("not a readable image: {e}"))?;
    if (width, height) != (FACE_SIZE, FACE_SIZE) {
        return Err(format!(
            "{width}x{height} is not an aligned {FACE_SIZE}x{FACE_SIZE} face"
        ));
    }
    let face = decode_bytes(bytes).map_err(|e| e.to_string())?;
    if face.dimensions() != (FACE_SIZE, FACE_SIZE) {
        return Err(format!(
            "{}x{} after its EXIF turn is not an aligned face",
            face.width(),
            face.height()
        ));
    }
    Ok(face)
}
