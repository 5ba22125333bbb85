//! The top-level window: lays out the panels and feeds them the worker's latest snapshot.

use lrfr::{Config, ResChoice, Resolution};

use super::command::{Command, SourceChoice};
use super::panels::{self, Textures, UiState};
use super::snapshot::{Snapshot, Status};
use super::worker::Worker;
use super::GuiOptions;

/// Where eframe's storage keeps the source in use, so the next run opens it again.
pub const SOURCE_KEY: &str = "source";

pub struct LrfrApp {
    worker: Worker,
    textures: Textures,
    ui: UiState,
}

impl LrfrApp {
    pub fn new(ctx: &egui::Context, mut config: Config, options: GuiOptions) -> LrfrApp {
        config.folder_pace = options.pace;
        if options.fullscreen {
            panels::touch_style(ctx);
        }
        let source = options.source.unwrap_or(SourceChoice::Camera {
            index: 0,
            mode: None,
        });
        let worker = Worker::spawn(ctx.clone(), config, source, options.res);
        LrfrApp {
            worker,
            textures: Textures::default(),
            ui: UiState {
                // A 7" kiosk screen is better spent on the camera; the button brings it back.
                show_people: !options.fullscreen,
                ..UiState::new()
            },
        }
    }

    /// The worker, for tests that read what the window was told.
    #[cfg(test)]
    pub(super) fn worker(&self) -> &Worker {
        &self.worker
    }

    /// The shortcuts listed in `panels::help::SHORTCUTS`.
    fn keys(&mut self, ctx: &egui::Context) {
        if ctx.wants_keyboard_input() {
            return;
        }
        let pressed = |key| ctx.input(|i| i.key_pressed(key));
        if pressed(egui::Key::F11) {
            let full = ctx.input(|i| i.viewport().fullscreen.unwrap_or(false));
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(!full));
        }
        if pressed(egui::Key::F1) || pressed(egui::Key::Questionmark) {
            self.ui.show_help = !self.ui.show_help;
        }
        if pressed(egui::Key::Escape) {
            self.ui.show_help = false;
        }
        if pressed(egui::Key::M) {
            self.ui.show_metrics = !self.ui.show_metrics;
        }
        if pressed(egui::Key::P) {
            self.ui.show_people = !self.ui.show_people;
        }
        if pressed(egui::Key::Space) {
            let paused = self.worker.snapshot().paused;
            self.worker.send(Command::SetPaused(!paused));
        }
        for (key, res) in [
            (egui::Key::Num0, ResChoice::Native),
            (egui::Key::Num1, Resolution::R16.into()),
            (egui::Key::Num2, Resolution::R24.into()),
            (egui::Key::Num3, Resolution::R32.into()),
        ] {
            if ctx.input(|i| i.key_pressed(key)) {
                self.worker.send(Command::SetResolution(res));
            }
        }
    }
}

impl eframe::App for LrfrApp {
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let Some(choice) = &self.worker.snapshot().source_choice {
            eframe::set_value(storage, SOURCE_KEY, choice);
        }
    }

    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.keys(ctx);
        let snapshot = self.worker.snapshot();
        let mut commands = Vec::new();
        draw(
            ctx,
            &snapshot,
            &mut self.textures,
            &mut self.ui,
            &mut commands,
        );
        drop(snapshot);
        for command in commands {
            self.worker.send(command);
        }
    }
}

/// Lays out the whole window from one snapshot. It only reads the snapshot and records what
/// the user asked for, so a fixed snapshot always draws the same window (see the image tests).
pub(super) fn draw(
    ctx: &egui::Context,
    snapshot: &Snapshot,
    textures: &mut Textures,
    ui_state: &mut UiState,
    commands: &mut Vec<Command>,
) {
    textures.update(ctx, snapshot);
    panels::help(ctx, &mut ui_state.show_help);
    panels::camera_picker(ctx, snapshot, ui_state, commands);
    egui::TopBottomPanel::top("controls")
        .show(ctx, |ui| panels::controls(ui, snapshot, ui_state, commands));
    egui::TopBottomPanel::bottom("status").show(ctx, |ui| panels::status(ui, snapshot, commands));
    if ui_state.show_metrics {
        egui::SidePanel::right("metrics")
            .resizable(true)
            .default_width(300.0)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| panels::metrics(ui, snapshot));
            });
    }
    egui::SidePanel::right("people")
        .default_width(300.0)
        .show_animated(ctx, ui_state.show_people, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                panels::enroll(ui, snapshot, ui_state, commands);
                ui.separator();
                panels::gallery(ui, snapshot, textures, ui_state, commands);
            });
        });
    egui::CentralPanel::default().show(ctx, |ui| match &snapshot.status {
        Status::LoadingModels => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading models…");
            });
        }
        Status::Problem(problem) => panels::problem(ui, problem, ui_state, commands),
        Status::Running => panels::live(ui, snapshot, textures, commands),
    });
}
