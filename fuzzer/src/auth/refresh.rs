//! [`LoginRefresher`]: the runner's [`Reauth`] hook. When the target answers 401 to an identity
//! that had a 2xx on the same operation before, its session has expired: the identity logs in
//! again (its auth file login) and the call is re-sent once. Bounded: after
//! [`MAX_REFRESHES`] logins, or when a fresh login fails or is answered 401 again, the identity is
//! abandoned (said once on the console) and its calls are not sent any more, so a fuzzer never
//! locks itself out by hammering the login.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::sync::Arc;

use super::file::AuthFile;
use super::login::credentials;
use crate::campaign::runner::Reauth;
use crate::input::Credentials;
use crate::spec::Model;
use crate::transport::Transport;

/// Fresh logins per identity in one campaign, at most.
pub const MAX_REFRESHES: u32 = 5;

pub struct LoginRefresher {
    file: AuthFile,
    model: Arc<Model>,
    base_path: String,
    /// (identity, operation) pairs that got a 2xx: a later 401 there means an expired session.
    had_access: HashSet<(String, usize)>,
    refreshes: BTreeMap<String, u32>,
    /// Identities just logged in again, whose retried call is awaited.
    retrying: BTreeSet<String>,
    abandoned: BTreeSet<String>,
    console: Box<dyn Write + Send>,
}

impl LoginRefresher {
    /// A refresher for the identities of `file` that log in; messages go to `console`.
    pub fn new(
        file: AuthFile,
        model: Arc<Model>,
        base_path: &str,
        console: Box<dyn Write + Send>,
    ) -> Self {
        LoginRefresher {
            file,
            model,
            base_path: base_path.to_owned(),
            had_access: HashSet::new(),
            refreshes: BTreeMap::new(),
            retrying: BTreeSet::new(),
            abandoned: BTreeSet::new(),
            console,
        }
    }

    fn abandon(&mut self, identity: &str, why: &str) {
        if self.abandoned.insert(identity.to_owned()) {
            let _ = writeln!(
                self.console,
                "shrike: identity {identity:?}: {why}; calls as {identity:?} are not sent any more"
            );
        }
    }

    fn logs_in(&self, identity: &str) -> bool {
        self.file
            .identities
            .iter()
            .any(|i| i.name == identity && i.login.is_some())
    }
}

impl Reauth for LoginRefresher {
    fn expired(&mut self, identity: &str, op: usize, status: u16) -> bool {
        if !self.logs_in(identity) || self.abandoned.contains(identity) {
            return false;
        }
        let retried = self.retrying.remove(identity);
        if (200..300).contains(&status) {
            self.had_access.insert((identity.to_owned(), op));
            return false;
        }
        if status != 401 || !self.had_access.contains(&(identity.to_owned(), op)) {
            return false;
        }
        if retried {
            self.abandon(
                identity,
                "the target still answers 401 after a fresh login (credentials revoked or account locked?)",
            );
            return false;
        }
        if self.refreshes.get(identity).copied().unwrap_or(0) >= MAX_REFRESHES {
            self.abandon(
                identity,
                &format!("the session expired again after {MAX_REFRESHES} fresh logins"),
            );
            return false;
        }
        true
    }

    fn refresh(&mut self, identity: &str, transport: &mut dyn Transport) -> Option<Credentials> {
        *self.refreshes.entry(identity.to_owned()).or_default() += 1;
        let config = self.file.identities.iter().find(|i| i.name == identity)?;
        match credentials(config, &self.model, &self.base_path, transport) {
            Ok(creds) => {
                self.retrying.insert(identity.to_owned());
                Some(creds)
            }
            Err(e) => {
                self.abandon(identity, &format!("logging in again failed ({e})"));
                None
            }
        }
    }

    fn abandoned(&self, identity: &str) -> bool {
        self.abandoned.contains(identity)
    }
}

#[cfg(test)]
#[path = "refresh_tests.rs"]
mod tests;
