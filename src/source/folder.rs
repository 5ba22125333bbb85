//! Image files as a frame source: one file, or every image under a folder in name order.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{FrameSource, SourceError};
use crate::frame::{decode_file, Frame};

pub struct ImageFolderSource {
    root: PathBuf,
    files: Vec<PathBuf>,
    next: usize,
    looping: bool,
    period: Option<Duration>,
    last_emit: Option<Instant>,
}

impl ImageFolderSource {
    /// `fps` paces the frames like a camera would; `None` hands them out as fast as asked.
    pub fn open(path: &Path, fps: Option<f32>, looping: bool) -> Result<Self, SourceError> {
        let files = list_images(path)?;
        // A rate so low that its period does not fit a Duration means "as fast as asked"
        // rather than a panic.
        let period = fps
            .filter(|f| f.is_finite() && *f > 0.0)
            .and_then(|f| Duration::try_from_secs_f32(1.0 / f).ok());
        Ok(ImageFolderSource {
            root: path.to_path_buf(),
            files,
            next: 0,
            looping,
            period,
            last_emit: None,
        })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file the last frame came from.
    pub fn current_file(&self) -> Option<&Path> {
        let index = self
            .next
            .checked_sub(1)
            .or(self.files.len().checked_sub(1))?;
        self.files.get(index).map(PathBuf::as_path)
    }

    fn pace(&mut self) {
        if let (Some(period), Some(last)) = (self.period, self.last_emit) {
            let elapsed = last.elapsed();
            if elapsed < period {
                std::thread::sleep(period - elapsed);
            }
        }
        self.last_emit = Some(Instant::now());
    }
}

impl FrameSource for ImageFolderSource {
    fn latest_frame(&mut self, frame: &mut Frame) -> Result<(), SourceError> {
        if self.next >= self.files.len() {
            if !self.looping {
                return Err(SourceError::Exhausted);
            }
            self.next = 0;
        }
        self.pace();
        let path = &self.files[self.next];
        self.next += 1;
        *frame = decode_file(path).map_err(|source| SourceError::Decode {
            path: path.clone(),
            source,
        })?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("{} ({} images)", self.root.display(), self.files.len())
    }
}

const MAX_DEPTH: usize = 16;
/// Most image files one folder source lists: enough for any photo collection this app is fed,
/// and it bounds the memory and time a folder full of links can make the walk take.
pub const MAX_FILES: usize = 100_000;

/// `path` itself if it is a file, else every .jpg/.jpeg/.png below it, sorted by path.
/// Hidden files and folders (a leading `.`) are skipped; linked folders are followed, but
/// each folder is read once however many links lead to it (device and inode remembered).
/// A subfolder that cannot be read is skipped with a warning naming it; only `path` itself
/// failing is an error.
pub fn list_images(path: &Path) -> Result<Vec<PathBuf>, SourceError> {
    use std::os::unix::fs::MetadataExt;
    let io_error = |source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io_error)?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut visited = std::collections::HashSet::from([(meta.dev(), meta.ino())]);
    let mut files = Vec::new();
    let mut folders = vec![(path.to_path_buf(), 0)];
    while let Some((folder, depth)) = folders.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(source) if depth == 0 => return Err(io_error(source)),
            Err(e) => {
                tracing::warn!("skipping {}: {e}", folder.display());
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    tracing::warn!("skipping part of {}: {e}", folder.display());
                    break;
                }
            };
            if entry.file_name().as_encoded_bytes().starts_with(b".") {
                continue;
            }
            let entry_path = entry.path();
            let Ok(mut kind) = entry.file_type() else {
                tracing::warn!("skipping {}: its type cannot be read", entry_path.display());
                continue;
            };
            if kind.is_symlink() {
                // A dangling link is skipped like any other non-image.
                match std::fs::metadata(&entry_path) {
                    Ok(meta) => kind = meta.file_type(),
                    Err(_) => continue,
                }
            }
            if kind.is_dir() {
                let Ok(meta) = std::fs::metadata(&entry_path) else {
                    continue;
                };
                if depth < MAX_DEPTH && visited.insert((meta.dev(), meta.ino())) {
                    folders.push((entry_path, depth + 1));
                }
            } else if is_image_name(&entry_path) {
                if files.len() == MAX_FILES {
                    return Err(SourceError::TooManyFiles(path.to_path_buf()));
                }
                files.push(entry_path);
            }
        }
    }
    if files.is_empty() {
        return Err(SourceError::Empty(path.to_path_buf()));
    }
    files.sort();
    Ok(files)
}

fn is_image_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lrfr-folder-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn images_in_name_order_through_linked_folders_and_loops() {
        let dir = scratch("order");
        let real = scratch("order-real");
        std::fs::write(real.join("c.png"), b"").unwrap();
        std::fs::write(dir.join("b.JPG"), b"").unwrap();
        std::fs::write(dir.join("a.jpeg"), b"").unwrap();
        std::fs::write(dir.join("notes.txt"), b"").unwrap();
        std::os::unix::fs::symlink(&real, dir.join("linked")).unwrap();
        std::os::unix::fs::symlink(&dir, real.join("loop")).unwrap();
        std::os::unix::fs::symlink(dir.join("gone"), dir.join("dangling.jpg")).unwrap();
        let files = list_images(&dir).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        // The loop back to `dir` is not followed: `dir` was already read.
        assert_eq!(names, ["a.jpeg", "b.JPG", "linked/c.png"]);
    }

    #[test]
    fn links_to_the_same_folder_are_read_once_and_hidden_entries_skipped() {
        let dir = scratch("dots");
        std::fs::write(dir.join("a.jpg"), b"").unwrap();
        std::fs::write(dir.join(".hidden.jpg"), b"").unwrap();
        std::fs::create_dir_all(dir.join(".cache")).unwrap();
        std::fs::write(dir.join(".cache/b.jpg"), b"").unwrap();
        // Two links to "." made 2^16 folder reads before: each could be followed to depth 16.
        std::os::unix::fs::symlink(".", dir.join("self1")).unwrap();
        std::os::unix::fs::symlink(".", dir.join("self2")).unwrap();
        let files = list_images(&dir).unwrap();
        assert_eq!(files, vec![dir.join("a.jpg")]);
    }

    #[test]
    fn an_empty_folder_is_a_clear_error_and_bad_files_do_not_stop_the_source() {
        let dir = scratch("empty");
        assert!(matches!(list_images(&dir), Err(SourceError::Empty(_))));
        std::fs::write(dir.join("a.jpg"), b"not a jpeg").unwrap();
        let mut source = ImageFolderSource::open(&dir, None, false).unwrap();
        let mut frame = Frame::new(0, 0);
        assert!(matches!(
            source.latest_frame(&mut frame),
            Err(SourceError::Decode { .. })
        ));
        assert!(matches!(
            source.latest_frame(&mut frame),
            Err(SourceError::Exhausted)
        ));
        assert_eq!(source.current_file(), Some(dir.join("a.jpg").as_path()));
    }
}
