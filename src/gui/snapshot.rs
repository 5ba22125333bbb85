//! What the worker tells the window after each frame. Buffers are reused between frames.

use std::collections::VecDeque;

use lrfr::detect::FaceBox;
use lrfr::frame::Frame;
use lrfr::gallery::Gallery;
use lrfr::live::{Session, SourceChoice, Stepped, Track, Verdict};
use lrfr::metrics::{MemorySnapshot, Summary};
use lrfr::pipeline::MatchMode;
use lrfr::source::CameraList;
use lrfr::{ResChoice, Resolution};

use super::command::Edit;

/// Seconds of history the metric plots show, one point a second.
pub const HISTORY: usize = 60;

/// A one-off message (enrolled, removed, gallery set aside, …), and the edit that takes back
/// what it reports where there is one (the window's "undo" beside it).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub undo: Option<Edit>,
}

impl From<String> for Notice {
    fn from(text: String) -> Notice {
        Notice { text, undo: None }
    }
}

impl From<&str> for Notice {
    fn from(text: &str) -> Notice {
        text.to_string().into()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    LoadingModels,
    Running,
    /// Something the user must act on, with what to do.
    Problem(String),
}

#[derive(Debug, Clone)]
pub struct PersonSummary {
    pub name: String,
    /// The gallery's id for them: what verify mode holds on to.
    pub id: String,
    pub samples: u32,
    pub thumbnail: Frame,
    /// The faces marked as not them, oldest first: each can be taken back from the gallery
    /// panel long after the notice that offered "undo" has faded.
    pub marks: Vec<Mark>,
}

/// One face marked as not a person: `face` names it to `Session::unmark`, `crop` shows it.
#[derive(Debug, Clone)]
pub struct Mark {
    pub face: String,
    pub crop: Frame,
}

impl PersonSummary {
    /// Everyone in `gallery`, with their first enrolled face as the picture and their marks.
    /// Where their crops cannot be read the marks show as blank tiles, and can still be taken back.
    pub fn everyone(gallery: &Gallery) -> Vec<PersonSummary> {
        gallery
            .people()
            .iter()
            .enumerate()
            .map(|(i, p)| PersonSummary {
                name: p.name.clone(),
                id: p.id.clone(),
                samples: p.samples,
                thumbnail: gallery
                    .faces(i)
                    .ok()
                    .and_then(|f| f.into_iter().next())
                    .unwrap_or_else(|| Frame::new(1, 1)),
                marks: marks(gallery, i),
            })
            .collect()
    }
}

fn marks(gallery: &Gallery, index: usize) -> Vec<Mark> {
    let crops = gallery.not_faces(index).unwrap_or_default();
    gallery.people()[index]
        .not
        .iter()
        .enumerate()
        .map(|(i, not)| Mark {
            face: not.face.clone(),
            crop: crops.get(i).cloned().unwrap_or_else(|| Frame::new(1, 1)),
        })
        .collect()
}

/// Frames per second as the window sees them, waits included, smoothed over about ten
/// frames.
#[derive(Debug, Default)]
pub struct FrameRate {
    last: Option<std::time::Instant>,
    fps: f32,
}

impl FrameRate {
    /// A frame was shown now: the smoothed rate.
    pub fn tick(&mut self) -> f32 {
        let now = std::time::Instant::now();
        if let Some(last) = self.last {
            let instant = 1.0 / (now - last).as_secs_f32().max(1e-3);
            self.fps = if self.fps == 0.0 {
                instant
            } else {
                0.9 * self.fps + 0.1 * instant
            };
        }
        self.last = Some(now);
        self.fps
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnrollProgress {
    pub name: String,
    pub accepted: usize,
    pub target: usize,
    /// Why the last frame did not count, if it did not.
    pub rejection: Option<String>,
}

/// What the window says about one tracked face.
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    /// Gallery index and fused score.
    Named(usize, f32),
    Unknown,
    /// Why not: too small for the resolution, blurred, turned away, not seen long enough.
    CantTell(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrackSummary {
    pub id: u64,
    pub face: FaceBox,
    pub label: Label,
}

impl TrackSummary {
    /// What the window shows of a track.
    pub fn of(track: &Track) -> TrackSummary {
        TrackSummary {
            id: track.id,
            face: track.face,
            label: match track.verdict {
                Verdict::Named { person, score } => Label::Named(person, score),
                Verdict::Unknown => Label::Unknown,
                Verdict::CantTell(reason) => Label::CantTell(reason.to_string()),
            },
        }
    }
}

pub struct Snapshot {
    /// Bumped whenever a new frame's results are in, so the window updates textures only then.
    pub frame_seq: u64,
    /// Bumped whenever the gallery changes.
    pub gallery_seq: u64,
    pub status: Status,
    pub notice: Option<Notice>,
    pub source: String,
    /// The source in use, as chosen: what the window remembers for the next run.
    pub source_choice: Option<SourceChoice>,
    /// The picker's list of cameras, once asked for.
    pub cameras: Option<CameraList>,
    /// Set while the source fails (camera unplugged), cleared by its next frame.
    pub source_problem: Option<String>,
    pub paused: bool,
    pub frame: Frame,
    /// Every face followed, largest first.
    pub tracks: Vec<TrackSummary>,
    /// The track the face and match panels show (the user's choice, else the largest).
    pub selected: Option<u64>,
    /// The shown face's box (the selected track's, or in verify mode the frame's subject's).
    pub face: Option<FaceBox>,
    pub faces_found: usize,
    pub vlr: Frame,
    pub upscaled: Frame,
    /// The resolution chosen: `auto` or a fixed one.
    pub res: ResChoice,
    /// The resolution the shown face went through, and its own size (see `Shown`).
    pub face_res: Option<Resolution>,
    pub native: f32,
    pub threshold: f32,
    pub mode: MatchMode,
    /// Best first: (gallery index, score).
    pub top: Vec<(usize, f32)>,
    pub accepted: Option<(usize, f32)>,
    /// Why the shown face cannot be told, if it cannot.
    pub cant_tell: Option<String>,
    pub people: Vec<PersonSummary>,
    pub enroll: Option<EnrollProgress>,
    /// The name of an enrollment held back because it looks like someone enrolled.
    pub pending_enroll: Option<String>,
    /// detect, align, dsr, edgeface, match, total.
    pub stages: [Summary; 6],
    pub fps: f32,
    pub memory: MemorySnapshot,
    pub rss_history_mb: VecDeque<f32>,
    pub latency_history_ms: VecDeque<f32>,
    pub model_files: Vec<(String, u64)>,
}

impl Snapshot {
    /// Takes in one recognised frame: the picture, every face followed, what the face and
    /// match panels show, the stage statistics and a running enrollment's progress.
    pub fn update(&mut self, session: &mut Session, stepped: &Stepped, fps: f32) {
        if let Some(stats) = session.stats() {
            self.stages = stats.summaries();
        }
        let (shown, images) = session.shown();
        let faces_found = session.output().map_or(0, |o| o.faces_found);
        self.frame_seq += 1;
        self.source_problem = None;
        if let Some(frame) = session.frame() {
            self.frame.clone_from(frame);
        }
        self.tracks.clear();
        if matches!(session.mode(), MatchMode::Identify) {
            self.tracks.extend(session.visible().map(TrackSummary::of));
            self.selected = session.shown_track();
            self.faces_found = self.tracks.len();
        } else {
            self.selected = None;
            self.faces_found = faces_found;
        }
        if let Some((vlr, upscaled)) = images {
            self.vlr.clone_from(vlr);
            self.upscaled.clone_from(upscaled);
        }
        self.face = shown.face;
        self.top = shown.top;
        self.accepted = shown.accepted;
        self.cant_tell = shown.cant_tell;
        self.res = session.res();
        self.face_res = shown.res;
        self.native = shown.native;
        self.threshold = session.threshold();
        self.mode.clone_from(session.mode());
        self.fps = fps;
        if let Some(progress) = &stepped.enroll {
            self.enroll = Some(EnrollProgress {
                name: progress.name.clone(),
                accepted: progress.accepted,
                target: progress.target,
                rejection: progress.rejection.clone(),
            });
        }
    }

    pub fn new(res: ResChoice) -> Snapshot {
        Snapshot {
            frame_seq: 0,
            gallery_seq: 0,
            status: Status::LoadingModels,
            notice: None,
            source: String::new(),
            source_choice: None,
            cameras: None,
            source_problem: None,
            paused: false,
            frame: Frame::new(0, 0),
            tracks: Vec::new(),
            selected: None,
            face: None,
            faces_found: 0,
            vlr: Frame::new(0, 0),
            upscaled: Frame::new(0, 0),
            res,
            face_res: None,
            native: 0.0,
            threshold: 0.0,
            mode: MatchMode::Identify,
            top: Vec::new(),
            accepted: None,
            cant_tell: None,
            people: Vec::new(),
            enroll: None,
            pending_enroll: None,
            stages: [Summary::default(); 6],
            fps: 0.0,
            memory: MemorySnapshot::default(),
            rss_history_mb: VecDeque::with_capacity(HISTORY),
            latency_history_ms: VecDeque::with_capacity(HISTORY),
            model_files: Vec::new(),
        }
    }

    /// The name of the person with gallery id `id`.
    pub fn name_of_id(&self, id: &str) -> &str {
        self.people
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.as_str())
            .unwrap_or("?")
    }

    pub fn name(&self, person: usize) -> &str {
        self.people
            .get(person)
            .map(|p| p.name.as_str())
            .unwrap_or("?")
    }
}

/// Appends to a fixed-length history, dropping the oldest point.
pub fn push_history(history: &mut VecDeque<f32>, value: f32) {
    if history.len() == HISTORY {
        history.pop_front();
    }
    history.push_back(value);
}
