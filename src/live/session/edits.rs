//! What the user changes from the window: enrollment (captured from the stream or from a
//! folder of photos, held back when it looks like someone enrolled), rename, remove, "not X"
//! and its take-back, export and import. Each returns what it did as a [`GalleryChange`] for
//! the front end to word, and starts the tracks again where names may have moved.

use std::path::{Path, PathBuf};

use super::{Session, SessionError};
use crate::enroll::{self, Capture, Progress, MIN_SAMPLES};
use crate::frame::{decode_file, Frame};
use crate::gallery::{Gallery, GalleryError};
use crate::live::Verdict;
use crate::pipeline::MatchMode;
use crate::source::list_images;

/// What a change to the gallery did, for the front end to tell the user in its words.
#[derive(Debug, Clone, PartialEq)]
pub enum GalleryChange {
    /// `skipped`: images of a folder without a usable face.
    Enrolled {
        name: String,
        faces: usize,
        skipped: Option<usize>,
    },
    Renamed {
        from: String,
        to: String,
    },
    Removed(String),
    Exported {
        people: usize,
        file: PathBuf,
    },
    /// `left_out`: who could not be recomputed for these models, and why.
    Imported {
        names: Vec<String>,
        left_out: Option<String>,
    },
    /// The face in view was marked as not `name`; `count` are marked so now. `face` names the
    /// mark (its crop in the gallery), so it can be taken back (`Session::unmark`).
    MarkedNot {
        name: String,
        count: usize,
        face: String,
    },
    /// One mark was taken back; `count` are left.
    Unmarked {
        name: String,
        count: usize,
    },
}

impl Session {
    /// Starts capturing `samples` faces of `name` from the stream.
    pub fn start_capture(&mut self, name: &str, samples: usize) -> Result<Progress, SessionError> {
        let name = self
            .gallery
            .as_ref()
            .ok_or(SessionError::NotLoaded)?
            .admit(name)?;
        let capture = Capture::new(name, samples);
        let progress = capture.progress();
        self.capture = Some(capture);
        Ok(progress)
    }

    /// Stops a capture; nothing is saved.
    pub fn cancel_capture(&mut self) {
        self.capture = None;
    }

    pub(super) fn finish_capture(&mut self) -> Result<GalleryChange, SessionError> {
        let capture = self.capture.take().ok_or(SessionError::NoCapture)?;
        let faces = capture.faces.len();
        self.enroll_checked(capture.name.clone(), capture.faces, &[], false)?;
        Ok(GalleryChange::Enrolled {
            name: capture.name,
            faces,
            skipped: None,
        })
    }

    /// The name of an enrollment held back because its faces look like someone enrolled,
    /// waiting for the user to say "enroll anyway" or cancel.
    pub fn pending_enroll(&self) -> Option<&str> {
        self.pending.as_ref().map(|(name, _)| name.as_str())
    }

    /// Enrolls the held-back faces after all.
    pub fn enroll_anyway(&mut self) -> Result<GalleryChange, SessionError> {
        let (name, faces) = self.pending.take().ok_or(SessionError::NothingPending)?;
        let count = faces.len();
        self.enroll_checked(name.clone(), faces, &[], true)?;
        Ok(GalleryChange::Enrolled {
            name,
            faces: count,
            skipped: None,
        })
    }

    /// Forgets the held-back enrollment.
    pub fn drop_pending(&mut self) {
        self.pending = None;
    }

    /// Enrolls `faces` (from `files`, when they came from photos, to name the odd ones out);
    /// faces that look like someone enrolled are held back (see [`Session::enroll_anyway`]).
    fn enroll_checked(
        &mut self,
        name: String,
        faces: Vec<Frame>,
        files: &[PathBuf],
        force: bool,
    ) -> Result<(), SessionError> {
        let (Some(pipeline), Some(gallery)) = (self.pipeline.as_mut(), self.gallery.as_mut())
        else {
            return Err(SessionError::NotLoaded);
        };
        match enroll::enroll(pipeline, gallery, &name, &faces, force) {
            Ok(()) => {
                self.reset_tracks();
                Ok(())
            }
            Err(e @ enroll::EnrollError::LooksLike { .. }) => {
                self.pending = Some((name, faces));
                Err(e.into())
            }
            Err(enroll::EnrollError::SeveralPeople { odd, .. }) if !files.is_empty() => {
                Err(SessionError::SeveralPeople(
                    odd.iter().filter_map(|&i| files.get(i).cloned()).collect(),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Enrolls `name` from the photos in `folder`.
    pub fn enroll_from_folder(
        &mut self,
        name: &str,
        folder: &Path,
    ) -> Result<GalleryChange, SessionError> {
        let pipeline = self.pipeline.as_mut().ok_or(SessionError::NotLoaded)?;
        let files = list_images(folder)?;
        let mut faces = Vec::new();
        let mut used = Vec::new();
        for path in &files {
            let aligned = decode_file(path).ok().and_then(|frame| {
                pipeline
                    .align(&frame)
                    .ok()
                    .flatten()
                    .map(|o| o.aligned.clone())
            });
            if let Some(face) = aligned {
                faces.push(face);
                used.push(path.clone());
            }
        }
        if faces.len() < MIN_SAMPLES {
            return Err(SessionError::TooFewFaces {
                folder: folder.to_path_buf(),
                found: faces.len(),
                images: files.len(),
            });
        }
        let count = faces.len();
        self.enroll_checked(name.to_string(), faces, &used, false)?;
        Ok(GalleryChange::Enrolled {
            name: name.to_string(),
            faces: count,
            skipped: Some(files.len() - count),
        })
    }

    pub fn rename(&mut self, old: &str, new: &str) -> Result<GalleryChange, SessionError> {
        let gallery = self.gallery_mut()?;
        let from = gallery
            .find(old)
            .map_or_else(|| old.to_string(), |i| gallery.people()[i].name.clone());
        gallery.rename(old, new)?;
        self.reset_tracks();
        Ok(GalleryChange::Renamed {
            from,
            to: new.trim().to_string(),
        })
    }

    /// Removes a person; a verify mode on them goes back to identification.
    pub fn remove(&mut self, name: &str) -> Result<GalleryChange, SessionError> {
        let person = self.gallery_mut()?.remove(name)?;
        // Tracks hold gallery positions, which the removal shifted: none may keep a name.
        self.reset_tracks();
        if let MatchMode::Verify(id) = &self.mode {
            if self.gallery.as_ref().and_then(|g| g.find_id(id)).is_none() {
                self.mode = MatchMode::Identify;
            }
        }
        Ok(GalleryChange::Removed(person.name))
    }

    /// "Not X": the face shown with the name `name` is someone else. Its embeddings join the
    /// faces marked as not them, and every track starts again, so none keeps the name.
    pub fn mark_not(&mut self, name: &str) -> Result<GalleryChange, SessionError> {
        let person = self
            .gallery
            .as_ref()
            .ok_or(SessionError::NotLoaded)?
            .find(name)
            .ok_or_else(|| GalleryError::UnknownPerson(name.to_string()))?;
        let face = match &self.mode {
            MatchMode::Identify => {
                let shown = self.shown_track();
                self.visible()
                    .find(|t| Some(t.id) == shown)
                    .filter(
                        |t| matches!(t.verdict, Verdict::Named { person: p, .. } if p == person),
                    )
                    .map(|t| t.aligned.clone())
            }
            MatchMode::Verify(_) => self
                .output()
                .filter(|o| o.matched.accepted.map(|s| s.person) == Some(person))
                .map(|o| o.aligned.clone()),
        };
        let (Some(pipeline), Some(gallery)) = (self.pipeline.as_mut(), self.gallery.as_mut())
        else {
            return Err(SessionError::NotLoaded);
        };
        let face = face
            .filter(|f| f.width() > 1)
            .ok_or_else(|| SessionError::NotInView(name.to_string()))?;
        let embeddings = enroll::templates(pipeline, std::slice::from_ref(&face))?;
        let prints = enroll::fingerprints(pipeline.models());
        let name = gallery.people()[person].name.clone();
        let marked = gallery.add_not(&name, &face, embeddings, &prints)?;
        self.reset_tracks();
        Ok(GalleryChange::MarkedNot {
            name,
            count: marked.count,
            face: marked.face,
        })
    }

    /// Takes back the mark `mark_not` made on `face`: a click on the wrong name's button is
    /// undone where it was made. The tracks start again, so faces it refused may be named.
    pub fn unmark(&mut self, name: &str, face: &str) -> Result<GalleryChange, SessionError> {
        let count = self.gallery_mut()?.remove_not(name, face)?;
        self.reset_tracks();
        Ok(GalleryChange::Unmarked {
            name: name.to_string(),
            count,
        })
    }

    pub fn export(&mut self, file: &Path, passphrase: &str) -> Result<GalleryChange, SessionError> {
        let people = crate::gallery::export(self.gallery_mut()?, passphrase, file)?;
        Ok(GalleryChange::Exported {
            people,
            file: file.to_path_buf(),
        })
    }

    /// Adds the people of an export; templates made on another Pi with other models are
    /// recomputed for these.
    pub fn import(&mut self, file: &Path, passphrase: &str) -> Result<GalleryChange, SessionError> {
        let (Some(pipeline), Some(gallery)) = (self.pipeline.as_mut(), self.gallery.as_mut())
        else {
            return Err(SessionError::NotLoaded);
        };
        let names = crate::gallery::import(gallery, passphrase, file)?;
        let left_out = enroll::refresh(pipeline, gallery).left_out();
        self.reset_tracks();
        Ok(GalleryChange::Imported { names, left_out })
    }

    fn gallery_mut(&mut self) -> Result<&mut Gallery, SessionError> {
        self.gallery.as_mut().ok_or(SessionError::NotLoaded)
    }
}
