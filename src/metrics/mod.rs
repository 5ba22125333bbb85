//! What the app costs while it runs: memory of the process and the system, and rolling
//! per-stage latency.

mod latency;
mod memory;
mod stages;

pub use latency::{LatencyWindow, Summary};
pub use memory::{MemoryProbe, MemorySnapshot};
pub use stages::StageStats;
