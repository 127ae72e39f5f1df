//! How the app's threads share the C allocator, which Rust's allocations and the software
//! renderer's both go through.
//!
//! glibc gives each thread that allocates at the same time as another an arena of its own, up
//! to eight per core, and keeps what each arena has freed for that arena alone. The app has
//! Bevy's task pools, the renderer's threads, the news thread and its runtime: with one arena
//! per thread, memory one frees is resident memory another cannot use. Two arenas keep the
//! app's peak resident memory about 10 MiB lower with no change in frame time (see the
//! README's benchmarks).

/// The most arenas glibc may make; set before any thread is started.
const ARENAS: i32 = 2;

/// Caps glibc's arenas for the whole process; a no-op on other C libraries.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code, reason = "mallopt has no safe wrapper in libc")]
pub(super) fn share_arenas() {
    // SAFETY: mallopt only sets one of the allocator's tunables; it is called before the app
    // starts its threads, and an arena cap takes effect for arenas made after it.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(super) fn share_arenas() {}
