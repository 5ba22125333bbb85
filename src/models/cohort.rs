//! Reading a resolution's cohort file (see `matching::Cohort`) as the manifest names it:
//! through a cap, against its checksum and its shape.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::manifest::CohortEntry;
use super::ModelError;
use crate::matching::Cohort;

/// Largest cohort file read: 800 members of 512 values are 413 kB.
const MAX_COHORT_BYTES: u64 = 8 << 20;

pub(super) fn load(dir: &Path, entry: &CohortEntry) -> Result<Cohort, ModelError> {
    let path = dir.join(&entry.file);
    let bad = |reason: String| ModelError::Manifest {
        path: path.clone(),
        reason,
    };
    let bytes = crate::bounded::read(&path, MAX_COHORT_BYTES).map_err(|e| {
        bad(format!(
            "cannot read the cohort ({e}); rebuild with models/forge"
        ))
    })?;
    let actual = super::net::hex(&Sha256::digest(&bytes));
    if !actual.eq_ignore_ascii_case(&entry.sha256) {
        return Err(ModelError::Checksum {
            file: path,
            expected: entry.sha256.clone(),
            actual,
        });
    }
    Cohort::from_bytes(&bytes, entry.count, entry.dims, entry.top_k, entry.unit).map_err(bad)
}
