//! Criterion benches of the per-frame hot functions: `cargo bench`. Each model runs on the
//! committed file; detection runs on a real LFW face on a 640x480 canvas when ../shared is
//! beside the checkout (skipped, with a note, when it is not).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use lrfr::align::{align_face, box_landmarks, downscale_to, AreaScratch};
use lrfr::detect::{DetectConfig, FaceBox, FaceDetector};
use lrfr::frame::{decode_file, place_on_canvas, Frame};
use lrfr::matching::l2_normalise;
use lrfr::matching::MatchResult;
use lrfr::models::{rgb_to_planar, Models, Net};
use lrfr::Resolution;

fn face_frame() -> Option<Frame> {
    let face = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/assets/faces/train/Norah_Jones/Norah_Jones_0001.jpg");
    let Ok(image) = decode_file(&face) else {
        eprintln!(
            "note: {} is missing; detection is not benched",
            face.display()
        );
        return None;
    };
    let mut frame = Frame::new(0, 0);
    place_on_canvas(&image, 640, 480, &mut frame);
    Some(frame)
}

/// A frame with texture everywhere, so crops and warps read real pixel values.
fn textured(width: u32, height: u32) -> Frame {
    Frame::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7 + y) as u8, (x + y * 3) as u8, (x ^ y) as u8])
    })
}

fn crop_and_resize(c: &mut Criterion) {
    let frame = textured(640, 480);
    let face = FaceBox {
        x: 250.0,
        y: 160.0,
        width: 140.0,
        height: 140.0,
        score: 1.0,
    };
    let landmarks = box_landmarks(&face);
    let mut aligned = Frame::new(0, 0);
    c.bench_function("align 640x480 -> 112", |b| {
        b.iter(|| align_face(black_box(&frame), &landmarks, &mut aligned))
    });
    let mut scratch = AreaScratch::default();
    let mut small = Frame::new(0, 0);
    for res in Resolution::ALL {
        c.bench_function(&format!("area downscale 112 -> {res}"), |b| {
            b.iter(|| downscale_to(black_box(&aligned), res, &mut scratch, &mut small))
        });
    }
}

fn normalisation(c: &mut Criterion) {
    let face = textured(112, 112);
    let mut planar = vec![0.0; 3 * 112 * 112];
    c.bench_function("rgb -> planar 112 (EdgeFace input)", |b| {
        b.iter(|| rgb_to_planar(black_box(&face), 0.5, 0.5, &mut planar))
    });
    let mut embedding: Vec<f32> = (0..512).map(|i| i as f32 - 256.0).collect();
    c.bench_function("l2 normalise 512", |b| {
        b.iter(|| l2_normalise(black_box(&mut embedding)))
    });
}

fn models(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut models = Models::load(&dir, 1).expect("the committed models load");
    // A smooth ramp: deterministic and not all zeros (which some kernels short-cut).
    let ramp = |net: &mut Net| {
        let len = net.entry().input.iter().product();
        let input = net.input_mut(len).expect("the input's own size");
        for (i, v) in input.iter_mut().enumerate() {
            *v = (i % 97) as f32 / 97.0;
        }
    };
    for res in Resolution::ALL {
        let net = models
            .dsr(res)
            .and_then(|dsr| dsr.net())
            .expect("the committed DSR loads");
        ramp(net);
        let name = format!("model {} (1 thread)", net.entry().file);
        c.bench_function(&name, |b| b.iter(|| net.run().map(|o| o[0])));
        let net = models
            .edgeface(res)
            .net()
            .expect("the committed EdgeFace loads");
        ramp(net);
        let name = format!("model {} at {res} px (1 thread)", net.entry().file);
        c.bench_function(&name, |b| b.iter(|| net.run().map(|o| o[0])));
    }
}

fn matching(c: &mut Criterion) {
    let people: Vec<Vec<f32>> = (0..5)
        .map(|p| {
            let mut v: Vec<f32> = (0..512).map(|i| ((i * 31 + p * 17) % 97) as f32).collect();
            l2_normalise(&mut v);
            v
        })
        .collect();
    let query = people[3].clone();
    let mut result = MatchResult::default();
    c.bench_function("identify 1:N against 5 people", |b| {
        b.iter(|| {
            result.identify(
                black_box(&query),
                people.iter().map(Vec::as_slice).enumerate(),
                0.25,
                None,
            )
        })
    });
    // The same with the shipped 16 px cohort: the probe's pass over it is the added cost
    // (the templates' spreads are kept between matches).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let models = Models::load(&dir, 1).expect("the committed models load");
    if let Some(cohort) = models.cohort(Resolution::R16) {
        c.bench_function(
            "identify 1:N against 5 people, normalised (16 px cohort)",
            |b| {
                b.iter(|| {
                    result.identify(
                        black_box(&query),
                        people.iter().map(Vec::as_slice).enumerate(),
                        0.25,
                        Some(cohort),
                    )
                })
            },
        );
    }
}

fn detection(c: &mut Criterion) {
    let Some(frame) = face_frame() else { return };
    let mut detector = FaceDetector::new(DetectConfig::default()).expect("detector loads");
    c.bench_function("detect largest face, 640x480", |b| {
        b.iter(|| detector.largest(black_box(&frame)))
    });
}

criterion_group!(
    hot_paths,
    crop_and_resize,
    normalisation,
    models,
    matching,
    detection
);
criterion_main!(hot_paths);
