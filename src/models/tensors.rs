//! Between images and network tensors: planar float layout, normalisation, clamping.

use crate::frame::Frame;

/// Packed RGB bytes to planar `3 x h x w` floats `(v / 255 - mean) / std`, written into `out`,
/// which holds exactly that many (see [`super::Net::input_mut`]).
pub fn rgb_to_planar(image: &Frame, mean: f32, std: f32, out: &mut [f32]) {
    let plane = out.len() / 3;
    let (red, rest) = out.split_at_mut(plane);
    let (green, blue) = rest.split_at_mut(plane);
    let scale = 1.0 / (255.0 * std);
    let offset = mean / std;
    let channels = red.iter_mut().zip(green.iter_mut()).zip(blue.iter_mut());
    for (px, ((r, g), b)) in image.pixels().zip(channels) {
        *r = f32::from(px[0]) * scale - offset;
        *g = f32::from(px[1]) * scale - offset;
        *b = f32::from(px[2]) * scale - offset;
    }
}

/// How many values [`rgb_to_planar`] writes for `image`.
pub fn planar_len(image: &Frame) -> usize {
    3 * (image.width() * image.height()) as usize
}

/// Planar floats in [0, 1] to packed RGB bytes; out-of-range values are clamped and NaN
/// becomes black, so a misbehaving network cannot poison what is shown or embedded.
pub fn planar_to_rgb(planar: &[f32], side: u32, out: &mut Frame) {
    if out.dimensions() != (side, side) {
        *out = Frame::new(side, side);
    }
    let plane = (side * side) as usize;
    for (i, px) in out.pixels_mut().enumerate() {
        for c in 0..3 {
            let v = planar[c * plane + i];
            px[c] = if v.is_nan() {
                0
            } else {
                (v.clamp(0.0, 1.0) * 255.0).round() as u8
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edgeface_normalisation_maps_bytes_to_minus_one_one() {
        let image = Frame::from_fn(2, 1, |x, _| image::Rgb([if x == 0 { 0 } else { 255 }; 3]));
        let mut planar = vec![0.0; planar_len(&image)];
        rgb_to_planar(&image, 0.5, 0.5, &mut planar);
        assert_eq!(planar.len(), 6);
        assert!((planar[0] + 1.0).abs() < 1e-6 && (planar[1] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn output_is_clamped_and_nan_guarded() {
        let planar = [
            f32::NAN,
            2.0,
            -1.0,
            0.5,
            0.5,
            0.5,
            0.5,
            0.5,
            0.5,
            0.5,
            0.5,
            0.5,
        ];
        let mut out = Frame::new(0, 0);
        planar_to_rgb(&planar, 2, &mut out);
        assert_eq!(out.get_pixel(0, 0)[0], 0);
        assert_eq!(out.get_pixel(1, 0)[0], 255);
        assert_eq!(out.get_pixel(0, 1)[0], 0);
    }
}
