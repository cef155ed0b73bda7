//! BUG-15: deeply nested JSON in an attachment upload overflows the stack and aborts the whole
//! server process. Tested against the binary as a child process, never in-process.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{Value, json};

/// A demo server child process, killed on drop.
struct ServerProcess {
    child: Child,
    base_url: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(fixed: bool) -> ServerProcess {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shrike-demo-api"));
    command.args(["--port", "0", "--host", "127.0.0.1"]);
    if fixed {
        command.arg("--fixed");
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn demo server");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let base_url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    ServerProcess { child, base_url }
}

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

fn token(client: &Client, base_url: &str) -> String {
    let reply: Value = client
        .post(format!("{base_url}/auth/login"))
        .json(&json!({ "username": "alice", "password": "alice-secret-1" }))
        .send()
        .expect("login")
        .json()
        .expect("login json");
    reply["token"].as_str().expect("token").to_owned()
}

fn nested_upload(depth: usize) -> String {
    format!(
        r#"{{"filename":"deep.json","content_type":"application/json","content":"","metadata":{{"x":{}0{}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// Waits up to five seconds for the child to exit.
fn wait_exit(child: &mut Child) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn upload(client: &Client, base_url: &str, token: &str, depth: usize) -> reqwest::Result<u16> {
    client
        .post(format!("{base_url}/attachments"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(nested_upload(depth))
        .send()
        .map(|response| response.status().as_u16())
}

#[test]
fn bug15_deep_nesting_aborts_the_server_process() {
    let client = client();
    let mut server = spawn(false);
    let token = token(&client, &server.base_url);
    // Moderate nesting is survived (and rejected by the JSON parser's own limit).
    assert_eq!(
        upload(&client, &server.base_url, &token, 1000).expect("reply"),
        400
    );
    let result = upload(&client, &server.base_url, &token, 50_000);
    assert!(
        result.is_err(),
        "expected a dropped connection, got {result:?}"
    );
    let status = wait_exit(&mut server.child).expect("the server process died");
    assert!(!status.success());
    let mut stderr = String::new();
    server
        .child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert!(stderr.contains("overflow"), "stderr: {stderr}");
}

#[test]
fn bug15_fixed_mode_answers_400_and_keeps_running() {
    let client = client();
    let mut server = spawn(true);
    let token = token(&client, &server.base_url);
    let status = upload(&client, &server.base_url, &token, 50_000).expect("reply");
    assert_eq!(status, 400);
    assert!(server.child.try_wait().expect("try_wait").is_none());
    let health = client
        .get(format!("{}/health", server.base_url))
        .send()
        .expect("health");
    assert_eq!(health.status().as_u16(), 200);
}
