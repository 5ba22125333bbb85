//! The small-face detector's role: a whole frame (shrunk to fit its input, never enlarged), or
//! a square around a face being followed, in; faces from about 8 to 80 px wide out. A
//! CenterNet-style head at stride 4: a face is a cell whose score is a local maximum, with its
//! centre offset and log box size. The network also has five points per cell (learning them
//! helps it find faces); the landmark model places points better, so they are not read (see
//! `pipeline/locator.rs`).

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use super::manifest::{LocatorManifest, ModelEntry};
use super::net::Net;
use super::{executor, ModelError};
use crate::align::{area_resample, area_resize, AreaScratch};
use crate::detect::FaceBox;
use crate::frame::Frame;

/// Cells per input pixel side: the network takes the frame as STRIDE x STRIDE patches, a
/// cell each.
const STRIDE: usize = 4;
/// Heatmap, offset (2), log size (2), points (10, unread), per cell.
const CHANNELS: usize = 15;
/// Cells the input may have on a side: frames from 16 to 1920 px.
const CELLS: RangeInclusive<usize> = 4..=480;
/// Side of the square around a followed face that [`FaceFinder::find_around`] looks in: a
/// face of up to [`FaceFinder::WIDEST`] px with room to move, at an eighth of a 640x480
/// frame's cells.
const REGION: u32 = 192;
/// A frame smaller than the network's input is searched by a plan of its own size, with
/// [`FIT_MARGIN`] added and rounded up to this (a multiple of the network's deepest stride,
/// 8): a 250x250 photo costs a 288x288 input, under a third of the cells and memory of the
/// 640x480 one it was padded to.
const FIT: u32 = 32;
/// Mid-grey the network sees past a photo's right and bottom edges, as it did in the 640x480
/// input. With none, its cells at the edge read the plan's zero border instead: on 244 LFW
/// photos 7 of 337 faces were lost, 6 moved and 2 found in hair. With 16 px, every box is the
/// one the 640x480 input gives.
const FIT_MARGIN: u32 = 16;
/// Plans kept at once: the whole frame, the region around a followed face, and one photo
/// size. A folder of photos of many sizes re-plans (tens of ms) rather than piling them up.
const PLANS: usize = 3;

pub struct FaceFinder {
    /// The manifest's entry: its input is the largest frame searched at once (640x480).
    entry: ModelEntry,
    /// The network planned for each input size in use (it is fully convolutional), made on
    /// first use, most recently used last.
    plans: Vec<Net>,
    dir: PathBuf,
    threads: usize,
    /// The frame, when it is larger than the input, area-shrunk to fit; or the region.
    shrunk: Frame,
    area: AreaScratch,
}

impl FaceFinder {
    /// The widest face it was taught (`LARGEST` in the forge's `s01b_detector.py`); what it reports
    /// above that is guesswork, and SeetaFace finds those faces.
    pub const WIDEST: f32 = 80.0;

    /// The detector named in `dir/manifest.json`, if there is a manifest and it names one:
    /// checked now (a bad file is refused at start-up), planned for a size when first used.
    pub fn load(dir: &Path, threads: usize) -> Result<Option<FaceFinder>, ModelError> {
        let Some(manifest) = LocatorManifest::load(dir)? else {
            return Ok(None);
        };
        let Some(entry) = manifest.detector else {
            return Ok(None);
        };
        check(dir, &entry)?;
        Net::check(dir, &entry)?;
        Ok(Some(FaceFinder {
            entry,
            plans: Vec::with_capacity(PLANS),
            dir: dir.to_path_buf(),
            threads,
            shrunk: Frame::new(0, 0),
            area: AreaScratch::default(),
        }))
    }

    /// The network at its manifest size (a whole 640x480 frame), for timing it alone.
    pub fn net(&mut self) -> Result<&mut Net, ModelError> {
        let (width, height) = input_size(&self.entry.input);
        self.plan(width, height)
    }

    /// Appends to `faces` every face scoring at least `min_score` (0 to 1), in frame pixels.
    pub fn find(
        &mut self,
        frame: &Frame,
        min_score: f32,
        faces: &mut Vec<FaceBox>,
    ) -> Result<(), ModelError> {
        let (width, height) = input_size(&self.entry.input);
        let scale = (width as f32 / frame.width().max(1) as f32)
            .min(height as f32 / frame.height().max(1) as f32)
            .min(1.0);
        let source = if scale < 1.0 {
            let w = ((frame.width() as f32 * scale).round() as u32).clamp(1, width);
            let h = ((frame.height() as f32 * scale).round() as u32).clamp(1, height);
            area_resize(frame, w, h, &mut self.area, &mut self.shrunk);
            &self.shrunk
        } else {
            frame
        };
        let fit = |side: u32, most: u32| {
            (side.max(1) + FIT_MARGIN)
                .div_ceil(FIT)
                .saturating_mul(FIT)
                .min(most)
        };
        let (fit_w, fit_h) = (fit(source.width(), width), fit(source.height(), height));
        let at = Placement {
            scale,
            origin: (0.0, 0.0),
        };
        let net = plan_for(
            &mut self.plans,
            &self.entry,
            &self.dir,
            self.threads,
            fit_w,
            fit_h,
        )?;
        scan(net, source, at, min_score, faces)
    }

    /// The same as [`FaceFinder::find`], but only in a square around `face` (three times its
    /// side, at least 192 px, moved inside the frame), for a face already being
    /// followed: an eighth of the cells of a 640x480 frame, or fewer. A frame too small to
    /// hold the square is searched whole.
    pub fn find_around(
        &mut self,
        frame: &Frame,
        face: &FaceBox,
        min_score: f32,
        faces: &mut Vec<FaceBox>,
    ) -> Result<(), ModelError> {
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let side = (face.side() * 3.0).max(REGION as f32);
        if side > w || side > h {
            return self.find(frame, min_score, faces);
        }
        let (cx, cy) = face.center();
        // On the whole-frame pass's grid of cells, so both see the face the same way.
        let snap = |v: f32, room: f32| {
            let s = STRIDE as f32;
            ((v / s).round() * s).clamp(0.0, (room / s).floor() * s)
        };
        let x0 = snap(cx - side / 2.0, w - side);
        let y0 = snap(cy - side / 2.0, h - side);
        area_resample(
            frame,
            [x0, y0, side, side],
            REGION,
            &mut self.area,
            &mut self.shrunk,
        );
        let at = Placement {
            scale: REGION as f32 / side,
            origin: (x0, y0),
        };
        let net = plan_for(
            &mut self.plans,
            &self.entry,
            &self.dir,
            self.threads,
            REGION,
            REGION,
        )?;
        scan(net, &self.shrunk, at, min_score, faces)
    }

    fn plan(&mut self, width: u32, height: u32) -> Result<&mut Net, ModelError> {
        plan_for(
            &mut self.plans,
            &self.entry,
            &self.dir,
            self.threads,
            width,
            height,
        )
    }
}

/// The plan for a `width` x `height` input (multiples of [`STRIDE`]), made if it is not among
/// `plans`; the least recently used is dropped past [`PLANS`].
fn plan_for<'a>(
    plans: &'a mut Vec<Net>,
    entry: &ModelEntry,
    dir: &Path,
    threads: usize,
    width: u32,
    height: u32,
) -> Result<&'a mut Net, ModelError> {
    let (cols, rows) = (width as usize / STRIDE, height as usize / STRIDE);
    match plans
        .iter()
        .position(|net| net.entry().input[2..] == [rows, cols])
    {
        Some(at) => plans[at..].rotate_left(1),
        None => {
            let sized = ModelEntry {
                input: vec![1, entry.input[1], rows, cols],
                output: vec![1, CHANNELS, rows, cols],
                ..entry.clone()
            };
            let net = Net::load(dir, &sized, executor(threads))?;
            if plans.len() >= PLANS {
                plans.remove(0);
            }
            plans.push(net);
        }
    }
    // Not empty: the plan was moved to the end or pushed there.
    let last = plans.len() - 1;
    Ok(&mut plans[last])
}

/// Where the network's input lies in the frame: input pixels are `scale` frame pixels each,
/// starting at `origin`.
#[derive(Clone, Copy)]
struct Placement {
    scale: f32,
    origin: (f32, f32),
}

/// Runs `net` on `image` and appends the faces it finds, in frame pixels.
fn scan(
    net: &mut Net,
    image: &Frame,
    at: Placement,
    min_score: f32,
    faces: &mut Vec<FaceBox>,
) -> Result<(), ModelError> {
    let (width, height) = input_size(&net.entry().input);
    let (mean, std) = (net.entry().mean, net.entry().std);
    let (cols, rows) = (width as usize / STRIDE, height as usize / STRIDE);
    let plane = rows * cols;
    let input = net.input_mut(3 * STRIDE * STRIDE * plane)?;
    lay_out(image, (width, height), mean, std, input);
    let out = net.run()?;
    let cell = |c: usize, i: usize| out[c * plane + i];
    let min_logit = logit(min_score);
    let s = STRIDE as f32;
    for row in 0..rows {
        for col in 0..cols {
            let i = row * cols + col;
            let v = cell(0, i);
            // NaN scores fail the first test: a broken network finds nothing.
            if v.is_nan() || v < min_logit || !local_maximum(out, cols, rows, row, col) {
                continue;
            }
            let cx = (col as f32 + cell(1, i)) * s;
            let cy = (row as f32 + cell(2, i)) * s;
            let w = cell(3, i).clamp(-4.0, 4.0).exp() * s;
            let h = cell(4, i).clamp(-4.0, 4.0).exp() * s;
            if ![cx, cy, w, h].iter().all(|v| v.is_finite()) || w > FaceFinder::WIDEST {
                continue;
            }
            faces.push(FaceBox {
                x: at.origin.0 + (cx - w / 2.0) / at.scale,
                y: at.origin.1 + (cy - h / 2.0) / at.scale,
                width: w / at.scale,
                height: h / at.scale,
                score: sigmoid(v),
            });
        }
    }
    Ok(())
}

/// The frame size an input shape covers: its cells times the stride.
fn input_size(shape: &[usize]) -> (u32, u32) {
    let s = STRIDE as u32;
    (shape[3] as u32 * s, shape[2] as u32 * s)
}

/// Whether cell (row, col) of the heatmap is at least its eight neighbours.
fn local_maximum(out: &[f32], cols: usize, rows: usize, row: usize, col: usize) -> bool {
    let v = out[row * cols + col];
    for r in row.saturating_sub(1)..(row + 2).min(rows) {
        for c in col.saturating_sub(1)..(col + 2).min(cols) {
            if out[r * cols + c] > v {
                return false;
            }
        }
    }
    true
}

fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// `image` in the top-left corner of a `width` x `height` frame, mid-grey elsewhere (which
/// the network reads as nothing), normalised and cut into `STRIDE` x `STRIDE` patches as
/// `pixel_unshuffle` does: channel `c * S * S + dy * S + dx` of cell (row, col) is colour `c`
/// of pixel (col * S + dx, row * S + dy). The network's first layer is then a 1x1
/// convolution, which tract runs far faster than a strided one over the whole frame.
fn lay_out(image: &Frame, (width, height): (u32, u32), mean: f32, std: f32, out: &mut [f32]) {
    let s = STRIDE;
    let (cols, rows) = (width as usize / s, height as usize / s);
    let plane = rows * cols;
    let scale = 1.0 / (255.0 * std);
    let offset = mean / std;
    out.fill(128.0 * scale - offset);
    let (w, h) = (image.width().min(width), image.height().min(height));
    for y in 0..h as usize {
        let (row, dy) = (y / s, y % s);
        for x in 0..w as usize {
            let (col, dx) = (x / s, x % s);
            let px = image.get_pixel(x as u32, y as u32);
            let cell = row * cols + col;
            for c in 0..3 {
                if let Some(v) = out.get_mut((c * s * s + dy * s + dx) * plane + cell) {
                    *v = f32::from(px[c]) * scale - offset;
                }
            }
        }
    }
}

/// The entry takes a frame in patches and gives a map of [`CHANNELS`] per cell of the same
/// size: a smaller map would leave faces at the edge unread.
fn check(dir: &Path, entry: &ModelEntry) -> Result<(), ModelError> {
    let (rows, cols) = match entry.input[..] {
        [_, _, rows, cols] => (rows, cols),
        _ => (0, 0),
    };
    let fits = entry.input == [1, 3 * STRIDE * STRIDE, rows, cols]
        && [rows, cols].iter().all(|n| CELLS.contains(n))
        && entry.output == [1, CHANNELS, rows, cols];
    let expected = format!(
        "input [1, {p}, R, C] (a frame in {s}x{s} patches, R and C from {low} to {high}) -> output [1, {CHANNELS}, R, C]",
        p = 3 * STRIDE * STRIDE,
        s = STRIDE,
        low = CELLS.start(),
        high = CELLS.end(),
    );
    entry.fit_for(dir, fits, "a face detector", &expected)
}

#[cfg(test)]
mod tests {
    use super::super::manifest::entry;
    use super::*;

    #[test]
    fn the_frame_is_laid_out_as_pixel_unshuffle_does() {
        let mut image = Frame::from_pixel(8, 4, image::Rgb([128, 128, 128]));
        image.put_pixel(5, 2, image::Rgb([0, 255, 128]));
        let mut out = vec![0.0; 48 * 2 * 2];
        lay_out(&image, (8, 8), 0.5, 0.25, &mut out);
        let plane = 2 * 2;
        assert_eq!(out.len(), 48 * plane);
        // Pixel (5, 2): cell (row 0, col 1), dy 2, dx 1.
        let at = |c: usize| out[(c * 16 + 2 * 4 + 1) * plane + 1];
        assert!((at(0) + 2.0).abs() < 1e-5, "{}", at(0));
        assert!((at(1) - 2.0).abs() < 1e-5, "{}", at(1));
        // The frame's padding, below its 4 rows, reads as the mid-grey of the rest.
        assert!(out[2].abs() < 0.01 && out[(2 * 16) * plane + 3].abs() < 0.01);
    }

    #[test]
    fn a_peak_is_a_face_only_where_no_neighbour_is_higher() {
        let map = [0.0, 0.5, 0.2, 0.1, 0.9, 0.3];
        assert!(local_maximum(&map, 3, 2, 1, 1));
        assert!(!local_maximum(&map, 3, 2, 0, 1));
        assert!((sigmoid(logit(0.3)) - 0.3).abs() < 1e-5);
    }

    #[test]
    fn the_entry_must_map_every_cell_of_its_input() {
        let dir = Path::new("m");
        assert!(check(dir, &entry(&[1, 48, 120, 160], &[1, 15, 120, 160])).is_ok());
        // A map smaller than the input would leave faces at the edge unread.
        assert!(check(dir, &entry(&[1, 48, 120, 160], &[1, 15, 60, 80])).is_err());
        assert!(check(dir, &entry(&[1, 3, 120, 160], &[1, 15, 120, 160])).is_err());
        assert!(check(dir, &entry(&[1, 48, 2, 2], &[1, 15, 2, 2])).is_err());
    }
}
