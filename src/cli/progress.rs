//! Progress bars on stderr for commands that work through many files. indicatif draws
//! nothing when stderr is not a terminal, so logs, pipes and tests stay clean; messages go
//! through [`say`] so they print above a bar instead of through it.

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lrfr::source::{list_images, SourceError};

pub fn bar(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed}, {eta} to go)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// A line on stderr that does not tear the bar.
pub fn say(bar: &ProgressBar, text: impl std::fmt::Display) {
    bar.suspend(|| eprintln!("{text}"));
}

/// Every image below each of `roots`, in order, listed before the work starts so the bar
/// knows its length.
pub fn images(roots: &[PathBuf]) -> Result<Vec<(usize, PathBuf)>, SourceError> {
    let mut all = Vec::new();
    for (i, root) in roots.iter().enumerate() {
        all.extend(list_images(root)?.into_iter().map(|p| (i, p)));
    }
    Ok(all)
}
