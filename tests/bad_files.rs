//! Files a person copies in by hand: each is decoded correctly or refused with a clear
//! per-file error, and none stops the run. The EXIF and end-to-end cases use a real face
//! from ../shared; the others need no data.

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use image::{DynamicImage, ImageFormat, Luma, Rgb, RgbImage, Rgba, RgbaImage};
use lrfr::frame::{decode_file, MAX_SIDE};
use lrfr::source::{list_images, ImageFolderSource};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

fn error_of(path: &Path) -> String {
    decode_file(path)
        .expect_err("this file must be refused")
        .to_string()
}

#[test]
fn zero_bytes_is_an_empty_file() {
    let dir = common::scratch("bad-empty");
    assert_eq!(error_of(&write(&dir, "empty.jpg", b"")), "file is empty");
}

#[test]
fn text_named_jpg_is_not_an_image() {
    let dir = common::scratch("bad-text");
    let error = error_of(&write(&dir, "notes.jpg", b"shopping list: milk, eggs\n"));
    assert!(error.starts_with("not a readable image"), "{error}");
}

#[test]
fn truncated_jpeg_is_refused_or_decoded_whole() {
    let dir = common::scratch("bad-truncated");
    let photo = RgbImage::from_fn(320, 240, |x, y| Rgb([x as u8, y as u8, (x ^ y) as u8]));
    let bytes = encode(&DynamicImage::ImageRgb8(photo), ImageFormat::Jpeg);
    for keep in [2, 100, bytes.len() / 2, bytes.len() - 2] {
        let path = write(&dir, "cut.jpg", &bytes[..keep]);
        // Decoders may fill a cut-off tail with grey; either outcome is fine, a panic is not.
        match decode_file(&path) {
            Ok(frame) => assert_eq!(frame.dimensions(), (320, 240)),
            Err(e) => assert!(e.to_string().starts_with("not a readable image"), "{e}"),
        }
    }
}

#[test]
fn png_alpha_is_composited_on_white() {
    let dir = common::scratch("bad-alpha");
    let mut rgba = RgbaImage::from_pixel(4, 4, Rgba([0, 0, 0, 0]));
    rgba.put_pixel(1, 1, Rgba([200, 10, 10, 255]));
    rgba.put_pixel(2, 2, Rgba([0, 0, 0, 128]));
    let path = write(
        &dir,
        "alpha.png",
        &encode(&DynamicImage::ImageRgba8(rgba), ImageFormat::Png),
    );
    let frame = decode_file(&path).unwrap();
    assert_eq!(frame.get_pixel(0, 0).0, [255, 255, 255]);
    assert_eq!(frame.get_pixel(1, 1).0, [200, 10, 10]);
    assert_eq!(frame.get_pixel(2, 2).0, [127, 127, 127]);
}

#[test]
fn sixteen_bit_png_keeps_its_colours() {
    let dir = common::scratch("bad-16bit");
    let wide = image::ImageBuffer::<Rgb<u16>, _>::from_pixel(3, 2, Rgb([65535, 32896, 0]));
    let path = write(
        &dir,
        "deep.png",
        &encode(&DynamicImage::ImageRgb16(wide), ImageFormat::Png),
    );
    assert_eq!(decode_file(&path).unwrap().get_pixel(2, 1).0, [255, 128, 0]);
}

#[test]
fn grayscale_becomes_equal_channels() {
    let dir = common::scratch("bad-gray");
    let gray = image::GrayImage::from_pixel(5, 5, Luma([77]));
    for format in [ImageFormat::Png, ImageFormat::Jpeg] {
        let ext = if format == ImageFormat::Png {
            "png"
        } else {
            "jpg"
        };
        let path = write(
            &dir,
            &format!("gray.{ext}"),
            &encode(&DynamicImage::ImageLuma8(gray.clone()), format),
        );
        let [r, g, b] = decode_file(&path).unwrap().get_pixel(2, 2).0;
        assert!(
            r == g && g == b && r.abs_diff(77) <= 2,
            "{ext}: {r} {g} {b}"
        );
    }
}

#[test]
fn cmyk_jpeg_decodes_to_its_colours() {
    // Made with ImageMagick from a red-to-blue gradient: `convert -size 64x48
    // gradient:'rgb(220,40,30)'-'rgb(30,60,200)' -colorspace CMYK -quality 92`.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cmyk.jpg");
    let frame = decode_file(&path).unwrap();
    assert_eq!(frame.dimensions(), (64, 48));
    let close =
        |got: [u8; 3], want: [u8; 3]| got.iter().zip(want).all(|(g, w)| g.abs_diff(w) <= 30);
    let (top, bottom) = (frame.get_pixel(0, 0).0, frame.get_pixel(0, 47).0);
    assert!(close(top, [219, 40, 29]), "top {top:?}");
    assert!(close(bottom, [30, 60, 200]), "bottom {bottom:?}");
}

/// A PNG whose header claims `side` x `side` pixels, with almost no data behind it.
fn png_claiming(side: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    common::chunk(&mut png, b"IHDR", &ihdr);
    // A zlib stream of a few zero bytes: a bomb would inflate rows like these for ever.
    common::chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
    );
    common::chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn decompression_bomb_is_refused_before_allocating() {
    let dir = common::scratch("bad-bomb");
    let error = error_of(&write(&dir, "bomb.png", &png_claiming(100_000)));
    assert!(error.starts_with("not a readable image"), "{error}");
    // Complete and valid, within the side limit, 0.75 MB on disk: 768 MB once decoded.
    let zeros = common::png_of_zeros(16_000, 2, 8);
    assert!(zeros.len() < 1 << 20, "{} bytes", zeros.len());
    let error = error_of(&write(&dir, "zeros.png", &zeros));
    assert!(error.contains("over the 256 MB budget"), "{error}");
    // 16-bit RGBA: 1.2 GB decoded from 1 MB.
    let error = error_of(&write(
        &dir,
        "deep.png",
        &common::png_of_zeros(12_000, 6, 16),
    ));
    assert!(error.contains("over the 256 MB budget"), "{error}");
}

#[test]
fn no_bomb_takes_identify_past_400_mb() {
    let dir = common::scratch("bad-bomb-rss");
    let inputs = [
        write(&dir, "zeros.png", &common::png_of_zeros(16_000, 2, 8)),
        write(&dir, "twelve.png", &common::png_of_zeros(12_000, 2, 8)),
        write(&dir, "deep.png", &common::png_of_zeros(12_000, 6, 16)),
    ];
    for input in &inputs {
        let (status, peak) = common::run_measured(
            Command::new(env!("CARGO_BIN_EXE_lrfr"))
                .arg("--gallery")
                .arg(dir.join("gallery"))
                .arg("--models")
                .arg(common::models_dir())
                .arg("identify")
                .arg(input),
        );
        assert_eq!(status.code(), Some(1), "{}", input.display());
        assert!(
            peak < 400 << 20,
            "{}: identify peaked at {} MB",
            input.display(),
            peak >> 20
        );
    }
}

#[test]
fn large_photos_are_shrunk_to_the_frame_limit() {
    let dir = common::scratch("bad-large");
    let photo = RgbImage::from_pixel(4000, 3000, Rgb([50, 60, 70]));
    let path = write(
        &dir,
        "large.jpg",
        &encode(&DynamicImage::ImageRgb8(photo), ImageFormat::Jpeg),
    );
    let frame = decode_file(&path).unwrap();
    assert_eq!(frame.dimensions(), (MAX_SIDE, 1536));
}

/// A minimal EXIF APP1 segment holding only the orientation tag.
fn exif_orientation(orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&u32::from(orientation).to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut app1 = vec![0xFF, 0xE1];
    let body = [b"Exif\0\0".as_slice(), &tiff].concat();
    app1.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    app1.extend_from_slice(&body);
    app1
}

/// `jpeg` with an EXIF orientation segment right after its start-of-image marker.
fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    [&jpeg[..2], &exif_orientation(orientation), &jpeg[2..]].concat()
}

#[test]
fn exif_orientation_is_honoured() {
    let dir = common::scratch("bad-exif");
    // Stored sideways: 20 wide, 40 tall, red on top. Orientation 6 says "turn me 90 degrees
    // clockwise to view", so the viewer sees 40 wide, 20 tall, red on the right.
    let stored = RgbImage::from_fn(20, 40, |_, y| {
        if y < 20 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    let jpeg = encode(&DynamicImage::ImageRgb8(stored), ImageFormat::Jpeg);
    let path = write(&dir, "sideways.jpg", &with_orientation(&jpeg, 6));
    let frame = decode_file(&path).unwrap();
    assert_eq!(frame.dimensions(), (40, 20));
    assert!(
        frame.get_pixel(35, 10).0[0] > 150,
        "red must be on the right"
    );
    assert!(
        frame.get_pixel(4, 10).0[2] > 150,
        "blue must be on the left"
    );
}

#[test]
fn a_sideways_phone_photo_of_a_face_is_found_upright() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("bad-exif-face");
    let face = image::open(faces.join("John_Ashcroft/John_Ashcroft_0006.jpg"))
        .unwrap()
        .to_rgb8();
    // What a phone held sideways stores: the pixels turned a quarter anticlockwise, plus
    // orientation 6 to undo it on display.
    let stored = image::imageops::rotate270(&face);
    let jpeg = encode(&DynamicImage::ImageRgb8(stored), ImageFormat::Jpeg);
    let path = write(&dir, "phone.jpg", &with_orientation(&jpeg, 6));
    let frame = decode_file(&path).unwrap();
    assert_eq!(frame.dimensions(), face.dimensions());
    let mut detector =
        lrfr::detect::FaceDetector::new(lrfr::detect::DetectConfig::default()).unwrap();
    assert!(
        detector.largest(&frame).is_some(),
        "the upright face must be found"
    );
    // And the same pixels without the tag are sideways: the detector misses them.
    let sideways = write(&dir, "no-tag.jpg", &jpeg);
    assert!(detector.largest(&decode_file(&sideways).unwrap()).is_none());
}

#[test]
fn thousands_of_files_list_fast_and_bad_ones_are_skipped_one_by_one() {
    let dir = common::scratch("bad-thousands");
    let tiny = encode(
        &DynamicImage::ImageRgb8(RgbImage::from_pixel(8, 8, Rgb([9, 9, 9]))),
        ImageFormat::Png,
    );
    for i in 0..3000 {
        let bytes: &[u8] = if i % 500 == 7 { b"junk" } else { &tiny };
        write(&dir, &format!("{i:05}.png"), bytes);
    }
    write(&dir, "readme.txt", b"not an image extension: never listed");
    let files = list_images(&dir).unwrap();
    assert_eq!(files.len(), 3000);
    assert!(files.windows(2).all(|w| w[0] < w[1]), "name order");
    let mut source = ImageFolderSource::open(&dir, None, false).unwrap();
    let mut frame = lrfr::frame::Frame::new(0, 0);
    let (mut good, mut bad) = (0, 0);
    loop {
        use lrfr::source::{FrameSource, SourceError};
        match source.latest_frame(&mut frame) {
            Ok(()) => good += 1,
            Err(SourceError::Exhausted) => break,
            Err(SourceError::Decode { path, .. }) => {
                assert!(path.to_string_lossy().ends_with(".png"));
                bad += 1;
            }
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert_eq!((good, bad), (2994, 6));
}

#[test]
fn identify_reports_each_bad_file_and_goes_on() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("bad-cli");
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    write(&inputs, "a-empty.jpg", b"");
    write(&inputs, "b-text.jpg", b"hello");
    write(&inputs, "c-bomb.png", &png_claiming(100_000));
    std::fs::copy(
        faces.join("Norah_Jones/Norah_Jones_0001.jpg"),
        inputs.join("d-face.jpg"),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--gallery")
        .arg(dir.join("gallery"))
        .arg("--models")
        .arg(common::models_dir())
        .arg("identify")
        .arg(&inputs)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stdout.contains("d-face.jpg: unknown"), "{stdout}");
    for (file, reason) in [
        ("a-empty.jpg", "file is empty"),
        ("b-text.jpg", "not a readable image"),
        ("c-bomb.png", "not a readable image"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(file) && l.contains(reason)),
            "{file}: {stderr}"
        );
    }
    assert!(stderr.contains("3 input(s) could not be read"), "{stderr}");
}

#[test]
fn a_file_name_cannot_forge_a_line_of_output() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("bad-names");
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    let forged = "a.jpg: Norah (score 0.990 >= 0.300, 16 px)\n\x1b[2Kb.jpg";
    std::fs::copy(
        faces.join("Norah_Jones/Norah_Jones_0001.jpg"),
        inputs.join(forged),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--gallery")
        .arg(dir.join("gallery"))
        .arg("--models")
        .arg(common::models_dir())
        .args(["identify", "--largest"])
        .arg(&inputs)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // One face, one line, with the newline and the escape written out.
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("\\n\\u{1b}[2Kb.jpg: unknown"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "{stdout}");
}

/// Whether this test runs as root, who can read any folder whatever its mode.
fn root() -> bool {
    // SAFETY: a plain query of this process's effective user.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn an_unreadable_subfolder_is_skipped_and_named() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("bad-subfolder");
    let inputs = dir.join("inputs");
    let locked = inputs.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::copy(
        faces.join("Norah_Jones/Norah_Jones_0001.jpg"),
        inputs.join("a.jpg"),
    )
    .unwrap();
    std::fs::copy(
        faces.join("Norah_Jones/Norah_Jones_0002.jpg"),
        locked.join("b.jpg"),
    )
    .unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = dir.join("out");
    let (mut binary, mut models) = (
        std::path::PathBuf::from(env!("CARGO_BIN_EXE_lrfr")),
        common::models_dir(),
    );
    if root() {
        // Root reads any folder: run as nobody, for whom `locked` is as closed as for a user,
        // with copies of the program and the models nobody can reach (the checkout may be in
        // root's home).
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let copied = dir.join("models");
        std::fs::create_dir_all(&copied).unwrap();
        for entry in std::fs::read_dir(&models).unwrap().flatten() {
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), copied.join(entry.file_name())).unwrap();
            }
        }
        std::fs::set_permissions(&copied, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::copy(&binary, dir.join("lrfr")).unwrap();
        (binary, models) = (dir.join("lrfr"), copied);
    }
    let mut command = Command::new(&binary);
    command
        .arg("--models")
        .arg(&models)
        .args(["crop", "--out"])
        .arg(&out)
        .arg(&inputs);
    if root() {
        command.uid(65534).gid(65534);
    }
    let output = command.output().unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("skipping {}", locked.display())),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1, "{stderr}");
}

#[test]
fn a_missing_file_or_folder_is_said_once_with_its_cause_once() {
    let dir = common::scratch("bad-missing");
    let missing = dir.join("not-there.jpg");
    let folder = dir.join("no-folder");
    let pairs = dir.join("no-pairs.txt");
    let (missing, folder, pairs) = (
        missing.to_str().unwrap(),
        folder.to_str().unwrap(),
        pairs.to_str().unwrap(),
    );
    for args in [
        &["enroll", "--name", "Ada", missing][..],
        &["watch", "--source", folder][..],
        &["eval", "--pairs", pairs, "--root", folder][..],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_lrfr"))
            .arg("--gallery")
            .arg(dir.join("gallery"))
            .arg("--models")
            .arg(common::models_dir())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        // The error as `main` says it: the path, then why, each once (it said the reason
        // two or three times over).
        let said = stderr.lines().find(|l| l.starts_with("lrfr: ")).unwrap();
        let path = args
            .iter()
            .find(|a| a.contains(dir.to_str().unwrap()))
            .unwrap();
        assert_eq!(said.matches(path).count(), 1, "{args:?}: {said}");
        assert_eq!(said.matches("No such file").count(), 1, "{args:?}: {said}");
    }
}
