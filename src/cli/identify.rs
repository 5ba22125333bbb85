//! `lrfr identify` (1:N) and `lrfr verify` (1:1), one line per face found in each image
//! (`--largest`: one line per image, for its subject, the largest face the detector is sure of;
//! see `detect::subject`). `--json` lines carry the face's box and the detector's score for it
//! (`detection`: the small-face network's probability, or SeetaFace's cascade score, 2 and up).
//! `score` is what the threshold applies to: in identification, the cosine normalised against
//! the models' cohort (see `matching::Cohort`); `cosine` is the raw one beside it. A face of
//! 16 px of its own is decided on two paths (`second_path`: 24; see `matching::combine_paths`):
//! `score` is then the two combined, and `cosine` the 16 px path's.

use std::path::{Path, PathBuf};

use clap::Args;
use lrfr::frame::decode_file;
use lrfr::gallery::Gallery;
use lrfr::pipeline::{MatchMode, Pipeline};
use lrfr::source::list_images;
use lrfr::{Config, ResChoice};
use serde_json::json;

use super::open;

#[derive(Args, Debug)]
pub struct IdentifyArgs {
    #[command(flatten)]
    pub(crate) options: crate::options::AllOptions,
    /// auto: each face at the largest resolution its own pixels give (under 16 px: can't
    /// tell); 16, 24 or 32: the face shrunk to it (distance simulated)
    #[arg(long, default_value = "auto")]
    res: ResChoice,
    /// Print one JSON object per line
    #[arg(long)]
    json: bool,
    /// Only each image's subject (its largest face the detector is sure of), one line per image
    #[arg(long)]
    largest: bool,
    /// Image files or folders of them
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The enrolled person to check against
    #[arg(long)]
    name: String,
    #[command(flatten)]
    pub(crate) common: IdentifyArgs,
}

pub fn run_identify(config: &Config, args: IdentifyArgs) -> anyhow::Result<()> {
    let mut pipeline = open::pipeline(config)?;
    let gallery = open::gallery_for(config, &mut pipeline)?;
    if gallery.is_empty() {
        eprintln!("note: nobody is enrolled yet; every face will be unknown");
    }
    each_image(&mut pipeline, &gallery, &args, &MatchMode::Identify).map(drop)
}

pub fn run_verify(config: &Config, args: VerifyArgs) -> anyhow::Result<()> {
    let mut pipeline = open::pipeline(config)?;
    let gallery = open::gallery_for(config, &mut pipeline)?;
    let person = gallery.find(&args.name).ok_or_else(|| {
        anyhow::anyhow!(
            "nobody called {:?} is enrolled (see `lrfr gallery list`)",
            args.name
        )
    })?;
    let id = gallery.people()[person].id.clone();
    let name = gallery.people()[person].name.clone();
    let (images, unmatched) = each_image(
        &mut pipeline,
        &gallery,
        &args.common,
        &MatchMode::Verify(id),
    )?;
    if unmatched > 0 {
        return Err(super::NoMatch(format!(
            "{unmatched} of {images} image(s) did not match {name}"
        ))
        .into());
    }
    Ok(())
}

/// Every image under `args.paths`; returns how many were read, and how many had no face
/// accepted (for `verify`: no match).
fn each_image(
    pipeline: &mut Pipeline,
    gallery: &Gallery,
    args: &IdentifyArgs,
    mode: &MatchMode,
) -> anyhow::Result<(usize, usize)> {
    let mut failed = 0;
    let (mut images, mut unmatched) = (0, 0);
    for root in &args.paths {
        let files = match list_images(root) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("{e}");
                failed += 1;
                continue;
            }
        };
        for path in files {
            match decode_file(&path) {
                Ok(frame) => {
                    images += 1;
                    if !each_face(pipeline, &frame, &path, gallery, args, mode)? {
                        unmatched += 1;
                    }
                }
                Err(e) => {
                    eprintln!("{}: {e}", super::shown_path(&path));
                    failed += 1;
                }
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} input(s) could not be read");
    }
    Ok((images, unmatched))
}

/// Most faces one image reports: a crowd photo is not what this app is for.
const MAX_FACES: usize = 20;

fn each_face(
    pipeline: &mut Pipeline,
    frame: &lrfr::frame::Frame,
    path: &Path,
    gallery: &Gallery,
    args: &IdentifyArgs,
    mode: &MatchMode,
) -> anyhow::Result<bool> {
    let faces: Vec<_> = pipeline.locator().detect_all(frame)?.to_vec();
    if args.largest || faces.is_empty() {
        let output = pipeline.process(frame, args.res, gallery, mode, None)?;
        print_result(path, None, output, gallery, args, mode);
        return Ok(accepted(output));
    }
    let several = faces.len() > 1;
    let mut any = false;
    for (k, face) in faces.iter().take(MAX_FACES).enumerate() {
        let output = pipeline.identify_face(frame, face, args.res, gallery, mode, None)?;
        print_result(path, several.then_some(k + 1), output, gallery, args, mode);
        any |= accepted(output);
    }
    Ok(any)
}

/// Whether a face was found and given a name (for `verify`: matched).
fn accepted(output: &lrfr::pipeline::FrameOutput) -> bool {
    output.face.is_some() && !output.too_small && output.matched.accepted.is_some()
}

/// One line: `index` numbers the face when the image has several.
fn print_result(
    path: &Path,
    index: Option<usize>,
    output: &lrfr::pipeline::FrameOutput,
    gallery: &Gallery,
    args: &IdentifyArgs,
    mode: &MatchMode,
) {
    let name_of = |person: usize| {
        gallery
            .people()
            .get(person)
            .map(|p| p.name.as_str())
            .unwrap_or("?")
    };
    let face = output.face.is_some();
    let res = if output.too_small {
        format!("{:.0} px of its own, under 16", output.native)
    } else {
        match args.res {
            ResChoice::Native => match output.second {
                Some(second) => format!(
                    "{} px and {second} px, {:.0} px of its own",
                    output.res, output.native
                ),
                None => format!("{} px, {:.0} px of its own", output.res, output.native),
            },
            ResChoice::Fixed(res) => format!("{res} px"),
        }
    };
    let best = output.matched.top.first();
    let accepted = output.matched.accepted.map(|s| name_of(s.person));
    let refused = output.matched.refused.map(&name_of);
    if args.json {
        let top: Vec<_> = output
            .matched
            .top
            .iter()
            .map(|s| json!({"name": name_of(s.person), "score": s.score, "cosine": s.cosine}))
            .collect();
        let mut line = json!({
            "file": path.display().to_string(),
            "face": face,
            "box": output.face.map(|b| [b.x, b.y, b.width, b.height]),
            "detection": output.face.map(|b| b.score),
            "index": index.unwrap_or(1),
            "name": accepted,
            "score": best.map(|s| s.score),
            "cosine": best.map(|s| s.cosine),
            "res": (face && !output.too_small).then_some(output.res.px()),
            // A face of 16 px of its own is also decided on the 24 px path.
            "second_path": output.second.filter(|_| face && !output.too_small).map(|r| r.px()),
            "native": face.then_some(output.native),
            "cant_tell": output.too_small,
            "top": top,
        });
        if let Some(refused) = refused {
            // Over the threshold, but more like a face the user marked as not them.
            line["refused"] = json!(refused);
        }
        if let MatchMode::Verify(_) = mode {
            line["match"] = json!(face && accepted.is_some());
            line["threshold"] = json!(output.matched.threshold);
        }
        println!("{line}");
        return;
    }
    let file = match index {
        Some(k) => format!("{} #{k}", super::shown_path(path)),
        None => super::shown_path(path),
    };
    let threshold = output.matched.threshold;
    match (face, accepted, best) {
        (false, _, _) => println!("{file}: no face"),
        (true, _, _) if output.too_small => println!("{file}: can't tell ({res})"),
        (true, Some(name), Some(best)) => println!(
            "{file}: {name} (score {:.3} >= {threshold:.3}, {res})",
            best.score
        ),
        (true, None, Some(best)) if refused.is_some() => println!(
            "{file}: unknown (closest {} at {:.3}, but more like a face marked not them, {res})",
            name_of(best.person),
            best.score,
        ),
        (true, None, Some(best)) => println!(
            "{file}: unknown (closest {} at {:.3} < {threshold:.3}, {res})",
            name_of(best.person),
            best.score,
        ),
        (true, _, None) => println!("{file}: unknown (nobody enrolled)"),
    }
}
