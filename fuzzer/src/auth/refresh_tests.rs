//! The refresher inside a runner, against a fake target whose sessions expire.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Mutex;

use super::*;
use crate::campaign::runner::{RunnerConfig, SeqRunner};
use crate::http::HttpRequest;
use crate::input::test_model::test_model;
use crate::input::{Call, Identities, RequestSeq};
use crate::spec::OperationId;
use crate::transport::{FakeTransport, Target};

/// A console the test can read afterwards.
#[derive(Clone, Default)]
struct Console(Arc<Mutex<Vec<u8>>>);

impl Write for Console {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("console").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn auth_file() -> AuthFile {
    toml::from_str(
        r#"
[[identity]]
name = "alice"
[identity.login]
operation = "login"
body = { username = "alice", password = "pw" }
token = "/token"
"#,
    )
    .expect("auth file")
}

/// A target whose login issues `t1`, `t2`, … and accepts only the newest token; `expire` makes
/// it forget the current one, `refuse` makes logins fail.
struct Server {
    issued: Rc<Cell<u32>>,
    valid: Rc<Cell<u32>>,
    refuse: Rc<Cell<bool>>,
}

impl Server {
    fn new() -> Server {
        Server {
            issued: Rc::new(Cell::new(0)),
            valid: Rc::new(Cell::new(0)),
            refuse: Rc::new(Cell::new(false)),
        }
    }

    fn transport(&self) -> FakeTransport {
        let (issued, valid, refuse) = (
            Rc::clone(&self.issued),
            Rc::clone(&self.valid),
            Rc::clone(&self.refuse),
        );
        FakeTransport::new(move |req: &HttpRequest| {
            if req.path_and_query.ends_with("/login") {
                if refuse.get() {
                    return Ok(FakeTransport::response(401, r#"{"error":"locked"}"#));
                }
                issued.set(issued.get() + 1);
                valid.set(issued.get());
                let body = format!(r#"{{"token":"t{}"}}"#, issued.get());
                return Ok(FakeTransport::response(200, &body));
            }
            let expected = format!("Bearer t{}", valid.get());
            let refused_anyway = req.path_and_query.ends_with("/orders/2");
            Ok(
                if req.header("authorization") == Some(expected.as_str()) && !refused_anyway {
                    FakeTransport::response(200, r#"{"id":1,"status":"new"}"#)
                } else {
                    FakeTransport::response(401, r#"{"error":"unauthorized"}"#)
                },
            )
        })
    }
}

fn setup(server: &Server, console: &Console) -> SeqRunner<FakeTransport> {
    let model = Arc::new(test_model());
    let mut transport = server.transport();
    let file = auth_file();
    let identities: Identities =
        crate::auth::establish(&file, &model, "/api", &mut transport).expect("login");
    let target = Target::parse("http://127.0.0.1:1/api").expect("target");
    let refresher =
        LoginRefresher::new(file, Arc::clone(&model), "/api", Box::new(console.clone()));
    SeqRunner::new(
        model,
        target,
        transport,
        identities,
        RunnerConfig::default(),
    )
    .with_reauth(Box::new(refresher))
}

fn get_order() -> RequestSeq {
    get_order_id(1)
}

fn get_order_id(id: i64) -> RequestSeq {
    let mut call = Call::new(OperationId("getOrder".into()));
    call.params.push(crate::input::ParamValue {
        name: "orderId".into(),
        location: crate::spec::ParamLocation::Path,
        value: Some(crate::input::Node::number(id)),
    });
    RequestSeq::new(vec![call])
}

fn status(runner: &mut SeqRunner<FakeTransport>) -> Option<u16> {
    let run = runner.run(&get_order());
    run.exchanges
        .last()
        .and_then(|e| e.outcome.as_ref().ok())
        .map(|r| r.status)
}

#[test]
fn an_expired_session_logs_in_again_and_retries_once() {
    let server = Server::new();
    let console = Console::default();
    let mut runner = setup(&server, &console);
    assert_eq!(status(&mut runner), Some(200));
    assert_eq!(server.issued.get(), 1);
    // The server forgets the token: the call is answered 401, the identity logs in again and
    // the call is re-sent with the fresh token.
    server.valid.set(0);
    assert_eq!(status(&mut runner), Some(200));
    assert_eq!(server.issued.get(), 2);
    assert_eq!(status(&mut runner), Some(200));
    assert_eq!(server.issued.get(), 2, "no login while the session holds");
    assert!(console.0.lock().expect("console").is_empty());
}

#[test]
fn a_failed_login_abandons_the_identity_once_and_bounds_logins() {
    let server = Server::new();
    let console = Console::default();
    let mut runner = setup(&server, &console);
    assert_eq!(status(&mut runner), Some(200));
    server.valid.set(0);
    server.refuse.set(true);
    assert_eq!(status(&mut runner), Some(401));
    // Abandoned: later calls as alice are not sent at all, and no login is tried again.
    let before = runner.stats.requests;
    for _ in 0..5 {
        assert_eq!(status(&mut runner), None);
    }
    assert_eq!(runner.stats.requests, before);
    let text = String::from_utf8(console.0.lock().expect("console").clone()).expect("utf-8");
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("alice") && text.contains("not sent any more"),
        "{text}"
    );
}

#[test]
fn a_401_without_earlier_access_is_not_a_session_expiry() {
    let server = Server::new();
    let console = Console::default();
    let mut runner = setup(&server, &console);
    server.valid.set(99);
    for _ in 0..3 {
        assert_eq!(status(&mut runner), Some(401));
    }
    assert_eq!(server.issued.get(), 1, "only the initial login");
}

#[test]
fn a_401_the_request_earns_is_not_a_session_expiry() {
    let server = Server::new();
    let console = Console::default();
    let mut runner = setup(&server, &console);
    assert_eq!(status(&mut runner), Some(200));
    // /orders/2 is refused whatever the token: the canary (/orders/1) still passes, so no login
    // happens and alice is not abandoned, however often it repeats.
    for _ in 0..10 {
        let run = runner.run(&get_order_id(2));
        let got = run.exchanges[0].outcome.as_ref().map(|r| r.status);
        assert_eq!(got, Ok(401));
    }
    assert_eq!(server.issued.get(), 1);
    assert_eq!(status(&mut runner), Some(200));
    assert!(console.0.lock().expect("console").is_empty());
}
