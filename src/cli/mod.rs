//! The headless commands. Each file is one command; all of them go through the core API.
//! `main.rs` parses the command line and hands a command here, or opens the window.

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

use clap::Subcommand;
use lrfr::{Config, Resolution};

/// The headless commands; `main.rs` puts them beside the window's `gui`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Enroll a person from image files or folders (at least 3 usable faces)
    Enroll(enroll::EnrollArgs),
    /// Identify the face in each image against everyone enrolled (1:N)
    Identify(identify::IdentifyArgs),
    /// Check each image against one enrolled person (1:1); exits 0 when every image matches,
    /// 3 when one does not
    Verify(identify::VerifyArgs),
    /// List, remove or rename enrolled people; export or import them (encrypted)
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
    /// Live recognition without a window: a line when a face is named, unnamed, a stranger, or lost
    Watch(watch::WatchArgs),
    /// Check the models, the gallery, the cameras, the display and the data folders
    Doctor(DoctorArgs),
}

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    #[command(flatten)]
    gallery_option: crate::options::GalleryOption,
    #[command(flatten)]
    models_option: crate::options::ModelsOption,
}

impl Command {
    /// Applies the options given after the command's name (where, and how many threads),
    /// over those given before it.
    pub fn apply_options(&self, config: &mut Config) {
        use crate::options::Apply;
        match self {
            Command::Enroll(a) => a.options.apply(config),
            Command::Identify(a) => a.options.apply(config),
            Command::Verify(a) => a.common.options.apply(config),
            Command::Gallery(a) => a.options.apply(config),
            Command::Crop(a) => a.options.apply(config),
            Command::Embed(a) => a.options.apply(config),
            Command::Eval(a) => a.options.apply(config),
            Command::Bench(a) => a.options.apply(config),
            Command::Soak(a) => a.options.apply(config),
            Command::Watch(a) => a.options.apply(config),
            Command::Doctor(a) => {
                a.gallery_option.apply(config);
                a.models_option.apply(config);
            }
        }
    }
}

/// The first line of a passphrase or password file (`what` names it in the error), read
/// through a 64 kB cap: `/dev/zero` is not a secret.
pub fn secret_line(path: &std::path::Path, what: &str) -> anyhow::Result<String> {
    use anyhow::Context;
    let text = lrfr::bounded::read_to_string(path, 64 << 10)
        .with_context(|| format!("reading the {what} from {}", path.display()))?;
    Ok(text.lines().next().unwrap_or("").to_string())
}

/// `verify` found no match: `main` says so and exits 3, so a script can tell "not this
/// person" (3) from "could not check" (1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NoMatch(pub String);

/// Exit status for "no match".
pub const NO_MATCH_EXIT: u8 = 3;

/// `path` for one line of text output: control characters (a newline or an escape sequence
/// in a file name) are written escaped (`\n`, `\u{1b}`), so a file name cannot forge a line
/// of output or drive the terminal. JSON output escapes them by itself.
pub fn shown_path(path: &std::path::Path) -> String {
    path.display()
        .to_string()
        .chars()
        .map(|c| match c.is_control() {
            true => c.escape_debug().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// `--fps`: 0 (as fast as frames are processed) to 1000.
pub fn fps(text: &str) -> Result<f32, String> {
    text.parse::<f32>()
        .ok()
        .filter(|f| f.is_finite() && (0.0..=1000.0).contains(f))
        .ok_or_else(|| format!("{text:?} is not a rate from 0 (as fast as possible) to 1000"))
}

/// `--hold`: 0 to 3600 seconds.
pub fn seconds(text: &str) -> Result<f32, String> {
    text.parse::<f32>()
        .ok()
        .filter(|s| s.is_finite() && (0.0..=3600.0).contains(s))
        .ok_or_else(|| format!("{text:?} is not a number of seconds from 0 to 3600"))
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

pub fn run(config: &Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Enroll(args) => enroll::run(config, args),
        Command::Identify(args) => identify::run_identify(config, args),
        Command::Verify(args) => identify::run_verify(config, args),
        Command::Gallery(args) => gallery::run(config, args),
        Command::Crop(args) => crop::run(config, args),
        Command::Embed(args) => embed::run(config, args),
        Command::Eval(args) => eval::run(config, args),
        Command::Bench(args) => bench::run(config, args),
        Command::Soak(args) => soak::run(config, args),
        Command::Watch(args) => watch::run(config, args),
        Command::Doctor(_) => doctor::run(config),
    }
}
