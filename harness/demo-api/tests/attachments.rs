//! BUG-05: a deleted attachment is still served.

mod common;

use common::both_modes;
use reqwest::Method;
use serde_json::json;

#[test]
fn bug05_deleted_attachment_is_still_served() {
    both_modes(|api| {
        let alice = api.token_of("alice");
        let upload = json!({
            "filename": "note.txt", "content_type": "text/plain",
            "content": "secret", "metadata": { "tags": ["a", { "b": [1] }] },
        });
        let created = api.post("/attachments", Some(&alice), &upload);
        assert_eq!(created.status, 201, "{}", created.text);
        assert_eq!(created.json["size"], 6);
        let location = created.header("location").expect("location").to_owned();
        let deleted = api.call(Method::DELETE, &location, Some(&alice), None);
        assert_eq!(deleted.status, 204);
        let again = api.call(Method::DELETE, &location, Some(&alice), None);
        assert_eq!(again.status, 404);
        let read = api.get(&location, Some(&alice));
        if api.fixed {
            assert_eq!(read.status, 404);
        } else {
            assert_eq!(read.status, 200);
            assert_eq!(read.json["content"], "secret");
        }
        let listed = api.get("/attachments", Some(&alice));
        assert_eq!(listed.json["items"].as_array().map(Vec::len), Some(1));
        // Other users never see it.
        let bob = api.token_of("bob");
        assert_eq!(api.get(&location, Some(&bob)).status, 404);
    });
}

#[test]
fn fixed_mode_rejects_deep_nesting_with_400() {
    let api = common::Api::start(true);
    let alice = api.token_of("alice");
    let depth = 10_000;
    let body = format!(
        r#"{{"filename":"a.txt","content_type":"text/plain","content":"","metadata":{{"x":{}1{}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let reply = api.call_raw(Method::POST, "/attachments", Some(&alice), body);
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.text.contains("deeper than 32"), "{}", reply.text);
}
