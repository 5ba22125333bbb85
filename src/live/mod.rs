//! Live recognition over a stream of frames: every face in the frame (up to five, largest
//! first) is followed by a track, each track keeps a quality-weighted template of its last
//! frames, and a name is given only when that fused template passes the 1:N threshold with
//! the same person leading for several frames in a row (see [`Track::decide`]). The window,
//! `lrfr watch` and `lrfr soak` run this; `identify` judges single images instead.

mod report;
mod seen;
mod session;
mod stream;
mod track;
mod tracker;

pub use report::{present, unix_now, Present, Report};
pub use seen::{Seen, SeenFace};
pub use session::{GalleryChange, Session, SessionError, Shown, SourceChoice, Stepped};
pub use stream::{Step, Stream};
pub use track::{Reason, SameFace, Track, Verdict};
pub use tracker::associate;

use crate::align::Landmarks;
use crate::detect::FaceBox;
use crate::enroll::laplacian_variance;
use crate::frame::Frame;
use crate::gallery::Gallery;
use crate::matching::{MatchResult, Path};
use crate::metrics::StageTimings;
use crate::models::Models;
use crate::pipeline::{Pipeline, PipelineError, Upscaler};
use crate::resolution::{ResChoice, Resolution};

#[derive(Debug, Clone, PartialEq)]
pub struct LiveConfig {
    /// Faces followed at once, the largest first.
    pub max_faces: usize,
    /// Frames a track may go unseen before it is lost; a face that comes back later is a new
    /// track.
    pub lost_after: u32,
    /// Below this Laplacian variance of the aligned face, a frame is too blurred to use.
    pub min_sharpness: f32,
    /// Above this nose offset from the eyes' midpoint (in inter-ocular distances), the face
    /// is turned too far to use.
    pub max_turn: f32,
    /// While every track is seen, both detectors look only around the tracks, and search
    /// the whole frame once in this many frames (and whenever a track is missed or there is
    /// none), so a new face is found within a third of a second at 30 frames/s. 1 searches
    /// every frame whole.
    pub full_scan_every: u32,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            max_faces: 5,
            lost_after: 10,
            min_sharpness: 15.0,
            max_turn: 0.6,
            full_scan_every: 10,
        }
    }
}

/// What changed this frame, for a door display or a home-automation message.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Named {
        track: u64,
        person: usize,
        score: f32,
    },
    Renamed {
        track: u64,
        from: usize,
        to: usize,
        score: f32,
    },
    /// A named track's evidence stayed under the threshold too long.
    Unnamed { track: u64, person: usize },
    /// A face stayed unknown as long as a name takes to confirm: a stranger is in view.
    /// `score` is its fused template's best match, if anyone is enrolled.
    Unknown { track: u64, score: Option<f32> },
    /// The face left; `person` is who it was named as, if anyone.
    Lost { track: u64, person: Option<usize> },
}

impl Event {
    pub fn track(&self) -> u64 {
        match *self {
            Event::Named { track, .. }
            | Event::Renamed { track, .. }
            | Event::Unnamed { track, .. }
            | Event::Unknown { track, .. }
            | Event::Lost { track, .. } => track,
        }
    }
}

pub struct LiveRecognizer {
    config: LiveConfig,
    tracks: Vec<Track>,
    next_id: u64,
    boxes: Vec<FaceBox>,
    /// The tracks' boxes before this frame, for matching (kept to reuse its memory).
    previous: Vec<FaceBox>,
    matched: Vec<bool>,
    scored: MatchResult,
    events: Vec<Event>,
    timings: StageTimings,
    /// Frames since the detector last searched the whole frame.
    since_full_scan: u32,
}

impl LiveRecognizer {
    pub fn new(config: LiveConfig) -> LiveRecognizer {
        LiveRecognizer {
            config,
            tracks: Vec::new(),
            next_id: 1,
            boxes: Vec::new(),
            previous: Vec::new(),
            matched: Vec::new(),
            scored: MatchResult::default(),
            events: Vec::new(),
            timings: StageTimings::default(),
            since_full_scan: 0,
        }
    }

    /// The faces being followed, largest first, including those not seen in the last frame
    /// (kept for a few frames in case they come back).
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// The faces seen in the last frame, largest first: what a display should draw.
    pub fn visible(&self) -> impl Iterator<Item = &Track> {
        self.tracks.iter().filter(|t| t.missed == 0)
    }

    /// The resolution `track` is recognised at, while it is followed.
    pub fn track_res(&self, track: u64) -> Option<Resolution> {
        self.tracks.iter().find(|t| t.id == track)?.res
    }

    /// What changed in the last [`LiveRecognizer::step`].
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The last frame's stage times, summed over its faces.
    pub fn timings(&self) -> &StageTimings {
        &self.timings
    }

    /// Forgets every track (a new source, another resolution).
    pub fn reset(&mut self) {
        self.tracks.clear();
        self.events.clear();
    }

    /// One frame: detect, follow, embed each face, fuse, decide. `threshold` overrides the
    /// manifest's 1:N threshold at a fixed resolution (at `auto` each face is decided at its
    /// own resolution's).
    pub fn step(
        &mut self,
        pipeline: &mut Pipeline,
        frame: &Frame,
        gallery: &Gallery,
        res: impl Into<ResChoice>,
        threshold: Option<f32>,
    ) -> Result<(), PipelineError> {
        let choice = res.into();
        let started = std::time::Instant::now();
        self.events.clear();
        self.timings = StageTimings::default();
        self.boxes.clear();
        self.previous.clear();
        self.previous.extend(self.tracks.iter().map(|t| t.face));
        let whole = self.tracks.is_empty()
            || self.tracks.iter().any(|t| t.missed > 0)
            || self.since_full_scan + 1 >= self.config.full_scan_every;
        let faces = if whole {
            self.since_full_scan = 0;
            pipeline.locator().detect_all(frame)?
        } else {
            self.since_full_scan += 1;
            pipeline.locator().detect_around(frame, &self.previous)?
        };
        self.boxes
            .extend(faces.iter().take(self.config.max_faces).copied());
        self.timings.detect = started.elapsed();
        let continues = associate(&self.previous, &self.boxes);
        self.matched.clear();
        self.matched.resize(self.tracks.len(), false);
        let models = pipeline.models();
        let context = Context {
            gallery,
            choice,
            thresholds: Resolution::ALL.map(|r| match (choice, threshold) {
                (ResChoice::Fixed(fixed), Some(t)) if fixed == r => t,
                _ => models.threshold(r),
            }),
            fingerprints: Resolution::ALL.map(|r| models.fingerprint(r).to_owned()),
        };
        for (face, continued) in self.boxes.iter().zip(continues) {
            let index = match continued {
                Some(index) => index,
                None => {
                    self.tracks.push(Track::new(self.next_id, *face));
                    self.matched.push(false);
                    self.next_id += 1;
                    self.tracks.len() - 1
                }
            };
            self.matched[index] = true;
            let track = &mut self.tracks[index];
            track.face = *face;
            track.missed = 0;
            observe(
                &self.config,
                &context,
                pipeline,
                frame,
                track,
                &mut self.scored,
                &mut self.timings,
            )?;
        }
        self.drop_lost();
        let clock = std::time::Instant::now();
        for (track, seen) in self.tracks.iter_mut().zip(&self.matched) {
            if !seen {
                continue;
            }
            let res = track.res.unwrap_or(Resolution::R16);
            let mut threshold = context.thresholds[res.index()];
            let best = if track.frames() > 0 {
                let fused = track.fused_both();
                threshold = identify(&mut self.scored, &context, pipeline.models(), res, fused);
                self.scored
                    .refuse(fused.0, |person| gallery.not_embeddings(person, res));
                track.top.clear();
                track
                    .top
                    .extend(self.scored.top.iter().map(|s| (s.person, s.score)));
                // A name the user said is wrong for this face is not the track's either.
                match self.scored.refused {
                    Some(_) => None,
                    None => self.scored.top.first().map(|s| (s.person, s.score)),
                }
            } else {
                None
            };
            track.decide(best, threshold);
            let (before, now) = track.report();
            if let Some(event) = change(track.id, before, now) {
                self.events.push(event);
            }
            if track.tell_unknown() {
                self.events.push(Event::Unknown {
                    track: track.id,
                    score: track.top.first().map(|&(_, score)| score),
                });
            }
        }
        self.timings.matching = clock.elapsed();
        self.tracks
            .sort_by(|a, b| b.face.side().total_cmp(&a.face.side()));
        self.timings.total = started.elapsed();
        Ok(())
    }

    /// Counts a missed frame for every track not seen in this one, and removes (reporting
    /// each) those unseen for too long.
    fn drop_lost(&mut self) {
        for (track, seen) in self.tracks.iter_mut().zip(&self.matched) {
            if !seen {
                track.missed += 1;
            }
        }
        let lost_after = self.config.lost_after;
        let events = &mut self.events;
        self.tracks.retain(|track| {
            if track.missed <= lost_after {
                return true;
            }
            // Who the listeners were last told it was (a face lost while held aside was
            // never reported unnamed).
            events.push(Event::Lost {
                track: track.id,
                person: track.reported_person(),
            });
            false
        });
        self.matched.clear();
        self.matched
            .extend(self.tracks.iter().map(|t| t.missed == 0));
    }
}

/// What a face is matched against.
struct Context<'a> {
    gallery: &'a Gallery,
    choice: ResChoice,
    /// Per resolution (see [`Resolution::index`]).
    thresholds: [f32; 3],
    /// The loaded models' fingerprint per resolution: only templates they made are matched.
    fingerprints: [String; 3],
}

/// A face's own size is measured anew each frame and wobbles; near a boundary a track keeps
/// the resolution it has until the size is this far past it, so its template is not started
/// over frame after frame.
const RES_HYSTERESIS: f32 = 0.1;

/// The resolution a track at `current` takes for a face `native` px of its own.
fn pick_res(current: Option<Resolution>, native: f32) -> Option<Resolution> {
    let fitting = Resolution::fitting(native);
    let Some(current) = current else {
        return fitting;
    };
    // Where `fitting` changes to `r`.
    let edge = |r: Resolution| r.px() as f32 * (1.0 - crate::resolution::NATIVE_TOLERANCE);
    match fitting {
        // Smaller: only once clearly under the current resolution's edge.
        Some(r) if r < current && native >= edge(current) * (1.0 - RES_HYSTERESIS) => Some(current),
        None if native >= edge(current) * (1.0 - RES_HYSTERESIS) => Some(current),
        // Larger: only once clearly over the next one's.
        Some(r) if r > current && native < edge(r) * (1.0 + RES_HYSTERESIS) => Some(current),
        other => other,
    }
}

/// How far under the 1:N threshold a frame of a named track may score for that person on its
/// own and still be taken for the same face. The 1:1 check against the track's template is
/// weak at 16 px, so this is most of what keeps a stranger who stepped into a member's place
/// from showing the member's name. Chosen on every validation stranger stepping into each
/// member's place (`checks/sequences.py --swap-strangers`, faces 16 px of their own): 0.15
/// let 18 of 2,430 stranger frames show the member's name, 0.10 lets 6 through and holds
/// aside 2 more of the members' own 203 frames; 0.05 held aside 10 more (docs/accuracy.md).
const NEAR_NAME: f32 = 0.10;

/// Embeds one face into its track, with whom the frame names on its own, unless it is too
/// small, blurred or turned to use.
fn observe(
    config: &LiveConfig,
    context: &Context<'_>,
    pipeline: &mut Pipeline,
    frame: &Frame,
    track: &mut Track,
    scored: &mut MatchResult,
    timings: &mut StageTimings,
) -> Result<(), PipelineError> {
    let side = track.face.side();
    let res = match context.choice {
        ResChoice::Fixed(res) => {
            if side < res.px() as f32 {
                track.latest_problem = Some(Reason::TooSmall);
                return Ok(());
            }
            pipeline.embed_face(frame, &track.face, res)?;
            Some(res)
        }
        ResChoice::Native => {
            let current = track.res;
            pipeline.embed_own_pixels_with(frame, &track.face, Upscaler::Dsr, |native| {
                pick_res(current, native)
            })?
        }
    };
    let output = pipeline.output();
    track.native = output.native;
    timings.align += output.timings.align;
    timings.dsr += output.timings.dsr;
    timings.edgeface += output.timings.edgeface;
    let Some(res) = res else {
        track.latest_problem = Some(Reason::TooSmall);
        return Ok(());
    };
    // A face's own pixels blown up to 112 are blurred by nature: sharpness says something
    // only about a face that had more pixels than its resolution needs.
    let judge_sharpness = !output.own_pixels;
    let problem = if output.landmarks.is_some_and(|l| turn(&l) > config.max_turn) {
        Some(Reason::Turned)
    } else if judge_sharpness && laplacian_variance(&output.aligned) < config.min_sharpness {
        Some(Reason::Blurred)
    } else {
        None
    };
    track.latest_problem = problem;
    if problem.is_none() {
        track.change_res(res);
        let models = pipeline.models();
        let same_face = SameFace {
            threshold: models.verify_threshold(res),
            second: models
                .second_path(res)
                .map(|path| (models.verify_threshold(path.res), path.verify_threshold)),
        };
        let output = pipeline.output();
        // Larger faces carry more of the person; a face at the model's input size counts
        // a quarter as much as one at the aligned crop's.
        let weight = (side / crate::align::FACE_SIZE as f32).clamp(0.25, 1.0);
        let second = match output.second {
            Some(_) => output.second_embedding.as_slice(),
            None => &[],
        };
        let embeddings = (output.embedding.as_slice(), second);
        identify(scored, context, pipeline.models(), res, embeddings);
        scored.refuse(&output.embedding, |person| {
            context.gallery.not_embeddings(person, res)
        });
        let vote = scored.accepted.map(|s| s.person);
        let near = scored.threshold - NEAR_NAME;
        let near_name = |person| {
            scored
                .top
                .iter()
                .any(|s| s.person == person && s.score >= near)
        };
        track.observe(embeddings, weight, (vote, near_name), same_face);
        track.vlr.clone_from(&output.vlr);
        track.upscaled.clone_from(&output.upscaled);
        track.aligned.clone_from(&output.aligned);
    }
    Ok(())
}

/// 1:N of a face made at `res` (a frame's, or a track's fused template): `first` and, where
/// it is not empty and the models give `res` a second path, `second` on both paths
/// ([`crate::matching::combine_paths`]). Returns the threshold the decision was made at.
fn identify(
    scored: &mut MatchResult,
    context: &Context<'_>,
    models: &Models,
    res: Resolution,
    (first, second): (&[f32], &[f32]),
) -> f32 {
    let people = |r: Resolution| {
        context
            .gallery
            .embeddings(r, &context.fingerprints[r.index()])
    };
    let path = models.second_path(res).filter(|_| !second.is_empty());
    let Some(entry) = path else {
        let threshold = context.thresholds[res.index()];
        scored.identify(first, people(res), threshold, models.cohort(res));
        return threshold;
    };
    scored.identify_two(
        Path {
            query: first,
            people: people(res),
            threshold: models.threshold(res),
            cohort: models.cohort(res),
        },
        Path {
            query: second,
            people: people(entry.res),
            threshold: models.threshold(entry.res),
            cohort: models.cohort(entry.res),
        },
        entry.threshold,
    );
    entry.threshold
}

/// How far the nose sits from the eyes' midpoint, in inter-ocular distances: about 0 for a
/// frontal face, 0.5 and more for a face turned well aside.
fn turn(landmarks: &Landmarks) -> f32 {
    let [left, right, nose, _, _] = landmarks.0;
    let middle = (left[0] + right[0]) / 2.0;
    (nose[0] - middle).abs() / landmarks.inter_ocular().max(1.0)
}

fn change(track: u64, before: Verdict, after: Verdict) -> Option<Event> {
    match (before, after) {
        (Verdict::Named { person: from, .. }, Verdict::Named { person: to, score })
            if from != to =>
        {
            Some(Event::Renamed {
                track,
                from,
                to,
                score,
            })
        }
        (Verdict::Named { .. }, Verdict::Named { .. }) => None,
        (_, Verdict::Named { person, score }) => Some(Event::Named {
            track,
            person,
            score,
        }),
        (Verdict::Named { person, .. }, _) => Some(Event::Unnamed { track, person }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_track_keeps_its_resolution_near_a_boundary() {
        use Resolution::*;
        // The edges are 12.8, 19.2 and 25.6 px (see `Resolution::fitting`).
        assert_eq!(pick_res(None, 19.0), Some(R16));
        assert_eq!(pick_res(None, 12.5), None);
        // Around 19.2 px of its own, give or take a pixel: a track at 16 stays at 16, one at
        // 24 at 24.
        assert_eq!(pick_res(Some(R16), 20.0), Some(R16));
        assert_eq!(pick_res(Some(R24), 18.5), Some(R24));
        // Clearly past the edge: it moves.
        assert_eq!(pick_res(Some(R16), 22.0), Some(R24));
        assert_eq!(pick_res(Some(R24), 17.0), Some(R16));
        assert_eq!(pick_res(Some(R16), 11.0), None);
        assert_eq!(pick_res(Some(R16), 40.0), Some(R32));
    }
}
