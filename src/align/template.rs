//! The constants that define face geometry for the app. The forge keeps its own copy in
//! `models/forge/lrfr_forge/geometry.py` (the box-only points are printed by `forge.py` and
//! pasted here); the two must be changed together.

/// Side of the aligned face EdgeFace and the DSR output use.
pub const FACE_SIZE: u32 = 112;

/// ArcFace/InsightFace 112x112 template (pixel-index coordinates): the eye on the image's
/// left, the other eye, nose tip, then the mouth corners, left first.
pub const TEMPLATE: [[f32; 2]; 5] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
];

/// Mean position of YuNet's 5 landmarks relative to the SeetaFace box (offset from the box
/// centre, in units of the box side), measured by the forge on the training faces
/// (`box_landmarks_constant` in `models/forge/lrfr_forge/landmarks.py`). Aligning through
/// these points is the box-only crop.
pub const BOX_LANDMARKS: [[f32; 2]; 5] = [
    [-0.2034, -0.1262],
    [0.2035, -0.1311],
    [0.0020, 0.1037],
    [-0.1622, 0.2923],
    [0.1830, 0.2863],
];

/// The landmark model sees a square this many box sides wide, centred on the box.
pub const LANDMARK_CROP_SCALE: f32 = 1.4;

/// Five points in frame pixels, in template order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Landmarks(pub [[f32; 2]; 5]);

impl Landmarks {
    /// Distance between the eye centres, the yardstick for landmark error.
    pub fn inter_ocular(&self) -> f32 {
        let [l, r] = [self.0[0], self.0[1]];
        ((l[0] - r[0]).powi(2) + (l[1] - r[1]).powi(2)).sqrt()
    }
}
