//! The HTTP plumbing that fetching feeds, pages and pictures and calling translation services
//! share: retrying transient failures with doubling back-off while honouring the server's
//! `Retry-After`, reading a body without holding more than a cap, telling a web address, and
//! the words of an error's root cause.
//!
//! Not this module's concern: which failures are transient and how they read (each caller's
//! error type says, through [`Transient`]), the client's settings, or what a body means.

use std::future::Future;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// The longest `Retry-After` we wait out; a server asking for more gets a retry after this
/// (and, if still refusing, the caller gets its error with the server's figure).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// What a failed attempt says about trying again.
pub trait Transient {
    /// Whether another attempt may go better: a timeout, a refused connection, a 429 or a
    /// 5xx, as the caller's error type tells them apart.
    fn is_transient(&self) -> bool;

    /// How long the server asked us to wait (`Retry-After`), if it asked.
    fn retry_after(&self) -> Option<Duration>;
}

/// How many times to try again, and how long to wait at first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Retries {
    /// Extra attempts after a transient failure.
    pub max: u32,
    /// The wait before the first retry; each further retry waits twice as long.
    pub backoff: Duration,
}

/// Runs `attempt` until it succeeds, fails for good, or has been retried `retries.max` times,
/// waiting [`retry_wait`] before each retry. `affordable` sees each wait first: when it says
/// there is no time left for the wait and another attempt, the last failure is the answer.
pub async fn with_retries<T, E, F, Fut>(
    retries: Retries,
    mut affordable: impl FnMut(Duration) -> bool,
    mut attempt: F,
) -> Result<T, E>
where
    E: Transient,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut retry = 0;
    loop {
        match attempt().await {
            Err(e) if e.is_transient() && retry < retries.max => {
                let wait = retry_wait(retry, retries.backoff, e.retry_after());
                if !affordable(wait) {
                    return Err(e);
                }
                tokio::time::sleep(wait).await;
                retry += 1;
            }
            outcome => return outcome,
        }
    }
}

/// The wait before retry number `retry` (from 0): our doubling back-off, or longer if the
/// server asked for longer (up to [`MAX_RETRY_AFTER`]).
pub fn retry_wait(retry: u32, backoff: Duration, asked: Option<Duration>) -> Duration {
    let ours = backoff.saturating_mul(2u32.saturating_pow(retry));
    match asked {
        Some(asked) => ours.max(asked.min(MAX_RETRY_AFTER)),
        None => ours,
    }
}

/// The `Retry-After` of a response's headers.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after)
}

/// `Retry-After` in seconds; the HTTP-date form is rare for feeds and these APIs and falls
/// back to our own back-off.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse().ok().map(Duration::from_secs)
}

/// Why a body was not read whole.
#[derive(Debug)]
pub enum ReadError {
    /// It is, or says it is, larger than the cap.
    TooLarge,
    /// The connection failed or timed out while reading.
    Transport(reqwest::Error),
}

/// The body of `response`, refused as soon as it says or turns out to be larger than
/// `max_bytes`. Read in chunks, so that a server lying about (or omitting) its length cannot
/// make us hold more than the cap.
pub async fn read_capped(
    mut response: reqwest::Response,
    max_bytes: usize,
) -> Result<Vec<u8>, ReadError> {
    if response
        .content_length()
        .is_some_and(|n| n > max_bytes as u64)
    {
        return Err(ReadError::TooLarge);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if bytes.len() + chunk.len() > max_bytes {
            return Err(ReadError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// `text` as a URL, if it is an http(s) address: the only kind fetched, whatever a feed or
/// a page links to (`javascript:`, `file:`, `data:`).
pub fn web_url(text: &str) -> Option<url::Url> {
    url::Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// The innermost message: reqwest's own wording ("error sending request") says little.
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod retry_wait_tests {
    use super::*;

    #[test]
    fn doubles_and_honours_retry_after_up_to_a_cap() {
        let backoff = Duration::from_millis(100);
        assert_eq!(retry_wait(0, backoff, None), backoff);
        assert_eq!(retry_wait(3, backoff, None), backoff * 8);
        let asked = |s| Some(Duration::from_secs(s));
        assert_eq!(retry_wait(0, backoff, asked(2)), Duration::from_secs(2));
        assert_eq!(retry_wait(1, backoff, asked(0)), backoff * 2);
        assert_eq!(retry_wait(0, backoff, asked(86_400)), MAX_RETRY_AFTER);
    }
}

#[cfg(test)]
mod retry_after_tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn reads_seconds_and_leaves_dates_to_our_backoff() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("0"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("1.5"), None);
        assert_eq!(parse_retry_after(""), None);
    }

    #[test]
    fn reads_the_header_if_there_is_one() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(120)));
    }
}

#[cfg(test)]
mod with_retries_tests {
    use std::cell::{Cell, RefCell};

    use super::*;

    #[derive(Debug, PartialEq)]
    struct Failed {
        transient: bool,
        asked: Option<Duration>,
    }

    impl Transient for Failed {
        fn is_transient(&self) -> bool {
            self.transient
        }

        fn retry_after(&self) -> Option<Duration> {
            self.asked
        }
    }

    const QUICK: Retries = Retries {
        max: 2,
        backoff: Duration::from_millis(1),
    };

    fn failing(transient: bool, asked: Option<Duration>) -> Result<(), Failed> {
        Err(Failed { transient, asked })
    }

    #[tokio::test]
    async fn retries_transient_failures_up_to_the_maximum() {
        let tries = Cell::new(0);
        let outcome = with_retries(
            QUICK,
            |_| true,
            || async {
                tries.set(tries.get() + 1);
                failing(true, None)
            },
        )
        .await;
        assert_eq!(outcome, failing(true, None));
        assert_eq!(tries.get(), 3);

        let tries = Cell::new(0);
        let outcome = with_retries(
            QUICK,
            |_| true,
            || async {
                tries.set(tries.get() + 1);
                failing(false, None)
            },
        )
        .await;
        assert_eq!(outcome, failing(false, None));
        assert_eq!(tries.get(), 1);
    }

    #[tokio::test]
    async fn a_wait_there_is_no_time_for_ends_the_tries() {
        let (tries, waits) = (Cell::new(0), RefCell::new(Vec::new()));
        let outcome = with_retries(
            QUICK,
            |wait| {
                waits.borrow_mut().push(wait);
                wait < Duration::from_secs(1)
            },
            || async {
                tries.set(tries.get() + 1);
                failing(true, Some(Duration::from_secs(5)))
            },
        )
        .await;
        assert_eq!(outcome, failing(true, Some(Duration::from_secs(5))));
        assert_eq!(tries.get(), 1);
        assert_eq!(waits.into_inner(), [Duration::from_secs(5)]);
    }
}

#[cfg(test)]
mod read_capped_tests {
    use super::*;

    /// Serves `bytes` once, with its length declared or sent chunked; returns the address.
    fn serve(bytes: Vec<u8>, declared: bool) -> String {
        let server = crate::news::loopback::loopback_server();
        let url = format!("http://{}/", server.server_addr());
        std::thread::spawn(move || {
            if let Ok(request) = server.recv() {
                let length = declared.then_some(bytes.len());
                let response = tiny_http::Response::new(
                    tiny_http::StatusCode(200),
                    Vec::new(),
                    std::io::Cursor::new(bytes),
                    length,
                    None,
                );
                let _ = request.respond(response);
            }
        });
        url
    }

    async fn read(bytes: Vec<u8>, declared: bool, max_bytes: usize) -> Result<Vec<u8>, ReadError> {
        let url = serve(bytes, declared);
        let client = crate::news::fetch::client(&Default::default()).expect("a client");
        let response = client.get(url).send().await.expect("an answer");
        read_capped(response, max_bytes).await
    }

    #[tokio::test]
    async fn a_body_within_the_cap_is_read_whole() {
        for declared in [true, false] {
            let body = vec![7u8; 100_000];
            let read = read(body.clone(), declared, 100_000).await;
            assert_eq!(read.ok(), Some(body), "declared: {declared}");
        }
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_refused_whether_or_not_it_says_so() {
        for declared in [true, false] {
            let read = read(vec![7u8; 100_001], declared, 100_000).await;
            assert!(
                matches!(read, Err(ReadError::TooLarge)),
                "declared: {declared}: {read:?}"
            );
        }
    }
}

#[cfg(test)]
mod web_url_tests {
    use super::*;

    #[test]
    fn only_http_and_https_are_web_addresses() {
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:,x",
            "ftp://a.example/",
            "",
        ] {
            assert_eq!(web_url(bad), None, "{bad}");
        }
        assert_eq!(
            web_url(" https://a.example/x ")
                .map(String::from)
                .as_deref(),
            Some("https://a.example/x")
        );
    }
}

#[cfg(test)]
mod root_cause_tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("error sending request")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn says_the_innermost_error() {
        let error = Outer(std::io::Error::other("connection refused"));
        assert_eq!(root_cause(&error), "connection refused");
        assert_eq!(root_cause(&std::io::Error::other("plain")), "plain");
    }
}
