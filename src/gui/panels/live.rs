//! The three live panels: the camera with every tracked face's box and label (click one to
//! follow it), that face before and after super-resolution, and who it is with the top five.

use egui::load::SizedTexture;
use egui::{Color32, FontId, Rect, Sense, Stroke, StrokeKind, Vec2};

use super::textures::Textures;
use crate::gui::snapshot::{Label, Snapshot};
use crate::gui::worker::Command;

const KNOWN: Color32 = Color32::from_rgb(60, 200, 90);
const UNKNOWN: Color32 = Color32::from_rgb(240, 170, 40);
const CANT_TELL: Color32 = Color32::from_rgb(150, 150, 150);

/// Below this width the panels stack vertically.
const SIDE_BY_SIDE: f32 = 900.0;

pub fn live(
    ui: &mut egui::Ui,
    snapshot: &Snapshot,
    textures: &Textures,
    commands: &mut Vec<Command>,
) {
    let wide = ui.available_width() >= SIDE_BY_SIDE;
    let column = if wide {
        (ui.available_width() - 24.0) / 3.0
    } else {
        ui.available_width()
    };
    let layout = |ui: &mut egui::Ui| {
        ui.vertical(|ui| {
            ui.set_width(column);
            camera(ui, snapshot, textures, column, commands);
        });
        ui.vertical(|ui| {
            ui.set_width(column);
            face(ui, snapshot, textures, column);
        });
        ui.vertical(|ui| {
            ui.set_width(column);
            matched(ui, snapshot, textures, column);
        });
    };
    egui::ScrollArea::vertical().show(ui, |ui| {
        if wide {
            ui.horizontal_top(layout);
        } else {
            ui.vertical(layout);
        }
    });
}

fn camera(
    ui: &mut egui::Ui,
    snapshot: &Snapshot,
    textures: &Textures,
    width: f32,
    commands: &mut Vec<Command>,
) {
    ui.heading("Camera");
    let Some(texture) = &textures.camera else {
        ui.label("waiting for the first frame…");
        return;
    };
    let (fw, fh) = (
        snapshot.frame.width().max(1) as f32,
        snapshot.frame.height().max(1) as f32,
    );
    let size = Vec2::new(width, width * fh / fw);
    let response = ui.add(
        egui::Image::from_texture(SizedTexture::new(texture.id(), size)).alt_text("camera view"),
    );
    let scale = size.x / fw;
    let to_screen = |face: &lrfr::detect::FaceBox| {
        Rect::from_min_size(
            response.rect.min + Vec2::new(face.x, face.y) * scale,
            Vec2::new(face.width, face.height) * scale,
        )
    };
    if snapshot.tracks.is_empty() {
        // Verify mode: the largest face, green when it is the person.
        if let Some(face) = snapshot.face {
            let colour = if snapshot.accepted.is_some() {
                KNOWN
            } else {
                UNKNOWN
            };
            ui.painter().rect_stroke(
                to_screen(&face),
                2.0,
                Stroke::new(2.0, colour),
                StrokeKind::Outside,
            );
        }
    }
    for track in &snapshot.tracks {
        let rect = to_screen(&track.face);
        let (colour, text) = match &track.label {
            Label::Named(person, _) => (KNOWN, snapshot.name(*person).to_string()),
            Label::Unknown => (UNKNOWN, "unknown".to_string()),
            Label::CantTell(_) => (CANT_TELL, "can't tell".to_string()),
        };
        let selected = snapshot.selected == Some(track.id);
        let width = if selected { 3.0 } else { 2.0 };
        let painter = ui.painter();
        painter.rect_stroke(rect, 2.0, Stroke::new(width, colour), StrokeKind::Outside);
        let font = FontId::proportional(14.0);
        let galley = painter.layout_no_wrap(text, font, Color32::BLACK);
        let tag = Rect::from_min_size(
            rect.left_top() - Vec2::new(0.0, galley.size().y + 4.0),
            galley.size() + Vec2::new(8.0, 4.0),
        );
        painter.rect_filled(tag, 2.0, colour);
        painter.galley(tag.min + Vec2::new(4.0, 2.0), galley, Color32::BLACK);
        let id = ui.id().with(("track", track.id));
        if ui.interact(rect, id, Sense::click()).clicked() {
            commands.push(Command::Select(Some(track.id)));
        }
    }
    ui.label(format!(
        "{:.1} FPS · {} face(s)",
        snapshot.fps, snapshot.faces_found
    ));
    if let Some(problem) = &snapshot.source_problem {
        ui.colored_label(Color32::from_rgb(230, 120, 40), problem);
    }
}

fn face(ui: &mut egui::Ui, snapshot: &Snapshot, textures: &Textures, width: f32) {
    ui.heading(format!("Face: {} px in, DSR 112 px out", snapshot.res.px()));
    let Some(texture) = &textures.face_strip else {
        return;
    };
    if snapshot.face.is_none() {
        ui.label("no face");
        return;
    }
    let tile = (width / 2.0 - 4.0).min(224.0);
    ui.horizontal(|ui| {
        for (k, caption) in [(0.0, "what the model gets"), (1.0, "what DSR made of it")] {
            ui.vertical(|ui| {
                let uv =
                    Rect::from_min_max(egui::pos2(k / 3.0, 0.0), egui::pos2((k + 1.0) / 3.0, 1.0));
                ui.add(
                    egui::Image::from_texture(SizedTexture::new(texture.id(), Vec2::splat(tile)))
                        .uv(uv),
                );
                ui.small(caption);
            });
        }
    });
}

fn matched(ui: &mut egui::Ui, snapshot: &Snapshot, textures: &Textures, width: f32) {
    ui.heading("Who is it?");
    if snapshot.face.is_none() {
        ui.label("no face");
        return;
    }
    match snapshot.accepted {
        Some((person, _)) => {
            if let Some(texture) = &textures.face_strip {
                let uv = Rect::from_min_max(egui::pos2(2.0 / 3.0, 0.0), egui::pos2(1.0, 1.0));
                let side = (width / 2.0).min(160.0);
                ui.add(
                    egui::Image::from_texture(SizedTexture::new(texture.id(), Vec2::splat(side)))
                        .uv(uv),
                );
            }
            ui.heading(snapshot.name(person));
        }
        None if snapshot.cant_tell.is_some() => {
            ui.heading("can't tell");
            ui.label(snapshot.cant_tell.as_deref().unwrap_or_default());
        }
        None if snapshot.people.is_empty() => {
            ui.heading("unknown");
            ui.label("nobody is enrolled yet: enroll someone on the right");
        }
        None => {
            ui.heading("unknown");
        }
    }
    score_bar(ui, snapshot);
    ui.add_space(8.0);
    egui::Grid::new("top5").striped(true).show(ui, |ui| {
        for (person, score) in &snapshot.top {
            ui.label(snapshot.name(*person));
            let passed = *score >= snapshot.threshold;
            let text = egui::RichText::new(format!("{score:.3}"));
            ui.label(if passed { text.strong() } else { text.weak() });
            ui.end_row();
        }
    });
}

/// The best score as a bar with the threshold marked on it, and the margin to the runner-up:
/// how sure the name is, and how close someone else came.
fn score_bar(ui: &mut egui::Ui, snapshot: &Snapshot) {
    let Some(&(best, score)) = snapshot.top.first() else {
        return;
    };
    let colour = if snapshot.accepted.is_some() {
        KNOWN
    } else {
        UNKNOWN
    };
    let response = ui.add(
        egui::ProgressBar::new(score.clamp(0.0, 1.0))
            .fill(colour.gamma_multiply(0.7))
            .text(format!("{} {score:.3}", snapshot.name(best))),
    );
    let x = response.rect.left() + response.rect.width() * snapshot.threshold.clamp(0.0, 1.0);
    ui.painter()
        .vline(x, response.rect.y_range(), Stroke::new(2.0, Color32::WHITE));
    match snapshot.top.get(1) {
        Some(&(second, runner_up)) => ui.small(format!(
            "threshold {:.3} (white line) · margin {:+.3} over {}",
            snapshot.threshold,
            score - runner_up,
            snapshot.name(second)
        )),
        None => ui.small(format!("threshold {:.3} (white line)", snapshot.threshold)),
    };
}
