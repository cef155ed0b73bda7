//! `--restart-cmd`: a shell command that brings a crashed target back (restart a service or a
//! container), so a campaign against the user's own server goes on after a crash bug kills it,
//! and `repro` / `minimize` can replay a crash case more than once. `shrike demo` supervises its
//! own child process instead.

use std::time::{Duration, Instant};

use super::reset::{RESET_TIMEOUT, run_reset};
use super::setup::check_reachable;
use crate::campaign::runner::Supervisor;
use crate::transport::Target;

/// How long the target may take to accept connections after the restart command returned.
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Restarts the target with a shell command, then waits until it accepts connections.
pub struct CommandSupervisor {
    cmd: String,
    target: Target,
    ready_timeout: Duration,
}

impl CommandSupervisor {
    pub fn new(cmd: &str, target: &Target) -> Self {
        CommandSupervisor {
            cmd: cmd.to_owned(),
            target: target.clone(),
            ready_timeout: READY_TIMEOUT,
        }
    }

    #[cfg(test)]
    fn with_ready_timeout(mut self, timeout: Duration) -> Self {
        self.ready_timeout = timeout;
        self
    }
}

impl Supervisor for CommandSupervisor {
    fn restart(&mut self) -> bool {
        if let Err(err) = run_reset(&self.cmd, RESET_TIMEOUT) {
            tracing::warn!("the target died and --restart-cmd did not bring it back: {err}");
            return false;
        }
        let started = Instant::now();
        loop {
            if check_reachable(&self.target).is_ok() {
                return true;
            }
            if started.elapsed() >= self.ready_timeout {
                tracing::warn!(
                    "the target died; --restart-cmd ran but {} accepted no connection within {} s",
                    self.target,
                    self.ready_timeout.as_secs()
                );
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    #[test]
    fn restarts_when_the_command_works_and_the_target_answers() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let target = Target::parse(&url).unwrap();
        assert!(CommandSupervisor::new("true", &target).restart());
        let failing = CommandSupervisor::new("exit 3", &target);
        assert!(!{ failing }.restart(), "a failing command is no restart");
        drop(listener);
        let mut silent =
            CommandSupervisor::new("true", &target).with_ready_timeout(Duration::from_millis(200));
        assert!(!silent.restart(), "nothing listens: no restart");
    }
}
