//! Which operations a campaign may send: `--include` / `--exclude` selectors by operation id, path
//! pattern, method or tag. Some operations are destructive and must never be sent, so an exclude
//! always wins over an include, and a selector with a typo in its prefix is an error rather than a
//! silent no-op.
//!
//! An operation runs when (there are no includes OR it matches one) AND it matches no exclude.

use std::fmt;

use super::error::ConfigError;
use super::glob::Glob;
use crate::spec::{Method, Operation};

/// One `--include`/`--exclude` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// `id:GLOB`, or a bare value that is neither a path nor a method: the operation id.
    Id(Glob),
    /// `path:GLOB`, or a bare value starting with `/`: the path template as written in the spec
    /// (`/orders/{orderId}`); `*` also crosses `/`.
    Path(Glob),
    /// `method:GET`, or a bare HTTP method name (any case).
    Method(Method),
    /// `tag:NAME` (a glob too; a plain name matches exactly).
    Tag(Glob),
}

const METHODS: [Method; 8] = [
    Method::Get,
    Method::Put,
    Method::Post,
    Method::Delete,
    Method::Options,
    Method::Head,
    Method::Patch,
    Method::Trace,
];

fn parse_method(s: &str) -> Option<Method> {
    METHODS
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(s))
}

impl Selector {
    /// Parses `id:GLOB`, `path:GLOB`, `method:NAME`, `tag:NAME` or a bare value (see the variants).
    pub fn parse(input: &str) -> Result<Selector, ConfigError> {
        let err = |reason: &str| ConfigError::Selector {
            selector: input.to_string(),
            reason: reason.to_string(),
        };
        let s = input.trim();
        if s.is_empty() {
            return Err(err("it is empty"));
        }
        if let Some((prefix, value)) = s.split_once(':') {
            // Only a plain word before the colon is read as a prefix; `/a:b` is a path.
            if !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_alphabetic()) {
                let value = value.trim();
                if value.is_empty() {
                    return Err(err("nothing after the prefix"));
                }
                return match prefix.to_ascii_lowercase().as_str() {
                    "id" => Ok(Selector::Id(Glob::new(value))),
                    "path" => Ok(Selector::Path(Glob::new(value))),
                    "tag" => Ok(Selector::Tag(Glob::new(value))),
                    "method" => parse_method(value).map(Selector::Method).ok_or_else(|| {
                        err("not an HTTP method (GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE)")
                    }),
                    _ => Err(err(
                        "unknown prefix; use id:, path:, method: or tag: (write id:VALUE for an \
                         operation id that contains a colon)",
                    )),
                };
            }
        }
        if s.starts_with('/') {
            Ok(Selector::Path(Glob::new(s)))
        } else if let Some(m) = parse_method(s) {
            Ok(Selector::Method(m))
        } else {
            Ok(Selector::Id(Glob::new(s)))
        }
    }

    /// True when the operation matches this selector.
    pub fn matches(&self, op: &Operation) -> bool {
        match self {
            Selector::Id(g) => g.matches(op.id.as_str()),
            Selector::Path(g) => g.matches(&op.path),
            Selector::Method(m) => op.method == *m,
            Selector::Tag(g) => op.tags.iter().any(|t| g.matches(t)),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Id(g) => write!(f, "id:{g}"),
            Selector::Path(g) => write!(f, "path:{g}"),
            Selector::Method(m) => write!(f, "method:{m}"),
            Selector::Tag(g) => write!(f, "tag:{g}"),
        }
    }
}

impl std::str::FromStr for Selector {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}

/// The include and exclude selectors of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationFilter {
    pub include: Vec<Selector>,
    pub exclude: Vec<Selector>,
}

impl OperationFilter {
    /// Parses both lists of selector strings.
    pub fn parse<I, E>(include: I, exclude: E) -> Result<OperationFilter, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
        E: IntoIterator,
        E::Item: AsRef<str>,
    {
        let parse_all = |items: Vec<String>| -> Result<Vec<Selector>, ConfigError> {
            items.iter().map(|s| Selector::parse(s)).collect()
        };
        Ok(OperationFilter {
            include: parse_all(
                include
                    .into_iter()
                    .map(|s| s.as_ref().to_string())
                    .collect(),
            )?,
            exclude: parse_all(
                exclude
                    .into_iter()
                    .map(|s| s.as_ref().to_string())
                    .collect(),
            )?,
        })
    }

    /// True when no selector is set: every operation runs.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// True when `op` may be sent.
    pub fn allows(&self, op: &Operation) -> bool {
        let included = self.include.is_empty() || self.include.iter().any(|s| s.matches(op));
        included && !self.exclude.iter().any(|s| s.matches(op))
    }

    /// The indices of the operations that may be sent, in order.
    pub fn apply(&self, ops: &[Operation]) -> Vec<usize> {
        ops.iter()
            .enumerate()
            .filter(|(_, op)| self.allows(op))
            .map(|(i, _)| i)
            .collect()
    }

    /// Selectors that match none of `ops`: most likely typos, worth a warning.
    pub fn unmatched<'a>(&'a self, ops: &[Operation]) -> Vec<&'a Selector> {
        self.include
            .iter()
            .chain(&self.exclude)
            .filter(|s| !ops.iter().any(|op| s.matches(op)))
            .collect()
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
