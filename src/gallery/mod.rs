//! The people the app knows: at most five, each an averaged embedding per resolution plus the
//! aligned face crops they were enrolled from. Stored as `gallery.json` beside a `faces/`
//! folder; every save is atomic and a damaged file is set aside, never overwritten. Every
//! change is made under the folder's lock, and everything in it is readable by its owner only.
//! The gallery stores vectors and images; it never runs a network.

mod archive;
mod crop;
mod damaged;
mod file;
mod folder;
mod name;
mod not;
mod store;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use archive::{export, import, MAX_ARCHIVE_BYTES};
pub use damaged::set_aside_files;
pub use file::{GalleryFile, PerRes, Person, MAX_FACES, MAX_PEOPLE, SCHEMA_VERSION};
pub use name::{clean_name, same_name, MAX_NAME_CHARS};
pub use not::{Marked, NotFace, MAX_NOT, SAME_FACE};
pub use store::{create_private_dir, write_atomic, write_png};

use damaged::{damaged_notice, read, set_aside, OnDisk};
use folder::{inspect_faces, new_person_folder, sweep_faces, write_faces, write_faces_named};

use crate::frame::Frame;
use crate::resolution::Resolution;

pub const FILE_NAME: &str = "gallery.json";
/// How often a live view (the window, `watch`) looks whether another lrfr changed the gallery.
pub const CHANGE_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

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
    #[error("{0} faces; a person is enrolled from at most {MAX_FACES}")]
    TooManyFaces(usize),
    #[error("{} already has {MAX_NOT} faces marked as not them; that is as many as lrfr keeps", name::shown(.0))]
    TooManyNot(String),
    #[error("no face is marked as not {} any more; nothing to undo", name::shown(.0))]
    NotMarked(String),
    #[error("bad name: {0}")]
    BadName(String),
    #[error("nobody called {} is enrolled", name::shown(.0))]
    UnknownPerson(String),
    #[error("another lrfr changed the gallery meanwhile; reopen it and try again")]
    ChangedElsewhere,
    #[error("{}'s templates were made by other models and could not be recomputed; re-enroll them first", name::shown(.0))]
    OtherModels(String),
    #[error("{0}: removed since this lrfr opened it; nothing was written. Restart lrfr to start a new gallery there")]
    Deleted(PathBuf),
    #[error("{path}: cannot store the face image: {reason}")]
    Image { path: PathBuf, reason: String },
    #[error("{path}: {reason}. Nothing was changed")]
    Archive { path: PathBuf, reason: String },
    #[error("{path}: {reason}. lrfr changes nothing in a gallery folder that holds what it did not make")]
    Foreign { path: PathBuf, reason: String },
}

/// Someone to add: their aligned faces and the templates made from them.
pub struct NewPerson {
    pub name: String,
    pub faces: Vec<Frame>,
    pub embeddings: PerRes<Vec<f32>>,
    /// The fingerprints of the models `embeddings` came from.
    pub models: PerRes<String>,
    /// Faces marked as not them, with their embeddings by the same models.
    pub not: Vec<(Frame, PerRes<Vec<f32>>)>,
}

pub struct Gallery {
    dir: PathBuf,
    file: GalleryFile,
    /// Whether `file` is known to be on disk: such a file that then disappears was removed by
    /// someone, and is not silently written back from memory.
    on_disk: bool,
    /// gallery.json as this instance last read or wrote it, to notice another lrfr's change.
    stamp: Option<Stamp>,
}

/// Which file, of what size, last changed when: any save (always a new file renamed into
/// place) changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    inode: (u64, u64),
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        inode: (meta.dev(), meta.ino()),
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

impl Gallery {
    /// Opens the gallery in `dir`, reading only: nothing is created, moved or narrowed until
    /// the first change (`doctor` and `gallery list` change nothing). A file that is not JSON
    /// gives an empty gallery and a notice saying what the first change will do with it; JSON
    /// that breaks the rules is refused and left in place.
    pub fn open(dir: &Path) -> Result<(Gallery, Option<String>), GalleryError> {
        let path = dir.join(FILE_NAME);
        // Taken before reading: a change in between is then seen at the next check.
        let stamp = stamp(&path);
        let (file, notice) = match read(&path)? {
            OnDisk::File(file) => (Some(file), None),
            OnDisk::Missing => (None, None),
            OnDisk::NotJson(reason) => (None, Some(damaged_notice(&path, &reason))),
        };
        let gallery = Gallery {
            dir: dir.to_path_buf(),
            stamp,
            on_disk: file.is_some(),
            file: file.unwrap_or_else(GalleryFile::empty),
        };
        Ok((gallery, notice))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether gallery.json is not what this instance last read or wrote: another lrfr (or an
    /// import, a removal from the command line) changed it, and whoever shows names from this
    /// instance should open it again. One `stat`, cheap enough once a second.
    pub fn changed_elsewhere(&self) -> bool {
        stamp(&self.dir.join(FILE_NAME)) != self.stamp
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

    pub fn find_id(&self, id: &str) -> Option<usize> {
        self.file.find_id(id)
    }

    /// The gallery index and embedding at `res` of every person whose embedding was made by
    /// the models with `fingerprint`: a template from other models is never matched.
    pub fn embeddings<'a>(
        &'a self,
        res: Resolution,
        fingerprint: &'a str,
    ) -> impl Iterator<Item = (usize, &'a [f32])> + 'a {
        self.file
            .people
            .iter()
            .enumerate()
            .filter(move |(_, p)| p.models.get(res) == fingerprint)
            .map(move |(i, p)| (i, p.embeddings.get(res).as_slice()))
    }

    /// Checks that `name` can be enrolled now and returns it cleaned.
    pub fn admit(&self, name: &str) -> Result<String, GalleryError> {
        self.file.admit(name)
    }

    /// Adds a person with their aligned faces (stored as PNG, so recomputing after a model
    /// change starts from exactly what was enrolled).
    pub fn add(
        &mut self,
        name: &str,
        faces: &[Frame],
        embeddings: PerRes<Vec<f32>>,
        fingerprints: PerRes<String>,
    ) -> Result<(), GalleryError> {
        self.admit(name)?;
        self.add_all(vec![NewPerson {
            name: name.to_string(),
            faces: faces.to_vec(),
            embeddings,
            models: fingerprints,
            not: Vec::new(),
        }])
    }

    /// Adds everyone in `people`, or nobody: all of it happens under the lock, each person in
    /// a folder this call creates under a fresh random id; if anything fails (a name taken, no
    /// room, a full disk), those folders and nothing else are removed.
    pub fn add_all(&mut self, people: Vec<NewPerson>) -> Result<(), GalleryError> {
        let dir = self.dir.clone();
        let mut created: Vec<PathBuf> = Vec::new();
        let result = self.update(|file| {
            for person in people {
                let name = file.admit(&person.name)?;
                if person.faces.len() > MAX_FACES {
                    return Err(GalleryError::TooManyFaces(person.faces.len()));
                }
                if person.not.len() > MAX_NOT {
                    return Err(GalleryError::TooManyNot(name));
                }
                let (id, folder) = new_person_folder(&dir)?;
                created.push(folder);
                let faces = write_faces(&dir, &id, &person.faces)?;
                let (not_faces, not_embeddings): (Vec<Frame>, Vec<_>) =
                    person.not.into_iter().unzip();
                let not = write_faces_named(&dir, &id, "not-", &not_faces)?
                    .into_iter()
                    .zip(not_embeddings)
                    .map(|(face, embeddings)| NotFace { face, embeddings })
                    .collect();
                file.people.push(Person {
                    name,
                    id,
                    created: unix_now(),
                    samples: faces.len() as u32,
                    faces,
                    embeddings: person.embeddings,
                    models: person.models,
                    not,
                });
            }
            Ok(())
        });
        if result.is_err() {
            for folder in created {
                let _ = std::fs::remove_dir_all(folder);
            }
        }
        result
    }

    pub fn remove(&mut self, name: &str) -> Result<Person, GalleryError> {
        let person = self.update(|file| {
            let index = file
                .find(name)
                .ok_or_else(|| GalleryError::UnknownPerson(name.to_string()))?;
            Ok(file.people.remove(index))
        })?;
        // The JSON no longer points at these images; failing to delete them loses nothing (the
        // next change sweeps unreferenced folders). A folder named by hand in the JSON is not
        // lrfr's to delete.
        if file::is_lrfr_id(&person.id) {
            let _ = std::fs::remove_dir_all(self.dir.join("faces").join(&person.id));
        }
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

    /// Indices of the people some of whose embeddings came from other models than
    /// `fingerprints`.
    pub fn stale(&self, fingerprints: &PerRes<String>) -> Vec<usize> {
        self.file
            .people
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                Resolution::ALL
                    .into_iter()
                    .any(|r| p.models.get(r) != fingerprints.get(r))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Replaces one person's embeddings and those of the faces marked as not them (in their
    /// order), recomputed for new models, and saves.
    pub fn set_embeddings(
        &mut self,
        id: &str,
        embeddings: PerRes<Vec<f32>>,
        not: Vec<PerRes<Vec<f32>>>,
        fingerprints: PerRes<String>,
    ) -> Result<(), GalleryError> {
        self.update(|file| {
            let index = file.find_id(id).ok_or(GalleryError::ChangedElsewhere)?;
            let person = &mut file.people[index];
            if person.not.len() != not.len() {
                return Err(GalleryError::ChangedElsewhere);
            }
            person.embeddings = embeddings;
            for (entry, embeddings) in person.not.iter_mut().zip(not) {
                entry.embeddings = embeddings;
            }
            person.models = fingerprints;
            Ok(())
        })
    }

    /// The enrolled face crops of the person at `index`.
    pub fn faces(&self, index: usize) -> Result<Vec<Frame>, GalleryError> {
        let Some(person) = self.file.people.get(index) else {
            return Ok(Vec::new());
        };
        person.faces.iter().map(|rel| self.read_crop(rel)).collect()
    }

    /// The crops of the faces marked as not the person at `index`.
    pub fn not_faces(&self, index: usize) -> Result<Vec<Frame>, GalleryError> {
        let Some(person) = self.file.people.get(index) else {
            return Ok(Vec::new());
        };
        person.not.iter().map(|n| self.read_crop(&n.face)).collect()
    }

    fn read_crop(&self, rel: &str) -> Result<Frame, GalleryError> {
        let path = self.dir.join(rel);
        let bytes = crate::bounded::read(&path, crop::MAX_CROP_BYTES).map_err(|source| {
            GalleryError::Io {
                path: path.clone(),
                source,
            }
        })?;
        crop::decode(&bytes).map_err(|reason| GalleryError::Image { path, reason })
    }

    /// Checks, reading only, that everything under `faces/` is lrfr's own (`doctor` asks);
    /// every change checks the same first.
    pub fn check_folder(&self) -> Result<(), GalleryError> {
        inspect_faces(&self.dir, &self.file).map(drop)
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
    /// the gallery's lock, which is also when the leftovers of crashed writers (temporaries,
    /// face folders no person refers to) are cleared; when `change` or the save fails, nothing
    /// changes.
    fn update<T>(
        &mut self,
        change: impl FnOnce(&mut GalleryFile) -> Result<T, GalleryError>,
    ) -> Result<T, GalleryError> {
        let path = self.dir.join(FILE_NAME);
        let io = |source| GalleryError::Io {
            path: path.clone(),
            source,
        };
        let _lock = lock(&self.dir)?;
        store::remove_stale_temps(&self.dir);
        let mut file = match read(&path)? {
            OnDisk::File(file) => file,
            OnDisk::Missing if self.on_disk => return Err(GalleryError::Deleted(path)),
            OnDisk::Missing => self.file.clone(),
            // Damaged: set aside with its faces kept, and our copy is the last good one (empty
            // when it was damaged at open).
            OnDisk::NotJson(reason) => {
                // Not inside the macro: tracing skips its arguments when nobody listens.
                let notice = set_aside(&path, &reason)?;
                tracing::warn!("{notice}");
                self.file.clone()
            }
        };
        sweep_faces(&self.dir, &file)?;
        let result = change(&mut file)?;
        file.check().map_err(|reason| GalleryError::Invalid {
            path: path.clone(),
            reason,
        })?;
        let json = serde_json::to_vec_pretty(&file).map_err(|e| io(std::io::Error::other(e)))?;
        write_atomic(&path, &json).map_err(io)?;
        self.stamp = stamp(&path);
        tracing::info!(
            "gallery saved: {} ({} people)",
            path.display(),
            file.people.len()
        );
        self.file = file;
        self.on_disk = true;
        Ok(result)
    }
}

fn lock(dir: &Path) -> Result<store::DirLock, GalleryError> {
    store::lock_dir(dir, store::LOCK_PATIENCE).map_err(|source| GalleryError::Io {
        path: dir.join(store::LOCK_FILE),
        source,
    })
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
