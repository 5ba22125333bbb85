//! End to end through the real binary, the shipped models and real faces of identities the
//! forge held out: enroll three people, identify new images of them and of strangers.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn lrfr(gallery: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--gallery")
        .arg(gallery)
        .arg("--models")
        .arg(common::models_dir())
        .args(args)
        .output()
        .expect("lrfr runs")
}

fn images(faces: &Path, person: &str, numbers: std::ops::RangeInclusive<u32>) -> Vec<String> {
    numbers
        .map(|n| {
            faces
                .join(person)
                .join(format!("{person}_{n:04}.jpg"))
                .display()
                .to_string()
        })
        .collect()
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// John Ashcroft enrolled as "John" from his first five photos, through `lrfr enroll`.
fn enroll_john(faces: &Path, gallery: &Path) {
    let files = images(faces, "John_Ashcroft", 1..=5);
    let mut args = vec!["enroll", "--name", "John"];
    args.extend(files.iter().map(String::as_str));
    let out = lrfr(gallery, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const PEOPLE: [&str; 3] = ["John_Ashcroft", "David_Beckham", "Norah_Jones"];

#[test]
fn enroll_three_then_identify_them_and_a_stranger() {
    let Some(faces) = common::faces() else { return };
    let gallery = common::scratch("cli-e2e");
    for person in PEOPLE {
        let mut args = vec!["enroll", "--name", person];
        let files = images(&faces, person, 1..=5);
        args.extend(files.iter().map(String::as_str));
        let out = lrfr(&gallery, &args);
        assert!(
            out.status.success(),
            "enroll {person}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let listed = lrfr(&gallery, &["gallery", "list", "--json"]);
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed["people"].as_array().map(Vec::len), Some(3));

    for res in ["32", "24", "16"] {
        let mut correct = 0;
        let mut total = 0;
        for person in PEOPLE {
            let files = images(&faces, person, 6..=9);
            let mut args = vec!["identify", "--json", "--res", res];
            args.extend(files.iter().map(String::as_str));
            let out = lrfr(&gallery, &args);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            for line in json_lines(&out) {
                assert_eq!(line["res"], res.parse::<u32>().unwrap());
                assert!(
                    line["top"].as_array().is_some_and(|t| t.len() == 3),
                    "{line}"
                );
                total += 1;
                correct += usize::from(line["name"] == person);
            }
        }
        println!("{res} px: {correct}/{total} enrolled-person images identified");
        let needed = if res == "16" {
            total / 2
        } else {
            total * 3 / 4
        };
        assert!(
            correct >= needed,
            "{res} px: only {correct}/{total} identified"
        );
    }

    let strangers = images(&faces, "Hillary_Clinton", 1..=8);
    let mut args = vec!["identify", "--json", "--res", "32"];
    args.extend(strangers.iter().map(String::as_str));
    let out = lrfr(&gallery, &args);
    let unknown = json_lines(&out)
        .iter()
        .filter(|l| l["face"] == true && l["name"].is_null())
        .count();
    println!("stranger: {unknown}/8 images left unknown at 32 px");
    assert!(
        unknown >= 6,
        "only {unknown}/8 stranger images were unknown"
    );
}

#[test]
fn verify_accepts_the_person_and_refuses_others() {
    let Some(faces) = common::faces() else { return };
    let gallery = common::scratch("cli-verify");
    let files = images(&faces, "John_Ashcroft", 10..=14);
    let mut args = vec!["enroll", "--name", "John"];
    args.extend(files.iter().map(String::as_str));
    assert!(lrfr(&gallery, &args).status.success());
    let same = images(&faces, "John_Ashcroft", 20..=23);
    let other = images(&faces, "David_Beckham", 20..=23);
    // One line per photo: LFW photos have small background faces, now found too.
    let mut args = vec![
        "verify",
        "--name",
        "john",
        "--json",
        "--largest",
        "--res",
        "32",
    ];
    args.extend(same.iter().chain(&other).map(String::as_str));
    let out = lrfr(&gallery, &args);
    // Some photos are not John: exit 3, "no match", not 0 and not an error's 1.
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not match John"));
    let lines = json_lines(&out);
    let accepted: Vec<bool> = lines.iter().map(|l| l["match"] == true).collect();
    assert!(
        accepted[..4].iter().filter(|a| **a).count() >= 3,
        "{accepted:?}"
    );
    assert!(
        accepted[4..].iter().filter(|a| !**a).count() >= 3,
        "{accepted:?}"
    );
    // A photo of John alone: a match, exit 0.
    let one = lrfr(
        &gallery,
        &["verify", "--name", "John", "--largest", &same[0]],
    );
    assert_eq!(
        one.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
}

#[test]
fn with_no_display_the_window_says_so_in_one_sentence() {
    let gallery = common::scratch("cli-headless");
    for display in [None, Some(":97")] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lrfr"));
        command
            .arg("--gallery")
            .arg(&gallery)
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("DISPLAY");
        if let Some(display) = display {
            command.env("DISPLAY", display);
        }
        let out = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{display:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{display:?}: {stderr}");
        assert!(
            stderr.contains("lrfr watch") && !stderr.contains(".cargo"),
            "{stderr}"
        );
    }
    // doctor connects, rather than trusting that DISPLAY is set.
    let out = Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--gallery")
        .arg(&gallery)
        .arg("--models")
        .arg(common::models_dir())
        .arg("doctor")
        .env_remove("WAYLAND_DISPLAY")
        .env("DISPLAY", ":97")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let display = text
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some("display"))
        .unwrap_or("");
    assert!(display.contains("DISPLAY=:97 does not answer"), "{text}");
    assert!(!display.starts_with("ok"), "{text}");
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1() {
    let gallery = common::scratch("cli-exit");
    let usage = lrfr(&gallery, &["identify", "--res", "48", "x.jpg"]);
    assert_eq!(usage.status.code(), Some(2));
    let missing = lrfr(&gallery, &["gallery", "remove", "Nobody"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("Nobody"));
    let few = lrfr(&gallery, &["enroll", "--name", "X", "Cargo.toml"]);
    assert_eq!(few.status.code(), Some(1));
    // An infinite duration aborted the process before (a panic in Duration).
    for minutes in ["inf", "NaN", "1e300"] {
        let soak = lrfr(&gallery, &["soak", "--source", "x", "--minutes", minutes]);
        assert_eq!(soak.status.code(), Some(1), "--minutes {minutes}");
        assert!(String::from_utf8_lossy(&soak.stderr).contains("--minutes must be"));
    }
}

#[test]
fn a_missing_model_folder_is_a_clear_error() {
    let gallery = common::scratch("cli-models");
    let out = Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .args(["--models", "/nonexistent-lrfr-models", "--gallery"])
        .arg(&gallery)
        .args(["identify", "Cargo.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("manifest.json") && text.contains("--models"),
        "{text}"
    );
}

#[test]
fn a_gallery_moves_to_another_pi_through_an_encrypted_export() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("cli-export");
    let (home, pi) = (dir.join("home"), dir.join("pi"));
    let files = images(&faces, "Norah_Jones", 1..=4);
    let mut args = vec!["enroll", "--name", "Norah"];
    args.extend(files.iter().map(String::as_str));
    assert!(lrfr(&home, &args).status.success());
    let secret = dir.join("secret");
    std::fs::write(&secret, "a long passphrase\n").unwrap();
    let secret = secret.display().to_string();
    let export = dir.join("norah.age").display().to_string();
    let out = lrfr(
        &home,
        &["gallery", "export", &export, "--passphrase-file", &secret],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = lrfr(
        &pi,
        &["gallery", "import", &export, "--passphrase-file", &secret],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported Norah"));
    // The imported templates identify her there, without re-enrolling.
    let probes = images(&faces, "Norah_Jones", 5..=7);
    let mut args = vec!["identify", "--json", "--res", "32"];
    args.extend(probes.iter().map(String::as_str));
    let named = json_lines(&lrfr(&pi, &args))
        .iter()
        .filter(|l| l["name"] == "Norah")
        .count();
    assert!(named >= 2, "{named}/3 named after the import");
    // A second import is refused with the reason, and changes nothing.
    let again = lrfr(
        &pi,
        &["gallery", "import", &export, "--passphrase-file", &secret],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already enrolled"));
}

/// Two people side by side on one 640x480 frame, saved as `path`.
fn group_photo(faces: &Path, left: (&str, u32), right: (&str, u32), path: &Path) {
    let photo = |(person, n): (&str, u32)| {
        image::open(faces.join(person).join(format!("{person}_{n:04}.jpg")))
            .unwrap()
            .to_rgb8()
    };
    let mut frame = image::RgbImage::from_pixel(640, 480, image::Rgb([110, 110, 110]));
    image::imageops::replace(&mut frame, &photo(left), 40, 115);
    image::imageops::replace(&mut frame, &photo(right), 350, 115);
    frame.save(path).unwrap();
}

#[test]
fn identify_names_each_enrolled_person_in_a_group_photo() {
    let Some(faces) = common::faces() else { return };
    let gallery = common::scratch("cli-group");
    for (name, person) in [("John", "John_Ashcroft"), ("Norah", "Norah_Jones")] {
        let files = images(&faces, person, 1..=5);
        let mut args = vec!["enroll", "--name", name];
        args.extend(files.iter().map(String::as_str));
        assert!(lrfr(&gallery, &args).status.success());
    }
    let photo = gallery.join("group.png");
    group_photo(&faces, ("John_Ashcroft", 7), ("Norah_Jones", 7), &photo);
    let out = lrfr(
        &gallery,
        &[
            "identify",
            "--json",
            "--res",
            "32",
            &photo.display().to_string(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    let named: Vec<&str> = lines.iter().filter_map(|l| l["name"].as_str()).collect();
    assert!(
        named.contains(&"John") && named.contains(&"Norah"),
        "{lines:?}"
    );
    assert!(lines
        .iter()
        .all(|l| l["box"].as_array().is_some_and(|b| b.len() == 4)));
    // --largest keeps one line per image.
    let out = lrfr(
        &gallery,
        &[
            "identify",
            "--largest",
            "--json",
            "--res",
            "32",
            &photo.display().to_string(),
        ],
    );
    assert_eq!(json_lines(&out).len(), 1);
}

/// A folder of a door camera's frames under `dir`: John (photos 10-17) for eight frames,
/// then a stranger (Colin Powell) in his place for `stranger_frames`.
fn john_then_a_stranger(faces: &Path, dir: &Path, stranger_frames: u32) -> String {
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    for n in 0..8u32 {
        std::fs::copy(
            faces.join(format!("John_Ashcroft/John_Ashcroft_{:04}.jpg", n + 10)),
            frames.join(format!("a{n:02}.jpg")),
        )
        .unwrap();
    }
    for n in 0..stranger_frames {
        std::fs::copy(
            faces.join(format!("Colin_Powell/Colin_Powell_{:04}.jpg", n + 1)),
            frames.join(format!("b{n:02}.jpg")),
        )
        .unwrap();
    }
    frames.display().to_string()
}

#[test]
fn watch_names_a_person_once_and_says_when_they_leave() {
    let Some(faces) = common::faces() else { return };
    let gallery = common::scratch("cli-watch");
    enroll_john(&faces, &gallery);
    // A door camera's frames: John for eight frames, then a stranger for eight.
    let frames = john_then_a_stranger(&faces, &gallery, 8);
    let out = lrfr(
        &gallery,
        &["watch", "--source", &frames, "--res", "16", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = json_lines(&out);
    let named: Vec<&Value> = events.iter().filter(|e| e["event"] == "named").collect();
    assert_eq!(named.len(), 1, "{events:?}");
    assert_eq!(named[0]["name"], "John");
    assert_eq!(named[0]["res"], 16);
    // The stranger steps into John's place: the track stops being John at once instead of
    // lending the stranger his name, and nobody else is ever named.
    let unnamed = events.iter().position(|e| e["event"] == "unnamed");
    assert!(unnamed.is_some(), "{events:?}");
    assert!(events
        .iter()
        .filter(|e| e["event"] == "named" || e["event"] == "renamed")
        .all(|e| e["name"] == "John"));
    assert!(events.iter().any(|e| e["event"] == "lost"), "{events:?}");
}

#[test]
fn watch_says_who_left_as_it_told_them_when_the_last_frame_was_held_aside() {
    let Some(faces) = common::faces() else { return };
    let gallery = common::scratch("cli-watch-held");
    enroll_john(&faces, &gallery);
    // John for eight frames, then the folder ends on one frame of a stranger in his place:
    // that frame is held aside ("checking"), which tells the listeners nothing yet.
    let frames = john_then_a_stranger(&faces, &gallery, 1);
    let out = lrfr(
        &gallery,
        &[
            "watch", "--source", &frames, "--res", "24", "--json", "--frames",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (shown, events): (Vec<Value>, Vec<Value>) = json_lines(&out)
        .into_iter()
        .partition(|e| e["event"] == "frame");
    // What the screen showed: every frame, in order, John named from the third, and the
    // stranger's frame "checking", not John.
    let frame = |f: &Value| f["frame"].as_u64().unwrap();
    assert_eq!(
        shown.iter().map(frame).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<_>>()
    );
    for f in &shown[2..8] {
        assert_eq!(f["faces"][0]["name"], "John", "{f}");
        assert_eq!(f["faces"][0]["shows"], "named", "{f}");
    }
    let last = &shown[8]["faces"][0];
    assert_eq!(last["shows"], "checking", "{shown:?}");
    assert!(last["name"].is_null() && last["box"][2].as_f64().unwrap() > 20.0);
    let john = events
        .iter()
        .find(|e| e["event"] == "named" && e["name"] == "John")
        .unwrap_or_else(|| panic!("John never named: {events:?}"));
    // The listeners were told the track is John and never told otherwise: its leaving says
    // John left (it said a stranger left, as the held-aside frame's verdict had it).
    let end = events
        .iter()
        .rev()
        .find(|e| e["track"] == john["track"])
        .unwrap();
    assert_eq!(end["event"], "lost", "{events:?}");
    assert_eq!(end["was"], "John", "{events:?}");
}

#[test]
fn watch_says_when_a_stranger_is_at_the_door_and_who_left() {
    let Some(faces) = common::faces() else { return };
    let gallery = common::scratch("cli-watch-stranger");
    enroll_john(&faces, &gallery);
    let frames = gallery.join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    for n in 0..8u32 {
        std::fs::copy(
            faces.join(format!("Colin_Powell/Colin_Powell_{:04}.jpg", n + 1)),
            frames.join(format!("{n:02}.jpg")),
        )
        .unwrap();
    }
    let frames = frames.display().to_string();
    let out = lrfr(
        &gallery,
        &["watch", "--source", &frames, "--res", "24", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = json_lines(&out);
    // The stranger: reported once as unknown, with the closest score, then as leaving.
    let unknown: Vec<&Value> = events.iter().filter(|e| e["event"] == "unknown").collect();
    assert!(!unknown.is_empty(), "{events:?}");
    let stranger = &unknown[0]["track"];
    assert_eq!(
        events
            .iter()
            .filter(|e| e["event"] == "unknown" && &e["track"] == stranger)
            .count(),
        1,
        "{events:?}"
    );
    assert!(unknown[0]["score"].as_f64().is_some_and(|s| s < 0.5));
    assert!(unknown[0]["frame"].as_u64().is_some_and(|f| f >= 3));
    assert!(events.iter().all(|e| e["event"] != "named"), "{events:?}");
    let left = events
        .iter()
        .find(|e| e["event"] == "lost" && &e["track"] == stranger)
        .expect("the stranger's leaving is told");
    assert!(left["was"].is_null() && left["name"].is_null());
}

#[test]
fn models_are_found_beside_a_copied_binary_before_the_build_tree() {
    let dir = common::scratch("cli-installed");
    let (bin, models) = (dir.join("bin"), dir.join("share/lrfr/models"));
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&models).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_lrfr"), bin.join("lrfr")).unwrap();
    // A manifest there that cannot load: the error shows which folder was chosen.
    std::fs::write(models.join("manifest.json"), r#"{"schema_version": 99}"#).unwrap();
    let empty = dir.join("elsewhere");
    std::fs::create_dir_all(&empty).unwrap();
    let run = |envs: &[(&str, &std::path::Path)]| {
        let mut command = Command::new(bin.join("lrfr"));
        command.current_dir(&empty).env_remove("LRFR_MODELS").args([
            "--gallery",
            "g",
            "identify",
            "x.jpg",
        ]);
        for (key, value) in envs {
            command.env(key, value);
        }
        command.output().unwrap()
    };
    let out = run(&[]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("bin/../share/lrfr/models/manifest.json"),
        "{text}"
    );
    // $LRFR_MODELS comes first.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("manifest.json"), "{}").unwrap();
    let out = run(&[("LRFR_MODELS", &other)]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("other/manifest.json"), "{text}");
}

#[test]
fn doctor_passes_a_good_setup_and_says_what_to_fix_in_a_bad_one() {
    let gallery = common::scratch("cli-doctor");
    let good = lrfr(&gallery, &["doctor"]);
    let text = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{text}");
    for area in ["models", "gallery", "data", "camera", "display"] {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().nth(1) == Some(area)),
            "{area}: {text}"
        );
    }
    assert!(text.contains("checksum good"), "{text}");

    // A model that is not what the manifest says, and a gallery others can read.
    let models = gallery.join("models");
    std::fs::create_dir_all(&models).unwrap();
    for entry in std::fs::read_dir(common::models_dir()).unwrap().flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), models.join(entry.file_name())).unwrap();
        }
    }
    std::fs::write(models.join("dsr16.onnx"), b"not a network").unwrap();
    let people = gallery.join("people");
    std::fs::create_dir_all(&people).unwrap();
    std::fs::write(
        people.join("gallery.json"),
        br#"{"schema_version": 2, "people": []}"#,
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&people, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--models")
        .arg(&models)
        .arg("--gallery")
        .arg(&people)
        .arg("doctor")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{text}");
    let fixes: Vec<&str> = text.lines().filter(|l| l.starts_with("FIX")).collect();
    assert!(fixes.iter().any(|l| l.contains("dsr16.onnx")), "{text}");
    assert!(fixes.iter().any(|l| l.contains("chmod -R go=")), "{text}");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2 thing(s) to fix"));
}

#[test]
fn crop_boxes_writes_its_table_even_when_no_face_is_found() {
    let dir = common::scratch("crop-no-face");
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    image::RgbImage::from_pixel(64, 48, image::Rgb([90, 90, 90]))
        .save(frames.join("grey.png"))
        .unwrap();
    let out = dir.join("out");
    let run = common::run_lrfr::<_, &std::ffi::OsStr>([
        "crop".as_ref(),
        "--boxes".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        frames.as_os_str(),
    ]);
    assert!(String::from_utf8_lossy(&run.stdout).contains("0 of 1 images"));
    let table = std::fs::read_to_string(out.join("boxes.tsv")).unwrap();
    assert_eq!(table.lines().count(), 1, "the header only: {table}");
}

#[test]
fn watch_stops_naming_a_person_removed_by_another_lrfr() {
    use std::io::BufRead;
    let Some(faces) = common::faces() else { return };
    let gallery = common::scratch("cli-watch-remove");
    enroll_john(&faces, &gallery);
    // Five visits of John, each a new track: twelve empty frames between them.
    let frames = gallery.join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    let empty = image::RgbImage::from_pixel(250, 250, image::Rgb([128, 128, 128]));
    for visit in 0..5u32 {
        for n in 0..6u32 {
            std::fs::copy(
                faces.join(format!("John_Ashcroft/John_Ashcroft_{:04}.jpg", n + 10)),
                frames.join(format!("{visit}a{n:02}.jpg")),
            )
            .unwrap();
        }
        for n in 0..12u32 {
            empty
                .save(frames.join(format!("{visit}b{n:02}.png")))
                .unwrap();
        }
    }
    let mut watch = Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--gallery")
        .arg(&gallery)
        .arg("--models")
        .arg(common::models_dir())
        .args([
            "watch", "--res", "24", "--fps", "10", "--hold", "0", "--json", "--source",
        ])
        .arg(&frames)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let mut events = Vec::new();
    let mut removed = false;
    for line in std::io::BufReader::new(stdout).lines() {
        let event: Value = serde_json::from_str(&line.unwrap()).unwrap();
        // John is removed from another process as soon as he is first named.
        if event["event"] == "named" && !removed {
            let out = lrfr(&gallery, &["gallery", "remove", "John"]);
            assert!(out.status.success());
            removed = true;
        }
        events.push(event);
    }
    assert!(watch.wait().unwrap().success());
    let named: Vec<&Value> = events.iter().filter(|e| e["event"] == "named").collect();
    assert_eq!(
        named.len(),
        1,
        "John was named after his removal: {events:?}"
    );
    assert!(events.iter().any(|e| e["event"] == "unnamed"), "{events:?}");
}

#[test]
fn eval_with_nothing_readable_is_an_error_not_a_table() {
    let dir = common::scratch("cli-eval-wrong-root");
    let pairs = dir.join("pairs.txt");
    std::fs::write(&pairs, "a.jpg\tb.jpg\t1\nc.jpg\td.jpg\t0\n").unwrap();
    let out = lrfr(
        &dir.join("gallery"),
        &[
            "eval",
            "--pairs",
            pairs.to_str().unwrap(),
            "--root",
            dir.join("wrong").to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("none of the 4 images could be used"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "a table was printed");
}

#[test]
fn enrolling_two_people_as_one_or_someone_twice_is_refused() {
    let Some(faces) = common::faces() else { return };
    let gallery = common::scratch("cli-enroll-sanity");
    // Three photos of John and three of David Beckham under one name.
    let mixed: Vec<String> = images(&faces, "John_Ashcroft", 1..=3)
        .into_iter()
        .chain(images(&faces, "David_Beckham", 1..=3))
        .collect();
    let mut args = vec!["enroll", "--name", "John"];
    args.extend(mixed.iter().map(String::as_str));
    let out = lrfr(&gallery, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("look like two people"), "{stderr}");
    // Three and three: either group is "the odd ones", named by file, never a mix.
    let named = |who: &str| (1..=3).all(|n| stderr.contains(&format!("{who}_{n:04}.jpg")));
    assert!(
        named("John_Ashcroft") != named("David_Beckham"),
        "the odd ones are named: {stderr}"
    );
    assert!(
        !gallery.join("gallery.json").exists(),
        "something was enrolled"
    );
    // John, then John again as "Johnny": refused, unless forced.
    let mut args = vec!["enroll", "--name", "John"];
    let john = images(&faces, "John_Ashcroft", 1..=5);
    args.extend(john.iter().map(String::as_str));
    assert!(lrfr(&gallery, &args).status.success());
    let again = images(&faces, "John_Ashcroft", 10..=14);
    let mut args = vec!["enroll", "--name", "Johnny"];
    args.extend(again.iter().map(String::as_str));
    let out = lrfr(&gallery, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("look like John") && stderr.contains("--force"),
        "{stderr}"
    );
    args.push("--force");
    let out = lrfr(&gallery, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bench_and_soak_speak_auto_like_the_other_commands() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("cli-bench-auto");
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    std::fs::copy(
        faces.join("John_Ashcroft/John_Ashcroft_0001.jpg"),
        frames.join("a.jpg"),
    )
    .unwrap();
    let frames = frames.display().to_string();
    let gallery = dir.join("gallery");
    let out = lrfr(
        &gallery,
        &["bench", "--source", &frames, "--frames", "3", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["runs"][0]["res"], "auto", "auto is the default");
    let out = lrfr(
        &gallery,
        &[
            "soak",
            "--source",
            &frames,
            "--res",
            "auto",
            "--minutes",
            "0.02",
            "--every",
            "1",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn each_command_lists_only_the_options_it_uses() {
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_lrfr"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let top = help(&["--help"]);
    for option in ["--gallery", "--models", "--threads"] {
        assert!(top.contains(option), "lrfr --help lists {option}");
    }
    let doctor = help(&["doctor", "--help"]);
    assert!(
        doctor.contains("--models") && !doctor.contains("--threads"),
        "{doctor}"
    );
    let crop = help(&["crop", "--help"]);
    assert!(!crop.contains("--gallery"), "{crop}");
    let gallery = help(&["gallery", "--help"]);
    assert!(
        !gallery.contains("--models") && gallery.contains("export"),
        "{gallery}"
    );
    // Before the command's name or after it, either works.
    let dir = common::scratch("cli-options");
    let g = dir.join("g");
    let g = g.to_str().unwrap();
    for args in [
        vec!["--gallery", g, "gallery", "list", "--json"],
        vec!["gallery", "list", "--gallery", g, "--json"],
        vec!["gallery", "--gallery", g, "list", "--json"],
    ] {
        let listed: Value = serde_json::from_str(&help(&args)).unwrap();
        assert_eq!(listed["dir"], g, "{args:?}");
    }
}

#[test]
fn watch_without_a_camera_says_how_to_play_a_folder_instead() {
    let gallery = common::scratch("cli-no-camera");
    // No machine has /dev/video99: the door mode's user gets the door mode's way out (it
    // pointed at `lrfr gui --source DIR`, the window's).
    let out = lrfr(&gallery, &["watch", "--camera", "99"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no camera at /dev/video99"), "{stderr}");
    assert!(stderr.contains("`lrfr watch --source DIR`"), "{stderr}");
}
