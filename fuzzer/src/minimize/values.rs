//! The second minimization pass: simpler values. Structural edits first (drop an optional body,
//! parameter or object member, empty or halve an array, drop one item), then leaves (strings and
//! raw bytes to empty or half their length, numbers to 0, to the nearest schema boundary or a
//! fraction of themselves).
//!
//! Each edit has a key naming what it does by parameter and member names, not by position; an edit
//! that did not reproduce is not tried again, and after every kept edit the candidates are listed
//! afresh from the new sequence. So every edit costs at most one replay.

use std::collections::HashSet;

use serde_json::Value;

use super::Search;
use crate::input::{Node, RequestSeq};
use crate::mutate::SeqContext;
use crate::mutate::producers::required_properties;
use crate::mutate::sites::{Root, Site, collect, node_at, node_at_mut};

/// One candidate: a key for the edit and the sequence it gives.
type Candidate = (String, RequestSeq);

/// Simplifies values while the sequence still reproduces.
pub(crate) fn simplify(ctx: &SeqContext, search: &mut Search<'_>) {
    let mut failed: HashSet<String> = HashSet::new();
    'restart: loop {
        for (key, candidate) in candidates(ctx, &search.current) {
            if search.exhausted() {
                return;
            }
            if failed.contains(&key) {
                continue;
            }
            if search.try_candidate(candidate) {
                continue 'restart;
            }
            failed.insert(key);
        }
        return;
    }
}

/// Every edit of `seq`, most simplifying first.
fn candidates(ctx: &SeqContext, seq: &RequestSeq) -> Vec<Candidate> {
    let mut out = Vec::new();
    drop_optional(ctx, seq, &mut out);
    let sites = collect(ctx, seq, &|_, _| true);
    for (site, schema) in &sites {
        if let Some(Node::Object(members)) = node_at(seq, site) {
            let required = required_properties(&ctx.generator, schema);
            for (index, (name, _)) in members.iter().enumerate().rev() {
                if !required.contains(&name.as_str()) {
                    let key = format!("{}-.{name}", site_key(seq, site));
                    push_edit(&mut out, seq, site, key, |n| {
                        if let Node::Object(m) = n {
                            m.remove(index);
                        }
                    });
                }
            }
        }
    }
    for (site, _) in &sites {
        if let Some(Node::Array(items)) = node_at(seq, site) {
            array_edits(seq, site, items.len(), &mut out);
        }
    }
    for (site, schema) in &sites {
        let key = site_key(seq, site);
        let replacements = match node_at(seq, site) {
            Some(Node::String(s)) => shorter_strings(s),
            Some(Node::Raw(bytes)) => shorter_bytes(bytes),
            Some(Node::Number(text)) => simpler_numbers(text, schema),
            _ => Vec::new(),
        };
        for (tag, node) in replacements {
            push_edit(&mut out, seq, site, format!("{key}={tag}"), |n| *n = node);
        }
    }
    out
}

/// Drops bodies the operation does not require and parameters it does not require (or declare).
fn drop_optional(ctx: &SeqContext, seq: &RequestSeq, out: &mut Vec<Candidate>) {
    for (ci, call) in seq.calls.iter().enumerate() {
        let op = ctx.operation(&call.operation);
        let body_required = op
            .and_then(|o| o.request_body.as_ref())
            .is_some_and(|rb| rb.required);
        if call.body.is_some() && !body_required {
            let mut candidate = seq.clone();
            candidate.calls[ci].body = None;
            out.push((format!("c{ci}/body-"), candidate));
        }
        for (pi, p) in call.params.iter().enumerate().rev() {
            let required = op.is_some_and(|o| {
                o.parameters
                    .iter()
                    .any(|d| d.required && d.name == p.name && d.location == p.location)
            });
            if !required {
                let mut candidate = seq.clone();
                candidate.calls[ci].params.remove(pi);
                out.push((format!("c{ci}/p:{}@{:?}-", p.name, p.location), candidate));
            }
        }
    }
}

/// Empty, half, then without one item (last first).
fn array_edits(seq: &RequestSeq, site: &Site, len: usize, out: &mut Vec<Candidate>) {
    if len == 0 {
        return;
    }
    let key = site_key(seq, site);
    push_edit(out, seq, site, format!("{key}[..0]"), |n| {
        if let Node::Array(items) = n {
            items.clear();
        }
    });
    if len >= 2 {
        push_edit(out, seq, site, format!("{key}[..{}]", len / 2), |n| {
            if let Node::Array(items) = n {
                items.truncate(len / 2);
            }
        });
    }
    for index in (0..len).rev() {
        push_edit(out, seq, site, format!("{key}-[{index}]#{len}"), |n| {
            if let Node::Array(items) = n {
                items.remove(index);
            }
        });
    }
}

/// The empty string, then the first half.
fn shorter_strings(s: &str) -> Vec<(String, Node)> {
    let chars = s.chars().count();
    let mut out = Vec::new();
    if chars > 0 {
        out.push(("s:0".to_owned(), Node::String(String::new())));
    }
    if chars >= 2 {
        let half: String = s.chars().take(chars / 2).collect();
        out.push((format!("s:{}", chars / 2), Node::String(half)));
    }
    out
}

fn shorter_bytes(bytes: &[u8]) -> Vec<(String, Node)> {
    let mut out = Vec::new();
    if !bytes.is_empty() {
        out.push(("r:0".to_owned(), Node::Raw(Vec::new())));
    }
    if bytes.len() >= 2 {
        out.push((
            format!("r:{}", bytes.len() / 2),
            Node::Raw(bytes[..bytes.len() / 2].to_vec()),
        ));
    }
    out
}

/// 0, the schema's bounds and their neighbours (closest to 0 first), then 1/2, 3/4 and 7/8 of
/// the value: each strictly closer to 0 than `text`.
fn simpler_numbers(text: &str, schema: &Value) -> Vec<(String, Node)> {
    let mut values: Vec<String> = vec!["0".to_owned()];
    if let Ok(n) = text.parse::<i128>() {
        let mut bounds: Vec<i128> = bounds(schema)
            .into_iter()
            .filter(|b| b.fract() == 0.0 && b.abs() < 1e30)
            .flat_map(|b| {
                let b = b as i128;
                [b, b - 1, b + 1]
            })
            .collect();
        bounds.sort_by_key(|b| (b.unsigned_abs(), *b));
        values.extend(bounds.iter().map(i128::to_string));
        values.extend([n / 2, n / 4 * 3, n / 8 * 7].iter().map(i128::to_string));
        values.retain(|v| v.parse::<i128>().is_ok_and(|c| c.abs() < n.abs()));
    } else if let Ok(x) = text.parse::<f64>() {
        let mut bounds = bounds(schema);
        bounds.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
        values.extend(bounds.iter().map(|b| format_float(*b)));
        if x.is_finite() {
            values.push(format_float(x.trunc()));
            values.push(format_float(x / 2.0));
        }
        values.retain(|v| {
            v.parse::<f64>()
                .is_ok_and(|c| c.abs() < x.abs() || !x.is_finite())
        });
    }
    let mut seen = HashSet::new();
    values
        .into_iter()
        .filter(|v| v != text && seen.insert(v.clone()))
        .map(|v| (format!("n:{v}"), Node::Number(v)))
        .collect()
}

/// The numeric bounds a (resolved) schema declares.
fn bounds(schema: &Value) -> Vec<f64> {
    ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_f64))
        .collect()
}

/// A float as JSON number text (`3` rather than `3.0` for whole numbers).
fn format_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Adds the candidate `seq` with `edit` applied to the node at `site`.
fn push_edit(
    out: &mut Vec<Candidate>,
    seq: &RequestSeq,
    site: &Site,
    key: String,
    edit: impl FnOnce(&mut Node),
) {
    let mut candidate = seq.clone();
    if let Some(node) = node_at_mut(&mut candidate, site) {
        edit(node);
        out.push((key, candidate));
    }
}

/// A name for a site built from parameter and member names (stable when siblings are dropped).
fn site_key(seq: &RequestSeq, site: &Site) -> String {
    let mut key = format!("c{}", site.call);
    let Some(call) = seq.calls.get(site.call) else {
        return key;
    };
    let mut node = match site.root {
        Root::Param(i) => call.params.get(i).map(|p| {
            key.push_str(&format!("/p:{}@{:?}", p.name, p.location));
            p.value.as_ref()
        }),
        Root::Body => {
            key.push_str("/body");
            Some(call.body.as_ref().map(|b| &b.value))
        }
    }
    .flatten();
    for &index in &site.path {
        node = match node {
            Some(Node::Object(members)) => members.get(index).map(|(name, value)| {
                key.push('.');
                key.push_str(name);
                value
            }),
            Some(Node::Array(items)) => items.get(index).inspect(|_| {
                key.push_str(&format!("[{index}]"));
            }),
            _ => None,
        };
    }
    key
}
