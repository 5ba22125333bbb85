//! The egui window. It talks to the core only through the inference worker ([`worker`]):
//! commands go in, snapshots of the latest frame's results come out, so the UI thread never
//! waits on a camera or a network.

mod app;
mod command;
#[cfg(test)]
mod image_tests;
mod panels;
mod shell;
mod snapshot;
#[cfg(test)]
mod tests;
mod words;
mod worker;

use std::path::PathBuf;

use lrfr::{Config, ResChoice};

pub use app::LrfrApp;
pub use command::SourceChoice;

/// `lrfr gui` (and `lrfr` alone, with every flag at its default): the window's flags.
#[derive(clap::Args, Debug)]
pub struct GuiArgs {
    #[command(flatten)]
    pub(crate) options: crate::options::AllOptions,
    /// Webcam index (/dev/videoN) [default: the camera or folder used last time, else 0]
    #[arg(long)]
    camera: Option<u32>,
    /// Play a folder of images as the camera instead
    #[arg(long, value_name = "DIR")]
    source: Option<PathBuf>,
    /// Resolution to start at: `auto` (each face at the largest of 16/24/32 px it really
    /// has), or 16, 24 or 32 to simulate distance with a near face
    #[arg(long, default_value_t)]
    res: ResChoice,
    /// Start full-screen, as a kiosk (F11 toggles it)
    #[arg(long)]
    fullscreen: bool,
    /// Images a second a folder plays at
    #[arg(long, default_value_t = 15.0, value_parser = crate::cli::fps)]
    fps: f32,
    /// Seconds each image of a folder stays in view [default: 2 for separate photos, 0 for a
    /// video's numbered frames]
    #[arg(long, value_name = "SECONDS", value_parser = crate::cli::seconds)]
    hold: Option<f32>,
}

/// The flags' own defaults, for `lrfr` with no command.
impl Default for GuiArgs {
    fn default() -> Self {
        GuiArgs {
            options: Default::default(),
            camera: None,
            source: None,
            res: ResChoice::default(),
            fullscreen: false,
            fps: 15.0,
            hold: None,
        }
    }
}

impl GuiArgs {
    /// Applies the options given after `gui` over those given before it.
    pub fn apply_options(&self, config: &mut lrfr::Config) {
        use crate::options::Apply;
        self.options.apply(config);
    }

    pub fn options(self) -> GuiOptions {
        let mut options = GuiOptions::new(self.camera, self.source, self.res, self.fullscreen);
        options.pace = lrfr::source::Pace {
            fps: Some(self.fps),
            hold: self.hold.map(std::time::Duration::from_secs_f32),
        };
        options
    }
}

/// What the window was asked for.
#[derive(Debug, Clone)]
pub struct GuiOptions {
    /// `None`: the source used last time (eframe's storage), else camera 0.
    pub source: Option<SourceChoice>,
    pub res: ResChoice,
    pub fullscreen: bool,
    /// How a folder plays.
    pub pace: lrfr::source::Pace,
}

impl GuiOptions {
    pub fn new(
        camera: Option<u32>,
        folder: Option<PathBuf>,
        res: ResChoice,
        fullscreen: bool,
    ) -> GuiOptions {
        let source = match (folder, camera) {
            (Some(dir), _) => Some(SourceChoice::Folder(dir)),
            (None, Some(index)) => Some(SourceChoice::Camera { index, mode: None }),
            (None, None) => None,
        };
        GuiOptions {
            source,
            res,
            fullscreen,
            pace: lrfr::source::Pace::default(),
        }
    }
}

/// Opens the window and runs until it is closed.
pub fn run(config: Config, options: GuiOptions) -> anyhow::Result<()> {
    let native = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("LRFR — low-resolution face recognition")
            // Matches the menu entry's StartupWMClass, so the desktop shows our icon.
            .with_app_id("lrfr")
            .with_fullscreen(options.fullscreen)
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([480.0, 360.0]),
        ..Default::default()
    };
    eframe::run_native(
        "lrfr",
        native,
        Box::new(move |cc| {
            let mut options = options;
            if options.source.is_none() {
                options.source = cc
                    .storage
                    .and_then(|s| eframe::get_value(s, app::SOURCE_KEY));
            }
            Ok(Box::new(LrfrApp::new(&cc.egui_ctx, config, options)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}
