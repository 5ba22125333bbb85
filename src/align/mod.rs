//! Face geometry: where a face sits in the 112x112 ArcFace template EdgeFace was trained on,
//! how a frame is warped onto it, and how the aligned face is shrunk to 16/24/32 px.
//! Every crop the app and the forge use is made here, with the constants in [`template`].

mod area;
mod bicubic;
mod similarity;
pub mod template;
mod warp;

pub use area::{area_resample, AreaScratch};
pub use bicubic::{bicubic_upscale, BicubicPlan};
pub use similarity::Similarity;
pub use template::{Landmarks, FACE_SIZE, TEMPLATE};
pub use warp::warp_into;

use crate::detect::FaceBox;
use crate::resolution::Resolution;
use crate::source::Frame;

/// Where the face's 5 points sit when no landmark model is available: the template's points as
/// seen relative to a SeetaFace box, calibrated on training faces (see `template.rs`).
pub fn box_landmarks(face: &FaceBox) -> Landmarks {
    let (cx, cy) = face.center();
    let side = face.side();
    Landmarks(template::BOX_LANDMARKS.map(|[u, v]| [cx + u * side, cy + v * side]))
}

/// The square region, in frame pixels, that the landmark model sees: the box's centre, with
/// side `template::LANDMARK_CROP_SCALE` times the box.
pub fn landmark_region(face: &FaceBox) -> [f32; 4] {
    let (cx, cy) = face.center();
    let side = face.side() * template::LANDMARK_CROP_SCALE;
    [cx - side / 2.0, cy - side / 2.0, side, side]
}

/// Warps `frame` so that `landmarks` land on the template, into a 112x112 face.
pub fn align_face(frame: &Frame, landmarks: &Landmarks, out: &mut Frame) {
    let to_template = Similarity::estimate(&landmarks.0, &TEMPLATE);
    warp_into(frame, &to_template, FACE_SIZE, out);
}

/// Area-averages an aligned 112 face down to the very-low resolution the DSR receives.
pub fn downscale_to(aligned: &Frame, res: Resolution, scratch: &mut AreaScratch, out: &mut Frame) {
    let side = aligned.width() as f32;
    area_resample(aligned, [0.0, 0.0, side, side], res.px(), scratch, out);
}
