//! The service's page reader: an opened article's page fetched (or read from the store) and
//! translated, the first articles of a list read ahead, and pictures fetched or read from
//! their disk cache, each in a task of its own.

use std::sync::Arc;

use futures_util::FutureExt;

use super::{NewsOptions, Replies, Reply};
use crate::news::fetch::FetchConfig;
use crate::news::images;
use crate::news::page::{self, PageEvent, PageService};
use crate::news::store::StoreAt;
use crate::news::translate::Translator;
use crate::news::{Article, panic_message};

/// Pictures fetched at once: a country's thumbnails arrive together, and a slow outlet's
/// must not take every connection.
const PICTURE_FETCHES: usize = 4;

/// Opens articles' pages and fetches their pictures, each in a task of its own so that a
/// slow page holds up nothing else.
#[derive(Clone)]
pub(super) struct Pages {
    store: StoreAt,
    client: Option<reqwest::Client>,
    config: FetchConfig,
    translator: Arc<Translator>,
    fetch_pages: bool,
    picture_fetches: Arc<tokio::sync::Semaphore>,
    prefetches: Arc<tokio::sync::Semaphore>,
    /// The open page's task.
    opened: Arc<std::sync::Mutex<Option<tokio::task::AbortHandle>>>,
}

impl Pages {
    pub(super) fn new(options: &NewsOptions) -> Self {
        let config = page::page_config(&options.fetch_config);
        Self {
            store: options.store.clone(),
            client: crate::news::fetch::client(&config).ok(),
            config,
            translator: options.translator.clone(),
            fetch_pages: options.fetch_pages,
            picture_fetches: Arc::new(tokio::sync::Semaphore::new(PICTURE_FETCHES)),
            prefetches: Arc::new(tokio::sync::Semaphore::new(1)),
            opened: Arc::default(),
        }
    }

    /// What [`page::open_article`] and [`page::prefetch`] work with; `None` without a client.
    fn service(&self) -> Option<PageService<'_>> {
        Some(PageService {
            store: &self.store,
            client: self.client.as_ref()?,
            config: &self.config,
            translator: &self.translator,
            fetch_pages: self.fetch_pages,
        })
    }

    /// Reads ahead the pages of a list's first articles: one read-ahead at a time, and none
    /// asked for while one runs (a kiosk's tour asks every few seconds, and slow outlets
    /// would queue them without end).
    pub(super) fn prefetch(&self, articles: Vec<Article>) {
        if !self.fetch_pages {
            return;
        }
        let Ok(turn) = self.prefetches.clone().try_acquire_owned() else {
            return;
        };
        let pages = self.clone();
        tokio::spawn(async move {
            let _turn = turn;
            let Some(service) = pages.service() else {
                return;
            };
            page::prefetch(&service, &articles, crate::news::now()).await;
        });
    }

    /// Fetches a picture or reads it from the disk cache, decoding it off the runtime's
    /// workers: decoding a large JPEG takes tens of milliseconds. With page fetching off,
    /// only pictures cached before are shown.
    pub(super) fn picture(&self, url: String, size: (u32, u32), replies: Replies) {
        let pages = self.clone();
        tokio::spawn(async move {
            let Ok(_turn) = pages.picture_fetches.acquire().await else {
                return;
            };
            let config = images::picture_config(&pages.config);
            let cache = images::cache_dir(pages.store.local_folder());
            let picture = match (&pages.client, pages.fetch_pages) {
                (Some(client), true) => images::picture(client, &url, &config, &cache, size)
                    .await
                    .map_err(|e| e.to_string()),
                _ => images::cached_off_runtime(&url, &cache, size)
                    .await
                    .ok_or_else(|| "pictures are not fetched ([pages] fetch = false)".into()),
            };
            let _ = replies.send(Reply::Picture(url, size, picture.map(Arc::new)));
        });
    }

    /// Opens an article's page in a task that the next opening, or the view's closing,
    /// aborts: a page left need not be translated to its end. A panic in it costs only that
    /// page, and the view says so rather than wait.
    pub(super) fn open(&self, article: Article, opening: u64, replies: Replies) {
        let pages = self.clone();
        let task = tokio::spawn(async move {
            let read_sent = std::sync::atomic::AtomicBool::new(false);
            let send = |event: PageEvent| {
                if matches!(event, PageEvent::Read(_)) {
                    read_sent.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                let _ = replies.send(Reply::Page(opening, event));
            };
            let Some(service) = pages.service() else {
                let why = "no HTTP client could be made for pages".to_owned();
                return send(PageEvent::Read(Err(why)));
            };
            let opened = page::open_article(&service, &article, crate::news::now(), send);
            if let Err(panic) = std::panic::AssertUnwindSafe(opened).catch_unwind().await {
                let why = format!(
                    "the page's reader crashed: {}",
                    panic_message(panic.as_ref())
                );
                let _ = replies.send(Reply::Page(
                    opening,
                    match read_sent.load(std::sync::atomic::Ordering::Relaxed) {
                        true => PageEvent::TranslationFailed(why),
                        false => PageEvent::Read(Err(why)),
                    },
                ));
            }
        });
        if let Some(earlier) = self
            .opened
            .lock()
            .ok()
            .and_then(|mut o| o.replace(task.abort_handle()))
        {
            earlier.abort();
        }
    }

    /// Stops the open page's work.
    pub(super) fn close(&self) {
        if let Some(open) = self.opened.lock().ok().and_then(|mut o| o.take()) {
            open.abort();
        }
    }
}
