//! The shortcuts overlay (F1 or ?), and the larger style for a touch screen kiosk.

/// Every shortcut the window has; `app.rs` handles them.
pub const SHORTCUTS: [(&str, &str); 9] = [
    ("0", "auto: each face at the size it really has"),
    ("1 / 2 / 3", "simulate distance: shrink to 16 / 24 / 32 px"),
    ("Space", "pause or resume the camera"),
    ("M", "show or hide the metrics"),
    ("P", "show or hide the people (enroll, gallery)"),
    ("F11", "full screen on or off"),
    ("F1 or ?", "this help"),
    ("Esc", "close this help"),
    ("click or tap a box", "follow that face in the panels"),
];

/// Fits the screen (a 7" one included): the close button first, where a finger reaches it,
/// and the list scrolls when the screen is short.
pub fn help(ctx: &egui::Context, open: &mut bool) {
    let mut close = false;
    let height = ctx.content_rect().height();
    egui::Window::new("Keyboard and touch")
        .open(open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            close = ui.button("close").clicked();
            // The title bar and the close button take about 120 px of a touch screen's.
            egui::ScrollArea::vertical()
                .max_height(height - 140.0)
                .show(ui, shortcuts);
        });
    if close {
        *open = false;
    }
}

fn shortcuts(ui: &mut egui::Ui) {
    egui::Grid::new("shortcuts")
        .num_columns(2)
        .spacing([24.0, 8.0])
        .striped(true)
        .show(ui, |ui| {
            for (keys, what) in SHORTCUTS {
                ui.strong(keys);
                ui.label(what);
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    ui.label(
        "Green: named · amber: unknown · grey: can't tell (too small, blurred or turned), \
                 or checking (a different face where a named one was).",
    );
}

/// Bigger text and targets for the official 7" touch display (800x480): a button becomes
/// at least 44 px tall, the size touch guidelines ask for a fingertip.
pub fn touch_style(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        style.spacing.interact_size = egui::vec2(56.0, 44.0);
        style.spacing.button_padding = egui::vec2(14.0, 10.0);
        style.spacing.item_spacing = egui::vec2(12.0, 10.0);
        style.spacing.slider_width = 220.0;
        for font in style.text_styles.values_mut() {
            font.size *= 1.25;
        }
    });
}
