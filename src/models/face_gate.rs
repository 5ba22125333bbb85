//! The face gate's role: the detector's box crop (the landmark region) in, the probability that
//! a face is there out. The small-face network alone boxed ties, hands, ears, hair and
//! lettering in one LFW photo in five; the gate learnt those phantoms from the app's own boxes
//! (`lrfr_forge/steps/s08_gate.py`) and the faces beside them.

use std::ops::RangeInclusive;
use std::path::Path;

use super::manifest::{GateEntry, LocatorManifest, ModelEntry};
use super::net::Net;
use super::tensors::{planar_len, rgb_to_planar};
use super::ModelError;
use crate::align::{area_resample, landmark_region, AreaScratch};
use crate::detect::FaceBox;
use crate::frame::Frame;

/// Sides the square crop may have.
const SIDES: RangeInclusive<usize> = 8..=256;

pub struct FaceGate {
    net: Net,
    threshold: f32,
    crop: Frame,
    area: AreaScratch,
}

impl FaceGate {
    /// The gate named in `dir/manifest.json`, if there is a manifest and it names one.
    pub fn load(dir: &Path) -> Result<Option<FaceGate>, ModelError> {
        let Some(GateEntry { model, threshold }) = LocatorManifest::load(dir)?.and_then(|m| m.gate)
        else {
            return Ok(None);
        };
        check(dir, &model)?;
        // A 32 px crop is far too little work to share between threads.
        let net = Net::load(dir, &model, None)?;
        Ok(Some(FaceGate {
            net,
            threshold,
            crop: Frame::new(0, 0),
            area: AreaScratch::default(),
        }))
    }

    /// The network itself, for timing it alone.
    pub fn net(&mut self) -> &mut Net {
        &mut self.net
    }

    /// The probability that `face` in `frame` is a face; 0 when the network gives no number.
    pub fn score(&mut self, frame: &Frame, face: &FaceBox) -> Result<f32, ModelError> {
        let side = self.net.entry().input[2] as u32;
        area_resample(
            frame,
            landmark_region(face),
            side,
            &mut self.area,
            &mut self.crop,
        );
        let (mean, std) = (self.net.entry().mean, self.net.entry().std);
        rgb_to_planar(
            &self.crop,
            mean,
            std,
            self.net.input_mut(planar_len(&self.crop))?,
        );
        let p = self.net.run()?.first().copied().unwrap_or(0.0);
        Ok(if p.is_finite() { p } else { 0.0 })
    }

    /// Whether the gate takes `face` for a face.
    pub fn passes(&mut self, frame: &Frame, face: &FaceBox) -> Result<bool, ModelError> {
        Ok(self.score(frame, face)? >= self.threshold)
    }
}

/// The entry takes a square crop and gives the one probability [`FaceGate::score`] reads.
fn check(dir: &Path, entry: &ModelEntry) -> Result<(), ModelError> {
    entry.fit_square_crop(dir, SIDES, 1, "a face gate")
}

#[cfg(test)]
mod tests {
    use super::super::manifest::entry;
    use super::*;

    #[test]
    fn the_entry_must_give_one_probability_for_a_square_crop() {
        let dir = Path::new("m");
        assert!(check(dir, &entry(&[1, 3, 32, 32], &[1, 1])).is_ok());
        assert!(check(dir, &entry(&[1, 3, 32, 32], &[1, 2])).is_err());
        assert!(check(dir, &entry(&[1, 1, 32, 32], &[1, 1])).is_err());
    }
}
