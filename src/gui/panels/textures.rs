//! The window's four textures, updated in place: the camera frame, the face strip (VLR input
//! enlarged with square pixels | DSR output | the matched person), the gallery strip, and the
//! marks (faces marked as not someone: a row per person).

use egui::{Color32, ColorImage, TextureHandle, TextureOptions};
use lrfr::frame::Frame;
use lrfr::gallery::{MAX_NOT, MAX_PEOPLE};

use crate::gui::snapshot::Snapshot;

/// Side of one tile in the face strip and in the gallery strip.
pub const TILE: usize = 112;
/// Side of one mark's tile: a row of [`MAX_NOT`] stays within any GPU's texture size.
pub const MARK_TILE: usize = TILE / 2;

#[derive(Default)]
pub struct Textures {
    pub camera: Option<TextureHandle>,
    pub face_strip: Option<TextureHandle>,
    pub gallery_strip: Option<TextureHandle>,
    /// Row `p`, column `m`: mark `m` of person `p`.
    pub marks: Option<TextureHandle>,
    frame_seq: u64,
    gallery_seq: u64,
}

impl Textures {
    pub fn update(&mut self, ctx: &egui::Context, snapshot: &Snapshot) {
        if snapshot.frame_seq != self.frame_seq && snapshot.frame.width() > 0 {
            self.frame_seq = snapshot.frame_seq;
            let camera = ColorImage::from_rgb(
                [
                    snapshot.frame.width() as usize,
                    snapshot.frame.height() as usize,
                ],
                snapshot.frame.as_raw(),
            );
            set(
                ctx,
                &mut self.camera,
                "camera",
                camera,
                TextureOptions::LINEAR,
            );
            set(
                ctx,
                &mut self.face_strip,
                "face",
                face_strip(snapshot),
                TextureOptions::NEAREST,
            );
        }
        if snapshot.gallery_seq != self.gallery_seq {
            self.gallery_seq = snapshot.gallery_seq;
            let mut strip = ColorImage::filled(
                [TILE * snapshot.people.len().max(1), TILE],
                Color32::from_gray(40),
            );
            for (i, person) in snapshot.people.iter().enumerate() {
                blit(&mut strip, &person.thumbnail, i * TILE, 0, TILE);
            }
            set(
                ctx,
                &mut self.gallery_strip,
                "gallery",
                strip,
                TextureOptions::LINEAR,
            );
            // Most galleries have no marks: no texture is made for them (the panel then
            // draws none, and one left from earlier marks is not drawn either).
            if snapshot.people.iter().all(|p| p.marks.is_empty()) {
                return;
            }
            let mut marks = ColorImage::filled(
                [MARK_TILE * MAX_NOT, MARK_TILE * MAX_PEOPLE],
                Color32::from_gray(40),
            );
            for (p, person) in snapshot.people.iter().take(MAX_PEOPLE).enumerate() {
                for (m, mark) in person.marks.iter().take(MAX_NOT).enumerate() {
                    blit(
                        &mut marks,
                        &mark.crop,
                        m * MARK_TILE,
                        p * MARK_TILE,
                        MARK_TILE,
                    );
                }
            }
            set(ctx, &mut self.marks, "marks", marks, TextureOptions::LINEAR);
        }
    }
}

fn set(
    ctx: &egui::Context,
    slot: &mut Option<TextureHandle>,
    name: &str,
    image: ColorImage,
    options: TextureOptions,
) {
    match slot {
        Some(texture) => texture.set(image, options),
        None => *slot = Some(ctx.load_texture(name, image, options)),
    }
}

fn face_strip(snapshot: &Snapshot) -> ColorImage {
    let mut strip = ColorImage::filled([3 * TILE, TILE], Color32::from_gray(30));
    if snapshot.face.is_some() {
        blit(&mut strip, &snapshot.vlr, 0, 0, TILE);
        blit(&mut strip, &snapshot.upscaled, TILE, 0, TILE);
        if let Some(person) = snapshot.accepted.and_then(|(p, _)| snapshot.people.get(p)) {
            blit(&mut strip, &person.thumbnail, 2 * TILE, 0, TILE);
        }
    }
    strip
}

/// Draws `image` scaled to a `side` px tile (nearest neighbour, so VLR pixels stay square)
/// at (`x0`, `y0`).
fn blit(strip: &mut ColorImage, image: &Frame, x0: usize, y0: usize, side: usize) {
    let (w, h) = (image.width() as usize, image.height() as usize);
    if w == 0 || h == 0 {
        return;
    }
    let width = strip.size[0];
    for y in 0..side {
        for x in 0..side {
            let px = image.get_pixel((x * w / side) as u32, (y * h / side) as u32);
            strip.pixels[(y0 + y) * width + x0 + x] = Color32::from_rgb(px[0], px[1], px[2]);
        }
    }
}
