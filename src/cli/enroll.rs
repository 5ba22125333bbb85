//! `lrfr enroll`: a person from image files or folders.

use std::path::PathBuf;

use clap::Args;
use lrfr::enroll::{enroll, EnrollError, MIN_SAMPLES, SPLIT_BOUND};
use lrfr::frame::decode_file;
use lrfr::gallery::MAX_FACES;
use lrfr::matching::cosine;
use lrfr::pipeline::Upscaler;
use lrfr::Config;

use super::{open, progress, ResSet};

#[derive(Args, Debug)]
pub struct EnrollArgs {
    #[command(flatten)]
    pub(crate) options: crate::options::AllOptions,
    /// The person's name (1 to 40 characters, unique ignoring case)
    #[arg(long)]
    name: String,
    /// Resolution(s) whose enrollment quality is reported; templates are always made for all three
    #[arg(long, default_value = "all")]
    res: ResSet,
    /// Enroll even when the faces look like someone enrolled already (a twin, say)
    #[arg(long)]
    force: bool,
    /// Image files or folders of them
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub fn run(config: &Config, args: EnrollArgs) -> anyhow::Result<()> {
    let mut pipeline = open::pipeline(config)?;
    let mut gallery = open::gallery_for(config, &mut pipeline)?;
    gallery.admit(&args.name)?;
    let mut faces = Vec::new();
    // The file each face came from, to name the odd ones out.
    let mut used = Vec::new();
    let files = progress::images(&args.paths)?;
    let bar = progress::bar(files.len(), "finding faces");
    for (_, path) in &files {
        if faces.len() == MAX_FACES {
            progress::say(
                &bar,
                format!("note: enrolling from the first {MAX_FACES} usable faces"),
            );
            break;
        }
        bar.inc(1);
        let frame = match decode_file(path) {
            Ok(frame) => frame,
            Err(e) => {
                progress::say(&bar, format!("skipped {}: {e}", path.display()));
                continue;
            }
        };
        match pipeline.align(&frame)? {
            Some(output) => {
                faces.push(output.aligned.clone());
                used.push(path.clone());
            }
            None => progress::say(&bar, format!("skipped {}: no face found", path.display())),
        }
    }
    bar.finish_and_clear();
    if faces.len() < MIN_SAMPLES {
        anyhow::bail!(
            "only {} usable face(s) for {:?}; at least {MIN_SAMPLES} are needed",
            faces.len(),
            args.name
        );
    }
    match enroll(&mut pipeline, &mut gallery, &args.name, &faces, args.force) {
        Ok(()) => {}
        Err(EnrollError::SeveralPeople { odd, between, .. }) => {
            let odd: Vec<String> = odd
                .iter()
                .filter_map(|&i| used.get(i))
                .map(|p| super::shown_path(p))
                .collect();
            anyhow::bail!(
                "these photos look like two people: {} differ from the rest (the two groups \
                 match at {between:.2}, under {SPLIT_BOUND}); enroll one person at a time",
                odd.join(", ")
            );
        }
        Err(e @ EnrollError::LooksLike { .. }) => {
            anyhow::bail!(
                "{e}. If {} is someone else (a twin, say), enroll with --force",
                args.name.trim()
            )
        }
        Err(e) => return Err(anyhow::Error::new(e).context("enrolling")),
    }
    println!(
        "enrolled {} from {} faces ({} of 5 people)",
        args.name.trim(),
        faces.len(),
        gallery.len()
    );
    let index = gallery.len() - 1;
    for res in args.res.list() {
        let template = gallery.people()[index].embeddings.get(res).clone();
        let mut total = 0.0;
        for face in &faces {
            total += cosine(
                &pipeline.embed_aligned(face, res, Upscaler::Dsr)?.embedding,
                &template,
            );
        }
        println!(
            "  {res} px: samples agree with the template at cosine {:.3} on average",
            total / faces.len() as f32
        );
    }
    Ok(())
}
