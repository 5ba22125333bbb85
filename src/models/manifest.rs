//! `manifest.json`: the contract between the forge and the app. It names every model file,
//! its checksum, its input and output shapes and how its input is normalised.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ModelError;
use crate::resolution::Resolution;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub schema_version: u32,
    /// 5-point landmark model on the detector's box crop; absent means box-only alignment.
    #[serde(default)]
    pub landmarks: Option<ModelEntry>,
    /// The embedding network used at every resolution unless one overrides it.
    pub edgeface: ModelEntry,
    pub resolutions: Vec<ResolutionEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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
pub struct ResolutionEntry {
    pub res: Resolution,
    pub dsr: ModelEntry,
    /// An EdgeFace fine-tuned for this resolution, if the forge made one.
    #[serde(default)]
    pub edgeface: Option<ModelEntry>,
    /// Cosine similarity at or above which two faces are the same person (calibrated by eval).
    pub threshold: f32,
    /// The same for the bicubic baseline, so `eval --baseline bicubic` can report it fairly.
    pub bicubic_threshold: f32,
}

impl Manifest {
    pub fn load(dir: &Path) -> Result<Manifest, ModelError> {
        let path = dir.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|source| ModelError::Manifest {
            path: path.clone(),
            reason: format!(
                "cannot read it ({source}); is --models pointing at the models folder?"
            ),
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
        for entry in self.resolutions.iter() {
            if !(entry.threshold.is_finite() && (-1.0..=1.0).contains(&entry.threshold)) {
                return Err(format!(
                    "threshold for {} px is not a cosine in [-1, 1]",
                    entry.res
                ));
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
pub struct LandmarksManifest {
    pub schema_version: u32,
    #[serde(default)]
    pub landmarks: Option<ModelEntry>,
}

impl LandmarksManifest {
    /// `None` when the folder has no manifest at all.
    pub fn load(dir: &Path) -> Result<Option<LandmarksManifest>, ModelError> {
        let path = dir.join("manifest.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ModelError::Manifest {
                    path,
                    reason: e.to_string(),
                })
            }
        };
        let manifest: LandmarksManifest =
            serde_json::from_str(&text).map_err(|e| ModelError::Manifest {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if manifest.schema_version != SCHEMA_VERSION {
            return Err(ModelError::Manifest {
                path,
                reason: format!(
                    "schema_version {} is not {SCHEMA_VERSION}",
                    manifest.schema_version
                ),
            });
        }
        Ok(Some(manifest))
    }
}

impl ModelEntry {
    pub fn contract(&self) -> String {
        format!("input {:?} -> output {:?}", self.input, self.output)
    }
}
