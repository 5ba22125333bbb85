//! The `faces/` folder: a folder per person under a fresh random id, the crops written into
//! it, and the sweep of what lrfr left there (never anything it did not make).

use std::path::{Path, PathBuf};

use super::file::{self, GalleryFile};
use super::{set_aside_files, store, write_png, GalleryError};
use crate::frame::Frame;

/// How many fresh random ids an add tries before it gives up (a clash is a 1 in 2^64 event;
/// more than one means something else is creating folders there).
const ID_TRIES: usize = 8;

/// Creates `faces/<id>` for a new person under a fresh random id; `create_dir` fails on an
/// existing folder, so no two people can ever share one.
pub(super) fn new_person_folder(dir: &Path) -> Result<(String, PathBuf), GalleryError> {
    let faces = dir.join("faces");
    let io = |path: &Path, source| GalleryError::Io {
        path: path.to_path_buf(),
        source,
    };
    store::create_private_dir(&faces).map_err(|e| io(&faces, e))?;
    for _ in 0..ID_TRIES {
        let id = format!("p{}", store::random_hex(8).map_err(|e| io(&faces, e))?);
        let folder = faces.join(&id);
        match store::create_new_private_dir(&folder) {
            Ok(()) => return Ok((id, folder)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&folder, e)),
        }
    }
    Err(io(
        &faces,
        std::io::Error::other(format!("{ID_TRIES} fresh ids were all taken")),
    ))
}

/// Writes the crops as `faces/<id>/NNN.png` and returns their relative paths.
pub(super) fn write_faces(
    dir: &Path,
    id: &str,
    faces: &[Frame],
) -> Result<Vec<String>, GalleryError> {
    write_faces_named(dir, id, "", faces)
}

/// `faces` as `faces/<id>/<prefix><nnn>.png`, in a folder this lrfr just made.
pub(super) fn write_faces_named(
    dir: &Path,
    id: &str,
    prefix: &str,
    faces: &[Frame],
) -> Result<Vec<String>, GalleryError> {
    let mut relative = Vec::with_capacity(faces.len());
    for (i, face) in faces.iter().enumerate() {
        let rel = format!("faces/{id}/{prefix}{i:03}.png");
        let path = dir.join(&rel);
        write_png(&path, face).map_err(|e| match e.kind() {
            std::io::ErrorKind::Other => GalleryError::Image {
                path,
                reason: e.to_string(),
            },
            _ => GalleryError::Io { path, source: e },
        })?;
        relative.push(rel);
    }
    Ok(relative)
}

/// Under the lock: removes the `faces/<id>` folders lrfr made that no person in `file` refers
/// to (left by a crash between writing crops and saving the JSON, or by a removal whose
/// delete failed) and temporaries inside the others, then narrows the faces to owner-only.
/// While a damaged gallery file is set aside, no folder is removed: its people may come back.
pub(super) fn sweep_faces(dir: &Path, file: &GalleryFile) -> Result<(), GalleryError> {
    let faces = dir.join("faces");
    let orphans = inspect_faces(dir, file)?;
    if !orphans.is_empty() && set_aside_files(dir).is_empty() {
        for orphan in orphans {
            let _ = std::fs::remove_dir_all(orphan);
        }
    }
    for person in &file.people {
        store::remove_stale_temps(&faces.join(&person.id));
    }
    match store::restrict_tree(&faces) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        result => result.map_err(|source| GalleryError::Io {
            path: faces,
            source,
        }),
    }
}

/// The folders under `faces/` that lrfr made and no person in `file` refers to. Refuses a
/// `faces` that is a link or holds anything else (the user's own photos, a link), so nothing
/// is ever deleted or narrowed through them.
pub(super) fn inspect_faces(dir: &Path, file: &GalleryFile) -> Result<Vec<PathBuf>, GalleryError> {
    let faces = dir.join("faces");
    let io = |source| GalleryError::Io {
        path: faces.clone(),
        source,
    };
    let foreign = |path: PathBuf, reason: String| GalleryError::Foreign { path, reason };
    match std::fs::symlink_metadata(&faces) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(foreign(
                faces.clone(),
                "is a link; lrfr keeps the faces in a folder of its own, never through a link"
                    .into(),
            ))
        }
        Ok(meta) if !meta.is_dir() => return Err(foreign(faces.clone(), "is not a folder".into())),
        Ok(_) => {}
    }
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(&faces).map_err(io)? {
        let entry = entry.map_err(io)?;
        let is_dir = entry.file_type().map_err(io)?.is_dir();
        let name = entry.file_name();
        let id = name.to_str().filter(|_| is_dir);
        match id {
            Some(id) if file.find_id(id).is_some() => {}
            Some(id) if file::is_lrfr_id(id) => orphans.push(entry.path()),
            _ => {
                return Err(foreign(
                    entry.path(),
                    format!(
                        "lrfr did not make this; move it out of {} (lrfr files faces there \
                         under ids of its own)",
                        faces.display()
                    ),
                ))
            }
        }
    }
    Ok(orphans)
}
