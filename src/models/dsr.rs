//! The super-resolution network's role: a VLR face in, a 112 px face out. It owns the
//! normalisation the manifest names and the clamping of what comes out.

use std::path::Path;

use tract_onnx::prelude::multithread::Executor;

use super::lazy::Lazy;
use super::manifest::ModelEntry;
use super::tensors::{planar_len, rgb_to_planar};
use super::ModelError;
use crate::align::FACE_SIZE;
use crate::frame::Frame;
use crate::resolution::Resolution;

/// The super-resolution role: a [`Lazy`] network with what this file adds.
pub type Dsr = Lazy<Upscales>;

/// Marks a [`Lazy`] network as a DSR.
pub struct Upscales;

impl Dsr {
    /// The `res` px DSR `entry` names: its shapes and file checked now, the network
    /// optimised on first use.
    pub(super) fn load(
        dir: &Path,
        entry: &ModelEntry,
        res: Resolution,
        executor: Option<Executor>,
    ) -> Result<Dsr, ModelError> {
        let (px, face) = (res.px() as usize, FACE_SIZE as usize);
        let fits = entry.input == [1, 3, px, px] && entry.output == [1, 3, face, face];
        let expected = format!("input [1, 3, {px}, {px}] -> output [1, 3, {face}, {face}]");
        entry.fit_for(dir, fits, &format!("a {res} px DSR"), &expected)?;
        Lazy::check(dir, entry, executor)
    }

    /// Upscales `vlr` (the manifest's input size) into `out`: planar RGB at 112 px, every
    /// value in [0, 1] (NaN becomes 0), so a misbehaving network cannot poison what is shown
    /// or embedded.
    pub fn upscale(&mut self, vlr: &Frame, out: &mut Vec<f32>) -> Result<(), ModelError> {
        let net = self.net()?;
        let (mean, std) = (net.entry().mean, net.entry().std);
        rgb_to_planar(vlr, mean, std, net.input_mut(planar_len(vlr))?);
        let upscaled = net.run()?;
        out.clear();
        out.extend(
            upscaled
                .iter()
                .map(|v| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) }),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::manifest::entry;
    use super::*;

    #[test]
    fn the_entry_must_take_its_resolution_and_give_a_112_px_face() {
        let dir = Path::new("no-such-models");
        let wrong = Dsr::load(
            dir,
            &entry(&[1, 3, 24, 24], &[1, 3, 112, 112]),
            Resolution::R16,
            None,
        );
        assert!(matches!(wrong, Err(ModelError::Manifest { .. })));
        // Right for the role: refused only for the file it names, which is not there.
        let right = Dsr::load(
            dir,
            &entry(&[1, 3, 16, 16], &[1, 3, 112, 112]),
            Resolution::R16,
            None,
        );
        assert!(matches!(right, Err(ModelError::Missing { .. })));
    }
}
