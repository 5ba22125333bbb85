//! `lrfr gallery list|remove|rename|not|unmark|export|import`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use lrfr::frame::{decode_file, Frame};
use lrfr::gallery::{Gallery, GalleryError, PerRes};
use lrfr::matching::cosine;
use lrfr::pipeline::Pipeline;
use lrfr::{Config, Resolution};
use serde_json::json;

use super::{open, progress};
use crate::options::Apply;

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
    /// Mark the face in each image as not this person: faces more like it than like them are
    /// no longer given their name (a look-alike, say)
    Not {
        name: String,
        /// Image files or folders of them
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        networks: crate::options::ModelOptions,
    },
    /// Forget the faces marked as not this person (undoes `not`, after a mark made by
    /// mistake): the marks made on the given images, or every mark when none is given
    Unmark {
        name: String,
        /// Image files or folders of them, as given to `not`
        paths: Vec<PathBuf>,
        #[command(flatten)]
        networks: crate::options::ModelOptions,
    },
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
                    .map(|p| {
                        json!({"name": p.name, "samples": p.samples, "created": p.created,
                               "not": p.not.len()})
                    })
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
                    match p.not.len() {
                        0 => println!("  {}  ({} samples)", p.name, p.samples),
                        n => println!(
                            "  {}  ({} samples, {n} {} marked not them)",
                            p.name,
                            p.samples,
                            if n == 1 { "face" } else { "faces" }
                        ),
                    }
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
        Action::Not {
            name,
            paths,
            networks,
        } => {
            let mut config = config.clone();
            networks.apply(&mut config);
            mark_not(&config, &name, &paths, args.json)?;
        }
        Action::Unmark {
            name,
            paths,
            networks,
        } if !paths.is_empty() => {
            let mut config = config.clone();
            networks.apply(&mut config);
            unmark_images(&config, &name, &paths, args.json)?;
        }
        Action::Unmark { name, .. } => {
            let count = gallery.clear_not(&name)?;
            let person = gallery
                .find(&name)
                .map(|i| gallery.people()[i].name.clone());
            let person = person.unwrap_or(name);
            if args.json {
                println!("{}", json!({"unmarked": person, "count": count}));
            } else {
                println!(
                    "{person}: {count} {} marked not them forgotten",
                    if count == 1 { "face" } else { "faces" }
                );
            }
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

/// `lrfr gallery not`: every image must hold a face before any is marked, so a typo in a
/// path changes nothing.
fn mark_not(config: &Config, name: &str, paths: &[PathBuf], json: bool) -> anyhow::Result<()> {
    let (mut pipeline, mut gallery, _, person) = open_person(config, name)?;
    let marked = faces_of(&mut pipeline, paths, "marked")?;
    let prints = lrfr::enroll::fingerprints(pipeline.models());
    for (shown, face, embeddings) in marked {
        // Found again each time: another lrfr may have changed the gallery meanwhile.
        let index = gallery
            .find(&person)
            .ok_or_else(|| GalleryError::UnknownPerson(person.clone()))?;
        let template = &gallery.people()[index].embeddings;
        let scores: Vec<String> = Resolution::ALL
            .iter()
            .map(|&r| format!("{:.3}", cosine(embeddings.get(r), template.get(r))))
            .collect();
        let count = gallery.add_not(&person, &face, embeddings, &prints)?.count;
        if json {
            println!(
                "{}",
                json!({"marked": shown, "not": person, "scores": scores, "count": count})
            );
        } else {
            println!(
                "marked {shown} as not {person} (it scored {} against them at 16 / 24 / 32 px); \
                 {count} marked in all",
                scores.join(" / ")
            );
        }
    }
    Ok(())
}

/// Takes back the marks made on the faces of `paths`, all or none: an image whose face no
/// mark is leaves every mark as it was.
fn unmark_images(config: &Config, name: &str, paths: &[PathBuf], json: bool) -> anyhow::Result<()> {
    let (mut pipeline, mut gallery, index, person) = open_person(config, name)?;
    let mut found = Vec::new();
    for (shown, _, embeddings) in faces_of(&mut pipeline, paths, "unmarked")? {
        let Some(mark) = gallery.find_not(index, &embeddings) else {
            anyhow::bail!(
                "{shown}: its face is not one marked as not {person}; nothing was unmarked \
                 (`lrfr gallery unmark {person:?}` with no image forgets every mark)"
            );
        };
        if !found.iter().any(|(_, m)| *m == mark) {
            found.push((shown, mark));
        }
    }
    for (shown, mark) in found {
        let count = gallery.remove_not(&person, &mark)?;
        if json {
            println!(
                "{}",
                json!({"unmarked": shown, "not": person, "count": count})
            );
        } else {
            println!("{shown} is no longer marked as not {person}; {count} marked in all");
        }
    }
    Ok(())
}

/// The models, the gallery, and where and how the person called `name` is in it.
fn open_person(config: &Config, name: &str) -> anyhow::Result<(Pipeline, Gallery, usize, String)> {
    let mut pipeline = open::pipeline(config)?;
    let gallery = open::gallery_for(config, &mut pipeline)?;
    let index = gallery
        .find(name)
        .ok_or_else(|| GalleryError::UnknownPerson(name.to_string()))?;
    let person = gallery.people()[index].name.clone();
    Ok((pipeline, gallery, index, person))
}

/// An image's name as shown to the user, its aligned face and the face's embeddings.
type ImageFace = (String, Frame, PerRes<Vec<f32>>);

/// Each image's face (as `shown_path` names the file), aligned and embedded at every
/// resolution; an image without a face fails them all, saying nothing was `done`.
fn faces_of(
    pipeline: &mut Pipeline,
    paths: &[PathBuf],
    done: &str,
) -> anyhow::Result<Vec<ImageFace>> {
    let mut faces = Vec::new();
    for (_, path) in progress::images(paths)? {
        let shown = super::shown_path(&path);
        let frame = decode_file(&path).with_context(|| shown.clone())?;
        let Some(output) = pipeline.align(&frame)? else {
            anyhow::bail!("{shown}: no face found; nothing was {done}");
        };
        let face = output.aligned.clone();
        let embeddings = lrfr::enroll::templates(pipeline, std::slice::from_ref(&face))?;
        faces.push((shown, face, embeddings));
    }
    Ok(faces)
}

fn report(json: bool, action: &str, name: &str) {
    if json {
        println!("{}", json!({ action: name }));
    } else {
        println!("{action} {name}");
    }
}
