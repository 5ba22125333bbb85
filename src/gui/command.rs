//! What the window asks of the inference worker: one command per user action, sent over a
//! channel and applied between frames.

use std::path::PathBuf;

use lrfr::live::GalleryChange;
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
    /// Takes back the mark on `face` (its crop in the gallery) made by `MarkNot(name)`.
    Unmark {
        name: String,
        face: String,
    },
    /// The people of an exported file, added all or none.
    Import {
        file: PathBuf,
        passphrase: String,
    },
}

impl Edit {
    /// The edit that takes back `change`, where the window offers one: only a "not X", the one
    /// change a single click makes that the user may not have meant.
    pub fn undoing(change: &GalleryChange) -> Option<Edit> {
        match change {
            GalleryChange::MarkedNot { name, face, .. } => Some(Edit::Unmark {
                name: name.clone(),
                face: face.clone(),
            }),
            _ => None,
        }
    }
}
