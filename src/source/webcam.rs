//! A USB (UVC) webcam through nokhwa's V4L2 backend. A capture thread owns the camera,
//! decodes each frame into a reused buffer and publishes only the newest one; when the camera
//! disappears it reports that and keeps trying to reopen it.

use std::io::Cursor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use image::ImageDecoder;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType};
use nokhwa::Camera;

use super::latest::{LatestSlot, Taken};
use super::{cap_size, Frame, FrameSource, SourceError};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;
const FPS: u32 = 30;
const REOPEN_EVERY: Duration = Duration::from_secs(1);
/// How long `latest_frame` waits before it calls a silent camera lost.
const FRAME_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraFormatChoice {
    Mjpeg,
    Yuyv,
}

pub struct Webcam {
    index: u32,
    slot: Arc<LatestSlot>,
    format: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Webcam {
    /// Opens `/dev/video{index}`, preferring MJPEG and falling back to YUYV.
    pub fn open(index: u32) -> Result<Webcam, SourceError> {
        let slot = Arc::new(LatestSlot::default());
        let stop = Arc::new(AtomicBool::new(false));
        let format = Arc::new(Mutex::new(String::new()));
        let (opened_tx, opened_rx) = mpsc::sync_channel(1);
        let thread = {
            let (slot, stop, format) = (slot.clone(), stop.clone(), format.clone());
            std::thread::Builder::new()
                .name(format!("camera-{index}"))
                .spawn(move || capture_loop(index, &slot, &stop, &format, opened_tx))
                .map_err(|e| SourceError::NoCamera {
                    index,
                    reason: format!("cannot start the capture thread: {e}"),
                })?
        };
        match opened_rx.recv() {
            Ok(Ok(())) => Ok(Webcam {
                index,
                slot,
                format,
                stop,
                thread: Some(thread),
            }),
            Ok(Err(reason)) => {
                let _ = thread.join();
                Err(SourceError::NoCamera { index, reason })
            }
            Err(_) => Err(SourceError::NoCamera {
                index,
                reason: "the capture thread stopped".into(),
            }),
        }
    }
}

impl FrameSource for Webcam {
    fn latest_frame(&mut self, frame: &mut Frame) -> Result<(), SourceError> {
        match self.slot.take(frame, FRAME_TIMEOUT) {
            Taken::Frame => Ok(()),
            Taken::Problem(problem) => Err(SourceError::CameraLost(problem)),
            Taken::TimedOut => Err(SourceError::CameraLost("no frame for 3 s".into())),
        }
    }

    fn describe(&self) -> String {
        let format = self.format.lock().map(|f| f.clone()).unwrap_or_default();
        format!("camera {} ({format})", self.index)
    }
}

impl Drop for Webcam {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn capture_loop(
    index: u32,
    slot: &LatestSlot,
    stop: &AtomicBool,
    format: &Mutex<String>,
    opened: mpsc::SyncSender<Result<(), String>>,
) {
    let mut opened = Some(opened);
    let mut decoded = Frame::new(0, 0);
    while !stop.load(Ordering::Relaxed) {
        let mut camera = match open_camera(index) {
            Ok(camera) => camera,
            Err(reason) => {
                if let Some(tx) = opened.take() {
                    let _ = tx.send(Err(reason));
                    return;
                }
                slot.report_problem(reason);
                std::thread::sleep(REOPEN_EVERY);
                continue;
            }
        };
        let camera_format = camera.camera_format();
        if let Ok(mut text) = format.lock() {
            *text = camera_format.to_string();
        }
        if let Some(tx) = opened.take() {
            let _ = tx.send(Ok(()));
        }
        while !stop.load(Ordering::Relaxed) {
            let result = camera
                .frame_raw()
                .map_err(|e| e.to_string())
                .and_then(|raw| decode_into(&raw, camera_format, &mut decoded));
            match result {
                Ok(()) => slot.publish(&mut decoded),
                Err(problem) => {
                    slot.report_problem(problem);
                    break;
                }
            }
        }
        let _ = camera.stop_stream();
    }
}

fn open_camera(index: u32) -> Result<Camera, String> {
    let mut last_error = String::new();
    for choice in [CameraFormatChoice::Mjpeg, CameraFormatChoice::Yuyv] {
        let fourcc = match choice {
            CameraFormatChoice::Mjpeg => FrameFormat::MJPEG,
            CameraFormatChoice::Yuyv => FrameFormat::YUYV,
        };
        let wanted = CameraFormat::new_from(WIDTH, HEIGHT, fourcc, FPS);
        let request = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(wanted));
        let attempt = Camera::new(CameraIndex::Index(index), request).and_then(|mut camera| {
            if camera.frame_format() != fourcc {
                camera.set_frame_format(fourcc)?;
            }
            camera.open_stream()?;
            Ok(camera)
        });
        match attempt {
            Ok(camera) => return Ok(camera),
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(last_error)
}

fn decode_into(raw: &[u8], format: CameraFormat, out: &mut Frame) -> Result<(), String> {
    let (width, height) = (format.width(), format.height());
    match format.format() {
        FrameFormat::MJPEG => decode_mjpeg(raw, out),
        FrameFormat::YUYV => {
            resize_buffer(out, width, height);
            yuyv_to_rgb(raw, width, height, out)
        }
        other => Err(format!("unsupported camera pixel format {other}")),
    }?;
    if out.width().max(out.height()) > super::MAX_SIDE {
        *out = cap_size(std::mem::take(out));
    }
    Ok(())
}

fn decode_mjpeg(raw: &[u8], out: &mut Frame) -> Result<(), String> {
    let decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(raw))
        .map_err(|e| format!("bad MJPEG frame: {e}"))?;
    let (width, height) = decoder.dimensions();
    if decoder.color_type() != image::ColorType::Rgb8 {
        let image = image::DynamicImage::from_decoder(decoder)
            .map_err(|e| format!("bad MJPEG frame: {e}"))?;
        *out = image.into_rgb8();
        return Ok(());
    }
    resize_buffer(out, width, height);
    decoder
        .read_image(out)
        .map_err(|e| format!("bad MJPEG frame: {e}"))
}

fn resize_buffer(frame: &mut Frame, width: u32, height: u32) {
    if frame.dimensions() != (width, height) {
        *frame = Frame::new(width, height);
    }
}

/// BT.601 limited-range YUYV 4:2:2, as UVC webcams send it.
pub(crate) fn yuyv_to_rgb(
    raw: &[u8],
    width: u32,
    height: u32,
    out: &mut Frame,
) -> Result<(), String> {
    let pixels = (width * height) as usize;
    if raw.len() < pixels * 2 || !width.is_multiple_of(2) {
        return Err(format!(
            "YUYV frame of {} bytes does not fit {width}x{height}",
            raw.len()
        ));
    }
    let rgb: &mut [u8] = out;
    for (pair, dst) in raw[..pixels * 2]
        .chunks_exact(4)
        .zip(rgb.chunks_exact_mut(6))
    {
        let u = f32::from(pair[1]) - 128.0;
        let v = f32::from(pair[3]) - 128.0;
        for (k, y) in [pair[0], pair[2]].into_iter().enumerate() {
            let y = 1.164 * (f32::from(y) - 16.0);
            dst[3 * k] = (y + 1.596 * v).clamp(0.0, 255.0) as u8;
            dst[3 * k + 1] = (y - 0.392 * u - 0.813 * v).clamp(0.0, 255.0) as u8;
            dst[3 * k + 2] = (y + 2.017 * u).clamp(0.0, 255.0) as u8;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuyv_grey_and_short_frames() {
        let mut out = Frame::new(2, 1);
        yuyv_to_rgb(&[126, 128, 126, 128], 2, 1, &mut out).unwrap();
        for px in out.pixels() {
            for c in px.0 {
                assert!((c as i32 - 128).abs() <= 1, "{c}");
            }
        }
        assert!(yuyv_to_rgb(&[0, 0], 2, 1, &mut out).is_err());
    }
}
