//! The window's handle on the inference thread ([`super::shell`]): it starts the thread,
//! sends it the window's commands, lends the window the latest [`Snapshot`], and stops the
//! thread when the window closes.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use lrfr::{Config, ResChoice};

use super::command::{Command, SourceChoice};
use super::shell::Shell;
use super::snapshot::{Snapshot, Status};

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
