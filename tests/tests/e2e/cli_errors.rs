//! Exit codes for a target that is not there and for a spec that is broken.

use shrike_e2e::{run, temp_out};

use crate::SHRIKE;

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/demo-api.yaml");

#[test]
fn unreachable_target_exits_3_with_one_clear_line() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = temp_out("unreachable");
    let target = format!("http://127.0.0.1:{port}");
    let result = run(
        SHRIKE,
        &[
            "fuzz",
            "--spec",
            SPEC,
            "--target",
            &target,
            "--time",
            "5s",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
    );
    assert_eq!(result.status.code(), Some(3), "{result:?}");
    let stderr = String::from_utf8_lossy(&result.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("unreachable"))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains(&target), "{stderr}");
}

#[test]
fn broken_spec_exits_2_naming_the_file() {
    let out = temp_out("broken-spec");
    let spec = out.join("broken.yaml");
    std::fs::write(
        &spec,
        "openapi: 9.9\ninfo: {title: x, version: '1'}\npaths: {}\n",
    )
    .unwrap();
    let result = run(
        SHRIKE,
        &[
            "fuzz",
            "--spec",
            spec.to_str().unwrap(),
            "--target",
            "http://127.0.0.1:9",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(result.status.code(), Some(2), "{result:?}");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("broken.yaml"), "{stderr}");
}

#[test]
fn bad_flags_exit_2() {
    let result = run(SHRIKE, &["fuzz", "--time", "forever", "--spec", SPEC]);
    assert_eq!(result.status.code(), Some(2), "{result:?}");
}
