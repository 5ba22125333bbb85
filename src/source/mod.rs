//! Where frames come from: a webcam, or image files for demos, tests and benchmarks.
//! Every source hands out only its newest frame; none of them queues.

mod cameras;
mod capture;
mod folder;
mod latest;
mod webcam;

use std::path::PathBuf;

use crate::frame::{DecodeError, Frame};

pub use cameras::{list_cameras, CameraInfo, CameraList, CameraMode};
pub use capture::{Capture, Device, Patience};
pub use folder::{list_images, ImageFolderSource, Pace, MAX_FILES, STILL_HOLD};
pub use latest::LatestSlot;
pub use webcam::{CameraFormatChoice, Webcam};

/// A camera or a set of files that yields RGB frames.
pub trait FrameSource: Send {
    /// Writes the newest frame not yet handed out into `frame`, waiting for one if needed.
    /// The camera swaps buffers with its capture thread, so a steady stream allocates
    /// nothing; image files are decoded into a new buffer each time.
    fn latest_frame(&mut self, frame: &mut Frame) -> Result<(), SourceError>;

    /// A human-readable name for status lines ("camera 0 (MJPEG 640x480)", "folder faces/").
    fn describe(&self) -> String;
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(
        "no camera at /dev/video{index}: {reason}. Plug in a USB (UVC) webcam, make sure your \
         user is in the `video` group (`sudo usermod -aG video $USER`, then log in again) and \
         that no other program holds the camera; a Pi Camera Module works only through \
         `libcamerify lrfr`. Or play a folder of images instead: `lrfr watch --source DIR` \
         or `lrfr gui --source DIR`"
    )]
    NoCamera { index: u32, reason: String },
    #[error("camera lost ({0}); retrying")]
    CameraLost(String),
    #[error("{path}: {source}")]
    Decode {
        path: PathBuf,
        #[source]
        source: DecodeError,
    },
    #[error("{0}: no images (.jpg, .jpeg, .png) found")]
    Empty(PathBuf),
    #[error("{0}: more than {MAX_FILES} images below it; point at a smaller folder")]
    TooManyFiles(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the image source has no more frames")]
    Exhausted,
}
