//! How well each resolution, with DSR or with bicubic upscaling, tells people apart: face
//! verification over a list of pairs (1:1), and open-set identification against small
//! galleries (1:N, with strangers), the way the app is used.

mod bootstrap;
mod openset;
mod pairs;
mod photo;
mod plot;
mod protocol;
mod roc;

use std::collections::HashMap;
use std::path::PathBuf;

pub use bootstrap::{by_gallery, by_person, Interval, OpenSetIntervals};
pub use openset::{Best, OpenSetMetrics, OpenSetScores, OperatingPoint};
pub use pairs::{parse_pairs, read_pairs, Pair, PairsError};
pub use photo::PhotoEmbedding;
pub use plot::{draw_det, draw_roc};
pub use protocol::{evaluate_open_set, OpenSetError, OpenSetEvaluation, OpenSetRow, Protocol};
pub use roc::{metrics, roc, Metrics, RocPoint};

use crate::frame::decode_file;
use crate::pipeline::{Pipeline, PipelineError, Upscaler};
use crate::resolution::ResChoice;

/// Score given to a pair when either image has no usable face (or, at `auto`, one too small
/// to tell): it can never be accepted.
pub const FAILURE_SCORE: f32 = -1.0;

#[derive(Debug, Clone, serde::Serialize)]
pub struct EvalRow {
    /// 16, 24, 32 or "auto".
    pub res: serde_json::Value,
    pub pipeline: &'static str,
    pub pairs: usize,
    pub failures: usize,
    #[serde(flatten)]
    pub metrics: Metrics,
    #[serde(skip)]
    pub scores: Vec<(f32, bool)>,
}

/// Images that could not be used, with why.
#[derive(Debug, Clone)]
pub struct Failure {
    pub path: PathBuf,
    pub reason: String,
}

pub struct Evaluation {
    pub rows: Vec<EvalRow>,
    pub failures: Vec<Failure>,
}

/// Embeds every distinct image once per (resolution, upscaler) and scores every pair.
/// `progress` is called with (images done, images total).
pub fn evaluate(
    pipeline: &mut Pipeline,
    pairs: &[Pair],
    resolutions: &[ResChoice],
    with_bicubic: bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<Evaluation, PipelineError> {
    let mut upscalers = vec![Upscaler::Dsr];
    if with_bicubic {
        upscalers.push(Upscaler::Bicubic);
    }
    let configs: Vec<(ResChoice, Upscaler)> = resolutions
        .iter()
        .flat_map(|r| upscalers.iter().map(move |u| (*r, *u)))
        .collect();
    let mut images: Vec<&PathBuf> = pairs.iter().flat_map(|p| [&p.a, &p.b]).collect();
    images.sort();
    images.dedup();
    let mut embeddings: HashMap<&PathBuf, Vec<PhotoEmbedding>> =
        HashMap::with_capacity(images.len());
    let mut failures = Vec::new();
    for (done, path) in images.iter().enumerate() {
        progress(done, images.len());
        let frame = match decode_file(path) {
            Ok(frame) => frame,
            Err(e) => {
                failures.push(Failure {
                    path: (*path).clone(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let Some((face, aligned)) = pipeline
            .align(&frame)?
            .and_then(|o| Some((o.face?, o.aligned.clone())))
        else {
            failures.push(Failure {
                path: (*path).clone(),
                reason: "no face found".into(),
            });
            continue;
        };
        let mut per_config = Vec::with_capacity(configs.len());
        for config in &configs {
            per_config.push(PhotoEmbedding::make(
                pipeline, &frame, &face, &aligned, *config,
            )?);
        }
        embeddings.insert(path, per_config);
    }
    progress(images.len(), images.len());
    let rows = configs
        .iter()
        .enumerate()
        .map(|(k, (res, upscaler))| {
            let mut failed = 0;
            let scores: Vec<(f32, bool)> = pairs
                .iter()
                .map(|pair| {
                    let score = match (embeddings.get(&pair.a), embeddings.get(&pair.b)) {
                        (Some(a), Some(b)) => a[k].compare(&b[k], pipeline.models()),
                        _ => None,
                    };
                    score.map(|s| (s, pair.same)).unwrap_or_else(|| {
                        failed += 1;
                        (FAILURE_SCORE, pair.same)
                    })
                })
                .collect();
            EvalRow {
                res: res.to_json(),
                pipeline: match upscaler {
                    Upscaler::Dsr => "dsr",
                    Upscaler::Bicubic => "bicubic",
                },
                pairs: pairs.len(),
                failures: failed,
                metrics: metrics(&scores),
                scores,
            }
        })
        .collect();
    Ok(Evaluation { rows, failures })
}
