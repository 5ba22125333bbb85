//! The on-disk form of `gallery.json` and the checks a hand-edited file must pass.

use serde::{Deserialize, Serialize};

use super::name::{clean_name, same_name};
use super::not::{NotFace, MAX_NOT};
use super::GalleryError;
use crate::matching::EMBEDDING_DIMS;
use crate::resolution::Resolution;

/// 2 keeps the model fingerprints per person; 1 kept one set for the whole file and is
/// read and migrated (see [`GalleryFile::migrate`]).
pub const SCHEMA_VERSION: u32 = 2;
pub const MAX_PEOPLE: usize = 5;
/// Most enrolled faces one person keeps: the window captures at most 100, `lrfr enroll` keeps
/// the first this many. Export and import hold every person to it, which bounds what an
/// import decodes (5 x 200 crops of 37 kB) however the file was made.
pub const MAX_FACES: usize = 200;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GalleryFile {
    pub schema_version: u32,
    /// Schema 1 only: one set of fingerprints for everyone. Read to migrate, never written.
    #[serde(default, skip_serializing)]
    pub models: PerRes<String>,
    pub people: Vec<Person>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Person {
    pub name: String,
    /// Folder under `faces/` holding this person's enrolled crops; generated, never a name.
    pub id: String,
    /// Seconds since the Unix epoch.
    pub created: u64,
    pub samples: u32,
    /// Enrolled 112x112 aligned faces (PNG; JPEG in galleries made before), relative to the
    /// gallery folder.
    pub faces: Vec<String>,
    /// Mean of the sample embeddings, re-normalised, per resolution.
    pub embeddings: PerRes<Vec<f32>>,
    /// Per resolution, the DSR + EdgeFace checksums this person's embedding was computed
    /// with: a person recomputed with other models is labelled as such, nobody else is.
    #[serde(default)]
    pub models: PerRes<String>,
    /// Faces the user said are not this person ("not X"), made by the same models.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not: Vec<NotFace>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PerRes<T> {
    #[serde(rename = "16")]
    pub r16: T,
    #[serde(rename = "24")]
    pub r24: T,
    #[serde(rename = "32")]
    pub r32: T,
}

impl<T> PerRes<T> {
    pub fn get(&self, res: Resolution) -> &T {
        match res {
            Resolution::R16 => &self.r16,
            Resolution::R24 => &self.r24,
            Resolution::R32 => &self.r32,
        }
    }

    pub fn get_mut(&mut self, res: Resolution) -> &mut T {
        match res {
            Resolution::R16 => &mut self.r16,
            Resolution::R24 => &mut self.r24,
            Resolution::R32 => &mut self.r32,
        }
    }
}

impl GalleryFile {
    pub fn empty() -> GalleryFile {
        GalleryFile {
            schema_version: SCHEMA_VERSION,
            ..GalleryFile::default()
        }
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.people
            .iter()
            .position(|p| same_name(&p.name, name.trim()))
    }

    /// Checks that `name` can be enrolled now and returns it cleaned.
    pub fn admit(&self, name: &str) -> Result<String, GalleryError> {
        let name = clean_name(name).map_err(GalleryError::BadName)?;
        if self.find(&name).is_some() {
            return Err(GalleryError::NameTaken(name));
        }
        if self.people.len() >= MAX_PEOPLE {
            return Err(GalleryError::Full);
        }
        Ok(name)
    }

    /// Brings a schema 1 file to schema 2: everyone's embeddings were made with the file's
    /// one set of models.
    pub fn migrate(&mut self) {
        if self.schema_version == 1 {
            let models = std::mem::take(&mut self.models);
            for person in &mut self.people {
                person.models = models.clone();
            }
            self.schema_version = SCHEMA_VERSION;
        }
    }

    pub fn find_id(&self, id: &str) -> Option<usize> {
        self.people.iter().position(|p| p.id == id)
    }

    /// Everything a hand edit can get wrong, as one message naming the first problem.
    pub fn check(&self) -> Result<(), String> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(format!(
                "schema_version {} is not the {SCHEMA_VERSION} this lrfr understands",
                self.schema_version
            ));
        }
        if self.people.len() > MAX_PEOPLE {
            return Err(format!(
                "{} people listed; the gallery holds at most {MAX_PEOPLE}",
                self.people.len()
            ));
        }
        for (i, person) in self.people.iter().enumerate() {
            let name = clean_name(&person.name).map_err(|e| format!("person {}: {e}", i + 1))?;
            if let Some(other) = self.people[..i].iter().find(|p| same_name(&p.name, &name)) {
                return Err(format!(
                    "{:?} and {:?} are the same name",
                    other.name, person.name
                ));
            }
            if !is_safe_id(&person.id) {
                return Err(format!(
                    "{name}: id {:?} is not a plain folder name",
                    person.id
                ));
            }
            if let Some(other) = self.people[..i].iter().find(|p| p.id == person.id) {
                return Err(format!(
                    "{:?} and {:?} have the same id {:?}, so they would share face images",
                    other.name, person.name, person.id
                ));
            }
            for face in &person.faces {
                if !is_safe_face_path(face) {
                    return Err(format!(
                        "{name}: face path {face:?} leaves the gallery folder"
                    ));
                }
            }
            if person.not.len() > MAX_NOT {
                return Err(format!(
                    "{name}: {} faces marked as not them; at most {MAX_NOT}",
                    person.not.len()
                ));
            }
            for not in &person.not {
                not.check(&name)?;
            }
            for res in Resolution::ALL {
                let embedding = person.embeddings.get(res);
                if embedding.len() != EMBEDDING_DIMS {
                    return Err(format!(
                        "{name}: the {res} px embedding has {} values, not {EMBEDDING_DIMS}",
                        embedding.len()
                    ));
                }
                if embedding.iter().any(|v| !v.is_finite()) {
                    return Err(format!(
                        "{name}: the {res} px embedding holds NaN or infinite values"
                    ));
                }
            }
        }
        Ok(())
    }
}

pub fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Whether `id` has the form lrfr gives the folders it makes: `p` and 16 random hex digits,
/// or `p<seconds>-<pid>-<n>` from galleries made before. Only such folders are ever deleted.
pub fn is_lrfr_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix('p') else {
        return false;
    };
    let random = rest.len() == 16 && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let parts: Vec<&str> = rest.split('-').collect();
    let dated = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    random || dated
}

/// `faces/<id>/<file>.png` (or `.jpg`, from older galleries) with plain components only.
pub fn is_safe_face_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    parts.len() == 3
        && parts[0] == "faces"
        && is_safe_id(parts[1])
        && parts[2]
            .strip_suffix(".png")
            .or_else(|| parts[2].strip_suffix(".jpg"))
            .is_some_and(is_safe_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn face_paths_cannot_escape() {
        assert!(is_safe_face_path("faces/p1-a/003.jpg"));
        assert!(is_safe_face_path("faces/p1-a/003.png"));
        assert!(!is_safe_face_path("faces/p1-a/003.gif"));
        assert!(!is_safe_face_path("faces/../x/003.jpg"));
        assert!(!is_safe_face_path("/etc/passwd"));
        assert!(!is_safe_face_path("faces/p1/../../a.jpg"));
        assert!(!is_safe_face_path("faces/p1/a.b.png"));
    }

    #[test]
    fn only_lrfr_made_ids_are_its_own() {
        assert!(is_lrfr_id("p0123456789abcdef"));
        assert!(is_lrfr_id("p1732000000-4242-0"));
        for other in [
            "Alice",
            "p",
            "p0123456789ABCDEF",
            "p123",
            "p1-2",
            "holiday-2024",
            "p1--2",
        ] {
            assert!(!is_lrfr_id(other), "{other}");
        }
    }
}
