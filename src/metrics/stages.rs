//! Per-stage latency of the per-frame path, shared by the window, `bench` and `soak`: a
//! window of recent times per stage, and the busy time behind frames per second.

use std::time::Duration;

use super::{LatencyWindow, StageTimings, Summary, STAGE_NAMES};

pub struct StageStats {
    windows: Vec<LatencyWindow>,
    busy: Duration,
    frames: usize,
}

impl StageStats {
    /// Keeps the last `capacity` frames of each stage.
    pub fn new(capacity: usize) -> StageStats {
        StageStats {
            windows: STAGE_NAMES
                .iter()
                .map(|_| LatencyWindow::new(capacity.max(1)))
                .collect(),
            busy: Duration::ZERO,
            frames: 0,
        }
    }

    pub fn push(&mut self, timings: &StageTimings) {
        self.busy += timings.total;
        self.frames += 1;
        for (window, stage) in self.windows.iter_mut().zip(timings.as_array()) {
            window.push(stage);
        }
    }

    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Frames per second of processing time (what the path could keep up with).
    pub fn fps(&self) -> f64 {
        self.frames as f64 / self.busy.as_secs_f64().max(1e-9)
    }

    /// Median and 90th percentile of the whole per-frame path (the last of [`STAGE_NAMES`]).
    pub fn total(&mut self) -> Summary {
        self.windows
            .last_mut()
            .map_or_else(Summary::default, LatencyWindow::summary)
    }

    /// Median and 90th percentile per stage, in [`STAGE_NAMES`] order.
    pub fn summaries(&mut self) -> [Summary; 6] {
        let mut out = [Summary::default(); 6];
        for (slot, window) in out.iter_mut().zip(self.windows.iter_mut()) {
            *slot = window.summary();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_summarised_in_order_and_fps_counts_busy_time() {
        let mut stats = StageStats::new(4);
        for ms in [10, 20, 30] {
            stats.push(&StageTimings {
                detect: Duration::from_millis(ms),
                total: Duration::from_millis(2 * ms),
                ..StageTimings::default()
            });
        }
        let s = stats.summaries();
        assert!((s[0].median_ms - 20.0).abs() < 1e-9);
        assert!((s[5].median_ms - 40.0).abs() < 1e-9);
        assert_eq!(
            stats.total(),
            s[5],
            "the total is the path's, not a stage's"
        );
        assert_eq!(stats.frames(), 3);
        assert!((stats.fps() - 3.0 / 0.12).abs() < 1e-6);
    }
}
