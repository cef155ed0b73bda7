//! Credentials the renderer adds to a request for the identity a call runs as.
//!
//! How credentials are obtained (an auth file, a login call) is decided elsewhere; rendering only
//! needs the headers, query parameters and cookies that make up one identity.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What one identity adds to every request it sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// e.g. `("Authorization", "Bearer ...")`, `("X-Api-Key", "...")`.
    pub headers: Vec<(String, String)>,
    /// e.g. `("api_key", "...")`.
    pub query: Vec<(String, String)>,
    /// e.g. `("session", "...")`.
    pub cookies: Vec<(String, String)>,
}

impl Credentials {
    /// No credentials at all (an anonymous request).
    pub fn none() -> Credentials {
        Credentials::default()
    }

    pub fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.query.is_empty() && self.cookies.is_empty()
    }

    /// A bearer token in the `Authorization` header.
    pub fn bearer(token: &str) -> Credentials {
        Credentials {
            headers: vec![("Authorization".to_owned(), format!("Bearer {token}"))],
            ..Credentials::default()
        }
    }
}

/// The named identities of a campaign and which one calls use by default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identities {
    /// The name calls without an explicit identity run as.
    pub default: String,
    pub by_name: BTreeMap<String, Credentials>,
}

impl Identities {
    /// A single default identity.
    pub fn single(name: &str, creds: Credentials) -> Identities {
        Identities {
            default: name.to_owned(),
            by_name: BTreeMap::from([(name.to_owned(), creds)]),
        }
    }

    /// The credentials for a call's identity; an unknown name sends no credentials.
    pub fn for_identity(&self, identity: Option<&str>) -> &Credentials {
        static NONE: Credentials = Credentials {
            headers: Vec::new(),
            query: Vec::new(),
            cookies: Vec::new(),
        };
        let name = identity.unwrap_or(&self.default);
        self.by_name.get(name).unwrap_or(&NONE)
    }

    /// The names of the configured identities, in order (not the synthetic ones the security
    /// checks add, see [`is_synthetic`]).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name
            .keys()
            .map(String::as_str)
            .filter(|n| !is_synthetic(n))
    }

    /// The name a call runs as: its own, or the default.
    pub fn resolve<'a>(&'a self, identity: Option<&'a str>) -> &'a str {
        identity.unwrap_or(&self.default)
    }
}

/// The identity name of a call sent without any credentials.
pub const ANONYMOUS: &str = "~anonymous";

/// True for identities the security checks make up (anonymous, forged tokens): their names start
/// with `~`, which no auth file identity may use.
pub fn is_synthetic(name: &str) -> bool {
    name.starts_with('~')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_lookup_falls_back_to_default_then_none() {
        let mut ids = Identities::single("alice", Credentials::bearer("a"));
        ids.by_name.insert("bob".into(), Credentials::bearer("b"));
        assert_eq!(ids.for_identity(None), &Credentials::bearer("a"));
        assert_eq!(ids.for_identity(Some("bob")), &Credentials::bearer("b"));
        assert!(ids.for_identity(Some("mallory")).is_empty());
        assert_eq!(ids.names().collect::<Vec<_>>(), vec!["alice", "bob"]);
        ids.by_name
            .insert("~malformed:alice".into(), Credentials::bearer("x"));
        assert_eq!(
            ids.names().count(),
            2,
            "synthetic identities are not listed"
        );
        assert!(ids.for_identity(Some(ANONYMOUS)).is_empty());
        assert_eq!(ids.resolve(None), "alice");
        assert_eq!(ids.resolve(Some("bob")), "bob");
    }
}
