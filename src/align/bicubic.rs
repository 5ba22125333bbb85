//! Bicubic upscaling from the VLR face back to 112 px: the baseline the DSR must beat, and the
//! base the DSR networks add their residual to. Same kernel as PyTorch's
//! `interpolate(mode="bicubic", align_corners=False)` (a = -0.75, edge pixels repeated).

use crate::frame::Frame;

const A: f32 = -0.75;

/// Weights for one input size; the same matrix is applied along both axes.
#[derive(Debug, Clone)]
pub struct BicubicPlan {
    from: usize,
    to: usize,
    /// `to` rows of `from` weights.
    weights: Vec<f32>,
}

impl BicubicPlan {
    pub fn new(from: u32, to: u32) -> BicubicPlan {
        let (from, to) = (from as usize, to as usize);
        let mut weights = vec![0.0f32; to * from];
        let scale = from as f32 / to as f32;
        for o in 0..to {
            let center = (o as f32 + 0.5) * scale - 0.5;
            let base = center.floor();
            let t = center - base;
            for k in -1..=2i32 {
                let index = (base as i32 + k).clamp(0, from as i32 - 1) as usize;
                weights[o * from + index] += cubic(k as f32 - t);
            }
        }
        BicubicPlan { from, to, weights }
    }

    pub fn input_size(&self) -> u32 {
        self.from as u32
    }
}

fn cubic(x: f32) -> f32 {
    let x = x.abs();
    if x <= 1.0 {
        ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        ((A * x - 5.0 * A) * x + 8.0 * A) * x - 4.0 * A
    } else {
        0.0
    }
}

/// Upscales `src` (`plan.from` square) into planar RGB floats in [0, 1], `3 x to x to`.
/// `rows` is scratch space of `to x from` per channel.
pub fn bicubic_upscale(plan: &BicubicPlan, src: &Frame, rows: &mut Vec<f32>, out: &mut [f32]) {
    let (n, m) = (plan.from, plan.to);
    rows.resize(m * n, 0.0);
    let raw: &[u8] = src;
    for c in 0..3 {
        for o in 0..m {
            let w = &plan.weights[o * n..(o + 1) * n];
            for x in 0..n {
                rows[o * n + x] = (0..n)
                    .map(|y| w[y] * f32::from(raw[(y * n + x) * 3 + c]))
                    .sum();
            }
        }
        let plane = &mut out[c * m * m..(c + 1) * m * m];
        for oy in 0..m {
            for ox in 0..m {
                let w = &plan.weights[ox * n..(ox + 1) * n];
                let row = &rows[oy * n..(oy + 1) * n];
                let v: f32 = w.iter().zip(row).map(|(a, b)| a * b).sum();
                plane[oy * m + ox] = (v / 255.0).clamp(0.0, 1.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_sum_to_one_and_flat_stays_flat() {
        for from in [16, 24, 32] {
            let plan = BicubicPlan::new(from, 112);
            for row in plan.weights.chunks(from as usize) {
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            }
            let src = Frame::from_pixel(from, from, image::Rgb([51, 102, 204]));
            let mut out = vec![0.0; 3 * 112 * 112];
            bicubic_upscale(&plan, &src, &mut Vec::new(), &mut out);
            assert!((out[0] - 0.2).abs() < 1e-4);
            assert!((out[3 * 112 * 112 - 1] - 0.8).abs() < 1e-4);
        }
    }
}
