//! Broken model folders: each fault gets a message that names the file and says what it should
//! be. Uses the committed models; needs no data.

mod common;

use std::path::Path;

use lrfr::pipeline::Pipeline;
use lrfr::Config;
use serde_json::Value;

use common::{copy_of_models, edit_manifest, resolution_entry};

fn load_error(models: &Path) -> String {
    let config = Config {
        models_dir: models.to_path_buf(),
        threads: 1,
        ..Config::default()
    };
    match Pipeline::new(&config) {
        Ok(_) => panic!("{} loaded although it is broken", models.display()),
        Err(e) => e.to_string(),
    }
}

fn dsr24(manifest: &mut Value) -> &mut Value {
    &mut resolution_entry(manifest, 24)["dsr"]
}

#[test]
fn a_missing_file_is_named_with_its_contract_and_the_fix() {
    let dir = copy_of_models("faults-missing");
    std::fs::remove_file(dir.join("dsr24.onnx")).unwrap();
    let error = load_error(&dir);
    assert!(
        error.contains("dsr24.onnx: cannot read the model"),
        "{error}"
    );
    assert!(
        error.contains("input [1, 3, 24, 24] -> output [1, 3, 112, 112]"),
        "{error}"
    );
    assert!(error.contains("Rebuild with models/forge"), "{error}");
}

#[test]
fn a_truncated_file_fails_its_checksum_and_then_its_parse() {
    let dir = copy_of_models("faults-truncated");
    let file = dir.join("dsr24.onnx");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let error = load_error(&dir);
    assert!(error.contains("dsr24.onnx: sha256 is"), "{error}");
    assert!(error.contains("damaged or from another build"), "{error}");
    // Even with a manifest that vouches for the cut file, it is refused, not half-loaded.
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes[..bytes.len() / 2])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    edit_manifest(&dir, |m| dsr24(m)["sha256"] = sha.into());
    let error = load_error(&dir);
    assert!(
        error.contains("dsr24.onnx: not a usable network"),
        "{error}"
    );
}

#[test]
fn a_damaged_cohort_is_refused_at_load_with_what_it_should_be() {
    let dir = copy_of_models("faults-cohort");
    let file = dir.join("cohort16.bin");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 512]).unwrap();
    let error = load_error(&dir);
    assert!(error.contains("cohort16.bin: sha256 is"), "{error}");
    // A manifest that vouches for the cut file: its size is checked against its shape.
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes[..bytes.len() - 512])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    edit_manifest(&dir, |m| {
        resolution_entry(m, 16)["cohort"]["sha256"] = sha.into()
    });
    let error = load_error(&dir);
    assert!(
        error.contains("cohort16.bin") && error.contains("not a cohort of 800 x 512"),
        "{error}"
    );
    std::fs::remove_file(&file).unwrap();
    let error = load_error(&dir);
    assert!(
        error.contains("cohort16.bin: cannot read the cohort") && error.contains("models/forge"),
        "{error}"
    );
}

#[test]
fn a_wrong_input_shape_is_refused_at_load() {
    let dir = copy_of_models("faults-shape");
    edit_manifest(&dir, |m| {
        dsr24(m)["input"] = serde_json::json!([1, 3, 20, 20])
    });
    let error = load_error(&dir);
    assert!(
        error.contains("dsr24.onnx: input [1, 3, 20, 20]")
            && error.contains("a 24 px DSR network must have input [1, 3, 24, 24]"),
        "{error}"
    );
}

#[test]
fn a_manifest_wrong_for_the_networks_role_is_refused_before_any_run() {
    // Consistent with itself, but eight landmark values would leave the fifth point reading
    // past the end of the output.
    let dir = copy_of_models("faults-role");
    edit_manifest(&dir, |m| {
        m["landmarks"]["output"] = serde_json::json!([1, 8])
    });
    let error = load_error(&dir);
    assert!(error.contains("must have input [1, 3, S, S]"), "{error}");
    let dir = copy_of_models("faults-std");
    edit_manifest(&dir, |m| m["edgeface"]["std"] = 0.0.into());
    let error = load_error(&dir);
    assert!(error.contains("std above 0"), "{error}");
}

#[test]
fn a_wrong_checksum_names_both_hashes() {
    let dir = copy_of_models("faults-sha");
    edit_manifest(&dir, |m| m["landmarks"]["sha256"] = "00".repeat(32).into());
    let error = load_error(&dir);
    assert!(error.contains("landmarks.onnx: sha256 is"), "{error}");
    assert!(
        error.contains(&format!("the manifest says {}", "00".repeat(32))),
        "{error}"
    );
}

#[test]
fn no_manifest_says_where_it_looked() {
    let dir = common::scratch("faults-empty");
    let error = load_error(&dir);
    assert!(error.contains("manifest.json"), "{error}");
    assert!(
        error.contains("is --models pointing at the models folder?"),
        "{error}"
    );
}

#[test]
fn doctor_checks_the_face_locators_networks_too() {
    // The landmark model, the small-face detector and the face gate are loaded by the face
    // locator, not with the DSRs and EdgeFace; a damaged one stops the app at start, so
    // `doctor` must not call every checksum good.
    for file in ["landmarks.onnx", "detector.onnx", "gate.onnx"] {
        let dir = copy_of_models(&format!("faults-doctor-{file}"));
        let bytes = std::fs::read(dir.join(file)).unwrap();
        std::fs::write(dir.join(file), &bytes[..bytes.len() / 2]).unwrap();
        let gallery = common::scratch(&format!("faults-doctor-gallery-{file}"));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lrfr"))
            .arg("--models")
            .arg(&dir)
            .arg("--gallery")
            .arg(&gallery)
            .arg("doctor")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let fix = text
            .lines()
            .find(|l| l.starts_with("FIX") && l.contains("models"));
        assert!(
            fix.is_some_and(|l| l.contains(file) && l.contains("sha256") && !l.contains(".  ")),
            "{file}: {text}"
        );
        assert_eq!(out.status.code(), Some(1), "{file}: {text}");
    }
}

#[test]
fn a_resolutions_edgeface_entry_is_checked_even_when_it_names_the_shared_file() {
    // The 24 px entry names the shared EdgeFace's file, which is loaded once; its own shapes,
    // wrong for the role, must still be refused rather than passed over.
    let dir = copy_of_models("faults-shared-edgeface");
    edit_manifest(&dir, |m| {
        let mut own = m["edgeface"].clone();
        own["output"] = serde_json::json!([1, 128]);
        resolution_entry(m, 24)["edgeface"] = own;
    });
    let error = load_error(&dir);
    assert!(error.contains("an EdgeFace network must have"), "{error}");
}

#[test]
fn a_second_path_must_go_to_a_larger_resolution_with_scores_that_are_scores() {
    let dir = copy_of_models("faults-second-path");
    edit_manifest(&dir, |m| {
        resolution_entry(m, 16)["second_path"]["res"] = 16.into()
    });
    let error = load_error(&dir);
    assert!(
        error.contains("second_path for 16 px must be a larger resolution"),
        "{error}"
    );
    edit_manifest(&dir, |m| {
        let second = &mut resolution_entry(m, 16)["second_path"];
        second["res"] = 24.into();
        second["threshold"] = 2.0.into();
    });
    let error = load_error(&dir);
    assert!(
        error.contains("second_path threshold for 16 px is not a score"),
        "{error}"
    );
}
