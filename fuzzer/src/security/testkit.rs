//! Recorded exchanges for the security checks' unit tests: the shop test model with every
//! operation but `login` behind a bearer scheme, identities alice and bob (customers) and root
//! (admin), and runs built from (status, body) pairs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::AuthFile;
use crate::campaign::runner::{Exchange, SeqRun};
use crate::http::{HttpRequest, HttpResponse};
use crate::input::{Body, Call, Credentials, Identities, Node, ParamValue, RefSource, Reference};
use crate::input::{RequestSeq, render};
use crate::mutate::SeqContext;
use crate::spec::{Model, OperationId, ParamLocation, StatusKey};

use super::Roles;

/// The shop test model, every operation but `login` requiring `bearer` (and documenting 401).
pub fn model() -> Model {
    let mut model = crate::input::test_model::test_model();
    for op in &mut model.operations {
        if op.id.0 != "login" {
            op.security = vec![BTreeMap::from([("bearer".to_owned(), Vec::new())])];
            let unauthorized = crate::spec::Response {
                description: "no".into(),
                content: Vec::new(),
                headers: Vec::new(),
                links: Vec::new(),
            };
            op.responses.insert(StatusKey::Code(401), unauthorized);
        }
    }
    model
}

pub fn ctx() -> Arc<SeqContext> {
    Arc::new(SeqContext::new(Arc::new(model())))
}

pub fn auth_file() -> AuthFile {
    toml::from_str(
        r#"
default = "alice"
[[identity]]
name = "alice"
role = "customer"
bearer = "tok-alice"
[[identity]]
name = "bob"
role = "customer"
bearer = "tok-bob"
[[identity]]
name = "root"
role = "admin"
bearer = "tok-root"
"#,
    )
    .expect("auth file")
}

pub fn identities() -> Identities {
    let mut ids = Identities::single("alice", Credentials::bearer("tok-alice"));
    ids.by_name
        .insert("bob".into(), Credentials::bearer("tok-bob"));
    ids.by_name
        .insert("root".into(), Credentials::bearer("tok-root"));
    crate::auth::forged::add_forgeries(&mut ids);
    ids
}

pub fn roles() -> Roles {
    Roles::new(&identities(), Some(&auth_file()))
}

/// A call of `op` as `identity`; `order_ref` makes its `orderId` a reference to that call's `/id`.
pub fn call(op: &str, identity: Option<&str>, order_ref: Option<usize>) -> Call {
    let mut c = Call::new(OperationId(op.into()));
    c.identity = identity.map(str::to_owned);
    let value = match order_ref {
        Some(call) => Node::Ref(Reference {
            call,
            source: RefSource::Body("/id".into()),
        }),
        None => Node::number(1),
    };
    if op.contains("Order") && op != "createOrder" {
        c.params.push(ParamValue {
            name: "orderId".into(),
            location: ParamLocation::Path,
            value: Some(value),
        });
    }
    if matches!(op, "createOrder" | "updateOrder" | "login") {
        c.body = Some(Body {
            media_type: "application/json".into(),
            value: Node::Object(vec![("quantity".into(), Node::number(1))]),
        });
    }
    c
}

pub fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
        truncated: false,
        latency: Duration::from_millis(1),
    }
}

/// The run of `seq` whose calls got `answers`, rendered as the runner would.
pub fn run_of(model: &Model, seq: &RequestSeq, answers: &[(u16, &str)]) -> SeqRun {
    let ids = identities();
    let mut run = SeqRun::default();
    let mut earlier: Vec<Option<HttpResponse>> = Vec::new();
    for (i, (call, (status, body))) in seq.calls.iter().zip(answers).enumerate() {
        let op_index = model
            .operations
            .iter()
            .position(|o| o.id == call.operation)
            .expect("operation");
        let op = &model.operations[op_index];
        let request: HttpRequest = render(
            call,
            op,
            &earlier,
            ids.for_identity(call.identity.as_deref()),
            "",
        );
        let resp = response(*status, body);
        earlier.push(Some(resp.clone()));
        run.exchanges.push(Exchange {
            call: i,
            op: op_index,
            request,
            outcome: Ok(resp),
        });
    }
    run
}
