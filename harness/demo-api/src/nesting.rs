//! A recursive scanner that measures how deeply a JSON document nests, used to validate
//! attachment metadata before parsing. Without a depth limit (normal mode, BUG-15) each level
//! costs a stack frame, so a document nested a few thousand levels deep overflows the worker
//! thread's stack and aborts the whole process. Fixed mode passes a limit and gets an error.

/// Why the scan stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NestingError {
    #[error("JSON nests deeper than {0} levels")]
    TooDeep(usize),
    #[error("unbalanced brackets at byte {0}")]
    Unbalanced(usize),
}

/// Bytes of per-level scratch space (the breadcrumb of container kinds so far).
const CRUMBS: usize = 256;

/// Returns the maximum nesting depth of `bytes`, or an error past `limit` levels.
pub fn max_depth(bytes: &[u8], limit: Option<usize>) -> Result<usize, NestingError> {
    let mut position = 0;
    let mut deepest = 0;
    while position < bytes.len() {
        match bytes[position] {
            open @ (b'[' | b'{') => {
                let crumbs = [open; CRUMBS];
                let depth = scan(bytes, &mut position, 1, limit, &crumbs)?;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => return Err(NestingError::Unbalanced(position)),
            b'"' => position = skip_string(bytes, position),
            _ => position += 1,
        }
    }
    Ok(deepest)
}

/// Scans the container opening at `*position`; leaves `*position` after its closing bracket.
fn scan(
    bytes: &[u8],
    position: &mut usize,
    depth: usize,
    limit: Option<usize>,
    parent: &[u8; CRUMBS],
) -> Result<usize, NestingError> {
    if limit.is_some_and(|limit| depth > limit) {
        return Err(NestingError::TooDeep(depth - 1));
    }
    let mut crumbs = *parent;
    crumbs[depth % CRUMBS] = bytes[*position];
    let crumbs = std::hint::black_box(crumbs);
    let mut deepest = depth;
    *position += 1;
    while *position < bytes.len() {
        match bytes[*position] {
            b'[' | b'{' => {
                // BUG-15 (normal mode): unbounded recursion.
                let child = scan(bytes, position, depth + 1, limit, &crumbs)?;
                deepest = deepest.max(child);
            }
            b']' | b'}' => {
                *position += 1;
                return Ok(deepest);
            }
            b'"' => *position = skip_string(bytes, *position),
            _ => *position += 1,
        }
    }
    Err(NestingError::Unbalanced(*position))
}

/// Index just after the string starting at `start` (a `"`), honouring backslash escapes.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut position = start + 1;
    while position < bytes.len() {
        match bytes[position] {
            b'\\' => position += 2,
            b'"' => return position + 1,
            _ => position += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_depth_ignoring_brackets_in_strings() {
        assert_eq!(max_depth(b"{}", None), Ok(1));
        assert_eq!(max_depth(br#"{"a":[1,{"b":"]]"}]}"#, None), Ok(3));
        assert_eq!(max_depth(br#"{"a":"\"["}"#, None), Ok(1));
        assert_eq!(max_depth(b"42", None), Ok(0));
    }

    #[test]
    fn limit_and_balance_errors() {
        let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
        assert_eq!(
            max_depth(deep.as_bytes(), Some(32)),
            Err(NestingError::TooDeep(32))
        );
        assert_eq!(max_depth(deep.as_bytes(), Some(40)), Ok(40));
        assert!(matches!(
            max_depth(b"[[]", None),
            Err(NestingError::Unbalanced(_))
        ));
        assert!(matches!(
            max_depth(b"]", None),
            Err(NestingError::Unbalanced(0))
        ));
    }
}
