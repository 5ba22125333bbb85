//! "Not X": faces the user said are not a person. Each is kept with the person (its aligned
//! crop, to recompute after a model change, and its embedding per resolution), and a face at
//! least as close to one of them as to the person's template is not given their name
//! (`MatchResult::refuse`). A look-alike the model confuses with someone enrolled is then
//! refused on their other photos too, while the person's own faces, closer to their template,
//! still pass.

use serde::{Deserialize, Serialize};

use super::file::{is_lrfr_id, is_safe_face_path, PerRes};
use super::store::{random_hex, write_png};
use super::{Gallery, GalleryError};
use crate::frame::Frame;
use crate::matching::{cosine, EMBEDDING_DIMS};
use crate::resolution::Resolution;

/// Most faces one person can be told apart from. Each is checked on every match of theirs,
/// and an export holds them all.
pub const MAX_NOT: usize = 20;

/// Cosine at or above which, at every resolution, a face is the one a mark was made on: the
/// same photo aligned and embedded again by the same models scores 1.0 (up to rounding). A
/// near-identical photo (the next frame of a burst) may pass too, and means the same face.
pub const SAME_FACE: f32 = 0.99;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NotFace {
    /// The aligned 112x112 face (PNG), relative to the gallery folder, in the person's folder.
    pub face: String,
    pub embeddings: PerRes<Vec<f32>>,
}

impl NotFace {
    /// What a hand edit can get wrong in one entry of `name`'s list.
    pub(super) fn check(&self, name: &str) -> Result<(), String> {
        if !is_safe_face_path(&self.face) {
            return Err(format!(
                "{name}: face path {:?} leaves the gallery folder",
                self.face
            ));
        }
        for res in Resolution::ALL {
            let embedding = self.embeddings.get(res);
            if embedding.len() != EMBEDDING_DIMS || embedding.iter().any(|v| !v.is_finite()) {
                return Err(format!(
                    "{name}: the {res} px embedding of {} is not {EMBEDDING_DIMS} finite values",
                    self.face
                ));
            }
        }
        Ok(())
    }
}

/// A mark `add_not` made.
#[derive(Debug, Clone, PartialEq)]
pub struct Marked {
    /// How many faces are marked as not the person now.
    pub count: usize,
    /// The new mark's crop, relative to the gallery folder: what `remove_not` takes back.
    pub face: String,
}

impl Gallery {
    /// Marks `face` (an aligned crop, with its embeddings made by the models of `fingerprints`)
    /// as not the person called `name`. The person's own embeddings must come from the same
    /// models, so every score compared is alike.
    pub fn add_not(
        &mut self,
        name: &str,
        face: &Frame,
        embeddings: PerRes<Vec<f32>>,
        fingerprints: &PerRes<String>,
    ) -> Result<Marked, GalleryError> {
        let dir = self.dir.clone();
        let mut written = None;
        let result = self.update(|file| {
            let index = file
                .find(name)
                .ok_or_else(|| GalleryError::UnknownPerson(name.to_string()))?;
            let person = &mut file.people[index];
            if person.models != *fingerprints {
                return Err(GalleryError::OtherModels(person.name.clone()));
            }
            if person.not.len() >= MAX_NOT {
                return Err(GalleryError::TooManyNot(person.name.clone()));
            }
            // A folder named by hand is the user's: lrfr adds nothing to it.
            if !is_lrfr_id(&person.id) {
                return Err(GalleryError::Foreign {
                    path: dir.join("faces").join(&person.id),
                    reason: "is a folder lrfr did not name; re-enroll the person to mark faces \
                             as not them"
                        .into(),
                });
            }
            let rel = loop {
                let rel = format!(
                    "faces/{}/not-{}.png",
                    person.id,
                    random_hex(4).map_err(|source| GalleryError::Io {
                        path: dir.clone(),
                        source,
                    })?
                );
                if !dir.join(&rel).exists() {
                    break rel;
                }
            };
            let path = dir.join(&rel);
            write_png(&path, face).map_err(|source| GalleryError::Io {
                path: path.clone(),
                source,
            })?;
            written = Some(path);
            person.not.push(NotFace {
                face: rel.clone(),
                embeddings,
            });
            Ok(Marked {
                count: person.not.len(),
                face: rel,
            })
        });
        // Saving failed after the crop was written: the JSON does not name it, so it goes.
        if let (Err(_), Some(path)) = (&result, written) {
            let _ = std::fs::remove_file(path);
        }
        result
    }

    /// Forgets every face marked as not the person called `name`; returns how many there were.
    /// A mark made by mistake, on the person's own face, refuses a share of their faces (a
    /// fifth of 15 validation people's photos at 16 px, docs/accuracy.md), and this undoes it.
    pub fn clear_not(&mut self, name: &str) -> Result<usize, GalleryError> {
        let (id, cleared) = self.update(|file| {
            let index = file
                .find(name)
                .ok_or_else(|| GalleryError::UnknownPerson(name.to_string()))?;
            let person = &mut file.people[index];
            Ok((person.id.clone(), std::mem::take(&mut person.not)))
        })?;
        self.delete_crops(&id, &cleared);
        Ok(cleared.len())
    }

    /// Forgets the one mark whose crop is `face` (as `add_not` named it), the window's undo
    /// right after a mark; returns how many are left. The others stay: each was a separate
    /// "not X", and only this one is being taken back.
    pub fn remove_not(&mut self, name: &str, face: &str) -> Result<usize, GalleryError> {
        let (id, removed, left) = self.update(|file| {
            let index = file
                .find(name)
                .ok_or_else(|| GalleryError::UnknownPerson(name.to_string()))?;
            let person = &mut file.people[index];
            let at = person
                .not
                .iter()
                .position(|n| n.face == face)
                .ok_or_else(|| GalleryError::NotMarked(person.name.clone()))?;
            let removed = person.not.remove(at);
            Ok((person.id.clone(), removed, person.not.len()))
        })?;
        self.delete_crops(&id, std::slice::from_ref(&removed));
        Ok(left)
    }

    /// Deletes the crops of marks the JSON no longer names, where lrfr wrote them
    /// (`not-<hex>.png` in a folder it named); any other path a hand edit put in the list is
    /// the user's and stays. Failing to delete one loses nothing.
    fn delete_crops(&self, id: &str, forgotten: &[NotFace]) {
        for not in forgotten.iter().filter(|n| written_by_lrfr(id, &n.face)) {
            let _ = std::fs::remove_file(self.dir.join(&not.face));
        }
    }

    /// The mark of the person at `index` whose face `embeddings` are (the same photo's face
    /// again: every resolution at cosine [`SAME_FACE`] or more), as `add_not` named it, so a
    /// user can take back the mark of one photo. `None` when no mark is that face.
    pub fn find_not(&self, index: usize, embeddings: &PerRes<Vec<f32>>) -> Option<String> {
        let person = self.file.people.get(index)?;
        person
            .not
            .iter()
            .map(|n| {
                let least = Resolution::ALL
                    .iter()
                    .map(|&r| cosine(n.embeddings.get(r), embeddings.get(r)))
                    .fold(f32::INFINITY, f32::min);
                (n, least)
            })
            .filter(|(_, least)| *least >= SAME_FACE)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(n, _)| n.face.clone())
    }

    /// The embeddings at `res` of the faces marked as not the person at `index`.
    pub fn not_embeddings(
        &self,
        index: usize,
        res: Resolution,
    ) -> impl Iterator<Item = &[f32]> + '_ {
        self.file
            .people
            .get(index)
            .into_iter()
            .flat_map(move |p| p.not.iter().map(move |n| n.embeddings.get(res).as_slice()))
    }
}

/// Whether `face` is a crop `add_not` wrote for the person whose folder is `id`.
fn written_by_lrfr(id: &str, face: &str) -> bool {
    is_lrfr_id(id)
        && face
            .strip_prefix("faces/")
            .and_then(|rest| rest.strip_prefix(id))
            .and_then(|rest| rest.strip_prefix("/not-"))
            .and_then(|rest| rest.strip_suffix(".png"))
            .is_some_and(|hex| !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(face: &str, dims: usize) -> NotFace {
        let v = vec![0.1; dims];
        NotFace {
            face: face.into(),
            embeddings: PerRes {
                r16: v.clone(),
                r24: v.clone(),
                r32: v,
            },
        }
    }

    #[test]
    fn a_hand_edited_entry_is_checked_like_an_enrolled_face() {
        assert!(entry("faces/p0123abcd/not-00ff.png", EMBEDDING_DIMS)
            .check("Ada")
            .is_ok());
        let outside = entry("../elsewhere.png", EMBEDDING_DIMS).check("Ada");
        assert!(outside.unwrap_err().contains("leaves the gallery folder"));
        let short = entry("faces/p0123abcd/not-00ff.png", 511).check("Ada");
        assert!(short.unwrap_err().contains("512 finite values"));
    }

    #[test]
    fn only_crops_lrfr_wrote_are_deleted_on_unmark() {
        let id = "p0123456789abcdef";
        assert!(written_by_lrfr(
            id,
            "faces/p0123456789abcdef/not-00ff12ab.png"
        ));
        // Another person's crop, the user's own file, a path that steps out: kept.
        assert!(!written_by_lrfr(
            id,
            "faces/p1111111111111111/not-00ff12ab.png"
        ));
        assert!(!written_by_lrfr(id, "faces/p0123456789abcdef/holiday.png"));
        assert!(!written_by_lrfr(id, "faces/p0123456789abcdef/not-../x.png"));
        assert!(!written_by_lrfr(id, "faces/p0123456789abcdef/not-.png"));
        // A folder the user named is never lrfr's to delete from.
        assert!(!written_by_lrfr("ada", "faces/ada/not-00ff12ab.png"));
    }
}
