//! Durable file operations: a save either fully happens or leaves the old file in place.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Writes `bytes` to `path` through a temporary file in the same folder: write, fsync,
/// rename over the old file, fsync the folder. A crash at any point leaves either the old
/// or the new file, whole.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Deletes temporary files that killed writers of `path` left behind (this process's own is
/// about to be truncated anyway). Call it only under the lock, when no other writer can be
/// between its write and its rename.
pub fn remove_stale_temps(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    let prefix = format!(".{name}.tmp-");
    let own = format!("{prefix}{}", std::process::id());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(&prefix) && n != own);
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Makes a rename durable: on Linux the new directory entry is only safe once the folder is
/// synced.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Renames `path` to `path.corrupt-<unix seconds>` (with a counter if that exists) and
/// returns the new name.
pub fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let base = format!("{}.corrupt-{stamp}", path.display());
    let mut target = PathBuf::from(&base);
    let mut n = 1;
    while target.exists() {
        target = PathBuf::from(format!("{base}-{n}"));
        n += 1;
    }
    fs::rename(path, &target)?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(target)
}

/// Held while one process reads, changes and saves the gallery: a second lrfr waits for the
/// few milliseconds a save takes instead of overwriting what the first just wrote. The lock
/// is advisory (`flock`) and ends with the process, so a killed instance never leaves it held.
pub struct DirLock {
    _file: File,
}

pub const LOCK_FILE: &str = ".gallery.lock";

pub fn lock_dir(dir: &Path) -> std::io::Result<DirLock> {
    fs::create_dir_all(dir)?;
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(LOCK_FILE))?;
    file.lock()?;
    Ok(DirLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("lrfr-store-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("g.json");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        let aside = move_aside(&path).unwrap();
        assert!(!path.exists() && aside.exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
