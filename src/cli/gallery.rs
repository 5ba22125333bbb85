//! `lrfr gallery list|remove|rename`.

use clap::{Args, Subcommand};
use lrfr::Config;
use serde_json::json;

use super::open;

#[derive(Args, Debug)]
pub struct GalleryArgs {
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
            gallery.rename(&old, &new)?;
            report(args.json, "renamed", new.trim());
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
