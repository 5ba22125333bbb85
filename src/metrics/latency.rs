//! A fixed-size window of recent durations with median and 90th percentile.

use std::time::Duration;

pub struct LatencyWindow {
    samples: Vec<Duration>,
    next: usize,
    capacity: usize,
    sorted: Vec<Duration>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    pub median_ms: f64,
    pub p90_ms: f64,
}

impl LatencyWindow {
    pub fn new(capacity: usize) -> LatencyWindow {
        let capacity = capacity.max(1);
        LatencyWindow {
            samples: Vec::with_capacity(capacity),
            next: 0,
            capacity,
            sorted: Vec::with_capacity(capacity),
        }
    }

    pub fn push(&mut self, sample: Duration) {
        if self.samples.len() < self.capacity {
            self.samples.push(sample);
        } else {
            self.samples[self.next] = sample;
        }
        self.next = (self.next + 1) % self.capacity;
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    pub fn summary(&mut self) -> Summary {
        if self.samples.is_empty() {
            return Summary::default();
        }
        self.sorted.clear();
        self.sorted.extend_from_slice(&self.samples);
        self.sorted.sort_unstable();
        let at = |q: f64| {
            let index = ((self.sorted.len() - 1) as f64 * q).round() as usize;
            self.sorted[index].as_secs_f64() * 1000.0
        };
        Summary {
            median_ms: at(0.5),
            p90_ms: at(0.9),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_forgets_old_samples() {
        let mut window = LatencyWindow::new(10);
        for ms in 1..=10 {
            window.push(Duration::from_millis(ms));
        }
        let s = window.summary();
        assert!((s.median_ms - 6.0).abs() < 1e-9 || (s.median_ms - 5.0).abs() < 1e-9);
        assert!((s.p90_ms - 9.0).abs() < 1e-9 || (s.p90_ms - 10.0).abs() < 1e-9);
        for _ in 0..10 {
            window.push(Duration::from_millis(100));
        }
        assert_eq!(window.summary().median_ms, 100.0);
        assert_eq!(window.len(), 10);
    }
}
