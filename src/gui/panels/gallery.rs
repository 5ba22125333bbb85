//! The people enrolled: thumbnail, samples, rename, delete with confirmation, the faces
//! marked as not them (each can be taken back), and the encrypted export and import of the
//! whole gallery.

use egui::load::SizedTexture;
use egui::{Rect, Vec2};
use lrfr::gallery::MAX_PEOPLE;

use super::textures::{Textures, MARK_TILE};
use super::UiState;
use crate::gui::command::{Command, Edit};
use crate::gui::snapshot::{PersonSummary, Snapshot};

pub fn gallery(
    ui: &mut egui::Ui,
    snapshot: &Snapshot,
    textures: &Textures,
    state: &mut UiState,
    commands: &mut Vec<Command>,
) {
    ui.heading(format!("Gallery {} / {MAX_PEOPLE}", snapshot.people.len()));
    let count = snapshot.people.len().max(1) as f32;
    for (i, person) in snapshot.people.iter().enumerate() {
        ui.horizontal(|ui| {
            if let Some(texture) = &textures.gallery_strip {
                let uv = Rect::from_min_max(
                    egui::pos2(i as f32 / count, 0.0),
                    egui::pos2((i as f32 + 1.0) / count, 1.0),
                );
                ui.add(
                    egui::Image::from_texture(SizedTexture::new(texture.id(), Vec2::splat(48.0)))
                        .uv(uv),
                );
            }
            ui.vertical(|ui| {
                ui.strong(&person.name);
                ui.small(format!("{} samples", person.samples));
                ui.horizontal(|ui| {
                    if ui.small_button("rename").clicked() {
                        state.renaming = Some((person.name.clone(), person.name.clone()));
                    }
                    if ui.small_button("delete").clicked() {
                        state.confirm_remove = Some(person.name.clone());
                    }
                });
            });
        });
        marks(ui, i, person, textures, state, commands);
    }
    if let Some((old, new)) = &mut state.renaming {
        ui.horizontal(|ui| {
            ui.label(format!("rename {old} to"));
            ui.add(egui::TextEdit::singleline(new).char_limit(40));
        });
        let (save, cancel) = ui
            .horizontal(|ui| (ui.button("save").clicked(), ui.button("cancel").clicked()))
            .inner;
        if save {
            commands.push(Command::Gallery(Edit::Rename {
                old: old.clone(),
                new: new.trim().to_string(),
            }));
        }
        if save || cancel {
            state.renaming = None;
        }
    }
    if let Some(name) = state.confirm_remove.clone() {
        ui.colored_label(
            egui::Color32::LIGHT_RED,
            format!("Delete {name} and their enrolled faces?"),
        );
        ui.horizontal(|ui| {
            if ui.button("yes, delete").clicked() {
                commands.push(Command::Gallery(Edit::Remove(name)));
                state.confirm_remove = None;
            } else if ui.button("keep").clicked() {
                state.confirm_remove = None;
            }
        });
    }
    backup(ui, state, commands);
}

/// The faces marked as not `person` (row `row` of the marks texture), each with a button that
/// takes the mark back: a wrong "not X" is undone here once its notice's "undo" has gone. The
/// mark's crop is deleted with it, so it asks first, as a delete does.
fn marks(
    ui: &mut egui::Ui,
    row: usize,
    person: &PersonSummary,
    textures: &Textures,
    state: &mut UiState,
    commands: &mut Vec<Command>,
) {
    let count = person.marks.len();
    if count == 0 {
        return;
    }
    let title = format!(
        "{count} {} marked not {}",
        if count == 1 { "face" } else { "faces" },
        person.name
    );
    egui::CollapsingHeader::new(title)
        .id_salt(("marks", &person.id))
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for (column, mark) in person.marks.iter().enumerate() {
                    ui.vertical(|ui| {
                        if let Some(texture) = &textures.marks {
                            let size = texture.size_vec2();
                            let min = Vec2::new(column as f32, row as f32) * MARK_TILE as f32;
                            let uv = Rect::from_min_size(
                                (min / size).to_pos2(),
                                Vec2::splat(MARK_TILE as f32) / size,
                            );
                            ui.add(
                                egui::Image::from_texture(SizedTexture::new(
                                    texture.id(),
                                    Vec2::splat(48.0),
                                ))
                                .uv(uv),
                            );
                        }
                        // The mark the question below is about stays lit while it waits.
                        let asking = state
                            .confirm_unmark
                            .as_ref()
                            .is_some_and(|(n, f)| *n == person.name && *f == mark.face);
                        let button = egui::Button::new("take back").small().selected(asking);
                        if ui.add(button).clicked() {
                            state.confirm_unmark = Some((person.name.clone(), mark.face.clone()));
                        }
                    });
                }
            });
            let Some((name, face)) = state.confirm_unmark.clone() else {
                return;
            };
            if name != person.name || !person.marks.iter().any(|m| m.face == face) {
                return;
            }
            ui.colored_label(
                egui::Color32::LIGHT_RED,
                format!("Take back this mark? Faces like it may be named {name} again."),
            );
            ui.horizontal(|ui| {
                if ui.button("yes, take back").clicked() {
                    commands.push(Command::Gallery(Edit::Unmark { name, face }));
                    state.confirm_unmark = None;
                } else if ui.button("keep").clicked() {
                    state.confirm_unmark = None;
                }
            });
        });
}

/// Export to / import from one passphrase-encrypted file, as `lrfr gallery export|import`.
fn backup(ui: &mut egui::Ui, state: &mut UiState, commands: &mut Vec<Command>) {
    egui::CollapsingHeader::new("Backup (encrypted export / import)").show(ui, |ui| {
        ui.horizontal(|ui| {
            let label = ui.label("file");
            ui.text_edit_singleline(&mut state.backup_file)
                .labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let label = ui.label("passphrase");
            ui.add(egui::TextEdit::singleline(&mut state.backup_passphrase).password(true))
                .labelled_by(label.id);
        });
        let ready = !state.backup_file.trim().is_empty() && !state.backup_passphrase.is_empty();
        ui.horizontal(|ui| {
            let file = std::path::PathBuf::from(state.backup_file.trim());
            if ui.add_enabled(ready, egui::Button::new("export")).clicked() {
                commands.push(Command::Export {
                    file,
                    passphrase: std::mem::take(&mut state.backup_passphrase),
                });
            } else if ui.add_enabled(ready, egui::Button::new("import")).clicked() {
                commands.push(Command::Gallery(Edit::Import {
                    file,
                    passphrase: std::mem::take(&mut state.backup_passphrase),
                }));
            }
        });
    });
}
