//! Gallery durability: killed writers, a full disk, an unwritable folder and two instances
//! saving at once. Needs no models and no data.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use lrfr::frame::Frame;
use lrfr::gallery::{Gallery, GalleryError, PerRes, FILE_NAME};
use lrfr::matching::EMBEDDING_DIMS;

const CHILD_ENV: &str = "LRFR_TEST_SAVE_LOOP_DIR";

fn templates(seed: usize) -> PerRes<Vec<f32>> {
    let unit = |s: usize| {
        let mut v: Vec<f32> = (0..EMBEDDING_DIMS)
            .map(|i| ((i * 31 + s * 17) % 97) as f32 - 48.0)
            .collect();
        lrfr::matching::l2_normalise(&mut v);
        v
    };
    PerRes {
        r16: unit(seed),
        r24: unit(seed + 1),
        r32: unit(seed + 2),
    }
}

fn add(gallery: &mut Gallery, name: &str) -> Result<(), GalleryError> {
    let faces = vec![Frame::from_pixel(112, 112, image::Rgb([90, 100, 110])); 3];
    gallery.add(name, &faces, templates(name.len()), PerRes::default())
}

/// The names in `gallery.json` as it is on disk; panics if the file does not parse.
fn names_on_disk(dir: &Path) -> Vec<String> {
    let bytes = std::fs::read(dir.join(FILE_NAME)).expect("gallery.json exists");
    let file: lrfr::gallery::GalleryFile =
        serde_json::from_slice(&bytes).expect("gallery.json parses after every kill");
    file.people.into_iter().map(|p| p.name).collect()
}

/// Not a test of its own: the child process of `saves_survive_sigkill`, renaming one person
/// back and forth for ever. It does nothing unless the parent set its environment variable.
#[test]
fn save_loop_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let (mut gallery, _) = Gallery::open(Path::new(&dir)).expect("child opens the gallery");
    loop {
        gallery.rename("Ada", "Grace").expect("child saves");
        gallery.rename("Grace", "Ada").expect("child saves");
    }
}

#[test]
fn saves_survive_sigkill() {
    let dir = common::scratch("sigkill");
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    add(&mut gallery, "Ada").unwrap();
    add(&mut gallery, "Alan").unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for round in 0..300u64 {
        let mut child = Command::new(&exe)
            .args(["--exact", "save_loop_child", "--test-threads", "1"])
            .env(CHILD_ENV, &dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kills over start-up and many save cycles.
        std::thread::sleep(Duration::from_micros(2_000 + (round * 7_919) % 40_000));
        child.kill().unwrap();
        child.wait().unwrap();
        let names = names_on_disk(&dir);
        assert!(
            names == ["Ada", "Alan"] || names == ["Grace", "Alan"],
            "round {round}: gallery holds {names:?}, neither the old nor the new content"
        );
        seen.insert(names[0].clone());
    }
    assert_eq!(seen.len(), 2, "the kills never landed between saves");
    let (reopened, notice) = Gallery::open(&dir).unwrap();
    assert!(notice.is_none());
    assert_eq!(reopened.len(), 2);
    // The next save clears the temporary files the killed writers left.
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    gallery.save().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "stale temp files: {leftovers:?}");
}

/// A 256 kB tmpfs mounted on `dir`, unmounted when dropped; `None` (with the reason) where
/// this process may not mount (not root, or a sandbox without mount rights).
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(dir: &Path) -> Option<SmallDisk> {
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status();
        if status.is_ok_and(|s| s.success()) {
            Some(SmallDisk(dir.to_path_buf()))
        } else {
            common::skip("cannot mount a small tmpfs (needs root) to fill a disk");
            None
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_an_error_and_the_old_gallery_stays() {
    let dir = common::scratch("full-disk");
    let Some(_disk) = SmallDisk::mount(&dir) else {
        return;
    };
    let (mut gallery, _) = Gallery::open(&dir).unwrap();
    add(&mut gallery, "Ada").unwrap();
    let before = std::fs::read(dir.join(FILE_NAME)).unwrap();
    // Fill the disk to the last block, as a full SD card would be.
    let mut filler = std::fs::File::create(dir.join("filler")).unwrap();
    let block = vec![7u8; 4096];
    while std::io::Write::write_all(&mut filler, &block).is_ok() {}
    drop(filler);
    let error = gallery.rename("Ada", "Grace").unwrap_err().to_string();
    assert!(error.contains("No space left"), "unclear error: {error}");
    assert_eq!(std::fs::read(dir.join(FILE_NAME)).unwrap(), before);
    assert_eq!(names_on_disk(&dir), ["Ada"]);
    assert_eq!(
        gallery.people()[0].name,
        "Ada",
        "the failed rename changed memory"
    );
    let error = add(&mut gallery, "Alan").unwrap_err().to_string();
    assert!(error.contains("No space left"), "unclear error: {error}");
    assert_eq!(names_on_disk(&dir), ["Ada"]);
}

#[test]
fn an_unwritable_folder_is_a_clear_error() {
    // The kernel refuses new files in /proc, even to root (tests run as root in CI, where a
    // chmod would not stop anyone).
    let (mut gallery, _) = Gallery::open(Path::new("/proc/self/lrfr-gallery")).unwrap();
    let error = add(&mut gallery, "Ada").unwrap_err().to_string();
    assert!(
        error.contains("/proc/self/lrfr-gallery"),
        "error names no path: {error}"
    );
}

#[test]
fn two_instances_keep_both_changes() {
    let dir = common::scratch("two-instances");
    let (mut first, _) = Gallery::open(&dir).unwrap();
    let (mut second, _) = Gallery::open(&dir).unwrap();
    add(&mut first, "Ada").unwrap();
    add(&mut second, "Alan").unwrap();
    assert_eq!(names_on_disk(&dir), ["Ada", "Alan"]);
    first.rename("Alan", "Turing").unwrap();
    assert_eq!(names_on_disk(&dir), ["Ada", "Turing"]);
    assert!(matches!(
        second.rename("Alan", "X"),
        Err(GalleryError::UnknownPerson(_))
    ));
    // Five people across both instances: the sixth is refused whichever adds it.
    for name in ["B", "C", "D"] {
        add(&mut first, name).unwrap();
    }
    assert!(matches!(add(&mut second, "E"), Err(GalleryError::Full)));
    // Both instances added within the same second: still five different ids, and every
    // person's own crops on disk (the refused add removed nothing of anyone's).
    let (reopened, _) = Gallery::open(&dir).unwrap();
    let ids: std::collections::BTreeSet<&str> =
        reopened.people().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    for index in 0..reopened.len() {
        assert_eq!(reopened.faces(index).unwrap().len(), 3);
    }
}
