//! [`Throttled`]: wraps any [`Transport`] with a request-rate limit and backoff on 429 and 503.
//!
//! The rate limit is a token bucket (kept as a "theoretical arrival time", GCRA): with `burst` 1,
//! requests are spaced exactly `1 / rate` apart, and the calling thread sleeps only for what is
//! missing. A 429 or 503 response is returned to the caller as is (no hidden retry) but delays the
//! *next* request: by its `Retry-After` (seconds or HTTP date, capped), else by an exponential
//! backoff that doubles from 100 ms to 10 s and resets after any other response. Time comes from an
//! injected [`Clock`], so tests run instantly and deterministically; [`ThrottleStats`] counts the
//! time slept for the run summary.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::Transport;
use crate::http::{HttpRequest, HttpResponse, TransportError};

/// Where the throttle reads time and how it waits.
pub trait Clock {
    /// Monotonic time since an arbitrary origin.
    fn now(&self) -> Duration;
    /// Wall-clock time, to read `Retry-After` dates.
    fn wall(&self) -> SystemTime;
    /// Blocks the calling thread for `d`.
    fn sleep(&mut self, d: Duration);
}

/// The real clock: `Instant`, `SystemTime` and `thread::sleep`.
#[derive(Debug, Clone)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    pub fn new() -> Self {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// A clock that only moves when told to (or when slept on): for tests. Clones share the time, so a
/// test can keep one handle and give another to the throttle (and a fake transport can advance it
/// to simulate latency).
#[derive(Debug, Clone)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
    wall_origin: SystemTime,
}

impl ManualClock {
    /// Starts at monotonic zero, with the wall clock at `wall_origin`.
    pub fn new(wall_origin: SystemTime) -> Self {
        ManualClock {
            nanos: Arc::new(AtomicU64::new(0)),
            wall_origin,
        }
    }

    /// Moves time forward by `d`.
    pub fn advance(&self, d: Duration) {
        let n = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(n, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
    fn wall(&self) -> SystemTime {
        self.wall_origin + self.now()
    }
    fn sleep(&mut self, d: Duration) {
        self.advance(d);
    }
}

/// Rate limit and backoff settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleConfig {
    /// Requests per second; `None` (or a value that is not positive and finite): no limit.
    pub rate_limit: Option<f64>,
    /// How many requests may go back to back after an idle period (at least 1).
    pub burst: u32,
    /// First delay after a 429/503 without `Retry-After`.
    pub backoff_initial: Duration,
    /// The exponential backoff stops doubling here.
    pub backoff_max: Duration,
    /// A `Retry-After` longer than this is cut to it.
    pub retry_after_max: Duration,
}

/// The slowest accepted rate limit spaces requests this far apart at most.
pub const MAX_INTERVAL: Duration = Duration::from_secs(3600);

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            rate_limit: None,
            burst: 1,
            backoff_initial: Duration::from_millis(100),
            backoff_max: Duration::from_secs(10),
            retry_after_max: Duration::from_secs(30),
        }
    }
}

impl ThrottleConfig {
    /// The defaults with this rate limit.
    pub fn with_rate_limit(rate_limit: Option<f64>) -> Self {
        ThrottleConfig {
            rate_limit,
            ..ThrottleConfig::default()
        }
    }

    /// The spacing between requests, when limited.
    fn interval(&self) -> Option<Duration> {
        let rate = self.rate_limit.filter(|r| r.is_finite() && *r > 0.0)?;
        let interval = Duration::try_from_secs_f64(1.0 / rate).unwrap_or(MAX_INTERVAL);
        Some(interval.clamp(Duration::from_nanos(1), MAX_INTERVAL))
    }
}

/// What the throttle did, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThrottleStats {
    /// Total time the calling thread slept (rate limit and backoff).
    pub slept: Duration,
    /// Requests that had to wait for the rate limit.
    pub rate_waits: u64,
    /// 429/503 responses that set a backoff.
    pub backoffs: u64,
}

/// A transport with a rate limit and 429/503 backoff in front of it.
pub struct Throttled<T: Transport, C: Clock = SystemClock> {
    inner: T,
    clock: C,
    config: ThrottleConfig,
    interval: Option<Duration>,
    /// Theoretical arrival time of the next request under the rate limit.
    tat: Duration,
    /// No request before this time (set by a 429/503).
    not_before: Duration,
    /// The delay the next 429/503 without `Retry-After` imposes.
    next_backoff: Duration,
    stats: ThrottleStats,
}

impl<T: Transport> Throttled<T, SystemClock> {
    /// Wraps `inner` using the real clock.
    pub fn new(inner: T, config: ThrottleConfig) -> Self {
        Throttled::with_clock(inner, config, SystemClock::new())
    }
}

impl<T: Transport, C: Clock> Throttled<T, C> {
    /// Wraps `inner` using `clock` for time and sleeping.
    pub fn with_clock(inner: T, config: ThrottleConfig, clock: C) -> Self {
        let now = clock.now();
        Throttled {
            inner,
            interval: config.interval(),
            tat: now,
            not_before: now,
            next_backoff: config.backoff_initial,
            config,
            clock,
            stats: ThrottleStats::default(),
        }
    }

    pub fn stats(&self) -> ThrottleStats {
        self.stats
    }

    pub fn inner(&self) -> &T {
        &self.inner
    }

    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    pub fn into_inner(self) -> T {
        self.inner
    }

    fn sleep(&mut self, d: Duration) {
        if !d.is_zero() {
            self.clock.sleep(d);
            self.stats.slept += d;
        }
    }

    /// Waits out a backoff, then for a rate-limit token.
    fn wait_turn(&mut self) {
        let now = self.clock.now();
        if self.not_before > now {
            self.sleep(self.not_before - now);
        }
        let Some(interval) = self.interval else {
            return;
        };
        let now = self.clock.now();
        let tat = self.tat.max(now);
        let tolerance = interval.saturating_mul(self.config.burst.max(1) - 1);
        let earliest = tat.saturating_sub(tolerance);
        if earliest > now {
            self.stats.rate_waits += 1;
            self.sleep(earliest - now);
        }
        self.tat = tat.saturating_add(interval);
    }

    /// Sets or clears the backoff from a response.
    fn observe(&mut self, resp: &HttpResponse) {
        if resp.status != 429 && resp.status != 503 {
            self.next_backoff = self.config.backoff_initial;
            return;
        }
        let delay = match resp
            .header("retry-after")
            .and_then(|v| retry_after(v, self.clock.wall()))
        {
            Some(d) => d.min(self.config.retry_after_max),
            None => {
                let d = self.next_backoff;
                self.next_backoff = (d.saturating_mul(2)).min(self.config.backoff_max);
                d
            }
        };
        self.stats.backoffs += 1;
        self.not_before = self.clock.now().saturating_add(delay);
    }
}

impl<T: Transport, C: Clock> Transport for Throttled<T, C> {
    fn send(&mut self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.wait_turn();
        let result = self.inner.send(req);
        if let Ok(resp) = &result {
            self.observe(resp);
        }
        result
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    fn throttled(&self) -> Duration {
        self.stats().slept
    }
}

/// The delay a `Retry-After` value asks for: delay-seconds, or an HTTP date (a date in the past
/// means no delay). `None` when the value is neither.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Digits too many for u64 still mean "a long time".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = parse_http_date(value)?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Parses the three HTTP date forms of RFC 9110: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
/// RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`). The weekday
/// is not checked.
pub fn parse_http_date(value: &str) -> Option<SystemTime> {
    let cleaned: String = value
        .chars()
        .map(|c| if c == ',' || c == '-' { ' ' } else { c })
        .collect();
    let t: Vec<&str> = cleaned.split_whitespace().collect();
    let (day, month, year, time) = match t.as_slice() {
        [_, day, month, year, time, "GMT"] => {
            let year: u32 = year.parse().ok()?;
            let year = match (year, t[3].len()) {
                (y, 2) if y < 70 => 2000 + y,
                (y, 2) => 1900 + y,
                (y, 4) => y,
                _ => return None,
            };
            (*day, *month, year, *time)
        }
        [_, month, day, time, year] if year.len() == 4 => (*day, *month, year.parse().ok()?, *time),
        _ => return None,
    };
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let day: u32 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let hms: Vec<u32> = time
        .split(':')
        .map(|p| p.parse().ok().filter(|_| p.len() == 2))
        .collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    if *h > 23 || *m > 59 || *s > 60 || !(1970..=9999).contains(&year) {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    let secs = days * 86_400 + u64::from(h * 3600 + m * 60 + s);
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (year ≥ 1970).
fn days_since_epoch(year: u32, month: u32, day: u32) -> u64 {
    // Count years from March so the leap day is the last day of the counted year.
    let (y, m) = if month <= 2 {
        (u64::from(year) - 1, month + 9)
    } else {
        (u64::from(year), month - 3)
    };
    let era_days = y * 365 + y / 4 - y / 100 + y / 400;
    let day_of_year = u64::from((153 * m + 2) / 5 + day - 1);
    // 719_468 = days from 0000-03-01 to 1970-01-01 in this count.
    era_days + day_of_year - 719_468
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
