//! Mutators (filled in below).
