//! What the window asks of the inference worker: one command per user action, sent over a
//! channel and applied between frames.

use std::path::PathBuf;

use lrfr::pipeline::MatchMode;
use lrfr::ResChoice;

pub use lrfr::enroll::SAMPLES_RANGE;
pub use lrfr::live::SourceChoice;

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    SetResolution(ResChoice),
    /// Show this track in the face and match panels (`None`: the largest face).
    Select(Option<u64>),
    /// `None` goes back to the manifest's threshold for the resolution.
    SetThreshold(Option<f32>),
    SetMode(MatchMode),
    SetPaused(bool),
    UseSource(SourceChoice),
    /// Look for cameras again (the picker's list).
    ListCameras,
    StartEnroll {
        name: String,
        samples: usize,
    },
    CancelEnroll,
    Gallery(Edit),
    /// Everyone to one passphrase-encrypted file.
    Export {
        file: PathBuf,
        passphrase: String,
    },
}

/// The commands that change the gallery: each ends with the new gallery, or why not.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Enroll the faces held back because they look like someone enrolled.
    EnrollAnyway,
    EnrollFromFolder {
        name: String,
        folder: PathBuf,
    },
    Rename {
        old: String,
        new: String,
    },
    Remove(String),
    /// The face shown with this name is someone else ("not X").
    MarkNot(String),
    /// The people of an exported file, added all or none.
    Import {
        file: PathBuf,
        passphrase: String,
    },
}
