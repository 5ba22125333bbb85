//! The three very-low resolutions the app works at.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How far under a size a face's measured own size may be and still count as that size.
pub const NATIVE_TOLERANCE: f32 = 0.2;

/// Side, in pixels, of the square face the DSR network receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum Resolution {
    R16,
    R24,
    R32,
}

impl Resolution {
    pub const ALL: [Resolution; 3] = [Resolution::R16, Resolution::R24, Resolution::R32];

    pub fn px(self) -> u32 {
        match self {
            Resolution::R16 => 16,
            Resolution::R24 => 24,
            Resolution::R32 => 32,
        }
    }

    pub fn from_px(px: u32) -> Option<Resolution> {
        Resolution::ALL.into_iter().find(|r| r.px() == px)
    }

    /// Position in [`Resolution::ALL`], for per-resolution arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The largest resolution a face really has when the 112 px template, laid over it, spans
    /// `native` frame pixels; `None` below 16 px (too few pixels to tell who it is). A face
    /// within [`NATIVE_TOLERANCE`] of a size counts as having it: the size is measured from
    /// five points a few pixels apart, and of faces made at exactly 16 px (validation frames)
    /// the median measures 15.5 px and the smallest 1% under 13.0, 2% under 13.6. The
    /// tolerance lets 99% of them count as 16 px.
    pub fn fitting(native: f32) -> Option<Resolution> {
        Resolution::ALL
            .into_iter()
            .rev()
            .find(|r| native >= r.px() as f32 * (1.0 - NATIVE_TOLERANCE))
    }
}

/// How a face's resolution is chosen (`auto` unless told otherwise).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResChoice {
    /// From the face's own pixels: the largest resolution it has (`auto`).
    #[default]
    Native,
    /// Always this one, a near face shrunk to it: distance simulated.
    Fixed(Resolution),
}

impl From<Resolution> for ResChoice {
    fn from(res: Resolution) -> ResChoice {
        ResChoice::Fixed(res)
    }
}

impl ResChoice {
    /// As JSON: the size as a number, or "auto".
    pub fn to_json(self) -> serde_json::Value {
        match self {
            ResChoice::Fixed(res) => serde_json::json!(res.px()),
            ResChoice::Native => serde_json::json!("auto"),
        }
    }
}

impl fmt::Display for ResChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResChoice::Native => write!(f, "auto"),
            ResChoice::Fixed(res) => write!(f, "{res}"),
        }
    }
}

impl FromStr for ResChoice {
    type Err = BadResolution;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(ResChoice::Native);
        }
        s.parse().map(ResChoice::Fixed)
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.px())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("resolution must be 16, 24 or 32 (or auto where a face's own size may decide), not {0:?}")]
pub struct BadResolution(pub String);

impl FromStr for Resolution {
    type Err = BadResolution;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .trim_end_matches("px")
            .parse::<u32>()
            .ok()
            .and_then(Resolution::from_px)
            .ok_or_else(|| BadResolution(s.to_string()))
    }
}

impl TryFrom<u32> for Resolution {
    type Error = BadResolution;
    fn try_from(px: u32) -> Result<Self, Self::Error> {
        Resolution::from_px(px).ok_or_else(|| BadResolution(px.to_string()))
    }
}

impl From<Resolution> for u32 {
    fn from(r: Resolution) -> u32 {
        r.px()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_face_gets_the_largest_resolution_it_has() {
        assert_eq!(Resolution::fitting(12.7), None);
        assert_eq!(Resolution::fitting(12.9), Some(Resolution::R16));
        assert_eq!(Resolution::fitting(19.1), Some(Resolution::R16));
        assert_eq!(Resolution::fitting(19.3), Some(Resolution::R24));
        assert_eq!(Resolution::fitting(25.5), Some(Resolution::R24));
        assert_eq!(Resolution::fitting(25.7), Some(Resolution::R32));
        assert_eq!(Resolution::fitting(200.0), Some(Resolution::R32));
        assert_eq!(Resolution::fitting(f32::NAN), None);
    }

    #[test]
    fn auto_or_a_size() {
        assert_eq!("auto".parse::<ResChoice>().unwrap(), ResChoice::Native);
        assert_eq!(
            "24".parse::<ResChoice>().unwrap(),
            ResChoice::Fixed(Resolution::R24)
        );
        assert!("20".parse::<ResChoice>().is_err());
        assert_eq!(ResChoice::Native.to_string(), "auto");
    }

    #[test]
    fn parses_the_three_sizes_and_nothing_else() {
        assert_eq!("16".parse::<Resolution>().unwrap(), Resolution::R16);
        assert_eq!("24px".parse::<Resolution>().unwrap(), Resolution::R24);
        assert_eq!(" 32 ".parse::<Resolution>().unwrap(), Resolution::R32);
        assert!("48".parse::<Resolution>().is_err());
        assert!("".parse::<Resolution>().is_err());
        assert_eq!(Resolution::R32.index(), 2);
    }
}
