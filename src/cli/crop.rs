//! `lrfr crop`: the aligned faces the pipeline makes, written as PNG files mirroring the input
//! tree; with `--boxes`, also the detector's box crops and boxes the forge trains the landmark
//! model on; with `--native`, each face at its own resolution, as `auto` feeds the DSR (the
//! forge trains the DSR on faces made small by distance with these; with `--landmarks` too,
//! the same crops aligned by given points, which tells how much of `auto`'s error is where our
//! landmarks land; with `--at`, every face aligned from its own pixels at one resolution, which
//! tells which networks make most of a face of a given size).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use lrfr::align::{
    align_face_at, downscale_to, landmark_region, native_side, AreaScratch, Landmarks,
    BOX_CROP_SIZE, FACE_SIZE,
};
use lrfr::frame::{decode_file, Frame};
use lrfr::gallery::{create_private_dir, write_atomic, write_png};
use lrfr::pipeline::FaceLocator;
use lrfr::{Config, Resolution};

use super::progress;

#[derive(Args, Debug)]
pub struct CropArgs {
    #[command(flatten)]
    pub(crate) options: crate::options::ModelOptions,
    /// Folder to write into; created if missing
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also write each face's box crop (`*.box.png`) and `boxes.tsv`
    #[arg(long)]
    boxes: bool,
    /// Align with these landmarks instead of our own (`file` then x y five times, tab
    /// separated, files relative to the input folder): how the forge compares a teacher's
    /// landmarks with ours through the very same warp
    #[arg(long, value_name = "TSV", conflicts_with = "boxes")]
    landmarks: Option<PathBuf>,
    /// Write each face at the largest of 16/24/32 px it really has (`auto`), aligned from its
    /// own pixels; faces under 16 px of their own are skipped. With `--landmarks`, the size
    /// and the alignment come from the given points
    #[arg(long, conflicts_with = "boxes")]
    native: bool,
    /// With `--native`: align every face from its own pixels at this resolution (16, 24 or
    /// 32) instead of the one `auto` picks, so the forge can score one size of face through
    /// another resolution's networks; faces under 16 px of their own are still skipped
    #[arg(long, value_name = "RES", requires = "native")]
    at: Option<Resolution>,
    /// Image files or folders of them
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub fn run(config: &Config, args: CropArgs) -> anyhow::Result<()> {
    let mut locator = FaceLocator::load(config).context("loading the landmark model")?;
    if !locator.has_landmark_model() {
        eprintln!(
            "note: no landmark model in {}; using the box-only alignment",
            config.models_dir.display()
        );
    }
    let given = args.landmarks.as_deref().map(read_landmarks).transpose()?;
    let mut aligned = Frame::new(0, 0);
    let (mut small, mut scratch) = (Frame::new(0, 0), AreaScratch::default());
    let mut table = String::from(
        "# file\tbox_x\tbox_y\tbox_w\tbox_h\tregion_x\tregion_y\tregion_side\tlandmarks(x,y)x5\n",
    );
    let (mut total, mut found) = (0usize, 0usize);
    let files = progress::images(&args.paths)?;
    // Made even when no face is found, so `boxes.tsv` always has a folder to go into.
    create_private_dir(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let bar = progress::bar(files.len(), "cropping");
    for (root, path) in &files {
        bar.inc(1);
        total += 1;
        let relative = relative_to(&args.paths[*root], path);
        let frame = match decode_file(path) {
            Ok(frame) => frame,
            Err(e) => {
                progress::say(&bar, format!("{}: {e}", path.display()));
                continue;
            }
        };
        let (face, landmarks) = match &given {
            Some(given) => match given.get(&relative) {
                Some(landmarks) => (None, *landmarks),
                None => continue,
            },
            None => match locator.locate(&frame)? {
                Some(located) => (Some(located.face), located.landmarks),
                None => {
                    progress::say(&bar, format!("{}: no face", path.display()));
                    continue;
                }
            },
        };
        if args.native {
            let native = native_side(&landmarks);
            let Some(fitting) = Resolution::fitting(native) else {
                progress::say(
                    &bar,
                    format!("{}: {native:.1} px of its own, too small", path.display()),
                );
                continue;
            };
            own_pixels(
                &frame,
                &landmarks,
                native,
                args.at.unwrap_or(fitting),
                &mut scratch,
                &mut aligned,
                &mut small,
            );
            found += 1;
            save(&small, &args.out.join(&relative).with_extension("png"))?;
            continue;
        }
        found += 1;
        lrfr::align::align_face(&frame, &landmarks, &mut aligned);
        save(&aligned, &args.out.join(&relative).with_extension("png"))?;
        if let (true, Some(face)) = (args.boxes, face) {
            let crop = locator.box_crop(&frame, &face, BOX_CROP_SIZE);
            save(crop, &args.out.join(&relative).with_extension("box.png"))?;
            append_row(&mut table, &relative, &face, &landmarks);
        }
    }
    bar.finish_and_clear();
    if args.boxes {
        write_atomic(&args.out.join("boxes.tsv"), table.as_bytes()).context("writing boxes.tsv")?;
    }
    let rate = if total == 0 {
        0.0
    } else {
        100.0 * found as f64 / total as f64
    };
    println!("detected a face in {found} of {total} images ({rate:.1}%)");
    Ok(())
}

/// The crop `auto` gives the DSR: a face smaller than the template aligned straight at `res`,
/// a larger one aligned at 112 and area-averaged down, as `Pipeline::embed_own_pixels` does.
fn own_pixels(
    frame: &Frame,
    landmarks: &Landmarks,
    native: f32,
    res: Resolution,
    scratch: &mut AreaScratch,
    aligned: &mut Frame,
    out: &mut Frame,
) {
    if native < FACE_SIZE as f32 {
        align_face_at(frame, landmarks, res.px(), out);
    } else {
        lrfr::align::align_face(frame, landmarks, aligned);
        downscale_to(aligned, res, scratch, out);
    }
}

fn read_landmarks(path: &Path) -> anyhow::Result<HashMap<PathBuf, Landmarks>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut table = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let values: Option<Vec<f32>> = fields
            .get(1..)
            .and_then(|v| v.iter().map(|f| f.trim().parse().ok()).collect());
        let points = match values.as_deref() {
            Some([x0, y0, x1, y1, x2, y2, x3, y3, x4, y4]) => {
                [[*x0, *y0], [*x1, *y1], [*x2, *y2], [*x3, *y3], [*x4, *y4]]
            }
            _ => anyhow::bail!(
                "{} line {}: expected a file and 10 numbers, tab separated",
                path.display(),
                number + 1
            ),
        };
        table.insert(PathBuf::from(fields[0]), Landmarks(points));
    }
    Ok(table)
}

fn relative_to(root: &Path, path: &Path) -> PathBuf {
    match path.strip_prefix(root) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative.to_path_buf(),
        _ => PathBuf::from(path.file_name().unwrap_or(path.as_os_str())),
    }
}

/// Aligned faces are biometric data: owner-only folders and files, like the gallery's.
fn save(image: &Frame, path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    write_png(path, image).with_context(|| format!("writing {}", path.display()))
}

fn append_row(
    table: &mut String,
    relative: &Path,
    face: &lrfr::detect::FaceBox,
    landmarks: &Landmarks,
) {
    let [rx, ry, side, _] = landmark_region(face);
    let _ = write!(
        table,
        "{}\t{:.2}\t{:.2}\t{:.2}\t{:.2}\t{rx:.2}\t{ry:.2}\t{side:.2}",
        relative.display(),
        face.x,
        face.y,
        face.width,
        face.height
    );
    for [x, y] in landmarks.0 {
        let _ = write!(table, "\t{x:.2}\t{y:.2}");
    }
    table.push('\n');
}
