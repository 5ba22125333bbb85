//! The window's panels. Each one reads the snapshot and pushes commands for the worker.

mod cameras;
mod controls;
mod enroll;
mod gallery;
mod help;
mod live;
mod metrics;
mod textures;

pub use cameras::{camera_picker, Picker};
pub use controls::{controls, problem, status};
pub use enroll::enroll;
pub use gallery::gallery;
#[cfg(test)]
pub use help::SHORTCUTS;
pub use help::{help, touch_style};
pub use live::live;
pub use metrics::metrics;
pub use textures::Textures;

/// What the window remembers between frames that the worker does not need to know.
pub struct UiState {
    pub show_metrics: bool,
    pub show_help: bool,
    /// The enroll and gallery panel on the right.
    pub show_people: bool,
    pub picker: Picker,
    pub enroll_name: String,
    pub enroll_samples: usize,
    pub enroll_folder: String,
    pub source_folder: String,
    pub renaming: Option<(String, String)>,
    pub confirm_remove: Option<String>,
    /// A mark waiting for "yes, take back": the person's name and the mark's face.
    pub confirm_unmark: Option<(String, String)>,
    /// The export or import file, and its passphrase (cleared once sent).
    pub backup_file: String,
    pub backup_passphrase: String,
}

impl UiState {
    pub fn new() -> UiState {
        UiState {
            show_metrics: false,
            show_help: false,
            show_people: true,
            picker: Picker::default(),
            enroll_name: String::new(),
            enroll_samples: 10,
            enroll_folder: String::new(),
            source_folder: String::new(),
            renaming: None,
            confirm_remove: None,
            confirm_unmark: None,
            backup_file: lrfr::config::default_backup_file().display().to_string(),
            backup_passphrase: String::new(),
        }
    }
}
