//! Process and system memory, read through sysinfo (and the kernel's peak-RSS counter, which
//! sysinfo does not expose).

use sysinfo::{MemoryRefreshKind, Pid, ProcessRefreshKind, ProcessesToUpdate, RefreshKind, System};

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MemorySnapshot {
    pub rss_bytes: u64,
    /// Highest RSS the process has had (VmHWM); 0 where the kernel does not say.
    pub peak_rss_bytes: u64,
    pub system_used_bytes: u64,
    pub system_available_bytes: u64,
    pub system_total_bytes: u64,
    /// This process's CPU use since the last snapshot, 100 = one core.
    pub cpu_percent: f32,
}

pub struct MemoryProbe {
    system: System,
    pid: Option<Pid>,
}

impl Default for MemoryProbe {
    fn default() -> Self {
        MemoryProbe::new()
    }
}

impl MemoryProbe {
    pub fn new() -> MemoryProbe {
        let system = System::new_with_specifics(
            RefreshKind::nothing().with_memory(MemoryRefreshKind::nothing().with_ram()),
        );
        MemoryProbe {
            system,
            pid: sysinfo::get_current_pid().ok(),
        }
    }

    pub fn snapshot(&mut self) -> MemorySnapshot {
        self.system
            .refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram());
        let mut snapshot = MemorySnapshot {
            system_used_bytes: self.system.used_memory(),
            system_available_bytes: self.system.available_memory(),
            system_total_bytes: self.system.total_memory(),
            peak_rss_bytes: peak_rss_bytes(),
            ..MemorySnapshot::default()
        };
        if let Some(pid) = self.pid {
            self.system.refresh_processes_specifics(
                ProcessesToUpdate::Some(&[pid]),
                false,
                ProcessRefreshKind::nothing().with_memory().with_cpu(),
            );
            if let Some(process) = self.system.process(pid) {
                snapshot.rss_bytes = process.memory();
                snapshot.cpu_percent = process.cpu_usage();
            }
        }
        snapshot.peak_rss_bytes = snapshot.peak_rss_bytes.max(snapshot.rss_bytes);
        snapshot
    }
}

/// VmHWM from `/proc/self/status`, in bytes.
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_sees_this_process() {
        let snapshot = MemoryProbe::new().snapshot();
        assert!(snapshot.rss_bytes > 1 << 20, "{snapshot:?}");
        assert!(snapshot.peak_rss_bytes >= snapshot.rss_bytes);
        assert!(snapshot.system_total_bytes > snapshot.system_available_bytes);
    }
}
