//! Socket-level tests of [`TcpTransport`] against scripted loopback servers.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use super::{Target, TcpTransport, Transport, TransportConfig};
use crate::http::{HttpRequest, TransportError};

/// What the scripted server does with each request on a connection.
#[derive(Clone, Copy)]
enum Script {
    /// Answer every request with this raw response, keeping the connection open.
    KeepAlive(&'static str),
    /// Answer one request, then close without saying so.
    OneThenClose(&'static str),
    /// Never answer.
    Silent,
    /// Send half a response, then close.
    Truncate,
}

/// Starts a server for `connections` connections; returns its URL and a connection counter.
fn server(script: Script, connections: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let mut stream = stream.unwrap();
            seen.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                for _ in 0..100 {
                    let n = stream.read(&mut buf).unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    match script {
                        Script::KeepAlive(raw) => stream.write_all(raw.as_bytes()).unwrap(),
                        Script::OneThenClose(raw) => {
                            stream.write_all(raw.as_bytes()).unwrap();
                            return;
                        }
                        Script::Silent => thread::sleep(Duration::from_millis(500)),
                        Script::Truncate => {
                            let _ = stream
                                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, count)
}

fn get(path: &str) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        path_and_query: path.into(),
        headers: vec![],
        body: vec![],
    }
}

fn transport(url: &str) -> TcpTransport {
    let config = TransportConfig {
        timeout: Duration::from_millis(300),
        ..TransportConfig::default()
    };
    TcpTransport::new(Target::parse(url).unwrap(), config)
}

const OK: &str = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

#[test]
fn reuses_one_connection() {
    let (url, count) = server(Script::KeepAlive(OK), 10);
    let mut t = transport(&url);
    for _ in 0..5 {
        let r = t.send(&get("/x")).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"ok"[..]));
    }
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn retries_once_on_a_stale_connection() {
    let (url, count) = server(Script::OneThenClose(OK), 10);
    let mut t = transport(&url);
    for _ in 0..3 {
        assert_eq!(t.send(&get("/x")).unwrap().status, 200);
    }
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[test]
fn honours_connection_close_and_chunked_bodies() {
    const CHUNKED: &str = "HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    let (url, count) = server(Script::KeepAlive(CHUNKED), 10);
    let mut t = transport(&url);
    for _ in 0..2 {
        let r = t.send(&get("/x")).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (500, &b"abc"[..]));
    }
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[test]
fn reports_timeouts_drops_and_refusals() {
    let (url, _) = server(Script::Silent, 1);
    assert_eq!(
        transport(&url).send(&get("/")),
        Err(TransportError::Timeout)
    );
    let (url, _) = server(Script::Truncate, 1);
    assert_eq!(
        transport(&url).send(&get("/")),
        Err(TransportError::ConnectionDropped)
    );
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    assert_eq!(
        transport(&url).send(&get("/")),
        Err(TransportError::ConnectFailed)
    );
}

#[test]
fn cuts_large_bodies_at_the_limit() {
    const BIG: &str = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
    let (url, count) = server(Script::KeepAlive(BIG), 10);
    let config = TransportConfig {
        max_body: 4,
        ..TransportConfig::default()
    };
    let mut t = TcpTransport::new(Target::parse(&url).unwrap(), config);
    for _ in 0..2 {
        let r = t.send(&get("/")).unwrap();
        assert_eq!((r.body.as_slice(), r.truncated), (&b"0123"[..], true));
    }
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "the rest was read, the connection kept"
    );
}

#[test]
fn sends_path_host_and_content_length() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        s.write_all(OK.as_bytes()).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    });
    let mut t = transport(&format!("http://{addr}/api"));
    let req = HttpRequest {
        method: "POST".into(),
        path_and_query: "/api/orders?x=1".into(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Host".into(), "evil".into()),
        ],
        body: b"{}".to_vec(),
    };
    t.send(&req).unwrap();
    let raw = handle.join().unwrap();
    assert!(
        raw.starts_with("POST /api/orders?x=1 HTTP/1.1\r\n"),
        "{raw}"
    );
    assert!(raw.contains(&format!("Host: {addr}\r\n")), "{raw}");
    assert!(!raw.contains("evil"));
    assert!(
        raw.contains("Content-Length: 2\r\n") && raw.ends_with("\r\n\r\n{}"),
        "{raw}"
    );
}
