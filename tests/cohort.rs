//! 1:N scores normalised against the shipped cohort, through the real binary: what `identify`
//! reports is the documented AS-norm of the cosine (src/matching/cohort.rs), recomputed here
//! from the cohort file, the gallery's template and `lrfr embed`'s embedding.

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn lrfr(gallery: &Path, args: &[&str]) -> Output {
    let gallery = [OsStr::new("--gallery"), gallery.as_os_str()];
    common::run_lrfr(gallery.into_iter().chain(args.iter().map(OsStr::new)))
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

/// The shipped 16 px cohort's members (unit length) as the file stores them.
fn cohort16() -> (Vec<Vec<f64>>, usize, f64) {
    let dir = common::models_dir();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let entry = manifest["resolutions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["res"] == 16)
        .unwrap()["cohort"]
        .clone();
    let bytes = std::fs::read(dir.join(entry["file"].as_str().unwrap())).unwrap();
    let (count, dims) = (
        entry["count"].as_u64().unwrap() as usize,
        entry["dims"].as_u64().unwrap() as usize,
    );
    assert_eq!(&bytes[..8], b"LRFRCOH1");
    let scales = &bytes[16..16 + 4 * count];
    let values = &bytes[16 + 4 * count..];
    let members = (0..count)
        .map(|i| {
            let scale = f32::from_le_bytes(scales[4 * i..4 * i + 4].try_into().unwrap());
            values[i * dims..(i + 1) * dims]
                .iter()
                .map(|&b| f64::from(b as i8) * f64::from(scale))
                .collect()
        })
        .collect();
    (
        members,
        entry["top_k"].as_u64().unwrap() as usize,
        entry["unit"].as_f64().unwrap(),
    )
}

/// Mean and spread of `face`'s best `k` cosines to the cohort.
fn spread(face: &[f64], members: &[Vec<f64>], k: usize) -> (f64, f64) {
    let mut scores: Vec<f64> = members.iter().map(|m| cosine(face, m)).collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    let top = &scores[..k];
    let mean = top.iter().sum::<f64>() / k as f64;
    let var = top.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / k as f64;
    (mean, var.sqrt())
}

#[test]
fn identify_scores_are_the_cosine_normalised_against_the_cohort() {
    let Some(faces) = common::faces() else { return };
    let gallery = common::scratch("cohort-scores");
    let photo = |person: &str, n: u32| {
        let file = faces.join(person).join(format!("{person}_{n:04}.jpg"));
        file.display().to_string()
    };
    let enrolled: Vec<String> = (1..=3).map(|n| photo("Howard_Dean", n)).collect();
    let mut args = vec!["enroll", "--name", "Dean"];
    args.extend(enrolled.iter().map(String::as_str));
    lrfr(&gallery, &args);
    let store: Value =
        serde_json::from_slice(&std::fs::read(gallery.join("gallery.json")).unwrap()).unwrap();
    let template = floats(&store["people"][0]["embeddings"]["16"]);

    // Dean's own photo, and the look-alike's.
    let probes = [photo("Howard_Dean", 5), photo("Thomas_Fargo", 2)];
    let embedded = lines(&lrfr(
        &gallery,
        &["embed", "--res", "16", &probes[0], &probes[1]],
    ));
    let identified = lines(&lrfr(
        &gallery,
        &["identify", "--json", "--res", "16", &probes[0], &probes[1]],
    ));
    let (members, top_k, unit) = cohort16();
    let (template_mean, template_spread) = spread(&template, &members, top_k);
    for (embedded, identified) in embedded.iter().zip(&identified) {
        let probe = floats(&embedded["embedding"]);
        let raw = cosine(&probe, &template);
        let (probe_mean, probe_spread) = spread(&probe, &members, top_k);
        let expected =
            ((raw - template_mean) / template_spread + (raw - probe_mean) / probe_spread) / 2.0
                * unit;
        let (score, reported_cosine) = (
            identified["score"].as_f64().unwrap(),
            identified["cosine"].as_f64().unwrap(),
        );
        assert!(
            (reported_cosine - raw).abs() < 1e-4,
            "{identified}: cosine {raw}"
        );
        // INT8 members in the app, the same numbers here: equal to rounding.
        assert!(
            (score - expected).abs() < 2e-3,
            "{identified}: expected a normalised score of {expected:.4}"
        );
        // Not the cosine under another name: strangers' top scores are taken off.
        assert!(raw - score > 0.1, "{identified}");
    }
}
