//! The three very-low resolutions the app works at.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.px())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("resolution must be 16, 24 or 32, not {0:?}")]
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
    fn parses_the_three_sizes_and_nothing_else() {
        assert_eq!("16".parse::<Resolution>().unwrap(), Resolution::R16);
        assert_eq!("24px".parse::<Resolution>().unwrap(), Resolution::R24);
        assert_eq!(" 32 ".parse::<Resolution>().unwrap(), Resolution::R32);
        assert!("48".parse::<Resolution>().is_err());
        assert!("".parse::<Resolution>().is_err());
        assert_eq!(Resolution::R32.index(), 2);
    }
}
