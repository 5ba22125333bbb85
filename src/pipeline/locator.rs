//! Finding the faces and their 5 points: SeetaFace for faces of about 64 px and more, the
//! small-face network for faces from about 8 to 80 px, the face gate on every box they report,
//! then the landmark model on the box crop (or the calibrated box-only points when there is no
//! landmark model).
//!
//! The small-face network learns five points too (it helps it find faces), but the landmark
//! model places them better even on an 11 px face: at 24 px of a face's own, aligning by the
//! detector's points gave a validation EER of 13.6%, by the landmark model's 5.0%.

use crate::align::{self, AreaScratch, Landmarks};
use crate::config::Config;
use crate::detect::{keep_distinct, same_face, subject, FaceBox, FaceDetector};
use crate::frame::Frame;
use crate::models::{FaceFinder, FaceGate, Landmarker, ModelError, Net};

use super::PipelineError;

pub struct FaceLocator {
    detector: FaceDetector,
    finder: Option<FaceFinder>,
    gate: Option<FaceGate>,
    landmarks: Option<Landmarker>,
    faces: Vec<FaceBox>,
    small_faces: Vec<FaceBox>,
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
    /// SeetaFace, plus the small-face detector, the face gate and the landmark model if the
    /// models folder's manifest names them.
    pub fn load(config: &Config) -> Result<FaceLocator, PipelineError> {
        let detector = FaceDetector::new(config.detect.clone())?;
        let finder = FaceFinder::load(&config.models_dir, config.threads)?;
        let gate = FaceGate::load(&config.models_dir)?;
        let landmarks = Landmarker::load(&config.models_dir, config.threads)?;
        Ok(FaceLocator::new(detector, finder, gate, landmarks))
    }

    pub fn new(
        detector: FaceDetector,
        finder: Option<FaceFinder>,
        gate: Option<FaceGate>,
        landmarks: Option<Landmarker>,
    ) -> FaceLocator {
        FaceLocator {
            detector,
            finder,
            gate,
            landmarks,
            faces: Vec::new(),
            small_faces: Vec::new(),
            area: AreaScratch::default(),
            box_crop: Frame::new(0, 0),
            faces_found: 0,
        }
    }

    pub fn has_landmark_model(&self) -> bool {
        self.landmarks.is_some()
    }

    pub fn has_small_face_detector(&self) -> bool {
        self.finder.is_some()
    }

    /// The small-face network itself at its whole-frame size, for timing it alone.
    pub fn small_face_net(&mut self) -> Option<Result<&mut Net, ModelError>> {
        self.finder.as_mut().map(FaceFinder::net)
    }

    /// The face gate's network, for timing it alone.
    pub fn gate_net(&mut self) -> Option<&mut Net> {
        self.gate.as_mut().map(FaceGate::net)
    }

    /// The landmark network itself, for timing it alone.
    pub fn landmark_net(&mut self) -> Option<&mut Net> {
        self.landmarks.as_mut().map(Landmarker::net)
    }

    /// Faces the last [`FaceLocator::locate`] saw.
    pub fn faces_found(&self) -> usize {
        self.faces_found
    }

    /// The frame's subject ([`subject`]) and its landmarks, or `None`.
    pub fn locate(&mut self, frame: &Frame) -> Result<Option<Located>, PipelineError> {
        let Some(face) = self.detect(frame)? else {
            return Ok(None);
        };
        let landmarks = self.landmarks(frame, &face)?;
        Ok(Some(Located { face, landmarks }))
    }

    /// Only the detectors: the frame's subject ([`subject`]), if any.
    pub fn detect(&mut self, frame: &Frame) -> Result<Option<FaceBox>, PipelineError> {
        Ok(subject(self.detect_all(frame)?))
    }

    /// Only the detectors: every face, largest first. Where both find a face, SeetaFace's box
    /// is kept: the landmark model learnt its points on SeetaFace's boxes.
    pub fn detect_all(&mut self, frame: &Frame) -> Result<&[FaceBox], PipelineError> {
        self.detect_in(frame, None)
    }

    /// Every face, where faces are already being followed at `followed`: each detector only
    /// around the followed faces of the sizes it finds. A new face elsewhere waits for the
    /// next whole-frame pass (see `LiveConfig::full_scan_every`).
    pub fn detect_around(
        &mut self,
        frame: &Frame,
        followed: &[FaceBox],
    ) -> Result<&[FaceBox], PipelineError> {
        self.detect_in(frame, Some(followed))
    }

    /// Both detectors on the whole frame (`followed` is `None`) or around those faces.
    fn detect_in(
        &mut self,
        frame: &Frame,
        followed: Option<&[FaceBox]>,
    ) -> Result<&[FaceBox], PipelineError> {
        self.faces.clear();
        let seeta = match followed {
            None => self.detector.detect(frame),
            Some(followed) => self.detector.detect_around(frame, followed),
        };
        self.faces.extend_from_slice(seeta);
        if let Some(finder) = self.finder.as_mut() {
            let min_score = self.detector.config().small_face_score;
            self.small_faces.clear();
            match followed {
                None => finder.find(frame, min_score, &mut self.small_faces)?,
                Some(followed) => {
                    for face in followed.iter().filter(|f| f.width <= FaceFinder::WIDEST) {
                        finder.find_around(frame, face, min_score, &mut self.small_faces)?;
                    }
                }
            }
            let seeta = self.faces.len();
            for face in &self.small_faces {
                if !self.faces[..seeta].iter().any(|s| same_face(s, face)) {
                    self.faces.push(*face);
                }
            }
            // Also where regions around faces close together found the same face twice.
            keep_distinct(&mut self.faces);
        }
        if let Some(gate) = self.gate.as_mut() {
            let mut kept = 0;
            for i in 0..self.faces.len() {
                let face = self.faces[i];
                if gate.passes(frame, &face)? {
                    self.faces[kept] = face;
                    kept += 1;
                }
            }
            self.faces.truncate(kept);
        }
        self.faces_found = self.faces.len();
        Ok(&self.faces)
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
