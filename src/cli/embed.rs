//! `lrfr embed`: the embedding of the face in each image, per resolution, as JSON lines, for
//! other tools and for checking that two builds (x86-64 and aarch64) compute the same thing.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use lrfr::frame::decode_file;
use lrfr::pipeline::{Pipeline, Upscaler};
use lrfr::Config;
use serde_json::json;

use super::{open, progress, ResSet};

#[derive(Args, Debug)]
pub struct EmbedArgs {
    #[command(flatten)]
    pub(crate) options: crate::options::ModelOptions,
    /// Resolution(s) the face is shrunk to before super-resolution
    #[arg(long, default_value = "all")]
    res: ResSet,
    /// The inputs are aligned 112x112 faces (as `lrfr crop` writes them), used as they are
    #[arg(long)]
    aligned: bool,
    /// Image files or folders of them
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub fn run(config: &Config, args: EmbedArgs) -> anyhow::Result<()> {
    let mut pipeline = open::pipeline(config)?;
    let mut failed = 0;
    let files = progress::images(&args.paths)?;
    let bar = progress::bar(files.len(), "embedding");
    for (_, path) in &files {
        bar.inc(1);
        let frame = match decode_file(path) {
            Ok(frame) => frame,
            Err(e) => {
                progress::say(&bar, format!("{}: {e}", path.display()));
                failed += 1;
                continue;
            }
        };
        for res in args.res.list() {
            let embedding = embed(&mut pipeline, &frame, res, args.aligned)
                .with_context(|| format!("{}", path.display()))?;
            println!(
                "{}",
                json!({"file": path.display().to_string(), "res": res.px(), "embedding": embedding})
            );
        }
    }
    bar.finish_and_clear();
    anyhow::ensure!(failed == 0, "{failed} input(s) could not be read");
    Ok(())
}

/// `None` when no face is found (never for `aligned` inputs).
fn embed(
    pipeline: &mut Pipeline,
    frame: &lrfr::frame::Frame,
    res: lrfr::Resolution,
    aligned: bool,
) -> anyhow::Result<Option<Vec<f32>>> {
    if aligned {
        anyhow::ensure!(
            frame.dimensions() == (112, 112),
            "an aligned face is 112x112, this is {}x{}",
            frame.width(),
            frame.height()
        );
        let output = pipeline.embed_aligned(frame, res, Upscaler::Dsr)?;
        return Ok(Some(output.embedding.clone()));
    }
    if pipeline.align(frame)?.is_none() {
        return Ok(None);
    }
    let aligned_face = pipeline.output().aligned.clone();
    let output = pipeline.embed_aligned(&aligned_face, res, Upscaler::Dsr)?;
    Ok(Some(output.embedding.clone()))
}
