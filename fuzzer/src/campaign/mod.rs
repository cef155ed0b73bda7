//! The fuzzing campaign: LibAFL wiring in one readable place.

pub mod executor;
pub mod feedback;
pub mod fuzz;
pub mod generation;
pub mod liveness;
pub mod novelty;
pub mod observer;
pub mod probe_stage;
pub mod profile;
pub mod runner;
pub mod status;
