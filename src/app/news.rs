//! The news bridge: the store, the fetcher and the story clustering live on one IO thread
//! with its own tokio runtime, behind channels; each frame drains what came back into
//! [`News`].
//!
//! Nothing here blocks a frame. On start the thread reads what the store already holds, so
//! the globe shows it at once, then refreshes every feed in the background and again on a
//! timer. Reads use their own connection, so listing a country's articles or searching never
//! waits for a refresh that is writing (the store runs in WAL mode). After each refresh the
//! new articles join the world's stories ([`World`]) and the top stories are sent again.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;
use futures_util::FutureExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::AppSystems;
use super::globe::Atlas;
use super::picking::{SelectCountry, Selection};
use super::pictures::Pictures;
use super::rest::Waker;
use crate::news::catalog::Catalog;
use crate::news::extract::Extracted;
use crate::news::fetch::FetchConfig;
use crate::news::images::{self, Picture};
use crate::news::ingest::{self, IngestReport};
use crate::news::page::{self, PageEvent, PageService};
use crate::news::store::Store;
use crate::news::topics::{self, Topics};
use crate::news::translate::Translator;
use crate::news::world::{self, CURRENT_SECONDS, HORIZON_SECONDS, StoryView, World};
use crate::news::{Article, FeedSource, panic_message};

/// How many articles the panel lists for a country.
pub const PANEL_ARTICLES: usize = 100;
/// How many articles a search lists.
pub const SEARCH_RESULTS: usize = 100;
/// How many stories each world list holds.
const WORLD_STORIES: usize = 60;
/// A story is one "the world covers" from this many countries on; a blindspot needs as many,
/// since a story only one country tells is overlooked everywhere else too.
pub const WORLD_MIN_COUNTRIES: usize = 2;
/// The window that "covering it now" means for the globe's shading.
const RECENT_SECONDS: i64 = 24 * 3600;

/// Where the news comes from and goes to, chosen on the command line.
#[derive(Clone, Debug)]
pub struct NewsOptions {
    pub store: PathBuf,
    pub catalog: Catalog,
    pub refresh_every: Duration,
    /// Translates what is not in English as it is fetched.
    pub translator: Arc<Translator>,
    /// Whether to fetch at all: the capture modes only show what is stored.
    pub fetch: bool,
    /// How feeds are fetched: the defaults, with the config file's waits for failing feeds.
    pub fetch_config: FetchConfig,
    /// Whether an opened article's page may be fetched (`[pages] fetch`); when not, only
    /// pages read before are shown.
    pub fetch_pages: bool,
}

/// Articles per country (ADM0_A3) from the last 24 hours; changes only when they do, so
/// the globe recolours only then.
#[derive(Resource, Debug, Default, PartialEq)]
pub struct RecentCounts(pub HashMap<String, usize>);

/// What the app knows about the news, as of the last frame.
#[derive(Resource, Debug, Default)]
pub struct News {
    /// The articles of the country last asked for, newest first.
    pub articles: Option<CountryNews>,
    /// What the whole world covers now.
    pub stories: WorldStories,
    /// The last search's results, best first.
    pub search: Option<SearchResults>,
    /// Countries with at least one outlet in the catalog.
    pub covered: Vec<String>,
    pub status: NewsStatus,
    /// The article open in the article view, as much of it as has arrived.
    pub page: Option<OpenedPage>,
}

/// An article opened to read: its page as it arrives, then its paragraphs in English.
#[derive(Clone, Debug)]
pub struct OpenedPage {
    pub article: Article,
    /// The page's article, or why there is none; `None` while it is fetched.
    pub read: Option<Result<Extracted, String>>,
    /// The English of each paragraph, as batches arrive.
    pub english: Vec<Option<String>>,
    pub translation: PageTranslation,
    /// The story the article is part of, where other articles tell it too.
    pub story: Option<Arc<StoryView>>,
    /// The article's topics, by its English headline and summary.
    pub topics: Topics,
    /// Which opening this is: what the news thread sends of an earlier one (the same article
    /// opened, closed and opened again) is not this one's.
    opening: u64,
}

/// Where an opened page's translation stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum PageTranslation {
    /// Not known yet: the page has not arrived.
    #[default]
    Waiting,
    /// Batches are arriving; the last came from this translator.
    Arriving(String),
    /// The page is in English, or its language is unknown.
    NotNeeded,
    /// Stopped, with why; the rest stays in the page's language.
    Failed(String),
}

impl OpenedPage {
    fn new(article: Article, opening: u64) -> Self {
        let (title, summary) = world::english(&article);
        Self {
            topics: topics::tag(title, summary),
            article,
            read: None,
            english: Vec::new(),
            translation: PageTranslation::Waiting,
            story: None,
            opening,
        }
    }

    /// Whether everything that will come of this page has come: the page (or why there is
    /// none), and the English of every paragraph or word that there will be none.
    pub fn is_complete(&self) -> bool {
        match (&self.read, &self.translation) {
            (None, _) => false,
            (Some(Err(_)), _) => true,
            (Some(Ok(_)), PageTranslation::Waiting) => false,
            (Some(Ok(_)), PageTranslation::Arriving(_)) => self.english.iter().all(Option::is_some),
            (Some(Ok(_)), PageTranslation::NotNeeded | PageTranslation::Failed(_)) => true,
        }
    }

    /// Takes in what the news thread sent of this page.
    pub fn apply(&mut self, event: PageEvent) {
        match event {
            PageEvent::Read(read) => {
                let paragraphs = read.as_ref().map_or(0, |page| page.paragraphs.len());
                self.english = vec![None; paragraphs];
                self.read = Some(read);
            }
            PageEvent::English {
                from,
                paragraphs,
                by,
            } => {
                for (slot, text) in self.english.iter_mut().skip(from).zip(paragraphs) {
                    *slot = Some(text);
                }
                self.translation = PageTranslation::Arriving(by);
            }
            PageEvent::NoTranslation => self.translation = PageTranslation::NotNeeded,
            PageEvent::TranslationFailed(why) => self.translation = PageTranslation::Failed(why),
        }
    }
}

/// A country's articles with their topics and, for those other outlets also cover, their
/// story.
#[derive(Clone, Debug, Default)]
pub struct CountryNews {
    pub country: String,
    pub articles: Vec<Article>,
    /// One per article, in order.
    pub topics: Vec<Topics>,
    /// By article id, the stories that hold more than that article.
    pub stories: HashMap<i64, Arc<StoryView>>,
}

/// The stories of the last [`CURRENT_SECONDS`] covered by at least [`WORLD_MIN_COUNTRIES`].
#[derive(Clone, Debug, Default)]
pub struct WorldStories {
    /// The most countries first.
    pub top: Vec<Arc<StoryView>>,
    /// Those no US outlet carries, the most countries first.
    pub blindspots: Vec<Arc<StoryView>>,
}

#[derive(Clone, Debug, Default)]
pub struct SearchResults {
    pub query: String,
    pub articles: Vec<Article>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewsStatus {
    /// `(done, total)` feeds while a refresh runs.
    pub updating: Option<(usize, usize)>,
    /// Unix time of the last finished refresh.
    pub last_update: Option<i64>,
    pub failing_feeds: usize,
    pub total_feeds: usize,
    /// The last refresh reached no feed at all.
    pub offline: bool,
    /// How many articles the store holds; `None` until it has been read.
    pub stored: Option<usize>,
    /// The store could not be opened: nothing will be fetched or shown.
    pub store_error: Option<String>,
    /// Whether this run fetches at all (the capture modes only show what is stored).
    pub fetching: bool,
    /// Who translates, for the status line; `None` when translation is off.
    pub translator: Option<String>,
    /// A background task failed and restarts: the last failure's message.
    pub restarting: Option<String>,
    /// Languages the last refresh could not translate, with why.
    pub translation_failures: Vec<(String, String)>,
}

enum Request {
    Articles(String),
    Search(String),
    /// Open an article: this opening's page.
    Page(Box<Article>, u64),
    /// The article view closed: its page's work stops.
    ClosePage,
    /// A picture, fitted in a box of this size.
    Picture(String, (u32, u32)),
}

enum Reply {
    Counts(HashMap<String, usize>),
    /// How many articles the store holds in all.
    Stored(usize),
    /// What the store remembers of earlier runs: the last success and the feeds failing.
    Health {
        last_update: Option<i64>,
        failing: usize,
    },
    Progress(usize, usize),
    Refreshed(Result<IngestReport, String>),
    Articles(String, Result<CountryNews, String>),
    Stories(WorldStories),
    Search(String, Result<Vec<Article>, String>),
    /// Of the page of this opening (see [`OpenedPage`]).
    Page(u64, PageEvent),
    /// The story of this opening's article, where others tell it too.
    PageStory(u64, Arc<StoryView>),
    Picture(String, (u32, u32), Result<Arc<Picture>, String>),
    StoreError(String),
    /// A background task panicked and starts again after a pause.
    Failed(String),
}

/// Asks the store for the articles matching the words of a query (see [`Store::search`]);
/// the results arrive in [`News::search`].
#[derive(Message, Clone, Debug, PartialEq)]
pub struct SearchNews(pub String);

/// Opens an article in the article view: its page is fetched (or read from the store) and
/// translated; it arrives in [`News::page`].
#[derive(Message, Clone, Debug, PartialEq)]
pub struct ReadArticle(pub Article);

/// Closes the article view.
#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub struct CloseArticle;

/// Asks for a country's (`ADM0_A3`) articles outside the selection (the kiosk's attract card);
/// they arrive in [`News::articles`].
#[derive(Message, Clone, Debug, PartialEq)]
pub struct AskArticles(pub String);

/// The IO thread's end of the replies channel. Each reply also wakes the app, which rests
/// until something happens.
#[derive(Clone)]
struct Replies {
    sender: UnboundedSender<Reply>,
    waker: Waker,
}

impl Replies {
    /// Sends `reply` and wakes the app; fails only when the app has quit.
    fn send(&self, reply: Reply) -> Result<(), AppGone> {
        self.sender.send(reply).map_err(|_| AppGone)?;
        self.waker.wake();
        Ok(())
    }
}

/// The app closed its end of the replies channel: it is quitting.
#[derive(Debug)]
struct AppGone;

#[derive(Resource)]
struct Channels {
    requests: UnboundedSender<Request>,
    replies: UnboundedReceiver<Reply>,
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<SearchNews>()
        .add_message::<AskArticles>()
        .add_message::<ReadArticle>()
        .add_message::<CloseArticle>()
        .init_resource::<Pictures>()
        .add_systems(
            Update,
            (
                drain_replies.in_set(AppSystems::Receive),
                (
                    ask_for_articles,
                    ask_for_searches,
                    ask_for_pages,
                    ask_for_pictures,
                )
                    .in_set(AppSystems::Present),
            ),
        );
}

/// Starts the IO thread and the [`News`] resource.
pub fn start(app: &mut App, options: NewsOptions) {
    let (requests, request_rx) = unbounded_channel();
    let (sender, replies) = unbounded_channel();
    let reply_tx = Replies {
        sender,
        waker: Waker::of(app),
    };
    let covered = options
        .catalog
        .countries()
        .into_iter()
        .map(String::from)
        .collect();
    let total_feeds = options.catalog.sources().len();
    let fetching = options.fetch;
    let translator = options.translator.label();
    std::thread::Builder::new()
        .name("news-io".into())
        .spawn(move || io_thread(options, request_rx, reply_tx))
        .expect("the OS can start a thread");
    app.insert_resource(Channels { requests, replies })
        .init_resource::<RecentCounts>()
        .insert_resource(News {
            covered,
            status: NewsStatus {
                total_feeds,
                fetching,
                translator,
                ..default()
            },
            ..default()
        });
}

/// How long a failed news task waits before it starts again.
const RESTART_DELAY: Duration = Duration::from_secs(10);

fn io_thread(options: NewsOptions, mut requests: UnboundedReceiver<Request>, replies: Replies) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = replies.send(Reply::StoreError(format!(
                "cannot start the IO runtime: {e}"
            )));
            return;
        }
    };
    // A bug in the news code must not take the app down, nor leave it without news until a
    // restart nobody is there to do (a kiosk): serve again after a pause. The requests
    // channel outlives each attempt, so the app never notices the swap.
    // A store that cannot be opened (a disk not mounted yet, a locked file) is tried again
    // the same way.
    loop {
        let served = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(serve(&options, &mut requests, &replies))
        }));
        match served {
            Ok(Served::AppGone) => return,
            Ok(Served::NoStore) => std::thread::sleep(RESTART_DELAY),
            Err(panic) => {
                let _ = replies.send(Reply::Failed(panic_message(panic.as_ref())));
                std::thread::sleep(RESTART_DELAY);
            }
        }
    }
}

/// Why [`serve`] returned.
enum Served {
    /// The app closed its end of the requests channel: it is quitting.
    AppGone,
    /// The store could not be opened; the error has been sent.
    NoStore,
}

/// Runs the task `make` builds until it ends, building and running it again, after `delay`,
/// each time it panics; `on_panic` hears each panic's message. The task runs inside this
/// future, not spawned beside it, so dropping this future (aborting its task) stops it too.
async fn supervise<F, Fut>(mut make: F, delay: Duration, mut on_panic: impl FnMut(String))
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        match std::panic::AssertUnwindSafe(make()).catch_unwind().await {
            Ok(()) => return,
            Err(panic) => {
                on_panic(panic_message(panic.as_ref()));
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// Aborts a spawned task when dropped: a `serve` that unwinds takes its refresher with it
/// rather than leaving a second one running beside its successor's.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn serve(
    options: &NewsOptions,
    requests: &mut UnboundedReceiver<Request>,
    replies: &Replies,
) -> Served {
    // This loop reads through its own connection while the refresh writes through another.
    let reader = match Store::open(&options.store) {
        Ok(reader) => reader,
        Err(e) => {
            let _ = replies.send(Reply::StoreError(e.to_string()));
            return Served::NoStore;
        }
    };
    send_counts(&reader, replies);
    if let Ok(health) = reader.feed_health() {
        let _ = replies.send(Reply::Health {
            last_update: health.iter().filter_map(|(_, s)| s.last_success).max(),
            failing: health
                .iter()
                .filter(|(_, s)| s.consecutive_failures > 0)
                .count(),
        });
    }
    let pages = Pages::new(options);
    let mut world = World::load(&reader, crate::news::now(), HORIZON_SECONDS).unwrap_or_else(|e| {
        let _ = replies.send(Reply::StoreError(e.to_string()));
        World::new(HORIZON_SECONDS)
    });
    send_stories(&world, replies);
    // The refresh reports here rather than to the app, so that the stories are brought up to
    // date before the app hears that the refresh is over and asks again.
    let (refreshed, mut refreshes) = unbounded_channel();
    let _refresher = options.fetch.then(|| {
        let (options, failures) = (options.clone(), replies.clone());
        let replies = replies.clone();
        let make = move || {
            refresh_forever(
                options.store.clone(),
                options.catalog.sources(),
                options.translator.clone(),
                options.fetch_config.clone(),
                options.refresh_every,
                replies.clone(),
                refreshed.clone(),
            )
        };
        AbortOnDrop(tokio::spawn(supervise(
            make,
            RESTART_DELAY,
            move |message| {
                let _ = failures.send(Reply::Failed(message));
            },
        )))
    });
    loop {
        tokio::select! {
            request = requests.recv() => match request {
                Some(request) => answer(request, &reader, &world, &pages, replies),
                None => return Served::AppGone,
            },
            Some(report) = refreshes.recv() => {
                if let Err(e) = world.update(&reader, crate::news::now()) {
                    let _ = replies.send(Reply::StoreError(e.to_string()));
                }
                send_stories(&world, replies);
                send_counts(&reader, replies);
                if replies.send(Reply::Refreshed(report)).is_err() {
                    return Served::AppGone;
                }
            }
        }
    }
}

/// Pictures fetched at once: a country's thumbnails arrive together, and a slow outlet's
/// must not take every connection.
const PICTURE_FETCHES: usize = 4;

/// Opens articles' pages and fetches their pictures, each in a task of its own so that a
/// slow page holds up nothing else.
#[derive(Clone)]
struct Pages {
    store: PathBuf,
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
    fn new(options: &NewsOptions) -> Self {
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
    fn prefetch(&self, articles: Vec<Article>) {
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
    fn picture(&self, url: String, size: (u32, u32), replies: Replies) {
        let pages = self.clone();
        tokio::spawn(async move {
            let Ok(_turn) = pages.picture_fetches.acquire().await else {
                return;
            };
            let config = images::picture_config(&pages.config);
            let cache = images::cache_dir(&pages.store);
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
    fn open(&self, article: Article, opening: u64, replies: Replies) {
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
    fn close(&self) {
        if let Some(open) = self.opened.lock().ok().and_then(|mut o| o.take()) {
            open.abort();
        }
    }
}

fn answer(request: Request, reader: &Store, world: &World, pages: &Pages, replies: &Replies) {
    match request {
        Request::Articles(country) => {
            let listed = reader
                .latest_for_country(&country, PANEL_ARTICLES)
                .map(|articles| {
                    let first = articles.iter().take(page::PREFETCH_PAGES).cloned();
                    pages.prefetch(first.collect());
                    country_news(world, country.clone(), articles)
                })
                .map_err(|e| e.to_string());
            let _ = replies.send(Reply::Articles(country, listed));
        }
        Request::Search(query) => {
            let found = reader
                .search(&query, SEARCH_RESULTS)
                .map_err(|e| e.to_string());
            let _ = replies.send(Reply::Search(query, found));
        }
        Request::Page(article, opening) => {
            if let Some(story) = world.shared_story_of(article.id) {
                let _ = replies.send(Reply::PageStory(opening, Arc::new(story)));
            }
            pages.open(*article, opening, replies.clone());
            return;
        }
        Request::ClosePage => return pages.close(),
        Request::Picture(url, size) => return pages.picture(url, size, replies.clone()),
    }
    // Counts move as refreshes commit; answering a reader's list or search is a good moment
    // to re-read them.
    send_counts(reader, replies);
}

/// A country's articles with their topics and shared stories.
fn country_news(world: &World, country: String, articles: Vec<Article>) -> CountryNews {
    let topics = articles
        .iter()
        .map(|a| {
            let (title, summary) = world::english(a);
            topics::tag(title, summary)
        })
        .collect();
    let mut views: HashMap<u32, Arc<StoryView>> = HashMap::new();
    let mut stories = HashMap::new();
    for article in &articles {
        let Some(story) = world.story_of(article.id) else {
            continue;
        };
        let view = match views.get(&story) {
            Some(view) => Some(view.clone()),
            None => world.shared_story_of(article.id).map(|view| {
                let view = Arc::new(view);
                views.insert(story, view.clone());
                view
            }),
        };
        if let Some(view) = view {
            stories.insert(article.id, view);
        }
    }
    CountryNews {
        country,
        articles,
        topics,
        stories,
    }
}

fn send_stories(world: &World, replies: &Replies) {
    let since = crate::news::now() - CURRENT_SECONDS;
    let listed = |stories: Vec<StoryView>| stories.into_iter().map(Arc::new).collect();
    let top = listed(world.top(since, WORLD_MIN_COUNTRIES, None, WORLD_STORIES));
    let blindspots = listed(world.blindspots(since, WORLD_MIN_COUNTRIES, WORLD_STORIES));
    let _ = replies.send(Reply::Stories(WorldStories { top, blindspots }));
}

async fn refresh_forever(
    store: PathBuf,
    sources: Vec<FeedSource>,
    translator: Arc<Translator>,
    config: FetchConfig,
    every: Duration,
    replies: Replies,
    refreshed: UnboundedSender<Result<IngestReport, String>>,
) {
    // Like the reader, a writer that cannot open the store tries again rather than leaving
    // the app without fresh news for the rest of its run.
    let mut store = loop {
        match Store::open(&store) {
            Ok(store) => break store,
            Err(e) => {
                if replies.send(Reply::StoreError(e.to_string())).is_err() {
                    return;
                }
                tokio::time::sleep(RESTART_DELAY).await;
            }
        }
    };
    loop {
        let total = sources.len();
        let mut done = 0;
        let _ = replies.send(Reply::Progress(0, total));
        let report = ingest::ingest(&mut store, &sources, &config, Some(&translator), |_| {
            done += 1;
            let _ = replies.send(Reply::Progress(done, total));
        })
        .await
        .map_err(|e| e.to_string());
        if refreshed.send(report).is_err() {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

fn send_counts(store: &Store, replies: &Replies) {
    if let Ok(counts) = store.counts_since(crate::news::now() - RECENT_SECONDS) {
        let _ = replies.send(Reply::Counts(counts));
    }
    if let Ok(stored) = store.article_count() {
        let _ = replies.send(Reply::Stored(stored));
    }
}

/// The status after a refresh that finished at `now` with `report`.
fn refreshed(status: &mut NewsStatus, report: IngestReport, now: i64) {
    status.updating = None;
    status.restarting = None;
    // A store that just took a whole refresh is usable again, whatever failed before.
    status.store_error = None;
    status.last_update = Some(now);
    // A feed skipped because it keeps failing is still failing: counting only the feeds
    // tried would call a run that reached nothing a success.
    let failing = report.failed.len() + report.backed_off;
    status.failing_feeds = failing;
    status.translation_failures = report.translation_failures;
    status.offline = report.fetched + report.not_modified == 0 && failing > 0;
}

fn drain_replies(
    mut channels: ResMut<Channels>,
    mut news: ResMut<News>,
    mut counts: ResMut<RecentCounts>,
    mut pictures: ResMut<Pictures>,
) {
    while let Ok(reply) = channels.replies.try_recv() {
        match reply {
            Reply::Counts(recent) => {
                counts.set_if_neq(RecentCounts(recent));
            }
            Reply::Health {
                last_update,
                failing,
            } => {
                news.status.last_update = last_update;
                news.status.failing_feeds = failing;
            }
            Reply::Progress(done, total) => news.status.updating = Some((done, total)),
            Reply::Stored(stored) => news.status.stored = Some(stored),
            Reply::Refreshed(Ok(report)) => {
                refreshed(&mut news.status, report, crate::news::now());
            }
            Reply::Refreshed(Err(e)) => {
                news.status.updating = None;
                news.status.store_error = Some(e);
            }
            Reply::Articles(_, Ok(listed)) => news.articles = Some(listed),
            Reply::Articles(country, Err(e)) => {
                news.articles = Some(CountryNews {
                    country,
                    ..default()
                });
                news.status.store_error = Some(e);
            }
            Reply::Stories(stories) => news.stories = stories,
            Reply::Search(query, Ok(articles)) => {
                news.search = Some(SearchResults { query, articles });
            }
            Reply::Search(query, Err(e)) => {
                news.search = Some(SearchResults {
                    query,
                    articles: Vec::new(),
                });
                news.status.store_error = Some(e);
            }
            Reply::Page(opening, event) => {
                if let Some(page) = news.page.as_mut().filter(|p| p.opening == opening) {
                    page.apply(event);
                }
            }
            Reply::PageStory(opening, story) => {
                if let Some(page) = news.page.as_mut().filter(|p| p.opening == opening) {
                    page.story = Some(story);
                }
            }
            Reply::Picture(url, size, picture) => pictures.arrived(url, size, picture),
            Reply::StoreError(e) => news.status.store_error = Some(e),
            Reply::Failed(e) => {
                error!("news: a background task failed and restarts: {e}");
                news.status.updating = None;
                news.status.restarting = Some(e);
            }
        }
    }
}

/// Asks for the selected country's articles when the selection changes, and again after
/// each refresh so that the open panel shows what just arrived.
fn ask_for_articles(
    selection: Res<Selection>,
    news: Res<News>,
    atlas: Res<Atlas>,
    channels: Res<Channels>,
    mut requests: MessageReader<AskArticles>,
    mut asked: Local<(Option<usize>, Option<i64>)>,
) {
    for AskArticles(country) in requests.read() {
        let _ = channels.requests.send(Request::Articles(country.clone()));
    }
    let now = (selection.0, news.status.last_update);
    if *asked == now {
        return;
    }
    *asked = now;
    if let Some(country) = selection.0 {
        let _ = channels
            .requests
            .send(Request::Articles(atlas.countries[country].id.clone()));
    }
}

fn ask_for_searches(mut searches: MessageReader<SearchNews>, channels: Res<Channels>) {
    // Typing sends a search per key: only the last of a frame's matters.
    if let Some(SearchNews(query)) = searches.read().last() {
        let _ = channels.requests.send(Request::Search(query.clone()));
    }
}

/// Opens and closes the article view: an article asked for replaces the one open and is
/// fetched; a country picked (even the one already selected) closes it, the reader having
/// moved on; a closed page's work stops.
fn ask_for_pages(
    mut reads: MessageReader<ReadArticle>,
    mut closes: MessageReader<CloseArticle>,
    mut picks: MessageReader<SelectCountry>,
    mut news: ResMut<News>,
    channels: Res<Channels>,
    mut openings: Local<u64>,
) {
    let closed = closes.read().count() + picks.read().count() > 0;
    if closed && news.page.is_some() {
        news.page = None;
        let _ = channels.requests.send(Request::ClosePage);
    }
    if let Some(ReadArticle(article)) = reads.read().last() {
        *openings += 1;
        news.page = Some(OpenedPage::new(article.clone(), *openings));
        let _ = channels
            .requests
            .send(Request::Page(Box::new(article.clone()), *openings));
    }
}

/// Sends for the pictures the panels asked for this frame.
fn ask_for_pictures(mut pictures: ResMut<Pictures>, channels: Res<Channels>) {
    for (url, size) in pictures.take_wanted() {
        let _ = channels.requests.send(Request::Picture(url, size));
    }
}

#[cfg(test)]
mod refreshed_tests {
    use super::*;

    fn source() -> FeedSource {
        FeedSource {
            feed_url: "http://127.0.0.1/feed".into(),
            outlet: "Daily".into(),
            country: "KEN".into(),
            language: "en".into(),
        }
    }

    #[test]
    fn a_run_that_reaches_no_feed_is_offline_even_when_every_feed_waits() {
        let mut status = NewsStatus {
            total_feeds: 2,
            ..default()
        };
        let failed = IngestReport {
            failed: vec![(source(), "connection refused".into())],
            backed_off: 1,
            ..default()
        };
        refreshed(&mut status, failed, 100);
        assert!(status.offline);
        assert_eq!(status.failing_feeds, 2);
        assert_eq!(status.last_update, Some(100));

        let waiting = IngestReport {
            backed_off: 2,
            ..default()
        };
        refreshed(&mut status, waiting, 200);
        assert!(status.offline, "feeds skipped for failing are not reached");
        assert_eq!(status.failing_feeds, 2);

        let reached = IngestReport {
            fetched: 1,
            backed_off: 1,
            ..default()
        };
        refreshed(&mut status, reached, 300);
        assert!(!status.offline);
        assert_eq!(status.failing_feeds, 1);
    }
}

#[cfg(test)]
mod supervise_tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_panicking_task_runs_again_until_it_ends() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut heard = Vec::new();
        let make = || {
            let runs = runs.clone();
            async move {
                if runs.fetch_add(1, Ordering::SeqCst) < 2 {
                    panic!("feed parser bug");
                }
            }
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(supervise(make, Duration::ZERO, |message| {
            heard.push(message)
        }));
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert_eq!(heard, ["feed parser bug", "feed parser bug"]);
    }
}

#[cfg(test)]
mod opened_page_tests {
    use super::*;

    fn page(paragraphs: usize) -> Extracted {
        Extracted {
            paragraphs: (0..paragraphs).map(|i| format!("Párrafo {i}")).collect(),
            ..Default::default()
        }
    }

    fn english(from: usize, count: usize) -> PageEvent {
        PageEvent::English {
            from,
            paragraphs: (from..from + count)
                .map(|i| format!("Paragraph {i}"))
                .collect(),
            by: "Apertium".into(),
        }
    }

    #[test]
    fn a_page_is_complete_when_its_last_batch_or_word_of_none_has_come() {
        let article = crate::news::Article {
            id: 1,
            feed_url: String::new(),
            outlet: String::new(),
            country: "ESP".into(),
            language: "es".into(),
            title: String::new(),
            summary: String::new(),
            title_en: None,
            summary_en: None,
            translated_by: None,
            link: String::new(),
            image: None,
            published: 0,
            first_seen: 0,
        };
        let mut opened = OpenedPage::new(article.clone(), 1);
        assert!(!opened.is_complete(), "nothing yet");
        opened.apply(PageEvent::Read(Ok(page(8))));
        assert!(!opened.is_complete(), "the page, no English yet");
        opened.apply(english(0, 6));
        assert!(!opened.is_complete(), "one batch of two");
        opened.apply(english(6, 2));
        assert!(opened.is_complete());
        assert_eq!(opened.english[7].as_deref(), Some("Paragraph 7"));

        let mut failed = OpenedPage::new(article.clone(), 2);
        failed.apply(PageEvent::Read(Ok(page(8))));
        failed.apply(PageEvent::TranslationFailed("translation is off".into()));
        assert!(failed.is_complete());
        let mut none = OpenedPage::new(article, 3);
        none.apply(PageEvent::Read(Err("the page is behind a paywall".into())));
        assert!(none.is_complete());
    }
}
