//! The three live panels: the camera with every tracked face's box and label (click one to
//! follow it), that face before and after super-resolution, and who it is with the top five.

use egui::load::SizedTexture;
use egui::{Color32, FontId, Rect, Sense, Stroke, StrokeKind, Vec2};

use lrfr::align::FACE_SIZE;
use lrfr::ResChoice;

use super::textures::Textures;
use crate::gui::snapshot::{Label, Snapshot};
use crate::gui::worker::Command;

const KNOWN: Color32 = Color32::from_rgb(60, 200, 90);
const UNKNOWN: Color32 = Color32::from_rgb(240, 170, 40);
const CANT_TELL: Color32 = Color32::from_rgb(150, 150, 150);

/// Below this width the panels stack vertically.
const SIDE_BY_SIDE: f32 = 600.0;
/// Room under the camera image for its heading and the FPS line.
const CAMERA_CHROME: f32 = 80.0;

/// Side by side, the camera takes what the window's height allows (up to 62% of the width)
/// with who it is underneath, and the face before and after DSR fills the column beside it,
/// so a bigger window means bigger pictures instead of empty space; narrow windows stack
/// everything.
pub fn live(
    ui: &mut egui::Ui,
    snapshot: &Snapshot,
    textures: &Textures,
    commands: &mut Vec<Command>,
) {
    let (width, height) = (ui.available_width(), ui.available_height());
    let aspect = snapshot.frame.height().max(1) as f32 / snapshot.frame.width().max(1) as f32;
    egui::ScrollArea::vertical().show(ui, |ui| {
        if width >= SIDE_BY_SIDE {
            let by_height = (height - CAMERA_CHROME).max(120.0) / aspect;
            let camera_width = by_height.min(width * 0.62);
            let side = width - camera_width - 16.0;
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(camera_width);
                    camera(ui, snapshot, textures, camera_width, commands);
                    ui.add_space(8.0);
                    matched(ui, snapshot, textures, camera_width);
                });
                ui.vertical(|ui| {
                    ui.set_width(side);
                    // One above the other in a tall column, side by side in a short one
                    // (a 7" screen): whichever gives the bigger pictures.
                    let stacked = (side - 8.0).min((height - 110.0) / 2.0);
                    let beside = (side / 2.0 - 8.0).min(height - 90.0);
                    face(
                        ui,
                        snapshot,
                        textures,
                        stacked.max(beside).max(64.0),
                        stacked >= beside,
                    );
                });
            });
        } else {
            ui.vertical(|ui| {
                camera(ui, snapshot, textures, width, commands);
                face(
                    ui,
                    snapshot,
                    textures,
                    (width / 2.0 - 8.0).min(320.0),
                    false,
                );
                matched(ui, snapshot, textures, width);
            });
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

/// The face the model gets beside (or above) what DSR made of it, each `tile` px square.
fn face(ui: &mut egui::Ui, snapshot: &Snapshot, textures: &Textures, tile: f32, stacked: bool) {
    ui.heading(format!("Face: {}", path(snapshot)));
    let Some(texture) = &textures.face_strip else {
        return;
    };
    if snapshot.face.is_none() {
        ui.label("no face");
        return;
    }
    let tiles = |ui: &mut egui::Ui| {
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
    };
    if stacked {
        ui.vertical(tiles);
    } else {
        ui.horizontal(tiles);
    }
}

/// How the shown face reached the DSR: at `auto` a distant face keeps its own pixels, a near
/// one (and every face at a fixed resolution, distance simulated) is shrunk.
fn path(snapshot: &Snapshot) -> String {
    let native = snapshot.native;
    match snapshot.face_res {
        None if native > 0.0 => format!("{native:.0} px of its own, under 16"),
        None => match snapshot.res {
            ResChoice::Native => "auto".to_string(),
            ResChoice::Fixed(res) => format!("{res} px · DSR 112 out"),
        },
        Some(res) if snapshot.res == ResChoice::Native && native < FACE_SIZE as f32 => {
            format!("{res} px of its own ({native:.0}) · DSR 112 out")
        }
        Some(res) => format!("{res} px, shrunk from {native:.0} · DSR 112 out"),
    }
}

/// Who it is: the enrolled person's picture beside the name, the score bar and the top five.
fn matched(ui: &mut egui::Ui, snapshot: &Snapshot, textures: &Textures, width: f32) {
    ui.heading("Who is it?");
    if snapshot.face.is_none() {
        ui.label("no face");
        return;
    }
    let picture = (width / 4.0).clamp(64.0, 160.0);
    ui.horizontal_top(|ui| {
        if let (Some(_), Some(texture)) = (snapshot.accepted, &textures.face_strip) {
            let uv = Rect::from_min_max(egui::pos2(2.0 / 3.0, 0.0), egui::pos2(1.0, 1.0));
            ui.add(
                egui::Image::from_texture(SizedTexture::new(texture.id(), Vec2::splat(picture)))
                    .uv(uv),
            );
        }
        ui.vertical(|ui| {
            match snapshot.accepted {
                Some((person, _)) => {
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
        });
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
