//! The shared defs document: every `$ref`'d schema, converted once per view.
//!
//! A `$ref` met while converting becomes `{"$ref": "urn:shrike:defs#/$defs/<key>"}` and its target
//! is queued; [`Defs::drain`] converts the queue until it is empty. Each (file, pointer) gets one
//! key, or two (`Name.request` / `Name.response`) when `readOnly`/`writeOnly` make the request and
//! response views differ, directly or through anything it references. Recursion is therefore
//! finite: a cyclic schema is one def that refers to itself.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::docs::{DocId, Docs, RefError};
use super::error::SpecError;
use super::model::{DEFS_URI, Warning};
use crate::schema::{Access, Dialect, RefResolver, View, convert};

type Node = (DocId, String);

/// Builder of [`Model::defs`](super::Model::defs).
pub(crate) struct Defs<'d> {
    docs: &'d Docs,
    dialect: Dialect,
    keys: HashMap<(Node, View), String>,
    used: HashSet<String>,
    pending: Vec<(Node, View, String)>,
    /// (key, location for messages, converted schema).
    out: Vec<(String, String, Value)>,
    dependent: HashMap<Node, bool>,
    /// The first dangling reference met: the load fails with it.
    pub error: Option<SpecError>,
}

impl<'d> Defs<'d> {
    pub fn new(docs: &'d Docs, dialect: Dialect) -> Self {
        Defs {
            docs,
            dialect,
            keys: HashMap::new(),
            used: HashSet::new(),
            pending: Vec::new(),
            out: Vec::new(),
            dependent: HashMap::new(),
            error: None,
        }
    }

    /// Converts an inline schema found in `doc` at `pointer`.
    pub fn convert_inline(
        &mut self,
        doc: DocId,
        pointer: &str,
        schema: &Value,
        view: View,
        operation: Option<&str>,
        warnings: &mut Vec<Warning>,
    ) -> Value {
        let dialect = self.dialect;
        let mut scope = Scope {
            defs: self,
            doc,
            operation,
            warnings,
        };
        convert(schema, dialect, view, &mut scope, pointer)
    }

    /// Converts every queued def (which may queue more) until none is left.
    pub fn drain(&mut self, warnings: &mut Vec<Warning>) {
        while let Some(((doc, pointer), view, key)) = self.pending.pop() {
            let docs = self.docs;
            let Some(raw) = docs.doc(doc).root.pointer(&pointer) else {
                continue;
            };
            let converted = self.convert_inline(doc, &pointer, raw, view, None, warnings);
            self.out
                .push((key, docs.location(doc, &pointer), converted));
        }
        self.break_alias_cycles(warnings);
    }

    /// Defs that are nothing but a `$ref` to each other in a loop (`A: {$ref: B}`, `B: {$ref: A}`)
    /// describe no constraint and would send a validator round in circles: they become `true`.
    fn break_alias_cycles(&mut self, warnings: &mut Vec<Warning>) {
        let prefix = format!("{DEFS_URI}#/$defs/");
        let index: HashMap<&str, usize> = self
            .out
            .iter()
            .enumerate()
            .map(|(i, (key, _, _))| (key.as_str(), i))
            .collect();
        let alias_of = |value: &Value| -> Option<usize> {
            let map = value.as_object().filter(|m| m.len() == 1)?;
            let target = map.get("$ref")?.as_str()?.strip_prefix(prefix.as_str())?;
            index.get(target).copied()
        };
        let mut in_cycle = vec![false; self.out.len()];
        for start in 0..self.out.len() {
            let mut path = vec![start];
            let mut current = start;
            while let Some(next) = alias_of(&self.out[current].2) {
                if let Some(pos) = path.iter().position(|&p| p == next) {
                    for &member in &path[pos..] {
                        in_cycle[member] = true;
                    }
                    break;
                }
                if path.len() > self.out.len() {
                    break;
                }
                path.push(next);
                current = next;
            }
        }
        for (i, entry) in self.out.iter_mut().enumerate() {
            if in_cycle[i] {
                entry.2 = Value::Bool(true);
                warnings.push(Warning {
                    operation: None,
                    pointer: entry.1.clone(),
                    message:
                        "schema is only a `$ref` cycle (it constrains nothing); treated as `{}`"
                            .to_owned(),
                });
            }
        }
    }

    /// The finished defs document, keys sorted.
    pub fn finish(mut self) -> Value {
        self.out.sort_by(|a, b| a.0.cmp(&b.0));
        let defs: Map<String, Value> = self.out.into_iter().map(|(k, _, v)| (k, v)).collect();
        json!({ "$id": DEFS_URI, "$defs": defs })
    }

    /// The key of the def for `node` in `view`, queueing its conversion on first use.
    fn key_for(&mut self, node: Node, view: View) -> String {
        if let Some(key) = self.keys.get(&(node.clone(), view)) {
            return key.clone();
        }
        let dependent = self.view_dependent(&node);
        let mut base = self.base_name(&node);
        if dependent {
            base.push_str(match view {
                View::Request => ".request",
                View::Response => ".response",
            });
        }
        let mut key = base.clone();
        let mut n = 2;
        while !self.used.insert(key.clone()) {
            key = format!("{base}_{n}");
            n += 1;
        }
        if dependent {
            self.keys.insert((node.clone(), view), key.clone());
        } else {
            self.keys.insert((node.clone(), View::Request), key.clone());
            self.keys
                .insert((node.clone(), View::Response), key.clone());
        }
        self.pending.push((node, view, key.clone()));
        key
    }

    /// A readable key: the last pointer segment (prefixed by the file stem for other files),
    /// restricted to characters that need no escaping in a URI fragment or JSON pointer.
    fn base_name(&self, (doc, pointer): &Node) -> String {
        let last = pointer.rsplit('/').next().unwrap_or_default();
        let last = last.replace("~1", "/").replace("~0", "~");
        let mut name = sanitize(&last);
        if name.is_empty() {
            name = "schema".to_owned();
        }
        if *doc != 0 {
            let stem = self.docs.doc(*doc).path.file_stem();
            let stem = stem
                .map(|s| sanitize(&s.to_string_lossy()))
                .unwrap_or_default();
            name = format!("{stem}.{name}");
        }
        name
    }

    /// Whether converting `node` gives different request and response views: some `properties`
    /// member is `readOnly`/`writeOnly`, in it or in anything it references. Explores the part of
    /// the reference graph not seen before, then propagates over it (cycles included).
    fn view_dependent(&mut self, start: &Node) -> bool {
        if let Some(&d) = self.dependent.get(start) {
            return d;
        }
        let docs = self.docs;
        let mut nodes: Vec<Node> = vec![start.clone()];
        let mut index: HashMap<Node, usize> = HashMap::from([(start.clone(), 0)]);
        let mut dep: Vec<bool> = Vec::new();
        let mut preds: Vec<Vec<usize>> = vec![Vec::new()];
        let mut i = 0;
        while i < nodes.len() {
            let (doc, pointer) = nodes[i].clone();
            let mut refs = Vec::new();
            let mut flag = false;
            if let Some(value) = docs.doc(doc).root.pointer(&pointer) {
                scan(docs, doc, value, &mut refs, &mut flag);
            }
            for reference in refs {
                let Ok(target) = docs.resolve(doc, &reference) else {
                    continue;
                };
                let next: Node = (target.doc, target.pointer);
                if let Some(&known) = self.dependent.get(&next) {
                    flag |= known;
                    continue;
                }
                let j = *index.entry(next.clone()).or_insert_with(|| {
                    nodes.push(next);
                    preds.push(Vec::new());
                    nodes.len() - 1
                });
                preds[j].push(i);
            }
            dep.push(flag);
            i += 1;
        }
        let mut stack: Vec<usize> = (0..nodes.len()).filter(|&k| dep[k]).collect();
        while let Some(j) = stack.pop() {
            for &p in &preds[j] {
                if !dep[p] {
                    dep[p] = true;
                    stack.push(p);
                }
            }
        }
        for (k, node) in nodes.into_iter().enumerate() {
            self.dependent.insert(node, dep[k]);
        }
        dep[0]
    }
}

/// Keeps `[A-Za-z0-9_.-]`, replacing anything else by `_`.
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Keys whose values are data, not schemas: not scanned for references.
const DATA_KEYS: [&str; 5] = ["example", "examples", "default", "enum", "const"];

/// Collects the `$ref`s inside a schema and sets `flag` if a property is `readOnly`/`writeOnly`.
fn scan(docs: &Docs, doc: DocId, value: &Value, refs: &mut Vec<String>, flag: &mut bool) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                refs.push(r.clone());
            }
            if let Some(Value::Object(props)) = map.get("properties") {
                *flag |= props
                    .values()
                    .any(|p| access(docs, doc, p) != Access::Normal);
            }
            for (key, child) in map {
                if !DATA_KEYS.contains(&key.as_str()) && !key.starts_with("x-") {
                    scan(docs, doc, child, refs, flag);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                scan(docs, doc, item, refs, flag);
            }
        }
        _ => {}
    }
}

/// `readOnly`/`writeOnly` of a schema, looking through one `$ref`.
fn access(docs: &Docs, doc: DocId, schema: &Value) -> Access {
    let flags = |v: &Value| {
        if v.get("readOnly") == Some(&Value::Bool(true)) {
            Access::ReadOnly
        } else if v.get("writeOnly") == Some(&Value::Bool(true)) {
            Access::WriteOnly
        } else {
            Access::Normal
        }
    };
    let direct = flags(schema);
    if direct != Access::Normal {
        return direct;
    }
    let reference = schema.get("$ref").and_then(Value::as_str).or_else(|| {
        match schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => only.get("$ref").and_then(Value::as_str),
            _ => None,
        }
    });
    let Some(reference) = reference else {
        return Access::Normal;
    };
    docs.resolve(doc, reference)
        .map_or(Access::Normal, |t| flags(t.value))
}

/// The [`RefResolver`] for schemas of one document: references go to the defs document.
struct Scope<'a, 'd> {
    defs: &'a mut Defs<'d>,
    doc: DocId,
    operation: Option<&'a str>,
    warnings: &'a mut Vec<Warning>,
}

impl RefResolver for Scope<'_, '_> {
    fn reference(&mut self, reference: &str, view: View, at: &str) -> Value {
        let docs = self.defs.docs;
        match docs.resolve(self.doc, reference) {
            Ok(target) => {
                let node = (target.doc, target.pointer);
                let key = self.defs.key_for(node, view);
                json!({ "$ref": format!("{DEFS_URI}#/$defs/{key}") })
            }
            Err(RefError::Dangling(reason)) => {
                if self.defs.error.is_none() {
                    self.defs.error = Some(SpecError::DanglingRef {
                        file: docs.doc(self.doc).path.clone(),
                        pointer: at.to_owned(),
                        reference: reference.to_owned(),
                        reason,
                    });
                }
                Value::Bool(true)
            }
            Err(other) => {
                let why = match other {
                    RefError::Remote => "remote references are not fetched".to_owned(),
                    RefError::Unsupported(why) | RefError::Dangling(why) => why,
                };
                self.warn(
                    at,
                    format!("reference \"{reference}\" not resolved ({why}); treated as `{{}}`"),
                );
                Value::Bool(true)
            }
        }
    }

    fn mapping_reference(&mut self, reference: &str, view: View, at: &str) -> Option<Value> {
        match self.defs.docs.resolve(self.doc, reference) {
            Ok(target) => {
                let key = self.defs.key_for((target.doc, target.pointer), view);
                Some(json!({ "$ref": format!("{DEFS_URI}#/$defs/{key}") }))
            }
            Err(_) => {
                let message =
                    format!("discriminator mapping target \"{reference}\" not resolved; dropped");
                self.warn(at, message);
                None
            }
        }
    }

    fn access(&mut self, reference: &str) -> Access {
        access(self.defs.docs, self.doc, &json!({ "$ref": reference }))
    }

    fn warn(&mut self, at: &str, message: String) {
        self.warnings.push(Warning {
            operation: self.operation.map(str::to_owned),
            pointer: self.defs.docs.location(self.doc, at),
            message,
        });
    }
}
