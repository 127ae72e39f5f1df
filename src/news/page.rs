//! Article pages over HTTP: fetching an article's page (bounded, http(s) only) and reading
//! its article out of it with [`extract`](super::extract).

use super::extract::{self, ExtractError, Extracted, MAX_PAGE_BYTES};
use super::fetch::{self, FetchConfig, FetchError, Fetched};
use super::parse::decode_html;
use super::store::FeedState;

/// Why an article's page gave no article.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PageError {
    #[error("not a web page address: {0}")]
    NotWeb(String),
    #[error("the page could not be fetched: {0}")]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Extract(#[from] ExtractError),
}

/// The fetch settings for article pages: a feed's, with the body capped at what
/// [`extract`](super::extract) reads and no retries (a reader is waiting).
pub fn page_config(feeds: &FetchConfig) -> FetchConfig {
    FetchConfig {
        max_body_bytes: MAX_PAGE_BYTES,
        retries: 0,
        ..feeds.clone()
    }
}

/// Fetches the page at `url` and reads its article. Only http(s) addresses are fetched, and a
/// redirect elsewhere (`javascript:`, `file:`) is an error, never followed.
pub async fn fetch_article(
    client: &reqwest::Client,
    url: &str,
    config: &FetchConfig,
) -> Result<Extracted, PageError> {
    web_url(url)?;
    match fetch::fetch(client, url, &FeedState::default(), config).await? {
        Fetched::Body {
            bytes,
            content_type,
            url,
            ..
        } => Ok(read_article(&bytes, content_type.as_deref(), url.as_str())?),
        Fetched::NotModified => Err(FetchError::Status(304).into()),
    }
}

/// Reads the article of a page's bytes, as served with `content_type` from `url`.
pub fn read_article(
    bytes: &[u8],
    content_type: Option<&str>,
    url: &str,
) -> Result<Extracted, ExtractError> {
    if bytes.len() > MAX_PAGE_BYTES {
        return Err(ExtractError::TooLarge { bytes: bytes.len() });
    }
    let base = web_url(url).ok().map(|u| u.to_string());
    extract::extract(&decode_html(bytes, content_type), base.as_deref())
}

/// `url` parsed, if it is an http(s) address.
pub fn web_url(url: &str) -> Result<url::Url, PageError> {
    url::Url::parse(url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| PageError::NotWeb(url.to_owned()))
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn only_web_addresses_are_fetched() {
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,x",
            "",
        ] {
            assert!(matches!(web_url(bad), Err(PageError::NotWeb(_))), "{bad}");
        }
        assert!(web_url(" https://example.com/a ").is_ok());
    }

    #[test]
    fn a_legacy_page_is_read_in_its_own_encoding() {
        let text = "Вчера в Москве прошёл митинг против повышения пенсионного возраста. \
            Участники собрались у здания правительства и потребовали отменить реформу.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let html = [
            &b"<html><head><meta charset=\"windows-1251\"><title>T</title></head><body><article><p>"[..],
            &bytes,
            b"</p><p>",
            &bytes,
            b"</p></article></body></html>",
        ]
        .concat();
        let article = read_article(&html, Some("text/html"), "https://a.example/x").unwrap();
        assert_eq!(article.paragraphs[0], text);
    }
}
