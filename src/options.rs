//! Where the gallery and the models are, and how many threads the networks use: flattened
//! into each command that uses them, so its help lists only those (`doctor --threads` was
//! listed before and meant nothing). `lrfr --help` lists them once for every command, given
//! before the command's name.

use std::path::PathBuf;

use clap::Args;
use lrfr::Config;

#[derive(Args, Debug, Clone, Default)]
pub struct GalleryOption {
    /// Folder holding gallery.json and the enrolled faces [default: the user's data folder]
    // Global within a command, so `lrfr gallery list --gallery DIR` reaches the subcommand.
    #[arg(long, global = true, value_name = "DIR")]
    pub gallery: Option<PathBuf>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct ModelsOption {
    /// Folder holding manifest.json and the models [default: $LRFR_MODELS, then
    /// ../share/lrfr/models beside the program, /usr/share/lrfr/models, the build tree]
    #[arg(long, value_name = "DIR")]
    pub models: Option<PathBuf>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct ThreadsOption {
    /// Threads for the networks; EdgeFace always uses one, its fastest in tract [default: the
    /// number of cores]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: Option<u16>,
}

/// The networks' options: where the models are and how many threads run them.
#[derive(Args, Debug, Clone, Default)]
pub struct ModelOptions {
    #[command(flatten)]
    pub models: ModelsOption,
    #[command(flatten)]
    pub threads: ThreadsOption,
}

/// All three, for the commands that recognise against the gallery.
#[derive(Args, Debug, Clone, Default)]
pub struct AllOptions {
    #[command(flatten)]
    pub gallery: GalleryOption,
    #[command(flatten)]
    pub networks: ModelOptions,
}

/// An option that, when given, overrides its part of the configuration.
pub trait Apply {
    fn apply(&self, config: &mut Config);
}

impl Apply for GalleryOption {
    fn apply(&self, config: &mut Config) {
        if let Some(dir) = &self.gallery {
            config.gallery_dir = dir.clone();
        }
    }
}

impl Apply for ModelsOption {
    fn apply(&self, config: &mut Config) {
        if let Some(dir) = &self.models {
            config.models_dir = dir.clone();
        }
    }
}

impl Apply for ThreadsOption {
    fn apply(&self, config: &mut Config) {
        if let Some(threads) = self.threads {
            config.threads = usize::from(threads);
        }
    }
}

impl Apply for ModelOptions {
    fn apply(&self, config: &mut Config) {
        self.models.apply(config);
        self.threads.apply(config);
    }
}

impl Apply for AllOptions {
    fn apply(&self, config: &mut Config) {
        self.gallery.apply(config);
        self.networks.apply(config);
    }
}
