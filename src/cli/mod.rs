//! The headless commands. Each file is one command; all of them go through the core API.

mod bench;
mod crop;
mod doctor;
mod embed;
mod enroll;
mod eval;
mod gallery;
mod identify;
mod open;
mod progress;
mod soak;
mod watch;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use lrfr::Resolution;

#[derive(Parser, Debug)]
#[command(
    name = "lrfr",
    version,
    about = "Recognise people from very low resolution faces (16, 24 or 32 px)"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Without a command, the window opens
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Folder holding gallery.json and the enrolled faces [default: the user's data folder]
    #[arg(long, global = true, value_name = "DIR")]
    pub gallery: Option<PathBuf>,
    /// Folder holding manifest.json and the models [default: $LRFR_MODELS, then
    /// ../share/lrfr/models beside the program, /usr/share/lrfr/models, the build tree]
    #[arg(long, global = true, value_name = "DIR")]
    pub models: Option<PathBuf>,
    /// Threads for the networks [default: the number of cores]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: Option<u16>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The window: live identification, enrollment, metrics (the default)
    Gui(GuiArgs),
    /// Enroll a person from image files or folders (at least 3 usable faces)
    Enroll(enroll::EnrollArgs),
    /// Identify the face in each image against everyone enrolled (1:N)
    Identify(identify::IdentifyArgs),
    /// Check each image against one enrolled person (1:1)
    Verify(identify::VerifyArgs),
    /// List, remove or rename enrolled people
    Gallery(gallery::GalleryArgs),
    /// Write the aligned 112x112 faces exactly as the pipeline makes them
    Crop(crop::CropArgs),
    /// Print the embedding of the face in each image, per resolution (JSON lines)
    Embed(embed::EmbedArgs),
    /// Face verification accuracy over a pairs list (LFW pairs.txt or TSV)
    Eval(eval::EvalArgs),
    /// Time the per-frame path or each model alone
    Bench(bench::BenchArgs),
    /// Identify over a folder for a long time, sampling memory (a leak check)
    Soak(soak::SoakArgs),
    /// Live recognition without a window: a line when a face is named, renamed or lost
    Watch(watch::WatchArgs),
    /// Check the models, the gallery, the cameras, the display and the data folders
    Doctor,
}

#[derive(Args, Debug)]
pub struct GuiArgs {
    /// Webcam index (/dev/videoN) [default: the camera or folder used last time, else 0]
    #[arg(long)]
    camera: Option<u32>,
    /// Play a folder of images as the camera instead
    #[arg(long, value_name = "DIR")]
    source: Option<PathBuf>,
    /// Resolution to start at: `auto` (each face at the largest of 16/24/32 px it really
    /// has), or 16, 24 or 32 to simulate distance with a near face
    #[arg(long, default_value = "auto")]
    res: lrfr::ResChoice,
    /// Start full-screen, as a kiosk (F11 toggles it)
    #[arg(long)]
    fullscreen: bool,
}

/// `all`, or one of 16, 24, 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResSet {
    All,
    One(Resolution),
}

impl ResSet {
    pub fn list(self) -> Vec<Resolution> {
        match self {
            ResSet::All => Resolution::ALL.to_vec(),
            ResSet::One(r) => vec![r],
        }
    }
}

impl std::str::FromStr for ResSet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("all") {
            return Ok(ResSet::All);
        }
        s.parse()
            .map(ResSet::One)
            .map_err(|e| format!("{e} (or all)"))
    }
}

/// What `eval` measures: `all` (16, 24 and 32, distance simulated), one of them, or `auto`
/// (each face at the resolution its own size gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalRes {
    Set(ResSet),
    Auto,
}

impl EvalRes {
    pub fn list(self) -> Vec<lrfr::ResChoice> {
        match self {
            EvalRes::Set(set) => set.list().into_iter().map(lrfr::ResChoice::Fixed).collect(),
            EvalRes::Auto => vec![lrfr::ResChoice::Native],
        }
    }
}

impl std::str::FromStr for EvalRes {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(EvalRes::Auto);
        }
        s.parse()
            .map(EvalRes::Set)
            .map_err(|e| format!("{e} (or auto)"))
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config = open::config(&cli.global);
    let command = cli.command.unwrap_or(Command::Gui(GuiArgs {
        camera: None,
        source: None,
        res: lrfr::ResChoice::Native,
        fullscreen: false,
    }));
    match command {
        Command::Gui(args) => crate::gui::run(
            config,
            crate::gui::GuiOptions::new(args.camera, args.source, args.res, args.fullscreen),
        ),
        Command::Enroll(args) => enroll::run(&config, args),
        Command::Identify(args) => identify::run_identify(&config, args),
        Command::Verify(args) => identify::run_verify(&config, args),
        Command::Gallery(args) => gallery::run(&config, args),
        Command::Crop(args) => crop::run(&config, args),
        Command::Embed(args) => embed::run(&config, args),
        Command::Eval(args) => eval::run(&config, args),
        Command::Bench(args) => bench::run(&config, args),
        Command::Soak(args) => soak::run(&config, args),
        Command::Watch(args) => watch::run(&config, args),
        Command::Doctor => doctor::run(&config),
    }
}
