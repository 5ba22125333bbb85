//! The top-level window: lays out the panels and feeds them the worker's latest snapshot.

use lrfr::{Config, Resolution};

use super::panels::{self, Textures, UiState};
use super::snapshot::Status;
use super::worker::{Command, Worker};
use super::GuiOptions;

pub struct LrfrApp {
    worker: Worker,
    textures: Textures,
    ui: UiState,
}

impl LrfrApp {
    pub fn new(ctx: &egui::Context, config: Config, options: GuiOptions) -> LrfrApp {
        let worker = Worker::spawn(ctx.clone(), config, options.source, options.res);
        LrfrApp {
            worker,
            textures: Textures::default(),
            ui: UiState::new(options.res),
        }
    }

    fn keys(&mut self, ctx: &egui::Context) {
        if ctx.wants_keyboard_input() {
            return;
        }
        for (key, res) in [
            (egui::Key::Num1, Resolution::R16),
            (egui::Key::Num2, Resolution::R24),
            (egui::Key::Num3, Resolution::R32),
        ] {
            if ctx.input(|i| i.key_pressed(key)) {
                self.worker.send(Command::SetResolution(res));
            }
        }
    }
}

impl eframe::App for LrfrApp {
    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.keys(ctx);
        let snapshot = self.worker.snapshot();
        self.textures.update(ctx, &snapshot);
        let mut commands = Vec::new();
        egui::TopBottomPanel::top("controls").show(ctx, |ui| {
            panels::controls(ui, &snapshot, &mut self.ui, &mut commands)
        });
        egui::TopBottomPanel::bottom("status").show(ctx, |ui| panels::status(ui, &snapshot));
        if self.ui.show_metrics {
            egui::TopBottomPanel::bottom("metrics")
                .resizable(true)
                .show(ctx, |ui| panels::metrics(ui, &snapshot));
        }
        egui::SidePanel::right("people")
            .default_width(300.0)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    panels::enroll(ui, &snapshot, &mut self.ui, &mut commands);
                    ui.separator();
                    panels::gallery(ui, &snapshot, &self.textures, &mut self.ui, &mut commands);
                });
            });
        egui::CentralPanel::default().show(ctx, |ui| match &snapshot.status {
            Status::LoadingModels => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Loading models…");
                });
            }
            Status::Problem(problem) => panels::problem(ui, problem, &mut self.ui, &mut commands),
            Status::Running => panels::live(ui, &snapshot, &self.textures),
        });
        drop(snapshot);
        for command in commands {
            self.worker.send(command);
        }
    }
}
