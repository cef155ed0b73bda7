//! The real transport: a lean HTTP/1.1 keep-alive client over one TCP connection, plain or TLS.
//!
//! One connection is reused across requests (as a browser or SDK would); a request on a reused
//! connection that fails before any response byte arrives is retried once on a fresh connection
//! (stale keep-alive); `Connection: close`, framing errors and timeouts drop the connection.
//!
//! The hot path is kept lean: the request is encoded into a reused buffer and written with one
//! call, responses are read through a reused scratch buffer, and the socket's read timeout is only
//! changed when it is off from the exchange's deadline (see [`super::conn`]).

use std::io::{self, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Instant;

use rustls::ClientConfig;

use super::conn::Connection;
use super::parse::{self, Chunked, Framing, Head};
use super::target::{Scheme, Target};
use super::tls::{self, TlsError};
use super::{Transport, TransportConfig};
use crate::http::{HttpRequest, HttpResponse, TransportError};

/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 16 * 1024;

/// HTTP/1.1 client for one target.
pub struct TcpTransport {
    target: Target,
    host_header: String,
    config: TransportConfig,
    /// Set for https targets.
    tls: Option<Arc<ClientConfig>>,
    conn: Option<Connection>,
    out: Vec<u8>,
    buf: Vec<u8>,
    scratch: Box<[u8]>,
    /// Why the last connection attempt failed, for messages (TLS problems above all).
    last_connect_error: Option<String>,
}

/// Why one attempt failed, and whether retrying on a fresh connection makes sense.
struct Failure {
    error: TransportError,
    /// Nothing of a response arrived (the server may just have closed an idle connection).
    before_response: bool,
}

impl TcpTransport {
    /// A client for a plain-http target (an https target gets no TLS: use [`TcpTransport::for_target`]).
    pub fn new(target: Target, config: TransportConfig) -> Self {
        let host_header = target.host_header();
        TcpTransport {
            target,
            host_header,
            config,
            tls: None,
            conn: None,
            out: Vec::new(),
            buf: Vec::new(),
            scratch: vec![0u8; READ_CHUNK].into_boxed_slice(),
            last_connect_error: None,
        }
    }

    /// A client for `target`, speaking TLS with `tls` settings when the target is https.
    pub fn for_target(
        target: Target,
        config: TransportConfig,
        tls: &tls::TlsOptions,
    ) -> Result<Self, TlsError> {
        let tls_config = match target.scheme {
            Scheme::Https => {
                tls::server_name(&target.host)?;
                Some(tls::client_config(tls)?)
            }
            Scheme::Http => None,
        };
        let mut transport = TcpTransport::new(target, config);
        transport.tls = tls_config;
        Ok(transport)
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Why the last connection attempt failed (refused, timed out, TLS certificate not trusted...).
    pub fn last_connect_error(&self) -> Option<&str> {
        self.last_connect_error.as_deref()
    }

    /// Opens a connection now (and keeps it for the next request): at start, this tells an
    /// unreachable target or an untrusted certificate apart from a target that answers.
    pub fn open(&mut self) -> Result<(), String> {
        if self.conn.is_some() {
            return Ok(());
        }
        match self.connect() {
            Ok(conn) => {
                self.conn = Some(conn);
                Ok(())
            }
            Err(_) => Err(self
                .last_connect_error
                .clone()
                .unwrap_or_else(|| "connection failed".into())),
        }
    }

    fn connect(&mut self) -> Result<Connection, TransportError> {
        let addrs = self.target.socket_addr().to_socket_addrs().map_err(|e| {
            self.last_connect_error = Some(e.to_string());
            TransportError::ConnectFailed
        })?;
        let mut last = TransportError::ConnectFailed;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.config.connect_timeout) {
                Ok(stream) => {
                    // Small requests must not wait for delayed ACKs (Nagle).
                    let _ = stream.set_nodelay(true);
                    return self.start_session(stream);
                }
                Err(e) => {
                    if e.kind() == io::ErrorKind::TimedOut {
                        last = TransportError::Timeout;
                    }
                    self.last_connect_error = Some(e.to_string());
                }
            }
        }
        Err(last)
    }

    /// Wraps a fresh stream: as it is for http, after a TLS handshake for https.
    fn start_session(&mut self, stream: TcpStream) -> Result<Connection, TransportError> {
        let Some(config) = &self.tls else {
            return Ok(Connection::plain(stream));
        };
        let name = tls::server_name(&self.target.host).map_err(|e| {
            self.last_connect_error = Some(e.to_string());
            TransportError::ConnectFailed
        })?;
        Connection::tls(
            stream,
            Arc::clone(config),
            name,
            self.config.connect_timeout,
        )
        .map_err(|e| {
            self.last_connect_error = Some(tls::explain_handshake_error(&e));
            match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => TransportError::Timeout,
                _ => TransportError::ConnectFailed,
            }
        })
    }

    fn encode(&mut self, req: &HttpRequest) {
        let out = &mut self.out;
        out.clear();
        out.extend_from_slice(req.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(req.path_and_query.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
        out.extend_from_slice(self.host_header.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &req.headers {
            if is_framing_header(name) {
                continue;
            }
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if !req.body.is_empty() || matches!(req.method.as_str(), "POST" | "PUT" | "PATCH") {
            let _ = write!(out, "Content-Length: {}\r\n", req.body.len());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&req.body);
    }

    fn attempt(&mut self, is_head: bool) -> Result<(HttpResponse, bool), Failure> {
        let fail = |error, before_response| Failure {
            error,
            before_response,
        };
        let started = Instant::now();
        let deadline = started + self.config.timeout;
        let Some(conn) = self.conn.as_mut() else {
            return Err(fail(TransportError::ConnectFailed, true));
        };
        conn.send_all(&self.out)
            .map_err(|e| fail(io_error(&e), true))?;
        self.buf.clear();
        let mut reader = Reader {
            conn,
            buf: &mut self.buf,
            scratch: &mut self.scratch,
            deadline,
        };
        loop {
            let head = loop {
                if let Some(head) = parse::parse_head(reader.buf)
                    .map_err(|_| fail(TransportError::Malformed, false))?
                {
                    break head;
                }
                if reader.buf.len() > 256 * 1024 {
                    return Err(fail(TransportError::Malformed, false));
                }
                let empty = reader.buf.is_empty();
                if reader.more().map_err(|e| fail(e, empty))? == 0 {
                    return Err(fail(TransportError::ConnectionDropped, empty));
                }
            };
            if (100..200).contains(&head.status) {
                // Interim response (100 Continue): the final one follows.
                reader.buf.drain(..head.len);
                continue;
            }
            let framing = parse::framing(is_head, &head)
                .map_err(|_| fail(TransportError::Malformed, false))?;
            let (body, truncated, clean) = reader
                .body(&head, framing, self.config.max_body)
                .map_err(|e| fail(e, false))?;
            let keep_alive = clean && !parse::wants_close(&head);
            let response = HttpResponse {
                status: head.status,
                headers: head.headers,
                body,
                truncated,
                latency: started.elapsed(),
            };
            return Ok((response, keep_alive));
        }
    }
}

impl Transport for TcpTransport {
    fn send(&mut self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.encode(req);
        let is_head = req.method.eq_ignore_ascii_case("HEAD");
        for attempt in 0..2 {
            let reused = self.conn.is_some();
            if !reused {
                self.conn = Some(self.connect()?);
            }
            match self.attempt(is_head) {
                Ok((response, keep_alive)) => {
                    if !keep_alive {
                        self.conn = None;
                    }
                    return Ok(response);
                }
                Err(failure) => {
                    self.conn = None;
                    // A reused connection that died before answering was most likely closed by the
                    // server while idle: retry once on a fresh one.
                    if !(reused && failure.before_response && attempt == 0) {
                        return Err(failure.error);
                    }
                }
            }
        }
        Err(TransportError::ConnectionDropped)
    }

    fn reset(&mut self) {
        self.conn = None;
    }
}

fn is_framing_header(name: &str) -> bool {
    ["host", "content-length", "transfer-encoding", "connection"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
}

fn io_error(e: &io::Error) -> TransportError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => TransportError::Timeout,
        _ => TransportError::ConnectionDropped,
    }
}

/// Reads one response from a connection into `buf`, through a reused scratch buffer.
struct Reader<'a> {
    conn: &'a mut Connection,
    buf: &'a mut Vec<u8>,
    scratch: &'a mut [u8],
    deadline: Instant,
}

impl Reader<'_> {
    /// Appends what is available to `buf`; `Ok(0)` at end of stream.
    fn more(&mut self) -> Result<usize, TransportError> {
        loop {
            let remaining = self.deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(TransportError::Timeout);
            }
            self.conn.arm(remaining).map_err(|e| io_error(&e))?;
            match self.conn.read(self.scratch) {
                Ok(n) => {
                    self.buf.extend_from_slice(&self.scratch[..n]);
                    return Ok(n);
                }
                // The socket's timeout may be shorter than the time left (set for an earlier,
                // later-ending exchange): go on until the deadline itself has passed.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if Instant::now() >= self.deadline {
                        return Err(TransportError::Timeout);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(&e)),
            }
        }
    }

    /// Reads the body; returns it (at most `max` bytes), whether it was cut, and whether the
    /// connection is still in a clean state for reuse.
    fn body(
        &mut self,
        head: &Head,
        framing: Framing,
        max: usize,
    ) -> Result<(Vec<u8>, bool, bool), TransportError> {
        let start = head.len;
        match framing {
            Framing::None => Ok((Vec::new(), false, self.buf.len() == start)),
            Framing::Length(n) => {
                // Past the limit keep reading to stay in sync, up to a hard cap; beyond it, close.
                let cap = max.saturating_mul(4).max(n.min(max));
                let want = start + n.min(cap);
                while self.buf.len() < want {
                    if self.more()? == 0 {
                        return Err(TransportError::ConnectionDropped);
                    }
                }
                let body = self.buf[start..start + n.min(max)].to_vec();
                Ok((body, n > max, n <= cap && self.buf.len() == start + n))
            }
            Framing::Chunked => loop {
                match parse::decode_chunked(&self.buf[start..], max)
                    .map_err(|_| TransportError::Malformed)?
                {
                    Chunked::Done {
                        body,
                        truncated,
                        consumed,
                    } => {
                        let clean = self.buf.len() == start + consumed;
                        return Ok((body, truncated, clean));
                    }
                    Chunked::Partial => {
                        if self.buf.len() - start > max.saturating_mul(4) {
                            let body = self.buf[start..start + max].to_vec();
                            return Ok((body, true, false));
                        }
                        if self.more()? == 0 {
                            return Err(TransportError::ConnectionDropped);
                        }
                    }
                }
            },
            Framing::UntilClose => {
                while self.buf.len() - start <= max {
                    if self.more()? == 0 {
                        break;
                    }
                }
                let end = self.buf.len().min(start + max);
                Ok((
                    self.buf[start..end].to_vec(),
                    self.buf.len() - start > max,
                    false,
                ))
            }
        }
    }
}
