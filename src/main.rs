//! `lrfr`: parse the command line and hand over to a front end: the window (`gui`, or no
//! command at all) or one of the headless commands (`cli`). The two are siblings over the
//! core; neither dispatches to the other.

mod cli;
mod gui;
mod options;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use lrfr::Config;

#[derive(Parser, Debug)]
#[command(
    name = "lrfr",
    version,
    about = "Recognise people from very low resolution faces (16, 24 or 32 px)"
)]
struct Lrfr {
    #[command(flatten)]
    global: GlobalArgs,
    /// Without a command, the window opens
    #[command(subcommand)]
    front: Option<Front>,
}

#[derive(Subcommand, Debug)]
enum Front {
    /// The window: live identification, enrollment, metrics (the default)
    Gui(gui::GuiArgs),
    #[command(flatten)]
    Headless(cli::Command),
}

/// Flags for every front end, given before the command's name; each command that uses one
/// also takes it after its name (see `options.rs`).
#[derive(Args, Debug, Clone)]
struct GlobalArgs {
    /// Folder holding gallery.json and the enrolled faces [default: the user's data folder]
    #[arg(long, value_name = "DIR")]
    gallery: Option<PathBuf>,
    /// Folder holding manifest.json and the models [default: $LRFR_MODELS, then
    /// ../share/lrfr/models beside the program, /usr/share/lrfr/models, the build tree]
    #[arg(long, value_name = "DIR")]
    models: Option<PathBuf>,
    /// Threads for the networks; EdgeFace always uses one, its fastest in tract [default: the number of cores]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: Option<u16>,
}

impl GlobalArgs {
    fn config(&self) -> Config {
        let mut config = Config::default();
        if let Some(dir) = &self.gallery {
            config.gallery_dir = dir.clone();
        }
        if let Some(dir) = &self.models {
            config.models_dir = dir.clone();
        }
        if let Some(threads) = self.threads {
            config.threads = usize::from(threads);
        }
        config
    }
}

/// Opens the window, or says in one sentence why it cannot: over SSH with no display, the
/// windowing library's own error names its source files.
fn window(config: lrfr::Config, options: gui::GuiOptions) -> anyhow::Result<()> {
    if let Err(why) = lrfr::doctor::display_server() {
        anyhow::bail!(
            "the window cannot open here: {why}. Run `lrfr watch` for recognition without a \
             window, or start lrfr on the Pi's desktop (or set DISPLAY)"
        );
    }
    gui::run(config, options)
}

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, which turns a closed pipe into a panic in println!; a CLI should
    // simply stop, as other Unix tools do.
    // SAFETY: called first thing, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Diagnostics on stderr: warnings (a broker or camera gone) by default; RUST_LOG=lrfr=info
    // adds model loading and its timing, gallery saves and reconnects, =debug more.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("lrfr=warn"));
    // Colour only on a terminal: journald and log files get plain text.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Lrfr::parse();
    let mut config = args.global.config();
    let result = match args.front {
        None => window(config, gui::GuiArgs::default().options()),
        Some(Front::Gui(window_args)) => {
            window_args.apply_options(&mut config);
            window(config, window_args.options())
        }
        Some(Front::Headless(command)) => {
            command.apply_options(&mut config);
            cli::run(&config, command)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.is::<cli::NoMatch>() => {
            eprintln!("lrfr: {error}");
            ExitCode::from(cli::NO_MATCH_EXIT)
        }
        Err(error) => {
            eprintln!("lrfr: {}", one_line(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each said once. Many of the library's errors name
/// their cause in their own message (`{path}: {source}`, which `lrfr identify` prints per
/// file), so `{:#}` said it twice or three times ("x.jpg: No such file or directory (os
/// error 2): No such file or directory (os error 2)").
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}
