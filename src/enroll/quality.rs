//! Which webcam frames make good enrollment samples: exactly one face, big enough, sharp,
//! well lit, and not a copy of the previous sample.

use std::fmt;

use crate::frame::Frame;

#[derive(Debug, Clone, PartialEq)]
pub struct QualityGate {
    /// Smallest face box side, in frame pixels.
    pub min_face: f32,
    /// Variance of the Laplacian of the aligned face's luma; blurry faces score low.
    pub min_sharpness: f32,
    /// Mean luma of the aligned face must fall in this range.
    pub brightness: (f32, f32),
    /// Mean absolute luma difference to the previous sample; below it the frame is a
    /// near-duplicate and adds nothing.
    pub min_change: f32,
}

impl Default for QualityGate {
    fn default() -> Self {
        QualityGate {
            min_face: 80.0,
            min_sharpness: 60.0,
            brightness: (50.0, 210.0),
            min_change: 4.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    NoFace,
    SeveralFaces(usize),
    TooSmall { side: f32, min: f32 },
    Blurry { sharpness: f32, min: f32 },
    TooDark(f32),
    TooBright(f32),
    SameAsPrevious,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::NoFace => write!(f, "no face in view"),
            Rejection::SeveralFaces(n) => {
                write!(f, "{n} faces in view; only the person enrolling should be")
            }
            Rejection::TooSmall { side, min } => write!(
                f,
                "face too small ({side:.0} px, needs {min:.0}): come closer"
            ),
            Rejection::Blurry { sharpness, min } => write!(
                f,
                "too blurry (sharpness {sharpness:.0} < {min:.0}): hold still"
            ),
            Rejection::TooDark(v) => write!(f, "too dark (brightness {v:.0}): add light"),
            Rejection::TooBright(v) => write!(f, "too bright (brightness {v:.0}): avoid backlight"),
            Rejection::SameAsPrevious => {
                write!(f, "same as the last sample: turn your head a little")
            }
        }
    }
}

impl QualityGate {
    /// Checks one frame's detection and aligned face against the gates.
    pub fn check(
        &self,
        faces_found: usize,
        face_side: f32,
        aligned: &Frame,
        previous: Option<&Frame>,
    ) -> Result<(), Rejection> {
        match faces_found {
            0 => return Err(Rejection::NoFace),
            1 => {}
            n => return Err(Rejection::SeveralFaces(n)),
        }
        if face_side < self.min_face {
            return Err(Rejection::TooSmall {
                side: face_side,
                min: self.min_face,
            });
        }
        let brightness = mean_luma(aligned);
        if brightness < self.brightness.0 {
            return Err(Rejection::TooDark(brightness));
        }
        if brightness > self.brightness.1 {
            return Err(Rejection::TooBright(brightness));
        }
        let sharpness = laplacian_variance(aligned);
        if sharpness < self.min_sharpness {
            return Err(Rejection::Blurry {
                sharpness,
                min: self.min_sharpness,
            });
        }
        if previous.is_some_and(|p| mean_abs_difference(p, aligned) < self.min_change) {
            return Err(Rejection::SameAsPrevious);
        }
        Ok(())
    }
}

fn luma(px: &image::Rgb<u8>) -> f32 {
    0.299 * f32::from(px[0]) + 0.587 * f32::from(px[1]) + 0.114 * f32::from(px[2])
}

fn mean_luma(image: &Frame) -> f32 {
    let n = (image.width() * image.height()).max(1) as f32;
    image.pixels().map(luma).sum::<f32>() / n
}

/// Variance of the 4-neighbour Laplacian over the inner pixels.
pub fn laplacian_variance(image: &Frame) -> f32 {
    let (w, h) = image.dimensions();
    if w < 3 || h < 3 {
        return 0.0;
    }
    let at = |x: u32, y: u32| luma(image.get_pixel(x, y));
    let (mut sum, mut sum_sq, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let v = f64::from(
                at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4.0 * at(x, y),
            );
            sum += v;
            sum_sq += v * v;
            n += 1.0;
        }
    }
    let mean = sum / n;
    (sum_sq / n - mean * mean) as f32
}

fn mean_abs_difference(a: &Frame, b: &Frame) -> f32 {
    if a.dimensions() != b.dimensions() {
        return f32::INFINITY;
    }
    let n = (a.width() * a.height()).max(1) as f32;
    a.pixels()
        .zip(b.pixels())
        .map(|(p, q)| (luma(p) - luma(q)).abs())
        .sum::<f32>()
        / n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker(size: u32, level: u8) -> Frame {
        Frame::from_fn(size, size, |x, y| {
            let v = if (x / 2 + y / 2) % 2 == 0 {
                level
            } else {
                level / 3
            };
            image::Rgb([v, v, v])
        })
    }

    #[test]
    fn gates_in_order() {
        let gate = QualityGate::default();
        let sharp = checker(112, 200);
        assert_eq!(gate.check(0, 200.0, &sharp, None), Err(Rejection::NoFace));
        assert_eq!(
            gate.check(2, 200.0, &sharp, None),
            Err(Rejection::SeveralFaces(2))
        );
        assert!(matches!(
            gate.check(1, 40.0, &sharp, None),
            Err(Rejection::TooSmall { .. })
        ));
        assert!(matches!(
            gate.check(1, 200.0, &checker(112, 30), None),
            Err(Rejection::TooDark(_))
        ));
        let flat = Frame::from_pixel(112, 112, image::Rgb([120; 3]));
        assert!(matches!(
            gate.check(1, 200.0, &flat, None),
            Err(Rejection::Blurry { .. })
        ));
        assert_eq!(gate.check(1, 200.0, &sharp, None), Ok(()));
        assert_eq!(
            gate.check(1, 200.0, &sharp, Some(&sharp)),
            Err(Rejection::SameAsPrevious)
        );
        assert!(Rejection::SameAsPrevious.to_string().contains("turn"));
    }
}
