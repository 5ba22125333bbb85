//! The control bar (resolution, threshold, mode, pause), the status line, and the page shown
//! when there is a problem to fix.

use lrfr::pipeline::MatchMode;
use lrfr::{ResChoice, Resolution};

use super::UiState;
use crate::gui::command::{Command, SourceChoice};
use crate::gui::snapshot::Snapshot;

pub fn controls(
    ui: &mut egui::Ui,
    snapshot: &Snapshot,
    state: &mut UiState,
    commands: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Resolution:");
        let auto = ui
            .selectable_label(snapshot.res == ResChoice::Native, "auto (0)")
            .on_hover_text("each face at the largest of 16/24/32 px it really has: distance as a camera sees it");
        if auto.clicked() {
            commands.push(Command::SetResolution(ResChoice::Native));
        }
        for (key, res) in [
            ("1", Resolution::R16),
            ("2", Resolution::R24),
            ("3", Resolution::R32),
        ] {
            let label = format!("{} px ({key})", res.px());
            let button = ui
                .selectable_label(snapshot.res == ResChoice::Fixed(res), label)
                .on_hover_text("a near face shrunk to this size: distance simulated");
            if button.clicked() {
                commands.push(Command::SetResolution(res.into()));
            }
        }
        ui.separator();
        // At auto each face is decided at its own resolution's calibrated threshold, so one
        // slider cannot stand for them; it shows the shown face's.
        threshold_slider(
            ui,
            snapshot.res != ResChoice::Native,
            snapshot.threshold,
            commands,
        );
        ui.separator();
        let current = match &snapshot.mode {
            MatchMode::Identify => "identify (1:N)".to_string(),
            MatchMode::Verify(id) => format!("verify: {}", snapshot.name_of_id(id)),
        };
        egui::ComboBox::from_id_salt("mode")
            .selected_text(current)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(snapshot.mode == MatchMode::Identify, "identify (1:N)")
                    .clicked()
                {
                    commands.push(Command::SetMode(MatchMode::Identify));
                }
                for person in &snapshot.people {
                    let mode = MatchMode::Verify(person.id.clone());
                    if ui
                        .selectable_label(snapshot.mode == mode, format!("verify: {}", person.name))
                        .clicked()
                    {
                        commands.push(Command::SetMode(mode));
                    }
                }
            });
        ui.separator();
        let pause = if snapshot.paused {
            "▶ resume"
        } else {
            "⏸ pause"
        };
        if ui.button(pause).clicked() {
            commands.push(Command::SetPaused(!snapshot.paused));
        }
        ui.toggle_value(&mut state.show_metrics, "metrics");
        ui.toggle_value(&mut state.show_people, "people")
            .on_hover_text("enroll and the gallery");
        if ui
            .selectable_label(state.picker.open, "📷 camera…")
            .on_hover_text("choose the camera, its size and frame rate")
            .clicked()
        {
            if !state.picker.open {
                commands.push(Command::ListCameras);
            }
            state.picker.open = !state.picker.open;
        }
        ui.toggle_value(&mut state.show_help, "? help")
            .on_hover_text("keyboard shortcuts (F1)");
    });
}

/// The label, the slider and its reset as separate items, so a narrow window wraps them onto
/// the next row instead of cutting them off.
fn threshold_slider(
    ui: &mut egui::Ui,
    enabled: bool,
    mut threshold: f32,
    commands: &mut Vec<Command>,
) {
    const AT_AUTO: &str = "at auto, each face uses its resolution's calibrated threshold";
    // On a row of their own when the rest of this one cannot hold them (a 7" screen), rather
    // than cut off at the window's edge.
    let needed = ui.spacing().slider_width + 260.0;
    let left = ui.max_rect().right() - ui.cursor().min.x;
    if left < needed {
        ui.end_row();
    }
    let label = ui.add_enabled(enabled, egui::Label::new("threshold"));
    // Clamp and round only what the user enters: a slider that rounds on every draw turned
    // the calibrated 0.3257 into a user override of 0.33 as the window opened.
    let slider = ui
        .add_enabled(
            enabled,
            egui::Slider::new(&mut threshold, 0.0..=1.0)
                .clamping(egui::SliderClamping::Edits)
                .min_decimals(2)
                .max_decimals(4),
        )
        .labelled_by(label.id)
        .on_disabled_hover_text(AT_AUTO);
    if slider.changed() {
        commands.push(Command::SetThreshold(Some(threshold)));
    }
    if ui
        .add_enabled(enabled, egui::Button::new("default").small())
        .on_hover_text("the threshold calibrated for this resolution")
        .on_disabled_hover_text(AT_AUTO)
        .clicked()
    {
        commands.push(Command::SetThreshold(None));
    }
}

/// Source, frame rate and memory, then the latest notice with its undo. Wrapped, so a long
/// notice goes on to a second row on a 7" screen instead of past its edge.
pub fn status(ui: &mut egui::Ui, snapshot: &Snapshot, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("source: {}", snapshot.source));
        ui.separator();
        ui.label(format!("{:.1} FPS", snapshot.fps));
        ui.separator();
        ui.label(format!(
            "RSS {:.1} MB",
            snapshot.memory.rss_bytes as f64 / 1_048_576.0
        ));
        if let Some(notice) = &snapshot.notice {
            ui.separator();
            ui.label(&notice.text);
            if let Some(undo) = &notice.undo {
                // Small, as "default" is: a kiosk's row of full-size buttons costs its camera.
                if ui.add(egui::Button::new("undo").small()).clicked() {
                    commands.push(Command::Gallery(undo.clone()));
                }
            }
        }
    });
}

/// Shown instead of the live view when the models or the camera are missing.
pub fn problem(ui: &mut egui::Ui, problem: &str, state: &mut UiState, commands: &mut Vec<Command>) {
    ui.heading("Something needs your attention");
    ui.add_space(8.0);
    ui.label(problem);
    ui.add_space(16.0);
    ui.label("Use a folder of images as the camera instead:");
    ui.horizontal(|ui| {
        ui.text_edit_singleline(&mut state.source_folder);
        if ui.button("use folder").clicked() && !state.source_folder.trim().is_empty() {
            commands.push(Command::UseSource(SourceChoice::Folder(
                state.source_folder.trim().into(),
            )));
        }
        if ui.button("try camera 0 again").clicked() {
            commands.push(Command::UseSource(SourceChoice::Camera {
                index: 0,
                mode: None,
            }));
        }
    });
}
