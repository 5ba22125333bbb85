//! `lrfr bench`: per-stage latency, frames per second and peak memory of the real per-frame
//! path over a folder source, or each model alone on a fixed input.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use lrfr::gallery::Gallery;
use lrfr::live::{LiveConfig, Step, Stream};
use lrfr::metrics::{LatencyWindow, StageStats, Summary, STAGE_NAMES};
use lrfr::models::Net;
use lrfr::pipeline::{MatchMode, Pipeline};
use lrfr::source::ImageFolderSource;
use lrfr::{Config, ResChoice, Resolution};
use serde_json::{json, Map, Value};

use super::{open, progress, EvalRes};

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    pub(crate) options: crate::options::AllOptions,
    /// auto: each face at the largest resolution its own pixels give; 16, 24 or 32: faces
    /// shrunk to it (the speed targets are for 16); all: 16, 24 and 32 in turn
    #[arg(long, default_value = "auto")]
    res: EvalRes,
    /// Image file or folder to use as frames (looped)
    #[arg(long, value_name = "DIR")]
    source: Option<PathBuf>,
    /// Frames (and runs of each model) to time per resolution, after a warm-up of 5
    #[arg(long, default_value_t = 200)]
    frames: usize,
    /// Time each model file alone on a fixed input instead
    #[arg(long)]
    models_only: bool,
    /// With --models-only: also time every node of each network and list the dearest
    #[arg(long, requires = "models_only")]
    profile: bool,
    /// Frame size the source images are centred on (`WxH`), or `native` to use them as they are
    #[arg(long, default_value = "640x480")]
    frame: FrameSize,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

/// The frame every source image is drawn onto, so detection costs what it costs on a webcam.
#[derive(Debug, Clone, Copy)]
enum FrameSize {
    Native,
    Canvas(u32, u32),
}

impl std::str::FromStr for FrameSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("native") {
            return Ok(FrameSize::Native);
        }
        let parsed = s
            .split_once(['x', 'X'])
            .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)));
        match parsed {
            Some((w, h)) if (16..=4096).contains(&w) && (16..=4096).contains(&h) => {
                Ok(FrameSize::Canvas(w, h))
            }
            _ => Err(format!(
                "'{s}' is not WxH (each 16 to 4096, e.g. 640x480) or native"
            )),
        }
    }
}

const WARM_UP: usize = 5;

pub fn run(config: &Config, args: BenchArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut pipeline = open::pipeline(config)?;
    // The full path loads only the resolutions it runs, as the app does (`auto` may need
    // any of them).
    let loaded: Vec<Resolution> = if args.models_only || args.res == EvalRes::Auto {
        Resolution::ALL.to_vec()
    } else {
        args.res
            .list()
            .into_iter()
            .filter_map(|choice| match choice {
                ResChoice::Fixed(res) => Some(res),
                ResChoice::Native => None,
            })
            .collect()
    };
    for &res in &loaded {
        pipeline.models_mut().prepare(res)?;
    }
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let models = time_models(&mut pipeline, &loaded, args.frames, args.profile)?;
    let mut report = Map::new();
    report.insert("threads".into(), json!(config.threads));
    report.insert("load_ms".into(), json!(load_ms));
    report.insert("models".into(), Value::Array(models));
    if !args.models_only {
        let source = args
            .source
            .as_ref()
            .context("--source DIR is needed to time the full path (or use --models-only)")?;
        let gallery = Gallery::open(&config.gallery_dir)
            .map(|(g, _)| g)
            .context("opening the gallery")?;
        let mut all = StageStats::new(args.frames * args.res.list().len());
        let mut runs = Vec::new();
        for res in args.res.list() {
            let mut one = StageStats::new(args.frames);
            let (frames, faces) = time_pipeline(
                &mut pipeline,
                &gallery,
                source,
                res,
                args.frames,
                args.frame,
                &mut [&mut one, &mut all],
            )?;
            runs.push(json!({
                "res": res.to_json(),
                "frames": frames,
                "faces": faces,
                "fps": one.fps(),
                "stages": summarise(&mut one),
            }));
        }
        report.insert("frames".into(), json!(all.frames()));
        report.insert("fps".into(), json!(all.fps()));
        report.insert("stages".into(), summarise(&mut all));
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

fn summarise(stats: &mut StageStats) -> Value {
    let mut stages = Map::new();
    for (name, summary) in STAGE_NAMES.iter().zip(stats.summaries()) {
        stages.insert((*name).into(), summary_json(summary));
    }
    Value::Object(stages)
}

/// Times `frames` frames after a warm-up; returns how many were timed and how many had a face.
fn time_pipeline(
    pipeline: &mut Pipeline,
    gallery: &Gallery,
    source: &std::path::Path,
    res: ResChoice,
    frames: usize,
    size: FrameSize,
    windows: &mut [&mut StageStats],
) -> anyhow::Result<(usize, usize)> {
    // The path the window, `watch` and `soak` run: every face tracked and fused over frames.
    let images = ImageFolderSource::open(source, None, true)?;
    let mut stream = Stream::new(Box::new(images), LiveConfig::default());
    if let FrameSize::Canvas(w, h) = size {
        stream = stream.on_canvas(w, h);
    }
    let mut faces = 0;
    let bar = progress::bar(frames + WARM_UP, &format!("{res} frames"));
    for i in 0..frames + WARM_UP {
        bar.inc(1);
        match stream.step(pipeline, gallery, res, None, &MatchMode::Identify)? {
            Step::Recognised => {}
            Step::Missed(e) => return Err(e.into()),
            Step::Ended => anyhow::bail!("{}: no frames", source.display()),
        }
        if i >= WARM_UP {
            let live = stream.live();
            faces += usize::from(!live.tracks().is_empty());
            for window in windows.iter_mut() {
                window.push(live.timings());
            }
        }
    }
    bar.finish_and_clear();
    Ok((frames, faces))
}

fn time_models(
    pipeline: &mut Pipeline,
    resolutions: &[Resolution],
    runs: usize,
    profile: bool,
) -> anyhow::Result<Vec<Value>> {
    let mut rows = Vec::new();
    // The small-face detector on its whole 640x480 frame (the full path adds laying the frame
    // out and SeetaFace: the `detect` stage).
    if let Some(detector) = pipeline.locator().small_face_net() {
        rows.push(time_net(detector?, runs, profile)?);
    }
    if let Some(gate) = pipeline.locator().gate_net() {
        rows.push(time_net(gate, runs, profile)?);
    }
    if let Some(landmarks) = pipeline.locator().landmark_net() {
        rows.push(time_net(landmarks, runs, profile)?);
    }
    let mut seen = Vec::new();
    for &res in resolutions {
        let models = pipeline.models_mut();
        rows.push(time_net(models.dsr(res)?.net()?, runs, profile)?);
        let edgeface = models.edgeface(res).net()?;
        if !seen.contains(&edgeface.entry().file) {
            seen.push(edgeface.entry().file.clone());
            rows.push(time_net(edgeface, runs, profile)?);
        }
    }
    Ok(rows)
}

/// How many of a network's dearest nodes `--profile` reports.
const PROFILED_NODES: usize = 8;

fn time_net(net: &mut Net, runs: usize, profile: bool) -> anyhow::Result<Value> {
    let len: usize = net.entry().input.iter().product();
    // A smooth ramp: deterministic and not all zeros (which some kernels short-cut).
    for (i, v) in net.input_mut(len)?.iter_mut().enumerate() {
        *v = (i % 97) as f32 / 97.0;
    }
    let mut window = LatencyWindow::new(runs.max(1));
    for i in 0..runs + WARM_UP {
        let start = Instant::now();
        net.run()?;
        if i >= WARM_UP {
            window.push(start.elapsed());
        }
    }
    let mut row = summary_json(window.summary());
    row["file"] = json!(net.entry().file);
    if profile {
        let nodes: Vec<Value> = net
            .profile(runs)?
            .into_iter()
            .take(PROFILED_NODES)
            .map(|cost| json!({"node": cost.node, "op": cost.op, "median_ms": cost.median_ms}))
            .collect();
        row["profile"] = Value::Array(nodes);
    }
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
            for node in m["profile"].as_array().into_iter().flatten() {
                println!(
                    "    {:>8.3} ms  {:<16} {}",
                    node["median_ms"].as_f64().unwrap_or(0.0),
                    node["op"].as_str().unwrap_or("?"),
                    node["node"].as_str().unwrap_or("?")
                );
            }
        }
    }
    for run in report["runs"].as_array().into_iter().flatten() {
        let res = match &run["res"] {
            Value::String(auto) => auto.clone(),
            px => format!("{px} px"),
        };
        println!(
            "{res}: {:.1} frames/s, face in {} frames",
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
