//! The set of documents a spec spans, and `$ref` resolution between them.
//!
//! The main file is loaded first; every `$ref` naming another file (relative to the referring
//! file) is followed once, transitively, so the set is closed and immutable before any operation is
//! built. Remote (`http://…`) references are never fetched.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::error::SpecError;
use super::source::read_document;

/// Index of a document in [`Docs`]; the main file is `0`.
pub(crate) type DocId = usize;

/// One parsed file.
#[derive(Debug)]
pub(crate) struct Doc {
    pub path: PathBuf,
    pub root: Value,
}

/// Why a reference could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefError {
    /// The target file or pointer does not exist: the spec is broken.
    Dangling(String),
    /// A remote URL: Shrike does not fetch over the network.
    Remote,
    /// A form Shrike does not resolve (e.g. a plain-name anchor `#foo`).
    Unsupported(String),
}

/// A resolved reference: the document, the JSON pointer inside it and the value there.
#[derive(Debug, Clone)]
pub(crate) struct Target<'a> {
    pub doc: DocId,
    pub pointer: String,
    pub value: &'a Value,
}

#[derive(Debug)]
pub(crate) struct Docs {
    files: Vec<Doc>,
    /// Canonical path → document, to find the target of a file reference.
    by_path: HashMap<PathBuf, DocId>,
}

impl Docs {
    /// Loads `path` and every file it references, transitively.
    pub fn load(path: &Path) -> Result<Docs, SpecError> {
        let root = read_document(path)?;
        Self::from_root(path, root)
    }

    /// Builds the set from an already parsed main document (tests and in-memory specs).
    pub fn from_root(path: &Path, root: Value) -> Result<Docs, SpecError> {
        let mut docs = Docs {
            files: vec![Doc {
                path: path.to_path_buf(),
                root,
            }],
            by_path: HashMap::new(),
        };
        docs.by_path.insert(canonical(path), 0);
        let mut next = 0;
        while next < docs.files.len() {
            let mut wanted = Vec::new();
            collect_file_refs(&docs.files[next].root, &mut String::new(), &mut wanted);
            let base = docs.files[next].path.clone();
            for (_, reference) in wanted {
                let file = file_part(&reference);
                let target = canonical(&sibling(&base, file));
                if docs.by_path.contains_key(&target) {
                    continue;
                }
                if !target.is_file() {
                    // Reported where the reference is actually followed: `$ref`-looking keys
                    // inside example values are data and must not fail the load.
                    continue;
                }
                let root = read_document(&target)?;
                docs.by_path.insert(target.clone(), docs.files.len());
                docs.files.push(Doc { path: target, root });
            }
            next += 1;
        }
        Ok(docs)
    }

    pub fn root(&self) -> &Value {
        &self.files[0].root
    }

    pub fn doc(&self, id: DocId) -> &Doc {
        &self.files[id]
    }

    /// `pointer` for the main file, `file#pointer` for others: how warnings name a location.
    pub fn location(&self, doc: DocId, pointer: &str) -> String {
        if doc == 0 {
            pointer.to_owned()
        } else {
            format!("{}#{pointer}", self.files[doc].path.display())
        }
    }

    /// The document id of a file reference made from `from`.
    fn find_file(&self, from: DocId, file: &str) -> Option<DocId> {
        let target = canonical(&sibling(&self.files[from].path, file));
        self.by_path.get(&target).copied()
    }

    /// Resolves `reference` as written in document `from`.
    pub fn resolve(&self, from: DocId, reference: &str) -> Result<Target<'_>, RefError> {
        if reference.contains("://") || reference.starts_with("//") {
            return Err(RefError::Remote);
        }
        let (file, fragment) = match reference.split_once('#') {
            Some((f, frag)) => (f, frag),
            None => (reference, ""),
        };
        let doc = if file.is_empty() {
            from
        } else {
            self.find_file(from, file).ok_or_else(|| {
                let path = sibling(&self.files[from].path, file);
                RefError::Dangling(format!("the file {} does not exist", path.display()))
            })?
        };
        let decoded = percent_decode_str(fragment).decode_utf8_lossy();
        if !decoded.is_empty() && !decoded.starts_with('/') {
            return Err(RefError::Unsupported(format!(
                "plain-name fragment \"#{decoded}\" (only JSON pointers are resolved)"
            )));
        }
        let value = self.files[doc]
            .root
            .pointer(&decoded)
            .ok_or_else(|| RefError::Dangling(format!("nothing at \"{decoded}\"")))?;
        Ok(Target {
            doc,
            pointer: decoded.into_owned(),
            value,
        })
    }

    /// Follows `$ref` chains starting at `value` (found in `doc` at `pointer`) until a non-reference
    /// object; at most `MAX_HOPS` hops so reference cycles end.
    pub fn deref<'a>(
        &'a self,
        doc: DocId,
        pointer: &str,
        value: &'a Value,
    ) -> Result<(DocId, String, &'a Value), SpecError> {
        const MAX_HOPS: usize = 32;
        let (mut doc, mut pointer, mut value) = (doc, pointer.to_owned(), value);
        for _ in 0..MAX_HOPS {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Ok((doc, pointer, value));
            };
            let target = match self.resolve(doc, reference) {
                Ok(t) => t,
                Err(err) => return Err(self.ref_error(doc, &pointer, reference, err)),
            };
            doc = target.doc;
            value = target.value;
            pointer = target.pointer;
        }
        Err(SpecError::Invalid {
            file: self.files[doc].path.clone(),
            pointer,
            message: format!("more than {MAX_HOPS} chained `$ref`s (a reference cycle?)"),
        })
    }

    /// The user-facing error for a reference that could not be followed.
    pub fn ref_error(
        &self,
        doc: DocId,
        pointer: &str,
        reference: &str,
        err: RefError,
    ) -> SpecError {
        let reason = match err {
            RefError::Dangling(reason) => reason,
            RefError::Remote => "remote references are not fetched".to_owned(),
            RefError::Unsupported(reason) => reason,
        };
        SpecError::DanglingRef {
            file: self.files[doc].path.clone(),
            pointer: format!("{pointer}/$ref"),
            reference: reference.to_owned(),
            reason,
        }
    }
}

/// The file part of a reference (before `#`).
fn file_part(reference: &str) -> &str {
    reference.split_once('#').map_or(reference, |(f, _)| f)
}

/// `file` relative to the directory of `base`, percent-decoded.
fn sibling(base: &Path, file: &str) -> PathBuf {
    let decoded = percent_decode_str(file).decode_utf8_lossy();
    base.parent()
        .unwrap_or(Path::new("."))
        .join(decoded.as_ref())
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Collects `(pointer of the $ref, reference)` for every reference to another local file.
fn collect_file_refs(value: &Value, pointer: &mut String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let file = file_part(r);
                if !file.is_empty() && !r.contains("://") && !r.starts_with("//") {
                    out.push((pointer.clone(), r.clone()));
                }
            }
            for (key, child) in map {
                if child.is_object() || child.is_array() {
                    let len = pointer.len();
                    push_segment(pointer, key);
                    collect_file_refs(child, pointer, out);
                    pointer.truncate(len);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                if child.is_object() || child.is_array() {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    collect_file_refs(child, pointer, out);
                    pointer.truncate(len);
                }
            }
        }
        _ => {}
    }
}

/// Appends `/segment` to a JSON pointer, escaping `~` and `/`.
pub(crate) fn push_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_local_pointers_with_escapes() {
        let root = json!({"paths": {"/a/{id}": {"get": 1}}, "x": {"a b": 2}});
        let docs = Docs::from_root(Path::new("mem.json"), root).unwrap();
        let t = docs.resolve(0, "#/paths/~1a~1%7Bid%7D/get").unwrap();
        assert_eq!(t.value, &json!(1));
        assert_eq!(docs.resolve(0, "#/x/a%20b").unwrap().value, &json!(2));
    }

    #[test]
    fn classifies_unresolvable_references() {
        let docs = Docs::from_root(Path::new("mem.json"), json!({})).unwrap();
        assert!(matches!(
            docs.resolve(0, "#/nope"),
            Err(RefError::Dangling(_))
        ));
        assert_eq!(
            docs.resolve(0, "http://x/y.json").unwrap_err(),
            RefError::Remote
        );
        assert!(matches!(
            docs.resolve(0, "#anchor"),
            Err(RefError::Unsupported(_))
        ));
    }

    #[test]
    fn missing_external_file_is_dangling_when_followed() {
        let root = json!({"a": {"$ref": "does-not-exist.yaml#/X"}});
        let docs = Docs::from_root(Path::new("/tmp/none/mem.json"), root).unwrap();
        let err = docs.deref(0, "/a", &docs.root()["a"]).unwrap_err();
        assert_eq!(err.pointer(), "/a/$ref");
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert!(matches!(err, SpecError::DanglingRef { .. }));
    }

    #[test]
    fn deref_stops_on_cycles() {
        let root = json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}});
        let docs = Docs::from_root(Path::new("mem.json"), root).unwrap();
        let err = docs.deref(0, "/a", &docs.root()["a"]).unwrap_err();
        assert!(err.to_string().contains("cycle"), "{err}");
    }
}
