//! Inverse-mapped bilinear warping, with supersampling where the warp shrinks so that large
//! webcam faces do not alias on their way down to 112 px.

use super::Similarity;
use crate::frame::Frame;

/// Fills `out` (`size` x `size`) with `frame` seen through `to_out`, which maps frame pixel
/// coordinates to output pixel coordinates. Outside the frame is black, as in OpenCV.
pub fn warp_into(frame: &Frame, to_out: &Similarity, size: u32, out: &mut Frame) {
    if out.dimensions() != (size, size) {
        *out = Frame::new(size, size);
    }
    let back = to_out.inverse();
    let taps = (back.scale().ceil() as u32).clamp(1, 8);
    let step = 1.0 / taps as f32;
    let weight = 1.0 / (taps * taps) as f32;
    let out_raw: &mut [u8] = out;
    for v in 0..size {
        for u in 0..size {
            let mut acc = [0.0f32; 3];
            for j in 0..taps {
                let oy = v as f32 + (j as f32 + 0.5) * step - 0.5;
                for i in 0..taps {
                    let ox = u as f32 + (i as f32 + 0.5) * step - 0.5;
                    let [x, y] = back.apply([ox, oy]);
                    let px = bilinear(frame, x, y);
                    for c in 0..3 {
                        acc[c] += px[c];
                    }
                }
            }
            let at = ((v * size + u) * 3) as usize;
            for c in 0..3 {
                out_raw[at + c] = (acc[c] * weight).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

fn bilinear(frame: &Frame, x: f32, y: f32) -> [f32; 3] {
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as i64, y0 as i64);
    let raw: &[u8] = frame;
    let fetch = |xi: i64, yi: i64| -> [f32; 3] {
        if xi < 0 || yi < 0 || xi >= w || yi >= h {
            return [0.0; 3];
        }
        let i = ((yi * w + xi) * 3) as usize;
        [
            f32::from(raw[i]),
            f32::from(raw[i + 1]),
            f32::from(raw[i + 2]),
        ]
    };
    let (p00, p10, p01, p11) = (
        fetch(x0, y0),
        fetch(x0 + 1, y0),
        fetch(x0, y0 + 1),
        fetch(x0 + 1, y0 + 1),
    );
    let mut px = [0.0; 3];
    for c in 0..3 {
        let top = p00[c] + (p10[c] - p00[c]) * fx;
        let bottom = p01[c] + (p11[c] - p01[c]) * fx;
        px[c] = top + (bottom - top) * fy;
    }
    px
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_warp_copies_and_outside_is_black() {
        let mut frame = Frame::new(4, 4);
        frame.put_pixel(1, 2, image::Rgb([200, 100, 50]));
        let mut out = Frame::new(0, 0);
        let identity = Similarity {
            a: 1.0,
            b: 0.0,
            tx: 0.0,
            ty: 0.0,
        };
        warp_into(&frame, &identity, 6, &mut out);
        assert_eq!(out.get_pixel(1, 2).0, [200, 100, 50]);
        assert_eq!(out.get_pixel(5, 5).0, [0, 0, 0]);
    }

    #[test]
    fn shrinking_averages_instead_of_aliasing() {
        let checker = Frame::from_fn(64, 64, |x, y| {
            let v = if (x + y) % 2 == 0 { 255 } else { 0 };
            image::Rgb([v, v, v])
        });
        let half = Similarity {
            a: 0.25,
            b: 0.0,
            tx: 0.0,
            ty: 0.0,
        };
        let mut out = Frame::new(0, 0);
        warp_into(&checker, &half, 16, &mut out);
        let mid = out.get_pixel(8, 8).0[0] as i32;
        assert!((mid - 128).abs() < 40, "{mid}");
    }
}
