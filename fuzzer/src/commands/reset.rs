//! `--reset-cmd`: a shell command that puts the target back into a known state (reload a
//! database dump, restart a container) before a campaign and before `repro`, so that nightly runs
//! and reproductions start from the same state. Bounded in time; a failure is a clear error,
//! never a silent half-reset.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a reset command may run.
pub const RESET_TIMEOUT: Duration = Duration::from_secs(120);

/// Why the reset command did not reset.
#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error("the reset command `{cmd}` could not be started: {source}")]
    Spawn { cmd: String, source: std::io::Error },
    #[error("the reset command `{cmd}` failed ({status}){stderr}")]
    Failed {
        cmd: String,
        status: String,
        stderr: String,
    },
    #[error("the reset command `{cmd}` did not finish within {}s and was stopped", .timeout.as_secs())]
    TimedOut { cmd: String, timeout: Duration },
}

/// Runs `cmd` through the shell (`sh -c`), waiting at most `timeout`; its standard output is
/// discarded, its standard error shown when it fails.
pub fn run_reset(cmd: &str, timeout: Duration) -> Result<(), ResetError> {
    let mut child = shell(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| ResetError::Spawn {
            cmd: cmd.to_owned(),
            source,
        })?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ResetError::TimedOut {
                    cmd: cmd.to_owned(),
                    timeout,
                });
            }
        }
    };
    if status.success() {
        return Ok(());
    }
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.by_ref().take(2048).read_to_string(&mut stderr);
    }
    let stderr = stderr.trim();
    Err(ResetError::Failed {
        cmd: cmd.to_owned(),
        status: status.to_string(),
        stderr: if stderr.is_empty() {
            String::new()
        } else {
            format!(": {stderr}")
        },
    })
}

#[cfg(unix)]
fn shell(cmd: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(cmd);
    c
}

#[cfg(not(unix))]
fn shell(cmd: &str) -> Command {
    let mut c = Command::new("cmd");
    c.arg("/C").arg(cmd);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_failure_and_timeout() {
        assert!(run_reset("true", RESET_TIMEOUT).is_ok());
        let failed = run_reset("echo broken db >&2; exit 3", RESET_TIMEOUT).unwrap_err();
        let text = failed.to_string();
        assert!(text.contains("broken db") && text.contains('3'), "{text}");
        let slow = run_reset("sleep 5", Duration::from_millis(200)).unwrap_err();
        assert!(matches!(slow, ResetError::TimedOut { .. }), "{slow}");
        assert!(matches!(run_reset("exit 0", RESET_TIMEOUT), Ok(())));
    }
}
