//! The JUnit XML report (`--junit`): one `<testsuite name="shrike">` with one `<testcase>` per
//! operation (`classname="METHOD PATH"`, `name="operationId"`), and a `<failure>` per finding on it,
//! so CI systems list the operations and show the failing ones.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::{ReportFinding, ReportInput, body_excerpt, redact_query, seconds, write_atomic};
use crate::spec::OperationId;

/// Writes the JUnit report to `path` atomically.
pub fn write_report(path: &Path, input: &ReportInput) -> io::Result<()> {
    write_atomic(path, render(input).as_bytes())
}

/// One test case: an operation (or a finding's operation missing from the list) and its findings.
struct Case<'a> {
    classname: String,
    name: &'a OperationId,
    findings: Vec<&'a ReportFinding>,
}

fn cases(input: &ReportInput) -> Vec<Case<'_>> {
    let sorted = input.sorted_findings();
    let on = |id: &OperationId| -> Vec<&ReportFinding> {
        sorted
            .iter()
            .copied()
            .filter(|f| &f.finding.operation == id)
            .collect()
    };
    let mut cases: Vec<Case<'_>> = input
        .operations
        .iter()
        .map(|op| Case {
            classname: format!("{} {}", op.method, op.path),
            name: &op.id,
            findings: on(&op.id),
        })
        .collect();
    // Findings on operations the list does not name still get a (failed) test case.
    for f in &sorted {
        let id = &f.finding.operation;
        if input.operation(id).is_none() && !cases.iter().any(|c| c.name == id) {
            cases.push(Case {
                classname: "unknown operation".to_string(),
                name: id,
                findings: on(id),
            });
        }
    }
    cases
}

/// The report as an XML document.
pub fn render(input: &ReportInput) -> String {
    let cases = cases(input);
    let failed = cases.iter().filter(|c| !c.findings.is_empty()).count();
    let time = format!("{:.3}", seconds(input.duration));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!(
        "tests=\"{}\" failures=\"{failed}\" errors=\"0\"",
        cases.len()
    );
    let _ = writeln!(out, "<testsuites name=\"shrike\" {counts} time=\"{time}\">");
    let _ = writeln!(
        out,
        "  <testsuite name=\"shrike\" {counts} skipped=\"0\" time=\"{time}\">"
    );
    out.push_str("    <properties>\n");
    for (name, value) in [
        ("shrike.version", input.tool_version.clone()),
        ("spec", input.spec.to_string_lossy().into_owned()),
        ("target", input.target.clone()),
        ("seed", input.seed.to_string()),
        ("execs", input.execs.to_string()),
    ] {
        let _ = writeln!(
            out,
            "      <property name=\"{name}\" value=\"{}\"/>",
            escape(&value, true)
        );
    }
    out.push_str("    </properties>\n");
    for case in &cases {
        let open = format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            escape(&case.classname, true),
            escape(case.name.as_str(), true)
        );
        if case.findings.is_empty() {
            let _ = writeln!(out, "{open}/>");
            continue;
        }
        let _ = writeln!(out, "{open}>");
        for f in &case.findings {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&f.finding.detail, true),
                f.finding.kind.slug(),
                escape(&failure_text(f), false)
            );
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// The body of a `<failure>`: what a person needs to reproduce it.
fn failure_text(f: &ReportFinding) -> String {
    let mut text = format!("signature: {}\nhits: {}\n", f.finding.signature, f.hits);
    if let Some(req) = &f.request {
        let _ = writeln!(
            text,
            "request: {} {}",
            req.method,
            redact_query(&req.path_and_query)
        );
    }
    match &f.response {
        Some(resp) => {
            let ms = resp.latency.as_micros() as f64 / 1000.0;
            let _ = writeln!(text, "response: {} in {ms:.1} ms", resp.status);
            let (excerpt, cut) = body_excerpt(&resp.body);
            if !excerpt.is_empty() {
                let _ = writeln!(text, "{excerpt}{}", if cut { "\n[…]" } else { "" });
            }
        }
        None => text.push_str("response: none\n"),
    }
    if let Some(dir) = &f.case_dir {
        let _ = writeln!(text, "case: {}", dir.display());
    }
    text
}

/// Escapes text for XML 1.0 character data or (with `attribute`) a double-quoted attribute value.
/// Characters XML 1.0 cannot hold at all (most C0 controls, U+FFFE, U+FFFF) become U+FFFD.
pub fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::{Finding, FindingKind};
    use crate::report::ReportFinding;
    use crate::report::fixture;
    use crate::report::tests::assert_golden;

    #[test]
    fn matches_the_golden_file() {
        assert_golden("report.junit.xml", &render(&fixture::input()));
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a<b>&\"c'", true), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("a<b>&\"c'", false), "a&lt;b&gt;&amp;\"c'");
        assert_eq!(escape("l1\nl2\tx\r", true), "l1&#10;l2&#9;x&#13;");
        assert_eq!(escape("l1\nl2\tx\r", false), "l1\nl2\tx&#13;");
        assert_eq!(
            escape("nul\u{0}bell\u{7}\u{ffff}", false),
            "nul\u{fffd}bell\u{fffd}\u{fffd}"
        );
        assert_eq!(escape("ünïcødé ✓", true), "ünïcødé ✓");
    }

    #[test]
    fn a_finding_on_an_unlisted_operation_still_fails_a_case() {
        let mut input = fixture::input();
        let ghost = OperationId("ghost<op>".into());
        input.findings.push(ReportFinding {
            finding: Finding::new(FindingKind::TargetCrash, &ghost, None, 0, "it died"),
            hits: 2,
            request: None,
            response: None,
            case_dir: None,
        });
        let xml = render(&input);
        assert!(xml.contains("tests=\"5\" failures=\"4\""), "{xml}");
        assert!(
            xml.contains("<testcase classname=\"unknown operation\" name=\"ghost&lt;op&gt;\">")
        );
        assert!(xml.contains("<failure message=\"it died\" type=\"target-crash\">"));
    }

    /// Undoes [`escape`] for the entities it writes.
    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&#10;", "\n")
            .replace("&#13;", "\r")
            .replace("&#9;", "\t")
            .replace("&amp;", "&")
    }

    proptest::proptest! {
        #[test]
        fn escaping_is_safe_and_reversible(s in "\\PC*|[&<>\"'\n\r\t a-z]{0,30}", attribute: bool) {
            let e = escape(&s, attribute);
            proptest::prop_assert!(!e.contains('<') && !e.contains('>') && !e.contains('\r'));
            if attribute {
                proptest::prop_assert!(!e.contains('"') && !e.contains('\n'));
            }
            for (i, _) in e.match_indices('&') {
                let rest = &e[i..];
                proptest::prop_assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#10;", "&#13;", "&#9;"]
                        .iter()
                        .any(|ent| rest.starts_with(ent)),
                    "bare ampersand in {:?}", e
                );
            }
            let valid: String = s
                .chars()
                .map(|c| if (c as u32) < 0x20 && !"\t\n\r".contains(c) { '\u{fffd}' } else { c })
                .map(|c| if c == '\u{fffe}' || c == '\u{ffff}' { '\u{fffd}' } else { c })
                .collect();
            proptest::prop_assert_eq!(unescape(&e), valid);
        }
    }

    #[test]
    fn no_findings_no_failures() {
        let mut input = fixture::input();
        input.findings.clear();
        let xml = render(&input);
        assert!(xml.contains("tests=\"4\" failures=\"0\""));
        assert!(!xml.contains("<failure"));
    }
}
