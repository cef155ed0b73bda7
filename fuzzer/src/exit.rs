//! Process exit codes: the contract CI scripts rely on.

/// The run finished and found nothing.
pub const NO_FINDINGS: i32 = 0;
/// The run finished with at least one finding (or `repro`: the case still fails).
pub const FINDINGS: i32 = 1;
/// Bad command line, config or spec.
pub const USAGE: i32 = 2;
/// The target could not be reached at start.
pub const UNREACHABLE: i32 = 3;
/// Shrike itself failed.
pub const INTERNAL: i32 = 4;
