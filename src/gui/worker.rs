//! The inference worker: a thread around the library's live [`Session`] (source, pipeline,
//! gallery, live recogniser). It applies the window's commands, steps the session when it is
//! free (sources keep just the newest frame, so stale frames are dropped) and publishes a
//! [`Snapshot`] for the window.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lrfr::frame::Frame;
use lrfr::live::{GalleryChange, Session, SessionError};
use lrfr::metrics::MemoryProbe;
use lrfr::pipeline::MatchMode;
use lrfr::{Config, ResChoice};

pub use lrfr::enroll::SAMPLES_RANGE;
pub use lrfr::live::SourceChoice;

use super::snapshot::{push_history, EnrollProgress, PersonSummary, Snapshot, Status};
use super::words;

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    SetResolution(ResChoice),
    /// Show this track in the face and match panels (`None`: the largest face).
    Select(Option<u64>),
    /// `None` goes back to the manifest's threshold for the resolution.
    SetThreshold(Option<f32>),
    SetMode(MatchMode),
    SetPaused(bool),
    UseSource(SourceChoice),
    /// Look for cameras again (the picker's list).
    ListCameras,
    StartEnroll {
        name: String,
        samples: usize,
    },
    CancelEnroll,
    /// Enroll the faces held back because they look like someone enrolled.
    EnrollAnyway,
    EnrollFromFolder {
        name: String,
        folder: PathBuf,
    },
    Rename {
        old: String,
        new: String,
    },
    Remove(String),
    /// The face shown with this name is someone else ("not X").
    MarkNot(String),
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
        res: ResChoice,
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
                    Shell::start(ctx, config, shared, inbox, source, res).run()
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

struct Shell {
    ctx: egui::Context,
    shared: Arc<Mutex<Snapshot>>,
    inbox: Receiver<Command>,
    session: Session,
    paused: bool,
    memory: MemoryProbe,
    last_metrics: Instant,
    last_frame: Option<Instant>,
    /// Frames per second as the window sees them (smoothed), waits included.
    fps: f32,
}

impl Shell {
    fn start(
        ctx: egui::Context,
        config: Config,
        shared: Arc<Mutex<Snapshot>>,
        inbox: Receiver<Command>,
        source: SourceChoice,
        res: ResChoice,
    ) -> Shell {
        let mut shell = Shell {
            ctx,
            shared,
            inbox,
            session: Session::new(config, res),
            paused: false,
            memory: MemoryProbe::new(),
            last_metrics: Instant::now(),
            last_frame: None,
            fps: 0.0,
        };
        match shell.session.load() {
            Ok(notice) => {
                let files = shell
                    .session
                    .pipeline()
                    .map(|p| p.models().files())
                    .unwrap_or_default();
                shell.publish(|s| {
                    s.status = Status::Running;
                    s.model_files = files;
                });
                shell.publish_gallery(notice);
            }
            Err(e) => {
                let message = e.to_string();
                shell.publish(|s| s.status = Status::Problem(message));
            }
        }
        shell.open_source(&source);
        shell
    }

    fn open_source(&mut self, choice: &SourceChoice) {
        match self.session.open_source(choice) {
            Ok(name) => {
                // A new source fixes a camera problem, not a model or gallery one.
                let ready = self.session.ready();
                let choice = choice.clone();
                self.publish(|s| {
                    s.source = name;
                    s.source_choice = Some(choice);
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
            if self.paused || !self.session.ready() {
                self.tick_metrics();
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            self.step();
            self.tick_metrics();
        }
    }

    fn step(&mut self) {
        let stepped = match self.session.step() {
            Ok(stepped) => stepped,
            Err(SessionError::Source(e)) => {
                let message = e.to_string();
                self.publish(|s| s.source_problem = Some(message));
                std::thread::sleep(Duration::from_millis(100));
                return;
            }
            Err(e) => {
                let message = e.to_string();
                self.publish(|s| s.status = Status::Problem(message));
                return;
            }
        };
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
        let mut shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        shared.update(&mut self.session, &stepped, self.fps);
        drop(shared);
        self.ctx.request_repaint();
        if let Some(result) = stepped.enrolled {
            self.publish(|s| s.enroll = None);
            self.after_gallery_change(result);
        }
        if stepped.gallery_reopened {
            self.publish_gallery(Some("the gallery was changed by another lrfr".into()));
        }
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::SetResolution(res) => self.session.set_resolution(res),
            Command::Select(track) => self.session.select(track),
            Command::SetThreshold(threshold) => self.session.set_threshold(threshold),
            Command::SetMode(mode) => self.session.set_mode(mode),
            Command::SetPaused(paused) => {
                self.paused = paused;
                self.publish(|s| s.paused = paused);
            }
            Command::UseSource(choice) => self.open_source(&choice),
            Command::ListCameras => {
                let found = lrfr::source::list_cameras();
                self.publish(|s| s.cameras = Some(found));
            }
            Command::StartEnroll { name, samples } => {
                match self.session.start_capture(&name, samples) {
                    Ok(progress) => self.publish(|s| {
                        s.enroll = Some(EnrollProgress {
                            name: progress.name,
                            accepted: progress.accepted,
                            target: progress.target,
                            rejection: None,
                        })
                    }),
                    Err(e) => {
                        let message = words::error(&e);
                        self.publish(|s| s.notice = Some(message));
                    }
                }
            }
            Command::CancelEnroll => {
                self.session.cancel_capture();
                self.session.drop_pending();
                self.publish(|s| {
                    s.enroll = None;
                    s.pending_enroll = None;
                    s.notice = Some("enrollment cancelled; nothing was saved".into());
                });
            }
            Command::EnrollAnyway => {
                let result = self.session.enroll_anyway();
                self.after_gallery_change(result);
            }
            Command::EnrollFromFolder { name, folder } => {
                let result = self.session.enroll_from_folder(&name, &folder);
                self.after_gallery_change(result);
            }
            Command::Rename { old, new } => {
                let result = self.session.rename(&old, &new);
                self.after_gallery_change(result);
            }
            Command::Remove(name) => {
                let result = self.session.remove(&name);
                self.after_gallery_change(result);
            }
            Command::MarkNot(name) => {
                let result = self.session.mark_not(&name);
                self.after_gallery_change(result);
            }
            Command::Export { file, passphrase } => {
                let message = match self.session.export(&file, &passphrase) {
                    Ok(change) => words::change(&change),
                    Err(e) => words::error(&e),
                };
                self.publish(|s| s.notice = Some(message));
            }
            Command::Import { file, passphrase } => {
                let result = self.session.import(&file, &passphrase);
                self.after_gallery_change(result);
            }
        }
    }

    /// Publishes the gallery with the success message, or only the error.
    fn after_gallery_change(&mut self, result: Result<GalleryChange, SessionError>) {
        let pending = self.session.pending_enroll().map(str::to_owned);
        self.publish(|s| s.pending_enroll = pending);
        match result {
            Ok(change) => self.publish_gallery(Some(words::change(&change))),
            Err(e) => {
                let message = words::error(&e);
                self.publish(|s| s.notice = Some(message));
            }
        }
    }

    fn publish_gallery(&mut self, notice: Option<String>) {
        let Some(gallery) = self.session.gallery() else {
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
        let mode = self.session.mode().clone();
        self.publish(|s| {
            s.people = people;
            s.mode = mode;
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
        let total = self.session.stats().summaries()[5].median_ms as f32;
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
