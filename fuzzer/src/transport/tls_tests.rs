//! Tests of the TLS settings, and of the transport against a loopback TLS server whose certificate
//! is generated here.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use super::*;
use crate::http::{HttpRequest, TransportError};
use crate::transport::{Target, TcpTransport, Transport, TransportConfig};

/// A self-signed certificate for `127.0.0.1` and `localhost`: (PEM, server config).
fn self_signed() -> (String, Arc<ServerConfig>) {
    let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("certificate");
    let der = key.cert.der().clone();
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.key_pair.serialize_der()));
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![der], private)
            .unwrap();
    (key.cert.pem(), Arc::new(config))
}

/// A TLS server answering every request on a connection with a small JSON 200; returns its URL and
/// a counter of accepted connections.
fn tls_server(config: Arc<ServerConfig>, connections: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(stream) = stream else { return };
            seen.fetch_add(1, Ordering::SeqCst);
            let config = Arc::clone(&config);
            thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let conn = ServerConnection::new(config).unwrap();
                let mut tls = StreamOwned::new(conn, stream);
                let mut buf = [0u8; 4096];
                for _ in 0..100 {
                    match tls.read(&mut buf) {
                        Ok(n) if n > 0 => {}
                        _ => return,
                    }
                    let reply = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
                    if tls.write_all(reply.as_bytes()).is_err() || tls.flush().is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, count)
}

fn get() -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        path_and_query: "/health".into(),
        headers: vec![],
        body: vec![],
    }
}

fn transport(url: &str, options: &TlsOptions) -> TcpTransport {
    let config = TransportConfig {
        timeout: Duration::from_secs(5),
        ..TransportConfig::default()
    };
    TcpTransport::for_target(Target::parse(url).unwrap(), config, options).unwrap()
}

#[test]
fn default_config_trusts_public_roots_and_speaks_http1() {
    let config = client_config(&TlsOptions::default()).unwrap();
    assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
    let insecure = client_config(&TlsOptions {
        insecure: true,
        ca_cert: None,
    })
    .unwrap();
    assert_eq!(insecure.alpn_protocols, vec![b"http/1.1".to_vec()]);
}

#[test]
fn ca_files_are_checked() {
    let dir = std::env::temp_dir().join(format!("shrike-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing.pem");
    let err = client_config(&TlsOptions {
        insecure: false,
        ca_cert: Some(missing.clone()),
    })
    .unwrap_err();
    assert!(matches!(err, TlsError::CaFile { .. }), "{err}");
    assert!(err.to_string().contains("missing.pem"));
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let err = load_certificates(&empty).unwrap_err();
    assert!(matches!(err, TlsError::NoCertificate { .. }), "{err}");
    let (pem, _) = self_signed();
    let good = dir.join("ca.pem");
    std::fs::write(&good, &pem).unwrap();
    assert_eq!(load_certificates(&good).unwrap().len(), 1);
    assert!(
        client_config(&TlsOptions {
            insecure: false,
            ca_cert: Some(good),
        })
        .is_ok()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn server_names_are_dns_names_or_addresses() {
    assert!(matches!(
        server_name("api.example.com").unwrap(),
        ServerName::DnsName(_)
    ));
    assert!(matches!(
        server_name("127.0.0.1").unwrap(),
        ServerName::IpAddress(_)
    ));
    assert!(matches!(
        server_name("::1").unwrap(),
        ServerName::IpAddress(_)
    ));
    assert!(server_name("bad name!").is_err());
}

#[test]
fn self_signed_certificates_need_insecure_or_their_ca() {
    let (pem, server) = self_signed();
    let (url, _) = tls_server(server, 10);
    // Public roots only: the handshake fails, and the message names the fix.
    let mut strict = transport(&url, &TlsOptions::default());
    assert_eq!(strict.send(&get()), Err(TransportError::ConnectFailed));
    let message = strict.last_connect_error().unwrap().to_string();
    assert!(message.contains("certificate"), "{message}");
    assert!(
        message.contains("--insecure") && message.contains("--ca-cert"),
        "{message}"
    );
    assert!(strict.open().is_err());
    // --insecure accepts it.
    let mut insecure = transport(
        &url,
        &TlsOptions {
            insecure: true,
            ca_cert: None,
        },
    );
    let response = insecure.send(&get()).unwrap();
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"{\"ok\":true}"[..])
    );
    // --ca-cert with the server's own certificate as the CA accepts it too.
    let path = std::env::temp_dir().join(format!("shrike-tls-ca-{}.pem", std::process::id()));
    std::fs::write(&path, pem).unwrap();
    let mut trusted = transport(
        &url,
        &TlsOptions {
            insecure: false,
            ca_cert: Some(path.clone()),
        },
    );
    assert!(trusted.open().is_ok());
    assert_eq!(trusted.send(&get()).unwrap().status, 200);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn tls_connections_are_kept_alive() {
    let (_, server) = self_signed();
    let (url, count) = tls_server(server, 10);
    let mut t = transport(
        &url,
        &TlsOptions {
            insecure: true,
            ca_cert: None,
        },
    );
    for _ in 0..20 {
        assert_eq!(t.send(&get()).unwrap().status, 200);
    }
    assert_eq!(count.load(Ordering::SeqCst), 1, "one connection for all");
}

#[test]
fn plain_http_targets_get_no_tls() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 1024];
        let n = s.read(&mut buf).unwrap();
        s.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap();
        buf[..n].to_vec()
    });
    let mut t = transport(&url, &TlsOptions::default());
    assert_eq!(t.send(&get()).unwrap().status, 204);
    assert!(
        handle
            .join()
            .unwrap()
            .starts_with(b"GET /health HTTP/1.1\r\n")
    );
}
