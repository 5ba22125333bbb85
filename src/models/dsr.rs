//! The super-resolution network's role: a VLR face in, a 112 px face out. It owns the
//! normalisation the manifest names and the clamping of what comes out.

use std::time::Duration;

use super::lazy::LazyNet;
use super::manifest::ModelEntry;
use super::net::Net;
use super::tensors::{planar_len, rgb_to_planar};
use super::ModelError;
use crate::frame::Frame;

pub struct Dsr {
    net: LazyNet,
}

impl Dsr {
    pub(super) fn new(net: LazyNet) -> Dsr {
        Dsr { net }
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

    /// Upscales `vlr` (the manifest's input size) into `out`: planar RGB at 112 px, every
    /// value in [0, 1] (NaN becomes 0), so a misbehaving network cannot poison what is shown
    /// or embedded.
    pub fn upscale(&mut self, vlr: &Frame, out: &mut Vec<f32>) -> Result<(), ModelError> {
        let net = self.net.get()?;
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
