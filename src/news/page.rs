//! Article pages over HTTP: fetching an article's page (bounded, http(s) only), reading its
//! article out of it with [`extract`](super::extract), and [`open_article`]: the page from the
//! store or the web, kept in the store, and its paragraphs in English as they are translated.

use super::Article;
use super::extract::{self, ExtractError, Extracted, MAX_PAGE_BYTES};
use super::fetch::{self, FetchConfig, FetchError, Fetched};
use super::http;
use super::language::page_language;
use super::parse::decode_html;
use super::store::{FeedState, Store, StoreAt};
use super::translate::Translator;

/// Paragraphs sent to the translator at once: the first few arrive while the rest are
/// still on their way.
pub const TRANSLATE_BATCH: usize = 6;

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
        } => {
            // Reading a large page takes milliseconds of CPU: off the runtime's workers,
            // which other fetches share.
            let read = tokio::task::spawn_blocking(move || {
                read_article(&bytes, content_type.as_deref(), url.as_str())
            })
            .await
            .map_err(|e| ExtractError::Unreadable(format!("the reader stopped: {e}")))?;
            Ok(read?)
        }
        Fetched::NotModified => Err(FetchError::Status(304).into()),
    }
}

impl PageError {
    /// Whether the failure says something lasting about the page, so that it is kept and
    /// the page not fetched again: what its text is or lacks, its size, or its being gone;
    /// not a timeout, a refused connection or a server's passing error, which a later try
    /// may not meet.
    pub fn is_lasting(&self) -> bool {
        match self {
            PageError::NotWeb(_) | PageError::Extract(_) => true,
            PageError::Fetch(FetchError::TooLarge(_) | FetchError::BadUrl(_)) => true,
            PageError::Fetch(FetchError::Status(code)) => matches!(code, 404 | 410 | 451),
            PageError::Fetch(_) => false,
        }
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

/// What opening an article yields, in the order it comes.
#[derive(Clone, Debug, PartialEq)]
pub enum PageEvent {
    /// The page's article (from the store, or fetched and read now), or why there is none.
    Read(Result<Extracted, String>),
    /// English for the paragraphs from index `from` on, translated or from the cache.
    English {
        from: usize,
        paragraphs: Vec<String>,
        by: String,
    },
    /// The page needs no translation: it is in English, or its language is unknown.
    NoTranslation,
    /// Translation stopped, with why; the paragraphs not sent stay in their own language.
    TranslationFailed(String),
}

/// How [`open_article`] reaches the page and the translator.
pub struct PageService<'a> {
    pub store: &'a StoreAt,
    pub client: &'a reqwest::Client,
    pub config: &'a FetchConfig,
    pub translator: &'a Translator,
    /// Whether pages may be fetched at all; when not, only pages read before are shown.
    pub fetch_pages: bool,
}

/// Opens `article`: its page as read before, or fetched, read and kept now (see
/// [`fetch_and_keep`]); then its paragraphs in English, [`TRANSLATE_BATCH`] at a time,
/// through the translation cache. Each step goes to `send` as it is done.
pub async fn open_article(
    service: &PageService<'_>,
    article: &Article,
    now: i64,
    mut send: impl FnMut(PageEvent),
) {
    let mut store = match Store::open_at(service.store) {
        Ok(store) => store,
        Err(e) => return send(PageEvent::Read(Err(e.to_string()))),
    };
    let read = match store.page(article.id) {
        Ok(Some(stored)) => stored.read,
        Err(e) => Err(e.to_string()),
        Ok(None) if !service.fetch_pages => Err(
            "reading pages in the app is turned off ([pages] fetch = false in the config)".into(),
        ),
        Ok(None) => fetch_and_keep(service, &mut store, article, now).await.0,
    };
    send(PageEvent::Read(read.clone()));
    let Ok(page) = read else { return };
    let language = page_language(
        page.language.as_deref().or(Some(&article.language)),
        &page.title,
        &page.text(),
    );
    let Some(language) = language.filter(|l| l != "en") else {
        return send(PageEvent::NoTranslation);
    };
    let Some(by) = service.translator.label() else {
        return send(PageEvent::TranslationFailed("translation is off".into()));
    };
    for (batch, paragraphs) in page.paragraphs.chunks(TRANSLATE_BATCH).enumerate() {
        match english(&mut store, service.translator, &language, paragraphs, &by).await {
            Ok(english) => send(PageEvent::English {
                from: batch * TRANSLATE_BATCH,
                paragraphs: english,
                by: by.clone(),
            }),
            Err(e) => return send(PageEvent::TranslationFailed(e)),
        }
    }
}

/// Fetches and reads `article`'s page, and keeps what it says in the store: its article, or
/// a lasting reason it has none (no text, a paywall, too large, gone), so it is not fetched
/// again; a fetch that failed for a passing reason is not kept, so it is tried again next
/// time. Returns the reading and whether it was kept.
async fn fetch_and_keep(
    service: &PageService<'_>,
    store: &mut Store,
    article: &Article,
    now: i64,
) -> (Result<Extracted, String>, bool) {
    let fetched = fetch_article(service.client, &article.link, service.config).await;
    let read = fetched.as_ref().map_err(ToString::to_string).cloned();
    // A store that cannot keep it costs only the offline copy.
    let kept = fetched.as_ref().err().is_none_or(PageError::is_lasting)
        && store.set_page(article.id, now, &read).is_ok();
    (read, kept)
}

/// The most pages read ahead when a list of articles is shown: the first few a reader sees.
pub const PREFETCH_PAGES: usize = 3;

/// Reads ahead the pages of the first [`PREFETCH_PAGES`] of `articles` not read before, one
/// after another, and keeps them, so that the articles a reader is most likely to open open
/// at once and offline. Nothing is fetched with page fetching off; failures are left for
/// when the reader opens the article, which tries again.
pub async fn prefetch(service: &PageService<'_>, articles: &[Article], now: i64) -> usize {
    if !service.fetch_pages {
        return 0;
    }
    let Ok(mut store) = Store::open_at(service.store) else {
        return 0;
    };
    let mut read = 0;
    for article in articles.iter().take(PREFETCH_PAGES) {
        if !matches!(store.page(article.id), Ok(None)) {
            continue;
        }
        read += usize::from(fetch_and_keep(service, &mut store, article, now).await.1);
    }
    read
}

/// `paragraphs` in English: from the cache where they were translated before, from the
/// translator (and then cached) where not.
async fn english(
    store: &mut Store,
    translator: &Translator,
    language: &str,
    paragraphs: &[String],
    by: &str,
) -> Result<Vec<String>, String> {
    let texts: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    let mut english = store
        .cached_translations(language, "en", &texts)
        .unwrap_or_else(|_| vec![None; texts.len()]);
    let missing: Vec<usize> = (0..texts.len()).filter(|&i| english[i].is_none()).collect();
    if !missing.is_empty() {
        let asked: Vec<String> = missing.iter().map(|&i| paragraphs[i].clone()).collect();
        let translated = translator
            .translate(&asked, language)
            .await
            .map_err(|e| e.to_string())?;
        let pairs: Vec<(&str, &str)> = asked
            .iter()
            .zip(&translated)
            .map(|(a, t)| (a.as_str(), t.as_str()))
            .collect();
        let _ = store.cache_translations(language, "en", &pairs, by);
        for (i, text) in missing.into_iter().zip(translated) {
            english[i] = Some(text);
        }
    }
    Ok(english.into_iter().map(Option::unwrap_or_default).collect())
}

/// `url` parsed, if it is an http(s) address.
pub fn web_url(url: &str) -> Result<url::Url, PageError> {
    http::web_url(url).ok_or_else(|| PageError::NotWeb(url.to_owned()))
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
