//! The three live panels: the camera with every tracked face's box and label (click one to
//! follow it), that face before and after super-resolution, and who it is with the top five.

use egui::load::SizedTexture;
use egui::{Color32, FontId, Rect, Sense, Stroke, StrokeKind, Vec2};

use lrfr::align::FACE_SIZE;
use lrfr::ResChoice;

use super::textures::Textures;
use crate::gui::command::{Command, Edit};
use crate::gui::snapshot::{Label, Snapshot};

const KNOWN: Color32 = Color32::from_rgb(60, 200, 90);
const UNKNOWN: Color32 = Color32::from_rgb(240, 170, 40);
const CANT_TELL: Color32 = Color32::from_rgb(150, 150, 150);

/// Below this width the panels stack vertically.
const SIDE_BY_SIDE: f32 = 520.0;
/// Room under the camera image for its heading and the FPS line.
const CAMERA_CHROME: f32 = 64.0;
/// Room the face tiles need besides the tiles: heading, captions and spacing (with the
/// kiosk's larger text).
const FACE_CHROME: f32 = 76.0;
/// The top five, when there is room for them: heading and five rows.
const TOP_FIVE: f32 = 150.0;

/// Side by side, the camera takes what the window's height allows (up to 60% of the width);
/// the column beside it opens with the answer in large type, so it is the first thing read
/// and is never pushed out of view, then the face before and after DSR, sized to what is
/// left, then the top five if they fit. Narrow windows stack everything.
pub fn live(
    ui: &mut egui::Ui,
    snapshot: &Snapshot,
    textures: &Textures,
    commands: &mut Vec<Command>,
) {
    let (width, height) = (ui.available_width(), ui.available_height());
    let aspect = snapshot.frame.height().max(1) as f32 / snapshot.frame.width().max(1) as f32;
    if width >= SIDE_BY_SIDE {
        let by_height = (height - CAMERA_CHROME).max(120.0) / aspect;
        let camera_width = by_height.min(width * 0.6);
        let side = width - camera_width - 16.0;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(camera_width);
                camera(ui, snapshot, textures, camera_width, commands);
            });
            ui.vertical(|ui| {
                ui.set_width(side);
                answer(ui, snapshot, textures, side, commands);
                // What the answer left, whatever the text style made of its height.
                let room = ui.available_height() - FACE_CHROME;
                let with_top = (room - TOP_FIVE).min(side / 2.0 - 8.0);
                let without = room.min(side / 2.0 - 8.0);
                // The top five only when the faces keep most of their size beside them.
                let show_top = with_top >= 0.75 * without && with_top >= 64.0;
                let tile = if show_top { with_top } else { without };
                face(ui, snapshot, textures, tile.max(48.0));
                if show_top {
                    top_five(ui, snapshot);
                }
            });
        });
    } else {
        egui::ScrollArea::vertical().show(ui, |ui| {
            answer(ui, snapshot, textures, width, commands);
            // Half the height at most, so the faces below stay in sight.
            let camera_width = width.min(height * 0.5 / aspect);
            camera(ui, snapshot, textures, camera_width, commands);
            face(ui, snapshot, textures, (width / 2.0 - 8.0).min(320.0));
            top_five(ui, snapshot);
        });
    }
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
            Label::CantTell(why) if why == "checking" => (CANT_TELL, "checking".to_string()),
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

/// The face the model gets beside what DSR made of it, each `tile` px square.
fn face(ui: &mut egui::Ui, snapshot: &Snapshot, textures: &Textures, tile: f32) {
    ui.heading(format!("Face: {}", path(snapshot)));
    let Some(texture) = &textures.face_strip else {
        return;
    };
    if snapshot.face.is_none() {
        ui.label("no face");
        return;
    }
    ui.horizontal(|ui| {
        for (k, caption) in [(0.0, "what the model gets"), (1.0, "DSR's 112 px")] {
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

/// How the shown face reached the DSR: at `auto` a distant face keeps its own pixels, a near
/// one (and every face at a fixed resolution, distance simulated) is shrunk. Short, so it
/// fits on one line of a narrow column.
fn path(snapshot: &Snapshot) -> String {
    let native = snapshot.native;
    match snapshot.face_res {
        None if native > 0.0 => format!("{native:.0} px of its own, under 16"),
        None => match snapshot.res {
            ResChoice::Native => "auto".to_string(),
            ResChoice::Fixed(res) => format!("{res} px"),
        },
        Some(res) if snapshot.res == ResChoice::Native && native < FACE_SIZE as f32 => {
            format!("{res} px of its own ({native:.0})")
        }
        Some(res) => format!("{res} px, shrunk from {native:.0}"),
    }
}

/// Who it is, the largest thing in the column: the enrolled person's picture beside the
/// name (or unknown, or can't tell) in large type and its colour, and the score bar; under a
/// name, a button to say it is wrong ("not X").
fn answer(
    ui: &mut egui::Ui,
    snapshot: &Snapshot,
    textures: &Textures,
    width: f32,
    commands: &mut Vec<Command>,
) {
    if snapshot.face.is_none() {
        ui.label(egui::RichText::new("no face").size(28.0).color(CANT_TELL));
        return;
    }
    let picture = 72.0;
    ui.horizontal_top(|ui| {
        if let (Some(_), Some(texture)) = (snapshot.accepted, &textures.face_strip) {
            let uv = Rect::from_min_max(egui::pos2(2.0 / 3.0, 0.0), egui::pos2(1.0, 1.0));
            ui.add(
                egui::Image::from_texture(SizedTexture::new(texture.id(), Vec2::splat(picture)))
                    .uv(uv),
            );
        }
        ui.vertical(|ui| {
            let (text, colour, why) = match snapshot.accepted {
                Some((person, _)) => (snapshot.name(person).to_string(), KNOWN, None),
                None if snapshot.cant_tell.is_some() => (
                    "can't tell".to_string(),
                    CANT_TELL,
                    snapshot.cant_tell.clone(),
                ),
                None if snapshot.people.is_empty() => (
                    "unknown".to_string(),
                    UNKNOWN,
                    Some("nobody is enrolled yet: enroll someone under people".into()),
                ),
                None => ("unknown".to_string(), UNKNOWN, None),
            };
            // As large as the column allows, from 22 to 40 px; a long name wraps, never cut.
            let size =
                ((width - picture) / (text.chars().count().max(6) as f32 * 0.55)).clamp(22.0, 40.0);
            ui.add(
                egui::Label::new(egui::RichText::new(text).size(size).strong().color(colour))
                    .wrap(),
            );
            if let Some(why) = why {
                ui.label(why);
            }
            score_bar(ui, snapshot, commands);
        });
    });
}

/// The best five scores, best first; those over the threshold in bold.
fn top_five(ui: &mut egui::Ui, snapshot: &Snapshot) {
    if snapshot.top.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.strong("Closest enrolled");
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
/// how sure the name is, and how close someone else came. Beside that line, under a name, a
/// button to say the name is wrong ("not X"), where it costs the face tiles no height.
fn score_bar(ui: &mut egui::Ui, snapshot: &Snapshot, commands: &mut Vec<Command>) {
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
    // As tall as its small text, as the line was alone: the kiosk has no height to spare
    // (a row's least height is the interact size when it starts).
    ui.scope(|ui| {
        ui.spacing_mut().interact_size.y = 0.0;
        ui.horizontal_wrapped(|ui| {
            match snapshot.top.get(1) {
                Some(&(second, runner_up)) => ui.small(format!(
                    "threshold {:.3} (white line) · margin {:+.3} over {}",
                    snapshot.threshold,
                    score - runner_up,
                    snapshot.name(second)
                )),
                None => ui.small(format!("threshold {:.3} (white line)", snapshot.threshold)),
            };
            if let Some((person, _)) = snapshot.accepted {
                let name = snapshot.name(person);
                // A link, as tall as the line: a button's height came off the kiosk's faces.
                let link = egui::RichText::new(format!("not {name}")).small();
                let button = ui.link(link).on_hover_text(format!(
                    "This is someone else: faces more like this one than like {name} will not be \
                     named {name}"
                ));
                if button.clicked() {
                    commands.push(Command::Gallery(Edit::MarkNot(name.to_string())));
                }
            }
        });
    });
}
