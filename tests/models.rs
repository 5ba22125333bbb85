//! The shipped models, both sets, loaded in tract exactly as the app loads them: the default
//! set is weight-only INT8, `int8-compute/` runs integer kernels, and both reproduce the
//! forge's onnxruntime fp32 reference on real held-out faces.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lrfr::frame::{decode_file, Frame};
use lrfr::matching::cosine;
use lrfr::models::Manifest;
use lrfr::pipeline::{Pipeline, Upscaler};
use lrfr::{Config, Resolution};
use serde_json::Value;
use tract_onnx::prelude::Framework;

const INTEGER_COMPUTE: [&str; 6] = [
    "QLinearConv",
    "QLinearMatMul",
    "MatMulInteger",
    "ConvInteger",
    "DynamicQuantizeLinear",
    "QuantizeLinear",
];

fn twins_dir() -> PathBuf {
    common::models_dir().join("int8-compute")
}

#[test]
fn the_default_set_is_weight_only_int8_and_small() {
    check_graphs(&common::models_dir(), true);
}

#[test]
fn the_twins_compute_in_integers_and_are_small() {
    check_graphs(&twins_dir(), false);
}

#[test]
fn tract_int8_matches_the_onnxruntime_fp32_reference() {
    check_against_reference(&common::models_dir(), 0.5);
}

#[test]
fn tract_integer_twins_match_the_onnxruntime_fp32_reference() {
    check_against_reference(&twins_dir(), 2.0);
}

#[test]
fn idle_networks_are_let_go_and_come_back_the_same() {
    let Some(faces) = common::faces() else { return };
    let config = Config {
        models_dir: common::models_dir(),
        threads: 1,
        ..Config::default()
    };
    let mut pipeline = Pipeline::new(&config).unwrap();
    let frame =
        decode_file(&faces.join("Abdullah_Ahmad_Badawi/Abdullah_Ahmad_Badawi_0001.jpg")).unwrap();
    let aligned = pipeline
        .align(&frame)
        .unwrap()
        .expect("a face")
        .aligned
        .clone();
    let embed = |pipeline: &mut Pipeline| {
        let output = pipeline.embed_aligned(&aligned, Resolution::R16, Upscaler::Dsr);
        output.unwrap().embedding.clone()
    };
    let first = embed(&mut pipeline);
    let models = pipeline.models_mut();
    // Just used: kept.
    assert_eq!(models.release_idle(Duration::from_secs(60)), 0);
    // 16 px's DSR and EdgeFace are the only networks optimised so far.
    assert_eq!(models.release_idle(Duration::ZERO), 2);
    assert_eq!(models.release_idle(Duration::ZERO), 0);
    let again = embed(&mut pipeline);
    assert_eq!(
        first, again,
        "a network loaded again gives the same embedding"
    );
}

fn check_graphs(dir: &Path, weight_only: bool) {
    let manifest = Manifest::load(dir).expect("models/manifest.json loads");
    let mut files: BTreeSet<String> = manifest
        .resolutions
        .iter()
        .map(|r| r.dsr.file.clone())
        .collect();
    files.insert(manifest.edgeface.file.clone());
    files.extend(
        manifest
            .resolutions
            .iter()
            .filter_map(|r| r.edgeface.as_ref().map(|e| e.file.clone())),
    );
    files.extend(manifest.landmarks.iter().map(|l| l.file.clone()));
    for file in files {
        let path = dir.join(&file);
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size <= 2 << 20, "{file} is {size} bytes, over 2 MiB");
        let proto = tract_onnx::onnx().proto_model_for_path(&path).unwrap();
        let graph = proto.graph.expect("a graph");
        let ops: BTreeSet<&str> = graph.node.iter().map(|n| n.op_type.as_str()).collect();
        println!("{file}: {size} bytes, ops {ops:?}");
        let integer = INTEGER_COMPUTE
            .iter()
            .filter(|op| ops.contains(**op))
            .count();
        if weight_only {
            assert!(
                ops.contains("DequantizeLinear"),
                "{file} has no int8 weights: {ops:?}"
            );
            assert_eq!(integer, 0, "{file} uses integer compute: {ops:?}");
        } else {
            assert!(integer > 0, "{file} has no integer-compute op: {ops:?}");
        }
    }
}

/// `psnr_tolerance`: how far, in dB, the DSR output may be from the fp32 one.
fn check_against_reference(dir: &Path, psnr_tolerance: f64) {
    let Some(faces) = common::faces() else { return };
    let text = std::fs::read_to_string(common::models_dir().join("reference.json")).unwrap();
    let reference: Value = serde_json::from_str(&text).unwrap();
    let config = Config {
        models_dir: dir.to_path_buf(),
        threads: 1,
        ..Config::default()
    };
    let mut pipeline = Pipeline::new(&config).unwrap();
    let mut cosines = Vec::new();
    for entry in reference["entries"].as_array().unwrap() {
        let file = entry["file"].as_str().unwrap();
        let res: Resolution = Resolution::from_px(entry["res"].as_u64().unwrap() as u32).unwrap();
        let frame = decode_file(&faces.join(file)).unwrap();
        let aligned: Frame = pipeline
            .align(&frame)
            .unwrap()
            .expect("the forge found this face")
            .aligned
            .clone();
        let output = pipeline
            .embed_aligned(&aligned, res, Upscaler::Dsr)
            .unwrap();
        let expected: Vec<f32> = entry["embedding_fp32"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        cosines.push(cosine(&output.embedding, &expected));
        let psnr = psnr(&output.upscaled, &output.aligned);
        let reference_psnr = entry["psnr_fp32"].as_f64().unwrap();
        assert!(
            (psnr - reference_psnr).abs() < psnr_tolerance,
            "{file} at {res} px: PSNR {psnr:.2} dB, fp32 {reference_psnr:.2} dB"
        );
    }
    cosines.sort_by(f32::total_cmp);
    let median = cosines[cosines.len() / 2];
    println!(
        "{}: tract vs fp32 onnxruntime embedding cosine: median {median:.4}, min {:.4}",
        dir.display(),
        cosines[0]
    );
    assert!(median >= 0.99, "median cosine {median}");
}

fn psnr(a: &Frame, b: &Frame) -> f64 {
    let mse: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum::<f64>()
        / a.as_raw().len() as f64
        / (255.0 * 255.0);
    10.0 * (1.0 / mse.max(1e-10)).log10()
}
