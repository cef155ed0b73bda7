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

    /// The identity names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }
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
    }
}
