//! A one-minute `shrike demo` with a fixed seed finds the demo's robustness bugs, each exactly
//! once; a run against the demo with its bugs removed (`--fixed`) finds nothing. Both runs are
//! shared with other test files (see [`crate::shared`]).

use shrike_e2e::{last_body, read_case};

use crate::shared::{seed_1_bugs, seed_1_fixed};

fn with_prefix<'a>(signatures: &'a [String], prefix: &str) -> Vec<&'a String> {
    signatures
        .iter()
        .filter(|s| s.starts_with(prefix))
        .collect()
}

#[test]
fn finds_each_robustness_bug_exactly_once() {
    let run = seed_1_bugs();
    let (out, stderr) = (&run.out, &run.stderr);
    assert_eq!(run.code, Some(1), "{stderr}");
    let sigs = run.signatures();
    let report = format!("{sigs:#?}\n{stderr}");

    // BUG-01 (shallow 500: limit=0) and BUG-08 (SQL injection: SQLite's error in the 500 body)
    // are two distinct findings on the same operation.
    let list_500: Vec<String> = with_prefix(&sigs, "server-error.listProducts.500.")
        .iter()
        .map(|s| last_body(&read_case(out, s)))
        .collect();
    assert_eq!(list_500.len(), 2, "{report}\n{list_500:#?}");
    assert_eq!(
        list_500
            .iter()
            .filter(|b| b.contains("divide by zero"))
            .count(),
        1,
        "{list_500:#?}"
    );
    assert_eq!(
        list_500
            .iter()
            .filter(|b| b.contains("database error"))
            .count(),
        1,
        "{list_500:#?}"
    );
    // BUG-02: the deep 500 whose stages show in the 422 messages.
    assert_eq!(
        with_prefix(&sigs, "server-error.validateCoupon.500.").len(),
        1,
        "{report}"
    );
    // BUG-06: a response that violates its schema.
    assert_eq!(
        with_prefix(&sigs, "schema-violation.getProduct.200.").len(),
        1,
        "{report}"
    );
    // BUG-07: an undocumented status code.
    assert_eq!(
        with_prefix(&sigs, "undocumented-status.listReviews.202.").len(),
        1,
        "{report}"
    );
    // BUG-14: the super-linear slow path.
    assert_eq!(
        with_prefix(&sigs, "slow-response.searchProducts.").len(),
        1,
        "{report}"
    );
    // BUG-15: the input that kills the server process.
    assert_eq!(
        with_prefix(&sigs, "target-crash.createAttachment.").len(),
        1,
        "{report}"
    );
}

#[test]
fn fixed_demo_gives_no_findings() {
    let run = seed_1_fixed();
    assert_eq!(run.signatures(), Vec::<String>::new(), "{}", run.stderr);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}
