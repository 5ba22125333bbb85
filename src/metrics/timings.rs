//! How long each stage of one frame took.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimings {
    pub detect: Duration,
    /// Landmarks, warp onto the template and the VLR downscale.
    pub align: Duration,
    pub dsr: Duration,
    pub edgeface: Duration,
    pub matching: Duration,
    pub total: Duration,
}

/// The stage names, in order, as reports and `bench --json` spell them.
pub const STAGE_NAMES: [&str; 6] = ["detect", "align", "dsr", "edgeface", "match", "total"];

impl StageTimings {
    pub fn as_array(&self) -> [Duration; 6] {
        [
            self.detect,
            self.align,
            self.dsr,
            self.edgeface,
            self.matching,
            self.total,
        ]
    }
}

/// Measures consecutive stages with one clock read between each.
pub(crate) struct Stopwatch {
    start: Instant,
    last: Instant,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        let now = Instant::now();
        Stopwatch {
            start: now,
            last: now,
        }
    }

    /// Time since the previous lap.
    pub fn lap(&mut self) -> Duration {
        let now = Instant::now();
        let lap = now - self.last;
        self.last = now;
        lap
    }

    pub fn total(&self) -> Duration {
        self.last - self.start
    }
}
