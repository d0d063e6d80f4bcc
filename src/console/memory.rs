//! Handing freed heap back to the OS once a snapshot has been built into
//! the state. Building it from a decoded snapshot frees tens of MiB that
//! glibc's allocator would otherwise keep, so the console's resident size
//! would stay at the build's peak for the whole shift.

/// Returns free heap pages to the OS (glibc only; elsewhere nothing to do).
pub fn release_free() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes
    // no pointers from us and is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
