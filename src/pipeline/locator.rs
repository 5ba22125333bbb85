//! Finding the face and its 5 points: the detector, then the landmark model on the box crop
//! (or the calibrated box-only points when there is no landmark model).

use crate::align::{self, AreaScratch, Landmarks};
use crate::config::Config;
use crate::detect::{FaceBox, FaceDetector};
use crate::models::{Landmarker, Net};
use crate::source::Frame;

use super::PipelineError;

pub struct FaceLocator {
    detector: FaceDetector,
    landmarks: Option<Landmarker>,
    area: AreaScratch,
    box_crop: Frame,
    faces_found: usize,
}

/// Where the face is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located {
    pub face: FaceBox,
    pub landmarks: Landmarks,
}

impl FaceLocator {
    /// The detector, plus the landmark model if the models folder's manifest names one.
    pub fn load(config: &Config) -> Result<FaceLocator, PipelineError> {
        let detector = FaceDetector::new(config.detect.clone())?;
        let landmarks = Landmarker::load(&config.models_dir, config.threads)?;
        Ok(FaceLocator::new(detector, landmarks))
    }

    pub fn new(detector: FaceDetector, landmarks: Option<Landmarker>) -> FaceLocator {
        FaceLocator {
            detector,
            landmarks,
            area: AreaScratch::default(),
            box_crop: Frame::new(0, 0),
            faces_found: 0,
        }
    }

    pub fn has_landmark_model(&self) -> bool {
        self.landmarks.is_some()
    }

    /// The landmark network itself, for timing it alone.
    pub fn landmark_net(&mut self) -> Option<&mut Net> {
        self.landmarks.as_mut().map(Landmarker::net)
    }

    /// Faces the last [`FaceLocator::locate`] saw.
    pub fn faces_found(&self) -> usize {
        self.faces_found
    }

    /// The largest face and its landmarks, or `None`.
    pub fn locate(&mut self, frame: &Frame) -> Result<Option<Located>, PipelineError> {
        let Some(face) = self.detect(frame) else {
            return Ok(None);
        };
        let landmarks = self.landmarks(frame, &face)?;
        Ok(Some(Located { face, landmarks }))
    }

    /// Only the detector: the largest face, if any.
    pub fn detect(&mut self, frame: &Frame) -> Option<FaceBox> {
        self.detect_all(frame).first().copied()
    }

    /// Only the detector: every face, largest first.
    pub fn detect_all(&mut self, frame: &Frame) -> &[FaceBox] {
        let faces = self.detector.detect(frame);
        self.faces_found = faces.len();
        faces
    }

    /// The detector's box crop at `size` px: the region the landmark model sees.
    pub fn box_crop(&mut self, frame: &Frame, face: &FaceBox, size: u32) -> &Frame {
        align::area_resample(
            frame,
            align::landmark_region(face),
            size,
            &mut self.area,
            &mut self.box_crop,
        );
        &self.box_crop
    }

    /// The 5 points of `face`, from the landmark model or the box-only fallback.
    pub fn landmarks(&mut self, frame: &Frame, face: &FaceBox) -> Result<Landmarks, PipelineError> {
        let Some(landmarker) = self.landmarks.as_mut() else {
            return Ok(align::box_landmarks(face));
        };
        align::area_resample(
            frame,
            align::landmark_region(face),
            landmarker.input_side(),
            &mut self.area,
            &mut self.box_crop,
        );
        let Some(points) = landmarker.points(&self.box_crop)? else {
            return Ok(align::box_landmarks(face));
        };
        let [x0, y0, side, _] = align::landmark_region(face);
        let landmarks = Landmarks(points.map(|[x, y]| [x0 + x * side, y0 + y * side]));
        // A network gone wrong must not throw the crop off the frame.
        if landmarks.inter_ocular() < 1.0 {
            return Ok(align::box_landmarks(face));
        }
        Ok(landmarks)
    }
}
