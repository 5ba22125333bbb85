//! `lrfr doctor`: everything the app depends on, checked the way the app uses it, each with
//! what to do when it is not right. Nothing here changes anything.

mod files;
mod system;

pub use system::display_server;

use crate::config::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Good,
    /// Works, but something is worth knowing (no camera on a machine that plays folders).
    Note,
    /// Will not work until fixed.
    Fix,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was checked: "models", "gallery", "camera", "display", "data".
    pub area: &'static str,
    pub health: Health,
    /// What was found, and for `Note` and `Fix`, what to do.
    pub text: String,
}

impl Check {
    fn new(area: &'static str, health: Health, text: impl Into<String>) -> Check {
        Check {
            area,
            health,
            text: text.into(),
        }
    }
}

/// Every check, in the order a user would fix things: models, gallery, data folders,
/// cameras, display.
pub fn checks(config: &Config) -> Vec<Check> {
    let mut all = Vec::new();
    let models = files::models(config, &mut all);
    files::gallery(config, models.as_ref(), &mut all);
    files::data_folders(config, &mut all);
    system::cameras(&mut all);
    system::display(&mut all);
    all
}
