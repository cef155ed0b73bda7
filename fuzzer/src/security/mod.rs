//! Security checks: per-response checks, whole-run oracles and probers for the weaknesses an API
//! security tester looks for (injection, data exposure, CORS, disclosure, authentication and
//! authorization). Each is registered in [`crate::probe::plan`].

pub mod cors;
pub mod disclosure;
pub mod exposure;
pub mod exposure_schema;
pub mod injection;
pub mod injection_leaf;
pub mod injection_probe;
