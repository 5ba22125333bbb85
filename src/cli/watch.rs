//! `lrfr watch`: the live recogniser without a window (a door camera with no screen). One
//! line per change: a face named, renamed, no longer named, a stranger, or gone (with
//! `--frames`, also one per frame: what it showed); with `--mqtt`, the same events and "who is
//! there" go to a broker for Home Assistant.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use lrfr::live::{present, Event, LiveConfig, Present, Report, Seen, Step, Stream};
use lrfr::mqtt::{Broker, Publisher};
use lrfr::pipeline::MatchMode;
use lrfr::source::{FrameSource, ImageFolderSource, Pace, Webcam};
use lrfr::{Config, ResChoice};

use super::open;

#[derive(Args, Debug)]
pub struct WatchArgs {
    #[command(flatten)]
    pub(crate) options: crate::options::AllOptions,
    /// Webcam index (/dev/videoN)
    #[arg(long, conflicts_with = "source")]
    camera: Option<u32>,
    /// Play the images of a folder, in name order, as the camera (once, then stop)
    #[arg(long, value_name = "DIR")]
    source: Option<PathBuf>,
    /// auto: each face at the largest resolution its own pixels give; 16, 24 or 32: faces
    /// shrunk to it
    #[arg(long, default_value = "auto")]
    res: ResChoice,
    /// Images per second a folder plays at (0: as fast as they are processed)
    #[arg(long, default_value_t = 0.0, value_parser = super::fps)]
    fps: f32,
    /// Seconds each image of a folder stays in view [default, with --fps: 2 for separate
    /// photos, 0 for a video's numbered frames; without: 0]
    #[arg(long, value_name = "SECONDS", value_parser = super::seconds)]
    hold: Option<f32>,
    /// Print one JSON object per event
    #[arg(long)]
    json: bool,
    /// Also print what every frame shows: each face in view with its name, or why it has
    /// none, as the window labels it (events say only what changed)
    #[arg(long)]
    frames: bool,
    /// Publish events and who is there to this MQTT broker, with Home Assistant discovery:
    /// mqtt://[user@]host[:port]. The password comes from --mqtt-password-file or
    /// $LRFR_MQTT_PASSWORD (one in the URL is seen by every user in `ps`)
    // A String, parsed in `run`: clap would repeat a bad value, password and all, in its error.
    #[arg(long, value_name = "URL")]
    mqtt: Option<String>,
    /// Read the MQTT password from the first line of this file (keep it owner-only)
    #[arg(long, value_name = "FILE", requires = "mqtt")]
    mqtt_password_file: Option<PathBuf>,
    /// This door's name in MQTT topics and in Home Assistant [default: <hostname>-video<N>,
    /// or <hostname>-folder]
    #[arg(long, value_name = "NAME", requires = "mqtt")]
    device: Option<String>,
}

pub fn run(config: &Config, args: WatchArgs) -> anyhow::Result<()> {
    let mut pipeline = open::pipeline(config)?;
    let mut gallery = open::gallery_for(config, &mut pipeline)?;
    if gallery.is_empty() {
        eprintln!("note: nobody is enrolled yet; every face will be unknown");
    }
    let source: Box<dyn FrameSource> = match (&args.source, args.camera) {
        (Some(dir), _) => {
            let fps = (args.fps > 0.0).then_some(args.fps);
            // Unpaced, a folder is a recording to go through as fast as possible: no hold.
            let hold = match (args.hold, fps) {
                (Some(hold), _) => Some(Duration::from_secs_f32(hold)),
                (None, None) => Some(Duration::ZERO),
                (None, Some(_)) => None,
            };
            Box::new(ImageFolderSource::paced(dir, Pace { fps, hold }, false)?)
        }
        (None, camera) => Box::new(Webcam::open(camera.unwrap_or(0), None)?),
    };
    let broker = args
        .mqtt
        .as_deref()
        .map(|url| broker(url, args.mqtt_password_file.as_deref()))
        .transpose()?;
    let publisher = match &broker {
        Some(broker) => {
            let device = args.device.clone().unwrap_or_else(|| {
                let place = match (&args.source, args.camera) {
                    (Some(_), _) => "folder".to_string(),
                    (None, camera) => format!("video{}", camera.unwrap_or(0)),
                };
                format!("{}-{place}", hostname())
            });
            let publisher = Publisher::start(broker, &device)?;
            eprintln!(
                "publishing to mqtt://{}:{} as lrfr/{} (Home Assistant discovery on)",
                broker.host,
                broker.port,
                publisher.topics().device
            );
            Some(publisher)
        }
        None => None,
    };
    let mut stream = Stream::new(source, LiveConfig::default());
    eprintln!("watching {} at {}", stream.describe(), describe(args.res));
    let mut who = Present::default();
    let tell = |report: Report| {
        if args.json {
            println!("{}", serde_json::to_string(&report).unwrap_or_default());
        } else {
            println!("{}", report.describe());
        }
        if let Some(p) = &publisher {
            p.event(&report);
        }
    };
    if let Some(p) = &publisher {
        p.state(&who, args.res);
    }
    // Tracks that were named or reported as strangers: only their leaving is worth a line.
    let mut told = std::collections::HashSet::new();
    let mut checked = Instant::now();
    loop {
        // Someone enrolled, renamed or removed from another lrfr: open the gallery again, and
        // let no track keep a name (or a gallery position) from before.
        if checked.elapsed() >= lrfr::gallery::CHANGE_CHECK {
            checked = Instant::now();
            if gallery.changed_elsewhere() {
                let frames = stream.frames();
                for track in stream.live().tracks() {
                    if let Some(person) = track.reported_person() {
                        let event = Event::Unnamed {
                            track: track.id,
                            person,
                        };
                        tell(Report::new(&event, &gallery, track.res).at_frame(frames));
                    }
                }
                stream.reset();
                told.clear();
                gallery = open::gallery_for(config, &mut pipeline)?;
                eprintln!("the gallery changed; {} enrolled now", gallery.len());
                who = Present::default();
                if let Some(p) = &publisher {
                    p.state(&who, args.res);
                }
            }
        }
        match stream
            .step(
                &mut pipeline,
                &gallery,
                args.res,
                None,
                &MatchMode::Identify,
            )
            .context("recognising a frame")?
        {
            Step::Recognised => {}
            Step::Ended => break,
            // A bad file or a camera hiccup: say so and go on, as a door camera must.
            Step::Missed(e) => {
                eprintln!("{e}");
                continue;
            }
        }
        // Every event says at which frame it happened.
        let (live, frames) = (stream.live(), stream.frames());
        if args.frames {
            let seen = Seen::of(live, &gallery, frames);
            if args.json {
                println!("{}", serde_json::to_string(&seen).unwrap_or_default());
            } else {
                println!("{}", seen.describe());
            }
        }
        if live.events().is_empty() {
            continue;
        }
        // A face that left without ever being named or reported as a stranger says nothing
        // at a door (small background faces come and go).
        for event in live.events() {
            if let Event::Named { track, .. } | Event::Unknown { track, .. } = event {
                told.insert(*track);
            }
            if !worth_telling(event, &mut told) {
                continue;
            }
            let res = match args.res {
                ResChoice::Fixed(res) => Some(res),
                ResChoice::Native => live.track_res(event.track()),
            };
            tell(Report::new(event, &gallery, res).at_frame(frames));
        }
        let now = present(live, &gallery);
        if now != who {
            who = now;
            if let Some(p) = &publisher {
                p.state(&who, args.res);
            }
        }
    }
    // The folder ended: every face still in view is gone now.
    let frames = stream.frames();
    for track in stream.live().tracks() {
        let event = Event::Lost {
            track: track.id,
            person: track.reported_person(),
        };
        if worth_telling(&event, &mut told) {
            tell(Report::new(&event, &gallery, track.res).at_frame(frames));
        }
    }
    if let Some(p) = &publisher {
        if who != Present::default() {
            p.state(&Present::default(), args.res);
        }
        if p.dropped() > 0 {
            eprintln!(
                "MQTT: {} messages were dropped while the broker was away",
                p.dropped()
            );
        }
    }
    Ok(())
}

/// The broker `url` names, logged into with the password from `password_file`, else
/// `$LRFR_MQTT_PASSWORD`, else the URL's own (with a warning: `ps` shows it).
fn broker(url: &str, password_file: Option<&Path>) -> anyhow::Result<Broker> {
    let broker: Broker = url.parse()?;
    let password = match password_file {
        Some(path) => Some(super::secret_line(path, "MQTT password")?),
        None => std::env::var(PASSWORD_VAR).ok().filter(|p| !p.is_empty()),
    };
    match password {
        Some(password) => Ok(broker.with_password(password)?),
        None => {
            if broker.password.is_some() {
                tracing::warn!(
                    "the MQTT password in the URL is visible to every user of this machine \
                     (ps); use --mqtt-password-file or {PASSWORD_VAR} instead"
                );
            }
            Ok(broker)
        }
    }
}

/// Where the systemd unit's environment file puts the password.
const PASSWORD_VAR: &str = "LRFR_MQTT_PASSWORD";

/// This machine's name for the default device name ("pi" when it has none).
fn hostname() -> String {
    sysinfo::System::host_name()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "pi".into())
}

fn describe(res: ResChoice) -> String {
    match res {
        ResChoice::Native => "each face's own resolution".into(),
        ResChoice::Fixed(res) => format!("{res} px"),
    }
}

/// Everything but the loss of a track never named nor reported as a stranger; a lost track
/// leaves the set, so it stays as small as the faces in view.
fn worth_telling(event: &Event, told: &mut std::collections::HashSet<u64>) -> bool {
    match event {
        Event::Lost { track, .. } => told.remove(track),
        _ => true,
    }
}
