//! The people the app knows: at most five, each an averaged embedding per resolution plus the
//! aligned face crops they were enrolled from. Stored as `gallery.json` beside a `faces/`
//! folder; every save is atomic and a damaged file is set aside, never overwritten.
//! The gallery stores vectors and images; it never runs a network.

mod file;
mod name;
mod store;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use file::{GalleryFile, PerRes, Person, EMBEDDING_DIMS, MAX_PEOPLE, SCHEMA_VERSION};
pub use name::{clean_name, same_name, MAX_NAME_CHARS};
pub use store::write_atomic;

use crate::resolution::Resolution;
use crate::source::{decode_file, Frame};

pub const FILE_NAME: &str = "gallery.json";

#[derive(Debug, thiserror::Error)]
pub enum GalleryError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}. The file was left as it is; fix or remove it")]
    Invalid { path: PathBuf, reason: String },
    #[error("the gallery is full ({MAX_PEOPLE} of {MAX_PEOPLE} people); remove someone first")]
    Full,
    #[error("{0:?} is already enrolled (names are compared ignoring case)")]
    NameTaken(String),
    #[error("bad name: {0}")]
    BadName(String),
    #[error("nobody called {0:?} is enrolled")]
    UnknownPerson(String),
    #[error("another lrfr changed the gallery meanwhile; reopen it and try again")]
    ChangedElsewhere,
    #[error("{path}: cannot store the face image: {reason}")]
    Image { path: PathBuf, reason: String },
}

pub struct Gallery {
    dir: PathBuf,
    file: GalleryFile,
}

impl Gallery {
    /// Opens the gallery in `dir`, creating nothing until the first save. A file that is not
    /// JSON is moved aside and an empty gallery is returned with a notice saying where it went;
    /// JSON that breaks the rules is refused and left in place.
    pub fn open(dir: &Path) -> Result<(Gallery, Option<String>), GalleryError> {
        let (file, notice) = read(&dir.join(FILE_NAME))?;
        let gallery = Gallery {
            dir: dir.to_path_buf(),
            file: file.unwrap_or_else(GalleryFile::empty),
        };
        Ok((gallery, notice))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn people(&self) -> &[Person] {
        &self.file.people
    }

    pub fn len(&self) -> usize {
        self.file.people.len()
    }

    pub fn is_empty(&self) -> bool {
        self.file.people.is_empty()
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.file.find(name)
    }

    /// Every person's embedding at `res`, in gallery order.
    pub fn embeddings(&self, res: Resolution) -> impl Iterator<Item = &[f32]> {
        self.file
            .people
            .iter()
            .map(move |p| p.embeddings.get(res).as_slice())
    }

    /// Checks that `name` can be enrolled now and returns it cleaned.
    pub fn admit(&self, name: &str) -> Result<String, GalleryError> {
        self.file.admit(name)
    }

    /// Adds a person: their aligned faces are written first, then the JSON, so a crash leaves
    /// at worst unreferenced images.
    pub fn add(
        &mut self,
        name: &str,
        faces: &[Frame],
        embeddings: PerRes<Vec<f32>>,
        fingerprints: PerRes<String>,
    ) -> Result<(), GalleryError> {
        let name = self.admit(name)?;
        let created = unix_now();
        // Unique across instances, so two of them enrolling at once never share a folder.
        let id = format!(
            "p{created}-{}-{}",
            std::process::id(),
            self.file.people.len()
        );
        let folder = self.dir.join("faces").join(&id);
        std::fs::create_dir_all(&folder).map_err(|source| GalleryError::Io {
            path: folder.clone(),
            source,
        })?;
        let mut relative = Vec::with_capacity(faces.len());
        for (i, face) in faces.iter().enumerate() {
            let rel = format!("faces/{id}/{i:03}.jpg");
            let path = self.dir.join(&rel);
            let mut bytes = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95)
                .encode_image(face)
                .map_err(|e| GalleryError::Image {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            write_atomic(&path, &bytes).map_err(|source| GalleryError::Io { path, source })?;
            relative.push(rel);
        }
        let mut person = Person {
            name,
            id,
            created,
            samples: faces.len() as u32,
            faces: relative,
            embeddings,
        };
        let folder_on_failure = folder.clone();
        self.update(|file| {
            person.name = file.admit(&person.name)?;
            file.people.push(person);
            file.models = fingerprints;
            Ok(())
        })
        .inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&folder_on_failure);
        })
    }

    pub fn remove(&mut self, name: &str) -> Result<Person, GalleryError> {
        let person = self.update(|file| {
            let index = file
                .find(name)
                .ok_or_else(|| GalleryError::UnknownPerson(name.to_string()))?;
            Ok(file.people.remove(index))
        })?;
        // The JSON no longer points at these images; failing to delete them loses nothing.
        let _ = std::fs::remove_dir_all(self.dir.join("faces").join(&person.id));
        Ok(person)
    }

    pub fn rename(&mut self, old: &str, new: &str) -> Result<(), GalleryError> {
        let new = clean_name(new).map_err(GalleryError::BadName)?;
        self.update(|file| {
            let index = file
                .find(old)
                .ok_or_else(|| GalleryError::UnknownPerson(old.to_string()))?;
            if file.find(&new).is_some_and(|other| other != index) {
                return Err(GalleryError::NameTaken(new));
            }
            file.people[index].name = new;
            Ok(())
        })
    }

    /// Resolutions whose stored embeddings came from other models than `fingerprints`.
    pub fn stale(&self, fingerprints: &PerRes<String>) -> Vec<Resolution> {
        Resolution::ALL
            .into_iter()
            .filter(|r| !self.is_empty() && self.file.models.get(*r) != fingerprints.get(*r))
            .collect()
    }

    /// Replaces every person's embeddings (recomputed for new models) and saves.
    pub fn replace_embeddings(
        &mut self,
        embeddings: Vec<PerRes<Vec<f32>>>,
        fingerprints: PerRes<String>,
    ) -> Result<(), GalleryError> {
        let ids: Vec<String> = self.file.people.iter().map(|p| p.id.clone()).collect();
        self.update(|file| {
            let current: Vec<&str> = file.people.iter().map(|p| p.id.as_str()).collect();
            if current != ids {
                return Err(GalleryError::ChangedElsewhere);
            }
            for (person, e) in file.people.iter_mut().zip(embeddings) {
                person.embeddings = e;
            }
            file.models = fingerprints;
            Ok(())
        })
    }

    /// The enrolled face crops of the person at `index`.
    pub fn faces(&self, index: usize) -> Result<Vec<Frame>, GalleryError> {
        let Some(person) = self.file.people.get(index) else {
            return Ok(Vec::new());
        };
        person
            .faces
            .iter()
            .map(|rel| {
                let path = self.dir.join(rel);
                decode_file(&path).map_err(|e| GalleryError::Image {
                    path,
                    reason: e.to_string(),
                })
            })
            .collect()
    }

    /// Writes the gallery as this instance holds it, under the lock.
    pub fn save(&mut self) -> Result<(), GalleryError> {
        let snapshot = self.file.clone();
        self.update(|file| {
            *file = snapshot;
            Ok(())
        })
    }

    /// Applies `change` to the gallery as it is on disk now (another lrfr may have saved since
    /// this one read it), saves the result atomically and keeps it. Everything happens under
    /// the gallery's lock; when `change` or the save fails, nothing changes.
    fn update<T>(
        &mut self,
        change: impl FnOnce(&mut GalleryFile) -> Result<T, GalleryError>,
    ) -> Result<T, GalleryError> {
        let path = self.dir.join(FILE_NAME);
        let io = |source| GalleryError::Io {
            path: path.clone(),
            source,
        };
        let _lock = store::lock_dir(&self.dir).map_err(io)?;
        store::remove_stale_temps(&path);
        // A file damaged since we read it was moved aside by `read`; our copy is the last good one.
        let (on_disk, _) = read(&path)?;
        let mut file = on_disk.unwrap_or_else(|| self.file.clone());
        let result = change(&mut file)?;
        file.check().map_err(|reason| GalleryError::Invalid {
            path: path.clone(),
            reason,
        })?;
        let json = serde_json::to_vec_pretty(&file).map_err(|e| io(std::io::Error::other(e)))?;
        write_atomic(&path, &json).map_err(io)?;
        self.file = file;
        Ok(result)
    }
}

/// The gallery file at `path`: `None` when there is none (or it was unreadable JSON, now moved
/// aside, with a notice saying where); an error when it is JSON that breaks the rules.
fn read(path: &Path) -> Result<(Option<GalleryFile>, Option<String>), GalleryError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((None, None)),
        Err(source) => {
            return Err(GalleryError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let file: GalleryFile = match serde_json::from_slice(&bytes) {
        Ok(file) => file,
        Err(e) if e.is_data() => {
            return Err(GalleryError::Invalid {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })
        }
        Err(e) => {
            let aside = store::move_aside(path).map_err(|source| GalleryError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let notice = format!(
                "{} was not readable JSON ({e}); it was moved to {} and a new gallery started",
                path.display(),
                aside.display()
            );
            return Ok((None, Some(notice)));
        }
    };
    file.check().map_err(|reason| GalleryError::Invalid {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok((Some(file), None))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
