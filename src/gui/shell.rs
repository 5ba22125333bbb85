//! The inference thread: a shell around the library's live [`Session`] (pipeline, gallery,
//! one stream). It applies the window's commands between frames, steps the session when it is
//! free (sources keep just the newest frame, so stale frames are dropped) and publishes a
//! [`Snapshot`] for the window.

use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lrfr::live::{GalleryChange, Session, SessionError};
use lrfr::metrics::MemoryProbe;
use lrfr::{Config, ResChoice};

use super::command::{Command, Edit, SourceChoice};
use super::snapshot::{
    push_history, EnrollProgress, FrameRate, Notice, PersonSummary, Snapshot, Status,
};
use super::words;

/// How long the answer to something the user just did stays in the status row. On the kiosk a
/// long one takes a second row from the camera; the user is looking when it appears. What
/// comes unasked (the gallery set aside at start, changed by another lrfr) stays until the next.
#[cfg(not(test))]
pub(super) const NOTICE_FADES: Duration = Duration::from_secs(30);
/// Short in tests, which wait for it.
#[cfg(test)]
pub(super) const NOTICE_FADES: Duration = Duration::from_secs(5);

pub(super) struct Shell {
    ctx: egui::Context,
    shared: Arc<Mutex<Snapshot>>,
    inbox: Receiver<Command>,
    session: Session,
    paused: bool,
    memory: MemoryProbe,
    last_metrics: Instant,
    rate: FrameRate,
    /// When the notice shown now was given, if it is one that fades.
    told: Option<Instant>,
}

impl Shell {
    pub(super) fn start(
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
            rate: FrameRate::default(),
            told: None,
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
                shell.publish_gallery();
                if let Some(notice) = notice {
                    shell.notify(notice.into(), false);
                }
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

    pub(super) fn run(mut self) {
        loop {
            loop {
                match self.inbox.try_recv() {
                    Ok(command) => self.handle(command),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return,
                }
            }
            self.fade_notice();
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
        let fps = self.rate.tick();
        let mut shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        shared.update(&mut self.session, &stepped, fps);
        drop(shared);
        self.ctx.request_repaint();
        if let Some(result) = stepped.enrolled {
            self.publish(|s| s.enroll = None);
            self.after_gallery_change(result);
        }
        if stepped.gallery_reopened {
            self.publish_gallery();
            self.notify("the gallery was changed by another lrfr".into(), false);
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
                    Err(e) => self.notify(words::error(&e).into(), true),
                }
            }
            Command::CancelEnroll => {
                self.session.cancel_capture();
                self.session.drop_pending();
                self.publish(|s| {
                    s.enroll = None;
                    s.pending_enroll = None;
                });
                self.notify("enrollment cancelled; nothing was saved".into(), true);
            }
            Command::Export { file, passphrase } => {
                let message = match self.session.export(&file, &passphrase) {
                    Ok(change) => words::change(&change),
                    Err(e) => words::error(&e),
                };
                self.notify(message.into(), true);
            }
            Command::Gallery(edit) => {
                let result = match edit {
                    Edit::EnrollAnyway => self.session.enroll_anyway(),
                    Edit::EnrollFromFolder { name, folder } => {
                        self.session.enroll_from_folder(&name, &folder)
                    }
                    Edit::Rename { old, new } => self.session.rename(&old, &new),
                    Edit::Remove(name) => self.session.remove(&name),
                    Edit::MarkNot(name) => self.session.mark_not(&name),
                    Edit::Unmark { name, face } => self.session.unmark(&name, &face),
                    Edit::Import { file, passphrase } => self.session.import(&file, &passphrase),
                };
                self.after_gallery_change(result);
            }
        }
    }

    /// Publishes the gallery with the success message, or only the error.
    fn after_gallery_change(&mut self, result: Result<GalleryChange, SessionError>) {
        let pending = self.session.pending_enroll().map(str::to_owned);
        let asking = pending.is_some();
        self.publish(|s| s.pending_enroll = pending);
        match result {
            Ok(change) => {
                self.publish_gallery();
                let notice = Notice {
                    text: words::change(&change),
                    undo: Edit::undoing(&change),
                };
                self.notify(notice, true);
            }
            // A question ("enroll anyway?") stays while its buttons wait for the answer.
            Err(e) => self.notify(words::error(&e).into(), !asking),
        }
    }

    /// Shows `notice` in the status row until the next one, or for `NOTICE_FADES` when it
    /// `fades` (the answer to what the user just did).
    fn notify(&mut self, notice: Notice, fades: bool) {
        self.told = fades.then(Instant::now);
        self.publish(|s| s.notice = Some(notice));
    }

    fn fade_notice(&mut self) {
        if self.told.is_some_and(|at| at.elapsed() >= NOTICE_FADES) {
            self.told = None;
            self.publish(|s| s.notice = None);
        }
    }

    fn publish_gallery(&mut self) {
        let Some(gallery) = self.session.gallery() else {
            return;
        };
        let people = PersonSummary::everyone(gallery);
        let mode = self.session.mode().clone();
        self.publish(|s| {
            s.people = people;
            s.mode = mode;
            s.gallery_seq += 1;
        });
    }

    fn tick_metrics(&mut self) {
        if self.last_metrics.elapsed() < Duration::from_secs(1) {
            return;
        }
        self.last_metrics = Instant::now();
        let memory = self.memory.snapshot();
        let total = self
            .session
            .stats()
            .map_or(0.0, |stats| stats.total().median_ms as f32);
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
