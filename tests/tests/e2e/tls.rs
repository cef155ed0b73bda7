//! Fuzzing over https: a small TLS-terminating proxy (certificate generated here with rcgen) in
//! front of the demo API, which runs as a child process. With `--insecure` or `--ca-cert` Shrike
//! fuzzes through it and finds a demo bug; with neither it refuses the certificate and exits 3.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use shrike::supervise::{ChildTarget, free_port};
use shrike_e2e::{case_signatures, read_case, run, temp_out};

use crate::SHRIKE;

/// How long one proxied connection may live (every loop here is bounded).
const CONNECTION_LIFETIME: Duration = Duration::from_secs(90);

/// The demo API (child process) behind a TLS proxy on loopback.
struct HttpsDemo {
    _demo: ChildTarget,
    url: String,
    ca_pem: String,
}

fn https_demo() -> HttpsDemo {
    let port = free_port().unwrap();
    let upstream: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let args: Vec<String> = [
        "__demo-server",
        "--port",
        &port.to_string(),
        "--exit-with-parent",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let demo = ChildTarget::start(SHRIKE, &args, upstream, Duration::from_secs(20)).unwrap();
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let config = Arc::new(config);
    thread::spawn(move || {
        for stream in listener.incoming().take(10_000) {
            let Ok(stream) = stream else { return };
            let config = Arc::clone(&config);
            thread::spawn(move || {
                let _ = proxy(stream, config, upstream);
            });
        }
    });
    HttpsDemo {
        _demo: demo,
        url,
        ca_pem: certified.cert.pem(),
    }
}

/// Relays one TLS connection to the plain-http upstream until either side closes. Both sockets
/// poll with short read timeouts, so one thread serves both directions.
fn proxy(client: TcpStream, config: Arc<ServerConfig>, upstream: SocketAddr) -> io::Result<()> {
    let poll = Some(Duration::from_millis(2));
    client.set_read_timeout(poll)?;
    client.set_nodelay(true)?;
    let mut tls = StreamOwned::new(
        ServerConnection::new(config).map_err(io::Error::other)?,
        client,
    );
    let mut server = TcpStream::connect(upstream)?;
    server.set_read_timeout(poll)?;
    server.set_nodelay(true)?;
    let mut buf = vec![0u8; 64 * 1024];
    let started = Instant::now();
    while started.elapsed() < CONNECTION_LIFETIME {
        match tls.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => server.write_all(&buf[..n])?,
            Err(e) if waiting(&e) => {}
            Err(e) => return Err(e),
        }
        match server.read(&mut buf) {
            Ok(0) => {
                tls.conn.send_close_notify();
                return tls.flush();
            }
            Ok(n) => {
                tls.write_all(&buf[..n])?;
                tls.flush()?;
            }
            Err(e) if waiting(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn waiting(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

fn fuzz_args<'a>(url: &'a str, out: &'a str, spec: &'a str) -> Vec<&'a str> {
    vec![
        "fuzz", "--spec", spec, "--target", url, "--seed", "1", "-q", "--out", out,
    ]
}

fn repo_file(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join(path).to_string_lossy().into_owned()
}

#[test]
fn https_targets_are_fuzzed_with_insecure_or_a_trusted_ca() {
    let demo = https_demo();
    let spec = repo_file("schemas/demo-api.yaml");

    // Without --insecure or --ca-cert: the self-signed certificate is refused, exit 3.
    let out = temp_out("tls-refused");
    let out_s = out.to_str().unwrap();
    let result = run(SHRIKE, &fuzz_args(&demo.url, out_s, &spec));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("certificate") && stderr.contains("--insecure"),
        "{stderr}"
    );

    // --insecure: fuzzes over TLS for a few seconds and finds a demo bug.
    let out = temp_out("tls-insecure");
    let out_s = out.to_str().unwrap();
    let mut args = fuzz_args(&demo.url, out_s, &spec);
    args.extend([
        "--insecure",
        "--time",
        "20s",
        "--include",
        "id:listProducts",
        "-H",
        "X-Tenant: 7",
    ]);
    let result = run(SHRIKE, &args);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    let sigs = case_signatures(&out);
    let sig = sigs
        .iter()
        .find(|s| s.starts_with("server-error.listProducts.500."))
        .unwrap_or_else(|| panic!("{sigs:#?}\n{stderr}"));

    // The case records the campaign's header, and `repro` needs the same trust flag.
    let case = read_case(&out, sig);
    assert_eq!(
        case["headers"],
        serde_json::json!([["X-Tenant", "7"]]),
        "{case:#}"
    );
    let case_dir = out.join("cases").join(sig);
    let case_dir = case_dir.to_str().unwrap();
    let refused = run(SHRIKE, &["repro", case_dir, "--runs", "1"]);
    assert_eq!(refused.status.code(), Some(3), "{refused:?}");
    let replayed = run(SHRIKE, &["repro", case_dir, "--runs", "1", "--insecure"]);
    let text = String::from_utf8_lossy(&replayed.stdout);
    assert_eq!(replayed.status.code(), Some(1), "{text}");
    assert!(text.contains("reproduced 1/1"), "{text}");

    // --ca-cert with the proxy's certificate: trusted, the run goes ahead.
    let out = temp_out("tls-ca");
    let out_s = out.to_str().unwrap();
    let ca = out.join("ca.pem");
    std::fs::write(&ca, &demo.ca_pem).unwrap();
    let mut args = fuzz_args(&demo.url, out_s, &spec);
    args.extend([
        "--ca-cert",
        ca.to_str().unwrap(),
        "--execs",
        "30",
        "--include",
        "id:getHealth",
        // The demo's permissive CORS (BUG-17) shows on every operation; this run is about trust.
        "--skip-checks",
        "security",
    ]);
    let result = run(SHRIKE, &args);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "{stderr}");
}
