//! The fuzzing input and how it becomes HTTP requests.
//!
//! A [`RequestSeq`] is an ordered list of [`Call`]s; each names an operation, its parameter values and
//! body as [`Node`] trees, any part of which may be a [`Reference`] to an earlier call's response (this
//! is how create → read → update → delete chains are expressed). [`render()`] turns one call plus the
//! responses so far and the identity's [`Credentials`] into an [`HttpRequest`](crate::http::HttpRequest).

pub mod auth;
pub mod body;
pub mod encode;
pub mod node;
pub mod render;
pub mod resolve;
pub mod seq;

#[cfg(test)]
mod proptests;
#[cfg(test)]
pub(crate) mod strategies;
#[cfg(test)]
pub(crate) mod test_model;

pub use auth::{Credentials, Identities};
pub use node::{Node, RefSource, Reference};
pub use render::render;
pub use resolve::resolve;
pub use seq::{Body, Call, MAX_CALLS, ParamValue, RequestSeq};
