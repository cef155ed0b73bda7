//! Forged credentials for the broken-authentication check: each configured identity gets
//! synthetic twins (`~malformed:alice`, and for JWT tokens `~alg-none:alice`, `~unsigned:alice`,
//! `~expired:alice`) whose credentials a correct server must reject. They live in [`Identities`]
//! like any other identity, so a probe that uses one replays with `shrike repro`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::input::auth::is_synthetic;
use crate::input::{Credentials, Identities};

/// One way of forging an identity's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgery {
    /// Every letter and digit of the secret shifted by one: same shape, wrong value.
    Malformed,
    /// A JWT re-headed with `"alg": "none"` and no signature.
    AlgNone,
    /// A JWT with its signature removed.
    Unsigned,
    /// A JWT whose `exp` lies in 2001 (the signature no longer matches either).
    Expired,
}

impl Forgery {
    pub const ALL: [Forgery; 4] = [
        Forgery::Malformed,
        Forgery::AlgNone,
        Forgery::Unsigned,
        Forgery::Expired,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Forgery::Malformed => "malformed",
            Forgery::AlgNone => "alg-none",
            Forgery::Unsigned => "unsigned",
            Forgery::Expired => "expired",
        }
    }

    /// What a person reads in a finding.
    pub fn describe(self) -> &'static str {
        match self {
            Forgery::Malformed => "a malformed token",
            Forgery::AlgNone => "a JWT with `alg: none`",
            Forgery::Unsigned => "a JWT without its signature",
            Forgery::Expired => "an expired JWT",
        }
    }
}

/// The synthetic identity name of `identity`'s credentials forged by `forgery`.
pub fn forged_name(forgery: Forgery, identity: &str) -> String {
    format!("~{}:{identity}", forgery.slug())
}

/// The forgery and the identity a synthetic name stands for.
pub fn parse_forged(name: &str) -> Option<(Forgery, &str)> {
    let rest = name.strip_prefix('~')?;
    let (slug, identity) = rest.split_once(':')?;
    let forgery = Forgery::ALL.into_iter().find(|f| f.slug() == slug)?;
    Some((forgery, identity))
}

/// Adds the forged twins of every configured identity that has credentials.
pub fn add_forgeries(identities: &mut Identities) {
    let real: Vec<(String, Credentials)> = identities
        .by_name
        .iter()
        .filter(|(name, creds)| !is_synthetic(name) && !creds.is_empty())
        .map(|(n, c)| (n.clone(), c.clone()))
        .collect();
    for (name, creds) in real {
        for forgery in Forgery::ALL {
            if let Some(forged) = forge(&creds, forgery) {
                identities
                    .by_name
                    .insert(forged_name(forgery, &name), forged);
            }
        }
    }
}

/// `creds` forged by `forgery`; `None` when it does not apply (a JWT forgery of a non-JWT).
pub fn forge(creds: &Credentials, forgery: Forgery) -> Option<Credentials> {
    let mut changed = false;
    let mut map = |value: &String| -> String {
        let (scheme, secret) = split_scheme(value);
        let forged = match forgery {
            Forgery::Malformed => Some(shift(secret)),
            _ => forge_jwt(secret, forgery),
        };
        match forged {
            Some(f) => {
                changed = true;
                format!("{scheme}{f}")
            }
            None => value.clone(),
        }
    };
    let mut out = creds.clone();
    for (_, v) in out
        .headers
        .iter_mut()
        .chain(out.query.iter_mut())
        .chain(out.cookies.iter_mut())
    {
        *v = map(v);
    }
    changed.then_some(out)
}

/// `("Bearer ", "abc")` for `Bearer abc`; `("", value)` without an auth scheme.
fn split_scheme(value: &str) -> (&str, &str) {
    match value.split_once(' ') {
        Some((scheme, secret))
            if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            (&value[..scheme.len() + 1], secret)
        }
        _ => ("", value),
    }
}

/// Every ASCII letter and digit moved to the next one (`z` → `a`, `9` → `0`).
fn shift(secret: &str) -> String {
    secret
        .chars()
        .map(|c| match c {
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            c if c.is_ascii_alphanumeric() => char::from(c as u8 + 1),
            c => c,
        })
        .collect()
}

/// The JWT parts (header and payload decoded) when `token` is a JWT.
fn jwt_parts(token: &str) -> Option<(Value, Value, &str)> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decode = |part: &str| -> Option<Value> {
        let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    };
    let header = decode(h)?;
    header.get("alg")?;
    Some((header, decode(p)?, s))
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn forge_jwt(token: &str, forgery: Forgery) -> Option<String> {
    let (mut header, mut payload, signature) = jwt_parts(token)?;
    match forgery {
        Forgery::Malformed => None,
        Forgery::AlgNone => {
            header["alg"] = Value::from("none");
            Some(format!("{}.{}.", encode(&header), encode(&payload)))
        }
        Forgery::Unsigned => {
            let (head, _) = token.rsplit_once('.')?;
            Some(format!("{head}."))
        }
        Forgery::Expired => {
            let object = payload.as_object_mut()?;
            object.insert("exp".into(), Value::from(1_000_000_000_u64));
            if object.contains_key("iat") {
                object.insert("iat".into(), Value::from(999_996_400_u64));
            }
            Some(format!(
                "{}.{}.{signature}",
                encode(&header),
                encode(&payload)
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt() -> String {
        let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
        let p = URL_SAFE_NO_PAD.encode(r#"{"sub":"alice","exp":4102444800}"#);
        format!("{h}.{p}.c2lnbmF0dXJl")
    }

    #[test]
    fn malformed_keeps_the_scheme_and_shape() {
        let forged = forge(&Credentials::bearer("tok_az9Z"), Forgery::Malformed).unwrap();
        assert_eq!(forged, Credentials::bearer("upl_ba0A"));
        assert!(forge(&Credentials::bearer("tok_1"), Forgery::AlgNone).is_none());
    }

    #[test]
    fn jwt_forgeries() {
        let creds = Credentials::bearer(&jwt());
        let none = forge(&creds, Forgery::AlgNone).unwrap();
        let token = none.headers[0].1.strip_prefix("Bearer ").unwrap();
        let (header, payload, sig) = jwt_parts(token).unwrap();
        assert_eq!(header["alg"], "none");
        assert_eq!(payload["sub"], "alice");
        assert_eq!(sig, "");
        let unsigned = forge(&creds, Forgery::Unsigned).unwrap();
        assert!(unsigned.headers[0].1.ends_with('.'));
        let expired = forge(&creds, Forgery::Expired).unwrap();
        let token = expired.headers[0].1.strip_prefix("Bearer ").unwrap();
        assert_eq!(jwt_parts(token).unwrap().1["exp"], 1_000_000_000_u64);
    }

    #[test]
    fn twins_are_added_and_named() {
        let mut ids = Identities::single("alice", Credentials::bearer(&jwt()));
        ids.by_name
            .insert("bob".into(), Credentials::bearer("opaque"));
        ids.by_name.insert("anon".into(), Credentials::none());
        add_forgeries(&mut ids);
        let names: Vec<&String> = ids.by_name.keys().collect();
        assert!(names.contains(&&"~alg-none:alice".to_string()));
        assert!(names.contains(&&"~malformed:bob".to_string()));
        assert!(!names.contains(&&"~alg-none:bob".to_string()));
        assert!(!names.iter().any(|n| n.ends_with(":anon")));
        assert_eq!(
            parse_forged("~expired:alice"),
            Some((Forgery::Expired, "alice"))
        );
        assert_eq!(parse_forged("alice"), None);
        assert_eq!(ids.names().count(), 3);
    }
}
