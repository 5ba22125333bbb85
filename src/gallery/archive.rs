//! A whole gallery as one encrypted file, to move it to another Pi or keep a backup: a tar of
//! `gallery.json` and the enrolled crops, inside age's passphrase (scrypt) encryption. Both
//! layers are standard, so `age -d FILE | tar t` lists it. Import reads the whole file under
//! fixed bounds and checks every part of it before the live gallery is touched.

use std::io::{Read, Write};
use std::path::Path;

use age::secrecy::SecretString;

use super::crop::{self, MAX_CROP_BYTES};
use super::file::{is_safe_face_path, GalleryFile, Person, MAX_FACES};
use super::{store, Gallery, GalleryError, NewPerson, FILE_NAME, MAX_NOT, MAX_PEOPLE};

/// Largest export file import reads: five people of 100 crops each is about 4 MB.
pub const MAX_ARCHIVE_BYTES: u64 = 64 << 20;
/// Largest single entry (gallery.json or a crop).
const MAX_ENTRY_BYTES: u64 = MAX_CROP_BYTES;
/// Most entries: gallery.json and every person's crops.
const MAX_ENTRIES: usize = 1 + MAX_PEOPLE * (MAX_FACES + MAX_NOT);
/// scrypt cost of an export: 2^16 (64 MB of memory, about a quarter of a second here).
const WORK_FACTOR: u8 = 16;
/// Dearest scrypt import accepts: 2^18 needs 256 MB, which a 4 GB Pi can spare; a file asking
/// more is refused instead of exhausting memory.
const MAX_WORK_FACTOR: u8 = 18;

fn archive_error(path: &Path, reason: impl std::fmt::Display) -> GalleryError {
    GalleryError::Archive {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Writes everyone in `gallery` and their crops to `out`, encrypted with `passphrase`;
/// returns how many people were exported. The file is owner-only and written atomically.
pub fn export(gallery: &Gallery, passphrase: &str, out: &Path) -> Result<usize, GalleryError> {
    if passphrase.is_empty() {
        return Err(archive_error(
            out,
            "an empty passphrase would protect nothing",
        ));
    }
    // Whatever import would refuse is refused here, before anything is written.
    for person in gallery.people() {
        check_faces(person).map_err(|reason| archive_error(out, reason))?;
    }
    let mut tar = tar::Builder::new(Vec::new());
    let json = serde_json::to_vec_pretty(&gallery.file).map_err(|e| archive_error(out, e))?;
    append(&mut tar, FILE_NAME, &json).map_err(|e| archive_error(out, e))?;
    for person in gallery.people() {
        for rel in crops(person) {
            let path = gallery.dir().join(rel);
            let bytes = crate::bounded::read(&path, MAX_ENTRY_BYTES)
                .map_err(|source| GalleryError::Io { path, source })?;
            append(&mut tar, rel, &bytes).map_err(|e| archive_error(out, e))?;
            if tar.get_ref().len() as u64 > MAX_ARCHIVE_BYTES {
                return Err(archive_error(out, too_large()));
            }
        }
    }
    let plain = tar.into_inner().map_err(|e| archive_error(out, e))?;
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase.to_owned()));
    recipient.set_work_factor(WORK_FACTOR);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
        .map_err(|e| archive_error(out, e))?;
    let mut sealed = Vec::with_capacity(plain.len() + 256);
    let mut writer = encryptor
        .wrap_output(&mut sealed)
        .map_err(|e| archive_error(out, e))?;
    writer
        .write_all(&plain)
        .and_then(|()| writer.finish().map(drop))
        .map_err(|e| archive_error(out, e))?;
    if sealed.len() as u64 > MAX_ARCHIVE_BYTES {
        return Err(archive_error(out, too_large()));
    }
    store::write_atomic(out, &sealed).map_err(|source| GalleryError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(gallery.len())
}

fn too_large() -> String {
    format!(
        "the enrolled faces come to more than an export may hold ({} MB); remove someone or \
         re-enroll them from fewer photos",
        MAX_ARCHIVE_BYTES >> 20
    )
}

/// Every crop a person's entry names: their enrolled faces and the faces marked as not them.
fn crops(person: &Person) -> impl Iterator<Item = &String> {
    person
        .faces
        .iter()
        .chain(person.not.iter().map(|n| &n.face))
}

/// The limits import holds a person's faces to: at most [`MAX_FACES`], each listed once (one crop listed 20,000 times would be decoded 20,000 times).
fn check_faces(person: &Person) -> Result<(), String> {
    let count = person.faces.len();
    if count > MAX_FACES {
        return Err(format!(
            "{}: {count} enrolled faces; an export holds at most {MAX_FACES} per \
             person",
            person.name
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(count + person.not.len());
    if let Some(twice) = crops(person).find(|rel| !seen.insert(rel.as_str())) {
        return Err(format!("{}: {twice} is listed twice", person.name));
    }
    Ok(())
}

fn append(tar: &mut tar::Builder<Vec<u8>>, path: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, path, bytes)
}

/// Adds the people in the export `file` to `gallery`; returns their names. Nothing is
/// written unless the passphrase opens the file, every entry is within bounds, the JSON
/// passes the same checks as `gallery.json`, every crop decodes, and the live gallery has
/// room for all of them under names nobody there has.
pub fn import(
    gallery: &mut Gallery,
    passphrase: &str,
    file: &Path,
) -> Result<Vec<String>, GalleryError> {
    let entries = open(passphrase, file)?;
    let json = entries
        .iter()
        .find(|(path, _)| path == FILE_NAME)
        .ok_or_else(|| archive_error(file, "it holds no gallery.json"))?;
    let mut imported: GalleryFile =
        serde_json::from_slice(&json.1).map_err(|e| archive_error(file, e))?;
    imported.migrate();
    imported
        .check()
        .map_err(|reason| archive_error(file, reason))?;
    for person in &imported.people {
        check_faces(person).map_err(|reason| archive_error(file, reason))?;
    }
    let mut people = Vec::with_capacity(imported.people.len());
    for person in imported.people {
        let crop_of = |rel: &str| {
            let bytes = entries
                .iter()
                .find(|(path, _)| path == rel)
                .ok_or_else(|| archive_error(file, format!("{}: {rel} is missing", person.name)))?;
            crop::decode(&bytes.1)
                .map_err(|reason| archive_error(file, format!("{}: {rel}: {reason}", person.name)))
        };
        let faces = person
            .faces
            .iter()
            .map(|rel| crop_of(rel))
            .collect::<Result<Vec<_>, _>>()?;
        let not = person
            .not
            .iter()
            .map(|n| Ok((crop_of(&n.face)?, n.embeddings.clone())))
            .collect::<Result<Vec<_>, GalleryError>>()?;
        people.push(NewPerson {
            name: person.name,
            faces,
            embeddings: person.embeddings,
            models: person.models,
            not,
        });
    }
    let names = people.iter().map(|p| p.name.clone()).collect();
    gallery.add_all(people)?;
    Ok(names)
}

/// Decrypts `file` and lists its entries, refusing anything outside the bounds above.
fn open(passphrase: &str, file: &Path) -> Result<Vec<(String, Vec<u8>)>, GalleryError> {
    let io = |source| GalleryError::Io {
        path: file.to_path_buf(),
        source,
    };
    // Read through the cap, not by the size the file claims: `/dev/zero` and a pipe claim 0.
    let sealed = crate::bounded::read(file, MAX_ARCHIVE_BYTES).map_err(|e| match e.kind() {
        std::io::ErrorKind::FileTooLarge => archive_error(
            file,
            format!("more than an export can be ({MAX_ARCHIVE_BYTES} bytes)"),
        ),
        _ => io(e),
    })?;
    let decryptor = age::Decryptor::new(&sealed[..])
        .map_err(|e| archive_error(file, format!("not an lrfr export ({e})")))?;
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                archive_error(file, "wrong passphrase, or the file is damaged")
            }
            e => archive_error(file, format!("cannot decrypt it: {e}")),
        })?;
    let mut plain = Vec::new();
    reader
        .take(MAX_ARCHIVE_BYTES + 1)
        .read_to_end(&mut plain)
        .map_err(|e| archive_error(file, format!("cannot decrypt it: {e}")))?;
    if plain.len() as u64 > MAX_ARCHIVE_BYTES {
        return Err(archive_error(
            file,
            "its content is larger than an export can be",
        ));
    }
    let mut entries = Vec::new();
    let mut archive = tar::Archive::new(&plain[..]);
    for entry in archive.entries().map_err(|e| archive_error(file, e))? {
        let entry = entry.map_err(|e| archive_error(file, e))?;
        if entries.len() == MAX_ENTRIES {
            return Err(archive_error(file, "it holds too many files"));
        }
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(archive_error(file, "it holds something other than files"));
        }
        let path = entry
            .path()
            .map_err(|e| archive_error(file, e))?
            .to_str()
            .map(str::to_owned)
            .ok_or_else(|| archive_error(file, "a file name is not UTF-8"))?;
        if path != FILE_NAME && !is_safe_face_path(&path) {
            return Err(archive_error(
                file,
                format!("{path:?} is not a gallery file"),
            ));
        }
        let size = entry.size();
        if size > MAX_ENTRY_BYTES {
            return Err(archive_error(file, format!("{path} is {size} bytes")));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        entry
            .take(MAX_ENTRY_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| archive_error(file, e))?;
        entries.push((path, bytes));
    }
    Ok(entries)
}
