//! One photo's embeddings for the evaluations: one per fixed resolution, or for `auto` the
//! face at the largest resolution it has (its own pixels) beside the same face shrunk to each
//! smaller one, so two faces of different sizes are compared at the resolution both have and a
//! gallery is matched at the probe's own resolution.

use crate::detect::FaceBox;
use crate::frame::Frame;
use crate::pipeline::{Pipeline, PipelineError, Upscaler};
use crate::resolution::{ResChoice, Resolution};

#[derive(Debug, Clone)]
pub enum PhotoEmbedding {
    Fixed(Vec<f32>),
    Native {
        /// The largest resolution the face has; `None` below 16 px (it cannot be a probe).
        res: Option<Resolution>,
        /// Per resolution (see [`Resolution::index`]): the face's own pixels at `res`,
        /// the face shrunk at the others.
        by_res: [Vec<f32>; 3],
    },
}

impl PhotoEmbedding {
    /// Embeds the face that `pipeline` last aligned (`aligned`, found at `face` in `frame`)
    /// for one evaluation configuration.
    pub(crate) fn make(
        pipeline: &mut Pipeline,
        frame: &Frame,
        face: &FaceBox,
        aligned: &Frame,
        (choice, upscaler): (ResChoice, Upscaler),
    ) -> Result<PhotoEmbedding, PipelineError> {
        let res = match choice {
            ResChoice::Fixed(res) => {
                let output = pipeline.embed_aligned(aligned, res, upscaler)?;
                return Ok(PhotoEmbedding::Fixed(output.embedding.clone()));
            }
            ResChoice::Native => pipeline.embed_own_pixels(frame, face, upscaler)?,
        };
        let own = pipeline.output().embedding.clone();
        let mut by_res: [Vec<f32>; 3] = Default::default();
        for r in Resolution::ALL {
            by_res[r.index()] = if Some(r) == res {
                own.clone()
            } else {
                pipeline
                    .embed_aligned(aligned, r, upscaler)?
                    .embedding
                    .clone()
            };
        }
        Ok(PhotoEmbedding::Native { res, by_res })
    }

    /// The resolution this photo is probed at: `None` when it is too small to be.
    pub fn probe_res(&self) -> Option<Option<Resolution>> {
        match self {
            PhotoEmbedding::Fixed(_) => Some(None),
            PhotoEmbedding::Native { res, .. } => res.map(Some),
        }
    }

    /// The embedding to use at `res` (`None`: the configuration's only one).
    pub fn at(&self, res: Option<Resolution>) -> &[f32] {
        match (self, res) {
            (PhotoEmbedding::Fixed(v), _) => v,
            (PhotoEmbedding::Native { by_res, res: own }, r) => {
                let r = r.or(*own).unwrap_or(Resolution::R16);
                &by_res[r.index()]
            }
        }
    }

    /// Cosine of two photos at the resolution both have; `None` when either is too small.
    pub fn compare(&self, other: &PhotoEmbedding) -> Option<f32> {
        let (a, b) = (self.probe_res()?, other.probe_res()?);
        let res = match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        };
        Some(crate::matching::cosine(self.at(res), other.at(res)))
    }
}
