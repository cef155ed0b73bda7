//! Cases: the reproducible record of each distinct finding (format, store, curl export).

pub mod curl;
pub mod curl_refs;
pub mod format;
pub mod regress;
pub mod store;

pub use format::{CaseFile, ConcreteExchange, FORMAT_VERSION};
pub use store::{CaseContext, CaseError, CaseStore, load_case, write_atomic};

#[cfg(test)]
mod tests;
