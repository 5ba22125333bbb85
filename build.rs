//! Embeds rustface's SeetaFace model from the rustface crate's own package files, so the
//! repository never carries a copy of it; turns `src/align/geometry.json`, the face geometry
//! the forge reads too, into constants.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    geometry();
    seeta_model();
    packed_relocations();
}

/// Links the program with its relative relocations packed (DT_RELR, glibc 2.36: Debian 12).
/// The 53,000 ordinary ones take 1.3 MB, which the loader reads and keeps mapped in every run;
/// packed they take a few kB. x86-64 only: bookworm's GNU ld (2.40) packs them for x86 alone
/// and ignores the option for aarch64, with a warning cargo does not show.
fn packed_relocations() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// `$OUT_DIR/geometry.rs`, included by `src/align/template.rs`. A malformed file fails the
/// build, never the app.
fn geometry() {
    let path = "src/align/geometry.json";
    let text = std::fs::read_to_string(path).expect("src/align/geometry.json is readable");
    let g: serde_json::Value = serde_json::from_str(&text).expect("geometry.json is JSON");
    let points = |key: &str| {
        let rows = g[key].as_array().expect("five points");
        assert_eq!(rows.len(), 5, "{key}: five points");
        let rows: Vec<String> = rows
            .iter()
            .map(|p| {
                let xy = p.as_array().expect("[x, y]");
                let v = |i: usize| xy[i].as_f64().expect("a number");
                format!("[{:?}, {:?}]", v(0) as f32, v(1) as f32)
            })
            .collect();
        format!("[{}]", rows.join(", "))
    };
    let number = |key: &str| g[key].as_f64().expect("a number");
    let code = format!(
        "/// Side of the aligned face EdgeFace and the DSR output use.\n\
         pub const FACE_SIZE: u32 = {};\n\
         /// ArcFace/InsightFace 112x112 template (pixel-index coordinates): the eye on the \
         image's left, the other eye, nose tip, then the mouth corners, left first.\n\
         pub const TEMPLATE: [[f32; 2]; 5] = {};\n\
         /// Mean position of YuNet's 5 landmarks relative to the SeetaFace box (offset from the \
         box centre, in units of the box side), measured by the forge on the training faces. \
         Aligning through these points is the box-only crop.\n\
         pub const BOX_LANDMARKS: [[f32; 2]; 5] = {};\n\
         /// The landmark model sees a square this many box sides wide, centred on the box.\n\
         pub const LANDMARK_CROP_SCALE: f32 = {:?};\n\
         /// Side of the box crops `lrfr crop --boxes` writes for the forge: twice the landmark \
         model's input, so the forge can augment them.\n\
         pub const BOX_CROP_SIZE: u32 = {};\n",
        number("face_size") as u32,
        points("template"),
        points("box_landmarks"),
        number("landmark_crop_scale") as f32,
        number("box_crop_size") as u32,
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("geometry.rs"), code).expect("OUT_DIR is writable");
    println!("cargo:rerun-if-changed={path}");
}

fn seeta_model() {
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
