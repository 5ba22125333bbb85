//! Curves as PNGs, one colour per resolution (bicubic rows lighter): ROC (TAR against FAR on
//! a log axis from 1e-3 to 1) and DET (FNIR against FPIR, both on log axes from 1e-3 to 1).

use std::path::Path;

use image::{Rgb, RgbImage};

use super::{roc, EvalRow, OpenSetRow};
use crate::pipeline::Upscaler;
use crate::resolution::ResChoice;

const SIZE: u32 = 480;
const MARGIN: u32 = 30;
/// Colours by resolution (16, 24, 32); bicubic rows are drawn lighter.
/// 16, 24, 32 px, then auto (purple).
const COLOURS: [[u8; 3]; 4] = [
    [214, 39, 40],
    [44, 160, 44],
    [31, 119, 180],
    [148, 103, 189],
];

/// Writes the plot; the caller names the colours in its text output.
pub fn draw_roc(rows: &[EvalRow], path: &Path) -> Result<(), image::ImageError> {
    let mut canvas = RgbImage::from_pixel(SIZE, SIZE, Rgb([255, 255, 255]));
    let span = (SIZE - 2 * MARGIN) as f64;
    let to_pixel = |far: f64, tar: f64| -> (f64, f64) {
        let x = ((far.max(1e-3).log10() + 3.0) / 3.0).clamp(0.0, 1.0);
        (MARGIN as f64 + x * span, MARGIN as f64 + (1.0 - tar) * span)
    };
    for decade in 0..=3 {
        let (x, _) = to_pixel(10f64.powi(-decade), 0.0);
        line(
            &mut canvas,
            (x, MARGIN as f64),
            (x, (SIZE - MARGIN) as f64),
            [220, 220, 220],
        );
    }
    for tenth in 0..=10 {
        let (_, y) = to_pixel(1.0, tenth as f64 / 10.0);
        line(
            &mut canvas,
            (MARGIN as f64, y),
            ((SIZE - MARGIN) as f64, y),
            [220, 220, 220],
        );
    }
    for row in rows {
        let colour = colour(
            row.res.as_u64().map(|px| px as u32),
            row.pipeline == "bicubic",
        );
        let curve = roc(&row.scores);
        for pair in curve.windows(2) {
            line(
                &mut canvas,
                to_pixel(pair[0].far, pair[0].tar),
                to_pixel(pair[1].far, pair[1].tar),
                colour,
            );
        }
    }
    canvas.save(path)
}

fn colour(res: Option<u32>, bicubic: bool) -> [u8; 3] {
    let base = COLOURS[match res {
        Some(16) => 0,
        Some(24) => 1,
        Some(_) => 2,
        None => 3,
    }];
    if bicubic {
        base.map(|c| c / 2 + 127)
    } else {
        base
    }
}

/// DET curves of open-set rows; the caller names the colours in its text output.
pub fn draw_det(rows: &[OpenSetRow], path: &Path) -> Result<(), image::ImageError> {
    let mut canvas = RgbImage::from_pixel(SIZE, SIZE, Rgb([255, 255, 255]));
    let span = (SIZE - 2 * MARGIN) as f64;
    let log = |v: f64| ((v.max(1e-3).log10() + 3.0) / 3.0).clamp(0.0, 1.0);
    let to_pixel = |fpir: f64, fnir: f64| -> (f64, f64) {
        (
            MARGIN as f64 + log(fpir) * span,
            MARGIN as f64 + (1.0 - log(fnir)) * span,
        )
    };
    let (low, high) = (MARGIN as f64, (SIZE - MARGIN) as f64);
    for decade in 0..=3 {
        let v = 10f64.powi(-decade);
        let (x, y) = to_pixel(v, v);
        line(&mut canvas, (x, low), (x, high), [220, 220, 220]);
        line(&mut canvas, (low, y), (high, y), [220, 220, 220]);
    }
    for row in rows {
        let px = match row.res {
            ResChoice::Fixed(res) => Some(res.px()),
            ResChoice::Native => None,
        };
        let colour = colour(px, row.upscaler == Upscaler::Bicubic);
        for pair in row.scores.det().windows(2) {
            line(
                &mut canvas,
                to_pixel(pair[0].0, pair[0].1),
                to_pixel(pair[1].0, pair[1].1),
                colour,
            );
        }
    }
    canvas.save(path)
}

fn line(canvas: &mut RgbImage, from: (f64, f64), to: (f64, f64), colour: [u8; 3]) {
    let steps = ((to.0 - from.0).abs().max((to.1 - from.1).abs()).ceil() as usize).max(1);
    for s in 0..=steps {
        let t = s as f64 / steps as f64;
        let x = from.0 + (to.0 - from.0) * t;
        let y = from.1 + (to.1 - from.1) * t;
        if x >= 0.0 && y >= 0.0 && (x as u32) < canvas.width() && (y as u32) < canvas.height() {
            canvas.put_pixel(x as u32, y as u32, Rgb(colour));
        }
    }
}
