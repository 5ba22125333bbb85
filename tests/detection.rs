//! Detection and crop geometry on real LFW training images.

mod common;

use lrfr::align::{align_face, box_landmarks, TEMPLATE};
use lrfr::detect::iou;
use lrfr::detect::{DetectConfig, FaceDetector};
use lrfr::frame::{decode_file, Frame};

#[test]
fn detection_rate_on_a_fixed_sample_is_at_least_97_percent() {
    let Some(faces) = common::faces() else { return };
    let sample = common::sample_images(&faces, 25);
    let mut detector = FaceDetector::new(DetectConfig::default()).unwrap();
    let found = sample
        .iter()
        .filter(|p| detector.largest(&decode_file(p).unwrap()).is_some())
        .count();
    let rate = found as f64 / sample.len() as f64;
    println!(
        "detection rate: {found}/{} = {:.1}%",
        sample.len(),
        100.0 * rate
    );
    assert!(rate >= 0.97, "detection rate {rate}");
}

#[test]
fn box_only_alignment_puts_the_face_on_the_template() {
    let Some(faces) = common::faces() else { return };
    let path = faces.join("Aaron_Peirsol/Aaron_Peirsol_0001.jpg");
    let frame = decode_file(&path).unwrap();
    let mut detector = FaceDetector::new(DetectConfig::default()).unwrap();
    let face = detector
        .largest(&frame)
        .expect("a face in a deep-funneled LFW image");
    // Deep-funneled LFW heads are centred in 250x250 frames.
    let (cx, cy) = face.center();
    assert!(
        (cx - 125.0).abs() < 20.0 && (cy - 125.0).abs() < 25.0,
        "{face:?}"
    );
    let landmarks = box_landmarks(&face);
    let mut aligned = Frame::new(0, 0);
    align_face(&frame, &landmarks, &mut aligned);
    assert_eq!(aligned.dimensions(), (112, 112));
    // The eyes sit on the template's eye row: darker than the cheeks below them.
    let luma = |x: f32, y: f32| {
        let p = aligned.get_pixel(x as u32, y as u32).0;
        (p[0] as f32 + p[1] as f32 + p[2] as f32) / 3.0
    };
    let eye = (luma(TEMPLATE[0][0], TEMPLATE[0][1]) + luma(TEMPLATE[1][0], TEMPLATE[1][1])) / 2.0;
    let cheek = (luma(TEMPLATE[0][0], 66.0) + luma(TEMPLATE[1][0], 66.0)) / 2.0;
    assert!(eye < cheek, "eyes {eye} vs cheeks {cheek}");
}

#[test]
fn around_a_followed_face_seetaface_finds_its_box_and_nothing_elsewhere() {
    let Some(faces) = common::faces() else { return };
    let photo = |name: &str| decode_file(&faces.join(name)).unwrap();
    // Two near people in a webcam frame, one followed.
    let mut frame = Frame::from_pixel(640, 480, image::Rgb([90, 100, 110]));
    image::imageops::replace(
        &mut frame,
        &photo("Aaron_Peirsol/Aaron_Peirsol_0001.jpg"),
        350,
        200,
    );
    image::imageops::replace(
        &mut frame,
        &photo("Norah_Jones/Norah_Jones_0001.jpg"),
        10,
        10,
    );
    let mut detector = FaceDetector::new(DetectConfig::default()).unwrap();
    let whole = detector.detect(&frame).to_vec();
    assert_eq!(whole.len(), 2, "{whole:?}");
    let followed = *whole
        .iter()
        .find(|f| f.x > 300.0)
        .expect("the right-hand face");
    let around = detector.detect_around(&frame, &[followed]).to_vec();
    assert_eq!(around.len(), 1, "only the followed face: {around:?}");
    assert!(
        iou(&around[0], &followed) > 0.9,
        "{around:?} against {followed:?}"
    );
}
