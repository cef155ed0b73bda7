//! The attack dictionary: payloads by category, from the built-in list (`fuzzer/data/attack.txt`)
//! plus generated ones (very long strings, 5,000+-deep nested JSON built iteratively) and any
//! user file in the same format (see the header of `attack.txt`).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::GenerateError;

const BUILTIN: &str = include_str!("../../data/attack.txt");
/// Nesting depth of the generated deep JSON payloads.
pub const DEEP_NESTING: usize = 5_000;

/// What a payload is meant to provoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Sqli,
    Nosqli,
    Path,
    Command,
    Template,
    Format,
    Xss,
    Ssrf,
    Header,
    Xxe,
    Unicode,
    Long,
    Number,
    Structure,
    Custom,
}

impl Category {
    fn from_section(name: &str) -> Category {
        match name.trim().to_ascii_lowercase().as_str() {
            "sqli" => Category::Sqli,
            "nosqli" => Category::Nosqli,
            "path" => Category::Path,
            "command" => Category::Command,
            "template" => Category::Template,
            "format" => Category::Format,
            "xss" => Category::Xss,
            "ssrf" => Category::Ssrf,
            "header" => Category::Header,
            "xxe" => Category::Xxe,
            "unicode" => Category::Unicode,
            "long" => Category::Long,
            "number" => Category::Number,
            "structure" => Category::Structure,
            _ => Category::Custom,
        }
    }
}

/// One payload.
#[derive(Debug, PartialEq)]
pub struct Payload {
    pub category: Category,
    pub value: Value,
}

impl Clone for Payload {
    fn clone(&self) -> Self {
        Payload {
            category: self.category,
            value: clone_deep(&self.value),
        }
    }
}

/// Payloads, indexed by JSON type for quick choice.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    payloads: Vec<Payload>,
    strings: Vec<usize>,
    numbers: Vec<usize>,
    others: Vec<usize>,
}

impl Dictionary {
    /// The built-in payloads plus the generated long and deeply nested ones.
    pub fn builtin() -> Dictionary {
        let mut d = Dictionary::parse(BUILTIN)
            .expect("the built-in dictionary parses (checked by a unit test)");
        for n in [256, 4_096, 65_536] {
            d.push(Category::Long, Value::String("A".repeat(n)));
        }
        d.push(Category::Long, Value::String("\u{1f600}".repeat(5_000)));
        d.push(Category::Long, Value::String("%s".repeat(2_000)));
        d.push(Category::Long, Value::String("' OR '1'='1".repeat(500)));
        d.push(Category::Structure, deep_array(DEEP_NESTING));
        d.push(Category::Structure, deep_object(DEEP_NESTING));
        d
    }

    /// Payloads from a file in the dictionary format.
    pub fn from_file(path: &Path) -> Result<Dictionary, GenerateError> {
        let text = std::fs::read_to_string(path).map_err(|source| GenerateError::Io {
            path: path.to_owned(),
            source,
        })?;
        Dictionary::parse(&text).map_err(|(line, message)| GenerateError::Dictionary {
            path: path.to_owned(),
            line,
            message,
        })
    }

    /// Parses the dictionary format; errors carry the 1-based line number.
    pub fn parse(text: &str) -> Result<Dictionary, (usize, String)> {
        let mut d = Dictionary::default();
        let mut category = Category::Custom;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                category = Category::from_section(name);
                continue;
            }
            let value = match line.strip_prefix("json:") {
                Some(json) => serde_json::from_str(json.trim())
                    .map_err(|e| (i + 1, format!("bad JSON payload: {e}")))?,
                None => Value::String(unescape(line).map_err(|e| (i + 1, e))?),
            };
            d.push(category, value);
        }
        Ok(d)
    }

    /// Adds one payload.
    pub fn push(&mut self, category: Category, value: Value) {
        let idx = self.payloads.len();
        match &value {
            Value::String(_) => self.strings.push(idx),
            Value::Number(_) => self.numbers.push(idx),
            _ => self.others.push(idx),
        }
        self.payloads.push(Payload { category, value });
    }

    /// Adds all payloads of `other`.
    pub fn extend(&mut self, other: Dictionary) {
        for p in other.payloads {
            self.push(p.category, p.value);
        }
    }

    pub fn len(&self) -> usize {
        self.payloads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.payloads.is_empty()
    }

    pub fn payloads(&self) -> &[Payload] {
        &self.payloads
    }

    /// A random string payload.
    pub fn string<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Option<&Value> {
        self.pick(&self.strings, rng)
    }

    /// A random numeric payload.
    pub fn number<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Option<&Value> {
        self.pick(&self.numbers, rng)
    }

    /// A random payload that is neither string nor number (operators, nesting, literals).
    pub fn structured<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Option<&Value> {
        self.pick(&self.others, rng)
    }

    /// Any payload.
    pub fn any<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Option<&Value> {
        if self.payloads.is_empty() {
            return None;
        }
        Some(&self.payloads[rng.random_range(..self.payloads.len())].value)
    }

    /// A copy of a payload (iterative for the deeply nested ones, see [`clone_deep`]).
    pub fn take(value: &Value) -> Value {
        clone_deep(value)
    }

    fn pick<R: rand::Rng + ?Sized>(&self, idx: &[usize], rng: &mut R) -> Option<&Value> {
        if idx.is_empty() {
            return None;
        }
        Some(&self.payloads[idx[rng.random_range(..idx.len())]].value)
    }
}

/// `[[[...]]]`, `depth` levels deep, built without recursion.
pub fn deep_array(depth: usize) -> Value {
    let mut v = Value::Array(Vec::new());
    for _ in 0..depth {
        v = Value::Array(vec![v]);
    }
    v
}

/// `{"a":{"a":...}}`, `depth` levels deep, built without recursion.
pub fn deep_object(depth: usize) -> Value {
    let mut v = Value::Object(serde_json::Map::new());
    for _ in 0..depth {
        let mut m = serde_json::Map::new();
        m.insert("a".to_owned(), v);
        v = Value::Object(m);
    }
    v
}

/// A partly built container while cloning.
enum Frame<'a> {
    Array(std::slice::Iter<'a, Value>, Vec<Value>),
    Object(
        serde_json::map::Iter<'a>,
        serde_json::Map<String, Value>,
        Option<String>,
    ),
}

/// Clones a value without recursion, so 5,000-deep payloads do not exhaust the stack (the
/// derived `Clone` of `serde_json::Value` needs ~0.5 KiB of stack per level). Dropping and
/// serialising such values recurse too but need far less (about 0.1 KiB per level).
pub fn clone_deep(v: &Value) -> Value {
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut cur: &Value = v;
    loop {
        // Enter `cur`: a container pushes a frame, a scalar is finished at once.
        let mut finished = match cur {
            Value::Array(a) => {
                stack.push(Frame::Array(a.iter(), Vec::with_capacity(a.len())));
                None
            }
            Value::Object(m) => {
                stack.push(Frame::Object(m.iter(), serde_json::Map::new(), None));
                None
            }
            scalar => Some(scalar.clone()),
        };
        // Attach finished values to their parents, closing exhausted frames, until some frame
        // has another child to enter.
        loop {
            if let Some(value) = finished.take() {
                match stack.last_mut() {
                    None => return value,
                    Some(Frame::Array(_, out)) => out.push(value),
                    Some(Frame::Object(_, out, key)) => {
                        out.insert(key.take().unwrap_or_default(), value);
                    }
                }
            }
            let Some(top) = stack.last_mut() else {
                return Value::Null;
            };
            let child = match top {
                Frame::Array(it, _) => it.next(),
                Frame::Object(it, _, key) => it.next().map(|(k, v)| {
                    *key = Some(k.clone());
                    v
                }),
            };
            if let Some(c) = child {
                cur = c;
                break;
            }
            finished = match stack.pop() {
                Some(Frame::Array(_, out)) => Some(Value::Array(out)),
                Some(Frame::Object(_, out, _)) => Some(Value::Object(out)),
                None => return Value::Null,
            };
        }
    }
}

/// Decodes `\n \r \t \0 \\ \# \xHH \u{HEX}`; any other backslash is kept as it is.
fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('#') => out.push('#'),
            Some('x') => {
                chars.next();
                let hex: String = chars.by_ref().take(2).collect();
                let b =
                    u8::from_str_radix(&hex, 16).map_err(|_| format!("bad \\x escape {hex:?}"))?;
                out.push(char::from(b));
                continue;
            }
            Some('u') => {
                chars.next();
                if chars.next() != Some('{') {
                    return Err("\\u must be followed by {HEX}".into());
                }
                let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let code = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("bad \\u escape {hex:?}"))?;
                out.push(code);
                continue;
            }
            _ => {
                out.push('\\');
                continue;
            }
        }
        chars.next();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_is_broad() {
        let d = Dictionary::parse(BUILTIN).expect("parses");
        assert!(d.len() > 200, "only {} payloads", d.len());
        let d = Dictionary::builtin();
        for cat in [
            Category::Sqli,
            Category::Nosqli,
            Category::Path,
            Category::Command,
            Category::Template,
            Category::Format,
            Category::Unicode,
            Category::Long,
            Category::Number,
            Category::Structure,
        ] {
            assert!(
                d.payloads().iter().any(|p| p.category == cat),
                "{cat:?} empty"
            );
        }
        let has = |v: Value| d.payloads().iter().any(|p| p.value == v);
        assert!(has(Value::from("' OR '1'='1")));
        assert!(has(Value::from("' AND '1'='2")));
        assert!(has(serde_json::json!({"$ne": null})));
        assert!(has(Value::from("{{7*7}}")));
        assert!(has(Value::from("#{7*7}")));
        assert!(has(Value::from(i64::MIN)));
        assert!(has(Value::from(u64::MAX)));
    }

    #[test]
    fn escapes_decode() {
        assert_eq!(unescape(r"a\nb\tc\\d\#").expect("ok"), "a\nb\tc\\d#");
        assert_eq!(unescape(r"\u{1f600}\x41").expect("ok"), "\u{1f600}A");
        assert_eq!(unescape(r"C:\Windows").expect("ok"), r"C:\Windows");
        assert!(unescape(r"\u{d800}").is_err());
    }

    #[test]
    fn deep_clone_matches_clone() {
        let v = serde_json::json!({"a": [1, {"b": null, "c": [[], {}]}, "x"], "d": {"e": true}});
        assert_eq!(clone_deep(&v), v);
        assert_eq!(clone_deep(&Value::from(3)), Value::from(3));
        let deep = deep_object(DEEP_NESTING);
        assert!(clone_deep(&deep) == deep);
    }

    #[test]
    fn deep_payloads_are_deep() {
        let mut v = &deep_array(DEEP_NESTING);
        let mut depth = 0;
        while let Value::Array(a) = v {
            depth += 1;
            match a.first() {
                Some(inner) => v = inner,
                None => break,
            }
        }
        assert_eq!(depth, DEEP_NESTING + 1);
    }

    #[test]
    fn user_files_parse_with_line_numbers() {
        let dir = std::env::temp_dir().join(format!("shrike-dict-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp dir");
        let good = dir.join("good.txt");
        std::fs::write(&good, "[sqli]\n' OR 2>1 --\njson: {\"$gt\": 0}\n").expect("write");
        let d = Dictionary::from_file(&good).expect("parses");
        assert_eq!(d.len(), 2);
        assert_eq!(d.payloads()[0].category, Category::Sqli);
        let bad = dir.join("bad.txt");
        std::fs::write(&bad, "ok\njson: {nope\n").expect("write");
        match Dictionary::from_file(&bad) {
            Err(GenerateError::Dictionary { line, .. }) => assert_eq!(line, 2),
            other => panic!("unexpected {other:?}"),
        }
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
