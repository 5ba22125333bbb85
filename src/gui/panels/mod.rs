//! The window's panels. Each one reads the snapshot and pushes commands for the worker.

mod controls;
mod enroll;
mod gallery;
mod live;
mod metrics;
mod textures;

pub use controls::{controls, problem, status};
pub use enroll::enroll;
pub use gallery::gallery;
pub use live::live;
pub use metrics::metrics;
pub use textures::Textures;

use lrfr::Resolution;

/// What the window remembers between frames that the worker does not need to know.
pub struct UiState {
    pub res: Resolution,
    pub show_metrics: bool,
    pub enroll_name: String,
    pub enroll_samples: usize,
    pub enroll_folder: String,
    pub source_folder: String,
    pub renaming: Option<(String, String)>,
    pub confirm_remove: Option<String>,
    /// The export or import file, and its passphrase (cleared once sent).
    pub backup_file: String,
    pub backup_passphrase: String,
}

impl UiState {
    pub fn new(res: Resolution) -> UiState {
        UiState {
            res,
            show_metrics: false,
            enroll_name: String::new(),
            enroll_samples: 10,
            enroll_folder: String::new(),
            source_folder: String::new(),
            renaming: None,
            confirm_remove: None,
            backup_file: String::from("lrfr-gallery.age"),
            backup_passphrase: String::new(),
        }
    }
}
