//! Gallery storage: atomic saves, damaged files set aside, limits on people and names.
//! Needs no models and no data.

mod common;

use lrfr::gallery::{Gallery, GalleryError, PerRes, EMBEDDING_DIMS, FILE_NAME, MAX_PEOPLE};
use lrfr::source::Frame;

fn unit(seed: usize) -> Vec<f32> {
    let mut v: Vec<f32> = (0..EMBEDDING_DIMS)
        .map(|i| ((i * 31 + seed * 17) % 97) as f32 - 48.0)
        .collect();
    lrfr::models::l2_normalise(&mut v);
    v
}

fn templates(seed: usize) -> PerRes<Vec<f32>> {
    PerRes {
        r16: unit(seed),
        r24: unit(seed + 1),
        r32: unit(seed + 2),
    }
}

fn faces() -> Vec<Frame> {
    (0..3)
        .map(|i| Frame::from_pixel(112, 112, image::Rgb([i * 40, 100, 200])))
        .collect()
}

fn prints() -> PerRes<String> {
    PerRes {
        r16: "a+b".into(),
        r24: "c+b".into(),
        r32: "d+b".into(),
    }
}

#[test]
fn people_survive_a_reopen_with_their_faces() {
    let dir = common::scratch("gallery-roundtrip");
    let (mut gallery, notice) = Gallery::open(&dir).unwrap();
    assert!(notice.is_none() && gallery.is_empty());
    gallery
        .add("Zoë", &faces(), templates(1), prints())
        .unwrap();
    let (reopened, _) = Gallery::open(&dir).unwrap();
    assert_eq!(reopened.people()[0].name, "Zoë");
    assert_eq!(reopened.people()[0].samples, 3);
    assert_eq!(
        reopened.embeddings(lrfr::Resolution::R24).next().unwrap(),
        unit(2).as_slice()
    );
    let stored = reopened.faces(0).unwrap();
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0].dimensions(), (112, 112));
    assert!(reopened.stale(&prints()).is_empty());
    let mut other = prints();
    other.r16 = "new+b".into();
    assert_eq!(reopened.stale(&other), vec![lrfr::Resolution::R16]);
}

#[test]
fn a_sixth_person_and_duplicate_names_are_refused() {
    let dir = common::scratch("gallery-limits");
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    for i in 0..MAX_PEOPLE {
        gallery
            .add(&format!("Person {i}"), &faces(), templates(i), prints())
            .unwrap();
    }
    let sixth = gallery
        .add("Sixth", &faces(), templates(9), prints())
        .unwrap_err();
    assert!(matches!(sixth, GalleryError::Full), "{sixth}");
    assert!(sixth.to_string().contains("remove someone"), "{sixth}");
    gallery.remove("person 0").unwrap();
    let taken = gallery
        .add("PERSON 1", &faces(), templates(9), prints())
        .unwrap_err();
    assert!(matches!(taken, GalleryError::NameTaken(_)), "{taken}");
    let long = gallery
        .add(&"x".repeat(41), &faces(), templates(9), prints())
        .unwrap_err();
    assert!(matches!(long, GalleryError::BadName(_)), "{long}");
    gallery.rename("Person 1", "Ada").unwrap();
    assert!(gallery.rename("Ada", "person 2").is_err());
    let (reopened, _) = Gallery::open(&dir).unwrap();
    assert_eq!(reopened.len(), MAX_PEOPLE - 1);
    assert!(reopened.find("ada").is_some());
}

#[test]
fn names_never_become_paths() {
    let dir = common::scratch("gallery-paths");
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    gallery
        .add("../../escape", &faces(), templates(1), prints())
        .unwrap();
    let person = &gallery.people()[0];
    assert!(
        person.faces.iter().all(|f| f.starts_with("faces/p")),
        "{:?}",
        person.faces
    );
    assert!(!dir.parent().unwrap().join("escape").exists());
}

#[test]
fn unreadable_json_is_moved_aside_not_overwritten() {
    let dir = common::scratch("gallery-corrupt");
    std::fs::write(
        dir.join(FILE_NAME),
        b"{\"schema_version\": 1, \"people\": [",
    )
    .unwrap();
    let (mut gallery, notice) = Gallery::open(&dir).unwrap();
    let notice = notice.expect("the damage is reported");
    assert!(notice.contains("corrupt-"), "{notice}");
    let aside: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("gallery.json.corrupt-")
        })
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        std::fs::read(aside[0].path()).unwrap(),
        b"{\"schema_version\": 1, \"people\": ["
    );
    gallery
        .add("New", &faces(), templates(1), prints())
        .unwrap();
    assert_eq!(
        std::fs::read(aside[0].path()).unwrap(),
        b"{\"schema_version\": 1, \"people\": ["
    );
}

#[test]
fn rule_breaking_json_is_refused_and_kept() {
    let dir = common::scratch("gallery-invalid");
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    gallery
        .add("Ada", &faces(), templates(1), prints())
        .unwrap();
    let good = std::fs::read_to_string(dir.join(FILE_NAME)).unwrap();
    let value: serde_json::Value = serde_json::from_str(&good).unwrap();
    let with_people = |people: Vec<serde_json::Value>| {
        let mut v = value.clone();
        v["people"] = serde_json::Value::Array(people);
        serde_json::to_string_pretty(&v).unwrap()
    };
    let ada = value["people"][0].clone();
    let mut shouting = ada.clone();
    shouting["name"] = "ADA".into();
    let cases = [
        (
            good.replacen("\"schema_version\": 1", "\"schema_version\": 99", 1),
            "schema_version 99",
        ),
        (
            good.replacen("\"16\": [", "\"16\": [0.5, ", 1),
            "has 513 values, not 512",
        ),
        (
            good.replacen("\"people\": [", "\"people\": [{\"name\": \"x\"}, ", 1),
            "missing field",
        ),
        (
            with_people(vec![ada.clone(), shouting]),
            "are the same name",
        ),
        (with_people(vec![ada; 6]), "6 people listed"),
    ];
    for (i, (bad, reason)) in cases.iter().enumerate() {
        std::fs::write(dir.join(FILE_NAME), bad).unwrap();
        let err = Gallery::open(&dir)
            .err()
            .unwrap_or_else(|| panic!("case {i} was accepted"));
        assert!(
            err.to_string().contains("left as it is") && err.to_string().contains(reason),
            "case {i}: {err}"
        );
        assert_eq!(
            &std::fs::read_to_string(dir.join(FILE_NAME)).unwrap(),
            bad,
            "case {i} changed the file"
        );
    }
}

#[test]
fn nan_is_not_json_so_the_file_is_set_aside_intact() {
    let dir = common::scratch("gallery-nan");
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    gallery
        .add("Ada", &faces(), templates(1), prints())
        .unwrap();
    let good = std::fs::read_to_string(dir.join(FILE_NAME)).unwrap();
    let bad = good.replacen("\"16\": [", "\"16\": [NaN, ", 1);
    std::fs::write(dir.join(FILE_NAME), &bad).unwrap();
    let (_, notice) = Gallery::open(&dir).unwrap();
    let notice = notice.expect("reported");
    let aside = notice
        .split(" moved to ")
        .nth(1)
        .and_then(|s| s.split(" and ").next())
        .expect("names where it went");
    assert_eq!(std::fs::read_to_string(aside).unwrap(), bad);
}

#[test]
fn saving_leaves_no_temporary_files() {
    let dir = common::scratch("gallery-temp");
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    for i in 0..3 {
        gallery
            .add(&format!("P{i}"), &faces(), templates(i), prints())
            .unwrap();
    }
    let stray: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}
