//! The excessive-data-exposure check: 2xx JSON responses that carry secrets — fields named like
//! passwords, hashes, tokens or keys, or values shaped like them (`sha256$…`, bcrypt `$2b$…`,
//! JWTs, PEM private keys, AWS key ids, long hex under a name that does not explain it) — and
//! fields the documented response schema does not declare (see [`super::exposure_schema`]).
//!
//! The login response's token is the point of login, not a leak: tokens and JWTs are not reported
//! in answers of the auth file's login operations, nor of operations whose id or path says they
//! issue credentials (`login`, `token`, `session`, `oauth`, …). One finding per (operation,
//! secret field), and one per operation for its undeclared fields.
//!
//! A secret-shaped value the fuzzer itself sent is client data coming back, not a leak: the
//! oracle remembers every such value its requests carried (in any earlier sequence too, since a
//! value stored by one sequence is read back by a later one) and does not report it. The fuzzer
//! learns such values from the answers it harvests, so without this memory one real leak (a
//! password hash in a user listing) would be reported again in every resource the fuzzer
//! stored it into.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use serde_json::Value;

use percent_encoding::percent_decode_str;

use super::exposure_schema::{Shape, inspect};
use crate::campaign::runner::SeqRun;
use crate::http::HttpRequest;
use crate::input::RequestSeq;
use crate::oracle::errsig::fnv1a;
use crate::oracle::{Finding, FindingKind};
use crate::probe::{SeqFinding, SeqOracle};
use crate::schema::normalise_media_type;
use crate::spec::{Model, Operation, OperationId};

/// Name parts of secret fields (the name lower-cased, without `_` and `-`).
const SECRET_NAMES: [&str; 9] = [
    "password",
    "passwd",
    "passphrase",
    "secret",
    "privatekey",
    "apikey",
    "accesskey",
    "credential",
    "salt",
];
/// Words in an operation id or path that mark it as issuing credentials.
const ISSUERS: [&str; 7] = [
    "login",
    "signin",
    "token",
    "session",
    "oauth",
    "refresh",
    "authenticate",
];
/// Names under which a long hex value is an identifier or a checksum, not a secret.
const HEX_NAMES: [&str; 10] = [
    "id", "uuid", "guid", "etag", "checksum", "digest", "sha", "md5", "hash", "commit",
];
/// Endings of names that describe a secret rather than hold it (`password_changed_at`).
const ABOUT_SUFFIXES: [&str; 10] = [
    "at",
    "date",
    "time",
    "expires",
    "expiry",
    "expiration",
    "policy",
    "length",
    "type",
    "url",
];
/// Most secret fields reported per response.
const MAX_PER_RESPONSE: usize = 4;
/// Most secret-shaped values remembered from requests (then new ones are not remembered); each is
/// kept as a 64-bit hash, whatever its length.
const MAX_SENT: usize = 4096;

/// Why a field looks secret, or `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// Its name (password, token, key…).
    Name,
    /// A password hash format.
    PasswordHash,
    Jwt,
    PrivateKey,
    AwsKey,
    LongHex,
}

fn normalised(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn is_password_hash(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let bcrypt = ["$2a$", "$2b$", "$2y$"].iter().any(|p| v.starts_with(p)) && v.len() >= 59;
    let crypt = ["$1$", "$5$", "$6$", "$argon2", "$scrypt$", "$pbkdf2"]
        .iter()
        .any(|p| v.starts_with(p));
    let prefixed = [
        "sha1$", "sha256$", "sha512$", "md5$", "pbkdf2_", "pbkdf2:", "scrypt:", "bcrypt$",
        "argon2$",
    ]
    .iter()
    .any(|p| lower.starts_with(p) && v.len() > p.len() + 8);
    bcrypt || crypt || prefixed
}

fn is_jwt(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3
        && v.starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// True when a field's name says it holds a secret (password, token, key…), not something about
/// one (`password_policy`, `token_type`).
fn secret_name(name: &str) -> bool {
    let n = normalised(name);
    let named = SECRET_NAMES.iter().any(|s| n.contains(s)) || n.ends_with("token");
    named && !ABOUT_SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// What makes `value` under `name` a secret, if anything. Only non-empty strings count.
pub fn secret(name: &str, value: &Value) -> Option<Secret> {
    let text = value.as_str().filter(|s| !s.trim().is_empty())?;
    let n = normalised(name);
    if is_password_hash(text) {
        return Some(Secret::PasswordHash);
    }
    if is_jwt(text) {
        return Some(Secret::Jwt);
    }
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----") {
        return Some(Secret::PrivateKey);
    }
    if text.len() == 20
        && text.starts_with("AKIA")
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Some(Secret::AwsKey);
    }
    if secret_name(name) {
        return Some(Secret::Name);
    }
    // A long hex string is a secret only under a name that hints at one: under `content`,
    // `data` or `blob` it is as likely the bytes a client uploaded (a fuzzer's own, even).
    let hex_name = n.ends_with("id") || HEX_NAMES.iter().any(|h| n.contains(h));
    let hinted = HEX_SECRET_HINTS.iter().any(|h| n.contains(h));
    (text.len() >= 32 && text.chars().all(|c| c.is_ascii_hexdigit()) && hinted && !hex_name)
        .then_some(Secret::LongHex)
}

/// Name parts under which a long hex value is taken for a secret (hash, signature, session…).
const HEX_SECRET_HINTS: [&str; 7] = ["sig", "nonce", "session", "otp", "seed", "cred", "auth"];

/// A field that looks secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretField {
    /// JSON pointer, `*` for array elements.
    pub pointer: String,
    pub name: String,
    pub value: String,
    pub why: Secret,
}

/// Every secret-looking field of a body (the first of each pointer).
pub fn secrets(body: &Value) -> Vec<SecretField> {
    fn walk(v: &Value, pointer: &str, depth: usize, out: &mut Vec<SecretField>) {
        if depth > 32 {
            return;
        }
        match v {
            Value::Object(members) => {
                for (name, value) in members {
                    let here = format!("{pointer}/{}", name.replace('~', "~0").replace('/', "~1"));
                    match secret(name, value) {
                        Some(why) => out.push(SecretField {
                            pointer: here,
                            name: name.clone(),
                            value: value.as_str().unwrap_or_default().to_owned(),
                            why,
                        }),
                        None => walk(value, &here, depth + 1, out),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{pointer}/*"), depth + 1, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(body, "", 0, &mut out);
    let mut seen = BTreeSet::new();
    out.retain(|f| seen.insert(f.pointer.clone()));
    out
}

/// True when the request itself carried `value` (an echo is not a leak).
fn echoed(request: &HttpRequest, value: &str) -> bool {
    let target = percent_decode_str(&request.path_and_query).decode_utf8_lossy();
    let body = String::from_utf8_lossy(&request.body);
    let escaped = serde_json::to_string(value).unwrap_or_default();
    target.contains(value) || body.contains(value) || body.contains(escaped.trim_matches('"'))
}

/// The secret-looking string values of a request's JSON body (as [`secrets`] finds them in an
/// answer), form body and query string.
fn sent_secrets(request: &HttpRequest) -> Vec<String> {
    let mut out = Vec::new();
    let body = &request.body;
    // One pass over each request (this runs for every exchange): a `$` (hash formats), or the
    // start of `%24`, a JWT, an AWS key id or `PRIVATE KEY`; a false alarm only costs a parse.
    let marked = |text: &[u8]| {
        text.contains(&b'$')
            || text
                .windows(3)
                .any(|w| matches!(w, b"%24" | b"eyJ" | b"AKI" | b"KEY"))
    };
    if marked(body) {
        match serde_json::from_slice::<Value>(body) {
            Ok(json) => out.extend(secrets(&json).into_iter().map(|f| f.value)),
            Err(_) => out.extend(form_values(&String::from_utf8_lossy(body))),
        }
    }
    if let Some((_, query)) = request.path_and_query.split_once('?')
        && marked(query.as_bytes())
    {
        out.extend(form_values(query));
    }
    out
}

/// The secret-shaped values of an `a=1&b=2` string, percent-decoded.
fn form_values(text: &str) -> Vec<String> {
    text.split('&')
        .filter_map(|pair| pair.split_once('=').map(|(_, v)| v))
        .map(|v| {
            percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
        .filter(|v| secret("", &Value::String(v.clone())).is_some())
        .collect()
}

/// The exposure check (see the module docs).
pub struct ExposureOracle {
    model: Arc<Model>,
    /// Operations whose answers legitimately carry tokens (the auth file's login operations).
    issuers: BTreeSet<OperationId>,
    /// Hashes of the secret-shaped values this campaign's requests carried.
    sent: RefCell<HashSet<u64>>,
}

impl ExposureOracle {
    pub fn new(model: Arc<Model>, login_operations: impl IntoIterator<Item = OperationId>) -> Self {
        ExposureOracle {
            model,
            issuers: login_operations.into_iter().collect(),
            sent: RefCell::default(),
        }
    }

    /// Remembers the secret-shaped values `request` carried.
    fn remember(&self, request: &HttpRequest) {
        let mut sent = self.sent.borrow_mut();
        for value in sent_secrets(request) {
            if sent.len() >= MAX_SENT {
                break;
            }
            sent.insert(fnv1a(value.as_bytes()));
        }
    }

    fn issues_credentials(&self, op: &Operation) -> bool {
        let words = format!("{} {}", op.id.as_str(), op.path).to_ascii_lowercase();
        self.issuers.contains(&op.id) || ISSUERS.iter().any(|w| words.contains(w))
    }

    /// The JSON schema documented for a status, if any.
    fn schema_for(op: &Operation, status: u16) -> Option<&Value> {
        let response = op.response_for(status)?;
        response
            .content
            .iter()
            .find(|m| {
                let m = normalise_media_type(&m.media_type);
                m == "application/json" || m.ends_with("+json")
            })
            .map(|m| &m.schema)
    }

    /// The findings of one 2xx JSON answer of `op` to `request`.
    fn judge(
        &self,
        op: &Operation,
        request: &HttpRequest,
        status: u16,
        body: &Value,
    ) -> Vec<Finding> {
        let issuer = self.issues_credentials(op);
        let shape = match Self::schema_for(op, status) {
            Some(schema) => inspect(&self.model.defs, schema, body),
            // Nothing documented: every member is free-form data.
            None => Shape {
                free_form: BTreeSet::from([String::new()]),
                ..Shape::default()
            },
        };
        let mut found = secrets(body);
        // A field secret by its name is judged by the secret rule alone, also where that rule lets
        // it pass (its value echoed from the request, a login's token): reporting it again as an
        // undeclared field would give one leak two signatures, depending on the request.
        let mut secret_pointers: BTreeSet<String> = found
            .iter()
            .filter(|f| secret_name(&f.name))
            .map(|f| f.pointer.clone())
            .collect();
        found.retain(|f| {
            let token = f.why == Secret::Jwt
                || (f.why == Secret::Name && normalised(&f.name).ends_with("token"));
            // Under a free-form member the key is client data too: a name (or the name hint a
            // long hex value needs) proves nothing there; a value shaped like a secret still does.
            let keyed_data =
                matches!(f.why, Secret::Name | Secret::LongHex) && shape.in_free_form(&f.pointer);
            let issued = issuer && token;
            let ours = echoed(request, &f.value)
                || self.sent.borrow().contains(&fnv1a(f.value.as_bytes()));
            !(issued || keyed_data || ours)
        });
        let mut out: Vec<Finding> = found
            .iter()
            .take(MAX_PER_RESPONSE)
            .map(|f| {
                let detail = format!(
                    "{} {} answered {status} with the secret field {} ({})",
                    op.method,
                    op.path,
                    f.pointer,
                    match f.why {
                        Secret::Name => "by its name".to_owned(),
                        other => format!("its value looks like a {other:?}"),
                    }
                );
                let sig = fnv1a(format!("secret:{}", normalised(&f.name)).as_bytes());
                Finding::new(FindingKind::DataExposure, &op.id, Some(status), sig, detail)
            })
            .collect();
        secret_pointers.extend(found.iter().map(|f| f.pointer.clone()));
        let extra: Vec<&String> = shape
            .undeclared
            .iter()
            .filter(|p| !secret_pointers.contains(p.as_str()))
            .collect();
        if !extra.is_empty() {
            let detail = format!(
                "{} {} answered {status} with fields its response schema does not declare: {}",
                op.method,
                op.path,
                extra
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let sig = fnv1a(b"undeclared-fields");
            out.push(Finding::new(
                FindingKind::DataExposure,
                &op.id,
                Some(status),
                sig,
                detail,
            ));
        }
        out
    }
}

impl SeqOracle for ExposureOracle {
    fn name(&self) -> &'static str {
        "data-exposure"
    }

    fn check(&self, _seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for (at, exchange) in run.exchanges.iter().enumerate() {
            self.remember(&exchange.request);
            let (Ok(response), Some(op)) =
                (&exchange.outcome, self.model.operations.get(exchange.op))
            else {
                continue;
            };
            if !(200..300).contains(&response.status) || response.truncated {
                continue;
            }
            let Some(body) = response.json() else {
                continue;
            };
            for finding in self.judge(op, &exchange.request, response.status, &body) {
                if seen.insert(finding.signature.clone()) {
                    out.push(SeqFinding { finding, at });
                }
            }
        }
        out
    }
}

#[cfg(test)]
#[path = "exposure_tests.rs"]
mod tests;
