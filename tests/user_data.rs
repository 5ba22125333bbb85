//! What the user owns is never deleted, damaged, narrowed or read without bound: the user's
//! own files beside a gallery, a damaged gallery.json and its crops, folders lrfr did not
//! make, imports and exports at their limits, endless inputs. Needs no data; the commands
//! that load models use the shipped ones.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{plain_faces as faces, prints, templates, unit};
use lrfr::frame::Frame;
use lrfr::gallery::{Gallery, GalleryError, FILE_NAME, MAX_FACES};

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `lrfr` with `args` on the shipped models, run in `cwd`, its output whatever the exit.
fn lrfr_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .current_dir(cwd)
        .arg("--models")
        .arg(common::models_dir())
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_users_own_photos_beside_the_faces_are_never_deleted() {
    let dir = common::scratch("own-photos");
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    gallery
        .add("Ada", &faces(), templates(1), prints())
        .unwrap();
    // The user keeps photos of their own in the gallery's faces/ folder.
    std::fs::create_dir_all(dir.join("faces/Alice")).unwrap();
    std::fs::write(dir.join("faces/Alice/1.jpg"), b"a photo").unwrap();
    let error = gallery
        .add("Bob", &faces(), templates(2), prints())
        .unwrap_err();
    assert!(matches!(error, GalleryError::Foreign { .. }), "{error}");
    assert!(error.to_string().contains("faces/Alice"), "{error}");
    let error = gallery.rename("Ada", "Robert").unwrap_err();
    assert!(matches!(error, GalleryError::Foreign { .. }), "{error}");
    assert_eq!(
        std::fs::read(dir.join("faces/Alice/1.jpg")).unwrap(),
        b"a photo"
    );
    assert_eq!(Gallery::open(&dir).unwrap().0.len(), 1, "nothing changed");
    // Moved out, the gallery works again, and an orphan of lrfr's own form is still swept.
    std::fs::remove_dir_all(dir.join("faces/Alice")).unwrap();
    std::fs::create_dir_all(dir.join("faces/p00000000000000ff")).unwrap();
    gallery.rename("Ada", "Robert").unwrap();
    assert!(!dir.join("faces/p00000000000000ff").exists());
}

#[test]
fn a_linked_faces_folder_is_never_followed() {
    let dir = common::scratch("faces-link");
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(elsewhere.join("p0123456789abcdef")).unwrap();
    set_mode(&elsewhere, 0o755);
    let gallery_dir = dir.join("gallery");
    std::fs::create_dir_all(&gallery_dir).unwrap();
    std::os::unix::fs::symlink(&elsewhere, gallery_dir.join("faces")).unwrap();
    let (mut gallery, _) = Gallery::open(&gallery_dir).unwrap();
    let error = gallery
        .add("Ada", &faces(), templates(1), prints())
        .unwrap_err();
    assert!(error.to_string().contains("is a link"), "{error}");
    assert_eq!(mode(&elsewhere), 0o755, "the link's target was narrowed");
    assert!(
        elsewhere.join("p0123456789abcdef").exists(),
        "swept through the link"
    );
    assert!(!gallery_dir.join(FILE_NAME).exists());
}

#[test]
fn a_damaged_gallery_keeps_its_crops_until_the_user_decides() {
    let dir = common::scratch("damaged-crops");
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    gallery
        .add("Ada", &faces(), templates(1), prints())
        .unwrap();
    let ada = dir.join("faces").join(&gallery.people()[0].id);
    let good = std::fs::read_to_string(dir.join(FILE_NAME)).unwrap();
    // One trailing comma.
    let damaged = good.replacen("\"people\": [", "\"people\": [,", 1);
    std::fs::write(dir.join(FILE_NAME), &damaged).unwrap();

    // Opening reads only: the file stays where it is, as it is.
    let (opened, notice) = Gallery::open(&dir).unwrap();
    let notice = notice.expect("the damage is reported");
    assert!(opened.is_empty());
    assert!(notice.contains("changed nothing"), "{notice}");
    assert_eq!(
        std::fs::read_to_string(dir.join(FILE_NAME)).unwrap(),
        damaged
    );
    // `doctor` and `gallery list` change nothing either.
    for args in [&["doctor"][..], &["gallery", "list"]] {
        let mut all = vec!["--gallery", dir.to_str().unwrap()];
        all.extend_from_slice(args);
        let out = lrfr_in(&dir, &all);
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        assert_eq!(
            std::fs::read_to_string(dir.join(FILE_NAME)).unwrap(),
            damaged
        );
    }

    // Two changes later (a new gallery each time the damage is met), Ada's crops are there.
    let (mut fresh, _) = Gallery::open(&dir).unwrap();
    fresh.add("Bob", &faces(), templates(2), prints()).unwrap();
    let (mut again, _) = Gallery::open(&dir).unwrap();
    again.add("Carl", &faces(), templates(3), prints()).unwrap();
    assert_eq!(
        std::fs::read_dir(&ada).unwrap().count(),
        3,
        "Ada's crops were swept"
    );
    let aside: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read_to_string(&aside[0]).unwrap(), damaged);

    // Restored as the message says: repaired and moved back, Ada is whole again.
    std::fs::write(&aside[0], &good).unwrap();
    std::fs::rename(&aside[0], dir.join(FILE_NAME)).unwrap();
    let (restored, notice) = Gallery::open(&dir).unwrap();
    assert!(notice.is_none());
    assert_eq!(restored.people()[0].name, "Ada");
    assert_eq!(restored.faces(0).unwrap(), faces());
}

#[test]
fn a_folder_lrfr_did_not_make_is_not_narrowed() {
    let dir = common::scratch("not-narrowed");
    // A folder everyone may write to, like /tmp: refused before anything is created in it.
    let shared = dir.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    set_mode(&shared, 0o1777);
    let (mut gallery, _) = Gallery::open(&shared).unwrap();
    let error = gallery
        .add("Ada", &faces(), templates(1), prints())
        .unwrap_err();
    assert!(
        error.to_string().contains("other users can change"),
        "{error}"
    );
    assert_eq!(mode(&shared), 0o1777);
    assert_eq!(
        std::fs::read_dir(&shared).unwrap().count(),
        0,
        "a stray lock was left"
    );
    // The user's own folder, readable by others: used, and left as the user made it.
    let own = dir.join("own");
    std::fs::create_dir_all(&own).unwrap();
    set_mode(&own, 0o755);
    let (mut gallery, _) = Gallery::open(&own).unwrap();
    gallery
        .add("Ada", &faces(), templates(1), prints())
        .unwrap();
    assert_eq!(mode(&own), 0o755);
    assert_eq!(mode(&own.join(FILE_NAME)), 0o600);
    assert_eq!(mode(&own.join("faces")), 0o700);
    // A folder lrfr makes is its own, and owner-only.
    let made = dir.join("made/by/lrfr");
    let (mut gallery, _) = Gallery::open(&made).unwrap();
    gallery
        .add("Ada", &faces(), templates(1), prints())
        .unwrap();
    assert_eq!(mode(&made), 0o700);
}

/// An export of one person whose gallery.json lists `faces` (paths in the archive) and
/// whose archive holds `crops` (path and bytes), sealed with "pw" as lrfr seals them.
fn archive(path: &Path, faces: &[String], crops: &[(String, Vec<u8>)]) {
    use std::io::Write;
    let embedding = serde_json::to_string(&unit(1)).unwrap();
    let json = format!(
        r#"{{"schema_version": 2, "people": [{{"name": "Eve", "id": "p00000000000000aa",
            "created": 1, "samples": 1, "faces": {},
            "embeddings": {{"16": {embedding}, "24": {embedding}, "32": {embedding}}},
            "models": {{"16": "a", "24": "b", "32": "c"}}}}]}}"#,
        serde_json::to_string(faces).unwrap()
    );
    let mut tar = tar::Builder::new(Vec::new());
    let mut entries = vec![(FILE_NAME.to_string(), json.into_bytes())];
    entries.extend_from_slice(crops);
    for (name, bytes) in &entries {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, name, &bytes[..]).unwrap();
    }
    let plain = tar.into_inner().unwrap();
    let mut recipient = age::scrypt::Recipient::new("pw".to_owned().into());
    recipient.set_work_factor(10);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _)).unwrap();
    let mut sealed = Vec::new();
    let mut writer = encryptor.wrap_output(&mut sealed).unwrap();
    writer.write_all(&plain).unwrap();
    writer.finish().unwrap();
    std::fs::write(path, sealed).unwrap();
}

fn png(face: &Frame) -> Vec<u8> {
    let mut bytes = Vec::new();
    face.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .unwrap();
    bytes
}

#[test]
fn an_import_cannot_amplify_one_crop() {
    let dir = common::scratch("import-amplify");
    let crop = (
        "faces/p00000000000000aa/000.png".to_string(),
        png(&faces()[0]),
    );
    let (mut gallery, _) = Gallery::open(&dir.join("g")).unwrap();
    // One crop listed 20,000 times (it cost 746 MB of memory and 471 MB of disk).
    let file = dir.join("many.age");
    archive(
        &file,
        &vec![crop.0.clone(); 20_000],
        std::slice::from_ref(&crop),
    );
    let error = lrfr::gallery::import(&mut gallery, "pw", &file).unwrap_err();
    assert!(
        error.to_string().contains(&format!("at most {MAX_FACES}")),
        "{error}"
    );
    // Listed twice, within the bound.
    archive(&file, &vec![crop.0.clone(); 3], std::slice::from_ref(&crop));
    let error = lrfr::gallery::import(&mut gallery, "pw", &file).unwrap_err();
    assert!(error.to_string().contains("listed twice"), "{error}");
    assert!(!dir.join("g").exists(), "a refused import wrote something");
}

#[test]
fn an_oversized_crop_is_refused_from_its_header() {
    let dir = common::scratch("import-9000");
    let big = (
        "faces/p00000000000000aa/000.png".to_string(),
        common::png_of_zeros(9000, 2, 8),
    );
    let file = dir.join("big.age");
    archive(
        &file,
        std::slice::from_ref(&big.0),
        std::slice::from_ref(&big),
    );
    std::fs::write(dir.join("pw"), "pw\n").unwrap();
    // 9000x9000 RGB is 243 MB decoded; read from the header it costs nothing.
    let (status, peak) = common::run_measured(
        Command::new(env!("CARGO_BIN_EXE_lrfr"))
            .arg("--gallery")
            .arg(dir.join("g"))
            .args(["gallery", "import"])
            .arg(&file)
            .arg("--passphrase-file")
            .arg(dir.join("pw")),
    );
    assert_eq!(status.code(), Some(1));
    assert!(peak < 150 << 20, "peak RSS {} MB", peak >> 20);
    let (mut gallery, _) = Gallery::open(&dir.join("g")).unwrap();
    let error = lrfr::gallery::import(&mut gallery, "pw", &file).unwrap_err();
    assert!(
        error.to_string().contains("9000x9000 is not an aligned"),
        "{error}"
    );
}

/// Runs `args`, killing it after 60 s: an endless read must not hang the suite.
fn finishes(args: &[&std::ffi::OsStr]) -> (Option<i32>, u64) {
    let mut command = Command::new("timeout");
    command.arg("60").arg(env!("CARGO_BIN_EXE_lrfr")).args(args);
    let (status, peak) = common::run_measured(&mut command);
    (status.code(), peak)
}

#[test]
fn endless_inputs_are_read_through_a_cap() {
    let dir = common::scratch("endless");
    let pw = dir.join("pw");
    std::fs::write(&pw, "pw\n").unwrap();
    let g = dir.join("g");
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    let out = dir.join("x.age");
    for args in [
        [
            os("import"),
            os("/dev/zero"),
            os("--passphrase-file"),
            pw.as_os_str(),
        ],
        [
            os("export"),
            out.as_os_str(),
            os("--passphrase-file"),
            os("/dev/zero"),
        ],
    ] {
        let mut all = vec![os("--gallery"), g.as_os_str(), os("gallery")];
        all.extend(args);
        let (code, peak) = finishes(&all);
        assert_eq!(code, Some(1), "{all:?}");
        assert!(peak < 400 << 20, "{all:?}: peak RSS {} MB", peak >> 20);
    }
    // A model file that is /dev/zero.
    let models = dir.join("models");
    std::fs::create_dir_all(&models).unwrap();
    for entry in std::fs::read_dir(common::models_dir()).unwrap().flatten() {
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), models.join(entry.file_name())).unwrap();
        }
    }
    let manifest = std::fs::read_to_string(models.join("manifest.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let landmarks = value["landmarks"]["file"]
        .as_str()
        .expect("the manifest names it");
    std::fs::remove_file(models.join(landmarks)).unwrap();
    std::os::unix::fs::symlink("/dev/zero", models.join(landmarks)).unwrap();
    let (code, peak) = finishes(&[
        os("--models"),
        models.as_os_str(),
        os("identify"),
        os("--res"),
        os("16"),
        pw.as_os_str(),
    ]);
    assert_eq!(code, Some(1));
    assert!(peak < 400 << 20, "peak RSS {} MB", peak >> 20);
}

#[test]
fn export_refuses_what_import_would_refuse_and_writes_beside_a_bare_name() {
    let dir = common::scratch("export-limits");
    let g = dir.join("g");
    let (mut gallery, _) = Gallery::open(&g).unwrap();
    gallery
        .add("Ada", &faces(), templates(1), prints())
        .unwrap();
    std::fs::write(dir.join("pw"), "pw\n").unwrap();
    // The README's own example: a bare file name, in the folder the command runs in.
    let out = lrfr_in(
        &dir,
        &[
            "--gallery",
            "g",
            "gallery",
            "export",
            "backup.age",
            "--passphrase-file",
            "pw",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("exported 1 person to"));
    assert!(dir.join("backup.age").is_file());
    // A person listing more faces than import takes (a hand-edited or very old gallery).
    let json = std::fs::read_to_string(g.join(FILE_NAME)).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let crops = value["people"][0]["faces"].as_array().unwrap().clone();
    let id = value["people"][0]["id"].as_str().unwrap().to_string();
    let mut many = Vec::new();
    for n in 0..=MAX_FACES {
        let rel = format!("faces/{id}/{n:03}.png");
        if n >= crops.len() {
            std::fs::copy(g.join(crops[0].as_str().unwrap()), g.join(&rel)).unwrap();
        }
        many.push(serde_json::Value::String(rel));
    }
    value["people"][0]["faces"] = serde_json::Value::Array(many);
    std::fs::write(g.join(FILE_NAME), value.to_string()).unwrap();
    let (gallery, _) = Gallery::open(&g).unwrap();
    let error = lrfr::gallery::export(&gallery, "pw", &dir.join("over.age")).unwrap_err();
    let error = error.to_string();
    assert!(
        error.contains(&format!("{} enrolled faces", MAX_FACES + 1)),
        "{error}"
    );
    assert!(!dir.join("over.age").exists());
}

#[test]
fn names_that_look_alike_are_one_name() {
    let dir = common::scratch("names-alike");
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    gallery
        .add("Donald", &faces(), templates(1), prints())
        .unwrap();
    for twin in ["Donald\u{200B}", "ＤＯＮＡＬＤ", "\u{202E}Donald"] {
        assert!(
            gallery.add(twin, &faces(), templates(2), prints()).is_err(),
            "{twin:?}"
        );
    }
    assert_eq!(gallery.len(), 1);
    let huge = "x".repeat(3_000_000);
    let error = gallery.remove(&huge).unwrap_err().to_string();
    assert!(error.len() < 200, "{} bytes of message", error.len());
}

#[test]
fn a_wrong_passphrase_says_so() {
    let dir = common::scratch("wrong-passphrase");
    let (mut gallery, _) = Gallery::open(&dir.join("g")).unwrap();
    gallery
        .add("Ada", &faces(), templates(1), prints())
        .unwrap();
    let file = dir.join("b.age");
    lrfr::gallery::export(&gallery, "right", &file).unwrap();
    let (mut other, _) = Gallery::open(&dir.join("o")).unwrap();
    let error = lrfr::gallery::import(&mut other, "wrong", &file).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("wrong passphrase, or the file is damaged"),
        "{error}"
    );
}
