//! Tests of merging flags, file and defaults into `Settings`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;
use crate::config::Selector;

fn cli() -> FileConfig {
    FileConfig {
        spec: Some(PathBuf::from("api.yaml")),
        ..FileConfig::default()
    }
}

fn file(text: &str) -> ConfigFile {
    ConfigFile::parse(Path::new("shrike.toml"), text).expect("valid toml")
}

#[test]
fn defaults() {
    let s = Settings::merge(None, cli()).expect("valid");
    assert_eq!(s.spec, PathBuf::from("api.yaml"));
    assert_eq!(s.target, None);
    assert_eq!(s.time, DEFAULT_TIME);
    assert_eq!(s.execs, None);
    assert_eq!(s.seed, None);
    assert_eq!(s.out, PathBuf::from("shrike-out"));
    assert!(s.headers.is_empty());
    assert!(s.filter.is_empty());
    assert_eq!(s.timeout, Duration::from_secs(10));
    assert_eq!(s.rate_limit, None);
    assert_eq!(s.slow, Duration::from_millis(1000));
    assert_eq!(s.undocumented, UndocumentedPolicy::Surprises);
    assert_eq!(s.reports, ReportPaths::default());
    assert_eq!(s.max_calls, 6);
    assert_eq!(s.dict, None);
    assert_eq!(s.oracle_config(), OracleConfig::default());
    assert_eq!(s.transport_config().timeout, Duration::from_secs(10));
    assert_eq!(s.throttle_config().rate_limit, None);
}

#[test]
fn load_reads_the_file_and_reports_a_missing_one() {
    let dir = std::env::temp_dir().join(format!("shrike-settings-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("nightly.toml");
    std::fs::write(&path, "spec = \"api.json\"\nrate-limit = 0.5\n").expect("write");
    let s = Settings::load(Some(&path), FileConfig::default()).expect("valid");
    assert_eq!(s.spec, dir.join("api.json"), "relative to the file");
    assert_eq!(s.throttle_config().rate_limit, Some(0.5));
    std::fs::remove_dir_all(&dir).expect("clean up");
    let e = Settings::load(Some(&path), cli()).expect_err("gone");
    assert!(matches!(e, ConfigError::Read { .. }), "{e}");
    assert!(Settings::load(None, cli()).is_ok());
}

#[test]
fn spec_is_required() {
    let e = Settings::merge(None, FileConfig::default()).expect_err("no spec");
    assert!(matches!(e, ConfigError::Missing { key: "spec" }));
    // ... but may come from the file.
    let s = Settings::merge(Some(file("spec = \"x.json\"")), FileConfig::default()).expect("ok");
    assert_eq!(s.spec, PathBuf::from("x.json"));
}

#[test]
fn cli_wins_over_file_which_wins_over_defaults() {
    let f = file(
        r#"
        target = "http://127.0.0.1:9000"
        time = "1h"
        timeout = 3
        rate-limit = 50
        slow-ms = 200
        seed = 7
        undocumented = "off"
        max-calls = 3
        json = "r.json"
        "#,
    );
    let overrides = FileConfig {
        time: Some("90s".into()),
        seed: Some(9),
        rate_limit: Some(2.5),
        ..cli()
    };
    let s = Settings::merge(Some(f), overrides).expect("valid");
    assert_eq!(s.time, Duration::from_secs(90), "flag");
    assert_eq!(s.seed, Some(9), "flag");
    assert_eq!(s.rate_limit, Some(2.5), "flag");
    assert_eq!(s.target.as_deref(), Some("http://127.0.0.1:9000"), "file");
    assert_eq!(s.timeout, Duration::from_secs(3), "file");
    assert_eq!(s.slow, Duration::from_millis(200), "file");
    assert_eq!(s.undocumented, UndocumentedPolicy::Off, "file");
    assert_eq!(s.max_calls, 3, "file");
    assert_eq!(s.reports.json, Some(PathBuf::from("r.json")), "file");
    assert_eq!(s.out, PathBuf::from("shrike-out"), "default");
}

#[test]
fn excludes_accumulate_includes_and_headers_override() {
    let f = file(
        r#"
        include = ["tag:orders"]
        exclude = ["method:DELETE"]
        header = ["X-Tenant: nightly", "X-Trace: 1"]
        "#,
    );
    let overrides = FileConfig {
        include: vec!["tag:users".into()],
        exclude: vec!["/admin/*".into()],
        header: vec!["x-tenant: manual".into()],
        ..cli()
    };
    let s = Settings::merge(Some(f.clone()), overrides).expect("valid");
    assert_eq!(
        s.filter.include,
        [Selector::parse("tag:users").expect("ok")]
    );
    assert_eq!(
        s.filter.exclude,
        [
            Selector::parse("method:DELETE").expect("ok"),
            Selector::parse("/admin/*").expect("ok")
        ]
    );
    assert_eq!(
        s.headers,
        [
            ("X-Trace".to_string(), "1".to_string()),
            ("x-tenant".to_string(), "manual".to_string())
        ]
    );
    // Without flags the file's lists stand.
    let s = Settings::merge(Some(f), cli()).expect("valid");
    assert_eq!(s.filter.include.len(), 1);
    assert_eq!(s.headers.len(), 2);
}

#[test]
fn invalid_values_name_their_origin_and_key() {
    let cases: &[(&str, &str)] = &[
        ("time = \"ten minutes\"", "key `time` in shrike.toml"),
        (
            "time = 0",
            "key `time` in shrike.toml: must be longer than zero",
        ),
        ("timeout = \"0ms\"", "key `timeout` in shrike.toml"),
        ("execs = 0", "key `execs` in shrike.toml"),
        ("rate-limit = 0", "key `rate-limit` in shrike.toml"),
        ("rate-limit = -3.5", "key `rate-limit` in shrike.toml"),
        ("rate-limit = nan", "key `rate-limit` in shrike.toml"),
        ("slow-ms = 0", "key `slow-ms` in shrike.toml"),
        ("max-calls = 0", "key `max-calls` in shrike.toml"),
        ("max-calls = 1000", "key `max-calls` in shrike.toml"),
        (
            "undocumented = \"some\"",
            "key `undocumented` in shrike.toml",
        ),
        ("target = \"ftp://x\"", "key `target` in shrike.toml"),
        ("target = \"not a url\"", "key `target` in shrike.toml"),
        ("header = [\"NoColon\"]", "key `header` in shrike.toml"),
        ("include = [\"methd:GET\"]", "key `include` in shrike.toml"),
        ("exclude = [\"\"]", "key `exclude` in shrike.toml"),
    ];
    for (text, want) in cases {
        let e = Settings::merge(Some(file(text)), cli()).expect_err(text);
        assert!(e.to_string().starts_with(want), "{text}: {e}");
    }
    let bad_flag = FileConfig {
        rate_limit: Some(f64::INFINITY),
        ..cli()
    };
    let e = Settings::merge(None, bad_flag).expect_err("inf");
    assert!(e.to_string().starts_with("flag --rate-limit"), "{e}");
    let bad_flag = FileConfig {
        header: vec!["X-A: 1\r\nX-Injected: 2".into()],
        ..cli()
    };
    let e = Settings::merge(None, bad_flag).expect_err("crlf");
    assert!(e.to_string().starts_with("flag --header"), "{e}");
}

#[test]
fn header_parsing() {
    assert_eq!(
        parse_header("X-Api-Key:  abc:def ").expect("ok"),
        ("X-Api-Key".to_string(), "abc:def".to_string())
    );
    assert_eq!(parse_header("X-Empty:").expect("ok").1, "");
    for bad in [
        "no colon",
        ": v",
        "Bad Name: v",
        "X\u{e9}: v",
        "X-A: a\nb",
        "X-A: \u{0}",
    ] {
        assert!(
            matches!(parse_header(bad), Err(ConfigError::Header { .. })),
            "{bad}"
        );
    }
}

#[test]
fn the_example_file_parses_and_validates() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shrike.example.toml");
    let f = ConfigFile::load(&path).expect("the example parses");
    let s = Settings::merge(Some(f), FileConfig::default()).expect("the example validates");
    // Every key of the example is set, so it documents them all.
    assert!(s.target.is_some() && s.execs.is_some() && s.seed.is_some());
    assert!(s.rate_limit.is_some() && s.auth.is_some() && s.dict.is_some());
    assert!(s.reports.json.is_some() && s.reports.junit.is_some() && s.reports.sarif.is_some());
    assert!(!s.headers.is_empty() && !s.filter.include.is_empty());
    assert!(!s.filter.exclude.is_empty());
    assert!(s.spec.ends_with("schemas/demo-api.yaml"));
    assert!(s.reset_cmd.is_some() && s.restart_cmd.is_some());
}

#[test]
fn tls_options_come_from_flags_or_the_file() {
    let s = Settings::merge(None, cli()).expect("valid");
    assert_eq!(s.tls, TlsOptions::default());
    let f = ConfigFile::parse(
        Path::new("conf/shrike.toml"),
        "insecure = true\nca-cert = \"certs/ca.pem\"\n",
    )
    .expect("valid toml");
    let s = Settings::merge(Some(f.clone()), cli()).expect("valid");
    assert!(s.tls.insecure);
    assert_eq!(s.tls.ca_cert, Some(PathBuf::from("conf/certs/ca.pem")));
    let flags = FileConfig {
        ca_cert: Some(PathBuf::from("/etc/other.pem")),
        ..cli()
    };
    let s = Settings::merge(Some(f), flags).expect("valid");
    assert_eq!(s.tls.ca_cert, Some(PathBuf::from("/etc/other.pem")));
    let flags = crate::cli::FuzzArgs {
        spec: Some(PathBuf::from("api.yaml")),
        insecure: true,
        ..crate::cli::FuzzArgs::default()
    }
    .file_config();
    assert!(Settings::merge(None, flags).expect("valid").tls.insecure);
}

#[test]
fn check_selection_from_flags_and_file() {
    use crate::oracle::FindingKind;
    let f = file("checks = [\"security\"]\nskip-checks = [\"cors\"]\n");
    let flags = FileConfig {
        check: vec!["rate-limit".into()],
        skip_checks: vec!["bola,injection".into()],
        ..cli()
    };
    let s = Settings::merge(Some(f.clone()), flags).expect("valid");
    assert!(s.checks.is_enabled(FindingKind::MissingRateLimit));
    assert!(s.checks.is_enabled(FindingKind::DataExposure));
    assert!(!s.checks.is_enabled(FindingKind::CorsMisconfiguration));
    assert!(!s.checks.is_enabled(FindingKind::BrokenObjectAuthorization));
    assert!(!s.checks.is_enabled(FindingKind::Injection));
    assert!(!s.checks.is_enabled(FindingKind::UseAfterDelete));
    // `--checks` replaces the file's list.
    let flags = FileConfig {
        checks: Some(vec!["lifecycle".into()]),
        ..cli()
    };
    let s = Settings::merge(Some(f), flags).expect("valid");
    assert!(s.checks.is_enabled(FindingKind::UseAfterDelete));
    assert!(!s.checks.is_enabled(FindingKind::DataExposure));
}

#[test]
fn unknown_check_names_list_the_valid_ones() {
    let flags = FileConfig {
        check: vec!["sqli".into()],
        ..cli()
    };
    let e = Settings::merge(None, flags).expect_err("unknown");
    let text = e.to_string();
    assert!(
        text.starts_with("flag --check: unknown check \"sqli\""),
        "{text}"
    );
    assert!(
        text.contains("injection") && text.contains("rate-limit"),
        "{text}"
    );
    let e = Settings::merge(Some(file("skip-checks = [\"corz\"]\n")), cli()).expect_err("unknown");
    assert!(
        e.to_string()
            .starts_with("key `skip-checks` in shrike.toml"),
        "{e}"
    );
}

#[test]
fn backoff_pauses_take_at_most_a_tenth_of_the_budget() {
    let flags = FileConfig {
        time: Some("60s".into()),
        ..cli()
    };
    let t = Settings::merge(None, flags)
        .expect("valid")
        .throttle_config();
    assert_eq!(t.retry_after_max, Duration::from_secs(6));
    assert_eq!(t.backoff_max, Duration::from_secs(6));
    let flags = FileConfig {
        time: Some("2h".into()),
        ..cli()
    };
    let t = Settings::merge(None, flags)
        .expect("valid")
        .throttle_config();
    assert_eq!(t.retry_after_max, Duration::from_secs(30));
    assert_eq!(t.backoff_max, Duration::from_secs(10));
}
