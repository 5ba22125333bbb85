//! `lrfr`: parse the command line and hand over to a front end.

mod cli;
mod gui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lrfr: {error:#}");
            ExitCode::FAILURE
        }
    }
}
