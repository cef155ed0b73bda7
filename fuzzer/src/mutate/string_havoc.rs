//! [`StringHavocMutator`]: byte-level havoc on one string (or raw bytes) leaf — bit flips, random
//! and "interesting" byte insertions, deletions, chunk duplication, truncation.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::seq_mutator;
use super::sites::{collect, node_at_mut};
use crate::input::{Node, RequestSeq};

/// Strings never grow past this many bytes.
pub const MAX_STRING: usize = 4096;

/// Fragments that often change how a server parses a string.
const INTERESTING: &[&[u8]] = &[
    b"'",
    b"\"",
    b"\\",
    b"\0",
    b"%",
    b"%00",
    b"{",
    b"}",
    b"../",
    b"$",
    b"<",
    b">",
    b";",
    b"\r\n",
    b"\xff",
    b"\xc3\x28",
    b"\xe2\x80\xae",
    b"{{7*7}}",
    b"' OR '1'='1",
];

seq_mutator!(
    /// Byte-level havoc on a string or raw-bytes leaf; the result stays a string when it is valid
    /// UTF-8 and becomes raw bytes otherwise.
    StringHavocMutator
);

impl StringHavocMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        let sites = collect(&self.ctx, seq, &|n, _| {
            matches!(n, Node::String(_) | Node::Raw(_))
        });
        let Some((site, _)) = sites.choose(rng) else {
            return false;
        };
        let Some(node) = node_at_mut(seq, site) else {
            return false;
        };
        let mut bytes = match node {
            Node::String(s) => std::mem::take(s).into_bytes(),
            Node::Raw(b) => std::mem::take(b),
            _ => return false,
        };
        let rounds = rng.random_range(1..=4);
        for _ in 0..rounds {
            havoc_once(&mut bytes, rng);
        }
        bytes.truncate(MAX_STRING);
        *node = match String::from_utf8(bytes) {
            Ok(s) => Node::String(s),
            Err(e) => Node::Raw(e.into_bytes()),
        };
        true
    }
}

/// One random byte-level edit.
pub fn havoc_once<R: Rng + ?Sized>(bytes: &mut Vec<u8>, rng: &mut R) {
    let len = bytes.len();
    match rng.random_range(0..7) {
        0 if len > 0 => {
            let i = rng.random_range(0..len);
            bytes[i] ^= 1 << rng.random_range(0..8);
        }
        1 if len > 0 => {
            let i = rng.random_range(0..len);
            bytes.remove(i);
        }
        2 if len > 0 => {
            let start = rng.random_range(0..len);
            let end = rng.random_range(start..=len.min(start + 64));
            let chunk = bytes[start..end].to_vec();
            let at = rng.random_range(0..=len);
            bytes.splice(at..at, chunk);
        }
        3 if len > 0 => bytes.truncate(rng.random_range(0..len)),
        4 => {
            let at = rng.random_range(0..=len);
            bytes.insert(at, rng.random());
        }
        _ => {
            let frag = INTERESTING.choose(rng).copied().unwrap_or(b"'");
            let at = rng.random_range(0..=len);
            bytes.splice(at..at, frag.iter().copied());
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn havoc_stays_bounded_and_changes_things() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut bytes = b"hello".to_vec();
        let mut changed = 0;
        for _ in 0..2000 {
            let before = bytes.clone();
            havoc_once(&mut bytes, &mut rng);
            bytes.truncate(MAX_STRING);
            changed += usize::from(before != bytes);
        }
        assert!(bytes.len() <= MAX_STRING);
        assert!(changed > 1000);
    }
}
