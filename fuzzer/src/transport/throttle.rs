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
mod tests {
    use super::*;
    use crate::transport::FakeTransport;

    fn req() -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            path_and_query: "/".into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn wall() -> SystemTime {
        // 2026-01-01T00:00:00Z
        UNIX_EPOCH + Duration::from_secs(1_767_225_600)
    }

    /// A throttle over a fake target answering `statuses[i]` (with optional Retry-After) to
    /// request `i`, taking `latency` of manual time per request.
    fn rig(
        config: ThrottleConfig,
        script: Vec<(u16, Option<&'static str>)>,
        latency: Duration,
    ) -> (Throttled<FakeTransport, ManualClock>, ManualClock) {
        let clock = ManualClock::new(wall());
        let handle = clock.clone();
        let mut i = 0;
        let fake = FakeTransport::new(move |_| {
            handle.advance(latency);
            let (status, retry) = script.get(i).copied().unwrap_or((200, None));
            i += 1;
            let mut resp = FakeTransport::response(status, "{}");
            if let Some(r) = retry {
                resp.headers.push(("Retry-After".into(), r.into()));
            }
            Ok(resp)
        });
        (Throttled::with_clock(fake, config, clock.clone()), clock)
    }

    /// Sends once and returns (status, time slept before it).
    fn step(t: &mut Throttled<FakeTransport, ManualClock>) -> (u16, Duration) {
        let before = t.stats().slept;
        let status = t.send(&req()).expect("fake answers").status;
        (status, t.stats().slept - before)
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn no_limit_never_sleeps() {
        let (mut t, clock) = rig(ThrottleConfig::default(), vec![], Duration::ZERO);
        for _ in 0..100 {
            assert_eq!(step(&mut t), (200, Duration::ZERO));
        }
        assert_eq!(clock.now(), Duration::ZERO);
        assert_eq!(t.stats(), ThrottleStats::default());
    }

    #[test]
    fn rate_limit_spaces_requests_exactly() {
        let (mut t, clock) = rig(
            ThrottleConfig::with_rate_limit(Some(10.0)),
            vec![],
            Duration::ZERO,
        );
        let slept: Vec<Duration> = (0..5).map(|_| step(&mut t).1).collect();
        assert_eq!(slept, [ms(0), ms(100), ms(100), ms(100), ms(100)]);
        assert_eq!(clock.now(), ms(400));
        assert_eq!(t.stats().rate_waits, 4);
    }

    #[test]
    fn rate_limit_sleeps_only_what_is_missing() {
        // 30 ms of latency per request: each later request waits the remaining 70 ms.
        let (mut t, _) = rig(ThrottleConfig::with_rate_limit(Some(10.0)), vec![], ms(30));
        let slept: Vec<Duration> = (0..4).map(|_| step(&mut t).1).collect();
        assert_eq!(slept, [ms(0), ms(70), ms(70), ms(70)]);
        // Slower than the limit: no waiting at all.
        let (mut t, _) = rig(ThrottleConfig::with_rate_limit(Some(10.0)), vec![], ms(150));
        assert!((0..4).all(|_| step(&mut t).1.is_zero()));
        // An idle period does not bank more than the burst.
        let (mut t, clock) = rig(ThrottleConfig::with_rate_limit(Some(10.0)), vec![], ms(0));
        step(&mut t);
        clock.advance(Duration::from_secs(5));
        assert_eq!(step(&mut t).1, ms(0));
        assert_eq!(step(&mut t).1, ms(100));
    }

    #[test]
    fn burst_allows_back_to_back_requests() {
        let config = ThrottleConfig {
            burst: 3,
            ..ThrottleConfig::with_rate_limit(Some(1.0))
        };
        let (mut t, _) = rig(config, vec![], Duration::ZERO);
        let slept: Vec<Duration> = (0..5).map(|_| step(&mut t).1).collect();
        assert_eq!(slept, [ms(0), ms(0), ms(0), ms(1000), ms(1000)]);
    }

    #[test]
    fn exponential_backoff_doubles_caps_and_resets() {
        let mut script = vec![(429, None); 9];
        script.push((200, None));
        script.push((503, None));
        let (mut t, _) = rig(ThrottleConfig::default(), script, Duration::ZERO);
        let got: Vec<(u16, Duration)> = (0..12).map(|_| step(&mut t)).collect();
        let want = [
            (429, 0),
            (429, 100),
            (429, 200),
            (429, 400),
            (429, 800),
            (429, 1600),
            (429, 3200),
            (429, 6400),
            (429, 10_000),
            (200, 10_000),
            (503, 0),
            (200, 100),
        ];
        let want: Vec<(u16, Duration)> = want.iter().map(|&(s, d)| (s, ms(d))).collect();
        assert_eq!(got, want);
        // The 429s went to the caller one by one: no hidden retries.
        assert_eq!(t.inner().sent.len(), 12);
        assert_eq!(t.stats().backoffs, 10);
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let script = vec![
            (429, Some("2")),
            (503, Some("120")),
            (429, Some("Thu, 01 Jan 2026 00:00:40 GMT")),
            (429, Some("Wed, 31 Dec 2025 23:00:00 GMT")),
            (429, Some("soon")),
            (500, None),
        ];
        let (mut t, clock) = rig(ThrottleConfig::default(), script, Duration::ZERO);
        let slept: Vec<Duration> = (0..7).map(|_| step(&mut t).1).collect();
        // 2 s; 120 s capped to 30 s; a date 8 s after the wall clock (now at 32 s); a past date: 0;
        // garbage: exponential from 100 ms; a 500 sets no backoff.
        assert_eq!(
            slept,
            [ms(0), ms(2000), ms(30_000), ms(8000), ms(0), ms(100), ms(0)]
        );
        assert_eq!(clock.now(), ms(40_100));
        assert_eq!(t.stats().slept, ms(40_100));
    }

    #[test]
    fn backoff_and_rate_limit_do_not_add_up() {
        // After a 1 s backoff the rate-limit token (100 ms) is long available.
        let (mut t, _) = rig(
            ThrottleConfig::with_rate_limit(Some(10.0)),
            vec![(429, Some("1"))],
            Duration::ZERO,
        );
        assert_eq!(step(&mut t).1, ms(0));
        assert_eq!(step(&mut t).1, ms(1000));
        assert_eq!(step(&mut t).1, ms(100));
    }

    #[test]
    fn transport_errors_pass_through_untouched() {
        let clock = ManualClock::new(wall());
        let fake = FakeTransport::new(|_| Err(TransportError::Timeout));
        let mut t = Throttled::with_clock(fake, ThrottleConfig::default(), clock);
        assert_eq!(t.send(&req()), Err(TransportError::Timeout));
        assert_eq!(t.send(&req()), Err(TransportError::Timeout));
        assert_eq!(t.stats(), ThrottleStats::default());
    }

    #[test]
    fn the_system_clock_really_waits() {
        let fake = FakeTransport::new(|_| Ok(FakeTransport::response(200, "{}")));
        let mut t = Throttled::new(fake, ThrottleConfig::with_rate_limit(Some(200.0)));
        let start = Instant::now();
        for _ in 0..5 {
            t.send(&req()).expect("fake answers");
        }
        // Four gaps of 5 ms; only a lower bound, so a busy machine cannot make this flaky.
        assert!(start.elapsed() >= ms(20), "{:?}", start.elapsed());
        assert!(t.stats().slept >= ms(15));
    }

    #[test]
    fn extreme_rates_stay_bounded() {
        assert_eq!(
            ThrottleConfig::with_rate_limit(Some(1e-30)).interval(),
            Some(MAX_INTERVAL)
        );
        assert_eq!(
            ThrottleConfig::with_rate_limit(Some(1e12)).interval(),
            Some(Duration::from_nanos(1))
        );
        assert_eq!(ThrottleConfig::with_rate_limit(Some(0.0)).interval(), None);
        assert_eq!(
            ThrottleConfig::with_rate_limit(Some(f64::NAN)).interval(),
            None
        );
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        let want = UNIX_EPOCH + Duration::from_secs(784_111_777); // 1994-11-06T08:49:37Z
        for text in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_http_date(text), Some(want), "{text}");
        }
        assert_eq!(
            parse_http_date("Thu, 29 Feb 2024 23:59:60 GMT"),
            Some(UNIX_EPOCH + Duration::from_secs(1_709_251_200))
        );
        assert_eq!(
            parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(UNIX_EPOCH)
        );
        for bad in [
            "",
            "yesterday",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sun, 06 Nov 194 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn date_parsing_never_panics(s in "\\PC{0,40}|[A-Za-z]{3}, [0-9]{1,2} [A-Za-z]{3} [0-9]{2,4} [0-9:]{5,9} GMT") {
            let _ = parse_http_date(&s);
            let _ = retry_after(&s, wall());
        }
    }

    #[test]
    fn retry_after_values() {
        let now = wall();
        assert_eq!(retry_after(" 3 ", now), Some(ms(3000)));
        assert_eq!(retry_after("0", now), Some(ms(0)));
        assert_eq!(
            retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(
            retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now),
            Some(ms(60_000))
        );
        assert_eq!(retry_after("-1", now), None);
        assert_eq!(retry_after("1.5", now), None);
    }
}
