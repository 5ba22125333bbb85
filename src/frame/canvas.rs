//! Camera-sized frames from face photos: benchmarks should pay for detection on a 640x480
//! frame, as the webcam delivers, not on a 250x250 LFW crop.

use super::Frame;

/// Background of the canvas: mid grey, which neither helps nor hinders the detector.
const BACKGROUND: [u8; 3] = [128, 128, 128];

/// Draws `image` centred on a `width` x `height` canvas in `out`, shrinking it (never
/// enlarging) to fit. `out` keeps its buffer when it already has that size.
pub fn place_on_canvas(image: &Frame, width: u32, height: u32, out: &mut Frame) {
    if out.dimensions() != (width, height) {
        *out = Frame::new(width, height);
    }
    for px in out.pixels_mut() {
        px.0 = BACKGROUND;
    }
    let scale = (width as f32 / image.width().max(1) as f32)
        .min(height as f32 / image.height().max(1) as f32)
        .min(1.0);
    let fitted;
    let source = if scale < 1.0 {
        let w = ((image.width() as f32 * scale).round() as u32).clamp(1, width);
        let h = ((image.height() as f32 * scale).round() as u32).clamp(1, height);
        fitted = image::imageops::resize(image, w, h, image::imageops::FilterType::Triangle);
        &fitted
    } else {
        image
    };
    let left = i64::from((width - source.width()) / 2);
    let top = i64::from((height - source.height()) / 2);
    image::imageops::replace(out, source, left, top);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_images_are_centred_unscaled() {
        let face = Frame::from_pixel(250, 250, image::Rgb([10, 20, 30]));
        let mut out = Frame::new(0, 0);
        place_on_canvas(&face, 640, 480, &mut out);
        assert_eq!(out.dimensions(), (640, 480));
        assert_eq!(out.get_pixel(195, 115).0, [10, 20, 30]);
        assert_eq!(out.get_pixel(444, 364).0, [10, 20, 30]);
        assert_eq!(out.get_pixel(194, 115).0, BACKGROUND);
        assert_eq!(out.get_pixel(445, 364).0, BACKGROUND);
    }

    #[test]
    fn large_images_shrink_to_fit() {
        let photo = Frame::from_pixel(1600, 1600, image::Rgb([200, 0, 0]));
        let mut out = Frame::new(640, 480);
        place_on_canvas(&photo, 640, 480, &mut out);
        assert_eq!(out.get_pixel(80, 0).0, [200, 0, 0]);
        assert_eq!(out.get_pixel(79, 0).0, BACKGROUND);
        assert_eq!(out.get_pixel(559, 479).0, [200, 0, 0]);
    }
}
