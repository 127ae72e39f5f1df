//! Fetching feeds over HTTP: bounded, polite and conditional.
//!
//! One `reqwest` client (rustls with the ring provider) serves every feed: connect and total
//! timeouts, a cap on the body, a few redirects at most, compressed transfer, a real
//! User-Agent, and conditional GET with the validators the store kept, so an unchanged feed
//! costs a 304. Transient failures (timeouts, refused connections, 5xx, 429) are retried with
//! doubling back-off, or after the server's `Retry-After` when it asks for longer; a 404 is
//! not. Whatever goes wrong is one `FetchError` for one feed.
//!
//! Time is bounded at three levels: each attempt ([`FetchConfig::timeout`]), each feed's
//! attempts and waits together ([`FetchConfig::feed_budget`]), and the whole run
//! ([`FetchConfig::run_budget`], enforced by ingest). A feed that keeps failing is tried less
//! often ([`FetchConfig::next_attempt`]); skipping it is ingest's to do.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};

use super::http::{self, ReadError, Retries, Transient};
use super::store::FeedState;

#[derive(Clone, Debug)]
pub struct FetchConfig {
    /// Feeds fetched at the same time.
    pub concurrency: usize,
    pub connect_timeout: Duration,
    /// For one attempt, body included.
    pub timeout: Duration,
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    /// Extra attempts after a transient failure, as far as [`FetchConfig::feed_budget`] allows.
    pub retries: u32,
    /// The wait before the first retry; each further retry waits twice as long.
    pub backoff: Duration,
    /// The most one feed takes, every attempt and wait included: a retry is made only when
    /// at least a connect timeout of it is left after the wait.
    pub feed_budget: Duration,
    /// The most a run over the feeds takes: feeds still fetching then fail, and feeds not
    /// started yet wait for the next run.
    pub run_budget: Duration,
    /// How long a feed waits after a failure before it is tried again: this much after one
    /// failure, twice as long after each further one in a row, at most
    /// [`FetchConfig::failing_wait_max`]. Zero tries every feed on every run.
    pub failing_wait: Duration,
    pub failing_wait_max: Duration,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            // Feeds are on different hosts nearly all, so this many at once burdens none of
            // them; it lets every stalled feed of a bad day wait out its budget side by side
            // rather than in turns.
            concurrency: 32,
            connect_timeout: Duration::from_secs(10),
            // A 5 MiB feed at 3 Mbit/s; a server slower than that gets one more chance.
            timeout: Duration::from_secs(15),
            max_body_bytes: 5 * 1024 * 1024,
            max_redirects: 5,
            retries: 2,
            backoff: Duration::from_millis(750),
            feed_budget: Duration::from_secs(20),
            // `newsglobe fetch` over the whole catalog ends within about 35 s, whatever stalls.
            run_budget: Duration::from_secs(30),
            // The app's refresh interval: a feed that failed once misses no refresh, one
            // failing for good costs a request a day.
            failing_wait: Duration::from_secs(15 * 60),
            failing_wait_max: Duration::from_secs(24 * 60 * 60),
        }
    }
}

impl FetchConfig {
    /// When a failing feed is next due (Unix seconds); `None` for a feed not failing, which
    /// is always due.
    ///
    /// `latest_success` is the last time any feed was fetched. A failure while nothing else
    /// worked either (no success within a run's time of it) says the network was down, not
    /// the feed: such a feed is due at once, so a machine back online fetches everything.
    pub fn next_attempt(&self, state: &FeedState, latest_success: Option<i64>) -> Option<i64> {
        let last_attempt = state.last_attempt?;
        if state.consecutive_failures == 0 {
            return None;
        }
        let run = self.run_budget.as_secs() as i64;
        if latest_success.is_none_or(|success| success < last_attempt - run) {
            return Some(last_attempt);
        }
        let doublings = state.consecutive_failures - 1;
        let wait = self
            .failing_wait
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.failing_wait_max);
        Some(last_attempt.saturating_add(wait.as_secs() as i64))
    }
}

/// What identifies us to the outlets' servers; some refuse clients that send none.
pub const USER_AGENT: &str = concat!(
    "newsglobe/",
    env!("CARGO_PKG_VERSION"),
    " (desktop news reader; fetches public RSS/Atom feeds)"
);

/// A feed's body, or word that it has not changed since the validators we sent.
#[derive(Clone, Debug, PartialEq)]
pub enum Fetched {
    NotModified,
    Body {
        bytes: Vec<u8>,
        content_type: Option<String>,
        etag: Option<String>,
        last_modified: Option<String>,
        /// Where the feed was in the end, after redirects: the base for its relative links.
        url: url::Url,
    },
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error("not a valid address: {0}")]
    BadUrl(String),
    #[error("HTTP {0}")]
    Status(u16),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    #[error("more than {0} redirects")]
    Redirects(usize),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("{0}")]
    Other(String),
}

/// One attempt's failure, with the wait the server asked for before the next.
#[derive(Debug)]
struct Failure {
    error: FetchError,
    retry_after: Option<Duration>,
}

impl From<FetchError> for Failure {
    fn from(error: FetchError) -> Self {
        Self {
            error,
            retry_after: None,
        }
    }
}

impl Transient for Failure {
    fn is_transient(&self) -> bool {
        match self.error {
            FetchError::Status(code) => code == 429 || code >= 500,
            FetchError::Timeout(_) | FetchError::Connect(_) => true,
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

/// Builds the one HTTP client that fetches every feed.
pub fn client(config: &FetchConfig) -> Result<reqwest::Client, FetchError> {
    // reqwest leaves the choice of crypto to us; ring needs no C toolchain beyond `cc`.
    // A second install (tests, a second client) finds it done, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(config.connect_timeout)
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::limited(config.max_redirects))
        .build()
        .map_err(|e| FetchError::Other(e.to_string()))
}

/// Fetches one feed within [`FetchConfig::feed_budget`], retrying transient failures.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    validators: &FeedState,
    config: &FetchConfig,
) -> Result<Fetched, FetchError> {
    let url = url::Url::parse(url).map_err(|e| FetchError::BadUrl(format!("{url}: {e}")))?;
    let started = tokio::time::Instant::now();
    let left = || config.feed_budget.saturating_sub(started.elapsed());
    let retries = Retries {
        max: config.retries,
        backoff: config.backoff,
    };
    // A retry that could not even wait out a connect could not tell a slow server from a
    // dead one.
    let affordable =
        |wait| left().saturating_sub(wait) >= config.connect_timeout.min(config.timeout);
    http::with_retries(retries, affordable, || {
        let limit = config.timeout.min(left());
        // What a timeout reports: the attempt's limit, or the feed's when that one ran out.
        let waited = match limit < config.timeout {
            true => config.feed_budget,
            false => config.timeout,
        };
        // The attempt's own limit is the fallback: reqwest's timeout should fire first.
        let attempt = fetch_once(client, url.clone(), validators, config, limit, waited);
        async move {
            tokio::time::timeout(limit, attempt)
                .await
                .unwrap_or(Err(FetchError::Timeout(waited).into()))
        }
    })
    .await
    .map_err(|failure| failure.error)
}

async fn fetch_once(
    client: &reqwest::Client,
    url: url::Url,
    validators: &FeedState,
    config: &FetchConfig,
    limit: Duration,
    waited: Duration,
) -> Result<Fetched, Failure> {
    let mut request = client.get(url).timeout(limit);
    for (header, value) in [
        (IF_NONE_MATCH, &validators.etag),
        (IF_MODIFIED_SINCE, &validators.last_modified),
    ] {
        if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            request = request.header(header, value);
        }
    }
    let response = request
        .send()
        .await
        .map_err(|e| classify(e, config, waited))?;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !status.is_success() {
        return Err(Failure {
            error: FetchError::Status(status.as_u16()),
            retry_after: http::retry_after(response.headers()),
        });
    }
    let headers = response.headers().clone();
    let final_url = response.url().clone();
    let bytes = http::read_capped(response, config.max_body_bytes)
        .await
        .map_err(|e| match e {
            ReadError::TooLarge => FetchError::TooLarge(config.max_body_bytes),
            ReadError::Transport(e) => classify(e, config, waited),
        })?;
    Ok(Fetched::Body {
        bytes,
        content_type: header(&headers, CONTENT_TYPE),
        etag: header(&headers, ETAG),
        last_modified: header(&headers, LAST_MODIFIED),
        url: final_url,
    })
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn classify(error: reqwest::Error, config: &FetchConfig, waited: Duration) -> FetchError {
    if error.is_timeout() {
        FetchError::Timeout(waited)
    } else if error.is_redirect() {
        FetchError::Redirects(config.max_redirects)
    } else if error.is_connect() {
        FetchError::Connect(http::root_cause(&error))
    } else {
        FetchError::Other(http::root_cause(&error))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use super::*;

    const MINUTE: i64 = 60;

    fn failing(times: u32, last_attempt: i64) -> FeedState {
        FeedState {
            last_attempt: Some(last_attempt),
            consecutive_failures: times,
            last_error: Some("HTTP 500".into()),
            ..FeedState::default()
        }
    }

    #[test]
    fn a_failing_feed_waits_twice_as_long_after_each_failure_up_to_a_day() {
        let config = FetchConfig::default();
        let t = 1_800_000_000;
        // Another feed worked during the same run: the failure is the feed's own.
        let working = Some(t);
        let due = |times| config.next_attempt(&failing(times, t), working);
        assert_eq!(due(1), Some(t + 15 * MINUTE));
        assert_eq!(due(2), Some(t + 30 * MINUTE));
        assert_eq!(due(3), Some(t + 60 * MINUTE));
        assert_eq!(due(7), Some(t + 16 * 60 * MINUTE));
        assert_eq!(due(8), Some(t + 24 * 60 * MINUTE));
        assert_eq!(due(u32::MAX), Some(t + 24 * 60 * MINUTE));

        let healthy = FeedState {
            last_attempt: Some(t),
            last_success: Some(t),
            ..FeedState::default()
        };
        assert_eq!(config.next_attempt(&healthy, working), None);
        assert_eq!(config.next_attempt(&FeedState::default(), working), None);
    }

    #[test]
    fn a_failure_while_nothing_worked_does_not_make_a_feed_wait() {
        let config = FetchConfig::default();
        let t = 1_800_000_000;
        let state = failing(5, t);
        assert_eq!(config.next_attempt(&state, None), Some(t));
        // The last success anywhere was a refresh before: the network was down.
        assert_eq!(config.next_attempt(&state, Some(t - 15 * MINUTE)), Some(t));
        assert_eq!(
            config.next_attempt(&state, Some(t - 10)),
            Some(t + 4 * 60 * MINUTE)
        );
    }

    #[test]
    fn zero_wait_tries_a_failing_feed_at_once() {
        let config = FetchConfig {
            failing_wait: Duration::ZERO,
            ..FetchConfig::default()
        };
        let t = 1_800_000_000;
        assert_eq!(config.next_attempt(&failing(9, t), Some(t)), Some(t));
    }

    /// A server that takes every request and never answers; returns its URL and how many
    /// requests it has taken.
    fn silent_server() -> (String, Arc<AtomicUsize>) {
        let server = crate::news::loopback::loopback_server();
        let url = format!("http://{}/feed", server.server_addr());
        let taken = Arc::new(AtomicUsize::new(0));
        let count = taken.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for request in server.incoming_requests() {
                count.fetch_add(1, Ordering::SeqCst);
                held.push(request);
            }
        });
        (url, taken)
    }

    fn fetch_silent(config: &FetchConfig) -> (Result<Fetched, FetchError>, usize) {
        let (url, taken) = silent_server();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = client(config).unwrap();
        let outcome = runtime.block_on(fetch(&client, &url, &FeedState::default(), config));
        (outcome, taken.load(Ordering::SeqCst))
    }

    #[test]
    fn the_feed_budget_cuts_an_attempt_short_and_leaves_no_time_to_retry() {
        let config = FetchConfig {
            connect_timeout: Duration::from_millis(200),
            timeout: Duration::from_millis(600),
            feed_budget: Duration::from_millis(400),
            retries: 5,
            backoff: Duration::from_millis(10),
            ..FetchConfig::default()
        };
        let (outcome, requests) = fetch_silent(&config);
        assert_eq!(
            outcome,
            Err(FetchError::Timeout(Duration::from_millis(400)))
        );
        assert_eq!(requests, 1);
    }

    #[test]
    fn a_retry_is_made_only_with_a_connect_timeout_left_after_the_wait() {
        let config = FetchConfig {
            connect_timeout: Duration::from_millis(250),
            timeout: Duration::from_millis(300),
            // After the first attempt 200 ms are left: less than the wait and a connect.
            feed_budget: Duration::from_millis(500),
            retries: 5,
            backoff: Duration::from_millis(10),
            ..FetchConfig::default()
        };
        let (outcome, requests) = fetch_silent(&config);
        assert_eq!(
            outcome,
            Err(FetchError::Timeout(Duration::from_millis(300)))
        );
        assert_eq!(requests, 1);
        // With the budget to spare, the same stall is retried.
        let roomy = FetchConfig {
            feed_budget: Duration::from_secs(60),
            retries: 1,
            ..config
        };
        let (_, requests) = fetch_silent(&roomy);
        assert_eq!(requests, 2);
    }

    /// A server that answers its first request 503 with `Retry-After: {retry_after}` and
    /// every later one 200; returns its URL and when each request came.
    fn unavailable_once(retry_after: &'static str) -> (String, Arc<Mutex<Vec<Instant>>>) {
        let server = crate::news::loopback::loopback_server();
        let url = format!("http://{}/feed", server.server_addr());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let times = seen.clone();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let first = {
                    let mut times = times.lock().unwrap();
                    times.push(Instant::now());
                    times.len() == 1
                };
                let response = if first {
                    let header = tiny_http::Header::from_bytes("Retry-After", retry_after);
                    tiny_http::Response::from_string("busy")
                        .with_status_code(503)
                        .with_header(header.unwrap())
                } else {
                    tiny_http::Response::from_string("<rss/>")
                };
                let _ = request.respond(response);
            }
        });
        (url, seen)
    }

    fn fetch_from(url: &str, config: &FetchConfig) -> Result<Fetched, FetchError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = client(config).unwrap();
        runtime.block_on(fetch(&client, url, &FeedState::default(), config))
    }

    #[test]
    fn a_retry_waits_as_long_as_the_server_asks() {
        let (url, seen) = unavailable_once("1");
        let config = FetchConfig {
            retries: 1,
            backoff: Duration::from_millis(10),
            ..FetchConfig::default()
        };
        let outcome = fetch_from(&url, &config);
        assert!(matches!(outcome, Ok(Fetched::Body { .. })), "{outcome:?}");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert!(seen[1] - seen[0] >= Duration::from_secs(1));
    }

    #[test]
    fn a_server_asking_for_longer_than_the_feed_has_left_gets_no_retry() {
        let (url, seen) = unavailable_once("3600");
        let config = FetchConfig {
            retries: 1,
            backoff: Duration::from_millis(10),
            ..FetchConfig::default()
        };
        let outcome = fetch_from(&url, &config);
        assert_eq!(outcome, Err(FetchError::Status(503)));
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[test]
    fn which_failures_are_retried() {
        let transient = |error: FetchError| Failure::from(error).is_transient();
        assert!(transient(FetchError::Status(503)));
        assert!(transient(FetchError::Status(429)));
        assert!(!transient(FetchError::Status(404)));
        assert!(transient(FetchError::Timeout(Duration::from_secs(1))));
        assert!(!transient(FetchError::TooLarge(10)));
        assert!(!transient(FetchError::Redirects(5)));
    }

    #[test]
    fn the_user_agent_names_the_app_and_version() {
        assert!(USER_AGENT.starts_with("newsglobe/0."));
    }
}
