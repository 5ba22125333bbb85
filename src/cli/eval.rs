//! `lrfr eval`: verification accuracy over pairs, or open-set identification over a folder of
//! identities (`--openset`), per resolution, DSR beside bicubic.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use lrfr::eval::{by_gallery, by_person};
use lrfr::eval::{draw_det, draw_roc, evaluate, evaluate_open_set, read_pairs, Protocol};
use lrfr::pipeline::Upscaler;
use lrfr::{Config, ResChoice};
use serde_json::json;

use super::{open, progress, EvalRes};

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    pub(crate) options: crate::options::ModelOptions,
    /// Pairs list: LFW pairs.txt, or TSV `a<TAB>b<TAB>1|0` with # comments
    #[arg(long, value_name = "FILE", required_unless_present = "openset")]
    pairs: Option<PathBuf>,
    /// Folder the pairs' image paths are relative to; with --openset, one sub-folder of
    /// photos per identity
    #[arg(long, value_name = "DIR")]
    root: PathBuf,
    /// Open-set identification: random galleries of people from ROOT, probed by their other
    /// photos and by everyone not enrolled
    #[arg(long, conflicts_with_all = ["pairs", "roc"])]
    openset: bool,
    /// Probe with the images at the same paths under this folder instead (--openset): people
    /// are enrolled from ROOT's photos as they are, and probed by the same photos made
    /// distant (frames from the forge's `validation_frames`); a probe without a usable face
    /// is a miss
    #[arg(long, value_name = "DIR", requires = "openset")]
    probes: Option<PathBuf>,
    /// People per gallery (--openset)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    gallery_size: u16,
    /// Photos each person is enrolled from (--openset)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    enroll: u16,
    /// Random galleries to draw (--openset)
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    trials: u32,
    /// Further operating points (--openset): for each FPIR, the threshold that reaches it and
    /// the FNIR there with their 95% interval over people, as `at_fpir` in the JSON (the
    /// forge chooses thresholds with this)
    #[arg(long, value_name = "FPIR", value_delimiter = ',', requires = "openset",
          value_parser = fpir_value)]
    fpir: Vec<f64>,
    /// Draw the DET curves (FNIR against FPIR) into this PNG (--openset)
    #[arg(long, value_name = "FILE.png", requires = "openset")]
    det: Option<PathBuf>,
    /// 16, 24, 32, all, or auto: each face at the largest resolution its own pixels give
    /// (faces too small count as misses; at --openset, scores are margins over the threshold
    /// of the probe's resolution, so auto's threshold is 0)
    #[arg(long, default_value = "all")]
    res: EvalRes,
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

fn fpir_value(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{text:?} is not a rate between 0 and 1")),
    }
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum Baseline {
    Bicubic,
}

pub fn run(config: &Config, args: EvalArgs) -> anyhow::Result<()> {
    if args.openset {
        return run_open_set(config, &args);
    }
    let pairs_file = args.pairs.as_deref().unwrap_or(std::path::Path::new(""));
    let pairs = read_pairs(pairs_file, &args.root).context("reading the pairs file")?;
    let mut pipeline = open::pipeline(config)?;
    let mut bar = None;
    let evaluation = evaluate(
        &mut pipeline,
        &pairs,
        &args.res.list(),
        args.baseline.is_some(),
        |done, total| {
            let bar = bar.get_or_insert_with(|| progress::bar(total, "embedding images"));
            bar.set_position(done as u64);
        },
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for failure in &evaluation.failures {
        eprintln!("failure: {}: {}", failure.path.display(), failure.reason);
    }
    let mut images: Vec<&std::path::PathBuf> = pairs.iter().flat_map(|p| [&p.a, &p.b]).collect();
    images.sort();
    images.dedup();
    // Scores of nothing but failures would print a table (EER 50%) that means nothing.
    anyhow::ensure!(
        evaluation.failures.len() < images.len(),
        "none of the {} images could be used; is --root the folder the pairs' paths start from?",
        images.len()
    );
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

fn run_open_set(config: &Config, args: &EvalArgs) -> anyhow::Result<()> {
    let mut pipeline = open::pipeline(config)?;
    let mut upscalers = vec![Upscaler::Dsr];
    if args.baseline.is_some() {
        upscalers.push(Upscaler::Bicubic);
    }
    let configs: Vec<_> = args
        .res
        .list()
        .into_iter()
        .flat_map(|r| upscalers.iter().map(move |u| (r, *u)))
        .collect();
    let protocol = Protocol {
        gallery_size: usize::from(args.gallery_size),
        enroll: usize::from(args.enroll),
        trials: args.trials as usize,
        ..Protocol::default()
    };
    let quiet = args.json;
    let mut bar = None;
    let evaluation = evaluate_open_set(
        &mut pipeline,
        &args.root,
        args.probes.as_deref(),
        &configs,
        protocol,
        |done, total| {
            let bar = bar.get_or_insert_with(|| progress::bar(total, "embedding photos"));
            bar.set_position(done as u64);
        },
    )
    .with_context(|| format!("open-set evaluation over {}", args.root.display()))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if !quiet {
        eprintln!(
            "{} identities, {} with {} or more photos with a face",
            evaluation.identities,
            evaluation.eligible,
            protocol.enroll + 1
        );
    }
    for failure in &evaluation.failures {
        eprintln!("failure: {}: {}", failure.path.display(), failure.reason);
    }
    anyhow::ensure!(
        evaluation.eligible > 0,
        "no identity under {} has {} or more photos with a face; is --root right?",
        args.root.display(),
        protocol.enroll + 1
    );
    let manifest = pipeline.models().manifest();
    let rows: Vec<_> = evaluation
        .rows
        .iter()
        .map(|row| {
            let name = match row.upscaler {
                Upscaler::Dsr => "dsr",
                Upscaler::Bicubic => "bicubic",
            };
            let threshold = match (row.res, row.upscaler) {
                (ResChoice::Native, _) => 0.0,
                (ResChoice::Fixed(res), Upscaler::Dsr) => manifest.resolution(res).threshold,
                (ResChoice::Fixed(res), Upscaler::Bicubic) => {
                    manifest.resolution(res).bicubic_threshold
                }
            };
            // Each operating point with its interval over people: the forge chooses among
            // them, so a choice can be weighed against how sure each figure is.
            let points: Vec<_> = args
                .fpir
                .iter()
                .map(|&fpir| {
                    let point = row.scores.operating_point(fpir);
                    let sure = by_person(&row.scores, point.threshold as f32, protocol.seed);
                    (point, sure)
                })
                .collect();
            (
                row.res.to_json(),
                name,
                row.scores.metrics(threshold),
                points,
                [
                    (
                        "galleries",
                        by_gallery(&row.scores, threshold, protocol.seed),
                    ),
                    ("people", by_person(&row.scores, threshold, protocol.seed)),
                ],
            )
        })
        .collect();
    if args.json {
        let results: Vec<_> = rows
            .iter()
            .map(|(res, name, m, points, interval)| {
                let mut value = serde_json::to_value(m).unwrap_or_default();
                value["res"] = json!(res);
                value["pipeline"] = json!(name);
                value["trials"] = json!(protocol.trials);
                for (over, interval) in interval {
                    if let Some(interval) = interval {
                        value["interval_95"][over] = json!(interval);
                    }
                }
                if !points.is_empty() {
                    let points: Vec<_> = points
                        .iter()
                        .map(|(point, sure)| {
                            let mut point = json!(point);
                            if let Some(sure) = sure {
                                point["interval_95"]["people"] = json!(sure);
                            }
                            point
                        })
                        .collect();
                    value["at_fpir"] = json!(points);
                }
                value
            })
            .collect();
        println!("{}", json!({ "results": results }));
    } else {
        println!(
            "{:>4} {:>8} {:>7} {:>8} {:>6} {:>7} {:>6} {:>6} {:>10} {:>8} {:>10} {:>8} {:>7}",
            "res",
            "pipeline",
            "mated",
            "nonmated",
            "rank1",
            "thr",
            "FPIR%",
            "FNIR%",
            "FNIR@1e-2",
            "thr@1e-2",
            "FNIR@5e-2",
            "thr@5e-2",
            "no face"
        );
        for (res, name, m, points, interval) in &rows {
            println!(
                "{res:>4} {name:>8} {:>7} {:>8} {:>6.4} {:>7.4} {:>6.2} {:>6.2} {:>10.4} {:>8.4} {:>10.4} {:>8.4} {:>7}",
                m.mated,
                m.nonmated,
                m.rank1,
                m.threshold,
                100.0 * m.fpir,
                100.0 * m.fnir,
                m.fnir_at_fpir_1e2,
                m.threshold_fpir_1e2,
                m.fnir_at_fpir_5e2,
                m.threshold_fpir_5e2,
                m.no_face
            );
            for (over, i) in interval.iter().filter_map(|(o, i)| Some((o, (*i)?))) {
                println!(
                    "{res:>4} {name:>8}   95% interval over {} {over}: FPIR {:.2}-{:.2}%, FNIR {:.2}-{:.2}%",
                    i.units,
                    100.0 * i.fpir.low,
                    100.0 * i.fpir.high,
                    100.0 * i.fnir.low,
                    100.0 * i.fnir.high
                );
            }
            for (p, sure) in points {
                let sure = sure.map_or(String::new(), |i| {
                    format!(
                        " (95% over people: FPIR {:.2}-{:.2}%, FNIR {:.2}-{:.2}%)",
                        100.0 * i.fpir.low,
                        100.0 * i.fpir.high,
                        100.0 * i.fnir.low,
                        100.0 * i.fnir.high
                    )
                });
                println!(
                    "{res:>4} {name:>8}   at FPIR {:.4}: threshold {:.4}, FNIR {:.4}{sure}",
                    p.fpir, p.threshold, p.fnir
                );
            }
        }
    }
    if let Some(path) = &args.det {
        draw_det(&evaluation.rows, path).with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "DET curves in {}: red 16 px, green 24 px, blue 32 px; pale lines are bicubic",
            path.display()
        );
    }
    Ok(())
}
