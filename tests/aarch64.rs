//! The aarch64 build (the Pi 5) computes the embeddings this build computes, for both model
//! sets: tract's NEON fp32 kernels for `models/`, its int8 kernels for `models/int8-compute/`.
//! `.ci/run` cross-builds the binary and names it, and the emulator, in the environment.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BINARY: &str = "LRFR_AARCH64_LRFR";
const RUNNER: &str = "LRFR_AARCH64_RUNNER";

fn embeddings(command: &[String], models: &Path, crops: &Path) -> Vec<(String, u64, Vec<f64>)> {
    let output = Command::new(&command[0])
        .args(&command[1..])
        .arg("--models")
        .arg(models)
        .args(["--threads", "2", "embed", "--aligned", "--res", "all"])
        .arg(crops)
        .output()
        .expect("lrfr runs");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("JSON lines");
            let file = Path::new(v["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let embedding = v["embedding"]
                .as_array()
                .expect("aligned inputs always embed")
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            (file, v["res"].as_u64().unwrap(), embedding)
        })
        .collect()
}

#[test]
fn the_aarch64_build_embeds_like_this_one() {
    let Some(binary) = std::env::var_os(BINARY) else {
        common::skip(&format!(
            "{BINARY} is not set; .ci/run sets it after cross-building for aarch64"
        ));
        return;
    };
    let Some(faces) = common::faces() else { return };
    let scratch = common::scratch("aarch64");
    let crops = scratch.join("crops");
    let images: Vec<PathBuf> = (1..=4)
        .map(|n| faces.join(format!("Norah_Jones/Norah_Jones_{n:04}.jpg")))
        .collect();
    let status = Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--models")
        .arg(common::models_dir())
        .args(["crop", "--out"])
        .arg(&crops)
        .args(&images)
        .status()
        .unwrap();
    assert!(status.success());
    let here = vec![env!("CARGO_BIN_EXE_lrfr").to_string()];
    let mut there: Vec<String> = std::env::var(RUNNER)
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    there.push(binary.to_string_lossy().into_owned());
    // The float kernels agree to 1e-6. The integer twins do not reach 0.999 (measured: min
    // 0.998), and cannot: EdgeFace's dynamic-int8 MatMuls turn one-ulp float differences into
    // different rounding, so x86 tract and onnxruntime disagree as much on the same file (see
    // docs/pi.md). The integer DSR twins agree to 1e-6.
    for (models, bound) in [
        (common::models_dir(), 0.999),
        (common::models_dir().join("int8-compute"), 0.995),
    ] {
        let x86 = embeddings(&here, &models, &crops);
        let arm = embeddings(&there, &models, &crops);
        assert_eq!(x86.len(), 12, "4 crops x 3 resolutions");
        assert_eq!(arm.len(), x86.len());
        let mut lowest = f64::INFINITY;
        for ((file, res, a), (file_b, res_b, b)) in x86.iter().zip(&arm) {
            assert_eq!((file, res), (file_b, res_b));
            let cosine: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            println!("{} {file} {res} px: cosine {cosine:.6}", models.display());
            lowest = lowest.min(cosine);
        }
        assert!(
            lowest >= bound,
            "{}: aarch64 vs x86-64 cosine {lowest:.5} < {bound}",
            models.display()
        );
    }
}
