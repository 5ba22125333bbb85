//! `lrfr soak`: hours of headless identification over a folder source, sampling the process's
//! memory at a fixed interval, to show it stays flat.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use lrfr::live::{LiveConfig, Step, Stream};
use lrfr::metrics::MemoryProbe;
use lrfr::pipeline::MatchMode;
use lrfr::source::ImageFolderSource;
use lrfr::{Config, ResChoice};
use serde_json::json;

use super::open;

#[derive(Args, Debug)]
pub struct SoakArgs {
    #[command(flatten)]
    pub(crate) options: crate::options::AllOptions,
    /// Image file or folder to play as the camera (looped)
    #[arg(long, value_name = "DIR")]
    source: PathBuf,
    /// How long to run
    #[arg(long, default_value_t = 60.0)]
    minutes: f64,
    /// Seconds between memory samples
    #[arg(long, default_value_t = 60.0)]
    every: f64,
    /// Frames per second the folder plays at, like a webcam (0 = as fast as possible)
    #[arg(long, default_value_t = 15.0)]
    fps: f32,
    /// auto: each face at the largest resolution its own pixels give; 16, 24 or 32: faces
    /// shrunk to it
    #[arg(long, default_value = "auto")]
    res: ResChoice,
}

const WARM_UP_FRAMES: u64 = 30;
const MAX_MINUTES: f64 = 7.0 * 24.0 * 60.0;

pub fn run(config: &Config, args: SoakArgs) -> anyhow::Result<()> {
    // NaN and infinity fail these too, so the durations below cannot overflow.
    anyhow::ensure!(
        args.minutes > 0.0 && args.minutes <= MAX_MINUTES,
        "--minutes must be more than 0 and at most {MAX_MINUTES} (a week)"
    );
    anyhow::ensure!(
        args.every > 0.0 && args.every <= args.minutes * 60.0,
        "--every must be more than 0 seconds and at most the run's length"
    );
    anyhow::ensure!(
        args.fps.is_finite() && (0.0..=1000.0).contains(&args.fps),
        "--fps must be between 0 (as fast as possible) and 1000"
    );
    let mut pipeline = open::pipeline(config)?;
    let gallery = open::gallery_for(config, &mut pipeline).context("opening the gallery")?;
    let fps = (args.fps > 0.0).then_some(args.fps);
    let source = ImageFolderSource::open(&args.source, fps, true)?;
    let mut probe = MemoryProbe::new();
    // The path the window and `watch` run: every face tracked and fused over frames, each
    // image laid on a webcam's 640x480 frame.
    let mut stream = Stream::new(Box::new(source), LiveConfig::default()).on_canvas(640, 480);
    let (mut faces, mut unreadable) = (0u64, 0u64);
    let mut step = |stream: &mut Stream| {
        stream.step(
            &mut pipeline,
            &gallery,
            args.res,
            None,
            &MatchMode::Identify,
        )
    };
    // The first sample comes after a warm-up, once every buffer has its working size.
    // Counted in tries, so a folder of unreadable files cannot hold it for ever.
    for _ in 0..WARM_UP_FRAMES {
        if let Step::Missed(_) = step(&mut stream)? {
            unreadable += 1;
        }
    }
    let started = Instant::now();
    let end = started + Duration::from_secs_f64(args.minutes * 60.0);
    let every = Duration::from_secs_f64(args.every);
    let mut next_sample = started;
    let mut first_rss = None;
    let mut last_rss = 0.0;
    loop {
        let now = Instant::now();
        if now >= next_sample {
            let memory = probe.snapshot();
            let rss = memory.rss_bytes as f64 / 1048576.0;
            first_rss.get_or_insert(rss);
            last_rss = rss;
            println!(
                "{}",
                json!({
                    "minute": (now - started).as_secs_f64() / 60.0,
                    "frames": stream.frames(),
                    "faces": faces,
                    "rss_mb": rss,
                    "total_ms_median": stream.stats().total().median_ms,
                    "peak_rss_mb": memory.peak_rss_bytes as f64 / 1048576.0,
                })
            );
            next_sample += every;
        }
        if now >= end {
            break;
        }
        match step(&mut stream)? {
            Step::Recognised => faces += u64::from(!stream.live().tracks().is_empty()),
            Step::Missed(_) => unreadable += 1,
            // A looping folder never ends.
            Step::Ended => break,
        }
    }
    eprintln!(
        "{} frames ({faces} with a face, {unreadable} unreadable files) in {:.1} min; \
         RSS {:.2} MB at the first sample, {last_rss:.2} MB at the last: growth {:+.2} MB",
        stream.frames(),
        started.elapsed().as_secs_f64() / 60.0,
        first_rss.unwrap_or(0.0),
        last_rss - first_rss.unwrap_or(0.0)
    );
    Ok(())
}
