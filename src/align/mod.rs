//! Face geometry: where a face sits in the 112x112 ArcFace template EdgeFace was trained on,
//! how a frame is warped onto it, and how the aligned face is shrunk to 16/24/32 px.
//! Every crop the app and the forge use is made here, with the constants in [`template`].

mod area;
mod bicubic;
mod similarity;
pub mod template;
mod warp;

pub use area::{area_resample, area_resize, AreaScratch};
pub use bicubic::{bicubic_upscale, BicubicPlan};
pub use similarity::Similarity;
pub use template::{Landmarks, BOX_CROP_SIZE, FACE_SIZE, TEMPLATE};
pub use warp::warp_into;

use crate::detect::FaceBox;
use crate::frame::Frame;
use crate::resolution::Resolution;

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
    align_face_at(frame, landmarks, FACE_SIZE, out);
}

/// The same alignment straight into a `side` x `side` crop: the template scaled to `side`.
/// At a face's own size this keeps its pixels as the camera saw them, instead of blowing them
/// up to 112 and shrinking them again.
pub fn align_face_at(frame: &Frame, landmarks: &Landmarks, side: u32, out: &mut Frame) {
    let k = side as f32 / FACE_SIZE as f32;
    let template = TEMPLATE.map(|[x, y]| [x * k, y * k]);
    let to_template = Similarity::estimate(&landmarks.0, &template);
    warp_into(frame, &to_template, side, out);
}

/// How many frame pixels the 112 px template spans when laid over the face: the side of the
/// face's own aligned crop, which says which resolutions it really has.
pub fn native_side(landmarks: &Landmarks) -> f32 {
    let scale = Similarity::estimate(&landmarks.0, &TEMPLATE).scale();
    if scale > 0.0 {
        FACE_SIZE as f32 / scale
    } else {
        0.0
    }
}

/// Area-averages an aligned 112 face down to the very-low resolution the DSR receives.
pub fn downscale_to(aligned: &Frame, res: Resolution, scratch: &mut AreaScratch, out: &mut Frame) {
    let side = aligned.width() as f32;
    area_resample(aligned, [0.0, 0.0, side, side], res.px(), scratch, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_side_is_the_template_at_the_face_scale() {
        // The template itself, shrunk to a third and moved: a face spanning 112 / 3 px.
        let landmarks = Landmarks(TEMPLATE.map(|[x, y]| [100.0 + x / 3.0, 50.0 + y / 3.0]));
        assert!((native_side(&landmarks) - 112.0 / 3.0).abs() < 0.01);
    }

    #[test]
    fn a_crop_at_the_native_size_keeps_the_pixels() {
        // A 32 px face whose template lands exactly on the frame's pixel grid: aligning it at
        // 32 px copies the pixels, no blur.
        let frame = Frame::from_fn(64, 64, |x, y| image::Rgb([(x * 4) as u8, (y * 4) as u8, 0]));
        let k = 32.0 / FACE_SIZE as f32;
        let landmarks = Landmarks(TEMPLATE.map(|[x, y]| [10.0 + x * k, 20.0 + y * k]));
        let mut crop = Frame::new(0, 0);
        align_face_at(&frame, &landmarks, 32, &mut crop);
        assert_eq!(crop.dimensions(), (32, 32));
        assert_eq!(crop.get_pixel(5, 7).0, frame.get_pixel(15, 27).0);
    }
}
