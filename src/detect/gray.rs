//! The small grey image the detector searches, kept between frames.

use crate::frame::Frame;

#[derive(Default)]
pub(super) struct SmallGray {
    pixels: Vec<u8>,
    width: u32,
    height: u32,
}

impl SmallGray {
    /// Area-averages `frame` by the whole factor that brings it closest to `width` (never
    /// up) and returns the scale from frame to small pixels.
    pub fn fill(&mut self, frame: &Frame, width: u32) -> f32 {
        let step = step_for(frame, width);
        self.fill_region(frame, [0, 0, frame.width(), frame.height()], step);
        1.0 / step as f32
    }

    /// The same for the `[x, y, width, height]` part of `frame` (cut to the frame), averaged
    /// by `step`.
    pub fn fill_region(&mut self, frame: &Frame, [x0, y0, w, h]: [u32; 4], step: u32) {
        let step = step.max(1);
        let (x0, y0) = (x0.min(frame.width()), y0.min(frame.height()));
        let (w, h) = (w.min(frame.width() - x0), h.min(frame.height() - y0));
        self.width = w / step;
        self.height = h / step;
        self.pixels.clear();
        self.pixels.reserve((self.width * self.height) as usize);
        let raw: &[u8] = frame;
        let stride = frame.width() as usize * 3;
        let count = step * step;
        for sy in 0..self.height {
            for sx in 0..self.width {
                let mut sum = 0u32;
                for dy in 0..step {
                    let row = (y0 + sy * step + dy) as usize * stride;
                    for dx in 0..step {
                        let i = row + (x0 + sx * step + dx) as usize * 3;
                        // ITU-R BT.601 luma in integer weights summing to 256.
                        sum += (77 * u32::from(raw[i])
                            + 150 * u32::from(raw[i + 1])
                            + 29 * u32::from(raw[i + 2]))
                            >> 8;
                    }
                }
                self.pixels.push((sum / count) as u8);
            }
        }
    }

    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}

/// The whole factor that shrinks `frame` closest to `width` (never up).
pub(super) fn step_for(frame: &Frame, width: u32) -> u32 {
    let factor = (frame.width() as f32 / width.max(1) as f32).max(1.0);
    (factor.round() as u32).max(1)
}
