//! Turning aligned face crops into a person's per-resolution templates, keeping stored
//! templates in step with the models, and deciding which live frames are good samples.

mod capture;
mod quality;
mod sanity;

pub use capture::{Capture, Progress, SAMPLES_RANGE};
pub use quality::{laplacian_variance, QualityGate, Rejection};
pub use sanity::{looks_like, odd_ones, CHECK_RES, SPLIT_BOUND};

use crate::frame::Frame;
use crate::gallery::{Gallery, GalleryError, PerRes};
use crate::matching::{template, EMBEDDING_DIMS};
use crate::models::Models;
use crate::pipeline::{Pipeline, PipelineError, Upscaler};
use crate::resolution::Resolution;

/// Fewest usable faces an enrollment takes.
pub const MIN_SAMPLES: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("{found} usable face(s); enrolling needs at least {MIN_SAMPLES}")]
    TooFewFaces { found: usize },
    /// Faces (their indices) that look like another person than the rest.
    #[error(
        "these faces look like two people: {} of {total} differ from the rest (the two groups \
         match at {between:.2}, under {SPLIT_BOUND}); enroll one person at a time",
        odd.len()
    )]
    SeveralPeople {
        odd: Vec<usize>,
        total: usize,
        between: f32,
    },
    /// The faces match someone already enrolled; enrolling needs to be forced.
    #[error("these faces look like {name}, who is enrolled already (score {score:.2})")]
    LooksLike { name: String, score: f32 },
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Gallery(#[from] GalleryError),
}

/// The template of `faces` at every resolution, by each one's recipe ([`template`]).
pub fn templates(
    pipeline: &mut Pipeline,
    faces: &[Frame],
) -> Result<PerRes<Vec<f32>>, PipelineError> {
    Ok(samples(pipeline, faces)?.templates())
}

/// Each face's embeddings at every resolution: shrunk and brought back by the DSR (what the
/// checks compare, as probes are), and at full resolution where the resolution's template
/// recipe uses it.
struct Samples {
    shrunk: PerRes<Vec<Vec<f32>>>,
    full: PerRes<Vec<Vec<f32>>>,
}

fn samples(pipeline: &mut Pipeline, faces: &[Frame]) -> Result<Samples, PipelineError> {
    let mut samples = Samples {
        shrunk: PerRes::default(),
        full: PerRes::default(),
    };
    for res in Resolution::ALL {
        for face in faces {
            let shrunk = pipeline.embed_aligned(face, res, Upscaler::Dsr)?;
            samples.shrunk.get_mut(res).push(shrunk.embedding.clone());
            if pipeline.models().template_recipe(res).uses_full() {
                let full = pipeline.embed_full(face, res)?;
                samples.full.get_mut(res).push(full.to_vec());
            }
        }
    }
    Ok(samples)
}

impl Samples {
    fn templates(&self) -> PerRes<Vec<f32>> {
        let mut templates = PerRes::default();
        for res in Resolution::ALL {
            *templates.get_mut(res) = template(
                self.shrunk.get(res).iter().map(Vec::as_slice),
                self.full.get(res).iter().map(Vec::as_slice),
                EMBEDDING_DIMS,
            );
        }
        templates
    }
}

pub fn fingerprints(models: &Models) -> PerRes<String> {
    let mut prints = PerRes::default();
    for res in Resolution::ALL {
        *prints.get_mut(res) = models.fingerprint(res).to_string();
    }
    prints
}

/// Enrolls `name` from aligned faces, refusing faces of two people, and (unless `force`)
/// faces that match someone enrolled already.
pub fn enroll(
    pipeline: &mut Pipeline,
    gallery: &mut Gallery,
    name: &str,
    faces: &[Frame],
    force: bool,
) -> Result<(), EnrollError> {
    gallery.admit(name)?;
    if faces.len() < MIN_SAMPLES {
        return Err(EnrollError::TooFewFaces { found: faces.len() });
    }
    // Computed once: the checks read the shrunk 32 px ones, as probes look; the templates
    // are made from all of them.
    let samples = samples(pipeline, faces)?;
    let checked = samples.shrunk.get(CHECK_RES);
    if let Some((odd, between)) = odd_ones(checked) {
        return Err(EnrollError::SeveralPeople {
            odd,
            total: faces.len(),
            between,
        });
    }
    if !force {
        let models = pipeline.models();
        let fingerprint = models.fingerprint(CHECK_RES).to_string();
        let threshold = models.threshold(CHECK_RES);
        let cohort = models.cohort(CHECK_RES);
        if let Some((name, score)) = looks_like(gallery, checked, &fingerprint, threshold, cohort) {
            return Err(EnrollError::LooksLike { name, score });
        }
    }
    gallery.add(
        name,
        faces,
        samples.templates(),
        fingerprints(pipeline.models()),
    )?;
    Ok(())
}

/// What [`refresh`] did: who was recomputed for the loaded models, and who could not be
/// (a crop missing or unreadable). The latter keep their old templates on disk, which are
/// never matched against the new models' probes (see [`Gallery::embeddings`]).
#[derive(Debug, Default)]
pub struct Refreshed {
    pub recomputed: Vec<String>,
    pub failed: Vec<(String, EnrollError)>,
}

impl Refreshed {
    /// One line naming who is left out and why, if anyone is.
    pub fn left_out(&self) -> Option<String> {
        if self.failed.is_empty() {
            return None;
        }
        let who: Vec<String> = self
            .failed
            .iter()
            .map(|(name, e)| format!("{name} ({e})"))
            .collect();
        Some(format!(
            "left out until re-enrolled, their templates are from other models and could not be recomputed: {}",
            who.join("; ")
        ))
    }
}

/// Recomputes, from their stored faces, the templates of everyone whose embeddings came from
/// other models than the loaded ones; each person is recomputed and saved on their own.
pub fn refresh(pipeline: &mut Pipeline, gallery: &mut Gallery) -> Refreshed {
    let prints = fingerprints(pipeline.models());
    let mut report = Refreshed::default();
    for index in gallery.stale(&prints) {
        let person = &gallery.people()[index];
        let (name, id) = (person.name.clone(), person.id.clone());
        let result = gallery
            .faces(index)
            .map_err(EnrollError::from)
            .and_then(|faces| templates(pipeline, &faces).map_err(EnrollError::from))
            .and_then(|t| {
                // Each face marked as not them on its own: its embedding, not a mean.
                let not = gallery
                    .not_faces(index)?
                    .iter()
                    .map(|face| templates(pipeline, std::slice::from_ref(face)))
                    .collect::<Result<Vec<_>, _>>()?;
                gallery
                    .set_embeddings(&id, t, not, prints.clone())
                    .map_err(EnrollError::from)
            });
        match result {
            Ok(()) => report.recomputed.push(name),
            Err(e) => report.failed.push((name, e)),
        }
    }
    report
}
