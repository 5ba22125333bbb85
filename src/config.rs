//! Everything the core can be told, in one place, filled from flags by the front ends.

use std::path::{Path, PathBuf};

use crate::detect::DetectConfig;
use crate::source::Pace;

#[derive(Debug, Clone)]
pub struct Config {
    /// Folder holding `manifest.json` and the ONNX files it names.
    pub models_dir: PathBuf,
    /// Folder holding `gallery.json` and the enrolled face crops.
    pub gallery_dir: PathBuf,
    /// Threads the networks may use; the camera thread comes on top.
    pub threads: usize,
    pub detect: DetectConfig,
    /// How a folder chosen as the window's camera plays.
    pub folder_pace: Pace,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            models_dir: default_models_dir(),
            gallery_dir: default_gallery_dir(),
            threads: default_threads(),
            detect: DetectConfig::default(),
            folder_pace: Pace::default(),
        }
    }
}

/// Where the models are looked for when `--models` is not given, in order: `$LRFR_MODELS`,
/// beside the executable as a package installs it (`../share/lrfr/models`), the system
/// folder (`/usr/share/lrfr/models`), and last the source tree the binary was built in
/// (what `cargo run` uses). A copied binary must not depend on the build machine's paths.
pub fn model_search_path() -> Vec<PathBuf> {
    let mut places = Vec::new();
    if let Some(dir) = std::env::var_os("LRFR_MODELS") {
        places.push(PathBuf::from(dir));
    }
    if let Some(bin) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(PathBuf::from))
    {
        places.push(bin.join("../share/lrfr/models"));
    }
    places.push(PathBuf::from("/usr/share/lrfr/models"));
    places.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models"));
    places
}

/// The first folder on [`model_search_path`] with a `manifest.json`; when none has one,
/// the first place searched (loading then fails naming it; see [`models_not_found`]).
pub fn default_models_dir() -> PathBuf {
    let places = model_search_path();
    places
        .iter()
        .find(|dir| dir.join("manifest.json").is_file())
        .or(places.first())
        .cloned()
        .unwrap_or_else(|| PathBuf::from("models"))
}

/// When no folder on the search path has a manifest: a message listing every place looked.
pub fn models_not_found() -> Option<String> {
    let places = model_search_path();
    if places.iter().any(|dir| dir.join("manifest.json").is_file()) {
        return None;
    }
    let list: Vec<String> = places.iter().map(|p| p.display().to_string()).collect();
    Some(format!(
        "no models found; looked for manifest.json in {}. Install the lrfr package, set \
         LRFR_MODELS, or pass --models DIR",
        list.join(", ")
    ))
}

/// The user's data folder (`~/.local/share/lrfr/gallery` on Linux), or `./gallery-data`
/// when the system names no home.
pub fn default_gallery_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "lrfr")
        .map(|dirs| dirs.data_dir().join("gallery"))
        .unwrap_or_else(|| PathBuf::from("gallery-data"))
}

/// Where the window offers to write a backup: the user's documents folder, else lrfr's data
/// folder, else the home folder (the first that exists); never the folder the app happened to
/// be started in (from the menu that is `/` or wherever the session began).
pub fn default_backup_file() -> PathBuf {
    let user = directories::UserDirs::new();
    let project = directories::ProjectDirs::from("", "", "lrfr");
    let folders = [
        user.as_ref().and_then(|u| u.document_dir()),
        project.as_ref().map(|p| p.data_dir()),
        user.as_ref().map(|u| u.home_dir()),
    ];
    let folder = folders.into_iter().flatten().find(|dir| dir.is_dir());
    folder.unwrap_or(Path::new(".")).join("lrfr-gallery.age")
}

/// Physical cores (4 on a Pi 5): hyper-threads share the FMA units the networks saturate.
pub fn default_threads() -> usize {
    sysinfo::System::physical_core_count()
        .or_else(|| std::thread::available_parallelism().map(|n| n.get()).ok())
        .unwrap_or(1)
        .clamp(1, 8)
}
