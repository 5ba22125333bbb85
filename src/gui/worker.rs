//! The inference worker: one thread that owns the frame source, the pipeline and the gallery.
//! It takes a frame only when it is free (sources keep just the newest one, so stale frames are
//! dropped), runs the pipeline, and publishes a [`Snapshot`] for the window.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lrfr::enroll::{self, QualityGate, MIN_SAMPLES};
use lrfr::gallery::Gallery;
use lrfr::live::{LiveConfig, LiveRecognizer, Track, Verdict};
use lrfr::metrics::{LatencyWindow, MemoryProbe};
use lrfr::pipeline::{MatchMode, Pipeline};
use lrfr::source::{
    decode_file, list_images, Frame, FrameSource, ImageFolderSource, SourceError, Webcam,
};
use lrfr::{Config, Resolution};

use super::snapshot::{
    push_history, EnrollProgress, Label, PersonSummary, Snapshot, Status, TrackSummary,
};

/// Frames per second a folder source plays at, like a webcam would.
const FOLDER_FPS: f32 = 15.0;
const LATENCY_WINDOW: usize = 120;
/// Enrollment sample counts the window allows.
pub const SAMPLES_RANGE: std::ops::RangeInclusive<usize> = 3..=100;

#[derive(Debug, Clone, PartialEq)]
pub enum SourceChoice {
    Camera(u32),
    Folder(PathBuf),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    SetResolution(Resolution),
    /// Show this track in the face and match panels (`None`: the largest face).
    Select(Option<u64>),
    /// `None` goes back to the manifest's threshold for the resolution.
    SetThreshold(Option<f32>),
    SetMode(MatchMode),
    SetPaused(bool),
    UseSource(SourceChoice),
    StartEnroll {
        name: String,
        samples: usize,
    },
    CancelEnroll,
    EnrollFromFolder {
        name: String,
        folder: PathBuf,
    },
    Rename {
        old: String,
        new: String,
    },
    Remove(String),
    /// Everyone to one passphrase-encrypted file.
    Export {
        file: PathBuf,
        passphrase: String,
    },
    /// The people of an exported file, added all or none.
    Import {
        file: PathBuf,
        passphrase: String,
    },
}

/// How long closing the window waits for the worker to finish its frame; past that the
/// worker (perhaps waiting on a camera that stopped) is left to end with the process.
const STOP_TIMEOUT: Duration = Duration::from_millis(300);

pub struct Worker {
    /// Unbounded: commands are a user's clicks, few and small, and none may be lost.
    commands: Option<Sender<Command>>,
    shared: Arc<Mutex<Snapshot>>,
    thread: Option<JoinHandle<()>>,
    /// Disconnected when the worker thread has returned.
    finished: Receiver<()>,
}

impl Worker {
    pub fn spawn(
        ctx: egui::Context,
        config: Config,
        source: SourceChoice,
        res: Resolution,
    ) -> Worker {
        let shared = Arc::new(Mutex::new(Snapshot::new(res)));
        let (commands, inbox) = mpsc::channel();
        let (finished_tx, finished) = mpsc::channel::<()>();
        let spawned = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("inference".into())
                .spawn(move || {
                    let _finished = finished_tx;
                    State::start(ctx, config, shared, inbox, source, res).run()
                })
        };
        let worker = Worker {
            commands: Some(commands),
            shared,
            thread: spawned.ok(),
            finished,
        };
        if worker.thread.is_none() {
            worker.report_dead("the inference thread could not be started");
        }
        worker
    }

    /// Sends a command; if the worker is gone the window says so instead of losing it.
    pub fn send(&self, command: Command) {
        let sent = self
            .commands
            .as_ref()
            .is_some_and(|c| c.send(command).is_ok());
        if !sent {
            self.report_dead("the inference worker has stopped");
        }
    }

    fn report_dead(&self, what: &str) {
        self.snapshot().status = Status::Problem(format!(
            "{what}, so the window can no longer act on what you ask. Restart lrfr; if it \
             happens again, run it from a terminal and report what it prints."
        ));
    }

    pub fn snapshot(&self) -> MutexGuard<'_, Snapshot> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel tells the worker to stop.
        self.commands = None;
        let Some(thread) = self.thread.take() else {
            return;
        };
        match self.finished.recv_timeout(STOP_TIMEOUT) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                let _ = thread.join();
            }
            Err(RecvTimeoutError::Timeout) => drop(thread),
        }
    }
}

struct Enrolling {
    name: String,
    target: usize,
    faces: Vec<Frame>,
}

struct State {
    ctx: egui::Context,
    config: Config,
    shared: Arc<Mutex<Snapshot>>,
    inbox: Receiver<Command>,
    pipeline: Option<Pipeline>,
    gallery: Option<Gallery>,
    source: Option<Box<dyn FrameSource>>,
    frame: Frame,
    res: Resolution,
    threshold: Option<f32>,
    mode: MatchMode,
    live: LiveRecognizer,
    selected: Option<u64>,
    paused: bool,
    enrolling: Option<Enrolling>,
    gate: QualityGate,
    stages: Vec<LatencyWindow>,
    memory: MemoryProbe,
    last_metrics: Instant,
    last_frame: Option<Instant>,
    fps: f32,
}

impl State {
    fn start(
        ctx: egui::Context,
        config: Config,
        shared: Arc<Mutex<Snapshot>>,
        inbox: Receiver<Command>,
        source: SourceChoice,
        res: Resolution,
    ) -> State {
        let mut state = State {
            ctx,
            config,
            shared,
            inbox,
            pipeline: None,
            gallery: None,
            source: None,
            frame: Frame::new(0, 0),
            res,
            threshold: None,
            mode: MatchMode::Identify,
            live: LiveRecognizer::new(LiveConfig::default()),
            selected: None,
            paused: false,
            enrolling: None,
            gate: QualityGate::default(),
            stages: (0..6).map(|_| LatencyWindow::new(LATENCY_WINDOW)).collect(),
            memory: MemoryProbe::new(),
            last_metrics: Instant::now(),
            last_frame: None,
            fps: 0.0,
        };
        state.load();
        state.open_source(source);
        state
    }

    fn load(&mut self) {
        match Pipeline::new(&self.config).and_then(|mut pipeline| {
            pipeline.models_mut().prepare(self.res)?;
            Ok(pipeline)
        }) {
            Ok(pipeline) => {
                let files = pipeline.models().files();
                self.pipeline = Some(pipeline);
                self.publish(|s| {
                    s.status = Status::Running;
                    s.model_files = files;
                });
            }
            Err(e) => {
                let message = format!(
                    "{e}\nThe models folder is {}; start with --models DIR to use another.",
                    self.config.models_dir.display()
                );
                self.publish(|s| s.status = Status::Problem(message));
                return;
            }
        }
        match Gallery::open(&self.config.gallery_dir) {
            Ok((mut gallery, notice)) => {
                let refreshed = self
                    .pipeline
                    .as_mut()
                    .and_then(|p| enroll::refresh(p, &mut gallery).left_out());
                self.gallery = Some(gallery);
                self.publish_gallery(notice.or(refreshed));
            }
            Err(e) => {
                let message = format!("{e}");
                self.publish(|s| s.status = Status::Problem(message));
            }
        }
    }

    fn open_source(&mut self, choice: SourceChoice) {
        self.source = None;
        let opened: Result<Box<dyn FrameSource>, SourceError> = match &choice {
            SourceChoice::Camera(index) => {
                Webcam::open(*index).map(|c| Box::new(c) as Box<dyn FrameSource>)
            }
            SourceChoice::Folder(dir) => ImageFolderSource::open(dir, Some(FOLDER_FPS), true)
                .map(|f| Box::new(f) as Box<dyn FrameSource>),
        };
        match opened {
            Ok(source) => {
                let name = source.describe();
                self.source = Some(source);
                // A new source fixes a camera problem, not a model or gallery one.
                let ready = self.pipeline.is_some() && self.gallery.is_some();
                self.publish(|s| {
                    s.source = name;
                    if ready && matches!(s.status, Status::Problem(_)) {
                        s.status = Status::Running;
                    }
                });
            }
            Err(e) => {
                let message = e.to_string();
                self.publish(|s| {
                    s.source = String::from("none");
                    if s.status != Status::LoadingModels {
                        s.status = Status::Problem(message);
                    }
                });
            }
        }
    }

    fn run(mut self) {
        loop {
            loop {
                match self.inbox.try_recv() {
                    Ok(command) => self.handle(command),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return,
                }
            }
            if self.paused
                || self.source.is_none()
                || self.pipeline.is_none()
                || self.gallery.is_none()
            {
                self.tick_metrics();
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            self.step();
            self.tick_metrics();
        }
    }

    fn step(&mut self) {
        let (Some(source), Some(pipeline), Some(gallery)) = (
            self.source.as_mut(),
            self.pipeline.as_mut(),
            self.gallery.as_ref(),
        ) else {
            return;
        };
        if let Err(e) = source.latest_frame(&mut self.frame) {
            let message = e.to_string();
            self.publish(|s| s.source_problem = Some(message));
            std::thread::sleep(Duration::from_millis(100));
            return;
        }
        // Identification follows every face over frames; verification checks the largest
        // face of each frame against one person.
        let ran = match &self.mode {
            MatchMode::Identify => self
                .live
                .step(pipeline, &self.frame, gallery, self.res, self.threshold)
                .map(|()| *self.live.timings()),
            MatchMode::Verify(_) => pipeline
                .process(&self.frame, self.res, gallery, &self.mode, self.threshold)
                .map(|output| output.timings),
        };
        let timings = match ran {
            Ok(timings) => timings,
            Err(e) => {
                let message = e.to_string();
                self.publish(|s| s.status = Status::Problem(message));
                return;
            }
        };
        let faces_found = pipeline.locator().faces_found();
        for (window, stage) in self.stages.iter_mut().zip(timings.as_array()) {
            if faces_found > 0 || window.is_empty() {
                window.push(stage);
            }
        }
        let now = Instant::now();
        if let Some(last) = self.last_frame {
            let instant = 1.0 / (now - last).as_secs_f32().max(1e-3);
            self.fps = if self.fps == 0.0 {
                instant
            } else {
                0.9 * self.fps + 0.1 * instant
            };
        }
        self.last_frame = Some(now);
        let output = pipeline.output();
        let enroll_update = self.enrolling.as_mut().map(|job| {
            let side = output.face.map(|f| f.side()).unwrap_or(0.0);
            let verdict = self
                .gate
                .check(faces_found, side, &output.aligned, job.faces.last());
            if verdict.is_ok() {
                job.faces.push(output.aligned.clone());
            }
            EnrollProgress {
                name: job.name.clone(),
                accepted: job.faces.len(),
                target: job.target,
                rejection: verdict.err().map(|r| r.to_string()),
            }
        });
        let threshold = self.threshold.unwrap_or_else(|| match self.mode {
            MatchMode::Identify => pipeline.models().threshold(self.res),
            MatchMode::Verify(_) => pipeline.models().verify_threshold(self.res),
        });
        let stages: Vec<_> = self.stages.iter_mut().map(|w| w.summary()).collect();
        let fps = self.fps;
        let frame = &self.frame;
        let mut shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        shared.frame_seq += 1;
        shared.source_problem = None;
        shared.frame.clone_from(frame);
        shared.faces_found = faces_found;
        shared.res = self.res;
        shared.threshold = threshold;
        shared.mode.clone_from(&self.mode);
        shared.top.clear();
        shared.tracks.clear();
        match self.mode {
            MatchMode::Identify => {
                let tracks = self.live.tracks();
                shared.tracks.extend(tracks.iter().map(summary));
                let shown = tracks
                    .iter()
                    .find(|t| Some(t.id) == self.selected)
                    .or(tracks.first());
                shared.selected = shown.map(|t| t.id);
                shared.face = shown.map(|t| t.face);
                if let Some(track) = shown {
                    shared.vlr.clone_from(&track.vlr);
                    shared.upscaled.clone_from(&track.upscaled);
                    shared.top.extend_from_slice(&track.top);
                }
                let label = shown.map(|t| summary(t).label);
                shared.accepted = match label {
                    Some(Label::Named(person, score)) => Some((person, score)),
                    _ => None,
                };
                shared.cant_tell = match label {
                    Some(Label::CantTell(why)) => Some(why),
                    _ => None,
                };
            }
            MatchMode::Verify(_) => {
                shared.selected = None;
                shared.face = output.face;
                shared.vlr.clone_from(&output.vlr);
                shared.upscaled.clone_from(&output.upscaled);
                shared
                    .top
                    .extend(output.matched.top.iter().map(|s| (s.person, s.score)));
                shared.accepted = output.matched.accepted.map(|s| (s.person, s.score));
                shared.cant_tell = None;
            }
        }
        shared.fps = fps;
        for (slot, summary) in shared.stages.iter_mut().zip(stages) {
            *slot = summary;
        }
        if enroll_update.is_some() {
            shared.enroll = enroll_update;
        }
        drop(shared);
        self.ctx.request_repaint();
        if self
            .enrolling
            .as_ref()
            .is_some_and(|job| job.faces.len() >= job.target)
        {
            self.finish_enroll();
        }
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::SetResolution(res) => {
                self.res = res;
                self.threshold = None;
                // Templates fused at another resolution say nothing about this one.
                self.live.reset();
            }
            Command::SetThreshold(threshold) => self.threshold = threshold,
            Command::SetMode(mode) => {
                self.mode = mode;
                self.live.reset();
            }
            Command::Select(track) => self.selected = track,
            Command::SetPaused(paused) => {
                self.paused = paused;
                self.publish(|s| s.paused = paused);
            }
            Command::UseSource(choice) => {
                self.live.reset();
                self.open_source(choice);
            }
            Command::StartEnroll { name, samples } => self.start_enroll(name, samples),
            Command::CancelEnroll => {
                self.enrolling = None;
                self.publish(|s| {
                    s.enroll = None;
                    s.notice = Some("enrollment cancelled; nothing was saved".into());
                });
            }
            Command::EnrollFromFolder { name, folder } => self.enroll_from_folder(&name, &folder),
            Command::Rename { old, new } => {
                let result = self.gallery.as_mut().map(|g| g.rename(&old, &new));
                self.after_gallery_change(result, format!("renamed {old} to {}", new.trim()));
            }
            Command::Remove(name) => {
                let result = self.gallery.as_mut().map(|g| g.remove(&name).map(|_| ()));
                self.after_gallery_change(result, format!("removed {name}"));
            }
            Command::Export { file, passphrase } => {
                let result = self
                    .gallery
                    .as_ref()
                    .map(|g| lrfr::gallery::export(g, &passphrase, &file));
                let message = match result {
                    Some(Ok(count)) => format!("exported {count} people to {}", file.display()),
                    Some(Err(e)) => e.to_string(),
                    None => "the gallery is not open".into(),
                };
                self.publish(|s| s.notice = Some(message));
            }
            Command::Import { file, passphrase } => self.import(&file, &passphrase),
        }
    }

    fn start_enroll(&mut self, name: String, samples: usize) {
        let admitted = match self.gallery.as_ref() {
            Some(gallery) => gallery.admit(&name).map_err(|e| e.to_string()),
            None => Err("the gallery is not open".to_string()),
        };
        match admitted {
            Ok(name) => {
                let target = samples.clamp(*SAMPLES_RANGE.start(), *SAMPLES_RANGE.end());
                self.publish(|s| {
                    s.enroll = Some(EnrollProgress {
                        name: name.clone(),
                        accepted: 0,
                        target,
                        rejection: None,
                    });
                });
                self.enrolling = Some(Enrolling {
                    name,
                    target,
                    faces: Vec::with_capacity(target),
                });
            }
            Err(message) => self.publish(|s| s.notice = Some(message)),
        }
    }

    fn finish_enroll(&mut self) {
        let Some(job) = self.enrolling.take() else {
            return;
        };
        let result = match (self.pipeline.as_mut(), self.gallery.as_mut()) {
            (Some(pipeline), Some(gallery)) => {
                enroll::enroll(pipeline, gallery, &job.name, &job.faces).map_err(|e| e.to_string())
            }
            _ => Err("models or gallery not loaded".into()),
        };
        self.publish(|s| s.enroll = None);
        match result {
            Ok(()) => self.publish_gallery(Some(format!(
                "enrolled {} from {} samples",
                job.name,
                job.faces.len()
            ))),
            Err(message) => self.publish(|s| s.notice = Some(message)),
        }
    }

    fn enroll_from_folder(&mut self, name: &str, folder: &std::path::Path) {
        let (Some(pipeline), Some(gallery)) = (self.pipeline.as_mut(), self.gallery.as_mut())
        else {
            return;
        };
        let mut faces = Vec::new();
        let mut skipped = 0;
        let files = list_images(folder).unwrap_or_default();
        for path in &files {
            match decode_file(path).ok().and_then(|frame| {
                pipeline
                    .align(&frame)
                    .ok()
                    .flatten()
                    .map(|o| o.aligned.clone())
            }) {
                Some(face) => faces.push(face),
                None => skipped += 1,
            }
        }
        let result = if faces.len() < MIN_SAMPLES {
            Err(format!(
                "{}: {} usable face(s) in {} image(s); at least {MIN_SAMPLES} are needed",
                folder.display(),
                faces.len(),
                files.len()
            ))
        } else {
            enroll::enroll(pipeline, gallery, name, &faces).map_err(|e| e.to_string())
        };
        match result {
            Ok(()) => self.publish_gallery(Some(format!(
                "enrolled {name} from {} images ({skipped} skipped)",
                faces.len()
            ))),
            Err(message) => self.publish(|s| s.notice = Some(message)),
        }
    }

    fn import(&mut self, file: &std::path::Path, passphrase: &str) {
        let (Some(pipeline), Some(gallery)) = (self.pipeline.as_mut(), self.gallery.as_mut())
        else {
            return;
        };
        match lrfr::gallery::import(gallery, passphrase, file) {
            Ok(names) => {
                // Templates made on another Pi with other models are recomputed for ours.
                let left_out = enroll::refresh(pipeline, gallery).left_out();
                let imported = format!("imported {}", names.join(", "));
                self.publish_gallery(Some(match left_out {
                    Some(left_out) => format!("{imported}; {left_out}"),
                    None => imported,
                }));
            }
            Err(e) => {
                let message = e.to_string();
                self.publish(|s| s.notice = Some(message));
            }
        }
    }

    fn after_gallery_change(
        &mut self,
        result: Option<Result<(), lrfr::gallery::GalleryError>>,
        success: String,
    ) {
        match result {
            Some(Ok(())) => self.publish_gallery(Some(success)),
            Some(Err(e)) => {
                let message = e.to_string();
                self.publish(|s| s.notice = Some(message));
            }
            None => {}
        }
    }

    fn publish_gallery(&mut self, notice: Option<String>) {
        let Some(gallery) = self.gallery.as_ref() else {
            return;
        };
        let people: Vec<PersonSummary> = gallery
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
            })
            .collect();
        if let MatchMode::Verify(id) = &self.mode {
            if gallery.find_id(id).is_none() {
                self.mode = MatchMode::Identify;
            }
        }
        self.publish(|s| {
            s.people = people;
            s.gallery_seq += 1;
            if notice.is_some() {
                s.notice = notice;
            }
        });
    }

    fn tick_metrics(&mut self) {
        if self.last_metrics.elapsed() < Duration::from_secs(1) {
            return;
        }
        self.last_metrics = Instant::now();
        let memory = self.memory.snapshot();
        let total = self.stages[5].summary().median_ms as f32;
        self.publish(|s| {
            s.memory = memory;
            push_history(&mut s.rss_history_mb, memory.rss_bytes as f32 / 1_048_576.0);
            push_history(&mut s.latency_history_ms, total);
        });
    }

    fn publish(&self, change: impl FnOnce(&mut Snapshot)) {
        change(&mut self.shared.lock().unwrap_or_else(|p| p.into_inner()));
        self.ctx.request_repaint();
    }
}

/// What the window shows of a track.
fn summary(track: &Track) -> TrackSummary {
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
