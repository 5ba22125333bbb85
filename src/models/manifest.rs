//! `manifest.json`: the contract between the forge and the app. It names every model file,
//! its checksum, its input and output shapes and how its input is normalised.

use std::ops::RangeInclusive;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ModelError;
use crate::matching::Recipe;
use crate::resolution::Resolution;

/// 2 split the thresholds: 1:N identification (calibrated for a false-positive identification
/// rate) and 1:1 verification (for a false accept rate).
pub const SCHEMA_VERSION: u32 = 2;
/// Largest manifest read (the shipped one is a few kB).
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub schema_version: u32,
    /// 5-point landmark model on the detector's box crop; absent means box-only alignment.
    #[serde(default)]
    pub landmarks: Option<ModelEntry>,
    /// The small-face detector (faces about 8 to 80 px wide, with their points); absent means
    /// SeetaFace alone, which needs about 40 px.
    #[serde(default)]
    pub detector: Option<ModelEntry>,
    /// The face gate: whether a box the detectors report holds a face; absent means every box
    /// is taken.
    #[serde(default)]
    pub gate: Option<GateEntry>,
    /// The embedding network used at every resolution unless one overrides it.
    pub edgeface: ModelEntry,
    pub resolutions: Vec<ResolutionEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub file: String,
    pub sha256: String,
    pub input: Vec<usize>,
    pub output: Vec<usize>,
    /// The network sees `(rgb / 255 - mean) / std`.
    pub mean: f32,
    pub std: f32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateEntry {
    pub model: ModelEntry,
    /// The gate's probability at or above which a box is a face, chosen by the forge on
    /// validation identities' photos and distant frames (`lrfr_forge.steps.s08_gate`).
    pub threshold: f32,
}

impl GateEntry {
    fn check(&self) -> Result<(), String> {
        self.model.check()?;
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(format!(
                "{}: gate threshold {} is not a probability in [0, 1]",
                self.model.file, self.threshold
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionEntry {
    pub res: Resolution,
    pub dsr: ModelEntry,
    /// An EdgeFace fine-tuned for this resolution, if the forge made one.
    #[serde(default)]
    pub edgeface: Option<ModelEntry>,
    /// Training identities' embeddings that 1:N scores are normalised against
    /// (`matching::Cohort`); absent means raw cosines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<CohortEntry>,
    /// How templates are made at this resolution; absent means the shrunk mean.
    #[serde(default, skip_serializing_if = "Recipe::is_shrunk")]
    pub template: Recipe,
    /// A second path for faces of this size of their own; absent means one path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_path: Option<SecondPathEntry>,
    /// 1:N: the best candidate's score (normalised against `cohort` where there is one, else
    /// its cosine) at or above which a face is named, chosen by the forge with `lrfr eval
    /// --openset` on validation identities (five people enrolled) for a false-positive
    /// identification rate of `threshold_fpir` per probe.
    pub threshold: f32,
    pub threshold_fpir: f32,
    /// The false-negative identification rate measured at `threshold` on the same probes.
    pub threshold_fnir: f32,
    /// 1:1: the cosine at or above which `verify` accepts, chosen for a false accept rate of
    /// 1% on the validation pairs.
    pub verify_threshold: f32,
    /// The 1:N threshold of the bicubic baseline, so `eval --baseline bicubic` is fair to it.
    pub bicubic_threshold: f32,
}

/// A larger resolution whose networks also embed faces of a resolution's size of their own
/// (at `auto`, aligned at the larger size from the same pixels). In 1:N such a face is scored
/// on both paths (`matching::combine_paths`: the mean of the two margins over the paths' own
/// thresholds, on the first path's scale) and named at `threshold`; in 1:1 likewise over
/// the 1:1 thresholds, accepted at `verify_threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecondPathEntry {
    pub res: Resolution,
    /// The combined score at or above which such a face is named, chosen by the forge as the
    /// resolution's `threshold` is, for `threshold_fpir`, but with probes that are faces of
    /// this size of their own (`lrfr eval --openset --probes`), the only faces the path takes.
    pub threshold: f32,
    pub threshold_fpir: f32,
    /// The false-negative identification rate measured at `threshold` on the same probes.
    pub threshold_fnir: f32,
    /// 1:1: chosen as the resolution's `verify_threshold` is, on the validation pairs made
    /// faces of this size of their own.
    pub verify_threshold: f32,
}

/// One resolution's cohort (`matching::Cohort`): the file and its shape.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CohortEntry {
    pub file: String,
    pub sha256: String,
    pub count: usize,
    pub dims: usize,
    /// How many of a face's best cohort scores its mean and spread are taken over.
    pub top_k: usize,
    /// The cohort's typical spread (the mean over its members of their own top-`top_k`
    /// spread), which puts the normalised score back on a cosine's scale.
    pub unit: f32,
}

impl CohortEntry {
    /// The members must be embeddings; their count, `top_k` and `unit` are checked with the
    /// file (`matching::Cohort::from_bytes`).
    fn check(&self) -> Result<(), String> {
        if self.dims != crate::matching::EMBEDDING_DIMS {
            return Err(format!(
                "{}: a cohort of {}-value members; embeddings have {}",
                self.file,
                self.dims,
                crate::matching::EMBEDDING_DIMS
            ));
        }
        Ok(())
    }
}

impl Manifest {
    pub fn load(dir: &Path) -> Result<Manifest, ModelError> {
        let path = dir.join("manifest.json");
        let text = crate::bounded::read_to_string(&path, MAX_MANIFEST_BYTES).map_err(|source| {
            ModelError::Manifest {
                path: path.clone(),
                reason: format!(
                    "cannot read it ({source}); is --models pointing at the models folder?"
                ),
            }
        })?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| ModelError::Manifest {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        manifest
            .check()
            .map_err(|reason| ModelError::Manifest { path, reason })?;
        Ok(manifest)
    }

    fn check(&self) -> Result<(), String> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(format!(
                "schema_version {} is not the {SCHEMA_VERSION} this lrfr reads",
                self.schema_version
            ));
        }
        for res in Resolution::ALL {
            let count = self.resolutions.iter().filter(|r| r.res == res).count();
            if count != 1 {
                return Err(format!(
                    "resolution {res} is listed {count} times, not once"
                ));
            }
        }
        for entry in [&self.landmarks, &self.detector].into_iter().flatten() {
            entry.check()?;
        }
        if let Some(gate) = &self.gate {
            gate.check()?;
        }
        self.edgeface.check()?;
        for entry in self.resolutions.iter() {
            // Scores normalised against a cohort stay on a cosine's scale.
            let second = entry.second_path.iter();
            if second.clone().any(|second| second.res <= entry.res) {
                return Err(format!(
                    "second_path for {} px must be a larger resolution",
                    entry.res
                ));
            }
            let scores = [
                ("threshold", entry.threshold),
                ("verify_threshold", entry.verify_threshold),
                ("bicubic_threshold", entry.bicubic_threshold),
            ];
            let second_scores = second.clone().flat_map(|s| {
                [
                    ("second_path threshold", s.threshold),
                    ("second_path verify_threshold", s.verify_threshold),
                ]
            });
            for (name, value) in scores.into_iter().chain(second_scores) {
                if !(value.is_finite() && (-1.0..=1.0).contains(&value)) {
                    return Err(format!(
                        "{name} for {} px is not a score in [-1, 1]",
                        entry.res
                    ));
                }
            }
            let rates = [
                ("threshold_fpir", entry.threshold_fpir),
                ("threshold_fnir", entry.threshold_fnir),
            ];
            let second_rates = second.flat_map(|s| {
                [
                    ("second_path threshold_fpir", s.threshold_fpir),
                    ("second_path threshold_fnir", s.threshold_fnir),
                ]
            });
            for (name, value) in rates.into_iter().chain(second_rates) {
                if !(0.0..=1.0).contains(&value) {
                    return Err(format!(
                        "{name} for {} px is not a rate in [0, 1]",
                        entry.res
                    ));
                }
            }
            entry.dsr.check()?;
            if let Some(edgeface) = &entry.edgeface {
                edgeface.check()?;
            }
            if let Some(cohort) = &entry.cohort {
                cohort.check()?;
            }
        }
        Ok(())
    }

    pub fn resolution(&self, res: Resolution) -> &ResolutionEntry {
        self.resolutions
            .iter()
            .find(|r| r.res == res)
            .unwrap_or(&self.resolutions[0])
    }
}

/// The part of a manifest the face locator needs; a staging manifest may hold only this.
#[derive(Debug, Clone, Deserialize)]
pub struct LocatorManifest {
    pub schema_version: u32,
    #[serde(default)]
    pub landmarks: Option<ModelEntry>,
    #[serde(default)]
    pub detector: Option<ModelEntry>,
    #[serde(default)]
    pub gate: Option<GateEntry>,
}

impl LocatorManifest {
    /// `None` when the folder has no manifest at all.
    pub fn load(dir: &Path) -> Result<Option<LocatorManifest>, ModelError> {
        let path = dir.join("manifest.json");
        let text = match crate::bounded::read_to_string(&path, MAX_MANIFEST_BYTES) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ModelError::Manifest {
                    path,
                    reason: e.to_string(),
                })
            }
        };
        let manifest: LocatorManifest =
            serde_json::from_str(&text).map_err(|e| ModelError::Manifest {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        // These entries are the same in both schemas; the forge's staging manifest is 1.
        if !(1..=SCHEMA_VERSION).contains(&manifest.schema_version) {
            return Err(ModelError::Manifest {
                path,
                reason: format!(
                    "schema_version {} is not one this lrfr reads (1 to {SCHEMA_VERSION})",
                    manifest.schema_version
                ),
            });
        }
        for entry in [&manifest.landmarks, &manifest.detector]
            .into_iter()
            .flatten()
        {
            entry.check().map_err(|reason| ModelError::Manifest {
                path: path.clone(),
                reason,
            })?;
        }
        if let Some(gate) = &manifest.gate {
            gate.check().map_err(|reason| ModelError::Manifest {
                path: path.clone(),
                reason,
            })?;
        }
        Ok(Some(manifest))
    }
}

impl ModelEntry {
    pub fn contract(&self) -> String {
        format!("input {:?} -> output {:?}", self.input, self.output)
    }

    /// What every entry needs whatever its role: a normalisation that gives numbers. Shapes
    /// are the role's to check ([`ModelEntry::fit_for`]).
    fn check(&self) -> Result<(), String> {
        if !(self.mean.is_finite() && self.std.is_finite() && self.std > 0.0) {
            return Err(format!(
                "{}: mean {} and std {} must be finite numbers with std above 0",
                self.file, self.mean, self.std
            ));
        }
        Ok(())
    }

    /// [`ModelEntry::fit_for`] a role that takes a square crop, `[1, 3, S, S]` with S in
    /// `sides`, and gives `outputs` values.
    pub(super) fn fit_square_crop(
        &self,
        dir: &Path,
        sides: RangeInclusive<usize>,
        outputs: usize,
        role: &str,
    ) -> Result<(), ModelError> {
        let square =
            matches!(self.input[..], [1, 3, rows, cols] if rows == cols && sides.contains(&rows));
        let fits = square && self.output == [1, outputs];
        let expected = format!(
            "input [1, 3, S, S] (S from {} to {}) -> output [1, {outputs}]",
            sides.start(),
            sides.end()
        );
        self.fit_for(dir, fits, role, &expected)
    }

    /// Refuses the entry (an error about `dir`'s manifest) unless its shapes `fit` what the
    /// code around `role` ("a landmark", "an EdgeFace") relies on, which `expected` spells
    /// out: a manifest consistent with its files but wrong for the role would otherwise index
    /// out of bounds. Each role's type checks its own entry as it loads, before any run.
    pub(super) fn fit_for(
        &self,
        dir: &Path,
        fits: bool,
        role: &str,
        expected: &str,
    ) -> Result<(), ModelError> {
        if fits {
            return Ok(());
        }
        Err(ModelError::Manifest {
            path: dir.join("manifest.json"),
            reason: format!(
                "{}: {} but {role} network must have {expected}",
                self.file,
                self.contract()
            ),
        })
    }
}

/// An entry of the given shapes, for the roles' tests of their checks.
#[cfg(test)]
pub(super) fn entry(input: &[usize], output: &[usize]) -> ModelEntry {
    ModelEntry {
        file: "x.onnx".into(),
        sha256: String::new(),
        input: input.to_vec(),
        output: output.to_vec(),
        mean: 0.5,
        std: 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_normalisation_must_give_numbers() {
        assert!(entry(&[1, 3, 112, 112], &[1, 512]).check().is_ok());
        let error = ModelEntry {
            std: 0.0,
            ..entry(&[1, 3, 112, 112], &[1, 512])
        }
        .check()
        .unwrap_err();
        assert!(error.contains("std"), "{error}");
    }

    #[test]
    fn a_shape_that_does_not_fit_names_the_file_what_it_has_and_what_the_role_needs() {
        let dir = Path::new("models");
        let wrong = entry(&[1, 3, 20, 20], &[1, 3, 112, 112]);
        assert!(wrong
            .fit_for(dir, true, "a 24 px DSR", "input [1, 3, 24, 24]")
            .is_ok());
        let error = wrong
            .fit_for(dir, false, "a 24 px DSR", "input [1, 3, 24, 24]")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "models/manifest.json: x.onnx: input [1, 3, 20, 20] -> output [1, 3, 112, 112] \
             but a 24 px DSR network must have input [1, 3, 24, 24]"
        );
        let square = |input: &[usize], output: &[usize]| {
            entry(input, output)
                .fit_square_crop(dir, 8..=64, 2, "a test")
                .is_ok()
        };
        assert!(square(&[1, 3, 20, 20], &[1, 2]));
        assert!(!square(&[1, 3, 20, 24], &[1, 2]));
        assert!(!square(&[1, 3, 128, 128], &[1, 2]));
        assert!(!square(&[1, 3, 20, 20], &[1, 3]));
    }
}
