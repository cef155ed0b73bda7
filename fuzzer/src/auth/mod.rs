//! Authentication: the auth file and how its identities get their credentials.

pub mod file;
pub mod forged;
pub mod login;
pub mod refresh;

pub use file::{AuthError, AuthFile, IdentityConfig};
pub use login::establish;
pub use refresh::LoginRefresher;
