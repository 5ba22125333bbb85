//! `lrfr eval`: verification accuracy per resolution, DSR beside bicubic.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use lrfr::eval::{draw_roc, evaluate, read_pairs};
use lrfr::Config;
use serde_json::json;

use super::{open, ResChoice};

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Pairs list: LFW pairs.txt, or TSV `a<TAB>b<TAB>1|0` with # comments
    #[arg(long, value_name = "FILE")]
    pairs: PathBuf,
    /// Folder the pairs' image paths are relative to
    #[arg(long, value_name = "DIR")]
    root: PathBuf,
    #[arg(long, default_value = "all")]
    res: ResChoice,
    /// Add rows that replace DSR by this baseline upscaler
    #[arg(long, value_enum)]
    baseline: Option<Baseline>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
    /// Draw the ROC curves into this PNG
    #[arg(long, value_name = "FILE.png")]
    roc: Option<PathBuf>,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum Baseline {
    Bicubic,
}

pub fn run(config: &Config, args: EvalArgs) -> anyhow::Result<()> {
    let pairs = read_pairs(&args.pairs, &args.root)
        .with_context(|| format!("reading {}", args.pairs.display()))?;
    let mut pipeline = open::pipeline(config)?;
    let quiet = args.json;
    let evaluation = evaluate(
        &mut pipeline,
        &pairs,
        &args.res.list(),
        args.baseline.is_some(),
        |done, total| {
            if !quiet && (done % 200 == 0 || done == total) {
                eprint!("\rembedding images: {done}/{total}");
                let _ = std::io::stderr().flush();
            }
        },
    )?;
    if !quiet {
        eprintln!();
    }
    for failure in &evaluation.failures {
        eprintln!("failure: {}: {}", failure.path.display(), failure.reason);
    }
    if args.json {
        println!("{}", json!({ "results": evaluation.rows }));
    } else {
        println!(
            "{:>4} {:>8} {:>6} {:>8} {:>7} {:>7} {:>9} {:>9} {:>8} {:>8} {:>8}",
            "res",
            "pipeline",
            "pairs",
            "failures",
            "EER%",
            "AUC",
            "TAR@1e-2",
            "TAR@1e-3",
            "best acc",
            "thr best",
            "thr EER"
        );
        for row in &evaluation.rows {
            let m = &row.metrics;
            println!(
                "{:>4} {:>8} {:>6} {:>8} {:>7.2} {:>7.4} {:>9.4} {:>9.4} {:>8.4} {:>8.3} {:>8.3}",
                row.res,
                row.pipeline,
                row.pairs,
                row.failures,
                100.0 * m.eer,
                m.auc,
                m.tar_far_1e2,
                m.tar_far_1e3,
                m.best_accuracy,
                m.threshold_best,
                m.threshold_eer
            );
        }
    }
    if let Some(path) = &args.roc {
        draw_roc(&evaluation.rows, path).with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "ROC curves in {}: red 16 px, green 24 px, blue 32 px; pale lines are bicubic",
            path.display()
        );
    }
    Ok(())
}
