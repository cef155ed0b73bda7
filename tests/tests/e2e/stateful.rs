//! Stateful sequences on the demo API (one minute, fixed seed): nearly every operation gets a
//! 2xx, the stateful 500 (BUG-04, create a review then update it) and the use after delete
//! (BUG-05, an attachment still served after its DELETE) are found; the demo without its bugs
//! gives no lifecycle finding.

use crate::shared::{DemoRun, seed_1_bugs, seed_1_fixed};

/// The `--json` report, case signatures and stderr of a shared demo run.
fn results(run: &DemoRun) -> (serde_json::Value, Vec<String>, &str) {
    (run.report(), run.signatures(), &run.stderr)
}

#[test]
fn reaches_nearly_every_operation_and_finds_the_stateful_bugs() {
    let (report, sigs, stderr) = results(seed_1_bugs());
    let coverage = &report["coverage"];
    let operations = coverage["operations"].as_u64().unwrap();
    let with_2xx = coverage["with_2xx"].as_u64().unwrap();
    assert_eq!(operations, 28, "{stderr}");
    // At least 95% of the operations answered 2xx at least once.
    assert!(
        with_2xx * 100 >= operations * 95,
        "{with_2xx}/{operations}\n{stderr}"
    );
    let series = coverage["series"].as_array().unwrap();
    assert_eq!(series.last().and_then(|p| p[1].as_u64()), Some(with_2xx));
    // BUG-04: the stateful 500; BUG-05: the use after delete.
    assert!(
        sigs.iter()
            .any(|s| s.starts_with("server-error.updateReview.500.")),
        "{sigs:#?}\n{stderr}"
    );
    assert!(
        sigs.iter()
            .any(|s| s.starts_with("use-after-delete.getAttachment.200.")),
        "{sigs:#?}\n{stderr}"
    );
}

#[test]
fn fixed_demo_gives_no_lifecycle_findings() {
    let (report, sigs, stderr) = results(seed_1_fixed());
    let lifecycle = [
        "use-after-delete",
        "create-not-readable",
        "update-not-read-back",
        "leak-after-failed-create",
    ];
    let found: Vec<&String> = sigs
        .iter()
        .filter(|s| lifecycle.iter().any(|k| s.starts_with(&format!("{k}."))))
        .collect();
    assert!(found.is_empty(), "{found:#?}\n{stderr}");
    // The run did exercise the lifecycles: creates, updates and deletes answered 2xx.
    let never: Vec<&str> = report["coverage"]["never_2xx"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["operation"].as_str())
        .collect();
    for op in [
        "createAttachment",
        "deleteAttachment",
        "updateReview",
        "cancelOrder",
    ] {
        assert!(!never.contains(&op), "{op} never got a 2xx\n{stderr}");
    }
}
