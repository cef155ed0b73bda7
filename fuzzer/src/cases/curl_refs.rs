//! Values `repro.sh` takes from earlier responses. A call whose parameter or body refers to an
//! earlier response (an id the create returned) must not replay the id of the original run: the
//! script reads the value from the response it just received, with `grep`/`sed` only, and splices
//! it where the recorded value stood in the later request. When the extraction finds nothing, the
//! recorded value is used.

use std::time::Duration;

use super::curl::shell_quote;
use super::format::CaseFile;
use crate::http::HttpResponse;
use crate::input::{Node, RefSource, resolve::resolve_ref};

/// One value a later call takes from an earlier response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// Shell variable holding the value.
    pub var: String,
    /// The call whose response holds it.
    pub from: usize,
    /// The call that uses it.
    pub into: usize,
    /// The value as the original run resolved it.
    pub value: String,
    source: RefSource,
}

impl Capture {
    /// The shell line that sets the variable from the saved response of call `from` (in file
    /// `"$DIR/r<from>"`, written by `curl -i`), falling back to the recorded value.
    pub fn shell_line(&self) -> Option<String> {
        let file = format!("\"$DIR/r{}\"", self.from);
        let extract = match &self.source {
            RefSource::Status => format!("head -n 1 {file} | cut -d ' ' -f 2"),
            RefSource::Header { name, last_segment } => {
                if !is_plain(name) {
                    return None;
                }
                let mut cmd = format!(
                    "grep -i '^{name}:' {file} | head -n 1 | sed 's/^[^:]*:[[:space:]]*//' | tr -d '\\r'"
                );
                if *last_segment {
                    cmd.push_str(" | sed 's/[?#].*//; s#/*$##; s#.*/##'");
                }
                cmd
            }
            RefSource::Body(pointer) => {
                let key = pointer.rsplit('/').next().filter(|k| is_plain(k))?;
                if key.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                let pattern = format!("\"{key}\"[[:space:]]*:[[:space:]]*\"\\{{0,1\\}}");
                format!("grep -o '{pattern}[^\",}}]*' {file} | head -n 1 | sed 's/^{pattern}//'")
            }
        };
        Some(format!(
            "{var}=$({extract}); {var}=\"${{{var}:-{fallback}}}\"",
            var = self.var,
            fallback = self.value.replace(['"', '\\', '$', '`', '}'], "")
        ))
    }
}

/// Names safe to put in a grep/sed pattern unquoted.
fn is_plain(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Every reference of the case's sequence whose value the original run resolved to a scalar.
pub fn captures(case: &CaseFile) -> Vec<Capture> {
    let calls = case.sequence.calls.len();
    let earlier: Vec<Option<HttpResponse>> = (0..calls)
        .map(|call| {
            let ex = case.exchanges.iter().find(|e| e.call == call)?;
            let r = ex.response.as_ref()?;
            Some(HttpResponse {
                status: r.status,
                headers: r.headers.clone(),
                body: r.body_excerpt.as_bytes().to_vec(),
                truncated: false,
                latency: Duration::ZERO,
            })
        })
        .collect();
    let mut out: Vec<Capture> = Vec::new();
    for (into, call) in case.sequence.calls.iter().enumerate() {
        for reference in call.nodes().flat_map(Node::refs) {
            let value = match resolve_ref(reference, &earlier[..into]) {
                Some(Node::Number(n)) => n,
                Some(Node::String(s)) => s,
                _ => continue,
            };
            let duplicate = out.iter().any(|c| {
                c.into == into && c.from == reference.call && c.source == reference.source
            });
            if value.is_empty() || duplicate {
                continue;
            }
            out.push(Capture {
                var: format!("V{}", out.len()),
                from: reference.call,
                into,
                value,
                source: reference.source.clone(),
            });
        }
    }
    out
}

/// `text` as one shell word: single-quoted literal pieces, with each recorded value that stands
/// as a whole token (between delimiters such as `/`, `=`, `:`, `,`, quotes or brackets) replaced
/// by its variable.
pub fn quote_with_vars(text: &str, captures: &[&Capture]) -> String {
    let mut word = String::new();
    let mut literal_start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    'scan: while i < text.len() {
        if i == 0 || is_delimiter(bytes[i - 1]) {
            for capture in captures {
                let value = capture.value.as_str();
                let end = i + value.len();
                if text[i..].starts_with(value)
                    && (end == text.len() || is_delimiter(bytes[end]))
                    && text.is_char_boundary(end)
                {
                    if literal_start < i {
                        word.push_str(&shell_quote(&text[literal_start..i]));
                    }
                    word.push_str(&format!("\"${{{}}}\"", capture.var));
                    i = end;
                    literal_start = end;
                    continue 'scan;
                }
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    if literal_start < text.len() || word.is_empty() {
        word.push_str(&shell_quote(&text[literal_start..]));
    }
    word
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'/' | b'?' | b'=' | b'&' | b':' | b',' | b'{' | b'}' | b'[' | b']' | b'"' | b' ' | b'#'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(value: &str, source: RefSource) -> Capture {
        Capture {
            var: "V0".into(),
            from: 0,
            into: 1,
            value: value.into(),
            source,
        }
    }

    #[test]
    fn splices_whole_tokens_only() {
        let c = capture("19", RefSource::Body("/id".into()));
        assert_eq!(
            quote_with_vars("/reviews/19", &[&c]),
            r#"'/reviews/'"${V0}""#
        );
        assert_eq!(
            quote_with_vars(r#"{"id":19,"n":190}"#, &[&c]),
            r#"'{"id":'"${V0}"',"n":190}'"#
        );
        assert_eq!(quote_with_vars("/x/119", &[&c]), "'/x/119'");
        assert_eq!(quote_with_vars("", &[&c]), "''");
    }

    #[test]
    fn extraction_lines_fall_back_to_the_recorded_value() {
        let body = capture("19", RefSource::Body("/data/id".into())).shell_line();
        let body = body.unwrap();
        assert!(body.contains(r#"grep -o '"id"[[:space:]]*"#), "{body}");
        assert!(body.ends_with(r#"V0="${V0:-19}""#), "{body}");
        let header = RefSource::Header {
            name: "Location".into(),
            last_segment: true,
        };
        let line = capture("7", header).shell_line().unwrap();
        assert!(line.contains("grep -i '^Location:'"), "{line}");
        assert!(
            capture("1", RefSource::Body("/0".into()))
                .shell_line()
                .is_none()
        );
        assert!(
            capture("1", RefSource::Body("/a b".into()))
                .shell_line()
                .is_none()
        );
    }
}
