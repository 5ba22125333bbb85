//! The landmark network's role: the detector's square box crop in, five points out.

use std::ops::RangeInclusive;
use std::path::Path;

use super::manifest::{LocatorManifest, ModelEntry};
use super::net::Net;
use super::tensors::{planar_len, rgb_to_planar};
use super::{executor, ModelError};
use crate::frame::Frame;

/// Points the network places: eyes, nose tip, mouth corners, (x, y) each.
const POINTS: usize = 5;
/// Sides the square box crop may have.
const SIDES: RangeInclusive<usize> = 8..=256;

pub struct Landmarker {
    net: Net,
}

impl Landmarker {
    /// The landmark model named in `dir/manifest.json`, if there is a manifest and it names
    /// one. Only the landmark entry is read, so the forge can crop with a landmark model
    /// before any other model exists.
    pub fn load(dir: &Path, threads: usize) -> Result<Option<Landmarker>, ModelError> {
        let Some(manifest) = LocatorManifest::load(dir)? else {
            return Ok(None);
        };
        let Some(entry) = manifest.landmarks.as_ref() else {
            return Ok(None);
        };
        check(dir, entry)?;
        let net = Net::load(dir, entry, executor(threads))?;
        Ok(Some(Landmarker { net }))
    }

    /// Side of the square crop the network takes (checked against its role at load).
    pub fn input_side(&self) -> u32 {
        self.net.entry().input[2] as u32
    }

    /// The network itself, for timing and profiling it alone.
    pub fn net(&mut self) -> &mut Net {
        &mut self.net
    }

    /// The five points (eyes, nose, mouth corners) in `crop`, as fractions of its side;
    /// `None` when the network gives anything that is not a finite number.
    pub fn points(&mut self, crop: &Frame) -> Result<Option<[[f32; 2]; POINTS]>, ModelError> {
        let (mean, std) = (self.net.entry().mean, self.net.entry().std);
        rgb_to_planar(crop, mean, std, self.net.input_mut(planar_len(crop))?);
        let values = self.net.run()?;
        let mut points = [[0.0; 2]; POINTS];
        for (k, point) in points.iter_mut().enumerate() {
            *point = [values[2 * k], values[2 * k + 1]];
        }
        Ok(points
            .iter()
            .flatten()
            .all(|v| v.is_finite())
            .then_some(points))
    }
}

/// The entry takes a square crop and gives the [`POINTS`] that [`Landmarker::points`] reads.
fn check(dir: &Path, entry: &ModelEntry) -> Result<(), ModelError> {
    entry.fit_square_crop(dir, SIDES, 2 * POINTS, "a landmark")
}

#[cfg(test)]
mod tests {
    use super::super::manifest::entry;
    use super::*;

    #[test]
    fn the_entry_must_give_five_points_for_a_square_crop() {
        let dir = Path::new("m");
        assert!(check(dir, &entry(&[1, 3, 64, 64], &[1, 10])).is_ok());
        // Eight outputs would leave the fifth point reading past the end.
        assert!(check(dir, &entry(&[1, 3, 64, 64], &[1, 8])).is_err());
        assert!(check(dir, &entry(&[1, 3, 64, 48], &[1, 10])).is_err());
        assert!(check(dir, &entry(&[1, 3, 512, 512], &[1, 10])).is_err());
    }
}
