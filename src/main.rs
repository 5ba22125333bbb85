//! `lrfr`: parse the command line and hand over to a front end.

mod cli;
mod gui;

use std::process::ExitCode;

use clap::Parser;

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
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match cli::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lrfr: {error:#}");
            ExitCode::FAILURE
        }
    }
}
