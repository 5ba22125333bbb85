//! Shared test helpers: where the real data and models are, and scratch folders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A test that cannot run here: outside CI it prints why and passes; under `CI=true` a
/// missing tool or data set is a failure, so CI never passes a test that did not run.
pub fn skip(reason: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and this test cannot run: {reason}");
    }
    println!("SKIPPED: {reason}");
}

/// `../shared/assets/faces/train` beside the checkout, or `None` with the reason printed.
pub fn faces() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/assets/faces/train");
    if path.is_dir() {
        Some(path)
    } else {
        skip(&format!(
            "{} is missing; this test needs the LFW training faces",
            path.display()
        ));
        None
    }
}

pub fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

/// A fresh empty folder under the system temp dir, unique to this test. The folders earlier
/// runs of this test left behind (some hold a 90 MB installed tree) are removed first, once
/// the process that made them is gone, so repeated runs do not fill the disk.
pub fn scratch(name: &str) -> PathBuf {
    let prefix = format!("lrfr-test-{name}-");
    let temp = std::env::temp_dir();
    for entry in std::fs::read_dir(&temp).into_iter().flatten().flatten() {
        let file_name = entry.file_name();
        // Only `<prefix><pid>`: another test's name may begin with this one's.
        let pid = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .filter(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if pid.is_some_and(|pid| !Path::new("/proc").join(pid).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let dir = temp.join(format!("{prefix}{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    dir
}

/// Every `stride`-th image of the training set, in name order: a fixed sample.
pub fn sample_images(faces: &Path, stride: usize) -> Vec<PathBuf> {
    let all = lrfr::source::list_images(faces).expect("faces folder lists");
    all.into_iter().step_by(stride).collect()
}

/// Photo `n` of `person` in the training faces.
pub fn photo(faces: &Path, person: &str, n: u32) -> lrfr::frame::Frame {
    let path = faces.join(person).join(format!("{person}_{n:04}.jpg"));
    lrfr::frame::decode_file(&path).expect("a training photo decodes")
}

/// A one-thread pipeline on the shipped models and a gallery in `dir` with each `(name,
/// person)` enrolled from that person's photos `photos`, as `lrfr enroll` does.
pub fn enrolled(
    faces: &Path,
    dir: &Path,
    people: &[(&str, &str)],
    photos: std::ops::RangeInclusive<u32>,
) -> (lrfr::pipeline::Pipeline, lrfr::gallery::Gallery) {
    let config = lrfr::Config {
        models_dir: models_dir(),
        gallery_dir: dir.to_path_buf(),
        threads: 1,
        ..lrfr::Config::default()
    };
    let mut pipeline = lrfr::pipeline::Pipeline::new(&config).expect("the shipped models load");
    let (mut gallery, _) = lrfr::gallery::Gallery::open(dir).expect("a scratch gallery opens");
    for (name, person) in people {
        let aligned: Vec<_> = photos
            .clone()
            .map(|n| {
                let frame = photo(faces, person, n);
                pipeline.align(&frame).unwrap().unwrap().aligned.clone()
            })
            .collect();
        lrfr::enroll::enroll(&mut pipeline, &mut gallery, name, &aligned).unwrap();
    }
    (pipeline, gallery)
}

/// Runs the built `lrfr` with `args` on the shipped models and returns its output, failing
/// the test with its stderr when it does not succeed.
pub fn run_lrfr<I, S>(args: I) -> std::process::Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--models")
        .arg(models_dir())
        .args(args)
        .output()
        .expect("lrfr runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
