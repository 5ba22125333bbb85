//! Embeds rustface's SeetaFace model from the rustface crate's own package files, so the
//! repository never carries a copy of it.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--manifest-path",
        ])
        .arg(PathBuf::from(&manifest_dir).join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let manifest = metadata["packages"]
        .as_array()
        .expect("metadata lists packages")
        .iter()
        .find(|p| p["name"] == "rustface")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("rustface is a dependency");
    let model = PathBuf::from(manifest)
        .parent()
        .expect("manifest has a folder")
        .join("model/seeta_fd_frontal_v1.0.bin");
    assert!(
        model.is_file(),
        "rustface package lacks {}",
        model.display()
    );
    println!("cargo:rustc-env=LRFR_SEETA_MODEL={}", model.display());
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
}
