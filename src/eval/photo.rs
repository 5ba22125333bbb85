//! One photo's embeddings for the evaluations: one per fixed resolution, or for `auto` the
//! face at the largest resolution it has (its own pixels) beside the same face shrunk to each
//! smaller one, so two faces of different sizes are compared at the resolution both have and a
//! gallery is matched at the probe's own resolution.

use crate::detect::FaceBox;
use crate::frame::Frame;
use crate::matching::combine_paths;
use crate::models::Models;
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
        /// The face's own pixels through its resolution's second path, if it has one
        /// (`Models::second_path`): that resolution and the embedding.
        second: Option<(Resolution, Vec<f32>)>,
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
        let output = pipeline.output();
        let own = output.embedding.clone();
        let second = output.second.map(|r| (r, output.second_embedding.clone()));
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
        Ok(PhotoEmbedding::Native {
            res,
            by_res,
            second,
        })
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
            (
                PhotoEmbedding::Native {
                    by_res, res: own, ..
                },
                r,
            ) => {
                let r = r.or(*own).unwrap_or(Resolution::R16);
                &by_res[r.index()]
            }
        }
    }

    /// The second path's resolution and embedding, if this face has one.
    pub fn second(&self) -> Option<(Resolution, &[f32])> {
        match self {
            PhotoEmbedding::Native {
                second: Some((r, e)),
                ..
            } => Some((*r, e)),
            _ => None,
        }
    }

    /// The embedding to use on a second path at `res`: the face's own second path there,
    /// else its embedding at `res`.
    fn at_second(&self, res: Resolution) -> &[f32] {
        match self.second() {
            Some((r, embedding)) if r == res => embedding,
            _ => self.at(Some(res)),
        }
    }

    /// How alike two photos are at the resolution both have, `None` when either is too
    /// small: the cosine, or where either face has a second path there, the two paths'
    /// cosines combined as `verify` combines them ([`combine_paths`] over the 1:1
    /// thresholds) and moved by the path's own 1:1 threshold onto the one-path scale, so
    /// pairs of both kinds share one ROC.
    pub fn compare(&self, other: &PhotoEmbedding, models: &Models) -> Option<f32> {
        let (a, b) = (self.probe_res()?, other.probe_res()?);
        let res = match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        };
        let cosine = crate::matching::cosine(self.at(res), other.at(res));
        let two_paths = [self, other]
            .into_iter()
            .any(|p| p.probe_res() == Some(res) && p.second().is_some());
        let entry = res.and_then(|res| Some((res, models.second_path(res)?)));
        let (Some((res, entry)), true) = (entry, two_paths) else {
            return Some(cosine);
        };
        let second = entry.res;
        let other_cosine = crate::matching::cosine(self.at_second(second), other.at_second(second));
        let one_path = models.verify_threshold(res);
        let combined = combine_paths(
            cosine,
            one_path,
            other_cosine,
            models.verify_threshold(second),
        );
        Some(combined - entry.verify_threshold + one_path)
    }
}
