//! What one frame shows, face by face, as the window labels it: `lrfr watch --frames` prints
//! it, so a recording can be checked frame by frame. Events say only what changed, and a
//! door's events hold a name through a frame held aside or a face missed for a moment; this
//! says what was on the screen.

use serde::Serialize;

use super::{LiveRecognizer, Verdict};
use crate::gallery::Gallery;
use crate::resolution::Resolution;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Seen {
    /// Always `frame`, so these lines read apart from the events they are printed among.
    pub event: &'static str,
    /// The frame of the stream (the first is 1), as the events count them.
    pub frame: u64,
    /// The faces seen in this frame, largest first.
    pub faces: Vec<SeenFace>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeenFace {
    pub track: u64,
    /// The face's box in the frame's pixels: x, y, width, height.
    #[serde(rename = "box")]
    pub face: [f32; 4],
    /// `named`, `unknown`, or why the face has no answer: `checking`, `face too small`,
    /// `blurred`, `turned away`, `not seen long enough`.
    pub shows: String,
    /// The name shown, when `named`.
    pub name: Option<String>,
    /// The fused template's score, when `named`.
    pub score: Option<f32>,
    /// The resolution the face is recognised at, once it has one.
    pub res: Option<u32>,
}

impl Seen {
    /// What `live`'s latest frame, the stream's `frame`-th, shows.
    pub fn of(live: &LiveRecognizer, gallery: &Gallery, frame: u64) -> Seen {
        let faces = live
            .visible()
            .map(|track| {
                let (shows, name, score) = match track.verdict {
                    Verdict::Named { person, score } => {
                        let name = gallery.people().get(person).map(|p| p.name.clone());
                        ("named".to_string(), name, Some(score))
                    }
                    Verdict::Unknown => ("unknown".to_string(), None, None),
                    Verdict::CantTell(reason) => (reason.to_string(), None, None),
                };
                let b = track.face;
                SeenFace {
                    track: track.id,
                    face: [b.x, b.y, b.width, b.height],
                    shows,
                    name,
                    score,
                    res: track.res.map(Resolution::px),
                }
            })
            .collect();
        Seen {
            event: "frame",
            frame,
            faces,
        }
    }

    /// One line for a person reading a terminal: `frame 12: track 1 Ada (0.412); track 2
    /// checking`.
    pub fn describe(&self) -> String {
        let faces: Vec<String> = self
            .faces
            .iter()
            .map(|f| match (&f.name, f.score) {
                (Some(name), Some(score)) => format!("track {} {name} ({score:.3})", f.track),
                _ => format!("track {} {}", f.track, f.shows),
            })
            .collect();
        match faces.is_empty() {
            true => format!("frame {}: no face", self.frame),
            false => format!("frame {}: {}", self.frame, faces.join("; ")),
        }
    }
}
