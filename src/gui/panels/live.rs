//! The three live panels: camera with the face box, the face before and after super-resolution,
//! and the matched person with the top five.

use egui::load::SizedTexture;
use egui::{Color32, Rect, Stroke, StrokeKind, Vec2};

use super::textures::Textures;
use crate::gui::snapshot::Snapshot;

/// Below this width the panels stack vertically.
const SIDE_BY_SIDE: f32 = 900.0;

pub fn live(ui: &mut egui::Ui, snapshot: &Snapshot, textures: &Textures) {
    let wide = ui.available_width() >= SIDE_BY_SIDE;
    let column = if wide {
        (ui.available_width() - 24.0) / 3.0
    } else {
        ui.available_width()
    };
    let layout = |ui: &mut egui::Ui| {
        ui.vertical(|ui| {
            ui.set_width(column);
            camera(ui, snapshot, textures, column);
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

fn camera(ui: &mut egui::Ui, snapshot: &Snapshot, textures: &Textures, width: f32) {
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
    let response = ui.add(egui::Image::from_texture(SizedTexture::new(
        texture.id(),
        size,
    )));
    if let Some(face) = snapshot.face {
        let scale = size.x / fw;
        let rect = Rect::from_min_size(
            response.rect.min + Vec2::new(face.x, face.y) * scale,
            Vec2::new(face.width, face.height) * scale,
        );
        let colour = if snapshot.accepted.is_some() {
            Color32::GREEN
        } else {
            Color32::YELLOW
        };
        ui.painter()
            .rect_stroke(rect, 2.0, Stroke::new(2.0, colour), StrokeKind::Outside);
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
        Some((person, score)) => {
            if let Some(texture) = &textures.face_strip {
                let uv = Rect::from_min_max(egui::pos2(2.0 / 3.0, 0.0), egui::pos2(1.0, 1.0));
                let side = (width / 2.0).min(160.0);
                ui.add(
                    egui::Image::from_texture(SizedTexture::new(texture.id(), Vec2::splat(side)))
                        .uv(uv),
                );
            }
            ui.heading(snapshot.name(person));
            ui.add(egui::ProgressBar::new(score.clamp(0.0, 1.0)).text(format!("score {score:.3}")));
        }
        None if snapshot.people.is_empty() => {
            ui.heading("unknown");
            ui.label("nobody is enrolled yet: enroll someone on the right");
        }
        None => {
            ui.heading("unknown");
        }
    }
    ui.add_space(8.0);
    ui.label(format!("threshold {:.3}", snapshot.threshold));
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
