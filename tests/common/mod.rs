//! Shared test helpers: where the real data and models are, and scratch folders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A test that cannot run here: outside CI it prints why and passes; under `CI=true` a
/// missing tool or data set is a failure, so CI never passes a test that did not run.
pub fn skip(reason: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and this test cannot run: {reason}");
    }
    println!("SKIPPED: {reason}");
}

/// `../shared/assets/faces/train` beside the checkout, or `None` with the reason printed.
pub fn faces() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/assets/faces/train");
    if path.is_dir() {
        Some(path)
    } else {
        skip(&format!(
            "{} is missing; this test needs the LFW training faces",
            path.display()
        ));
        None
    }
}

pub fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

/// A scratch copy of the shipped float set (networks, cohorts, manifest), for a test to edit.
pub fn copy_of_models(name: &str) -> PathBuf {
    let dir = scratch(name);
    for entry in std::fs::read_dir(models_dir()).unwrap().flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str());
        if matches!(ext, Some("onnx" | "bin")) || path.ends_with("manifest.json") {
            std::fs::copy(&path, dir.join(entry.file_name())).unwrap();
        }
    }
    dir
}

/// Edits `dir`'s manifest.json in place.
pub fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join("manifest.json");
    let mut manifest = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut manifest);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

/// A manifest's entry for the resolution of `px` pixels.
pub fn resolution_entry(manifest: &mut serde_json::Value, px: u64) -> &mut serde_json::Value {
    manifest["resolutions"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["res"] == px)
        .unwrap()
}

/// A fresh empty folder under the system temp dir, unique to this test. The folders earlier
/// runs of this test left behind (some hold a 90 MB installed tree) are removed first, once
/// the process that made them is gone, so repeated runs do not fill the disk.
pub fn scratch(name: &str) -> PathBuf {
    let prefix = format!("lrfr-test-{name}-");
    let temp = std::env::temp_dir();
    for entry in std::fs::read_dir(&temp).into_iter().flatten().flatten() {
        let file_name = entry.file_name();
        // Only `<prefix><pid>`: another test's name may begin with this one's.
        let pid = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .filter(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if pid.is_some_and(|pid| !Path::new("/proc").join(pid).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let dir = temp.join(format!("{prefix}{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    // Exactly 0755, as a user's own folder is: a test that sets the umask to 0 meanwhile must
    // not leave another test a folder everyone may write (the gallery refuses those).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
        .expect("temp dir is ours");
    dir
}

/// Every `stride`-th image of the training set, in name order: a fixed sample.
pub fn sample_images(faces: &Path, stride: usize) -> Vec<PathBuf> {
    let all = lrfr::source::list_images(faces).expect("faces folder lists");
    all.into_iter().step_by(stride).collect()
}

/// Photo `n` of `person` in the training faces.
pub fn photo(faces: &Path, person: &str, n: u32) -> lrfr::frame::Frame {
    let path = faces.join(person).join(format!("{person}_{n:04}.jpg"));
    lrfr::frame::decode_file(&path).expect("a training photo decodes")
}

/// A one-thread pipeline on the shipped models and a gallery in `dir` with each `(name,
/// person)` enrolled from that person's photos `photos`, as `lrfr enroll` does.
pub fn enrolled(
    faces: &Path,
    dir: &Path,
    people: &[(&str, &str)],
    photos: std::ops::RangeInclusive<u32>,
) -> (lrfr::pipeline::Pipeline, lrfr::gallery::Gallery) {
    let config = lrfr::Config {
        models_dir: models_dir(),
        gallery_dir: dir.to_path_buf(),
        threads: 1,
        ..lrfr::Config::default()
    };
    let mut pipeline = lrfr::pipeline::Pipeline::new(&config).expect("the shipped models load");
    let (mut gallery, _) = lrfr::gallery::Gallery::open(dir).expect("a scratch gallery opens");
    for (name, person) in people {
        let aligned: Vec<_> = photos
            .clone()
            .map(|n| {
                let frame = photo(faces, person, n);
                pipeline.align(&frame).unwrap().unwrap().aligned.clone()
            })
            .collect();
        lrfr::enroll::enroll(&mut pipeline, &mut gallery, name, &aligned, false).unwrap();
    }
    (pipeline, gallery)
}

/// Runs the built `lrfr` with `args` on the shipped models and returns its output, failing
/// the test with its stderr when it does not succeed.
pub fn run_lrfr<I, S>(args: I) -> std::process::Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--models")
        .arg(models_dir())
        .args(args)
        .output()
        .expect("lrfr runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Appends one PNG chunk with its CRC.
pub fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    png.extend_from_slice(&crc32(&[kind.as_slice(), data].concat()).to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & 0u32.wrapping_sub(crc & 1));
        }
    }
    !crc
}

/// A complete, valid PNG of `side` x `side` black pixels (`color` 2 = RGB, 6 = RGBA, at
/// `depth` bits), streamed row by row so the test itself never holds the image.
pub fn png_of_zeros(side: u32, color: u8, depth: u8) -> Vec<u8> {
    use std::io::Write;
    let channels = if color == 6 { 4 } else { 3 };
    let row = 1 + side as usize * channels * usize::from(depth / 8);
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; row];
    for _ in 0..side {
        zlib.write_all(&zeros).unwrap();
    }
    let data = zlib.finish().unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[depth, color, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &data);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// Peak resident memory of a finished child, from the kernel's own account (`wait4`).
pub fn run_measured(command: &mut std::process::Command) -> (std::process::ExitStatus, u64) {
    use std::os::unix::process::ExitStatusExt;
    // Reaped by wait4 below, which std's Child cannot do while also returning the usage.
    #[allow(clippy::zombie_processes)]
    let child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: plain syscall on our own child; the structs are written by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    (
        std::process::ExitStatus::from_raw(status),
        usage.ru_maxrss as u64 * 1024,
    )
}

/// Gallery tests' stand-ins, no models needed: a unit vector per seed, templates at every
/// resolution, three plain 112x112 crops and model fingerprints.
pub fn unit(seed: usize) -> Vec<f32> {
    let mut v: Vec<f32> = (0..lrfr::matching::EMBEDDING_DIMS)
        .map(|i| ((i * 31 + seed * 17) % 97) as f32 - 48.0)
        .collect();
    lrfr::matching::l2_normalise(&mut v);
    v
}

pub fn templates(seed: usize) -> lrfr::gallery::PerRes<Vec<f32>> {
    lrfr::gallery::PerRes {
        r16: unit(seed),
        r24: unit(seed + 1),
        r32: unit(seed + 2),
    }
}

pub fn plain_faces() -> Vec<lrfr::frame::Frame> {
    (0..3)
        .map(|i| lrfr::frame::Frame::from_pixel(112, 112, image::Rgb([i * 40, 100, 200])))
        .collect()
}

pub fn prints() -> lrfr::gallery::PerRes<String> {
    lrfr::gallery::PerRes {
        r16: "a+b".into(),
        r24: "c+b".into(),
        r32: "d+b".into(),
    }
}
