//! The embedding network's role: a 112 px face in, a unit-length 512-d embedding out.

use std::path::Path;

use tract_onnx::prelude::multithread::Executor;

use super::lazy::Lazy;
use super::manifest::ModelEntry;
use super::ModelError;
use crate::align::FACE_SIZE;
use crate::matching::{l2_normalise, EMBEDDING_DIMS};

/// The embedding role: a [`Lazy`] network with what this file adds.
pub type EdgeFace = Lazy<Embeds>;

/// Marks a [`Lazy`] network as an EdgeFace.
pub struct Embeds;

impl EdgeFace {
    /// The EdgeFace `entry` names: its shapes and file checked now, the network optimised
    /// on first use.
    pub(super) fn load(
        dir: &Path,
        entry: &ModelEntry,
        executor: Option<Executor>,
    ) -> Result<EdgeFace, ModelError> {
        let face = FACE_SIZE as usize;
        let fits = entry.input == [1, 3, face, face] && entry.output == [1, EMBEDDING_DIMS];
        let expected = format!("input [1, 3, {face}, {face}] -> output [1, {EMBEDDING_DIMS}]");
        entry.fit_for(dir, fits, "an EdgeFace", &expected)?;
        Lazy::check(dir, entry, executor)
    }

    /// Embeds `face`, planar RGB at 112 px with values in [0, 1] (what [`super::Dsr`] and the
    /// bicubic baseline give), into `out`: unit length, or all zeros (which matches nobody)
    /// when the network gives nothing finite.
    pub fn embed(&mut self, face: &[f32], out: &mut Vec<f32>) -> Result<(), ModelError> {
        let net = self.net()?;
        let (mean, std) = (net.entry().mean, net.entry().std);
        let input = net.input_mut(face.len())?;
        for (to, v) in input.iter_mut().zip(face) {
            *to = (v - mean) / std;
        }
        let embedding = net.run()?;
        out.clear();
        out.extend_from_slice(embedding);
        l2_normalise(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::manifest::entry;
    use super::*;

    #[test]
    fn the_entry_must_take_a_112_px_face_and_give_an_embedding() {
        let dir = Path::new("no-such-models");
        let wrong = EdgeFace::load(dir, &entry(&[1, 3, 112, 112], &[1, 128]), None);
        assert!(matches!(wrong, Err(ModelError::Manifest { .. })));
        let right = EdgeFace::load(dir, &entry(&[1, 3, 112, 112], &[1, 512]), None);
        assert!(matches!(right, Err(ModelError::Missing { .. })));
    }
}
