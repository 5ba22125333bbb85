//! The real window, driven headless by egui_kittest: real models, a folder source over real
//! LFW faces, a scratch gallery. The live view repaints forever, so the harness is stepped a
//! bounded number of times while the worker thread runs in real time.

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use lrfr::frame::{decode_file, Frame};
use lrfr::pipeline::Pipeline;
use lrfr::{Config, ResChoice, Resolution};

use super::snapshot::Label;
use super::{GuiOptions, LrfrApp};

const STEP_PAUSE: Duration = Duration::from_millis(40);
const MAX_STEPS: usize = 1500;

fn faces() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/assets/faces/train");
    if path.is_dir() {
        Some(path)
    } else {
        let reason = format!(
            "{} is missing; the GUI tests need the LFW training faces",
            path.display()
        );
        // Under CI a test whose data is missing fails rather than passing unrun.
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI=true and {reason}"
        );
        println!("SKIPPED: {reason}");
        None
    }
}

/// A fresh empty folder for one test, removed when the test ends, passed or failed (a panic
/// unwinds through its drop), so repeated runs leave nothing behind.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("lrfr-gui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    Scratch(dir)
}

/// A folder source that shows one held-out person, through a link so nothing is copied.
fn one_person_source(faces: &Path, person: &str, name: &str) -> Scratch {
    let dir = scratch(name);
    std::os::unix::fs::symlink(faces.join(person), dir.join(person)).expect("symlink");
    dir
}

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

fn harness<'a>(gallery: &Path, source: &Path) -> Harness<'a, LrfrApp> {
    harness_with_models(&models(), gallery, source, Resolution::R16.into())
}

fn harness_with_models<'a>(
    models: &Path,
    gallery: &Path,
    source: &Path,
    res: ResChoice,
) -> Harness<'a, LrfrApp> {
    let config = Config {
        models_dir: models.to_path_buf(),
        gallery_dir: gallery.to_path_buf(),
        threads: 1,
        ..Config::default()
    };
    let options = GuiOptions::new(None, Some(source.to_path_buf()), res, false);
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| LrfrApp::new(&cc.egui_ctx, config, options))
}

/// Adds `names` to the gallery in `dir`, each with three plain crops and a one-hot template
/// of their own (and no model fingerprints, so the app recomputes them on load).
fn seed_people(dir: &Path, names: &[&str]) {
    let (mut people, _) = lrfr::gallery::Gallery::open(dir).unwrap();
    let face = lrfr::frame::Frame::from_pixel(112, 112, image::Rgb([128, 110, 100]));
    for (i, name) in names.iter().enumerate() {
        let mut template = vec![0.0f32; lrfr::matching::EMBEDDING_DIMS];
        template[i] = 1.0;
        let templates = lrfr::gallery::PerRes {
            r16: template.clone(),
            r24: template.clone(),
            r32: template,
        };
        people
            .add(
                name,
                &[face.clone(), face.clone(), face.clone()],
                templates,
                Default::default(),
            )
            .unwrap();
    }
}

/// Steps until `done` holds, failing with `what` after [`MAX_STEPS`].
fn step_until(
    harness: &mut Harness<'_, LrfrApp>,
    what: &str,
    done: impl Fn(&Harness<'_, LrfrApp>) -> bool,
) {
    for _ in 0..MAX_STEPS {
        harness.step();
        if done(harness) {
            return;
        }
        std::thread::sleep(STEP_PAUSE);
    }
    panic!("gave up waiting for {what}");
}

#[test]
fn enroll_identify_switch_resolution_and_open_metrics() {
    let Some(faces) = faces() else { return };
    let gallery = scratch("enroll-gallery");
    let source = one_person_source(&faces, "John_Ashcroft", "enroll-source");
    let mut harness = harness(&gallery, &source);
    step_until(&mut harness, "the first frame", |h| {
        h.query_by_label_contains("face(s)").is_some()
    });

    harness
        .get_by_role_and_label(Role::TextInput, "name")
        .focus();
    harness.step();
    harness
        .get_by_role_and_label(Role::TextInput, "name")
        .type_text("John");
    harness.step();
    assert_eq!(
        harness
            .get_by_role_and_label(Role::TextInput, "name")
            .value()
            .as_deref(),
        Some("John")
    );
    harness.get_by_label("start capture").click();
    step_until(&mut harness, "the capture to start", |h| {
        h.query_by_label_contains("Capturing John").is_some()
    });
    step_until(&mut harness, "the enrollment to finish", |h| {
        h.query_by_label("Gallery 1 / 5").is_some()
    });
    assert!(harness.query_by_label_contains("enrolled John").is_some());

    step_until(&mut harness, "John to be identified", |h| {
        h.query_all_by_label("John").count() >= 2
    });

    harness.get_by_label("32 px (3)").click();
    step_until(&mut harness, "the switch to 32 px", |h| {
        h.query_by_label_contains("Face: 32 px, shrunk from")
            .is_some()
    });
    harness.key_press(egui::Key::Num2);
    step_until(&mut harness, "the switch to 24 px by key", |h| {
        h.query_by_label_contains("Face: 24 px, shrunk from")
            .is_some()
    });

    harness.get_by_label("metrics").click();
    step_until(&mut harness, "the metrics panel", |h| {
        h.query_by_label_contains("process RSS").is_some()
    });
    assert!(
        harness.query_by_label("edgeface").is_some(),
        "per-stage latency rows"
    );
    assert!(
        harness.query_by_label_contains("dsr16.onnx").is_some(),
        "model sizes"
    );
}

#[test]
fn a_full_gallery_refuses_a_sixth_person() {
    let Some(faces) = faces() else { return };
    let gallery = scratch("full-gallery");
    let source = one_person_source(&faces, "David_Beckham", "full-source");
    let names: Vec<String> = (0..lrfr::gallery::MAX_PEOPLE)
        .map(|i| format!("Person {i}"))
        .collect();
    seed_people(
        &gallery,
        &names.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let mut harness = harness(&gallery, &source);
    step_until(&mut harness, "the gallery to load", |h| {
        h.query_by_label("Gallery 5 / 5").is_some()
    });
    assert!(harness
        .query_by_label_contains("The gallery is full (5 people)")
        .is_some());
    assert!(
        harness.query_by_label("start capture").is_none(),
        "no way to start a sixth enrollment"
    );
}

/// Types `text` into the field (`role`) labelled `label`, replacing what it held.
fn type_into(harness: &mut Harness<'_, LrfrApp>, role: Role, label: &str, text: &str) {
    harness.get_by_role_and_label(role, label).focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.get_by_role_and_label(role, label).type_text(text);
    harness.step();
}

/// Opens the backup section, fills the file and passphrase, and presses `action`.
fn backup(harness: &mut Harness<'_, LrfrApp>, file: &Path, action: &str) {
    if harness
        .query_by_role_and_label(Role::TextInput, "file")
        .is_none()
    {
        harness.get_by_label_contains("Backup").click();
        harness.step();
    }
    type_into(
        harness,
        Role::TextInput,
        "file",
        &file.display().to_string(),
    );
    type_into(harness, Role::PasswordInput, "passphrase", "window secret");
    harness.get_by_label(action).click();
    harness.step();
}

#[test]
fn a_gallery_exported_from_the_window_imports_into_another() {
    let Some(faces) = faces() else { return };
    let scratch_dir = scratch("backup");
    let (home, other) = (scratch_dir.join("home"), scratch_dir.join("other"));
    let file = scratch_dir.join("people.age");
    let source = one_person_source(&faces, "Norah_Jones", "backup-source");
    seed_people(&home, &["Ada"]);
    {
        let mut harness = harness(&home, &source);
        step_until(&mut harness, "the gallery to load", |h| {
            h.query_by_label("Gallery 1 / 5").is_some()
        });
        backup(&mut harness, &file, "export");
        step_until(&mut harness, "the export", |h| {
            h.query_by_label_contains("exported 1 person").is_some()
        });
    }
    assert!(file.is_file());
    let mut harness = harness(&other, &source);
    step_until(&mut harness, "the empty gallery", |h| {
        h.query_by_label("Gallery 0 / 5").is_some()
    });
    backup(&mut harness, &file, "import");
    step_until(&mut harness, "the import", |h| {
        h.query_by_label("Gallery 1 / 5").is_some()
    });
    assert!(harness.query_by_label_contains("imported Ada").is_some());
    // A second import is refused with the reason, and nobody is added.
    backup(&mut harness, &file, "import");
    step_until(&mut harness, "the refusal", |h| {
        h.query_by_label_contains("already enrolled").is_some()
    });
    assert!(harness.query_by_label("Gallery 1 / 5").is_some());
}

#[test]
fn two_faces_in_view_get_two_labelled_boxes_and_a_click_selects_one() {
    let Some(faces) = faces() else { return };
    let gallery = scratch("two-gallery");
    let source = scratch("two-source");
    let photo = |person: &str, n: u32| photo(&faces, person, n);
    // Two people side by side on every frame; only John is enrolled.
    for n in 1..=8 {
        let mut frame = lrfr::frame::Frame::from_pixel(640, 480, image::Rgb([110, 110, 110]));
        image::imageops::replace(&mut frame, &photo("John_Ashcroft", n + 5), 40, 115);
        image::imageops::replace(&mut frame, &photo("Colin_Powell", n), 350, 115);
        frame
            .save(source.join(format!("{n:02}.png")))
            .expect("writes a frame");
    }
    enroll_john(&mut pipeline(), &faces, &gallery);
    let mut harness = harness(&gallery, &source);
    harness.get_by_label("32 px (3)").click();
    step_until(&mut harness, "John named and the stranger unknown", |h| {
        let snapshot = h.state().worker().snapshot();
        let labels: Vec<_> = snapshot.tracks.iter().map(|t| t.label.clone()).collect();
        // Background faces of the news photos may add small tracks of their own.
        labels.len() >= 2
            && labels.iter().any(|l| matches!(l, Label::Named(0, _)))
            && labels.contains(&Label::Unknown)
    });
    // The threshold in force is the calibrated one, to the last digit: drawing the slider
    // must not round it into a user override.
    let in_force = harness.state().worker().snapshot().threshold;
    let calibrated = lrfr::models::Manifest::load(&models())
        .unwrap()
        .resolution(Resolution::R32)
        .threshold;
    assert_eq!(in_force, calibrated);
    // The largest face is shown first; a click on the other box follows it instead.
    let (other, at) = {
        let snapshot = harness.state().worker().snapshot();
        let other = snapshot
            .tracks
            .iter()
            .find(|t| Some(t.id) != snapshot.selected)
            .cloned()
            .expect("a second track");
        (other.id, other.face)
    };
    let rect = harness.get_by_label("camera view").rect();
    let scale = rect.width() / 640.0;
    let centre = rect.min + egui::vec2(at.x + at.width / 2.0, at.y + at.height / 2.0) * scale;
    harness.hover_at(centre);
    harness.step();
    harness.event(egui::Event::PointerButton {
        pos: centre,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    harness.event(egui::Event::PointerButton {
        pos: centre,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    step_until(&mut harness, "the clicked track to be shown", |h| {
        h.state().worker().snapshot().selected == Some(other)
    });
}

fn photo(faces: &Path, person: &str, n: u32) -> Frame {
    decode_file(&faces.join(person).join(format!("{person}_{n:04}.jpg"))).expect("a training photo")
}

fn pipeline() -> Pipeline {
    let config = Config {
        models_dir: models(),
        threads: 1,
        ..Config::default()
    };
    Pipeline::new(&config).expect("the shipped models load")
}

/// Enrolls John Ashcroft from his first five photos, as `lrfr enroll` would.
fn enroll_john(pipeline: &mut Pipeline, faces: &Path, gallery: &Path) {
    let (mut people, _) = lrfr::gallery::Gallery::open(gallery).unwrap();
    let aligned: Vec<_> = (1..=5)
        .map(|n| {
            let frame = photo(faces, "John_Ashcroft", n);
            pipeline.align(&frame).unwrap().unwrap().aligned.clone()
        })
        .collect();
    lrfr::enroll::enroll(pipeline, &mut people, "John", &aligned, false).unwrap();
}

#[test]
fn at_auto_a_distant_person_is_named_from_their_own_pixels() {
    let Some(faces) = faces() else { return };
    let gallery = scratch("distant-gallery");
    let source = scratch("distant-source");
    let mut pipeline = pipeline();
    enroll_john(&mut pipeline, &faces, &gallery);
    // John across the room: each photo shrunk so his face has 36 px of its own (a box of
    // about 24 px in a 640x480 frame), too small for the near-face path.
    for n in 6..=13 {
        let full = photo(&faces, "John_Ashcroft", n);
        let native = pipeline.align(&full).unwrap().expect("a face").native;
        let scale = 36.0 / native;
        let (w, h) = (full.width() as f32 * scale, full.height() as f32 * scale);
        let small = image::imageops::resize(
            &full,
            w.round() as u32,
            h.round() as u32,
            image::imageops::FilterType::Triangle,
        );
        let mut frame = Frame::from_pixel(640, 480, image::Rgb([110, 120, 100]));
        image::imageops::replace(&mut frame, &small, 300, 200);
        frame
            .save(source.join(format!("{n:02}.png")))
            .expect("writes a frame");
    }
    let mut harness = harness_with_models(&models(), &gallery, &source, ResChoice::Native);
    step_until(&mut harness, "John named", |h| {
        let snapshot = h.state().worker().snapshot();
        snapshot
            .tracks
            .iter()
            .any(|t| matches!(t.label, Label::Named(0, _)))
    });
    assert!(
        harness
            .query_by_label_contains("Face: 32 px of its own (")
            .is_some(),
        "the face's own size and path in the face panel's heading"
    );
    assert_eq!(
        harness.state().worker().snapshot().face_res,
        Some(Resolution::R32)
    );
    // The same face at a fixed 16 px goes through the near-face path, shrunk.
    harness.get_by_label("16 px (1)").click();
    step_until(&mut harness, "the near-face path at 16 px", |h| {
        h.query_by_label_contains("Face: 16 px, shrunk from")
            .is_some()
    });
}

#[test]
fn broken_models_still_open_the_window_and_say_what_to_do() {
    let models = scratch("no-models");
    let source = scratch("no-models-source");
    image::RgbImage::from_pixel(64, 48, image::Rgb([90, 90, 90]))
        .save(source.join("grey.png"))
        .expect("writes a frame");
    let gallery = scratch("no-models-gallery");
    let mut harness = harness_with_models(&models, &gallery, &source, ResChoice::Native);
    step_until(&mut harness, "the model error", |h| {
        h.query_by_label_contains("is --models pointing at the models folder?")
            .is_some()
    });
    assert!(harness.query_by_label_contains("manifest.json").is_some());
}

#[test]
fn help_lists_the_shortcuts_and_the_camera_picker_switches_source() {
    let Some(faces) = faces() else { return };
    let gallery = scratch("picker-gallery");
    let source = one_person_source(&faces, "John_Ashcroft", "picker-source");
    let other = one_person_source(&faces, "David_Beckham", "picker-other");
    let mut harness = harness(&gallery, &source);
    step_until(&mut harness, "the first frame", |h| {
        h.query_by_label_contains("face(s)").is_some()
    });

    harness.key_press(egui::Key::F1);
    step_until(&mut harness, "the help overlay", |h| {
        h.query_by_label("Keyboard and touch").is_some()
    });
    for (keys, _) in super::panels::SHORTCUTS {
        assert!(harness.query_by_label(keys).is_some(), "{keys} is listed");
    }
    harness.key_press(egui::Key::Escape);
    step_until(&mut harness, "the help to close", |h| {
        h.query_by_label("Keyboard and touch").is_none()
    });

    harness.get_by_label("📷 camera…").click();
    // This machine has no camera: the picker says what to do instead of listing nothing.
    step_until(&mut harness, "the camera list", |h| {
        h.query_by_label_contains("look again").is_some()
            && h.query_by_label_contains("looking for cameras").is_none()
    });
    let cameras = lrfr::source::list_cameras();
    match cameras.cameras.first() {
        Some(camera) => assert!(harness.query_by_label_contains(&camera.name).is_some()),
        None => {
            let advice = cameras.advice.expect("advice when there is no camera");
            assert!(harness.query_by_label(&advice).is_some(), "{advice}");
        }
    }
    let folder = other.display().to_string();
    type_into(&mut harness, Role::TextInput, "folder", &folder);
    harness.get_by_label("use folder").click();
    step_until(&mut harness, "the new source", |h| {
        h.query_by_label_contains(&format!("source: {folder} ("))
            .is_some()
    });
    let remembered = harness.state().worker().snapshot().source_choice.clone();
    assert_eq!(
        remembered,
        Some(super::SourceChoice::Folder(other.to_path_buf())),
        "what the next run reopens"
    );
}

#[test]
fn a_person_removed_by_another_lrfr_loses_the_name_on_their_box() {
    let Some(faces) = faces() else { return };
    let gallery = scratch("removed-gallery");
    let source = one_person_source(&faces, "John_Ashcroft", "removed-source");
    let mut pipeline = pipeline();
    enroll_john(&mut pipeline, &faces, &gallery);
    let mut harness = harness(&gallery, &source);
    let named = |h: &Harness<'_, LrfrApp>| {
        h.state()
            .worker()
            .snapshot()
            .tracks
            .iter()
            .any(|t| matches!(t.label, Label::Named(..)))
    };
    step_until(&mut harness, "John named", named);
    // `lrfr gallery remove John` in a terminal beside the window.
    let (mut people, _) = lrfr::gallery::Gallery::open(&gallery).unwrap();
    people.remove("John").unwrap();
    step_until(&mut harness, "John's box to lose the name", |h| !named(h));
    // And it stays lost: John is still in view, but nobody is enrolled now.
    for _ in 0..10 {
        harness.step();
        assert!(!named(&harness), "John was named again after his removal");
        std::thread::sleep(STEP_PAUSE);
    }
}

#[test]
fn enrolling_someone_twice_asks_before_it_goes_ahead() {
    let Some(faces) = faces() else { return };
    let gallery = scratch("twice-gallery");
    let source = one_person_source(&faces, "John_Ashcroft", "twice-source");
    let mut pipeline = pipeline();
    enroll_john(&mut pipeline, &faces, &gallery);
    let mut harness = harness(&gallery, &source);
    step_until(&mut harness, "the gallery to load", |h| {
        h.query_by_label("Gallery 1 / 5").is_some()
    });
    // The same person's photos, under another name.
    type_into(&mut harness, Role::TextInput, "name", "Johnny");
    let folder = faces.join("John_Ashcroft").display().to_string();
    type_into(&mut harness, Role::TextInput, "photos", &folder);
    harness.get_by_label("add").click();
    step_until(&mut harness, "the question", |h| {
        h.query_by_label("enroll anyway").is_some()
    });
    assert!(
        harness.query_by_label("Gallery 1 / 5").is_some(),
        "enrolled without asking"
    );
    // The question stays while it waits for the answer, past the time answers fade.
    stays_shown(&mut harness, "look like John");
    harness.get_by_label("enroll anyway").click();
    step_until(&mut harness, "Johnny enrolled after all", |h| {
        h.query_by_label("Gallery 2 / 5").is_some()
    });
}

/// Text the window draws (waited for as drawn, not as told: a button is clicked only once
/// the window shows it).
fn shown(text: &'static str) -> impl Fn(&Harness<'_, LrfrApp>) -> bool {
    move |h| h.query_by_label_contains(text).is_some()
}

/// John enrolled and in view; the window started with `name` folders and John marked "not
/// John" on his own face with the button under his name. Returns the gallery folder, the
/// source (kept while the window runs), the window, and the mark's crop on disk.
fn john_marked_not_john<'a>(
    name: &str,
) -> Option<(Scratch, Scratch, Harness<'a, LrfrApp>, PathBuf)> {
    let faces = faces()?;
    let gallery = scratch(&format!("{name}-gallery"));
    let source = one_person_source(&faces, "John_Ashcroft", &format!("{name}-source"));
    let mut pipeline = pipeline();
    enroll_john(&mut pipeline, &faces, &gallery);
    let mut harness = harness(&gallery, &source);
    step_until(&mut harness, "John named", shown("not John"));
    harness.get_by_label("not John").click();
    step_until(&mut harness, "the mark to be saved", |h| {
        shown("noted: not John")(h) && h.query_by_label("undo").is_some()
    });
    let (people, _) = lrfr::gallery::Gallery::open(&gallery).unwrap();
    assert_eq!(people.people()[0].not.len(), 1);
    let marked = gallery.join(&people.people()[0].not[0].face);
    assert!(marked.is_file(), "{} was not written", marked.display());
    Some((gallery, source, harness, marked))
}

/// The mark is gone from the gallery and from the disk, and John is named again.
fn mark_taken_back(gallery: &Path, marked: &Path, harness: &mut Harness<'_, LrfrApp>) {
    let (people, _) = lrfr::gallery::Gallery::open(gallery).unwrap();
    assert!(people.people()[0].not.is_empty());
    assert!(!marked.exists(), "{} was left behind", marked.display());
    step_until(harness, "John named again", |h| {
        h.state().worker().snapshot().accepted.is_some()
    });
}

#[test]
fn the_not_button_marks_the_face_in_view_as_someone_else_and_undo_takes_it_back() {
    let Some((gallery, _source, mut harness, marked)) = john_marked_not_john("not") else {
        return;
    };
    // The mark was John's own face: undone where it was made.
    harness.get_by_label("undo").click();
    step_until(
        &mut harness,
        "the mark to be taken back",
        shown("undone: that face is no longer marked as not John (0 marked)"),
    );
    assert!(
        harness.query_by_label("undo").is_none(),
        "undo offered twice"
    );
    mark_taken_back(&gallery, &marked, &mut harness);
    // The answer to a click fades (after `NOTICE_FADES`, short in tests).
    step_until(&mut harness, "the notice to fade", |h| {
        h.state().worker().snapshot().notice.is_none() && !shown("undone:")(h)
    });
}

#[test]
fn a_mark_whose_undo_has_faded_is_taken_back_from_the_gallery_panel() {
    let Some((gallery, _source, mut harness, marked)) = john_marked_not_john("take-back") else {
        return;
    };
    // The mistake is noticed only after the message and its undo have gone.
    step_until(&mut harness, "the notice to fade", |h| {
        h.query_by_label("undo").is_none() && !shown("noted: not John")(h)
    });
    harness.get_by_label("1 face marked not John").click();
    step_until(&mut harness, "the marked face", shown("take back"));
    harness.get_by_label("take back").click();
    // It asks first; "keep" leaves the mark.
    step_until(&mut harness, "the question", shown("Take back this mark?"));
    harness.get_by_label("keep").click();
    step_until(&mut harness, "the question to go", |h| {
        !shown("Take back this mark?")(h)
    });
    assert!(marked.is_file(), "{} went on keep", marked.display());
    harness.get_by_label("take back").click();
    step_until(&mut harness, "the question", shown("yes, take back"));
    harness.get_by_label("yes, take back").click();
    step_until(&mut harness, "the mark to be taken back", |h| {
        h.query_by_label_contains("1 face marked not John")
            .is_none()
    });
    mark_taken_back(&gallery, &marked, &mut harness);
}

#[test]
fn a_notice_nobody_asked_for_stays_until_the_next() {
    let Some(faces) = faces() else { return };
    let gallery = scratch("damaged-gallery");
    std::fs::write(gallery.join(lrfr::gallery::FILE_NAME), "{ not json").unwrap();
    let source = one_person_source(&faces, "John_Ashcroft", "damaged-source");
    let mut harness = harness(&gallery, &source);
    step_until(&mut harness, "the damaged gallery's notice", |h| {
        h.query_by_label_contains("is not readable JSON").is_some()
    });
    // Found at start, while nobody may be looking: it does not fade with the answers to clicks.
    stays_shown(&mut harness, "is not readable JSON");
}

/// Steps past the time a notice answering a click fades, failing if `text` goes meanwhile.
fn stays_shown(harness: &mut Harness<'_, LrfrApp>, text: &str) {
    let until = std::time::Instant::now() + super::shell::NOTICE_FADES + Duration::from_secs(1);
    while std::time::Instant::now() < until {
        harness.step();
        assert!(
            harness.query_by_label_contains(text).is_some(),
            "{text:?} faded"
        );
        std::thread::sleep(STEP_PAUSE);
    }
}
