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
    /// How long each image stays in view (see [`ImageFolderSource::holding`]).
    hold: Duration,
    /// The image in view and since when, while it is held.
    held: Option<(Frame, Instant)>,
}

/// How a folder plays: `fps` images a second (`None`: as fast as they are asked for), each
/// held in view for `hold` (`None`: [`STILL_HOLD`] for separate photos, nothing for a video's
/// frames; see [`ImageFolderSource::is_video`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub fps: Option<f32>,
    pub hold: Option<Duration>,
}

impl Default for Pace {
    /// The window's: 15 frames a second, stills held.
    fn default() -> Self {
        Pace {
            fps: Some(15.0),
            hold: None,
        }
    }
}

/// How long the window and `watch` (when paced) hold each of a folder's stills: long enough
/// for the live recogniser to confirm a known face (a few frames) and for a person to read
/// the name.
pub const STILL_HOLD: Duration = Duration::from_secs(2);

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
            hold: Duration::ZERO,
            held: None,
        })
    }

    /// Opens `path` to play at `pace`.
    pub fn paced(path: &Path, pace: Pace, looping: bool) -> Result<Self, SourceError> {
        let source = ImageFolderSource::open(path, pace.fps, looping)?;
        let hold = pace.hold.unwrap_or_else(|| {
            if source.is_video() {
                Duration::ZERO
            } else {
                STILL_HOLD
            }
        });
        Ok(source.holding(hold))
    }

    /// Keeps each image in view for `hold` (handing it out again at the pace, like a person
    /// standing before a camera) before the next: a folder of unrelated photos then shows
    /// each long enough to be recognised instead of a new face every frame.
    pub fn holding(mut self, hold: Duration) -> Self {
        self.hold = hold;
        self
    }

    /// Whether the folder looks like a video's frames rather than separate photos: its first
    /// images differ little from one to the next (a photo collection changes scene at every
    /// image). Decodes at most four images.
    pub fn is_video(&self) -> bool {
        let thumbs: Vec<Vec<u8>> = self
            .files
            .iter()
            .take(4)
            .filter_map(|path| decode_file(path).ok())
            .map(|frame| thumbnail(&frame))
            .collect();
        thumbs.len() >= 2
            && thumbs.windows(2).all(|pair| {
                let diff: u32 = pair[0]
                    .iter()
                    .zip(&pair[1])
                    .map(|(a, b)| u32::from(a.abs_diff(*b)))
                    .sum();
                (diff as f32 / pair[0].len() as f32) < VIDEO_DIFFERENCE
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

/// Mean difference of grey levels (0-255) between two 16x16 thumbnails under which two
/// images are frames of one video: a person moving between frames changes a few levels,
/// another photo tens.
const VIDEO_DIFFERENCE: f32 = 12.0;

fn thumbnail(frame: &Frame) -> Vec<u8> {
    let grey = image::imageops::grayscale(frame);
    image::imageops::thumbnail(&grey, 16, 16).into_raw()
}

impl FrameSource for ImageFolderSource {
    fn latest_frame(&mut self, frame: &mut Frame) -> Result<(), SourceError> {
        if self
            .held
            .as_ref()
            .is_some_and(|(_, since)| since.elapsed() < self.hold)
        {
            self.pace();
            if let Some((image, _)) = &self.held {
                frame.clone_from(image);
            }
            return Ok(());
        }
        self.held = None;
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
        if !self.hold.is_zero() {
            self.held = Some((frame.clone(), Instant::now()));
        }
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

    /// A folder of the test's own under the temp dir, removed when the test ends, passed or
    /// failed (each run used to leave six behind).
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    impl std::ops::Deref for Scratch {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl AsRef<Path> for Scratch {
        fn as_ref(&self) -> &Path {
            &self.0
        }
    }

    fn scratch(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("lrfr-folder-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
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

    /// A 64x48 image: a gradient shifted by `shift`, or noise from `seed` when it is given.
    fn picture(shift: u32, seed: Option<u32>) -> Frame {
        Frame::from_fn(64, 48, |x, y| {
            let v = match seed {
                Some(s) => {
                    (x * 7919 + y * 104_729 + s * 15_485_863).wrapping_mul(2_654_435_761) >> 24
                }
                None => (x * 3 + y * 2 + shift) % 256,
            };
            image::Rgb([v as u8; 3])
        })
    }

    #[test]
    fn photos_are_held_and_a_videos_frames_are_not() {
        let photos = scratch("photos");
        let video = scratch("video");
        for n in 0..3u32 {
            picture(0, Some(n))
                .save(photos.join(format!("{n}.png")))
                .unwrap();
            picture(n, None)
                .save(video.join(format!("{n:04}.png")))
                .unwrap();
        }
        let pace = |hold| Pace { fps: None, hold };
        assert!(!ImageFolderSource::paced(&photos, pace(None), false)
            .unwrap()
            .is_video());
        assert!(ImageFolderSource::paced(&video, pace(None), false)
            .unwrap()
            .is_video());
        // Held for 0.3 s: the first image comes again and again, then the second.
        let hold = Some(Duration::from_millis(300));
        let mut source = ImageFolderSource::paced(&photos, pace(hold), false).unwrap();
        let mut frame = Frame::new(0, 0);
        let started = Instant::now();
        let mut first = 0;
        loop {
            source.latest_frame(&mut frame).unwrap();
            if frame != picture(0, Some(0)) {
                break;
            }
            first += 1;
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(first > 3 && started.elapsed() >= Duration::from_millis(300));
        assert_eq!(frame, picture(0, Some(1)));
        // A video's frames come one after another.
        let mut source = ImageFolderSource::paced(&video, pace(None), false).unwrap();
        for n in 0..3 {
            source.latest_frame(&mut frame).unwrap();
            assert_eq!(frame, picture(n, None));
        }
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
