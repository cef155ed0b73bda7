//! [`LoginRefresher`]: the runner's [`Reauth`] hook. When the target answers 401 to an identity
//! that had a 2xx on the same operation before, its session may have expired. The refresher then
//! re-sends a request of that identity that had succeeded (a GET, its *canary*): if the canary
//! still passes, the 401 was about the request, not the session, and nothing happens. Otherwise
//! the identity logs in again (its auth file login), the canary confirms the fresh credentials,
//! and the runner re-sends the call once. Bounded: at most [`MAX_REFRESHES`] logins per identity;
//! when a login fails, or the canary is answered 401 even after a fresh login, the identity is
//! abandoned (said once on the console) and its calls are not sent any more, so a fuzzer never
//! locks itself out by hammering the login.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::sync::Arc;

use super::file::AuthFile;
use super::login::credentials;
use crate::campaign::runner::Reauth;
use crate::http::HttpRequest;
use crate::input::Credentials;
use crate::spec::Model;
use crate::transport::Transport;

/// Fresh logins per identity in one campaign, at most.
pub const MAX_REFRESHES: u32 = 5;

pub struct LoginRefresher {
    file: AuthFile,
    model: Arc<Model>,
    base_path: String,
    /// (identity, operation) pairs that got a 2xx: a later 401 there may be an expired session.
    had_access: HashSet<(String, usize)>,
    /// Per identity, a GET that got a 2xx: re-sent to tell an expired session from a 401 the
    /// request itself earned.
    canary: BTreeMap<String, HttpRequest>,
    refreshes: BTreeMap<String, u32>,
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
            canary: BTreeMap::new(),
            refreshes: BTreeMap::new(),
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

    /// The header a login identity's token goes into.
    fn token_header(&self, identity: &str) -> Option<&str> {
        self.file
            .identities
            .iter()
            .find(|i| i.name == identity)
            .and_then(|i| i.login.as_ref())
            .map(|l| l.header.as_str())
    }

    /// True when the canary of `identity` is answered 401 (no canary: assume so).
    fn canary_refused(&self, identity: &str, transport: &mut dyn Transport) -> bool {
        match self.canary.get(identity) {
            Some(canary) => matches!(transport.send(canary), Ok(r) if r.status == 401),
            None => true,
        }
    }

    /// The canary with the token header of `fresh`.
    fn renew_canary(&mut self, identity: &str, fresh: &Credentials) {
        let Some(header) = self.token_header(identity).map(str::to_owned) else {
            return;
        };
        let Some(canary) = self.canary.get_mut(identity) else {
            return;
        };
        let value = fresh
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&header))
            .map(|(_, v)| v.clone());
        if let Some(value) = value {
            for (n, v) in &mut canary.headers {
                if n.eq_ignore_ascii_case(&header) {
                    v.clone_from(&value);
                }
            }
        }
    }
}

impl Reauth for LoginRefresher {
    fn expired(&mut self, identity: &str, op: usize, request: &HttpRequest, status: u16) -> bool {
        if self.token_header(identity).is_none() || self.abandoned.contains(identity) {
            return false;
        }
        if (200..300).contains(&status) {
            self.had_access.insert((identity.to_owned(), op));
            if request.method == "GET" && !self.canary.contains_key(identity) {
                self.canary.insert(identity.to_owned(), request.clone());
            }
            return false;
        }
        status == 401 && self.had_access.contains(&(identity.to_owned(), op))
    }

    fn refresh(&mut self, identity: &str, transport: &mut dyn Transport) -> Option<Credentials> {
        if !self.canary_refused(identity, transport) {
            return None;
        }
        let count = self.refreshes.entry(identity.to_owned()).or_default();
        if *count >= MAX_REFRESHES {
            let why = format!("the session expired again after {MAX_REFRESHES} fresh logins");
            self.abandon(identity, &why);
            return None;
        }
        *count += 1;
        let config = self.file.identities.iter().find(|i| i.name == identity)?;
        match credentials(config, &self.model, &self.base_path, transport) {
            Ok(fresh) => {
                self.renew_canary(identity, &fresh);
                if self.canary.contains_key(identity) && self.canary_refused(identity, transport) {
                    self.abandon(
                        identity,
                        "the target still answers 401 after a fresh login (credentials revoked?)",
                    );
                    return None;
                }
                Some(fresh)
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
