//! A one-frame hand-off between a producer thread and a consumer: the producer overwrites,
//! the consumer takes the newest. Buffers are swapped, never copied or reallocated.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::frame::Frame;

#[derive(Default)]
pub struct LatestSlot {
    state: Mutex<SlotState>,
    ready: Condvar,
}

#[derive(Default)]
struct SlotState {
    frame: Frame,
    seq: u64,
    taken_seq: u64,
    problem: Option<String>,
}

/// What [`LatestSlot::take`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Taken {
    Frame,
    /// The producer reported a problem and has no newer frame.
    Problem(String),
    TimedOut,
}

impl LatestSlot {
    /// Offers a new frame; `frame` gets back whatever buffer the slot held, for reuse.
    pub fn publish(&self, frame: &mut Frame) {
        let mut state = self.lock();
        std::mem::swap(&mut state.frame, frame);
        state.seq += 1;
        state.problem = None;
        drop(state);
        self.ready.notify_all();
    }

    pub fn report_problem(&self, problem: String) {
        self.lock().problem = Some(problem);
        self.ready.notify_all();
    }

    /// Waits up to `timeout` for a frame newer than the last one taken and swaps it into `out`.
    pub fn take(&self, out: &mut Frame, timeout: Duration) -> Taken {
        let state = self.lock();
        let (mut state, _) = self
            .ready
            .wait_timeout_while(state, timeout, |s| {
                s.seq == s.taken_seq && s.problem.is_none()
            })
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.seq != state.taken_seq {
            std::mem::swap(&mut state.frame, out);
            state.taken_seq = state.seq;
            Taken::Frame
        } else if let Some(problem) = &state.problem {
            Taken::Problem(problem.clone())
        } else {
            Taken::TimedOut
        }
    }

    /// Frames published so far; the difference to frames taken is what was dropped as stale.
    pub fn published(&self) -> u64 {
        self.lock().seq
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        // A panic while holding the lock leaves a frame buffer at worst half-written; the next
        // publish overwrites it, so the data is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consumer_sees_only_the_newest_frame() {
        let slot = LatestSlot::default();
        for value in 1..=3u8 {
            let mut frame = Frame::from_pixel(1, 1, image::Rgb([value; 3]));
            slot.publish(&mut frame);
        }
        let mut out = Frame::new(1, 1);
        assert_eq!(slot.take(&mut out, Duration::ZERO), Taken::Frame);
        assert_eq!(out.get_pixel(0, 0).0, [3; 3]);
        assert_eq!(slot.take(&mut out, Duration::ZERO), Taken::TimedOut);
        assert_eq!(slot.published(), 3);
    }

    #[test]
    fn a_problem_is_reported_until_a_frame_arrives() {
        let slot = LatestSlot::default();
        slot.report_problem("unplugged".into());
        let mut out = Frame::new(1, 1);
        assert_eq!(
            slot.take(&mut out, Duration::ZERO),
            Taken::Problem("unplugged".into())
        );
        slot.publish(&mut Frame::new(1, 1));
        assert_eq!(slot.take(&mut out, Duration::ZERO), Taken::Frame);
    }
}
