//! One ONNX network as an optimised, fixed-shape tract plan, checked against its manifest entry.

use std::io::Cursor;
use std::path::Path;

use sha2::{Digest, Sha256};
use tract_onnx::prelude::*;

mod profile;

pub use profile::NodeCost;

use super::heap::while_loading;
use super::manifest::ModelEntry;
use super::ModelError;

type Plan = TypedSimplePlan;
type State = TypedSimpleState;

pub struct Net {
    entry: ModelEntry,
    state: State,
    /// Filled in place by the role and lent to each run, which hands it back unshared: one
    /// copy of the input instead of the role's buffer and a tensor made from it (3.7 MB each
    /// for the detector's 640x480 frame).
    input: Arc<Tensor>,
    output: Option<TValue>,
    bytes_on_disk: u64,
}

impl Net {
    /// Reads, checksums and parses the file and checks its shapes, without optimising it:
    /// enough to refuse a bad file at start-up. Returns its size on disk.
    pub fn check(dir: &Path, entry: &ModelEntry) -> Result<u64, ModelError> {
        let started = std::time::Instant::now();
        let path = dir.join(&entry.file);
        let bytes = read_checked(&path, entry)?;
        let size = bytes.len() as u64;
        let checked = while_loading(|| typed_model(bytes, entry).map(drop));
        tracing::debug!(
            "checked {} in {:.0} ms",
            path.display(),
            started.elapsed().as_secs_f64() * 1e3
        );
        checked.map_err(|e| graph_error(&path, entry, e))?;
        Ok(size)
    }

    pub fn load(
        dir: &Path,
        entry: &ModelEntry,
        executor: Option<multithread::Executor>,
    ) -> Result<Net, ModelError> {
        let started = std::time::Instant::now();
        let path = dir.join(&entry.file);
        let bytes = read_checked(&path, entry)?;
        let bytes_on_disk = bytes.len() as u64;
        let state =
            while_loading(|| build_plan(bytes, entry, executor).and_then(|plan| plan.spawn()));
        let state = state.map_err(|e| graph_error(&path, entry, e))?;
        let input = Tensor::zero::<f32>(&entry.input).map_err(|e| graph_error(&path, entry, e))?;
        tracing::info!(
            "loaded {} ({} bytes, checksum good) in {:.0} ms",
            path.display(),
            bytes_on_disk,
            started.elapsed().as_secs_f64() * 1e3
        );
        Ok(Net {
            entry: entry.clone(),
            state,
            input: Arc::new(input),
            output: None,
            bytes_on_disk,
        })
    }

    pub fn entry(&self) -> &ModelEntry {
        &self.entry
    }

    pub fn bytes_on_disk(&self) -> u64 {
        self.bytes_on_disk
    }

    /// The input tensor, flattened, for the role to fill (normalised, in the manifest's input
    /// shape) before [`Net::run`]; `len` is how many values the role means to write, and a
    /// different count is refused rather than cut short or left half-filled.
    pub fn input_mut(&mut self, len: usize) -> Result<&mut [f32], ModelError> {
        if len != self.input.len() {
            return Err(self.run_error(format!(
                "got {len} input values for shape {:?}",
                self.entry.input
            )));
        }
        // Exclusive again once a run is over (tract clears its values at the end of each);
        // `make_mut` copies only if something still holds the last one.
        Arc::make_mut(&mut self.input)
            .to_plain_array_view_mut::<f32>()
            .ok()
            .and_then(|view| view.into_slice())
            .ok_or_else(|| ModelError::Run {
                file: self.entry.file.clone(),
                reason: "the input tensor is not a contiguous f32 buffer".into(),
            })
    }

    /// Runs the network on its input (see [`Net::input_mut`]) and returns its output,
    /// flattened.
    pub fn run(&mut self) -> Result<&[f32], ModelError> {
        // The previous output is dropped before the run so tract can reuse its memory.
        self.output = None;
        let mut outputs = self
            .state
            .run(tvec!(self.input.clone().into_tvalue()))
            .map_err(|e| self.run_error(format!("{e:#}")))?;
        let output = outputs.swap_remove(0);
        self.output = Some(output);
        match self
            .output
            .as_ref()
            .map(|o| o.try_as_plain_ram().and_then(|view| view.as_slice::<f32>()))
        {
            Some(Ok(values)) => Ok(values),
            Some(Err(e)) => Err(self.run_error(e.to_string())),
            None => Err(self.run_error("no output".into())),
        }
    }

    fn run_error(&self, reason: String) -> ModelError {
        ModelError::Run {
            file: self.entry.file.clone(),
            reason,
        }
    }
}

/// Largest network file read: the shipped ones are at most 2 MB; a manifest that names
/// `/dev/zero` is refused at this many bytes instead of filling memory.
const MAX_MODEL_BYTES: u64 = 64 << 20;

fn read_checked(path: &Path, entry: &ModelEntry) -> Result<Vec<u8>, ModelError> {
    let bytes =
        crate::bounded::read(path, MAX_MODEL_BYTES).map_err(|source| ModelError::Missing {
            file: path.to_path_buf(),
            contract: entry.contract(),
            source,
        })?;
    let actual = hex(&Sha256::digest(&bytes));
    if !actual.eq_ignore_ascii_case(&entry.sha256) {
        return Err(ModelError::Checksum {
            file: path.to_path_buf(),
            expected: entry.sha256.clone(),
            actual,
        });
    }
    Ok(bytes)
}

fn graph_error(path: &Path, entry: &ModelEntry, error: TractError) -> ModelError {
    ModelError::Graph {
        file: path.to_path_buf(),
        contract: entry.contract(),
        reason: format!("{error:#}"),
    }
}

/// The parsed graph with the manifest's input shape, its output shape checked. The file's
/// bytes are let go once parsed, before typing and optimising (EdgeFace's are 1.6 MB).
fn typed_model(bytes: Vec<u8>, entry: &ModelEntry) -> TractResult<TypedModel> {
    let mut model = tract_onnx::onnx().model_for_read(&mut Cursor::new(&bytes))?;
    drop(bytes);
    model.set_input_fact(0, f32::fact(&entry.input).into())?;
    let model = model.into_typed()?;
    let fact = model.output_fact(0)?;
    let shape: Vec<usize> = fact
        .shape
        .as_concrete()
        .map(|s| s.to_vec())
        .ok_or_else(|| TractError::msg(format!("output shape {:?} is not fixed", fact.shape)))?;
    if shape != entry.output {
        return Err(TractError::msg(format!(
            "the graph's output is {shape:?}, the manifest says {:?}",
            entry.output
        )));
    }
    Ok(model)
}

fn build_plan(
    bytes: Vec<u8>,
    entry: &ModelEntry,
    executor: Option<multithread::Executor>,
) -> TractResult<Arc<Plan>> {
    let options = RunOptions {
        executor,
        ..RunOptions::default()
    };
    typed_model(bytes, entry)?
        .into_optimized()?
        .into_runnable_with_options(&options)
}

pub(super) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
