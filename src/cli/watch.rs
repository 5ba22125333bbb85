//! `lrfr watch`: the live recogniser without a window (a door camera with no screen). One
//! line per change: a face named, renamed, no longer named, or gone.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::Args;
use lrfr::gallery::Gallery;
use lrfr::live::{Event, LiveConfig, LiveRecognizer};
use lrfr::source::{Frame, FrameSource, ImageFolderSource, SourceError, Webcam};
use lrfr::{Config, Resolution};
use serde_json::json;

use super::open;

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// Webcam index (/dev/videoN)
    #[arg(long, conflicts_with = "source")]
    camera: Option<u32>,
    /// Play the images of a folder, in name order, as the camera (once, then stop)
    #[arg(long, value_name = "DIR")]
    source: Option<PathBuf>,
    /// Resolution the faces are shrunk to
    #[arg(long, default_value = "16")]
    res: Resolution,
    /// Frames per second a folder plays at (0: as fast as they are processed)
    #[arg(long, default_value_t = 0.0)]
    fps: f32,
    /// Print one JSON object per event
    #[arg(long)]
    json: bool,
}

pub fn run(config: &Config, args: WatchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.fps.is_finite() && (0.0..=1000.0).contains(&args.fps),
        "--fps must be between 0 (as fast as possible) and 1000"
    );
    let mut pipeline = open::pipeline(config)?;
    let gallery = open::gallery_for(config, &mut pipeline)?;
    if gallery.is_empty() {
        eprintln!("note: nobody is enrolled yet; every face will be unknown");
    }
    let mut source: Box<dyn FrameSource> = match (&args.source, args.camera) {
        (Some(dir), _) => Box::new(ImageFolderSource::open(
            dir,
            (args.fps > 0.0).then_some(args.fps),
            false,
        )?),
        (None, camera) => Box::new(Webcam::open(camera.unwrap_or(0))?),
    };
    eprintln!("watching {} at {} px", source.describe(), args.res);
    let mut live = LiveRecognizer::new(LiveConfig::default());
    let mut frame = Frame::new(0, 0);
    loop {
        match source.latest_frame(&mut frame) {
            Ok(()) => {}
            Err(SourceError::Exhausted) => break,
            // A bad file or a camera hiccup: say so and go on, as a door camera must.
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        }
        live.step(&mut pipeline, &frame, &gallery, args.res, None)
            .context("recognising a frame")?;
        for event in live.events() {
            print_event(event, &gallery, args.res, args.json);
        }
    }
    // The folder ended: every face still in view is gone now.
    for track in live.tracks() {
        let person = match track.verdict {
            lrfr::live::Verdict::Named { person, .. } => Some(person),
            _ => None,
        };
        let event = Event::Lost {
            track: track.id,
            person,
        };
        print_event(&event, &gallery, args.res, args.json);
    }
    Ok(())
}

fn print_event(event: &Event, gallery: &Gallery, res: Resolution, as_json: bool) {
    let name = |person: usize| {
        gallery
            .people()
            .get(person)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| "?".into())
    };
    let time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let (kind, track, who, score, text) = match *event {
        Event::Named {
            track,
            person,
            score,
        } => (
            "named",
            track,
            Some(name(person)),
            Some(score),
            format!("named {} (score {score:.3})", name(person)),
        ),
        Event::Renamed {
            track,
            from,
            to,
            score,
        } => (
            "renamed",
            track,
            Some(name(to)),
            Some(score),
            format!("renamed {} -> {} (score {score:.3})", name(from), name(to)),
        ),
        Event::Unnamed { track, person } => (
            "unnamed",
            track,
            None,
            None,
            format!("no longer named {}", name(person)),
        ),
        Event::Lost { track, person } => (
            "lost",
            track,
            person.map(name),
            None,
            match person {
                Some(p) => format!("lost (was {})", name(p)),
                None => "lost".into(),
            },
        ),
    };
    if as_json {
        println!(
            "{}",
            json!({"event": kind, "track": track, "name": who, "score": score,
                   "res": res.px(), "time": time})
        );
    } else {
        println!("track {track}: {text}");
    }
}
