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
        let factor = (frame.width() as f32 / width.max(1) as f32).max(1.0);
        let step = (factor.round() as u32).max(1);
        self.width = frame.width() / step;
        self.height = frame.height() / step;
        self.pixels.clear();
        self.pixels.reserve((self.width * self.height) as usize);
        let raw: &[u8] = frame;
        let stride = frame.width() as usize * 3;
        let count = step * step;
        for sy in 0..self.height {
            for sx in 0..self.width {
                let mut sum = 0u32;
                for dy in 0..step {
                    let row = (sy * step + dy) as usize * stride;
                    for dx in 0..step {
                        let i = row + (sx * step + dx) as usize * 3;
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
        1.0 / step as f32
    }

    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}
