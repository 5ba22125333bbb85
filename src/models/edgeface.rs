//! The embedding network's role: a 112 px face in, a unit-length 512-d embedding out.

use std::time::Duration;

use super::lazy::LazyNet;
use super::manifest::ModelEntry;
use super::net::Net;
use super::ModelError;
use crate::matching::l2_normalise;

pub struct EdgeFace {
    net: LazyNet,
}

impl EdgeFace {
    pub(super) fn new(net: LazyNet) -> EdgeFace {
        EdgeFace { net }
    }

    pub fn entry(&self) -> &ModelEntry {
        self.net.entry()
    }

    pub(super) fn bytes_on_disk(&self) -> u64 {
        self.net.bytes_on_disk()
    }

    /// The network itself, optimised on first use: for timing and profiling it alone.
    pub fn net(&mut self) -> Result<&mut Net, ModelError> {
        self.net.get()
    }

    pub(super) fn release_if_idle(&mut self, idle: Duration) -> bool {
        self.net.release_if_idle(idle)
    }

    /// Embeds `face`, planar RGB at 112 px with values in [0, 1] (what [`super::Dsr`] and the
    /// bicubic baseline give), into `out`: unit length, or all zeros (which matches nobody)
    /// when the network gives nothing finite.
    pub fn embed(&mut self, face: &[f32], out: &mut Vec<f32>) -> Result<(), ModelError> {
        let net = self.net.get()?;
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
