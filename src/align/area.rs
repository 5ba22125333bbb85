//! Area-averaging resampling (like OpenCV's INTER_AREA) from any rectangle of an image to a
//! smaller one: the VLR downscale, the landmark model's input and the detector's frame use it.

use crate::frame::Frame;

/// Per-axis weights, kept between calls so a steady stream of frames allocates nothing.
#[derive(Default)]
pub struct AreaScratch {
    xs: AxisWeights,
    ys: AxisWeights,
}

#[derive(Default)]
struct AxisWeights {
    /// `(source index, weight)` runs; `starts[i]..starts[i + 1]` belong to output `i`.
    taps: Vec<(u32, f32)>,
    starts: Vec<usize>,
}

impl AxisWeights {
    /// Output `i` covers `[origin + i*step, origin + (i+1)*step)`; sources outside `0..limit`
    /// count as black.
    fn fill(&mut self, origin: f32, length: f32, count: u32, limit: u32) {
        self.taps.clear();
        self.starts.clear();
        let step = length / count as f32;
        for i in 0..count {
            self.starts.push(self.taps.len());
            let lo = origin + i as f32 * step;
            let hi = lo + step;
            let mut k = lo.floor();
            while k < hi {
                let overlap = (hi.min(k + 1.0) - lo.max(k)) / step;
                if k >= 0.0 && k < limit as f32 && overlap > 0.0 {
                    self.taps.push((k as u32, overlap));
                }
                k += 1.0;
            }
        }
        self.starts.push(self.taps.len());
    }

    fn of(&self, i: usize) -> &[(u32, f32)] {
        &self.taps[self.starts[i]..self.starts[i + 1]]
    }
}

/// Fills `out` (`size` x `size`) with the area average of `rect` = `[x, y, width, height]`
/// of `src`.
pub fn area_resample(
    src: &Frame,
    rect: [f32; 4],
    size: u32,
    scratch: &mut AreaScratch,
    out: &mut Frame,
) {
    area_resample_to(src, rect, (size, size), scratch, out);
}

/// Area-averages the whole of `src` to `width` x `height` (a frame shrunk for a detector).
pub fn area_resize(
    src: &Frame,
    width: u32,
    height: u32,
    scratch: &mut AreaScratch,
    out: &mut Frame,
) {
    let rect = [0.0, 0.0, src.width() as f32, src.height() as f32];
    area_resample_to(src, rect, (width, height), scratch, out);
}

fn area_resample_to(
    src: &Frame,
    rect: [f32; 4],
    (out_w, out_h): (u32, u32),
    scratch: &mut AreaScratch,
    out: &mut Frame,
) {
    if out.dimensions() != (out_w, out_h) {
        *out = Frame::new(out_w, out_h);
    }
    let [x, y, width, height] = rect;
    scratch.xs.fill(x, width, out_w, src.width());
    scratch.ys.fill(y, height, out_h, src.height());
    let raw: &[u8] = src;
    let stride = src.width() as usize * 3;
    let out_raw: &mut [u8] = out;
    for oy in 0..out_h as usize {
        for ox in 0..out_w as usize {
            let mut acc = [0.0f32; 3];
            for &(sy, wy) in scratch.ys.of(oy) {
                let row = sy as usize * stride;
                for &(sx, wx) in scratch.xs.of(ox) {
                    let i = row + sx as usize * 3;
                    let w = wx * wy;
                    acc[0] += w * f32::from(raw[i]);
                    acc[1] += w * f32::from(raw[i + 1]);
                    acc[2] += w * f32::from(raw[i + 2]);
                }
            }
            let at = (oy * out_w as usize + ox) * 3;
            for c in 0..3 {
                out_raw[at + c] = acc[c].round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_factor_is_a_block_mean() {
        let src = Frame::from_fn(4, 4, |x, _| image::Rgb([if x < 2 { 0 } else { 100 }; 3]));
        let mut out = Frame::new(0, 0);
        area_resample(
            &src,
            [0.0, 0.0, 4.0, 4.0],
            2,
            &mut AreaScratch::default(),
            &mut out,
        );
        assert_eq!(out.get_pixel(0, 1).0, [0; 3]);
        assert_eq!(out.get_pixel(1, 0).0, [100; 3]);
    }

    #[test]
    fn fractional_factor_keeps_flat_fields_flat() {
        let src = Frame::from_pixel(112, 112, image::Rgb([77, 88, 99]));
        let mut out = Frame::new(0, 0);
        let mut scratch = AreaScratch::default();
        for size in [16, 24, 32] {
            area_resample(&src, [0.0, 0.0, 112.0, 112.0], size, &mut scratch, &mut out);
            assert!(out.pixels().all(|p| p.0 == [77, 88, 99]), "size {size}");
        }
    }

    #[test]
    fn outside_the_source_is_black() {
        let src = Frame::from_pixel(4, 4, image::Rgb([200; 3]));
        let mut out = Frame::new(0, 0);
        area_resample(
            &src,
            [-4.0, 0.0, 8.0, 4.0],
            2,
            &mut AreaScratch::default(),
            &mut out,
        );
        assert_eq!(out.get_pixel(0, 0).0, [0; 3]);
        assert_eq!(out.get_pixel(1, 0).0, [200; 3]);
    }
}
