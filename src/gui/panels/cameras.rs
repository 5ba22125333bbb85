//! The camera picker: every V4L2 camera by name with the modes it offers; the one chosen is
//! opened at once and remembered for the next run.

use lrfr::live::SourceChoice;
use lrfr::source::CameraMode;

use super::UiState;
use crate::gui::command::Command;
use crate::gui::snapshot::Snapshot;

/// The picker's own state: which camera and mode are highlighted before "use" is pressed.
#[derive(Debug, Default)]
pub struct Picker {
    pub open: bool,
    pub camera: Option<u32>,
    pub mode: Option<CameraMode>,
}

pub fn camera_picker(
    ctx: &egui::Context,
    snapshot: &Snapshot,
    state: &mut UiState,
    commands: &mut Vec<Command>,
) {
    let mut open = state.picker.open;
    egui::Window::new("Camera")
        .open(&mut open)
        .collapsible(false)
        .default_width(420.0)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!("in use: {}", snapshot.source));
                if ui.button("⟳ look again").clicked() {
                    commands.push(Command::ListCameras);
                }
            });
            ui.separator();
            let Some(list) = &snapshot.cameras else {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("looking for cameras…");
                });
                return;
            };
            if let Some(advice) = &list.advice {
                ui.colored_label(egui::Color32::from_rgb(230, 170, 60), advice);
            }
            if list.cameras.is_empty() && list.advice.is_none() {
                ui.label("No camera found.");
            }
            let picker = &mut state.picker;
            for camera in &list.cameras {
                let chosen = picker.camera == Some(camera.index);
                let title = format!(
                    "{} (/dev/video{}, {})",
                    camera.name, camera.index, camera.driver
                );
                if ui.radio(chosen, title).clicked() {
                    picker.camera = Some(camera.index);
                    picker.mode = camera.modes.first().copied();
                }
                if !chosen {
                    continue;
                }
                ui.indent(("modes", camera.index), |ui| {
                    let shown = picker
                        .mode
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| "default".into());
                    egui::ComboBox::from_id_salt(("mode", camera.index))
                        .selected_text(shown)
                        .height(320.0)
                        .show_ui(ui, |ui| {
                            for mode in &camera.modes {
                                let text = mode.to_string();
                                ui.selectable_value(&mut picker.mode, Some(*mode), text);
                            }
                        });
                    if ui.button("use this camera").clicked() {
                        commands.push(Command::UseSource(SourceChoice::Camera {
                            index: camera.index,
                            mode: picker.mode,
                        }));
                    }
                });
            }
            ui.separator();
            ui.label("Or play a folder of images as the camera:");
            ui.horizontal(|ui| {
                let label = ui.label("folder");
                ui.text_edit_singleline(&mut state.source_folder)
                    .labelled_by(label.id);
                if ui.button("use folder").clicked() && !state.source_folder.trim().is_empty() {
                    commands.push(Command::UseSource(SourceChoice::Folder(
                        state.source_folder.trim().into(),
                    )));
                }
            });
        });
    state.picker.open = open;
}
