//! Target-side coverage runtime (grey-box mode).
//!
//! A target instrumented with SanitizerCoverage links this crate to write its edge hits into the
//! AFL-compatible shared-memory map that Shrike names in `__AFL_SHM_ID`. The runtime is added by
//! the grey-box coverage issue; until then this crate is intentionally empty.
