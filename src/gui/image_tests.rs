//! Image snapshots of the window, drawn from fixed worker snapshots so every pixel is the same
//! on every run: two tracked faces (one named, one unknown), with the metrics panel open, on
//! the kiosk's 800x480 (also with a long notice), a person's marked faces with the question
//! before one is taken back, and with no camera. They render with
//! wgpu on a software rasteriser (Mesa's lavapipe in CI) and are compared with the images in
//! `tests/snapshots/`; `UPDATE_SNAPSHOTS=1 cargo test image_tests` rewrites them after a
//! deliberate change. The live-app tests in `tests.rs` cover behaviour; these cover the look.

use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, SnapshotOptions};
use image::Rgb;
use lrfr::detect::FaceBox;
use lrfr::frame::Frame;
use lrfr::live::GalleryChange;
use lrfr::metrics::{MemorySnapshot, Summary};
use lrfr::Resolution;

use super::app::draw;
use super::command::Edit;
use super::panels::{Textures, UiState};
use super::snapshot::{
    Label, Mark, Notice, PersonSummary, Snapshot, Status, TrackSummary, HISTORY,
};
use super::words;

const MB: u64 = 1_048_576;

/// A gradient with a lighter oval where a face would be: enough to see each panel's image.
fn picture(width: u32, height: u32, tint: [u8; 3]) -> Frame {
    Frame::from_fn(width, height, |x, y| {
        let dx = (x as f32 / width as f32 - 0.5) / 0.3;
        let dy = (y as f32 / height as f32 - 0.5) / 0.4;
        let inside = dx * dx + dy * dy < 1.0;
        let shade = (y * 120 / height.max(1)) as u8;
        Rgb(tint.map(|c| {
            if inside {
                c.saturating_add(90)
            } else {
                c / 2 + shade / 2
            }
        }))
    })
}

fn identified() -> Snapshot {
    let mut snapshot = Snapshot::new(Resolution::R16.into());
    snapshot.frame_seq = 1;
    snapshot.gallery_seq = 1;
    snapshot.status = Status::Running;
    snapshot.source = "folder /faces (53 images)".into();
    snapshot.frame = picture(640, 480, [150, 110, 90]);
    let ada = FaceBox {
        x: 120.0,
        y: 120.0,
        width: 160.0,
        height: 200.0,
        score: 9.5,
    };
    let stranger = FaceBox {
        x: 420.0,
        y: 180.0,
        width: 96.0,
        height: 120.0,
        score: 7.0,
    };
    snapshot.tracks = vec![
        TrackSummary {
            id: 1,
            face: ada,
            label: Label::Named(0, 0.72),
        },
        TrackSummary {
            id: 2,
            face: stranger,
            label: Label::Unknown,
        },
    ];
    snapshot.selected = Some(1);
    snapshot.face = Some(ada);
    snapshot.faces_found = 2;
    snapshot.face_res = Some(Resolution::R16);
    snapshot.native = 180.0;
    snapshot.vlr = picture(16, 16, [150, 110, 90]);
    snapshot.upscaled = picture(112, 112, [150, 110, 90]);
    snapshot.threshold = 0.33;
    snapshot.people = vec![
        PersonSummary {
            name: "Ada".into(),
            id: "p0a".into(),
            samples: 10,
            thumbnail: picture(112, 112, [150, 110, 90]),
            marks: Vec::new(),
        },
        PersonSummary {
            name: "Grace".into(),
            id: "p0b".into(),
            samples: 7,
            thumbnail: picture(112, 112, [90, 120, 150]),
            marks: Vec::new(),
        },
    ];
    snapshot.top = vec![(0, 0.72), (1, -0.10)];
    snapshot.accepted = Some((0, 0.72));
    let stage = |median_ms, p90_ms| Summary { median_ms, p90_ms };
    snapshot.stages = [
        stage(8.4, 9.1),
        stage(3.4, 3.7),
        stage(8.8, 9.6),
        stage(5.3, 5.9),
        stage(0.01, 0.01),
        stage(25.7, 28.0),
    ];
    snapshot.fps = 15.0;
    snapshot.memory = MemorySnapshot {
        rss_bytes: 90 * MB,
        peak_rss_bytes: 92 * MB,
        system_used_bytes: 1_200 * MB,
        system_available_bytes: 2_800 * MB,
        system_total_bytes: 4_000 * MB,
        cpu_percent: 55.0,
    };
    snapshot.rss_history_mb = (0..HISTORY).map(|i| 88.0 + (i % 5) as f32 * 0.5).collect();
    snapshot.latency_history_ms = (0..HISTORY).map(|i| 25.0 + (i % 7) as f32).collect();
    snapshot.model_files = vec![
        ("landmarks.onnx".into(), 460_000),
        ("dsr16.onnx".into(), 420_000),
        ("edgeface.onnx".into(), 1_460_000),
    ];
    snapshot
}

fn no_camera() -> Snapshot {
    let mut snapshot = Snapshot::new(Resolution::R16.into());
    snapshot.source = "camera 0".into();
    snapshot.threshold = 0.2;
    snapshot.memory.rss_bytes = 40 * MB;
    snapshot.status = Status::Problem(
        "No camera was found (/dev/video0). Plug in a USB webcam, or choose a folder of images."
            .into(),
    );
    snapshot
}

fn render(name: &str, snapshot: Snapshot, show_metrics: bool) {
    let mut harness = harness([1280.0, 800.0], snapshot, show_metrics, false);
    harness.run();
    compare(&mut harness, name);
}

/// The window at `size` drawing `snapshot`; `kiosk`: the 7" touch screen's style, people
/// folded, as `--fullscreen` starts.
fn harness<'a>(size: [f32; 2], snapshot: Snapshot, show_metrics: bool, kiosk: bool) -> Harness<'a> {
    let mut ui_state = UiState::new();
    ui_state.show_metrics = show_metrics;
    ui_state.show_people = !kiosk;
    let mut textures = Textures::default();
    // Once, as the app does at start: the style scales the fonts it finds.
    let mut styled = !kiosk;
    Harness::builder().with_size(size).wgpu().build(move |ctx| {
        if !styled {
            super::panels::touch_style(ctx);
            styled = true;
        }
        draw(
            ctx,
            &snapshot,
            &mut textures,
            &mut ui_state,
            &mut Vec::new(),
        )
    })
}

fn compare(harness: &mut Harness<'_>, name: &str) {
    // Glyph edges may differ by a few pixels between rasteriser versions; a layout change
    // moves hundreds.
    harness.snapshot_options(
        name,
        &SnapshotOptions::new().failed_pixel_count_threshold(20),
    );
}

#[test]
fn the_window_identifying_someone() {
    render("window_identified", identified(), false);
}

#[test]
fn the_window_with_its_metrics_panel() {
    render("window_metrics", identified(), true);
}

#[test]
fn the_kiosk_shows_the_answer_whole_on_its_screen() {
    let mut harness = harness([800.0, 480.0], identified(), false, true);
    harness.run();
    // The name and the threshold slider: on the screen whole, nothing to scroll to.
    on_the_kiosk_screen(&harness, &["Ada", "threshold", "default"]);
    compare(&mut harness, "window_kiosk");
}

/// Every node labelled each of `labels` is shown, and lies whole within 800x480.
fn on_the_kiosk_screen(harness: &Harness<'_>, labels: &[&str]) {
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(800.0, 480.0));
    for label in labels {
        let nodes: Vec<_> = harness.query_all_by_label_contains(label).collect();
        assert!(!nodes.is_empty(), "{label} is shown");
        for node in nodes {
            assert!(
                screen.contains_rect(node.rect()),
                "{label} at {:?}",
                node.rect()
            );
        }
    }
}

#[test]
fn the_kiosk_wraps_a_long_notice_and_its_undo_onto_the_screen() {
    let mut snapshot = identified();
    let change = GalleryChange::MarkedNot {
        name: "Ada".into(),
        count: 1,
        face: "faces/p0a/not-00ff12ab.png".into(),
    };
    snapshot.notice = Some(Notice {
        text: words::change(&change),
        undo: Edit::undoing(&change),
    });
    let mut harness = harness([800.0, 480.0], snapshot, false, true);
    harness.run();
    on_the_kiosk_screen(&harness, &["Ada", "threshold", "noted: not Ada", "undo"]);
    compare(&mut harness, "window_kiosk_notice");
}

#[test]
fn the_window_without_a_camera() {
    render("window_no_camera", no_camera(), false);
}

#[test]
fn the_gallery_panel_shows_a_persons_marks_and_asks_before_taking_one_back() {
    let mut snapshot = identified();
    snapshot.people[1].marks = ["faces/p0b/not-0a.png", "faces/p0b/not-0b.png"]
        .iter()
        .zip([[200, 80, 80], [80, 160, 80]])
        .map(|(face, tint)| Mark {
            face: face.to_string(),
            crop: picture(112, 112, tint),
        })
        .collect();
    let mut harness = harness([1280.0, 800.0], snapshot, false, false);
    harness.run();
    harness.get_by_label("2 faces marked not Grace").click();
    harness.run();
    harness
        .get_all_by_label("take back")
        .nth(1)
        .unwrap()
        .click();
    harness.run();
    assert!(harness
        .query_by_label_contains("Take back this mark? Faces like it may be named Grace again")
        .is_some());
    compare(&mut harness, "window_marks");
}
