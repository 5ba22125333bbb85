//! A capture thread around any frame device: it owns the device, decodes each frame into a
//! reused buffer and publishes only the newest one. When the device fails it reports the
//! problem and keeps reopening it, so an unplugged camera comes back without a restart.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::latest::{LatestSlot, Taken};
use super::{FrameSource, SourceError};
use crate::frame::Frame;

/// A camera as the capture thread sees it; the thread makes it, so it need not be `Send`.
pub trait Device {
    /// Opens or reopens the device; returns what it delivers ("MJPEG 640x480@30").
    fn open(&mut self) -> Result<String, String>;
    /// Waits for the next frame and decodes it into `out`.
    fn read(&mut self, out: &mut Frame) -> Result<(), String>;
    /// Releases the device before a reopen or at the end.
    fn close(&mut self);
}

/// How the capture thread waits: between reopen attempts, and for a frame before the source
/// calls a silent device lost. V4L2 reads and opens can block for ever on a camera that
/// stopped delivering, so nothing waits on the thread itself without a bound either.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    pub reopen_every: Duration,
    pub frame_timeout: Duration,
    /// How long the first open may take before start-up reports the camera as not answering.
    pub open_timeout: Duration,
    /// How long closing waits for the thread to notice; a thread stuck in a read is then
    /// abandoned (it ends with the process) so switching sources or closing never hangs.
    pub stop_timeout: Duration,
}

impl Default for Patience {
    fn default() -> Self {
        Patience {
            reopen_every: Duration::from_secs(1),
            frame_timeout: Duration::from_secs(3),
            open_timeout: Duration::from_secs(5),
            stop_timeout: Duration::from_millis(500),
        }
    }
}

pub struct Capture {
    name: String,
    slot: Arc<LatestSlot>,
    format: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// Disconnected when the capture thread has returned.
    finished: mpsc::Receiver<()>,
    patience: Patience,
}

impl Capture {
    /// Starts the capture thread and waits for the first open: its error, if any, is returned
    /// (a missing camera is a start-up problem, not something to retry silently).
    pub fn start<D, F>(name: String, make_device: F, patience: Patience) -> Result<Capture, String>
    where
        D: Device,
        F: FnOnce() -> D + Send + 'static,
    {
        let slot = Arc::new(LatestSlot::default());
        let stop = Arc::new(AtomicBool::new(false));
        let format = Arc::new(Mutex::new(String::new()));
        let (opened_tx, opened_rx) = mpsc::sync_channel(1);
        let (finished_tx, finished) = mpsc::channel::<()>();
        let thread = {
            let (slot, stop, format) = (slot.clone(), stop.clone(), format.clone());
            std::thread::Builder::new()
                .name(name.clone())
                .spawn(move || {
                    let _finished = finished_tx;
                    capture_loop(make_device(), &slot, &stop, &format, opened_tx, patience)
                })
                .map_err(|e| format!("cannot start the capture thread: {e}"))?
        };
        match opened_rx.recv_timeout(patience.open_timeout) {
            Ok(Ok(())) => Ok(Capture {
                name,
                slot,
                format,
                stop,
                thread: Some(thread),
                finished,
                patience,
            }),
            Ok(Err(reason)) => {
                let _ = thread.join();
                Err(reason)
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // Stuck opening: tell it to stop, and leave it.
                stop.store(true, Ordering::Relaxed);
                Err(format!(
                    "the device did not open within {:.0} s",
                    patience.open_timeout.as_secs_f32()
                ))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err("the capture thread stopped".into()),
        }
    }
}

impl FrameSource for Capture {
    fn latest_frame(&mut self, frame: &mut Frame) -> Result<(), SourceError> {
        match self.slot.take(frame, self.patience.frame_timeout) {
            Taken::Frame => Ok(()),
            Taken::Problem(problem) => Err(SourceError::CameraLost(problem)),
            Taken::TimedOut => Err(SourceError::CameraLost(format!(
                "no frame for {:.1} s",
                self.patience.frame_timeout.as_secs_f32()
            ))),
        }
    }

    fn describe(&self) -> String {
        let format = self.format.lock().map(|f| f.clone()).unwrap_or_default();
        format!("{} ({format})", self.name)
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let Some(thread) = self.thread.take() else {
            return;
        };
        // Disconnected once the thread returns; a timeout means it is stuck in the driver.
        match self.finished.recv_timeout(self.patience.stop_timeout) {
            Err(mpsc::RecvTimeoutError::Disconnected) | Ok(()) => {
                let _ = thread.join();
            }
            Err(mpsc::RecvTimeoutError::Timeout) => drop(thread),
        }
    }
}

fn capture_loop<D: Device>(
    mut device: D,
    slot: &LatestSlot,
    stop: &AtomicBool,
    format: &Mutex<String>,
    opened: mpsc::SyncSender<Result<(), String>>,
    patience: Patience,
) {
    let mut opened = Some(opened);
    let mut decoded = Frame::new(0, 0);
    while !stop.load(Ordering::Relaxed) {
        match device.open() {
            Ok(description) => {
                tracing::info!("camera open: {description}");
                if let Ok(mut text) = format.lock() {
                    *text = description;
                }
                if let Some(tx) = opened.take() {
                    let _ = tx.send(Ok(()));
                }
            }
            Err(reason) => {
                if let Some(tx) = opened.take() {
                    let _ = tx.send(Err(reason));
                    return;
                }
                tracing::warn!("camera: {reason}; reopening");
                slot.report_problem(reason);
                std::thread::sleep(patience.reopen_every);
                continue;
            }
        }
        while !stop.load(Ordering::Relaxed) {
            match device.read(&mut decoded) {
                Ok(()) => slot.publish(&mut decoded),
                Err(problem) => {
                    tracing::warn!("camera: {problem}");
                    slot.report_problem(problem);
                    break;
                }
            }
        }
        device.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plays a script: each open either fails or delivers some frames, then the device fails.
    struct Flaky {
        script: Vec<Result<u8, &'static str>>,
        step: usize,
        frames_left: u8,
    }

    impl Device for Flaky {
        fn open(&mut self) -> Result<String, String> {
            let next = self.script.get(self.step).copied().unwrap_or(Ok(u8::MAX));
            self.step += 1;
            let frames = next.map_err(String::from)?;
            self.frames_left = frames;
            Ok("test 4x4".into())
        }

        fn read(&mut self, out: &mut Frame) -> Result<(), String> {
            std::thread::sleep(Duration::from_millis(2));
            if self.frames_left == 0 {
                return Err("unplugged".into());
            }
            self.frames_left -= 1;
            *out = Frame::from_pixel(4, 4, image::Rgb([self.step as u8, 0, 0]));
            Ok(())
        }

        fn close(&mut self) {}
    }

    fn quick() -> Patience {
        Patience {
            reopen_every: Duration::from_millis(5),
            frame_timeout: Duration::from_millis(500),
            open_timeout: Duration::from_millis(500),
            stop_timeout: Duration::from_millis(100),
        }
    }

    /// A device stuck in the driver: it blocks for ever wherever `stuck_in` says.
    struct Stuck {
        stuck_in_open: bool,
    }

    impl Device for Stuck {
        fn open(&mut self) -> Result<String, String> {
            if self.stuck_in_open {
                loop {
                    std::thread::sleep(Duration::from_secs(3600));
                }
            }
            Ok("stuck".into())
        }
        fn read(&mut self, _: &mut Frame) -> Result<(), String> {
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
        fn close(&mut self) {}
    }

    #[test]
    fn a_device_stuck_in_a_read_never_hangs_closing() {
        let device = || Stuck {
            stuck_in_open: false,
        };
        let mut capture = Capture::start("camera 3".into(), device, quick()).unwrap();
        let mut frame = Frame::new(0, 0);
        let started = std::time::Instant::now();
        assert!(matches!(
            capture.latest_frame(&mut frame),
            Err(SourceError::CameraLost(_))
        ));
        drop(capture);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "closing waited {:?} on a stuck thread",
            started.elapsed()
        );
    }

    #[test]
    fn a_device_stuck_opening_is_a_start_up_error_in_bounded_time() {
        let device = || Stuck {
            stuck_in_open: true,
        };
        let started = std::time::Instant::now();
        let error = Capture::start("camera 4".into(), device, quick()).err();
        assert!(
            error.as_deref().is_some_and(|e| e.contains("did not open")),
            "{error:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn an_unplugged_device_is_reported_then_recovers_without_a_restart() {
        let device = || Flaky {
            script: vec![
                Ok(3),
                Err("no such device"),
                Err("no such device"),
                Ok(u8::MAX),
            ],
            step: 0,
            frames_left: 0,
        };
        let mut capture = Capture::start("camera 9".into(), device, quick()).unwrap();
        assert_eq!(capture.describe(), "camera 9 (test 4x4)");
        let mut frame = Frame::new(0, 0);
        let mut lost = Vec::new();
        let mut recovered = false;
        for _ in 0..200 {
            match capture.latest_frame(&mut frame) {
                Ok(()) if !lost.is_empty() => {
                    assert_eq!(
                        frame.get_pixel(0, 0).0[0],
                        4,
                        "frames of the reopened device"
                    );
                    recovered = true;
                    break;
                }
                Ok(()) => {}
                Err(SourceError::CameraLost(why)) => {
                    lost.push(why);
                    // As the window's worker does: a failing source is not polled in a spin.
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(other) => panic!("unexpected {other}"),
            }
        }
        assert!(recovered, "never recovered; saw {lost:?}");
        assert!(
            lost.iter()
                .any(|w| w == "unplugged" || w == "no such device"),
            "{lost:?}"
        );
        let message = SourceError::CameraLost(lost[0].clone()).to_string();
        assert!(message.starts_with("camera lost (") && message.ends_with("retrying"));
    }

    #[test]
    fn a_device_that_never_opens_is_a_start_up_error() {
        let device = || Flaky {
            script: vec![Err("busy: held by another program")],
            step: 0,
            frames_left: 0,
        };
        let error = Capture::start("camera 1".into(), device, quick()).err();
        assert_eq!(error.as_deref(), Some("busy: held by another program"));
    }

    #[test]
    fn a_silent_device_times_out_as_lost() {
        struct Silent;
        impl Device for Silent {
            fn open(&mut self) -> Result<String, String> {
                Ok("silent".into())
            }
            fn read(&mut self, _: &mut Frame) -> Result<(), String> {
                std::thread::sleep(Duration::from_millis(600));
                Err("gone".into())
            }
            fn close(&mut self) {}
        }
        let patience = Patience {
            frame_timeout: Duration::from_millis(200),
            ..quick()
        };
        let mut capture = Capture::start("camera 2".into(), || Silent, patience).unwrap();
        let mut frame = Frame::new(0, 0);
        match capture.latest_frame(&mut frame) {
            Err(SourceError::CameraLost(why)) => assert!(why.starts_with("no frame for"), "{why}"),
            other => panic!("expected a timeout, got {other:?}"),
        }
    }
}
