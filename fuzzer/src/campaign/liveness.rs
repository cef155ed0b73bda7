//! Is the target still up? Asked after a dropped or refused connection, to tell a crash from a
//! hiccup.
//!
//! A completed TCP handshake alone proves little: a process that is aborting (a stack overflow,
//! say) keeps its listening socket for a moment, and the kernel completes handshakes for it. So
//! the check also waits briefly on the new connection: a live server keeps an idle connection open
//! (it waits for a request), while a dying one's connections are reset or closed at once.

use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long a connect may take.
const CONNECT: Duration = Duration::from_millis(500);
/// How long a new connection must stay open (and silent, or speaking) to count as served.
const HOLD: Duration = Duration::from_millis(100);

/// True when a server at `addr` accepts a connection and keeps it open.
pub fn holds_connection(addr: &SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(addr, CONNECT) else {
        return false;
    };
    if stream.set_read_timeout(Some(HOLD)).is_err() {
        return true;
    }
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        // Closed at once, without a word.
        Ok(0) => false,
        // It spoke first (some protocols greet): alive.
        Ok(_) => true,
        Err(e) => matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::thread;
    use std::time::Duration;

    use super::*;

    /// A loopback listener that accepts `count` connections and keeps each for `keep`; its
    /// address and the thread, which gives the listener back.
    fn accepting(count: usize, keep: Duration) -> (SocketAddr, thread::JoinHandle<TcpListener>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = thread::spawn(move || {
            for _ in 0..count {
                let (stream, _) = listener.accept().unwrap();
                thread::sleep(keep);
                drop(stream);
            }
            listener
        });
        (addr, server)
    }

    #[test]
    fn a_server_that_keeps_connections_is_alive() {
        let (addr, server) = accepting(1, HOLD * 3);
        assert!(holds_connection(&addr));
        server.join().unwrap();
    }

    #[test]
    fn a_socket_that_drops_every_connection_or_none_at_all_is_not() {
        // The accepting thread may be scheduled late on a loaded machine, so one of a few tries
        // must see the drop.
        let tries = 5;
        let (addr, server) = accepting(tries, Duration::ZERO);
        let dropped = (0..tries).position(|_| !holds_connection(&addr));
        assert!(dropped.is_some());
        for _ in dropped.unwrap() + 1..tries {
            let _ = TcpStream::connect(addr);
        }
        drop(server.join().unwrap());
        assert!(!holds_connection(&addr), "nothing listens any more");
    }
}
