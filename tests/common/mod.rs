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

/// A fresh empty folder under the system temp dir, unique to this test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lrfr-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    dir
}

/// Every `stride`-th image of the training set, in name order: a fixed sample.
pub fn sample_images(faces: &Path, stride: usize) -> Vec<PathBuf> {
    let all = lrfr::source::list_images(faces).expect("faces folder lists");
    all.into_iter().step_by(stride).collect()
}
