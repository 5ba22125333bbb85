//! The networks: loaded once from the models folder, as `manifest.json` describes them, and
//! run through tract. Each role (detector, gate, landmarks, DSR, EdgeFace) has its own small type that owns
//! its pre- and post-processing, so every caller feeds it the same way.

mod cohort;
mod dsr;
mod edgeface;
mod face_finder;
mod face_gate;
mod heap;
mod landmarker;
mod lazy;
mod manifest;
mod net;
mod tensors;

use std::path::{Path, PathBuf};
use std::time::Duration;

use tract_onnx::prelude::multithread::Executor;

pub use dsr::{Dsr, Upscales};
pub use edgeface::{EdgeFace, Embeds};
pub use face_finder::FaceFinder;
pub use face_gate::FaceGate;
pub use landmarker::Landmarker;
pub use lazy::Lazy;
pub use manifest::{
    CohortEntry, GateEntry, LocatorManifest, Manifest, ModelEntry, ResolutionEntry,
    SecondPathEntry, SCHEMA_VERSION,
};
pub use net::{Net, NodeCost};
pub use tensors::{planar_len, planar_to_rgb, rgb_to_planar};

use crate::matching::{Cohort, Recipe};
use crate::resolution::Resolution;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: {reason}")]
    Manifest { path: PathBuf, reason: String },
    #[error("{file}: cannot read the model ({source}); expected an ONNX file with {contract}. Rebuild with models/forge or point --models at a folder that has it")]
    Missing {
        file: PathBuf,
        contract: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: sha256 is {actual}, the manifest says {expected}: the file is damaged or from another build")]
    Checksum {
        file: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("{file}: not a usable network for {contract}: {reason}")]
    Graph {
        file: PathBuf,
        contract: String,
        reason: String,
    },
    #[error("{file}: inference failed: {reason}")]
    Run { file: String, reason: String },
}

/// How long a resolution's DSR and EdgeFace stay optimised without running, in the window and
/// the other long-running fronts ([`Models::release_idle`]). Loading one again takes under
/// 0.3 s; a minute keeps them while someone walks about in front of the camera.
pub const IDLE_NETWORKS: Duration = Duration::from_secs(60);

/// EdgeFace always runs on one thread, whatever `--threads` says: tract shares each matrix
/// product between threads, and EdgeFace's are too small (maps of 28x28 and smaller) for that
/// to pay. Alone, a second thread made it slower on both machines measured: 4.7 -> 5.3 ms on an
/// AMD EPYC, 4.6 -> 6.1 ms on an Intel Xeon. The DSRs and detectors gain from it (DSR 16 2.0 ->
/// 1.7 ms, the whole-frame detector 8.0 -> 6.0 ms on the Xeon); the landmark model is even.
const EDGEFACE_EXECUTOR: Option<Executor> = None;

pub(crate) fn executor(threads: usize) -> Option<Executor> {
    (threads > 1).then(|| Executor::multithread(threads))
}

/// Every network the pipeline needs: all checked at load, each optimised when its resolution
/// is first used.
pub struct Models {
    dir: PathBuf,
    manifest: Manifest,
    /// The shared EdgeFace first, then any per-resolution ones.
    edgefaces: Vec<EdgeFace>,
    per_res: [ResolutionNets; 3],
}

struct ResolutionNets {
    dsr: Dsr,
    edgeface: usize,
    fingerprint: String,
    cohort: Option<Cohort>,
}

impl Models {
    pub fn load(dir: &Path, threads: usize) -> Result<Models, ModelError> {
        tracing::info!("models from {} ({threads} threads)", dir.display());
        let manifest = Manifest::load(dir)?;
        let executor = executor(threads);
        let mut edgefaces = vec![EdgeFace::load(dir, &manifest.edgeface, EDGEFACE_EXECUTOR)?];
        let mut check_res = |res: Resolution| -> Result<ResolutionNets, ModelError> {
            let entry = manifest.resolution(res);
            let dsr = Dsr::load(dir, &entry.dsr, res, executor.clone())?;
            let edgeface = match &entry.edgeface {
                None => 0,
                // Shared only with an entry that is the same in every field: one that names
                // the same file with other shapes, normalisation or checksum is loaded and
                // checked as its own.
                Some(own) => match edgefaces.iter().position(|n| n.entry() == own) {
                    Some(index) => index,
                    None => {
                        edgefaces.push(EdgeFace::load(dir, own, EDGEFACE_EXECUTOR)?);
                        edgefaces.len() - 1
                    }
                },
            };
            let fingerprint = format!(
                "{}+{}{}",
                entry.dsr.sha256,
                edgefaces[edgeface].entry().sha256,
                entry.template.fingerprint_part()
            );
            let cohort = match &entry.cohort {
                Some(entry) => Some(cohort::load(dir, entry)?),
                None => None,
            };
            Ok(ResolutionNets {
                dsr,
                edgeface,
                fingerprint,
                cohort,
            })
        };
        let per_res = [
            check_res(Resolution::R16)?,
            check_res(Resolution::R24)?,
            check_res(Resolution::R32)?,
        ];
        Ok(Models {
            dir: dir.to_path_buf(),
            manifest,
            edgefaces,
            per_res,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Optimises a resolution's networks now, so its first frame is not slowed by it.
    pub fn prepare(&mut self, res: Resolution) -> Result<(), ModelError> {
        self.dsr(res)?.net().map(drop)
    }

    /// The resolution's DSR. On first use its EdgeFace is optimised before it: optimising the
    /// largest network while little else is packed keeps its transient heap from stacking on
    /// the DSR's packed weights (`identify` peak 45.0 -> 43.1 MB).
    pub fn dsr(&mut self, res: Resolution) -> Result<&mut Dsr, ModelError> {
        self.edgeface(res).net()?;
        Ok(&mut self.per_res[res.index()].dsr)
    }

    /// Lets go of every optimised DSR and EdgeFace that has not run for `idle`, and gives
    /// the heap they held back to the system; returns how many it let go. A long-running
    /// front calls it now and then: enrolling optimises all three resolutions' networks,
    /// and in `auto` a face that came near once would otherwise keep the others' forever.
    pub fn release_idle(&mut self, idle: Duration) -> usize {
        let released = self
            .per_res
            .iter_mut()
            .map(|r| r.dsr.release_if_idle(idle))
            .chain(self.edgefaces.iter_mut().map(|e| e.release_if_idle(idle)))
            .filter(|&released| released)
            .count();
        if released > 0 {
            heap::give_back();
        }
        released
    }

    pub fn edgeface(&mut self, res: Resolution) -> &mut EdgeFace {
        let index = self.per_res[res.index()].edgeface;
        &mut self.edgefaces[index]
    }

    /// Identifies how a resolution's stored embeddings are made: the DSR + EdgeFace pair and
    /// the template recipe ([`Recipe`]). When it changes, stored embeddings must be
    /// recomputed.
    pub fn fingerprint(&self, res: Resolution) -> &str {
        &self.per_res[res.index()].fingerprint
    }

    /// How the resolution's templates are made.
    pub fn template_recipe(&self, res: Resolution) -> Recipe {
        self.manifest.resolution(res).template
    }

    /// The 1:N decision threshold (identify, the window, live recognition), on the scale of
    /// [`Models::cohort`]'s normalised scores where there is a cohort.
    pub fn threshold(&self, res: Resolution) -> f32 {
        self.manifest.resolution(res).threshold
    }

    /// What the resolution's 1:N scores are normalised against, if the manifest names one.
    pub fn cohort(&self, res: Resolution) -> Option<&Cohort> {
        self.per_res[res.index()].cohort.as_ref()
    }

    /// The second path for faces of `res` of their own, if the manifest gives one.
    pub fn second_path(&self, res: Resolution) -> Option<SecondPathEntry> {
        self.manifest.resolution(res).second_path
    }

    /// The 1:1 threshold (`verify`, verify mode in the window).
    pub fn verify_threshold(&self, res: Resolution) -> f32 {
        self.manifest.resolution(res).verify_threshold
    }

    /// File name and size of every network.
    pub fn files(&self) -> Vec<(String, u64)> {
        let mut files: Vec<(String, u64)> = self
            .edgefaces
            .iter()
            .map(|n| (n.entry().file.clone(), n.bytes_on_disk()))
            .chain(
                self.per_res
                    .iter()
                    .map(|r| (r.dsr.entry().file.clone(), r.dsr.bytes_on_disk())),
            )
            .collect();
        files.sort();
        files
    }
}
