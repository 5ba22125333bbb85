//! How glibc's heap is run while a network is parsed and optimised, and given back after.
//!
//! tract's parse, type inference and optimisation allocate several MB that are freed once the
//! plan exists (EdgeFace's float weights alone are 4.9 MB). Left to glibc's defaults, those
//! blocks come from the heap and stay there after they are freed, under the next
//! allocations: they count in RSS and set the process's peak. So while a network loads,
//! blocks of 128 kB or more are mapped on their own and unmapped when freed; afterwards,
//! large blocks come from the heap again and it is never trimmed on its own, so the
//! per-frame path reuses its memory instead of mapping and faulting in every activation
//! (doing that all the time took DSR 16 px from 5.3 to 7.9 ms). After each load what the
//! heap holds free is handed back at once (`malloc_trim`).

/// Blocks at least this large are mapped on their own while a network loads (glibc's own
/// starting threshold).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const LOADING_MMAP_THRESHOLD: i32 = 128 * 1024;
/// Outside loads: glibc's ceiling for its adaptive threshold (32 MB on 64-bit), so every
/// activation comes from the heap, and a trim threshold twice that, as glibc would set it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const RUNNING_MMAP_THRESHOLD: i32 = 32 * 1024 * 1024;

/// Runs `load` with the loading policy above, then hands back what it freed.
pub(super) fn while_loading<T>(load: impl FnOnce() -> T) -> T {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets glibc's allocator parameters under its own lock.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LOADING_MMAP_THRESHOLD);
    }
    let loaded = load();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: as above.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, RUNNING_MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 2 * RUNNING_MMAP_THRESHOLD);
    }
    give_back();
    loaded
}

/// Hands what the heap holds free back to the system: after a load, or once networks are
/// let go (the heap is never trimmed on its own, see above).
pub(super) fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}
