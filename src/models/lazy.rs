//! A network checked at start-up and optimised on first use, so a run at one resolution
//! holds only that resolution's networks in memory (EdgeFace alone is about 6 MB once packed),
//! and let go again when it has not been used for a while. The roles loaded this way (the
//! DSRs and EdgeFaces) are this one type with a marker ([`super::Dsr`], [`super::EdgeFace`]):
//! what they share is written once here, what each does with its network in its own file.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tract_onnx::prelude::multithread::Executor;

use super::manifest::ModelEntry;
use super::net::Net;
use super::ModelError;

pub struct Lazy<Role> {
    dir: PathBuf,
    entry: ModelEntry,
    executor: Option<Executor>,
    bytes_on_disk: u64,
    net: Option<Net>,
    last_used: Option<Instant>,
    role: PhantomData<Role>,
}

impl<Role> Lazy<Role> {
    /// Checks `entry`'s file now (its shapes are the role's to check first).
    pub(super) fn check(
        dir: &Path,
        entry: &ModelEntry,
        executor: Option<Executor>,
    ) -> Result<Lazy<Role>, ModelError> {
        let bytes_on_disk = Net::check(dir, entry)?;
        Ok(Lazy {
            dir: dir.to_path_buf(),
            entry: entry.clone(),
            executor,
            bytes_on_disk,
            net: None,
            last_used: None,
            role: PhantomData,
        })
    }

    pub fn entry(&self) -> &ModelEntry {
        &self.entry
    }

    pub(super) fn bytes_on_disk(&self) -> u64 {
        self.bytes_on_disk
    }

    /// The network itself, optimised on first use: for timing and profiling it alone.
    pub fn net(&mut self) -> Result<&mut Net, ModelError> {
        let net = match self.net.take() {
            Some(net) => net,
            None => Net::load(&self.dir, &self.entry, self.executor.clone())?,
        };
        self.last_used = Some(Instant::now());
        Ok(self.net.insert(net))
    }

    /// Drops the optimised network if it has not run for `idle` (the next use loads it
    /// again); true when it did.
    pub(super) fn release_if_idle(&mut self, idle: Duration) -> bool {
        let unused = self.last_used.is_none_or(|t| t.elapsed() >= idle);
        unused && self.net.take().is_some()
    }
}
