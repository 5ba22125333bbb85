//! Enrolling from a live stream: frames are offered one by one, the quality gates pick the
//! samples, and the job says how far it is and why the last frame did not count.

use super::quality::QualityGate;
use crate::frame::Frame;

/// Sample counts a capture may ask for.
pub const SAMPLES_RANGE: std::ops::RangeInclusive<usize> = 3..=100;

pub struct Capture {
    pub name: String,
    pub target: usize,
    pub faces: Vec<Frame>,
    gate: QualityGate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub name: String,
    pub accepted: usize,
    pub target: usize,
    /// Why the last frame did not count, if it did not.
    pub rejection: Option<String>,
}

impl Capture {
    /// A capture of `samples` faces (clamped to [`SAMPLES_RANGE`]) for `name`.
    pub fn new(name: String, samples: usize) -> Capture {
        let target = samples.clamp(*SAMPLES_RANGE.start(), *SAMPLES_RANGE.end());
        Capture {
            name,
            target,
            faces: Vec::with_capacity(target),
            gate: QualityGate::default(),
        }
    }

    /// Offers one frame's detection and aligned face.
    pub fn offer(&mut self, faces_found: usize, face_side: f32, aligned: &Frame) -> Progress {
        let verdict = self
            .gate
            .check(faces_found, face_side, aligned, self.faces.last());
        if verdict.is_ok() {
            self.faces.push(aligned.clone());
        }
        Progress {
            rejection: verdict.err().map(|r| r.to_string()),
            ..self.progress()
        }
    }

    pub fn progress(&self) -> Progress {
        Progress {
            name: self.name.clone(),
            accepted: self.faces.len(),
            target: self.target,
            rejection: None,
        }
    }

    pub fn is_done(&self) -> bool {
        self.faces.len() >= self.target
    }
}
