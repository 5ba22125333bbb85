//! The models (found where the app looks, every checksum), the gallery (owner-only, readable,
//! in step with the models) and the folders the app writes to.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{Check, Health};
use crate::config::Config;
use crate::gallery::Gallery;
use crate::models::Models;
use crate::pipeline::{FaceLocator, PipelineError};

pub fn models(config: &Config, out: &mut Vec<Check>) -> Option<Models> {
    let dir = &config.models_dir;
    let started = std::time::Instant::now();
    // The face locator's networks (landmarks, small-face detector, gate) load apart from the
    // DSRs and EdgeFace, and a damaged one stops the app at start as surely.
    let loaded = Models::load(dir, 1)
        .map_err(PipelineError::from)
        .and_then(|models| FaceLocator::load(config).map(|_| models));
    match loaded {
        Ok(models) => {
            out.push(Check::new(
                "models",
                Health::Good,
                format!(
                    "{}: manifest and every network's and cohort's checksum good, checked in {:.1} s",
                    dir.display(),
                    started.elapsed().as_secs_f32()
                ),
            ));
            Some(models)
        }
        Err(e) => {
            let searched = crate::config::models_not_found()
                .map(|s| format!("{s}. "))
                .unwrap_or_default();
            out.push(Check::new(
                "models",
                Health::Fix,
                format!(
                    "{}: {e}. {searched}Reinstall the package (sudo apt install --reinstall \
                     lrfr) or point --models at a good copy.",
                    dir.display()
                ),
            ));
            None
        }
    }
}

pub fn gallery(config: &Config, models: Option<&Models>, out: &mut Vec<Check>) {
    let dir = &config.gallery_dir;
    if !dir.join(crate::gallery::FILE_NAME).exists() {
        out.push(Check::new(
            "gallery",
            Health::Note,
            format!(
                "{}: nobody enrolled yet (enroll in the window or with `lrfr enroll`)",
                dir.display()
            ),
        ));
        // Nothing of anyone's is there yet to protect; only a set-aside file may be.
        set_aside(dir, out);
        return;
    }
    // Read-only: a damaged file is reported, never moved (that waits for a change).
    match Gallery::open(dir) {
        Ok((_, Some(damaged))) => out.push(Check::new("gallery", Health::Fix, damaged)),
        Ok((gallery, None)) => {
            let mut text = format!("{}: {} of 5 people", dir.display(), gallery.len());
            let marked: Vec<String> = gallery
                .people()
                .iter()
                .filter(|p| !p.not.is_empty())
                .map(|p| format!("{} {} (not {})", p.not.len(), faces(p.not.len()), p.name))
                .collect();
            if !marked.is_empty() {
                text.push_str(&format!("; faces marked not them: {}", marked.join(", ")));
            }
            let mut health = Health::Good;
            if let Err(e) = gallery.check_folder() {
                out.push(Check::new("gallery", Health::Fix, e.to_string()));
            }
            if let Some(models) = models {
                let stale = gallery.stale(&crate::enroll::fingerprints(models));
                if !stale.is_empty() {
                    let names: Vec<&str> = stale
                        .iter()
                        .filter_map(|&i| gallery.people().get(i).map(|p| p.name.as_str()))
                        .collect();
                    text.push_str(&format!(
                        "; made with other models: {} (recomputed from their faces at the \
                         next start)",
                        names.join(", ")
                    ));
                    health = Health::Note;
                }
            }
            out.push(Check::new("gallery", health, text));
        }
        Err(e) => out.push(Check::new(
            "gallery",
            Health::Fix,
            format!("{e}. Restore it from an export (`lrfr gallery import FILE`)"),
        )),
    }
    set_aside(dir, out);
    let mode = std::fs::metadata(dir).map_or(0, |m| m.permissions().mode() & 0o7777);
    if mode & 0o022 != 0 {
        out.push(Check::new(
            "gallery",
            Health::Fix,
            format!(
                "other users can change {} (mode {mode:o}), so lrfr will not save there: \
                 use a folder of your own (--gallery), or `chmod go-w {}` if it is yours alone",
                dir.display(),
                dir.display()
            ),
        ));
    }
    let loose = not_owner_only(dir);
    if loose.is_empty() {
        out.push(Check::new(
            "gallery",
            Health::Good,
            "faces and embeddings are readable by you alone (folders 0700, files 0600)",
        ));
    } else {
        out.push(Check::new(
            "gallery",
            Health::Fix,
            format!(
                "other users can read {}: run `chmod -R go= {}` (lrfr narrows only the files \
                 and folders it made, never the folder you chose)",
                loose.join(", "),
                dir.display()
            ),
        ));
    }
}

/// A note for each damaged gallery file lrfr set aside in `dir`.
fn set_aside(dir: &Path, out: &mut Vec<Check>) {
    for aside in crate::gallery::set_aside_files(dir) {
        out.push(Check::new(
            "gallery",
            Health::Note,
            format!(
                "{} is a damaged gallery file lrfr set aside; the faces it lists are kept \
                 while it is there. Repair it and move it back to gallery.json to get its \
                 people back, or delete it",
                aside.display()
            ),
        ));
    }
}

/// Entries under `dir` (it included) that group or others may read, write or enter.
fn not_owner_only(dir: &Path) -> Vec<String> {
    let mut loose = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    // A gallery is six folders and a few dozen files; the bound only guards a wrong --gallery.
    let mut budget = 10_000usize;
    while let Some(path) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.permissions().mode() & 0o077 != 0 {
            loose.push(path.display().to_string());
        }
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                budget = budget.saturating_sub(1);
                if budget == 0 {
                    return loose;
                }
                stack.push(entry.path());
            }
        }
    }
    loose
}

pub fn data_folders(config: &Config, out: &mut Vec<Check>) {
    let dir = &config.gallery_dir;
    // The nearest folder that exists is where the gallery will be created.
    let existing = dir.ancestors().find(|p| p.exists()).unwrap_or(dir);
    let writable = tempfile_probe(existing);
    let free = free_bytes(existing);
    match (writable, free) {
        (Ok(()), Some(free)) if free < 50 * 1024 * 1024 => out.push(Check::new(
            "data",
            Health::Fix,
            format!(
                "{}: only {} MB free; enrolling and saving need room. Free some space.",
                existing.display(),
                free / 1_048_576
            ),
        )),
        (Ok(()), free) => out.push(Check::new(
            "data",
            Health::Good,
            format!(
                "{} is writable{}",
                existing.display(),
                free.map(|f| format!(", {} MB free", f / 1_048_576))
                    .unwrap_or_default()
            ),
        )),
        (Err(e), _) => out.push(Check::new(
            "data",
            Health::Fix,
            format!(
                "cannot write in {}: {e}. Use --gallery DIR with a folder you own",
                existing.display()
            ),
        )),
    }
}

/// Creates and removes a file, as the gallery's saves will.
fn tempfile_probe(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".lrfr-doctor-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: `path` is a valid C string and `stat` a plain struct statvfs fills in.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    Some(stat.f_bavail as u64 * stat.f_frsize as u64)
}

fn faces(count: usize) -> &'static str {
    if count == 1 {
        "face"
    } else {
        "faces"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loose_gallery_is_found_and_a_tight_one_passes() {
        let dir = std::env::temp_dir().join(format!("lrfr-doctor-modes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("faces")).unwrap();
        std::fs::write(dir.join("gallery.json"), b"{}").unwrap();
        for (path, mode) in [(dir.clone(), 0o700), (dir.join("faces"), 0o700)] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let file = dir.join("gallery.json");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(not_owner_only(&dir), vec![file.display().to_string()]);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(not_owner_only(&dir).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
