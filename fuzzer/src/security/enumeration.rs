//! User enumeration: the login (or password-reset) operation answers an unknown user differently
//! from a known user with a wrong password.
//!
//! The login operation and a known user come from the auth file (an identity's `login`); a
//! password-reset operation is found by name (`reset`/`forgot` and `password` in its id or path)
//! when its body takes the login's user field. The prober sends, without credentials, the known
//! user with a wrong password, an unknown user, and both again. The oracle compares status and
//! normalised error body ([`errsig::signature_text`]): a finding when each pair agrees with itself
//! (so the difference is stable, not noise) and the two differ.

use std::sync::Arc;

use rand::RngCore;
use serde_json::{Map, Value};

use super::success;
use crate::auth::AuthFile;
use crate::campaign::runner::{Exchange, SeqRun};
use crate::generate::Mode;
use crate::input::auth::ANONYMOUS;
use crate::input::{Body, Call, Node, RequestSeq};
use crate::mutate::SeqContext;
use crate::oracle::{Finding, FindingKind, errsig, request_text};
use crate::probe::{Prober, SeqFinding, SeqOracle};
use crate::spec::{Method, Model};

const NAME: &str = "user-enumeration";
/// The wrong password every probe sends.
pub const WRONG_PASSWORD: &str = "Shrike-wrong-password-1";

/// An operation that authenticates users, with a known user's request body.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthTarget {
    pub op: usize,
    /// A body naming a known user (its password field, if any, set to a wrong password).
    pub known: Map<String, Value>,
    pub user_field: String,
    pub is_login: bool,
}

impl AuthTarget {
    /// The known body with the user field set to a fresh unknown user.
    pub fn unknown(&self, rng: &mut dyn RngCore) -> Map<String, Value> {
        let tag = format!("{:08x}", rng.next_u32());
        let known = self.known.get(&self.user_field).and_then(Value::as_str);
        let name = if known.is_some_and(|k| k.contains('@')) {
            format!("shrike.nobody.{tag}@example.com")
        } else {
            format!("shrike_nobody_{tag}")
        };
        let mut body = self.known.clone();
        body.insert(self.user_field.clone(), Value::from(name));
        body
    }

    /// A call of this target with `body`, sent without credentials.
    pub fn call(&self, model: &Model, body: Map<String, Value>) -> Call {
        let mut call = Call::new(model.operations[self.op].id.clone());
        call.identity = Some(ANONYMOUS.to_owned());
        call.body = Some(Body {
            media_type: "application/json".into(),
            value: Node::from(Value::Object(body)),
        });
        call
    }
}

/// The user field of a login body: a well-known name, else the first string that is not a
/// password.
fn user_field(body: &Map<String, Value>) -> Option<String> {
    let candidates = ["username", "user", "login", "email", "name"];
    candidates
        .iter()
        .find(|c| body.get(**c).is_some_and(Value::is_string))
        .map(|c| (*c).to_owned())
        .or_else(|| {
            body.iter()
                .find(|(k, v)| v.is_string() && !k.to_ascii_lowercase().contains("pass"))
                .map(|(k, _)| k.clone())
        })
}

/// The login targets of the auth file and the password-reset operations of the spec.
pub fn auth_targets(
    ctx: &SeqContext,
    auth: Option<&AuthFile>,
    rng: &mut dyn RngCore,
) -> Vec<AuthTarget> {
    let model = &ctx.model;
    let mut out: Vec<AuthTarget> = Vec::new();
    for id in auth.map(|a| a.identities.as_slice()).unwrap_or_default() {
        let Some(login) = &id.login else { continue };
        let op = model
            .operations
            .iter()
            .position(|op| match &login.operation {
                Some(op_id) => op.id.as_str() == op_id,
                None => {
                    Some(op.method.as_str())
                        == login
                            .method
                            .as_deref()
                            .map(str::to_ascii_uppercase)
                            .as_deref()
                        && Some(op.path.as_str()) == login.path.as_deref()
                }
            });
        let (Some(op), Some(Value::Object(body))) = (op, login.body.clone()) else {
            continue;
        };
        let Some(user) = user_field(&body) else {
            continue;
        };
        if out.iter().any(|t| t.op == op) {
            continue;
        }
        let mut known = body;
        for (k, v) in known.iter_mut() {
            if k.to_ascii_lowercase().contains("pass") {
                *v = Value::from(WRONG_PASSWORD);
            }
        }
        out.push(AuthTarget {
            op,
            known,
            user_field: user,
            is_login: true,
        });
    }
    let logins: Vec<AuthTarget> = out.clone();
    for (i, op) in model.operations.iter().enumerate() {
        let name = format!("{} {}", op.id.as_str(), op.path).to_ascii_lowercase();
        let reset = (name.contains("reset") || name.contains("forgot")) && name.contains("pass");
        let schema = op
            .request_body
            .as_ref()
            .and_then(|b| b.content.iter().find(|m| m.media_type.contains("json")));
        let (true, Method::Post, Some(media)) = (reset, op.method, schema) else {
            continue;
        };
        let Value::Object(mut body) = ctx.generator.generate(&media.schema, Mode::Valid, rng)
        else {
            continue;
        };
        let Some((field, value)) = logins.iter().find_map(|l| {
            body.contains_key(&l.user_field)
                .then(|| (l.user_field.clone(), l.known[&l.user_field].clone()))
        }) else {
            continue;
        };
        body.insert(field.clone(), value);
        out.push(AuthTarget {
            op: i,
            known: body,
            user_field: field,
            is_login: false,
        });
    }
    out
}

pub struct EnumerationProber {
    ctx: Arc<SeqContext>,
    targets: Vec<AuthTarget>,
    done: bool,
}

impl EnumerationProber {
    pub fn new(ctx: Arc<SeqContext>, targets: Vec<AuthTarget>) -> Self {
        EnumerationProber {
            ctx,
            targets,
            done: false,
        }
    }
}

impl Prober for EnumerationProber {
    fn name(&self) -> &'static str {
        NAME
    }

    fn derive(
        &mut self,
        _seq: &RequestSeq,
        _run: &SeqRun,
        rng: &mut dyn RngCore,
    ) -> Vec<RequestSeq> {
        if std::mem::replace(&mut self.done, true) {
            return Vec::new();
        }
        let model = &self.ctx.model;
        self.targets
            .iter()
            .map(|t| {
                let known = t.call(model, t.known.clone());
                let unknown = t.call(model, t.unknown(rng));
                RequestSeq::new(vec![known.clone(), unknown.clone(), known, unknown])
            })
            .collect()
    }
}

pub struct EnumerationOracle {
    model: Arc<Model>,
    targets: Vec<AuthTarget>,
}

impl EnumerationOracle {
    pub fn new(model: Arc<Model>, targets: &[AuthTarget]) -> Self {
        EnumerationOracle {
            model,
            targets: targets.to_vec(),
        }
    }

    /// True when `known` and `unknown` are this check's probe bodies for an operation: the known
    /// user with the wrong password, and the same body naming an unknown `shrike…nobody` user.
    fn probe_pair(&self, op: usize, known: Option<&Body>, unknown: Option<&Body>) -> bool {
        let (Some(known), Some(unknown)) = (known, unknown) else {
            return false;
        };
        let (known, unknown) = (known.value.to_value(), unknown.value.to_value());
        self.targets.iter().any(|t| {
            let Value::Object(mut rest) = unknown.clone() else {
                return false;
            };
            let user = rest.insert(t.user_field.clone(), t.known[&t.user_field].clone());
            let made_up = user.as_ref().and_then(Value::as_str).is_some_and(|u| {
                u.starts_with("shrike_nobody_") || u.starts_with("shrike.nobody.")
            });
            t.op == op && known == Value::Object(t.known.clone()) && rest == t.known && made_up
        })
    }
}

/// Status and normalised body of a failed answer; `None` for successes, 429s, 5xx and no answer.
fn key(exchange: &Exchange) -> Option<(u16, String)> {
    let response = exchange.outcome.as_ref().ok()?;
    if success(exchange).is_some() || response.status == 429 || response.status >= 500 {
        return None;
    }
    let text = errsig::signature_text(&response.body, request_text(&exchange.request).as_bytes());
    Some((response.status, text))
}

impl SeqOracle for EnumerationOracle {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self, seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding> {
        let body = |e: &Exchange| seq.calls.get(e.call).and_then(|c| c.body.as_ref());
        for (i, w) in run.exchanges.windows(4).enumerate() {
            if w.iter().any(|e| e.op != w[0].op)
                || !self.probe_pair(w[0].op, body(&w[0]), body(&w[1]))
                || body(&w[0]) != body(&w[2])
                || body(&w[1]) != body(&w[3])
            {
                continue;
            }
            let keys: Vec<Option<(u16, String)>> = w.iter().map(key).collect();
            let (Some(known), Some(unknown)) = (&keys[0], &keys[1]) else {
                continue;
            };
            if keys[2].as_ref() != Some(known)
                || keys[3].as_ref() != Some(unknown)
                || known == unknown
            {
                continue;
            }
            let op = &self.model.operations[w[0].op];
            let detail = format!(
                "{} {} tells users apart: a known user with a wrong password gets {} `{}`, an unknown user {} `{}`",
                op.method.as_str(),
                op.path,
                known.0,
                known.1,
                unknown.0,
                unknown.1
            );
            return vec![SeqFinding {
                finding: Finding::new(
                    FindingKind::UserEnumeration,
                    &op.id,
                    Some(unknown.0),
                    0,
                    detail,
                ),
                at: i + 3,
            }];
        }
        Vec::new()
    }
}

#[cfg(test)]
#[path = "enumeration_tests.rs"]
mod tests;
