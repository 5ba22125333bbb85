//! A USB (UVC) webcam through nokhwa's V4L2 backend, run by the capture thread in
//! `capture.rs` (newest frame only, reopened when it disappears).

use std::io::Cursor;

use image::ImageDecoder;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType};
use nokhwa::Camera;

use super::capture::{Capture, Device, Patience};
use super::{CameraMode, SourceError};
use crate::frame::{cap_size, Frame};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;
const FPS: u32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CameraFormatChoice {
    Mjpeg,
    Yuyv,
}

/// `/dev/video{index}`, opened by a capture thread that reopens it when it goes away.
pub struct Webcam;

impl Webcam {
    /// Opens `/dev/video{index}` in `mode`, or by default at 640x480, 30 fps, preferring
    /// MJPEG and falling back to YUYV.
    pub fn open(index: u32, mode: Option<CameraMode>) -> Result<Capture, SourceError> {
        // nokhwa's camera cannot move between threads, so the capture thread makes its own.
        let device = move || V4l2Camera {
            index,
            mode,
            camera: None,
        };
        Capture::start(format!("camera {index}"), device, Patience::default())
            .map_err(|reason| SourceError::NoCamera { index, reason })
    }
}

struct V4l2Camera {
    index: u32,
    mode: Option<CameraMode>,
    camera: Option<(Camera, CameraFormat)>,
}

impl Device for V4l2Camera {
    fn open(&mut self) -> Result<String, String> {
        self.close();
        let camera = open_camera(self.index, self.mode)?;
        let format = camera.camera_format();
        self.camera = Some((camera, format));
        Ok(format.to_string())
    }

    fn read(&mut self, out: &mut Frame) -> Result<(), String> {
        let Some((camera, format)) = self.camera.as_mut() else {
            return Err("the camera is not open".into());
        };
        let raw = camera.frame_raw().map_err(|e| e.to_string())?;
        decode_into(&raw, *format, out)
    }

    fn close(&mut self) {
        if let Some((mut camera, _)) = self.camera.take() {
            let _ = camera.stop_stream();
        }
    }
}

fn open_camera(index: u32, mode: Option<CameraMode>) -> Result<Camera, String> {
    let defaults = [CameraFormatChoice::Mjpeg, CameraFormatChoice::Yuyv].map(|format| CameraMode {
        format,
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
    });
    let modes = match mode {
        Some(chosen) => vec![chosen],
        None => defaults.to_vec(),
    };
    let mut last_error = String::new();
    for mode in modes {
        let fourcc = match mode.format {
            CameraFormatChoice::Mjpeg => FrameFormat::MJPEG,
            CameraFormatChoice::Yuyv => FrameFormat::YUYV,
        };
        let wanted = CameraFormat::new_from(mode.width, mode.height, fourcc, mode.fps);
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
    if out.width().max(out.height()) > crate::frame::MAX_SIDE {
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
