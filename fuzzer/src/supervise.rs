//! Targets Shrike starts itself: the demo API as a child process, or any server given with
//! `--target-cmd`. A [`ChildTarget`] starts the command, waits until it accepts connections, and
//! restarts it when it dies (the runner calls [`Supervisor::restart`] after a crash).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::campaign::runner::Supervisor;

#[derive(Debug, Error)]
pub enum SuperviseError {
    #[error("could not start {program}: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("{program} did not accept connections on {addr} within {waited:?}")]
    NotListening {
        program: String,
        addr: SocketAddr,
        waited: Duration,
    },
    #[error("could not find a free loopback port: {0}")]
    NoPort(std::io::Error),
}

/// A child process serving on a fixed loopback address.
pub struct ChildTarget {
    program: String,
    args: Vec<String>,
    addr: SocketAddr,
    child: Option<Child>,
    /// The write end of the child's stdin: dropped (closed) when this process dies, which tells a
    /// child that watches its stdin to exit.
    stdin: Option<std::process::ChildStdin>,
    startup: Duration,
}

impl ChildTarget {
    /// Starts `program args...`, which must listen on `addr`, and waits until it does.
    pub fn start(
        program: &str,
        args: &[String],
        addr: SocketAddr,
        startup: Duration,
    ) -> Result<Self, SuperviseError> {
        let mut target = ChildTarget {
            program: program.to_string(),
            args: args.to_vec(),
            addr,
            child: None,
            stdin: None,
            startup,
        };
        target.spawn()?;
        Ok(target)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn spawn(&mut self) -> Result<(), SuperviseError> {
        self.stop();
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| SuperviseError::Spawn {
                program: self.program.clone(),
                source,
            })?;
        self.stdin = child.stdin.take();
        self.child = Some(child);
        let deadline = Instant::now() + self.startup;
        while Instant::now() < deadline {
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(100)).is_ok() {
                return Ok(());
            }
            if let Some(child) = self.child.as_mut()
                && matches!(child.try_wait(), Ok(Some(_)))
            {
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        Err(SuperviseError::NotListening {
            program: self.program.clone(),
            addr: self.addr,
            waited: self.startup,
        })
    }

    /// Kills the child (if running) and reaps it.
    pub fn stop(&mut self) {
        self.stdin = None;
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Supervisor for ChildTarget {
    fn restart(&mut self) -> bool {
        tracing::info!(program = %self.program, "target died; restarting it");
        self.spawn().is_ok()
    }
}

impl Drop for ChildTarget {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> Result<u16, SuperviseError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(SuperviseError::NoPort)?;
    Ok(listener
        .local_addr()
        .map_err(SuperviseError::NoPort)?
        .port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_fails_clearly_when_nothing_listens() {
        let port = free_port().unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let err = ChildTarget::start("true", &[], addr, Duration::from_millis(300))
            .err()
            .unwrap();
        assert!(matches!(err, SuperviseError::NotListening { .. }), "{err}");
        let err = ChildTarget::start(
            "/nonexistent/shrike-target",
            &[],
            addr,
            Duration::from_millis(100),
        )
        .err()
        .unwrap();
        assert!(matches!(err, SuperviseError::Spawn { .. }), "{err}");
    }
}
