//! Who is who: the configured identities (not the synthetic ones), their roles from the auth
//! file, and which of them are admins (a role whose name contains `admin`).

use std::collections::BTreeMap;

use crate::auth::AuthFile;
use crate::input::auth::is_synthetic;
use crate::input::{Call, Identities};

#[derive(Debug, Clone, Default)]
pub struct Roles {
    default: String,
    /// Configured identity → its role, when the auth file gives one.
    roles: BTreeMap<String, Option<String>>,
}

impl Roles {
    pub fn new(identities: &Identities, auth: Option<&AuthFile>) -> Roles {
        let roles = identities
            .by_name
            .iter()
            .filter(|(name, creds)| !is_synthetic(name) && !creds.is_empty())
            .map(|(name, _)| {
                let role = auth.and_then(|a| a.role(name)).map(str::to_owned);
                (name.clone(), role)
            })
            .collect();
        Roles {
            default: identities.default.clone(),
            roles,
        }
    }

    /// The identity a call runs as.
    pub fn resolve<'a>(&'a self, call: &'a Call) -> &'a str {
        call.identity.as_deref().unwrap_or(&self.default)
    }

    /// True for a configured identity with credentials.
    pub fn is_real(&self, name: &str) -> bool {
        self.roles.contains_key(name)
    }

    pub fn is_admin(&self, name: &str) -> bool {
        self.roles
            .get(name)
            .and_then(Option::as_deref)
            .is_some_and(|r| r.to_ascii_lowercase().contains("admin"))
    }

    /// True for a configured identity that is not an admin.
    pub fn is_customer(&self, name: &str) -> bool {
        self.is_real(name) && !self.is_admin(name)
    }

    /// True when `a` and `b` are two different non-admin identities of the same role.
    pub fn peers(&self, a: &str, b: &str) -> bool {
        a != b
            && self.is_customer(a)
            && self.is_customer(b)
            && self.roles.get(a) == self.roles.get(b)
    }

    /// The first peer of `name` (see [`Roles::peers`]).
    pub fn peer_of(&self, name: &str) -> Option<&str> {
        self.roles
            .keys()
            .map(String::as_str)
            .find(|other| self.peers(name, other))
    }

    pub fn admins(&self) -> impl Iterator<Item = &str> {
        self.roles
            .keys()
            .map(String::as_str)
            .filter(|n| self.is_admin(n))
    }

    pub fn customers(&self) -> impl Iterator<Item = &str> {
        self.roles
            .keys()
            .map(String::as_str)
            .filter(|n| self.is_customer(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Credentials;

    #[test]
    fn roles_peers_and_admins() {
        let auth: AuthFile = toml::from_str(
            "[[identity]]\nname = \"alice\"\nrole = \"customer\"\nbearer = \"a\"\n\
             [[identity]]\nname = \"bob\"\nrole = \"customer\"\nbearer = \"b\"\n\
             [[identity]]\nname = \"root\"\nrole = \"Admin\"\nbearer = \"r\"\n",
        )
        .unwrap();
        let mut ids = Identities::single("alice", Credentials::bearer("a"));
        ids.by_name.insert("bob".into(), Credentials::bearer("b"));
        ids.by_name.insert("root".into(), Credentials::bearer("r"));
        ids.by_name
            .insert("~malformed:bob".into(), Credentials::bearer("c"));
        let roles = Roles::new(&ids, Some(&auth));
        assert!(roles.peers("alice", "bob"));
        assert!(!roles.peers("alice", "root"));
        assert!(!roles.peers("alice", "alice"));
        assert_eq!(roles.peer_of("bob"), Some("alice"));
        assert_eq!(roles.admins().collect::<Vec<_>>(), vec!["root"]);
        assert_eq!(roles.customers().count(), 2);
        assert!(!roles.is_real("~malformed:bob"));
        let call = Call::new(crate::spec::OperationId("x".into()));
        assert_eq!(roles.resolve(&call), "alice");
    }
}
