//! Turning aligned face crops into a person's per-resolution templates, keeping stored
//! templates in step with the models, and deciding which live frames are good samples.

mod quality;

pub use quality::{QualityGate, Rejection};

use crate::gallery::{Gallery, GalleryError, PerRes, EMBEDDING_DIMS};
use crate::matching::mean_embedding;
use crate::models::Models;
use crate::pipeline::{Pipeline, PipelineError, Upscaler};
use crate::resolution::Resolution;
use crate::source::Frame;

/// Fewest usable faces an enrollment takes.
pub const MIN_SAMPLES: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("{found} usable face(s); enrolling needs at least {MIN_SAMPLES}")]
    TooFewFaces { found: usize },
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Gallery(#[from] GalleryError),
}

/// The mean embedding of `faces` at every resolution, each re-normalised.
pub fn templates(
    pipeline: &mut Pipeline,
    faces: &[Frame],
) -> Result<PerRes<Vec<f32>>, PipelineError> {
    let mut templates = PerRes::default();
    for res in Resolution::ALL {
        let mut samples = Vec::with_capacity(faces.len());
        for face in faces {
            samples.push(
                pipeline
                    .embed_aligned(face, res, Upscaler::Dsr)?
                    .embedding
                    .clone(),
            );
        }
        *templates.get_mut(res) = mean_embedding(samples.iter().map(Vec::as_slice), EMBEDDING_DIMS);
    }
    Ok(templates)
}

pub fn fingerprints(models: &Models) -> PerRes<String> {
    let mut prints = PerRes::default();
    for res in Resolution::ALL {
        *prints.get_mut(res) = models.fingerprint(res).to_string();
    }
    prints
}

/// Enrolls `name` from aligned faces.
pub fn enroll(
    pipeline: &mut Pipeline,
    gallery: &mut Gallery,
    name: &str,
    faces: &[Frame],
) -> Result<(), EnrollError> {
    gallery.admit(name)?;
    if faces.len() < MIN_SAMPLES {
        return Err(EnrollError::TooFewFaces { found: faces.len() });
    }
    let templates = templates(pipeline, faces)?;
    gallery.add(name, faces, templates, fingerprints(pipeline.models()))?;
    Ok(())
}

/// Recomputes every template from the stored faces when the models changed since they were
/// made; returns the resolutions that were stale.
pub fn refresh(
    pipeline: &mut Pipeline,
    gallery: &mut Gallery,
) -> Result<Vec<Resolution>, EnrollError> {
    let prints = fingerprints(pipeline.models());
    let stale = gallery.stale(&prints);
    if stale.is_empty() {
        return Ok(stale);
    }
    let mut all = Vec::with_capacity(gallery.len());
    for index in 0..gallery.len() {
        let faces = gallery.faces(index)?;
        all.push(templates(pipeline, &faces)?);
    }
    gallery.replace_embeddings(all, prints)?;
    Ok(stale)
}
