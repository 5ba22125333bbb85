//! Memory and latency: RSS now and peak, system memory, CPU, per-stage latency, FPS, model
//! sizes, and the last minute of RSS and latency.

use egui_plot::{Line, Plot, PlotPoints};
use lrfr::metrics::STAGE_NAMES;

use crate::gui::snapshot::Snapshot;

const MB: f64 = 1_048_576.0;

pub fn metrics(ui: &mut egui::Ui, snapshot: &Snapshot) {
    let m = &snapshot.memory;
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "process RSS {:.1} MB (peak {:.1} MB)",
            m.rss_bytes as f64 / MB,
            m.peak_rss_bytes as f64 / MB
        ));
        ui.separator();
        ui.label(format!(
            "system {:.0} MB used, {:.0} MB available of {:.0} MB",
            m.system_used_bytes as f64 / MB,
            m.system_available_bytes as f64 / MB,
            m.system_total_bytes as f64 / MB
        ));
        ui.separator();
        ui.label(format!("CPU {:.0}%", m.cpu_percent));
        ui.separator();
        ui.label(format!("{:.1} FPS", snapshot.fps));
    });
    // A column beside the live view: the answer stays in sight while these are read.
    ui.vertical(|ui| {
        egui::Grid::new("stages").striped(true).show(ui, |ui| {
            ui.strong("stage");
            ui.strong("median ms");
            ui.strong("p90 ms");
            ui.end_row();
            for (name, s) in STAGE_NAMES.iter().zip(snapshot.stages.iter()) {
                ui.label(*name);
                ui.label(format!("{:.2}", s.median_ms));
                ui.label(format!("{:.2}", s.p90_ms));
                ui.end_row();
            }
        });
        ui.separator();
        egui::Grid::new("models").striped(true).show(ui, |ui| {
            ui.strong("model");
            ui.strong("size");
            ui.end_row();
            for (file, bytes) in &snapshot.model_files {
                ui.label(file);
                ui.label(format!("{:.2} MB", *bytes as f64 / MB));
                ui.end_row();
            }
        });
        ui.separator();
        plot(ui, "RSS (MB), last minute", &snapshot.rss_history_mb);
        plot(
            ui,
            "frame latency (ms, median), last minute",
            &snapshot.latency_history_ms,
        );
    });
}

fn plot(ui: &mut egui::Ui, title: &str, values: &std::collections::VecDeque<f32>) {
    ui.small(title);
    let points: PlotPoints = values
        .iter()
        .enumerate()
        .map(|(i, v)| [i as f64, f64::from(*v)])
        .collect();
    Plot::new(title)
        .height(70.0)
        .width(ui.available_width().min(300.0))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show(ui, |plot| plot.line(Line::new(title, points)));
}
