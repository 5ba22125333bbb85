//! Everything the core can be told, in one place, filled from flags by the front ends.

use std::path::PathBuf;

use crate::detect::DetectConfig;

#[derive(Debug, Clone)]
pub struct Config {
    /// Folder holding `manifest.json` and the ONNX files it names.
    pub models_dir: PathBuf,
    /// Folder holding `gallery.json` and the enrolled face crops.
    pub gallery_dir: PathBuf,
    /// Threads the networks may use; the camera thread comes on top.
    pub threads: usize,
    pub detect: DetectConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            models_dir: default_models_dir(),
            gallery_dir: default_gallery_dir(),
            threads: default_threads(),
            detect: DetectConfig::default(),
        }
    }
}

/// `LRFR_MODELS` if set, else the repository's `models/` (where `cargo run` finds it).
pub fn default_models_dir() -> PathBuf {
    std::env::var_os("LRFR_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models"))
}

/// The user's data folder (`~/.local/share/lrfr/gallery` on Linux), or `./gallery-data`
/// when the system names no home.
pub fn default_gallery_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "lrfr")
        .map(|dirs| dirs.data_dir().join("gallery"))
        .unwrap_or_else(|| PathBuf::from("gallery-data"))
}

/// Physical cores (4 on a Pi 5): hyper-threads share the FMA units the networks saturate.
pub fn default_threads() -> usize {
    sysinfo::System::physical_core_count()
        .or_else(|| std::thread::available_parallelism().map(|n| n.get()).ok())
        .unwrap_or(1)
        .clamp(1, 8)
}
