//! Durable, private file operations: a save either fully happens or leaves the old file in
//! place, and everything the gallery writes is readable by its owner only (folders 0700,
//! files 0600, whatever the umask), because faces and embeddings are biometric data.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const DIR_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// Marks the temporary files [`write_atomic`] makes; [`remove_stale_temps`] looks for it.
const TEMP_MARK: &str = ".tmp-";
/// Follows the name of a file [`move_aside`] set aside.
pub const ASIDE_MARK: &str = ".corrupt-";

/// `n` random bytes from the kernel, as lowercase hex: person ids and temporary names that
/// another user cannot predict (and so cannot plant a link at).
pub fn random_hex(n: usize) -> std::io::Result<String> {
    let mut bytes = vec![0u8; n];
    File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Creates `dir` and any missing parents, each owner-only. Folders that already exist are
/// left as they are (`crop --out .` must not change the rights of the user's own folder).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut missing = Vec::new();
    let mut next = Some(dir);
    while let Some(path) = next.filter(|p| !p.as_os_str().is_empty()) {
        if fs::symlink_metadata(path).is_ok() {
            break;
        }
        missing.push(path);
        next = path.parent();
    }
    for path in missing.into_iter().rev() {
        match fs::DirBuilder::new().mode(DIR_MODE).create(path) {
            Ok(()) => restrict(path, DIR_MODE)?,
            // Made meanwhile by another lrfr, which made it private too.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is not a folder", dir.display()),
        ));
    }
    Ok(())
}

/// Makes a folder the gallery owns, and everything in it, owner-only: galleries made by an
/// older lrfr (0755 and 0644) are narrowed at their next change.
pub fn restrict_tree(dir: &Path) -> std::io::Result<()> {
    restrict(dir, DIR_MODE)?;
    for entry in fs::read_dir(dir)?.flatten() {
        let kind = entry.file_type()?;
        if kind.is_dir() {
            restrict_tree(&entry.path())?;
        } else if kind.is_file() {
            restrict(&entry.path(), FILE_MODE)?;
        }
    }
    Ok(())
}

/// Creates one new owner-only folder; fails with `AlreadyExists` if anything is there (so two
/// writers can never end up sharing it).
pub fn create_new_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::DirBuilder::new().mode(DIR_MODE).create(dir)?;
    restrict(dir, DIR_MODE)
}

/// Refuses an existing folder that other users may write to: they could plant or remove
/// files beside the gallery's, and narrowing a folder lrfr did not make is not lrfr's call.
fn check_not_shared(dir: &Path) -> std::io::Result<()> {
    let mode = match fs::metadata(dir) {
        Ok(meta) => meta.permissions().mode() & 0o7777,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if mode & 0o022 != 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "other users can change {} (mode {mode:o}); faces need a folder of their own, \
                 for example --gallery {}",
                dir.display(),
                dir.join("lrfr-gallery").display()
            ),
        ));
    }
    Ok(())
}

/// Sets `mode` exactly: the umask only ever removes bits at creation, and an old file may have
/// more.
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.permissions().mode() & 0o7777 != mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// A new owner-only file that must not exist yet and is never reached through a symlink.
fn create_private_file(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    file.set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
    Ok(file)
}

/// Writes `bytes` to `path` through a temporary file in the same folder: write, fsync,
/// rename over the old file, fsync the folder. A crash at any point leaves either the old
/// or the new file, whole. The temporary has an unpredictable name and is created new, never
/// through a link, so nobody can redirect the write.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // A bare file name (`export backup.age`) has the empty path as its parent.
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = dir.join(format!(".{name}{TEMP_MARK}{}", random_hex(8)?));
    let mut file = create_private_file(&temp)?;
    let result = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        sync_dir(dir)
    })();
    drop(file);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Writes `image` to `path` as an owner-only PNG (lossless), atomically.
pub fn write_png(path: &Path, image: &image::RgbImage) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    image
        .write_with_encoder(image::codecs::png::PngEncoder::new(&mut bytes))
        .map_err(std::io::Error::other)?;
    write_atomic(path, &bytes)
}

/// Deletes the temporary files that killed writers left in `dir`. Call it only under the
/// lock: every writer of the gallery holds it between creating a temporary and renaming it.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with('.') && n.contains(TEMP_MARK));
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
    let base = format!("{}{ASIDE_MARK}{stamp}", path.display());
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
/// How long a change waits for another lrfr's save before it gives up and says so.
pub const LOCK_PATIENCE: Duration = Duration::from_secs(10);

/// Takes the gallery's lock, creating the folder owner-only if needed. A folder that exists
/// already is the user's: its rights are left as they are (`doctor` says when others can read
/// it), and one that other users can write to (`/tmp`) is refused before anything is created
/// in it. Gives up with `WouldBlock` after `patience`: a stopped (not killed) lrfr can hold it
/// for ever.
pub fn lock_dir(dir: &Path, patience: Duration) -> std::io::Result<DirLock> {
    check_not_shared(dir)?;
    create_private_dir(dir)?;
    let path = dir.join(LOCK_FILE);
    let file = match create_private_file(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            restrict(&path, FILE_MODE)?;
            OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&path)?
        }
        Err(e) => return Err(e),
    };
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(DirLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) if started.elapsed() < patience => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    format!(
                        "another lrfr has held {} for {} s; close it (or wait) and try again",
                        path.display(),
                        patience.as_secs()
                    ),
                ))
            }
            Err(fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lrfr-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = scratch("atomic");
        create_private_dir(&dir).unwrap();
        let path = dir.join("g.json");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        let aside = move_aside(&path).unwrap();
        assert!(!path.exists() && aside.exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn everything_is_owner_only_whatever_the_umask() {
        let dir = scratch("modes");
        // SAFETY: umask is process-wide, but it only narrows what is created; the modes this
        // test asserts are set explicitly, so another test creating files meanwhile is unharmed.
        let old = unsafe { libc::umask(0) };
        let nested = dir.join("a/b");
        create_private_dir(&nested).unwrap();
        write_atomic(&nested.join("f"), b"x").unwrap();
        let _lock = lock_dir(&nested, LOCK_PATIENCE).unwrap();
        unsafe { libc::umask(old) };
        assert_eq!(mode(&dir), DIR_MODE);
        assert_eq!(mode(&nested), DIR_MODE);
        assert_eq!(mode(&nested.join("f")), FILE_MODE);
        assert_eq!(mode(&nested.join(LOCK_FILE)), FILE_MODE);
        // An old gallery made wide open is narrowed, files and all; a folder that merely
        // exists (`crop --out .`) is not.
        fs::set_permissions(&nested, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(nested.join("f"), fs::Permissions::from_mode(0o644)).unwrap();
        create_private_dir(&nested).unwrap();
        assert_eq!(mode(&nested), 0o755);
        restrict_tree(&nested).unwrap();
        assert_eq!(mode(&nested), DIR_MODE);
        assert_eq!(mode(&nested.join("f")), FILE_MODE);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_planted_link_cannot_redirect_a_write() {
        let dir = scratch("link");
        create_private_dir(&dir).unwrap();
        let victim = dir.join("victim");
        fs::write(&victim, b"keep").unwrap();
        // An attacker who could guess the temporary's name would link it to a victim file;
        // creating it new and without following links refuses such a name outright.
        let planted = dir.join(".g.json.tmp-guess");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let error = create_private_file(&planted).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists);
        // And the real temporaries' names are not guessable: 16 random hex digits each.
        write_atomic(&dir.join("g.json"), b"new").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
        assert_ne!(random_hex(8).unwrap(), random_hex(8).unwrap());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_held_lock_gives_up_after_its_patience() {
        let dir = scratch("patience");
        let _held = lock_dir(&dir, LOCK_PATIENCE).unwrap();
        let started = Instant::now();
        let error = match lock_dir(&dir, Duration::from_millis(200)) {
            Ok(_) => panic!("a second lock was granted while the first is held"),
            Err(e) => e,
        };
        assert_eq!(error.kind(), std::io::ErrorKind::WouldBlock);
        assert!(error.to_string().contains("another lrfr"), "{error}");
        assert!(started.elapsed() >= Duration::from_millis(200));
        fs::remove_dir_all(&dir).unwrap();
    }
}
