//! A live event as the outside world reads it: names instead of gallery positions, with the
//! resolution and the time. `lrfr watch` prints these and publishes them over MQTT.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::{Event, LiveRecognizer};
use crate::gallery::Gallery;
use crate::resolution::Resolution;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `named`, `renamed`, `unnamed` (the evidence faded, or the gallery changed), `unknown`
    /// (a stranger: nobody enrolled, seen long enough) or `lost` (the face left).
    pub event: &'static str,
    pub track: u64,
    /// Who the track is named as now.
    pub name: Option<String>,
    /// For `renamed` and `unnamed`: the name it had before; for `lost`, who left (`None`
    /// for a stranger).
    pub was: Option<String>,
    /// The fused template's score when a name was given; for `unknown`, its best match.
    pub score: Option<f32>,
    /// The resolution the track was recognised at (`None` when it is no longer known: a
    /// track lost at `auto`).
    pub res: Option<u32>,
    /// Seconds since the Unix epoch.
    pub time: f64,
    /// The frame of the stream it happened at (the first is 1), to place it in a recording
    /// or a folder; 0 when the teller counts no frames.
    pub frame: u64,
}

impl Report {
    pub fn new(event: &Event, gallery: &Gallery, res: Option<Resolution>) -> Report {
        let name = |person: usize| {
            gallery
                .people()
                .get(person)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "?".into())
        };
        let (event, track, now, was, score) = match *event {
            Event::Named {
                track,
                person,
                score,
            } => ("named", track, Some(name(person)), None, Some(score)),
            Event::Renamed {
                track,
                from,
                to,
                score,
            } => (
                "renamed",
                track,
                Some(name(to)),
                Some(name(from)),
                Some(score),
            ),
            Event::Unnamed { track, person } => ("unnamed", track, None, Some(name(person)), None),
            Event::Unknown { track, score } => ("unknown", track, None, None, score),
            Event::Lost { track, person } => ("lost", track, None, person.map(name), None),
        };
        Report {
            event,
            track,
            name: now,
            was,
            score,
            res: res.map(Resolution::px),
            time: unix_now(),
            frame: 0,
        }
    }

    /// The same report, placed at `frame` of the stream.
    pub fn at_frame(self, frame: u64) -> Report {
        Report { frame, ..self }
    }

    /// One line for a person reading a terminal.
    pub fn describe(&self) -> String {
        let name = self.name.as_deref().unwrap_or("?");
        let was = self.was.as_deref().unwrap_or("?");
        let score = self.score.unwrap_or(0.0);
        let text = match self.event {
            "named" => format!("named {name} (score {score:.3})"),
            "renamed" => format!("renamed {was} -> {name} (score {score:.3})"),
            "unnamed" => format!("no longer named {was}"),
            "unknown" => match self.score {
                Some(score) => format!("unknown (closest at {score:.3})"),
                None => "unknown".into(),
            },
            _ => match &self.was {
                Some(n) => format!("lost (was {n})"),
                None => "lost (a stranger)".into(),
            },
        };
        format!("track {}: {text}", self.track)
    }
}

/// Who is there: the names of the tracks named now, in track order, without repeats, and
/// how many strangers (tracks reported `unknown` and still unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Present {
    pub names: Vec<String>,
    pub strangers: usize,
}

/// Who is there now, as the events told it. A track missed for a frame or two still counts
/// (it is lost only after several), and a frame held aside ("checking") changes nothing until
/// the next frame tells, so this changes exactly when an event says so.
pub fn present(live: &LiveRecognizer, gallery: &Gallery) -> Present {
    let mut now = Present::default();
    for track in live.tracks() {
        if let Some(person) = track.reported_person() {
            if let Some(p) = gallery.people().get(person) {
                if !now.names.contains(&p.name) {
                    now.names.push(p.name.clone());
                }
            }
        } else if track.is_stranger() {
            now.strangers += 1;
        }
    }
    now
}

pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}
