//! The real transport: a lean HTTP/1.1 keep-alive client over one `TcpStream`.
//!
//! One connection is reused across requests (as a browser or SDK would); a request on a reused
//! connection that fails before any response byte arrives is retried once on a fresh connection
//! (stale keep-alive); `Connection: close`, framing errors and timeouts drop the connection.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::parse::{self, Chunked, Framing, Head};
use super::target::Target;
use super::{Transport, TransportConfig};
use crate::http::{HttpRequest, HttpResponse, TransportError};

/// HTTP/1.1 client for one target.
pub struct TcpTransport {
    target: Target,
    host_header: String,
    config: TransportConfig,
    conn: Option<TcpStream>,
    out: Vec<u8>,
    buf: Vec<u8>,
}

/// Why one attempt failed, and whether retrying on a fresh connection makes sense.
struct Failure {
    error: TransportError,
    /// Nothing of a response arrived (the server may just have closed an idle connection).
    before_response: bool,
}

impl TcpTransport {
    pub fn new(target: Target, config: TransportConfig) -> Self {
        let host_header = target.host_header();
        TcpTransport {
            target,
            host_header,
            config,
            conn: None,
            out: Vec::new(),
            buf: Vec::new(),
        }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    fn connect(&self) -> Result<TcpStream, TransportError> {
        let addrs = self
            .target
            .socket_addr()
            .to_socket_addrs()
            .map_err(|_| TransportError::ConnectFailed)?;
        let mut last = TransportError::ConnectFailed;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.config.connect_timeout) {
                Ok(stream) => {
                    // Small requests must not wait for delayed ACKs (Nagle).
                    let _ = stream.set_nodelay(true);
                    return Ok(stream);
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => last = TransportError::Timeout,
                Err(_) => {}
            }
        }
        Err(last)
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
            out.extend_from_slice(format!("Content-Length: {}\r\n", req.body.len()).as_bytes());
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
        let Some(stream) = self.conn.as_mut() else {
            return Err(fail(TransportError::ConnectFailed, true));
        };
        stream
            .write_all(&self.out)
            .map_err(|e| fail(io_error(&e), true))?;
        self.buf.clear();
        let max_body = self.config.max_body;
        loop {
            let head = loop {
                if let Some(head) = parse::parse_head(&self.buf)
                    .map_err(|_| fail(TransportError::Malformed, false))?
                {
                    break head;
                }
                if self.buf.len() > 256 * 1024 {
                    return Err(fail(TransportError::Malformed, false));
                }
                let empty = self.buf.is_empty();
                if read_more(stream, &mut self.buf, deadline).map_err(|e| fail(e, empty))? == 0 {
                    return Err(fail(TransportError::ConnectionDropped, empty));
                }
            };
            if (100..200).contains(&head.status) {
                // Interim response (100 Continue): the final one follows.
                self.buf.drain(..head.len);
                continue;
            }
            let framing = parse::framing(is_head, &head)
                .map_err(|_| fail(TransportError::Malformed, false))?;
            let (body, truncated, clean) =
                read_body(stream, &mut self.buf, &head, framing, deadline, max_body)
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

/// Reads what is available into `buf`; `Ok(0)` at end of stream.
fn read_more(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    deadline: Instant,
) -> Result<usize, TransportError> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    if remaining.is_zero() {
        return Err(TransportError::Timeout);
    }
    stream
        .set_read_timeout(Some(remaining.max(Duration::from_millis(1))))
        .map_err(|e| io_error(&e))?;
    let start = buf.len();
    buf.resize(start + 16 * 1024, 0);
    let result = stream.read(&mut buf[start..]);
    let n = *result.as_ref().unwrap_or(&0);
    buf.truncate(start + n);
    result.map_err(|e| io_error(&e))
}

/// Reads the body; returns it (at most `max` bytes), whether it was cut, and whether the connection
/// is still in a clean state for reuse.
fn read_body(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    head: &Head,
    framing: Framing,
    deadline: Instant,
    max: usize,
) -> Result<(Vec<u8>, bool, bool), TransportError> {
    let start = head.len;
    match framing {
        Framing::None => Ok((Vec::new(), false, buf.len() == start)),
        Framing::Length(n) => {
            // Past the limit keep reading to stay in sync, up to a hard cap; beyond it, close.
            let cap = max.saturating_mul(4).max(n.min(max));
            let want = start + n.min(cap);
            while buf.len() < want {
                if read_more(stream, buf, deadline)? == 0 {
                    return Err(TransportError::ConnectionDropped);
                }
            }
            let body = buf[start..start + n.min(max)].to_vec();
            Ok((body, n > max, n <= cap && buf.len() == start + n))
        }
        Framing::Chunked => loop {
            match parse::decode_chunked(&buf[start..], max)
                .map_err(|_| TransportError::Malformed)?
            {
                Chunked::Done {
                    body,
                    truncated,
                    consumed,
                } => {
                    let clean = buf.len() == start + consumed;
                    return Ok((body, truncated, clean));
                }
                Chunked::Partial => {
                    if buf.len() - start > max.saturating_mul(4) {
                        let body = buf[start..start + max].to_vec();
                        return Ok((body, true, false));
                    }
                    if read_more(stream, buf, deadline)? == 0 {
                        return Err(TransportError::ConnectionDropped);
                    }
                }
            }
        },
        Framing::UntilClose => {
            while buf.len() - start <= max {
                if read_more(stream, buf, deadline)? == 0 {
                    break;
                }
            }
            let end = buf.len().min(start + max);
            Ok((buf[start..end].to_vec(), buf.len() - start > max, false))
        }
    }
}
