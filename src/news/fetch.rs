//! Fetching feeds over HTTP: bounded, polite and conditional.
//!
//! One `reqwest` client (rustls with the ring provider) serves every feed: connect and total
//! timeouts, a cap on the body, a few redirects at most, compressed transfer, a real
//! User-Agent, and conditional GET with the validators the store kept, so an unchanged feed
//! costs a 304. Transient failures (timeouts, refused connections, 5xx, 429) are retried with
//! doubling back-off; a 404 is not. Whatever goes wrong is one `FetchError` for one feed.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};

use super::store::FeedState;

#[derive(Clone, Debug)]
pub struct FetchConfig {
    /// Feeds fetched at the same time.
    pub concurrency: usize,
    pub connect_timeout: Duration,
    /// For the whole request, body included.
    pub timeout: Duration,
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    /// Extra attempts after a transient failure.
    pub retries: u32,
    /// The wait before the first retry; each further retry waits twice as long.
    pub backoff: Duration,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            concurrency: 16,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 5 * 1024 * 1024,
            max_redirects: 5,
            retries: 2,
            backoff: Duration::from_millis(750),
        }
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
    #[error("not a valid feed address: {0}")]
    BadUrl(String),
    #[error("HTTP {0}")]
    Status(u16),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("the feed is larger than {0} bytes")]
    TooLarge(usize),
    #[error("more than {0} redirects")]
    Redirects(usize),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    fn is_transient(&self) -> bool {
        match self {
            FetchError::Status(code) => *code == 429 || *code >= 500,
            FetchError::Timeout(_) | FetchError::Connect(_) => true,
            _ => false,
        }
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

/// Fetches one feed, retrying transient failures.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    validators: &FeedState,
    config: &FetchConfig,
) -> Result<Fetched, FetchError> {
    let url = url::Url::parse(url).map_err(|e| FetchError::BadUrl(format!("{url}: {e}")))?;
    let mut attempt = 0;
    loop {
        match fetch_once(client, url.clone(), validators, config).await {
            Err(e) if e.is_transient() && attempt < config.retries => {
                tokio::time::sleep(config.backoff * 2u32.pow(attempt)).await;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

async fn fetch_once(
    client: &reqwest::Client,
    url: url::Url,
    validators: &FeedState,
    config: &FetchConfig,
) -> Result<Fetched, FetchError> {
    let mut request = client.get(url);
    for (header, value) in [
        (IF_NONE_MATCH, &validators.etag),
        (IF_MODIFIED_SINCE, &validators.last_modified),
    ] {
        if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            request = request.header(header, value);
        }
    }
    let mut response = request.send().await.map_err(|e| classify(e, config))?;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    if response
        .content_length()
        .is_some_and(|n| n > config.max_body_bytes as u64)
    {
        return Err(FetchError::TooLarge(config.max_body_bytes));
    }
    let headers = response.headers().clone();
    let final_url = response.url().clone();
    let mut bytes = Vec::new();
    // Read in chunks so that a server lying about (or omitting) its length cannot make us
    // hold more than the cap.
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(e, config))? {
        if bytes.len() + chunk.len() > config.max_body_bytes {
            return Err(FetchError::TooLarge(config.max_body_bytes));
        }
        bytes.extend_from_slice(&chunk);
    }
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

fn classify(error: reqwest::Error, config: &FetchConfig) -> FetchError {
    if error.is_timeout() {
        FetchError::Timeout(config.timeout)
    } else if error.is_redirect() {
        FetchError::Redirects(config.max_redirects)
    } else if error.is_connect() {
        FetchError::Connect(root_cause(&error))
    } else {
        FetchError::Other(root_cause(&error))
    }
}

/// The innermost message: reqwest's own wording ("error sending request") says little.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_failures_are_retried() {
        assert!(FetchError::Status(503).is_transient());
        assert!(FetchError::Status(429).is_transient());
        assert!(!FetchError::Status(404).is_transient());
        assert!(FetchError::Timeout(Duration::from_secs(1)).is_transient());
        assert!(!FetchError::TooLarge(10).is_transient());
        assert!(!FetchError::Redirects(5).is_transient());
    }

    #[test]
    fn the_user_agent_names_the_app_and_version() {
        assert!(USER_AGENT.starts_with("newsglobe/0."));
    }
}
