//! Reading gallery.json, and what happens to one that is not JSON: left as it is when only
//! read, moved aside (its faces kept) before the next change, and reported with the way back.

use std::path::{Path, PathBuf};

use super::file::GalleryFile;
use super::{store, GalleryError, FILE_NAME};

/// The damaged gallery files [`set_aside`] moved out of the way and the user has not yet
/// repaired or deleted (`gallery.json.corrupt-<time>`), in name order.
pub fn set_aside_files(dir: &Path) -> Vec<PathBuf> {
    let prefix = format!("{FILE_NAME}{}", store::ASIDE_MARK);
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

pub(super) enum OnDisk {
    File(GalleryFile),
    Missing,
    /// Not JSON at all (a torn write by another program, a truncated copy), with the reason.
    NotJson(String),
}

/// The gallery file at `path`; an error when it is JSON that breaks the rules (it is left
/// as it is for the user to fix).
pub(super) fn read(path: &Path) -> Result<OnDisk, GalleryError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OnDisk::Missing),
        Err(source) => {
            return Err(GalleryError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let mut file: GalleryFile = match serde_json::from_slice(&bytes) {
        Ok(file) => file,
        Err(e) if e.is_data() => {
            return Err(GalleryError::Invalid {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })
        }
        Err(e) => return Ok(OnDisk::NotJson(e.to_string())),
    };
    file.migrate();
    file.check().map_err(|reason| GalleryError::Invalid {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok(OnDisk::File(file))
}

/// Moves an unreadable gallery file aside (the caller holds the lock) and says where, and how
/// to get its people back.
pub(super) fn set_aside(path: &Path, reason: &str) -> Result<String, GalleryError> {
    let aside = store::move_aside(path).map_err(|source| GalleryError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(format!(
        "{} was not readable JSON ({reason}); it was moved to {} and a new gallery started. \
         The faces it lists are kept while that file is there. To get its people back, close \
         lrfr, repair the file and move it back to {} (people enrolled since are then \
         forgotten); or delete it once you no longer want them",
        path.display(),
        aside.display(),
        path.display()
    ))
}

/// What [`Gallery::open`] says of a damaged file, which it leaves as it is.
pub(super) fn damaged_notice(path: &Path, reason: &str) -> String {
    format!(
        "{} is not readable JSON ({reason}); lrfr starts with nobody enrolled and changed \
         nothing. Repair the file (it is plain JSON) to get its people back; the next \
         enrollment moves it aside and keeps the faces it lists",
        path.display()
    )
}
