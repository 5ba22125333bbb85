//! Enrolling from the webcam with a guided auto-capture, or from a folder of photos.

use lrfr::gallery::MAX_PEOPLE;

use super::UiState;
use crate::gui::command::{Command, Edit, SAMPLES_RANGE};
use crate::gui::snapshot::Snapshot;

pub fn enroll(
    ui: &mut egui::Ui,
    snapshot: &Snapshot,
    state: &mut UiState,
    commands: &mut Vec<Command>,
) {
    ui.heading("Enroll");
    if let Some(progress) = &snapshot.enroll {
        ui.label(format!(
            "Capturing {}: look at the camera, turn your head slightly",
            progress.name
        ));
        let fraction = progress.accepted as f32 / progress.target.max(1) as f32;
        ui.add(
            egui::ProgressBar::new(fraction)
                .text(format!("{} / {}", progress.accepted, progress.target)),
        );
        match &progress.rejection {
            Some(why) => ui.colored_label(
                egui::Color32::from_rgb(230, 160, 40),
                format!("not counted: {why}"),
            ),
            None => ui.label("✔ last frame counted"),
        };
        if ui.button("cancel").clicked() {
            commands.push(Command::CancelEnroll);
        }
        return;
    }
    if let Some(name) = &snapshot.pending_enroll {
        ui.label(format!(
            "These faces look like someone enrolled already. Is {name} someone else?"
        ));
        ui.horizontal(|ui| {
            if ui.button("enroll anyway").clicked() {
                commands.push(Command::Gallery(Edit::EnrollAnyway));
            }
            if ui.button("cancel").clicked() {
                commands.push(Command::CancelEnroll);
            }
        });
        return;
    }
    if snapshot.people.len() >= MAX_PEOPLE {
        ui.label(format!(
            "The gallery is full ({MAX_PEOPLE} people): remove someone to enroll another."
        ));
        return;
    }
    ui.horizontal(|ui| {
        let label = ui.label("name");
        ui.add(
            egui::TextEdit::singleline(&mut state.enroll_name)
                .hint_text("1 to 40 characters")
                .char_limit(40),
        )
        .labelled_by(label.id);
    });
    ui.add(egui::Slider::new(&mut state.enroll_samples, SAMPLES_RANGE).text("samples"));
    let named = !state.enroll_name.trim().is_empty();
    if ui
        .add_enabled(named, egui::Button::new("start capture"))
        .clicked()
    {
        commands.push(Command::StartEnroll {
            name: state.enroll_name.trim().to_string(),
            samples: state.enroll_samples,
        });
    }
    ui.label("or add from a folder of photos:");
    ui.horizontal(|ui| {
        let label = ui.label("photos");
        ui.text_edit_singleline(&mut state.enroll_folder)
            .labelled_by(label.id);
        let ready = named && !state.enroll_folder.trim().is_empty();
        if ui.add_enabled(ready, egui::Button::new("add")).clicked() {
            commands.push(Command::Gallery(Edit::EnrollFromFolder {
                name: state.enroll_name.trim().to_string(),
                folder: state.enroll_folder.trim().into(),
            }));
        }
    });
}
