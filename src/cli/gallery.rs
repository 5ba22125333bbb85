//! `lrfr gallery list|remove|rename|export|import`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use lrfr::Config;
use serde_json::json;

use super::open;

#[derive(Args, Debug)]
pub struct GalleryArgs {
    #[command(flatten)]
    pub(crate) options: crate::options::GalleryOption,
    #[command(subcommand)]
    action: Action,
    /// Print JSON
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum Action {
    /// Everyone enrolled, with sample counts
    List,
    /// Forget a person and their enrolled faces
    Remove { name: String },
    /// Give a person a new name
    Rename { old: String, new: String },
    /// Write everyone and their enrolled faces to one passphrase-encrypted file (age format)
    Export {
        file: PathBuf,
        #[command(flatten)]
        secret: Passphrase,
    },
    /// Add the people of an exported file; nothing changes unless all of them fit
    Import {
        file: PathBuf,
        #[command(flatten)]
        secret: Passphrase,
    },
}

#[derive(Args, Debug)]
struct Passphrase {
    /// Read the passphrase from the first line of this file instead of asking for it
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
}

impl Passphrase {
    /// From the file, or asked on the terminal without echo (twice when it protects a new
    /// file, so a typo cannot lock the export for ever).
    fn read(&self, confirm: bool) -> anyhow::Result<String> {
        let passphrase = match &self.passphrase_file {
            Some(path) => super::secret_line(path, "passphrase")?,
            None => {
                let first = rpassword::prompt_password("passphrase: ")
                    .context("reading the passphrase (or use --passphrase-file)")?;
                if confirm {
                    let again = rpassword::prompt_password("passphrase again: ")
                        .context("reading the passphrase")?;
                    anyhow::ensure!(first == again, "the two passphrases differ");
                }
                first
            }
        };
        anyhow::ensure!(!passphrase.is_empty(), "the passphrase is empty");
        Ok(passphrase)
    }
}

pub fn run(config: &Config, args: GalleryArgs) -> anyhow::Result<()> {
    let mut gallery = open::gallery(config)?;
    match args.action {
        Action::List => {
            if args.json {
                let people: Vec<_> = gallery
                    .people()
                    .iter()
                    .map(|p| json!({"name": p.name, "samples": p.samples, "created": p.created}))
                    .collect();
                println!(
                    "{}",
                    json!({"dir": gallery.dir().display().to_string(), "people": people})
                );
            } else {
                println!(
                    "{} ({} / {} people)",
                    gallery.dir().display(),
                    gallery.len(),
                    lrfr::gallery::MAX_PEOPLE
                );
                for p in gallery.people() {
                    println!("  {}  ({} samples)", p.name, p.samples);
                }
            }
        }
        Action::Remove { name } => {
            let person = gallery.remove(&name)?;
            report(args.json, "removed", &person.name);
        }
        Action::Rename { old, new } => {
            let index = gallery.find(&old);
            let was = index.map(|i| gallery.people()[i].name.clone());
            gallery.rename(&old, &new)?;
            let was = was.unwrap_or(old);
            report(args.json, "renamed", &format!("{was} to {}", new.trim()));
        }
        Action::Export { file, secret } => {
            let count = lrfr::gallery::export(&gallery, &secret.read(true)?, &file)?;
            report(
                args.json,
                "exported",
                &format!(
                    "{count} {} to {}",
                    if count == 1 { "person" } else { "people" },
                    file.display()
                ),
            );
        }
        Action::Import { file, secret } => {
            let names = lrfr::gallery::import(&mut gallery, &secret.read(false)?, &file)?;
            report(args.json, "imported", &names.join(", "));
        }
    }
    Ok(())
}

fn report(json: bool, action: &str, name: &str) {
    if json {
        println!("{}", json!({ action: name }));
    } else {
        println!("{action} {name}");
    }
}
