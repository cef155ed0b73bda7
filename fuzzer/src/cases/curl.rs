//! `repro.sh` (plain curl commands, runnable as is) and `summary.txt` for a case.

use std::fmt::Write;

use super::curl_refs::{Capture, captures, quote_with_vars};
use super::format::{CaseFile, REDACTED};

/// Quotes a string for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A shell script replaying the case's requests with curl against `${SHRIKE_TARGET:-<target>}`.
/// Redacted credentials come from `SHRIKE_AUTH_<HEADER>` environment variables; values a call
/// took from an earlier response are read from that response again ([`super::curl_refs`]).
pub fn script(case: &CaseFile) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "#!/bin/sh");
    let _ = writeln!(out, "# Shrike case {}", case.signature);
    let _ = writeln!(out, "# {}: {}", case.kind, case.detail);
    let _ = writeln!(
        out,
        "# Replays the requests as they were sent (values from earlier responses included)."
    );
    let _ = writeln!(
        out,
        "# Override the target with SHRIKE_TARGET=http://host:port; the last response should show the finding."
    );
    let _ = writeln!(
        out,
        "TARGET=\"${{SHRIKE_TARGET:-{}}}\"",
        case.target.trim_end_matches('/')
    );
    let captures = captures(case);
    let usable: Vec<(&Capture, String)> = captures
        .iter()
        .filter_map(|c| c.shell_line().map(|line| (c, line)))
        .collect();
    if !usable.is_empty() {
        let _ = writeln!(out, "DIR=$(mktemp -d) || exit 1");
        let _ = writeln!(out, "trap 'rm -rf \"$DIR\"' EXIT");
    }
    let mut env_vars = Vec::new();
    for ex in &case.exchanges {
        let req = &ex.request;
        let _ = writeln!(out, "\n# call {}: {}", ex.call, ex.operation);
        let here: Vec<&Capture> = usable
            .iter()
            .filter(|(c, _)| c.into == ex.call)
            .map(|(c, line)| {
                let _ = writeln!(out, "{line}");
                *c
            })
            .collect();
        let mut cmd = format!(
            "curl -sS -i --max-time 30 -X {} \"$TARGET\"{}",
            shell_quote(&req.method),
            quote_with_vars(&req.path, &here)
        );
        for (name, value) in &req.headers {
            if value == REDACTED {
                // A call run as a named identity reads SHRIKE_AUTH_<IDENTITY>_<HEADER>, falling
                // back to SHRIKE_AUTH_<HEADER>: a case that mixes identities replays as each.
                let var = format!("SHRIKE_AUTH_{}", env_name(name));
                let identity = case
                    .sequence
                    .calls
                    .get(ex.call)
                    .and_then(|c| c.identity.as_deref());
                let expr = match identity {
                    Some(id) => {
                        let own = format!("SHRIKE_AUTH_{}_{}", env_name(id), env_name(name));
                        let expr = format!("${{{own}:-${var}}}");
                        if !env_vars.contains(&own) {
                            env_vars.push(own);
                        }
                        expr
                    }
                    None => format!("${{{var}}}"),
                };
                let _ = write!(cmd, " -H \"{name}: {expr}\"");
                if !env_vars.contains(&var) {
                    env_vars.push(var);
                }
            } else {
                let _ = write!(cmd, " -H {}", shell_quote(&format!("{name}: {value}")));
            }
        }
        if let Some(b64) = &req.body_base64 {
            // A binary body travels through base64 -d.
            cmd = format!(
                "printf '%s' {} | base64 -d | {cmd} --data-binary @-",
                shell_quote(b64)
            );
        } else if !req.body.is_empty() {
            let _ = write!(cmd, " --data-binary {}", quote_with_vars(&req.body, &here));
        }
        if usable.iter().any(|(c, _)| c.from == ex.call) {
            // A later call reads this response: keep it.
            let _ = writeln!(out, "{cmd} > \"$DIR/r{}\"", ex.call);
            let _ = writeln!(out, "cat \"$DIR/r{}\"", ex.call);
        } else {
            let _ = writeln!(out, "{cmd}");
        }
        let _ = writeln!(out, "echo");
    }
    if !env_vars.is_empty() {
        let note = format!(
            "# Credentials were redacted: set {} before running.\n",
            env_vars.join(", ")
        );
        if let Some(pos) = out.find("\nTARGET=") {
            out.insert_str(pos + 1, &note);
        }
    }
    out
}

fn env_name(header: &str) -> String {
    header
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The short, human-readable `summary.txt`.
pub fn summary(case: &CaseFile) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} on {}", case.kind, case.operation);
    let _ = writeln!(out, "{}", case.detail);
    let _ = writeln!(out, "signature: {}", case.signature);
    let _ = writeln!(
        out,
        "seen {} time(s); seed {}; target {}",
        case.hits, case.seed, case.target
    );
    let _ = writeln!(out, "calls: {}", case.exchanges.len());
    if let Some(last) = case.exchanges.last() {
        let _ = writeln!(
            out,
            "last request: {} {}",
            last.request.method, last.request.path
        );
        match &last.response {
            Some(r) => {
                let excerpt: String = r.body_excerpt.chars().take(300).collect();
                let _ = writeln!(
                    out,
                    "response: {} in {:.1} ms: {excerpt}",
                    r.status, r.latency_ms
                );
            }
            None => {
                let _ = writeln!(out, "response: none ({:?})", last.error);
            }
        }
    }
    let _ = writeln!(
        out,
        "reproduce: shrike repro <this folder>   or   sh repro.sh"
    );
    out
}
