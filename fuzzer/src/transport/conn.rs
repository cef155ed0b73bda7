//! One open connection to the target: a plain TCP stream, or TLS over one.
//!
//! [`Conn`] is what the HTTP/1.1 client reads from and writes to. It also keeps the socket's read
//! timeout in step with each exchange's deadline without a `setsockopt` per read: the timeout is
//! only changed when it is off from the time left by more than [`TIMEOUT_SLACK`].

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

/// How far the socket's read timeout may be from the time an exchange has left before it is set
/// again; an exchange can overrun its timeout by at most this much.
pub const TIMEOUT_SLACK: Duration = Duration::from_millis(50);

/// A connection to the target.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

/// The connection and the read timeout its socket currently has.
pub struct Connection {
    conn: Conn,
    read_timeout: Option<Duration>,
}

impl Connection {
    /// A plain-text connection over `stream`.
    pub fn plain(stream: TcpStream) -> Self {
        Connection {
            conn: Conn::Plain(stream),
            read_timeout: None,
        }
    }

    /// Opens TLS over `stream` and completes the handshake within `timeout`, so certificate
    /// problems show here, on connecting, and not in the middle of a request.
    pub fn tls(
        stream: TcpStream,
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        timeout: Duration,
    ) -> io::Result<Self> {
        let mut session = ClientConnection::new(config, server_name).map_err(io::Error::other)?;
        let mut sock = stream;
        sock.set_read_timeout(Some(timeout))?;
        sock.set_write_timeout(Some(timeout))?;
        while session.is_handshaking() {
            session.complete_io(&mut sock)?;
        }
        sock.set_write_timeout(None)?;
        Ok(Connection {
            conn: Conn::Tls(Box::new(StreamOwned::new(session, sock))),
            read_timeout: Some(timeout),
        })
    }

    fn tcp(&self) -> &TcpStream {
        match &self.conn {
            Conn::Plain(s) => s,
            Conn::Tls(s) => &s.sock,
        }
    }

    /// Makes the next read wait at most about `remaining` (see [`TIMEOUT_SLACK`]).
    pub fn arm(&mut self, remaining: Duration) -> io::Result<()> {
        let remaining = remaining.max(Duration::from_millis(1));
        let off = match self.read_timeout {
            None => true,
            Some(current) => {
                current > remaining + TIMEOUT_SLACK || current + TIMEOUT_SLACK < remaining
            }
        };
        if off {
            self.tcp().set_read_timeout(Some(remaining))?;
            self.read_timeout = Some(remaining);
        }
        Ok(())
    }

    /// Writes the whole request and pushes it out (for TLS, the encrypted records too).
    pub fn send_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.conn {
            Conn::Plain(s) => s.write_all(bytes),
            Conn::Tls(s) => {
                s.write_all(bytes)?;
                s.flush()
            }
        }
    }

    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.conn {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => match s.read(buf) {
                // A peer that closes without close_notify has still ended the stream: HTTP framing
                // tells a complete response from a cut one.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn read_timeout_is_set_only_when_it_is_off() {
        let (client, _server) = pair();
        let mut c = Connection::plain(client);
        c.arm(Duration::from_secs(10)).unwrap();
        assert_eq!(c.read_timeout, Some(Duration::from_secs(10)));
        // A few milliseconds less: within the slack, unchanged.
        c.arm(Duration::from_millis(9_990)).unwrap();
        assert_eq!(c.read_timeout, Some(Duration::from_secs(10)));
        assert_eq!(
            c.tcp().read_timeout().unwrap(),
            Some(Duration::from_secs(10))
        );
        // Much less time left: lowered; much more: raised again.
        c.arm(Duration::from_secs(2)).unwrap();
        assert_eq!(c.read_timeout, Some(Duration::from_secs(2)));
        c.arm(Duration::from_secs(10)).unwrap();
        assert_eq!(
            c.tcp().read_timeout().unwrap(),
            Some(Duration::from_secs(10))
        );
        c.arm(Duration::ZERO).unwrap();
        assert_eq!(c.read_timeout, Some(Duration::from_millis(1)));
    }

    #[test]
    fn plain_connections_carry_bytes_both_ways() {
        let (client, mut server) = pair();
        let mut c = Connection::plain(client);
        c.send_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        server.write_all(b"pong").unwrap();
        c.arm(Duration::from_secs(1)).unwrap();
        let n = c.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], &b"pong"[..n]);
    }
}
