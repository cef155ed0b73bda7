//! Authentication: the auth file and how its identities get their credentials.

pub mod file;
pub mod login;

pub use file::{AuthError, AuthFile, IdentityConfig};
pub use login::establish;
