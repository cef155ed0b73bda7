//! What "far above an operation's usual latency" means: a per-operation latency histogram (log₂
//! buckets of microseconds) and the slow-response limit it gives.
//!
//! A fixed `--slow-ms` misses a slow path on a fast machine (a super-linear search that takes 0.9 s
//! where the operation usually answers in 1 ms), and a lower fixed limit would flag operations
//! that are slow by design (a login hashing a password). So once an operation has answered often
//! enough, its limit drops to [`FACTOR`] × its median latency, but never below a quarter of
//! `--slow-ms` (scheduling hiccups on a loaded machine stay well under that) and never above
//! `--slow-ms`. A slow response is still confirmed by a re-run against the same limit.

use std::time::Duration;

/// How many times its usual (median) latency an operation may take before it counts as slow.
pub const FACTOR: u32 = 32;
/// Responses an operation needs before its own median lowers its limit.
pub const MIN_SAMPLES: u32 = 64;
/// log₂ buckets of microseconds: bucket `b` holds latencies in `[2^b - 1, 2^(b+1) - 1)` µs.
const BUCKETS: usize = 32;

/// Latency histograms, one per operation index.
#[derive(Debug, Clone, Default)]
pub struct LatencyBaseline {
    ops: Vec<[u32; BUCKETS]>,
}

impl LatencyBaseline {
    /// Counts one response latency of operation `op`.
    pub fn note(&mut self, op: usize, latency: Duration) {
        if self.ops.len() <= op {
            self.ops.resize(op + 1, [0; BUCKETS]);
        }
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let bucket = (u64::BITS - micros.saturating_add(1).leading_zeros() - 1) as usize;
        let slot = &mut self.ops[op][bucket.min(BUCKETS - 1)];
        *slot = slot.saturating_add(1);
    }

    /// The operation's median latency (the upper edge of the median's bucket), once it has at
    /// least [`MIN_SAMPLES`] responses.
    pub fn usual(&self, op: usize) -> Option<Duration> {
        let histogram = self.ops.get(op)?;
        let total: u64 = histogram.iter().map(|&n| u64::from(n)).sum();
        if total < u64::from(MIN_SAMPLES) {
            return None;
        }
        let mut seen = 0;
        let bucket = histogram.iter().position(|&n| {
            seen += u64::from(n);
            seen * 2 >= total
        })?;
        Some(Duration::from_micros((1u64 << (bucket + 1)) - 1))
    }

    /// The slow-response limit of operation `op` under the absolute limit `slow`.
    pub fn limit(&self, op: usize, slow: Duration) -> Duration {
        match self.usual(op) {
            Some(usual) => (usual * FACTOR).clamp(slow / 4, slow),
            None => slow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLOW: Duration = Duration::from_millis(1000);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_fast_operation_gets_a_quarter_of_the_limit_once_it_has_samples() {
        let mut b = LatencyBaseline::default();
        for _ in 0..MIN_SAMPLES - 1 {
            b.note(2, ms(1));
        }
        assert_eq!(
            b.limit(2, SLOW),
            SLOW,
            "too few samples: the absolute limit"
        );
        b.note(2, ms(1));
        assert!(b.usual(2).unwrap() <= ms(3), "{:?}", b.usual(2));
        assert_eq!(b.limit(2, SLOW), SLOW / 4);
        assert_eq!(b.limit(0, SLOW), SLOW, "another operation keeps its own");
    }

    #[test]
    fn slow_by_design_operations_keep_the_absolute_limit() {
        let mut b = LatencyBaseline::default();
        for i in 0..200 {
            b.note(0, ms(120 + i % 20));
        }
        assert_eq!(b.limit(0, SLOW), SLOW);
        // In between, the limit is FACTOR times the median bucket's upper edge.
        let mut b = LatencyBaseline::default();
        for _ in 0..100 {
            b.note(1, Duration::from_micros(10_000));
        }
        let usual = b.usual(1).unwrap();
        assert!(usual >= ms(10) && usual < ms(20), "{usual:?}");
        assert_eq!(b.limit(1, SLOW), (usual * FACTOR).min(SLOW));
    }

    #[test]
    fn a_few_outliers_do_not_move_the_median() {
        let mut b = LatencyBaseline::default();
        for i in 0..300 {
            b.note(0, if i % 10 == 0 { ms(900) } else { ms(2) });
        }
        assert!(b.usual(0).unwrap() < ms(5));
        b.note(0, Duration::MAX);
        assert!(
            b.usual(0).is_some(),
            "a huge latency lands in the last bucket"
        );
    }
}
