//! Face boxes from rustface (SeetaFace's funnel-structured cascade). Detection runs on a
//! small grey copy of the frame and boxes are mapped back to frame pixels.

mod gray;

use std::io::Cursor;

use crate::frame::Frame;

/// SeetaFace frontal model, embedded by `build.rs` from the rustface crate's own files.
static SEETA_MODEL: &[u8] = include_bytes!(env!("LRFR_SEETA_MODEL"));

/// rustface refuses windows under 20 px.
const SEETA_MIN_WINDOW: u32 = 20;
/// Least side of the square [`FaceDetector::detect_around`] searches around a followed face.
const REGION: f32 = 192.0;

#[derive(Debug, Clone, PartialEq)]
pub struct DetectConfig {
    /// Frames are shrunk to about this width before detection, by the nearest whole factor:
    /// a 640 px webcam frame by 3 (SeetaFace's smallest window, 20 px, is then 60 frame px;
    /// the small-face network finds the faces below that), a 250 px LFW photo not at all.
    pub detect_width: u32,
    /// Smallest face, in frame pixels, worth reporting.
    pub min_face: u32,
    /// SeetaFace cascade score; its authors use 2.0.
    pub score_threshold: f64,
    /// Image pyramid step; closer to 1 finds more sizes, slower.
    pub pyramid_scale: f32,
    pub window_step: u32,
    /// The small-face network's score (0 to 1) at which a face is reported.
    pub small_face_score: f32,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            detect_width: 214,
            min_face: 60,
            score_threshold: 2.0,
            pyramid_scale: 0.8,
            window_step: 4,
            small_face_score: 0.35,
        }
    }
}

/// A face box in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub score: f32,
}

impl FaceBox {
    /// A square box, for tests of the geometry around boxes.
    #[cfg(test)]
    pub(crate) fn square(x: f32, y: f32, side: f32) -> FaceBox {
        FaceBox {
            x,
            y,
            width: side,
            height: side,
            score: 1.0,
        }
    }

    pub fn center(&self) -> (f32, f32) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// Side of the square the box fits in.
    pub fn side(&self) -> f32 {
        self.width.max(self.height)
    }

    /// How sure the detector is of the face, 0 to 1: the small-face network's probability.
    /// SeetaFace's cascade score is no probability, and it reports only faces over its own
    /// threshold, so those count as sure.
    fn sureness(&self) -> f32 {
        self.score.min(1.0)
    }

    fn area(&self) -> f32 {
        self.width * self.height
    }

    /// The share of this box's area that lies inside `other`.
    fn inside(&self, other: &FaceBox) -> f32 {
        let w = (self.x + self.width).min(other.x + other.width) - self.x.max(other.x);
        let h = (self.y + self.height).min(other.y + other.height) - self.y.max(other.y);
        (w.max(0.0) * h.max(0.0)) / self.area().max(f32::MIN_POSITIVE)
    }
}

/// A face the detector is less than this sure of, against the surest face in the frame, is not
/// taken for the frame's subject. LFW's news photos hold neighbours cut off at the photo's edge
/// or blurred behind the subject, which the small-face network can box larger than the subject
/// but is less sure of. On the validation frames (2026-11-25, 240 with several faces and the
/// subject found, at 32, 24 and 16 px of their own), 7 of the 11 neighbours larger than the
/// subject scored 0.48-0.65 of the surest face; 2 subjects scored under 0.7 of it (0.60, 0.65).
const SUBJECT_SURENESS: f32 = 0.7;

/// The frame's subject among `faces`: the largest of those the detector is at least
/// [`SUBJECT_SURENESS`] as sure of as of the surest.
pub fn subject(faces: &[FaceBox]) -> Option<FaceBox> {
    let surest = faces.iter().map(FaceBox::sureness).fold(0.0, f32::max);
    faces
        .iter()
        .filter(|f| f.sureness() >= SUBJECT_SURENESS * surest)
        .max_by(|a, b| a.area().total_cmp(&b.area()))
        .copied()
}

/// A box lying this much inside a larger one is the same face found again at another
/// scale or offset (the cascade's own merging leaves some), not a second face.
const DUPLICATE_INSIDE: f32 = 0.5;

/// Intersection over union of two boxes, 0 when they do not touch.
pub fn iou(a: &FaceBox, b: &FaceBox) -> f32 {
    let x0 = a.x.max(b.x);
    let y0 = a.y.max(b.y);
    let x1 = (a.x + a.width).min(b.x + b.width);
    let y1 = (a.y + a.height).min(b.y + b.height);
    let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
    let union = a.width * a.height + b.width * b.height - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// Whether `a` and `b` are one face: either lies mostly inside the other.
pub fn same_face(a: &FaceBox, b: &FaceBox) -> bool {
    a.inside(b) >= DUPLICATE_INSIDE || b.inside(a) >= DUPLICATE_INSIDE
}

/// Sorts `faces` largest first and drops each that lies mostly inside a larger one: the same
/// face found twice, at two scales or offsets.
pub fn keep_distinct(faces: &mut Vec<FaceBox>) {
    faces.sort_by(|a, b| b.area().total_cmp(&a.area()));
    let mut kept = 0;
    for i in 0..faces.len() {
        let face = faces[i];
        if faces[..kept]
            .iter()
            .all(|larger| face.inside(larger) < DUPLICATE_INSIDE)
        {
            faces[kept] = face;
            kept += 1;
        }
    }
    faces.truncate(kept);
}

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("the embedded SeetaFace model does not load: {0}")]
    Model(#[from] std::io::Error),
}

pub struct FaceDetector {
    seeta: Box<dyn rustface::Detector>,
    config: DetectConfig,
    small: gray::SmallGray,
    faces: Vec<FaceBox>,
}

impl FaceDetector {
    pub fn new(config: DetectConfig) -> Result<FaceDetector, DetectError> {
        let model = rustface::read_model(Cursor::new(SEETA_MODEL))?;
        let mut seeta = rustface::create_detector_with_model(model);
        seeta.set_score_thresh(config.score_threshold);
        seeta.set_pyramid_scale_factor(config.pyramid_scale.clamp(0.5, 0.95));
        let step = config.window_step.max(1);
        seeta.set_slide_window_step(step, step);
        Ok(FaceDetector {
            seeta,
            config,
            small: gray::SmallGray::default(),
            faces: Vec::new(),
        })
    }

    pub fn config(&self) -> &DetectConfig {
        &self.config
    }

    /// All faces at least `min_face` wide, largest first.
    pub fn detect(&mut self, frame: &Frame) -> &[FaceBox] {
        self.faces.clear();
        if frame.width() < SEETA_MIN_WINDOW || frame.height() < SEETA_MIN_WINDOW {
            return &self.faces;
        }
        let scale = self.small.fill(frame, self.config.detect_width);
        self.search((0.0, 0.0), scale);
        keep_distinct(&mut self.faces);
        &self.faces
    }

    /// The faces near those already being followed, largest first: SeetaFace only on a
    /// square three times each one's side (at least 192 px) around it, shrunk as the whole
    /// frame is and on the same grid of pixels, so it sees the face as [`FaceDetector::detect`]
    /// does. Faces under three quarters of `min_face` are skipped: its windows start at
    /// `min_face`, and the small-face network follows those.
    pub fn detect_around(&mut self, frame: &Frame, followed: &[FaceBox]) -> &[FaceBox] {
        self.faces.clear();
        let step = gray::step_for(frame, self.config.detect_width);
        let smallest = self.config.min_face as f32 * 0.75;
        for face in followed.iter().filter(|f| f.side() >= smallest) {
            let side = (face.side() * 3.0).max(REGION);
            let (cx, cy) = face.center();
            // On the whole-frame pass's grid: a multiple of `step` from the frame's corner.
            let corner = |centre: f32, room: u32| {
                let v = ((centre - side / 2.0).max(0.0) as u32) / step * step;
                v.min(room.saturating_sub(side as u32) / step * step)
            };
            let (x0, y0) = (corner(cx, frame.width()), corner(cy, frame.height()));
            let region = [x0, y0, side as u32, side as u32];
            self.small.fill_region(frame, region, step);
            self.search((x0 as f32, y0 as f32), 1.0 / step as f32);
        }
        keep_distinct(&mut self.faces);
        &self.faces
    }

    /// Runs SeetaFace on the small grey image, whose pixels are `scale` of a frame pixel from
    /// `origin`, and appends what it finds in frame pixels.
    fn search(&mut self, origin: (f32, f32), scale: f32) {
        let (width, height) = self.small.size();
        if width < SEETA_MIN_WINDOW || height < SEETA_MIN_WINDOW {
            return;
        }
        let min_small =
            ((self.config.min_face as f32 * scale).round() as u32).max(SEETA_MIN_WINDOW);
        self.seeta.set_min_face_size(min_small);
        let image = rustface::ImageData::new(self.small.pixels(), width, height);
        for face in self.seeta.detect(&image) {
            let b = face.bbox();
            self.faces.push(FaceBox {
                x: origin.0 + b.x() as f32 / scale,
                y: origin.1 + b.y() as f32 / scale,
                width: b.width() as f32 / scale,
                height: b.height() as f32 / scale,
                score: face.score() as f32,
            });
        }
    }

    /// The largest face, if any.
    pub fn largest(&mut self, frame: &Frame) -> Option<FaceBox> {
        self.detect(frame).first().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_of_boxes() {
        assert!(
            (iou(
                &FaceBox::square(0.0, 0.0, 10.0),
                &FaceBox::square(0.0, 0.0, 10.0)
            ) - 1.0)
                .abs()
                < 1e-6
        );
        assert!(
            (iou(
                &FaceBox::square(0.0, 0.0, 10.0),
                &FaceBox::square(5.0, 0.0, 10.0)
            ) - 50.0 / 150.0)
                .abs()
                < 1e-6
        );
        assert_eq!(
            iou(
                &FaceBox::square(0.0, 0.0, 10.0),
                &FaceBox::square(20.0, 0.0, 10.0)
            ),
            0.0
        );
    }

    #[test]
    fn a_box_mostly_inside_another_is_a_duplicate() {
        let big = FaceBox::square(0.0, 0.0, 100.0);
        assert!(FaceBox::square(30.0, 40.0, 60.0).inside(&big) > DUPLICATE_INSIDE);
        // Neighbours that only touch are two faces.
        assert!(FaceBox::square(90.0, 0.0, 100.0).inside(&big) < DUPLICATE_INSIDE);
    }

    #[test]
    fn the_subject_is_the_largest_face_the_detector_is_sure_of() {
        let scored = |side: f32, score: f32| FaceBox {
            score,
            ..FaceBox::square(side * 2.0, 0.0, side)
        };
        assert_eq!(subject(&[]), None);
        // A larger neighbour the network is half as sure of is passed over...
        let (neighbour, face) = (scored(30.0, 0.45), scored(21.0, 0.9));
        assert_eq!(subject(&[neighbour, face]), Some(face));
        // ...one it is nearly as sure of is taken, as is the only face, however faint.
        let near_as_sure = scored(30.0, 0.8);
        assert_eq!(subject(&[near_as_sure, face]), Some(near_as_sure));
        assert_eq!(subject(&[neighbour]), Some(neighbour));
        // SeetaFace's scores (over its threshold of 2) count as sure, not as 3x surer.
        let seeta = scored(80.0, 6.0);
        assert_eq!(subject(&[seeta, face]), Some(seeta));
        let seeta_small = scored(15.0, 2.5);
        assert_eq!(subject(&[face, seeta_small]), Some(face));
    }
}
