//! The V4L2 cameras on this machine, by name, with the modes the app can decode (MJPEG or
//! YUYV, size, frame rate), for the window's camera picker. Listing only queries the driver
//! and never starts a stream, so it also works for the camera already in use.

use std::path::Path;

use serde::{Deserialize, Serialize};
use v4l::framesize::FrameSizeEnum;
use v4l::video::Capture;

use super::webcam::CameraFormatChoice;

/// Larger frames are shrunk before detection anyway; offering them would only cost USB
/// bandwidth and decode time.
const MAX_WIDTH: u32 = 1920;
/// Sizes tried on a driver that reports a range instead of a list.
const STEPWISE_SIZES: [(u32, u32); 4] = [(320, 240), (640, 480), (1280, 720), (1920, 1080)];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraMode {
    pub format: CameraFormatChoice,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl std::fmt::Display for CameraMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let format = match self.format {
            CameraFormatChoice::Mjpeg => "MJPEG",
            CameraFormatChoice::Yuyv => "YUYV",
        };
        write!(
            f,
            "{}x{} @ {} fps, {format}",
            self.width, self.height, self.fps
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CameraInfo {
    /// `/dev/video{index}`.
    pub index: u32,
    /// What the driver calls it ("HD Pro Webcam C920").
    pub name: String,
    pub driver: String,
    /// Modes the app can use, MJPEG first, then by size.
    pub modes: Vec<CameraMode>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CameraList {
    pub cameras: Vec<CameraInfo>,
    /// What to do when the only video devices are ones the app cannot read (a Pi's CSI
    /// camera pipeline), or none can be opened.
    pub advice: Option<String>,
}

/// Drivers of a Raspberry Pi's camera pipeline: their nodes give raw Bayer data or ISP
/// buffers, not frames a plain V4L2 program can use; libcamera drives them.
const PI_CAMERA_DRIVERS: [&str; 5] = ["rp1-cfe", "pispbe", "unicam", "bcm2835-isp", "rpi-hevc-dec"];

pub fn list_cameras() -> CameraList {
    let mut indices: Vec<u32> = std::fs::read_dir("/sys/class/video4linux")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.strip_prefix("video")?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    indices.sort_unstable();
    let mut cameras = Vec::new();
    let mut drivers = Vec::new();
    let mut refused = Vec::new();
    for index in indices {
        match describe(index) {
            Ok((driver, Some(camera))) => {
                drivers.push(driver);
                cameras.push(camera);
            }
            Ok((driver, None)) => drivers.push(driver),
            Err(e) => refused.push(format!("/dev/video{index}: {e}")),
        }
    }
    let advice = advice(&cameras, &drivers, &refused, Path::new("/dev"));
    CameraList { cameras, advice }
}

/// The device's driver, and the camera if it captures in a format the app decodes.
fn describe(index: u32) -> std::io::Result<(String, Option<CameraInfo>)> {
    let device = v4l::Device::new(index as usize)?;
    let caps = device.query_caps()?;
    if !caps
        .capabilities
        .contains(v4l::capability::Flags::VIDEO_CAPTURE)
    {
        // UVC cameras add a metadata node beside the video one.
        return Ok((caps.driver, None));
    }
    let mut modes = Vec::new();
    for format in device.enum_formats()? {
        let choice = match &format.fourcc.repr {
            b"MJPG" => CameraFormatChoice::Mjpeg,
            b"YUYV" => CameraFormatChoice::Yuyv,
            _ => continue,
        };
        for size in device.enum_framesizes(format.fourcc).unwrap_or_default() {
            let sizes: Vec<(u32, u32)> = match size.size {
                FrameSizeEnum::Discrete(d) => vec![(d.width, d.height)],
                FrameSizeEnum::Stepwise(s) => STEPWISE_SIZES
                    .into_iter()
                    .filter(|&(w, h)| {
                        (s.min_width..=s.max_width).contains(&w)
                            && (s.min_height..=s.max_height).contains(&h)
                    })
                    .collect(),
            };
            for (width, height) in sizes.into_iter().filter(|&(w, _)| w <= MAX_WIDTH) {
                let rates = device
                    .enum_frameintervals(format.fourcc, width, height)
                    .unwrap_or_default();
                let mut fps: Vec<u32> = rates
                    .iter()
                    .filter_map(|r| match &r.interval {
                        v4l::frameinterval::FrameIntervalEnum::Discrete(f) if f.numerator > 0 => {
                            Some((f.denominator as f32 / f.numerator as f32).round() as u32)
                        }
                        _ => None,
                    })
                    .filter(|&f| f > 0)
                    .collect();
                if fps.is_empty() {
                    fps.push(30);
                }
                fps.sort_unstable_by(|a, b| b.cmp(a));
                fps.dedup();
                modes.extend(fps.into_iter().map(|fps| CameraMode {
                    format: choice,
                    width,
                    height,
                    fps,
                }));
            }
        }
    }
    modes.sort_by_key(|m| {
        (
            m.format != CameraFormatChoice::Mjpeg,
            m.width,
            m.height,
            u32::MAX - m.fps,
        )
    });
    modes.dedup();
    if modes.is_empty() {
        return Ok((caps.driver, None));
    }
    Ok((
        caps.driver.clone(),
        Some(CameraInfo {
            index,
            name: caps.card,
            driver: caps.driver,
            modes,
        }),
    ))
}

/// Why there is no camera to pick, and what to do, when it can be said.
fn advice(
    cameras: &[CameraInfo],
    drivers: &[String],
    refused: &[String],
    dev: &Path,
) -> Option<String> {
    if !cameras.is_empty() {
        return None;
    }
    if drivers
        .iter()
        .any(|d| PI_CAMERA_DRIVERS.contains(&d.as_str()))
    {
        return Some(
            "This Pi's camera is a CSI Camera Module, which plain V4L2 cannot read on a Pi 5. \
             Install libcamera's V4L2 adapter (`sudo apt install libcamera-v4l2`) and start \
             the app through it: `libcamerify lrfr`. A USB webcam works as it is."
                .into(),
        );
    }
    if !refused.is_empty() {
        return Some(format!(
            "{}. Is your user in the `video` group? `sudo usermod -aG video $USER`, then log \
             in again.",
            refused.join("; ")
        ));
    }
    if !dev.join("video0").exists() {
        return Some(
            "No video devices at all: plug in a USB (UVC) webcam, or play a folder of images."
                .into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webcam() -> CameraInfo {
        CameraInfo {
            index: 0,
            name: "Webcam".into(),
            driver: "uvcvideo".into(),
            modes: vec![CameraMode {
                format: CameraFormatChoice::Mjpeg,
                width: 640,
                height: 480,
                fps: 30,
            }],
        }
    }

    #[test]
    fn a_pi_camera_module_alone_gets_the_libcamerify_advice() {
        let drivers = ["rp1-cfe".to_string(), "pispbe".to_string()];
        let advice = advice(&[], &drivers, &[], Path::new("/nonexistent")).unwrap();
        assert!(advice.contains("libcamerify lrfr"), "{advice}");
        // With a USB webcam beside it, there is nothing to advise.
        assert_eq!(advice_for(&[webcam()], &drivers), None);
    }

    fn advice_for(cameras: &[CameraInfo], drivers: &[String]) -> Option<String> {
        advice(cameras, drivers, &[], Path::new("/nonexistent"))
    }

    #[test]
    fn no_device_or_no_permission_says_what_to_do() {
        let none = advice(&[], &[], &[], Path::new("/nonexistent")).unwrap();
        assert!(none.contains("plug in"), "{none}");
        let refused = vec!["/dev/video0: Permission denied (os error 13)".to_string()];
        let denied = advice(&[], &["uvcvideo".into()], &refused, Path::new("/dev")).unwrap();
        assert!(
            denied.contains("video` group") && denied.contains("/dev/video0"),
            "{denied}"
        );
    }

    #[test]
    fn listing_this_machine_never_fails() {
        // Whatever this machine has (CI has no camera): a list, and advice when it is empty.
        let list = list_cameras();
        assert!(list.cameras.iter().all(|c| !c.modes.is_empty()));
        if list.cameras.is_empty() {
            assert!(list.advice.is_some() || Path::new("/dev/video0").exists());
        }
    }
}
