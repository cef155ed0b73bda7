//! Service plumbing: health, request statistics, JSON 404s, and the binary's startup line.

mod common;

use common::Api;

#[test]
fn health_and_stats_count_every_response() {
    let api = Api::start(false);
    for _ in 0..3 {
        let health = api.get("/health", None);
        assert_eq!(health.status, 200);
        assert_eq!(health.json["status"], "ok");
    }
    let missing = api.get("/no/such/path", None);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error_code(), "not_found");
    let stats = api.get("/_stats", None);
    assert_eq!(stats.status, 200);
    // The stats request itself is counted after its body is built.
    assert_eq!(stats.json["requests"], 4);
    assert_eq!(stats.json["by_status"]["200"], 3);
    assert_eq!(stats.json["by_status"]["404"], 1);
    let again = api.get("/_stats", None);
    assert_eq!(again.json["requests"], 5);
}

#[test]
fn each_instance_has_its_own_state() {
    let first = Api::start(false);
    let second = Api::start(false);
    let body = serde_json::json!({
        "username": "dave", "password": "dave-secret", "email": "dave@shop.example",
    });
    assert_eq!(first.post("/users", None, &body).status, 201);
    assert_eq!(second.post("/users", None, &body).status, 201);
    assert_eq!(first.post("/users", None, &body).status, 409);
}

#[test]
fn stop_releases_the_port() {
    let server = shrike_demo_api::spawn_background(Default::default()).expect("start");
    let addr = server.addr();
    assert!(addr.ip().is_loopback());
    server.stop().expect("clean stop");
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn demo_auth_file_lists_the_seeded_accounts() {
    let text = include_str!("../../../schemas/demo-auth.toml");
    let auth: toml::Table = toml::from_str(text).expect("demo-auth.toml parses");
    let identities = auth["identity"].as_array().expect("identities");
    assert_eq!(identities.len(), shrike_demo_api::SEED_USERS.len());
    let api = Api::start(true);
    for user in shrike_demo_api::SEED_USERS.iter() {
        let listed = identities
            .iter()
            .find(|i| i["name"].as_str() == Some(user.username))
            .expect("every seeded user has an identity");
        let body = &listed["login"]["body"];
        assert_eq!(listed["login"]["operation"].as_str(), Some("login"));
        assert_eq!(body["username"].as_str(), Some(user.username));
        assert_eq!(body["password"].as_str(), Some(user.password));
        assert_eq!(listed["role"].as_str(), Some(user.role));
        let token = api.login(user.username, user.password);
        let me = api.get("/users/me", Some(&token));
        assert_eq!(me.json["username"].as_str(), Some(user.username));
    }
}

#[test]
fn stop_is_bounded_even_with_a_stalled_client() {
    use std::io::Write;
    let server = shrike_demo_api::spawn_background(Default::default()).expect("start");
    let mut stalled = std::net::TcpStream::connect(server.addr()).expect("connect");
    stalled
        .write_all(b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        .expect("partial request");
    std::thread::sleep(std::time::Duration::from_millis(100));
    let started = std::time::Instant::now();
    server.stop().expect("stop");
    assert!(started.elapsed().as_secs() < 8, "{:?}", started.elapsed());
}
