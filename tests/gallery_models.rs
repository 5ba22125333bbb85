//! The gallery against real models: whom a probe is matched with. Verification follows a
//! person, not a place in the list, and a template from other models is never matched.

mod common;

use std::path::Path;

use lrfr::frame::decode_file;
use lrfr::gallery::{Gallery, FILE_NAME};
use lrfr::matching::EMBEDDING_DIMS;
use lrfr::matching::{cosine, mean_embedding, Recipe};
use lrfr::pipeline::{MatchMode, Pipeline, Upscaler};
use lrfr::Resolution;

/// A gallery in `dir` with Ada (John Ashcroft's photos) and Bea (Norah Jones's), each
/// enrolled from four photos.
fn two_people(faces: &Path, dir: &Path) -> (Pipeline, Gallery) {
    common::enrolled(
        faces,
        dir,
        &[("Ada", "John_Ashcroft"), ("Bea", "Norah_Jones")],
        1..=4,
    )
}

#[test]
fn someone_who_cannot_be_recomputed_is_left_out_with_the_reason() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("stale-person");
    let (mut pipeline, gallery) = two_people(&faces, &dir);
    // Bea's templates came from other models, and one of her crops is gone.
    let bea = gallery.people()[1].clone();
    let json = std::fs::read_to_string(dir.join(FILE_NAME)).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["people"][1]["models"]["32"] = "old+models".into();
    std::fs::write(dir.join(FILE_NAME), value.to_string()).unwrap();
    std::fs::remove_file(dir.join(&bea.faces[0])).unwrap();
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    let report = lrfr::enroll::refresh(&mut pipeline, &mut gallery);
    assert!(report.recomputed.is_empty(), "Ada was up to date");
    let left_out = report.left_out().expect("Bea is left out");
    assert!(
        left_out.contains("Bea") && left_out.contains(&bea.faces[0]),
        "{left_out}"
    );
    // Her probe is matched against Ada alone: her old template is never offered.
    let probe = decode_file(&faces.join("Norah_Jones/Norah_Jones_0005.jpg")).unwrap();
    let output = pipeline
        .process(
            &probe,
            Resolution::R32,
            &gallery,
            &MatchMode::Identify,
            None,
        )
        .unwrap();
    let offered: Vec<&str> = output
        .matched
        .top
        .iter()
        .map(|s| gallery.people()[s.person].name.as_str())
        .collect();
    assert_eq!(offered, ["Ada"]);
    // Her 16 px template still came from these models and is still used.
    let output = pipeline
        .process(
            &probe,
            Resolution::R16,
            &gallery,
            &MatchMode::Identify,
            None,
        )
        .unwrap();
    assert_eq!(output.matched.top.len(), 2);
}

#[test]
fn verify_keeps_its_person_when_someone_above_is_removed() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("verify-mode");
    let (mut pipeline, mut gallery) = two_people(&faces, &dir);
    let bea = gallery.people()[1].id.clone();
    let mode = MatchMode::Verify(bea);
    let probe = decode_file(&faces.join("Norah_Jones/Norah_Jones_0005.jpg")).unwrap();
    let before = pipeline
        .process(&probe, Resolution::R32, &gallery, &mode, None)
        .unwrap()
        .matched
        .clone();
    assert_eq!(before.top.len(), 1);
    assert_eq!(gallery.people()[before.top[0].person].name, "Bea");
    gallery.remove("Ada").unwrap();
    let after = pipeline
        .process(&probe, Resolution::R32, &gallery, &mode, None)
        .unwrap()
        .matched
        .clone();
    assert_eq!(after.top.len(), 1, "verify lost its person");
    assert_eq!(gallery.people()[after.top[0].person].name, "Bea");
    assert!((after.top[0].score - before.top[0].score).abs() < 1e-6);
    // Someone removed is verified against nobody, never against whoever moved up.
    gallery.remove("Bea").unwrap();
    let gone = pipeline
        .process(&probe, Resolution::R32, &gallery, &mode, None)
        .unwrap();
    assert!(gone.matched.top.is_empty());
}

/// Each resolution's template is made by the recipe the manifest names (`template`): the
/// shipped one adds the enrolled faces at full resolution, through the resolution's own
/// EdgeFace, at every resolution (where that lowered FNIR, docs/accuracy.md). The recipe
/// without them (the shrunk mean alone) is `matching::template`'s unit tests'.
#[test]
fn templates_follow_the_manifests_recipe() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("template-recipe");
    let (mut pipeline, gallery) = common::enrolled(&faces, &dir, &[("Dean", "Howard_Dean")], 1..=3);
    let aligned: Vec<_> = (1..=3)
        .map(|n| {
            let frame = common::photo(&faces, "Howard_Dean", n);
            pipeline.align(&frame).unwrap().unwrap().aligned.clone()
        })
        .collect();
    let stored = &gallery.people()[0].embeddings;
    let mut with_full = Vec::new();
    for res in Resolution::ALL {
        let (mut shrunk, mut full) = (Vec::new(), Vec::new());
        for face in &aligned {
            let output = pipeline.embed_aligned(face, res, Upscaler::Dsr).unwrap();
            shrunk.push(output.embedding.clone());
            full.push(pipeline.embed_full(face, res).unwrap().to_vec());
        }
        let mean = |v: &[Vec<f32>]| mean_embedding(v.iter().map(Vec::as_slice), EMBEDDING_DIMS);
        let (shrunk, full) = (mean(&shrunk), mean(&full));
        let expected = match pipeline.models().template_recipe(res) {
            Recipe::Shrunk => shrunk.clone(),
            Recipe::ShrunkFull => {
                with_full.push(res);
                mean(&[shrunk.clone(), full])
            }
        };
        let alike = cosine(stored.get(res), &expected);
        assert!(alike > 0.99999, "{res} px: {alike}");
        if expected != shrunk {
            // Far enough from the shrunk mean to tell the recipes apart: the stored template
            // matches its recipe to 0.99999, and at 32 px the two halves are close (0.995).
            let plain = cosine(stored.get(res), &shrunk);
            assert!(
                plain < 0.9999,
                "{res} px: the shrunk mean after all ({plain})"
            );
        }
    }
    assert_eq!(with_full, Resolution::ALL, "the shipped manifest's recipes");
}
