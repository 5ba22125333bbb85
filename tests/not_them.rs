//! "Not X" through the real binary, on the model's own look-alike: at 16 px Thomas Fargo is
//! named Howard Dean. The user says so once, on one photo.

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// `lrfr --gallery GALLERY ARGS...` on the shipped models, which must succeed.
fn lrfr(gallery: &Path, args: &[&str]) -> Output {
    let gallery = [OsStr::new("--gallery"), gallery.as_os_str()];
    common::run_lrfr(gallery.into_iter().chain(args.iter().map(OsStr::new)))
}

/// `lrfr --gallery GALLERY ARGS... --models MODELS`, which must fail with exit code 1 (a
/// clear error, not a usage error or a crash); returns what it wrote to stderr.
fn lrfr_fails(gallery: &Path, args: &[&OsStr]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--gallery")
        .arg(gallery)
        .args(args)
        .arg("--models")
        .arg(common::models_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Howard Dean enrolled as "Dean" from his first three photos.
fn enroll_dean(faces: &Path, gallery: &Path) {
    let mut args = vec!["enroll", "--name", "Dean"];
    let enrolled = photos(faces, "Howard_Dean", 1..=3);
    args.extend(enrolled.iter().map(String::as_str));
    lrfr(gallery, &args);
}

fn photos(faces: &Path, person: &str, numbers: std::ops::RangeInclusive<u32>) -> Vec<String> {
    numbers
        .map(|n| {
            let file = faces.join(person).join(format!("{person}_{n:04}.jpg"));
            file.display().to_string()
        })
        .collect()
}

/// The name `identify --res 16` gives each photo's face.
fn names_at_16(gallery: &Path, files: &[String]) -> Vec<Option<String>> {
    let mut args = vec!["identify", "--json", "--res", "16"];
    args.extend(files.iter().map(String::as_str));
    String::from_utf8_lossy(&lrfr(gallery, &args).stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("one JSON object per line"))
        .map(|row| row["name"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn after_one_not_dean_the_look_alike_is_refused_and_dean_still_passes() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("not-them");
    let home = dir.join("home");
    enroll_dean(&faces, &home);
    // Normalised against the cohort, with templates that hold the enrolled faces at full
    // resolution too, Fargo 3 is already unknown; 2 and 4 are still named.
    let fargo = [2, 4].map(|n| photos(&faces, "Thomas_Fargo", n..=n).remove(0));
    let dean = photos(&faces, "Howard_Dean", 4..=12);
    let dean_named = |gallery: &Path| {
        names_at_16(gallery, &dean)
            .iter()
            .filter(|n| n.as_deref() == Some("Dean"))
            .count()
    };
    let before = names_at_16(&home, &fargo);
    assert!(
        before.iter().all(|n| n.as_deref() == Some("Dean")),
        "the look-alike, before: {before:?}"
    );
    assert_eq!(dean_named(&home), dean.len());

    let first = photos(&faces, "Thomas_Fargo", 1..=1);
    let out = lrfr(&home, &["gallery", "not", "Dean", &first[0]]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("as not Dean") && said.contains("1 marked"),
        "{said}"
    );

    assert_eq!(names_at_16(&home, &fargo), vec![None; 2]);
    assert_eq!(
        dean_named(&home),
        dean.len(),
        "Dean's own photos still pass"
    );
    // Unknown, and why: not under the threshold, but more like the face marked not Dean.
    let said = lrfr(&home, &["identify", "--res", "16", &fargo[0]]);
    let said = String::from_utf8_lossy(&said.stdout);
    assert!(
        said.contains("unknown (closest Dean at")
            && said.contains("more like a face marked not them"),
        "{said}"
    );
    let doctor = lrfr(&home, &["doctor"]);
    let doctor = String::from_utf8_lossy(&doctor.stdout);
    assert!(doctor.contains("1 face (not Dean)"), "{doctor}");

    // Kept through an export and an import, like the rest of the person.
    let secret = dir.join("secret");
    std::fs::write(&secret, "a long passphrase\n").unwrap();
    let (secret, export) = (
        secret.display().to_string(),
        dir.join("dean.age").display().to_string(),
    );
    lrfr(
        &home,
        &["gallery", "export", &export, "--passphrase-file", &secret],
    );
    let pi = dir.join("pi");
    lrfr(
        &pi,
        &["gallery", "import", &export, "--passphrase-file", &secret],
    );
    let list = lrfr(&pi, &["gallery", "list", "--json"]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list["people"][0]["not"], 1, "{list}");
    assert_eq!(names_at_16(&pi, &fargo), vec![None; 2]);
    assert_eq!(dean_named(&pi), dean.len());
}

/// How many of `files` `identify --res 16` names `name`.
fn named_at_16(gallery: &Path, files: &[String], name: &str) -> usize {
    let names = names_at_16(gallery, files);
    names.iter().filter(|n| n.as_deref() == Some(name)).count()
}

#[test]
fn a_mark_made_by_mistake_is_undone_by_unmark() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("not-undone");
    let home = dir.join("home");
    let mut args = vec!["enroll", "--name", "Beckham"];
    let enrolled = photos(&faces, "David_Beckham", 1..=3);
    args.extend(enrolled.iter().map(String::as_str));
    lrfr(&home, &args);
    let own = photos(&faces, "David_Beckham", 5..=20);
    let before = named_at_16(&home, &own, "Beckham");
    assert!(before >= 14, "{before} of {} named before", own.len());

    // His own fourth photo marked "not Beckham": a share of his faces is refused.
    let wrong = photos(&faces, "David_Beckham", 4..=4);
    lrfr(&home, &["gallery", "not", "Beckham", &wrong[0]]);
    let marked = named_at_16(&home, &own, "Beckham");
    assert!(
        marked < before,
        "{marked} named after the wrong mark, {before} before"
    );

    let out = lrfr(&home, &["gallery", "unmark", "beckham"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("Beckham: 1 face marked not them forgotten"),
        "{said}"
    );
    assert_eq!(named_at_16(&home, &own, "Beckham"), before);
    let list = lrfr(&home, &["gallery", "list", "--json"]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list["people"][0]["not"], 0, "{list}");
    // The crop lrfr wrote for the mark is gone; the enrolled faces stay.
    let files = face_files(&home);
    assert!(files.iter().all(|f| !f.starts_with("not-")), "{files:?}");
    assert!(files.len() >= 3, "{files:?}");
    // Nobody of that name: a clear error.
    let error = lrfr_fails(&home, &["gallery", "unmark", "Nobody"].map(OsStr::new));
    assert!(
        error.contains("nobody called \"Nobody\" is enrolled"),
        "{error}"
    );
}

#[test]
fn a_photo_with_no_face_marks_nothing() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("not-them-bad");
    let home = dir.join("home");
    enroll_dean(&faces, &home);
    let blank = dir.join("wall.png");
    image::RgbImage::from_pixel(200, 200, image::Rgb([120, 120, 120]))
        .save(&blank)
        .unwrap();
    let fargo = photos(&faces, "Thomas_Fargo", 1..=1);
    let args = ["gallery", "not", "Dean", &fargo[0]].map(OsStr::new);
    let error = lrfr_fails(&home, &[&args[..], &[blank.as_os_str()]].concat());
    assert!(
        error.contains("wall.png: no face found; nothing was marked"),
        "{error}"
    );
    let list = lrfr(&home, &["gallery", "list", "--json"]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list["people"][0]["not"], 0, "{list}");
    let error = lrfr_fails(
        &home,
        &["gallery", "not", "Nobody", &fargo[0]].map(OsStr::new),
    );
    assert!(
        error.contains("nobody called \"Nobody\" is enrolled"),
        "{error}"
    );
}

/// Every file in the people's folders under `faces/`, by name, sorted.
fn face_files(gallery: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(gallery.join("faces"))
        .unwrap()
        .flatten()
        .flat_map(|person| std::fs::read_dir(person.path()).unwrap().flatten())
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    found
}

/// The `not-*.png` crops lrfr wrote for marks, by file name.
fn mark_crops(gallery: &Path) -> Vec<String> {
    let mut found = face_files(gallery);
    found.retain(|f| f.starts_with("not-"));
    found
}

#[test]
fn unmark_with_a_photo_takes_back_only_that_photos_mark() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("not-one-undone");
    let home = dir.join("home");
    enroll_dean(&faces, &home);
    let fargo = photos(&faces, "Thomas_Fargo", 1..=3);
    lrfr(&home, &["gallery", "not", "Dean", &fargo[0], &fargo[1]]);
    let both = mark_crops(&home);
    assert_eq!(both.len(), 2, "{both:?}");

    // A photo no mark was made on: an error, and both marks stay.
    let args = ["gallery", "unmark", "Dean", &fargo[0], &fargo[2]].map(OsStr::new);
    let error = lrfr_fails(&home, &args);
    assert!(
        error.contains("Thomas_Fargo_0003.jpg: its face is not one marked as not Dean"),
        "{error}"
    );
    assert_eq!(mark_crops(&home), both);

    let out = lrfr(&home, &["gallery", "unmark", "Dean", &fargo[0]]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("is no longer marked as not Dean; 1 marked in all"),
        "{said}"
    );
    let left = mark_crops(&home);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(both.contains(&left[0]));
    // The mark left is Fargo 2's: Fargo 1's is gone, so asking again is an error, and
    // Fargo 2's is the one taken back next.
    lrfr_fails(
        &home,
        &["gallery", "unmark", "Dean", &fargo[0]].map(OsStr::new),
    );
    assert_eq!(mark_crops(&home), left);
    let out = lrfr(&home, &["gallery", "unmark", "Dean", &fargo[1], "--json"]);
    let said: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(said["count"], 0, "{said}");
    assert!(mark_crops(&home).is_empty());
}
