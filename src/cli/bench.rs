//! `lrfr bench`: per-stage latency, frames per second and peak memory of the real per-frame
//! path over a folder source, or each model alone on a fixed input.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use lrfr::gallery::Gallery;
use lrfr::metrics::{LatencyWindow, Summary};
use lrfr::models::{self, Net};
use lrfr::pipeline::{MatchMode, Pipeline, STAGE_NAMES};
use lrfr::source::{Frame, FrameSource, ImageFolderSource};
use lrfr::{Config, Resolution};
use serde_json::{json, Map, Value};

use super::{open, ResChoice};

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[arg(long, default_value = "16")]
    res: ResChoice,
    /// Image file or folder to use as frames (looped)
    #[arg(long, value_name = "DIR")]
    source: Option<PathBuf>,
    /// Frames to time per resolution, after a warm-up of 5
    #[arg(long, default_value_t = 200)]
    frames: usize,
    /// Time each model file alone on a fixed input instead
    #[arg(long)]
    models_only: bool,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

const WARM_UP: usize = 5;

pub fn run(config: &Config, args: BenchArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut pipeline = open::pipeline(config)?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let models = if args.models_only {
        Some(time_models(config, &mut pipeline, args.frames)?)
    } else {
        None
    };
    let mut report = Map::new();
    report.insert("threads".into(), json!(config.threads));
    report.insert("load_ms".into(), json!(load_ms));
    if let Some(models) = models {
        report.insert("models".into(), Value::Array(models));
    } else {
        let source = args
            .source
            .as_ref()
            .context("--source DIR is needed to time the full path (or use --models-only)")?;
        let gallery = Gallery::open(&config.gallery_dir)
            .map(|(g, _)| g)
            .context("opening the gallery")?;
        let mut runs = Vec::new();
        for res in args.res.list() {
            runs.push(time_pipeline(
                &mut pipeline,
                &gallery,
                source,
                res,
                args.frames,
            )?);
        }
        let fps = runs
            .iter()
            .map(|r| r.get("fps").and_then(Value::as_f64).unwrap_or(0.0))
            .fold(f64::INFINITY, f64::min);
        report.insert("frames".into(), json!(args.frames));
        report.insert("fps".into(), json!(fps));
        if let [single] = &runs[..] {
            report.insert("stages".into(), single["stages"].clone());
        }
        report.insert("runs".into(), Value::Array(runs));
    }
    report.insert(
        "peak_rss_mb".into(),
        json!(lrfr::metrics::MemoryProbe::new().snapshot().peak_rss_bytes as f64 / 1048576.0),
    );
    let report = Value::Object(report);
    if args.json {
        println!("{report}");
    } else {
        print_table(&report);
    }
    Ok(())
}

fn time_pipeline(
    pipeline: &mut Pipeline,
    gallery: &Gallery,
    source: &std::path::Path,
    res: Resolution,
    frames: usize,
) -> anyhow::Result<Value> {
    let mut images = ImageFolderSource::open(source, None, true)?;
    let mut frame = Frame::new(0, 0);
    let mut windows: Vec<LatencyWindow> = STAGE_NAMES
        .iter()
        .map(|_| LatencyWindow::new(frames.max(1)))
        .collect();
    let mut faces = 0;
    let mut busy = Duration::ZERO;
    for i in 0..frames + WARM_UP {
        images.latest_frame(&mut frame)?;
        let output = pipeline.process(&frame, res, gallery, MatchMode::Identify, None)?;
        if i >= WARM_UP {
            faces += usize::from(output.face.is_some());
            busy += output.timings.total;
            for (window, stage) in windows.iter_mut().zip(output.timings.as_array()) {
                window.push(stage);
            }
        }
    }
    let mut stages = Map::new();
    for (name, window) in STAGE_NAMES.iter().zip(windows.iter_mut()) {
        stages.insert((*name).into(), summary_json(window.summary()));
    }
    Ok(json!({
        "res": res.px(),
        "fps": frames as f64 / busy.as_secs_f64().max(1e-9),
        "faces": faces,
        "stages": stages,
    }))
}

fn time_models(
    config: &Config,
    pipeline: &mut Pipeline,
    runs: usize,
) -> anyhow::Result<Vec<Value>> {
    let mut rows = Vec::new();
    if let Some(mut landmarks) = models::load_landmarks(&config.models_dir, config.threads)? {
        rows.push(time_net(&mut landmarks, runs)?);
    }
    let mut seen = Vec::new();
    for res in Resolution::ALL {
        let models = pipeline.models_mut();
        rows.push(time_net(models.dsr(res), runs)?);
        let edgeface = models.edgeface(res);
        if !seen.contains(&edgeface.entry().file) {
            seen.push(edgeface.entry().file.clone());
            rows.push(time_net(edgeface, runs)?);
        }
    }
    Ok(rows)
}

fn time_net(net: &mut Net, runs: usize) -> anyhow::Result<Value> {
    let len: usize = net.entry().input.iter().product();
    // A smooth ramp: deterministic and not all zeros (which some kernels short-cut).
    let input: Vec<f32> = (0..len).map(|i| (i % 97) as f32 / 97.0).collect();
    let mut window = LatencyWindow::new(runs.max(1));
    for i in 0..runs + WARM_UP {
        let start = Instant::now();
        net.run(&input)?;
        if i >= WARM_UP {
            window.push(start.elapsed());
        }
    }
    let mut row = summary_json(window.summary());
    row["file"] = json!(net.entry().file);
    Ok(row)
}

fn summary_json(summary: Summary) -> Value {
    json!({"median_ms": summary.median_ms, "p90_ms": summary.p90_ms})
}

fn print_table(report: &Value) {
    println!(
        "threads {}  model load {:.0} ms  peak RSS {:.1} MB",
        report["threads"],
        report["load_ms"].as_f64().unwrap_or(0.0),
        report["peak_rss_mb"].as_f64().unwrap_or(0.0)
    );
    if let Some(models) = report["models"].as_array() {
        println!("{:<28} {:>10} {:>10}", "model", "median ms", "p90 ms");
        for m in models {
            println!(
                "{:<28} {:>10.2} {:>10.2}",
                m["file"].as_str().unwrap_or("?"),
                m["median_ms"].as_f64().unwrap_or(0.0),
                m["p90_ms"].as_f64().unwrap_or(0.0)
            );
        }
    }
    for run in report["runs"].as_array().into_iter().flatten() {
        println!(
            "{} px: {:.1} frames/s, face in {} frames",
            run["res"],
            run["fps"].as_f64().unwrap_or(0.0),
            run["faces"]
        );
        for name in STAGE_NAMES {
            let s = &run["stages"][name];
            println!(
                "  {:<9} median {:>7.2} ms  p90 {:>7.2} ms",
                name,
                s["median_ms"].as_f64().unwrap_or(0.0),
                s["p90_ms"].as_f64().unwrap_or(0.0)
            );
        }
    }
}
