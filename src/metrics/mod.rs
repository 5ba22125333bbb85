//! What the app costs while it runs: memory of the process and the system, how long each
//! stage of a frame took, and rolling per-stage latency.

mod latency;
mod memory;
mod stages;
mod timings;

pub use latency::{LatencyWindow, Summary};
pub use memory::{MemoryProbe, MemorySnapshot};
pub use stages::StageStats;
pub(crate) use timings::Stopwatch;
pub use timings::{StageTimings, STAGE_NAMES};
