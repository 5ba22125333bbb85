//! A live recognition session: the pipeline, the gallery and one [`Stream`] (a source, the
//! live recogniser and per-stage statistics), with the user's choices (resolution, threshold,
//! identify or verify, the face shown). What the user changes in the gallery, enrollment
//! included, is in `edits.rs`. The window's worker thread is a shell around it (commands in,
//! snapshots out); it knows no window.

use std::path::PathBuf;

use super::{LiveConfig, Step, Stream, Track, Verdict};
use crate::config::Config;
use crate::detect::FaceBox;
use crate::enroll::{self, Capture, Progress, MIN_SAMPLES};
use crate::frame::Frame;
use crate::gallery::{Gallery, GalleryError};
use crate::metrics::StageStats;
use crate::pipeline::{MatchMode, Pipeline, PipelineError};
use crate::resolution::{ResChoice, Resolution};
use crate::source::{CameraMode, FrameSource, ImageFolderSource, SourceError, Webcam};

mod edits;

pub use edits::GalleryChange;

/// Frames the window's stage statistics cover: a few seconds.
const STATS_FRAMES: usize = 120;

/// Where the frames come from; the window remembers the last one between runs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum SourceChoice {
    /// `/dev/video{index}`, in a chosen mode or the default one.
    Camera {
        index: u32,
        mode: Option<CameraMode>,
    },
    Folder(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("{0}\nThe models folder is {1}; start with --models DIR to use another.{2}")]
    Models(Box<PipelineError>, PathBuf, String),
    #[error(transparent)]
    Gallery(#[from] GalleryError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Enroll(#[from] enroll::EnrollError),
    #[error("the models or the gallery are not loaded yet")]
    NotLoaded,
    #[error("no capture is running")]
    NoCapture,
    #[error("nothing is waiting to be enrolled")]
    NothingPending,
    /// The face the user marked is no longer shown with that name.
    #[error("no face named {0} is in view any more; nothing was marked")]
    NotInView(String),
    #[error(
        "{folder}: {found} usable face(s) in {images} image(s); at least {MIN_SAMPLES} are needed"
    )]
    TooFewFaces {
        folder: PathBuf,
        found: usize,
        images: usize,
    },
    /// Photos of two people: the files of the faces that differ from the rest.
    #[error("these photos look like two people")]
    SeveralPeople(Vec<PathBuf>),
}

/// What the session says about the face it shows (the selected track, or in verify mode
/// the frame's subject, `detect::subject`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shown {
    pub face: Option<FaceBox>,
    /// Best first: (gallery index, score).
    pub top: Vec<(usize, f32)>,
    pub accepted: Option<(usize, f32)>,
    pub cant_tell: Option<String>,
    /// The resolution the face went through (`None` before its first usable frame).
    pub res: Option<Resolution>,
    /// The face's own size, in pixels of its aligned crop (see `align::native_side`).
    pub native: f32,
}

/// What one step did besides recognising.
#[derive(Debug, Default)]
pub struct Stepped {
    /// The enrollment capture's progress, while one runs.
    pub enroll: Option<Progress>,
    /// A capture that just finished: what was enrolled, or why not.
    pub enrolled: Option<Result<GalleryChange, SessionError>>,
    /// Another lrfr changed the gallery, and it was opened again before this frame.
    pub gallery_reopened: bool,
}

pub struct Session {
    config: Config,
    pipeline: Option<Pipeline>,
    gallery: Option<Gallery>,
    /// `None` until a source opens.
    stream: Option<Stream>,
    res: ResChoice,
    threshold: Option<f32>,
    mode: MatchMode,
    selected: Option<u64>,
    capture: Option<Capture>,
    /// An enrollment held back because it looks like someone enrolled: name and faces.
    pending: Option<(String, Vec<Frame>)>,
    /// When gallery.json was last checked for another lrfr's change.
    gallery_checked: std::time::Instant,
}

impl Session {
    /// Nothing is loaded until [`Session::load`].
    pub fn new(config: Config, res: ResChoice) -> Session {
        Session {
            config,
            pipeline: None,
            gallery: None,
            stream: None,
            res,
            threshold: None,
            mode: MatchMode::Identify,
            selected: None,
            capture: None,
            pending: None,
            gallery_checked: std::time::Instant::now(),
        }
    }

    /// Loads the models (the starting resolution's optimised at once), then the gallery,
    /// recomputing templates made by other models. Returns a notice for the user, if any.
    pub fn load(&mut self) -> Result<Option<String>, SessionError> {
        let models_dir = self.config.models_dir.clone();
        let mut pipeline = Pipeline::new(&self.config)
            .and_then(|mut p| {
                p.models_mut()
                    .prepare(first_res(self.res))
                    .map(|()| p)
                    .map_err(Into::into)
            })
            .map_err(|e| {
                let searched = crate::config::models_not_found()
                    .map(|m| format!("\n{m}."))
                    .unwrap_or_default();
                SessionError::Models(Box::new(e), models_dir, searched)
            })?;
        let (mut gallery, notice) = Gallery::open(&self.config.gallery_dir)?;
        let left_out = enroll::refresh(&mut pipeline, &mut gallery).left_out();
        self.pipeline = Some(pipeline);
        self.gallery = Some(gallery);
        Ok(notice.or(left_out))
    }

    /// Opens the gallery again after another lrfr changed it; every track starts over, since
    /// tracks hold names and gallery positions from before.
    fn reopen_gallery(&mut self) -> Result<(), SessionError> {
        let Some(pipeline) = self.pipeline.as_mut() else {
            return Ok(());
        };
        let (mut gallery, _) = Gallery::open(&self.config.gallery_dir)?;
        if let Some(left_out) = enroll::refresh(pipeline, &mut gallery).left_out() {
            tracing::warn!("{left_out}");
        }
        if let MatchMode::Verify(id) = &self.mode {
            if gallery.find_id(id).is_none() {
                self.mode = MatchMode::Identify;
            }
        }
        self.gallery = Some(gallery);
        self.reset_tracks();
        Ok(())
    }

    /// Forgets every face followed: after a change to the gallery (tracks hold names and
    /// gallery positions), the resolution or the mode.
    fn reset_tracks(&mut self) {
        if let Some(stream) = self.stream.as_mut() {
            stream.reset();
        }
    }

    pub fn pipeline(&self) -> Option<&Pipeline> {
        self.pipeline.as_ref()
    }

    pub fn gallery(&self) -> Option<&Gallery> {
        self.gallery.as_ref()
    }

    /// Replaces the source; returns its description.
    pub fn open_source(&mut self, choice: &SourceChoice) -> Result<String, SourceError> {
        self.stream = None;
        let source: Box<dyn FrameSource> = match choice {
            SourceChoice::Camera { index, mode } => Box::new(Webcam::open(*index, *mode)?),
            SourceChoice::Folder(dir) => Box::new(ImageFolderSource::paced(
                dir,
                self.config.folder_pace,
                true,
            )?),
        };
        let name = source.describe();
        self.stream = Some(Stream::new(source, LiveConfig::default()).with_stats_of(STATS_FRAMES));
        Ok(name)
    }

    /// Whether there is a source, models and a gallery to step with.
    pub fn ready(&self) -> bool {
        self.stream.is_some() && self.pipeline.is_some() && self.gallery.is_some()
    }

    pub fn set_resolution(&mut self, res: ResChoice) {
        self.res = res;
        self.threshold = None;
        // Templates fused at another resolution say nothing about this one.
        self.reset_tracks();
    }

    pub fn set_threshold(&mut self, threshold: Option<f32>) {
        self.threshold = threshold;
    }

    pub fn set_mode(&mut self, mode: MatchMode) {
        self.mode = mode;
        self.reset_tracks();
    }

    /// Shows this track in the face and match panels (`None`: the largest face).
    pub fn select(&mut self, track: Option<u64>) {
        self.selected = track;
    }

    pub fn res(&self) -> ResChoice {
        self.res
    }

    pub fn mode(&self) -> &MatchMode {
        &self.mode
    }

    /// The frame last recognised (empty before the first); `None` without a source.
    pub fn frame(&self) -> Option<&Frame> {
        self.stream.as_ref().map(Stream::frame)
    }

    /// The faces seen in the last frame, largest first.
    pub fn visible(&self) -> impl Iterator<Item = &Track> {
        self.stream.iter().flat_map(|s| s.live().visible())
    }

    /// The stream's stage statistics; `None` without a source.
    pub fn stats(&mut self) -> Option<&mut StageStats> {
        self.stream.as_mut().map(Stream::stats)
    }

    /// The threshold in force: the user's, else the manifest's for the mode (0 before the
    /// models are loaded). At `auto` each face is decided at its own resolution's (a face of
    /// 16 px of its own at the two paths'): this is the shown face's (32 px before there is
    /// one).
    pub fn threshold(&self) -> f32 {
        let (res, own_pixels) = match self.res {
            ResChoice::Fixed(res) => (res, false),
            ResChoice::Native => (self.shown().0.res.unwrap_or(Resolution::R32), true),
        };
        self.threshold.unwrap_or_else(|| {
            self.pipeline
                .as_ref()
                .map_or(0.0, |p| p.decided_at(res, &self.mode, own_pixels))
        })
    }

    /// One frame: take the newest, recognise, feed a running enrollment capture. Once a
    /// second, a gallery changed by another lrfr is opened again first.
    pub fn step(&mut self) -> Result<Stepped, SessionError> {
        let mut reopened = false;
        if self.gallery_checked.elapsed() >= crate::gallery::CHANGE_CHECK {
            self.gallery_checked = std::time::Instant::now();
            if self
                .gallery
                .as_ref()
                .is_some_and(Gallery::changed_elsewhere)
            {
                self.reopen_gallery()?;
                reopened = true;
            }
        }
        let (Some(stream), Some(pipeline), Some(gallery)) = (
            self.stream.as_mut(),
            self.pipeline.as_mut(),
            self.gallery.as_ref(),
        ) else {
            return Ok(Stepped::default());
        };
        match stream.step(pipeline, gallery, self.res, self.threshold, &self.mode)? {
            Step::Recognised => {}
            Step::Missed(e) => return Err(e.into()),
            // A folder played in a loop has no end; a source that ends anyway says so.
            Step::Ended => return Err(SourceError::Exhausted.into()),
        }
        let faces_found = pipeline.locator().faces_found();
        let mut stepped = Stepped {
            gallery_reopened: reopened,
            ..Stepped::default()
        };
        if let Some(capture) = self.capture.as_mut() {
            let output = pipeline.output();
            let side = output.face.map(|f| f.side()).unwrap_or(0.0);
            stepped.enroll = Some(capture.offer(faces_found, side, &output.aligned));
            if capture.is_done() {
                stepped.enrolled = Some(self.finish_capture());
            }
        }
        Ok(stepped)
    }

    /// The subject's output of the last verify-mode frame, or what was last embedded.
    pub fn output(&self) -> Option<&crate::pipeline::FrameOutput> {
        self.pipeline.as_ref().map(Pipeline::output)
    }

    /// What to show for the selected (else the largest) face, and its VLR and upscaled
    /// images.
    pub fn shown(&self) -> (Shown, Option<(&Frame, &Frame)>) {
        match &self.mode {
            MatchMode::Identify => {
                let Some(track) = self
                    .shown_track()
                    .and_then(|id| self.visible().find(|t| t.id == id))
                else {
                    return (Shown::default(), None);
                };
                let shown = Shown {
                    face: Some(track.face),
                    top: track.top.clone(),
                    accepted: match track.verdict {
                        Verdict::Named { person, score } => Some((person, score)),
                        _ => None,
                    },
                    cant_tell: match track.verdict {
                        Verdict::CantTell(reason) => Some(reason.to_string()),
                        _ => None,
                    },
                    res: track.res,
                    native: track.native,
                };
                (shown, Some((&track.vlr, &track.upscaled)))
            }
            MatchMode::Verify(_) => {
                let Some(output) = self.output() else {
                    return (Shown::default(), None);
                };
                let shown = Shown {
                    face: output.face,
                    top: output
                        .matched
                        .top
                        .iter()
                        .map(|s| (s.person, s.score))
                        .collect(),
                    accepted: output.matched.accepted.map(|s| (s.person, s.score)),
                    cant_tell: output.too_small.then(|| "face too small".to_string()),
                    res: (!output.too_small).then_some(output.res),
                    native: output.native,
                };
                (shown, Some((&output.vlr, &output.upscaled)))
            }
        }
    }

    /// The id of the track [`Session::shown`] shows, in identify mode.
    pub fn shown_track(&self) -> Option<u64> {
        self.visible()
            .find(|t| Some(t.id) == self.selected)
            .or(self.visible().next())
            .map(|t| t.id)
    }
}

/// The resolution whose networks are optimised as the models load: at `auto` a person in
/// front of the webcam has 32 px of their own; the others are optimised on first use.
fn first_res(choice: ResChoice) -> Resolution {
    match choice {
        ResChoice::Fixed(res) => res,
        ResChoice::Native => Resolution::R32,
    }
}
