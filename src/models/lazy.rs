//! A network checked at start-up and optimised on first use, so a run at one resolution
//! holds only that resolution's networks in memory (EdgeFace alone is about 6 MB once packed).

use std::path::{Path, PathBuf};

use tract_onnx::prelude::multithread::Executor;

use super::manifest::ModelEntry;
use super::net::Net;
use super::ModelError;

pub(super) struct LazyNet {
    dir: PathBuf,
    entry: ModelEntry,
    executor: Option<Executor>,
    bytes_on_disk: u64,
    net: Option<Net>,
}

impl LazyNet {
    pub(super) fn check(
        dir: &Path,
        entry: &ModelEntry,
        executor: Option<Executor>,
    ) -> Result<LazyNet, ModelError> {
        let bytes_on_disk = Net::check(dir, entry)?;
        Ok(LazyNet {
            dir: dir.to_path_buf(),
            entry: entry.clone(),
            executor,
            bytes_on_disk,
            net: None,
        })
    }

    pub(super) fn entry(&self) -> &ModelEntry {
        &self.entry
    }

    pub(super) fn bytes_on_disk(&self) -> u64 {
        self.bytes_on_disk
    }

    pub(super) fn get(&mut self) -> Result<&mut Net, ModelError> {
        let net = match self.net.take() {
            Some(net) => net,
            None => Net::load(&self.dir, &self.entry, self.executor.clone())?,
        };
        Ok(self.net.insert(net))
    }
}
