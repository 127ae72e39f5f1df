//! The news service: the store, the fetcher, the page reader and the story clustering on one
//! IO thread with its own tokio runtime, behind channels: [`Request`]s in, [`Reply`]s out.
//!
//! Nothing here blocks its caller. On start the service reads what the store already holds
//! and sends it, then refreshes every feed in the background (once, or again on a timer).
//! Reads use their own connection, so listing a country's articles or searching never waits
//! for a refresh that is writing (the store runs in WAL mode). After each refresh the new
//! articles join the world's stories ([`Coverage`]) and the top stories are sent again.
//!
//! How the replies reach a screen is not this module's concern: the app drains them each
//! frame, the `fetch` command waits for its one refresh.

mod pages;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

use pages::Pages;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::news::catalog::Catalog;
use crate::news::fetch::FetchConfig;
use crate::news::images::Picture;
use crate::news::ingest::{self, IngestReport};
use crate::news::page::{self, PageEvent};
use crate::news::sentences::SentenceModel;
use crate::news::store::{Store, StoreAt};
use crate::news::topics::{self, Topics};
use crate::news::translate::Translator;
use crate::news::world::{self, CURRENT_SECONDS, Coverage, HORIZON_SECONDS, StoryView};
use crate::news::{Article, panic_message};

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
    pub store: StoreAt,
    /// The outlets whose feeds are fetched.
    pub catalog: Catalog,
    /// Whether and how often the feeds are fetched.
    pub refresh: Refresh,
    /// Translates what is not in English as it is fetched.
    pub translator: Arc<Translator>,
    /// How feeds are fetched: the defaults, with the config file's waits for failing feeds.
    pub fetch_config: FetchConfig,
    /// Whether an opened article's page may be fetched (`[pages] fetch`); when not, only
    /// pages read before are shown.
    pub fetch_pages: bool,
    /// Where the world's stories come from, if anywhere.
    pub stories: Stories,
    /// The sentence model's folder ([`sentences`](crate::news::sentences)), if there is one:
    /// each refresh then embeds what reads in English, and the stories read the embeddings
    /// beside the words. Without it stories are grouped by their words alone.
    pub sentence_model: Option<PathBuf>,
}

/// Where the service's world stories come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stories {
    /// Nowhere: none are sent. The `fetch` command shows none, and clustering a full store
    /// costs seconds it would spend for nothing.
    Off,
    /// Clustered here from the store's articles, and again after each refresh (the app on its
    /// own store).
    Clustered,
    /// Clustered here and written into the store after each refresh, for the screens that
    /// read it (the `ingest` daemon).
    Shared,
    /// Read from the store as an ingest wrote them, and read again whenever it writes them
    /// anew (a screen on a shared store): every screen shows the same stories.
    Followed,
}

/// How often a screen on a shared store looks whether the ingest wrote new stories (one cheap
/// query), and how soon it tries again after losing the store.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(20);

/// When the service fetches the feeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Refresh {
    /// Never: only what is stored is shown (the capture modes).
    Never,
    /// Once, at the start (the `fetch` command).
    Once,
    /// At the start and again after each wait (the app).
    Every(Duration),
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

/// What the service is asked.
#[derive(Debug)]
pub enum Request {
    /// A country's (`ADM0_A3`) newest articles, with their topics and stories.
    Articles(String),
    /// The articles matching a query's words (see [`Store::search`]).
    Search(String),
    /// Open an article: this opening's page, read and translated.
    Page(Box<Article>, u64),
    /// The article view closed: its page's work stops.
    ClosePage,
    /// A picture, fitted in a box of this size.
    Picture(String, (u32, u32)),
}

/// What the service sends, unasked (counts, progress, stories) or in answer to a
/// [`Request`]. Errors arrive as their messages: the receiver shows them, it does not match
/// on them.
#[derive(Debug)]
pub enum Reply {
    /// Articles per country from the last 24 hours.
    Counts(HashMap<String, usize>),
    /// How many articles the store holds in all.
    Stored(usize),
    /// What the store remembers of earlier runs: the last success and the feeds failing.
    Health {
        last_update: Option<i64>,
        failing: usize,
    },
    /// A refresh's progress: feeds done, of all, and the outlet of the last one done.
    Progress {
        done: usize,
        total: usize,
        outlet: Option<String>,
    },
    /// A refresh ended, with its report; the stories and counts have been sent again first.
    Refreshed(Result<IngestReport, String>),
    Articles(String, Result<CountryNews, String>),
    Stories(WorldStories),
    Search(String, Result<Vec<Article>, String>),
    /// Of the page of this opening (see [`Request::Page`]).
    Page(u64, PageEvent),
    /// The story of this opening's article, where others tell it too.
    PageStory(u64, Arc<StoryView>),
    Picture(String, (u32, u32), Result<Arc<Picture>, String>),
    /// The store could not be opened or read; the service tries again.
    StoreError(String),
    /// A background task panicked and starts again after a pause.
    Failed(String),
}

/// Called after each reply is sent, from the service's threads: an app that rests until
/// something happens wakes here.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// The service's handle: send [`Request`]s, take [`Reply`]s. Dropping it stops the service.
pub struct NewsService {
    requests: UnboundedSender<Request>,
    replies: UnboundedReceiver<Reply>,
    thread: std::thread::JoinHandle<()>,
}

impl NewsService {
    /// Starts the IO thread; `wake` hears of each reply.
    pub fn start(options: NewsOptions, wake: Wake) -> std::io::Result<Self> {
        let (requests, request_rx) = unbounded_channel();
        let (sender, replies) = unbounded_channel();
        let replies_tx = Replies { sender, wake };
        let thread = std::thread::Builder::new()
            .name("news-io".into())
            .spawn(move || io_thread(options, request_rx, replies_tx))?;
        Ok(Self {
            requests,
            replies,
            thread,
        })
    }

    /// Asks the service; it answers with a [`Reply`]. A service that has stopped (its
    /// thread could not start a runtime) answers nothing.
    pub fn send(&self, request: Request) {
        let _ = self.requests.send(request);
    }

    /// The next reply that has come, without waiting.
    pub fn try_recv(&mut self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }

    /// Waits for the next reply inside an async runtime; `None` once the service has stopped.
    pub async fn recv(&mut self) -> Option<Reply> {
        self.replies.recv().await
    }

    /// Stops the service and waits for its thread: a refresh stops at its next pause, after
    /// the feed it is storing is committed (each feed is one transaction).
    pub fn stop(self) {
        let Self {
            requests,
            replies,
            thread,
        } = self;
        drop(requests);
        drop(replies);
        let _ = thread.join();
    }

    /// Waits for the next reply; `None` once the service has stopped. Not for use inside an
    /// async runtime.
    pub fn recv_blocking(&mut self) -> Option<Reply> {
        self.replies.blocking_recv()
    }
}

/// The IO thread's end of the replies channel.
#[derive(Clone)]
struct Replies {
    sender: UnboundedSender<Reply>,
    wake: Wake,
}

impl Replies {
    /// Sends `reply` and wakes the receiver; fails only when the receiver has gone.
    fn send(&self, reply: Reply) -> Result<(), Gone> {
        self.sender.send(reply).map_err(|_| Gone)?;
        (self.wake)();
        Ok(())
    }
}

/// The receiver dropped its end of the replies channel: it is quitting.
#[derive(Debug)]
struct Gone;

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
            Ok(Served::Gone) => return,
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
    /// The caller dropped its end of the requests channel: it is quitting.
    Gone,
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
    let mut reader = match Store::open_at(&options.store) {
        Ok(reader) => reader,
        Err(e) => {
            let _ = replies.send(Reply::StoreError(e.to_string()));
            return Served::NoStore;
        }
    };
    send_counts(&reader, replies);
    send_health(&reader, replies);
    let pages = Pages::new(options);
    let mut followed = None;
    let mut world = match options.stories {
        Stories::Off => Coverage::new(HORIZON_SECONDS),
        Stories::Followed => {
            let (written, world) = read_shared(&reader, replies);
            followed = written;
            world.unwrap_or_else(|| Coverage::new(HORIZON_SECONDS))
        }
        Stories::Clustered | Stories::Shared => {
            let world = Coverage::load(&reader, crate::news::now(), HORIZON_SECONDS)
                .unwrap_or_else(|e| {
                    let _ = replies.send(Reply::StoreError(e.to_string()));
                    Coverage::new(HORIZON_SECONDS)
                });
            if options.stories == Stories::Shared {
                share(&world, &mut reader, replies);
            }
            world
        }
    };
    if options.stories != Stories::Off {
        send_stories(&world, replies);
    }
    let mut follow = tokio::time::interval(FOLLOW_EVERY);
    follow.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The refresh reports here rather than to the app, so that the stories are brought up to
    // date before the app hears that the refresh is over and asks again.
    let (refreshed, mut refreshes) = unbounded_channel();
    let every = match options.refresh {
        Refresh::Never => None,
        Refresh::Once => Some(None),
        Refresh::Every(wait) => Some(Some(wait)),
    };
    let _refresher = every.map(|every| {
        let (options, failures) = (options.clone(), replies.clone());
        let replies = replies.clone();
        let make = move || refresh(options.clone(), every, replies.clone(), refreshed.clone());
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
                None => return Served::Gone,
            },
            _ = follow.tick(), if options.stories == Stories::Followed => {
                // One query a tick; the stories are read again only when the ingest wrote.
                match reader.stories_written() {
                    Ok(written) if written != followed => {
                        let (written, read) = read_shared(&reader, replies);
                        if let Some(read) = read {
                            world = read;
                            followed = written;
                            send_stories(&world, replies);
                        }
                        send_counts(&reader, replies);
                        send_health(&reader, replies);
                    }
                    Ok(_) => send_health(&reader, replies),
                    Err(e) => {
                        let _ = replies.send(Reply::StoreError(e.to_string()));
                    }
                }
            }
            Some(report) = refreshes.recv() => {
                if matches!(options.stories, Stories::Clustered | Stories::Shared) {
                    if let Err(e) = world.update(&reader, crate::news::now()) {
                        let _ = replies.send(Reply::StoreError(e.to_string()));
                    }
                    if options.stories == Stories::Shared {
                        share(&world, &mut reader, replies);
                    }
                    send_stories(&world, replies);
                }
                send_counts(&reader, replies);
                if replies.send(Reply::Refreshed(report)).is_err() {
                    return Served::Gone;
                }
            }
        }
    }
}

fn answer(request: Request, reader: &Store, world: &Coverage, pages: &Pages, replies: &Replies) {
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
fn country_news(world: &Coverage, country: String, articles: Vec<Article>) -> CountryNews {
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

fn send_stories(world: &Coverage, replies: &Replies) {
    let since = crate::news::now() - CURRENT_SECONDS;
    let listed = |stories: Vec<StoryView>| stories.into_iter().map(Arc::new).collect();
    let top = listed(world.top(since, WORLD_MIN_COUNTRIES, None, WORLD_STORIES));
    let blindspots = listed(world.blindspots(since, WORLD_MIN_COUNTRIES, WORLD_STORIES));
    let _ = replies.send(Reply::Stories(WorldStories { top, blindspots }));
}

/// Fetches every feed into the store, once or again after each wait, embedding what reads
/// in English where there is a sentence model, and reports each refresh's end to `refreshed`.
async fn refresh(
    options: NewsOptions,
    every: Option<Duration>,
    replies: Replies,
    refreshed: UnboundedSender<Result<IngestReport, String>>,
) {
    let (sources, translator, config) = (
        options.catalog.sources(),
        options.translator,
        options.fetch_config,
    );
    // Like the reader, a writer that cannot open the store tries again rather than leaving
    // the app without fresh news for the rest of its run.
    let mut store = loop {
        match Store::open_at(&options.store) {
            Ok(store) => break store,
            Err(e) => {
                if replies.send(Reply::StoreError(e.to_string())).is_err() {
                    return;
                }
                tokio::time::sleep(RESTART_DELAY).await;
            }
        }
    };
    let model = match options.sentence_model {
        Some(dir) => Some(load_sentence_model(dir).await),
        None => None,
    };
    loop {
        let total = sources.len();
        let mut done = 0;
        let _ = replies.send(Reply::Progress {
            done,
            total,
            outlet: None,
        });
        let report = ingest::ingest(&mut store, &sources, &config, Some(&translator), |fed| {
            done += 1;
            let _ = replies.send(Reply::Progress {
                done,
                total,
                outlet: Some(fed.source.outlet.clone()),
            });
        })
        .await
        .map_err(|e| e.to_string());
        let report = match (report, &model) {
            (Ok(mut report), Some(Ok(model))) => {
                let since = crate::news::now() - HORIZON_SECONDS;
                ingest::embed_unembedded(&mut store, model, since, &mut report)
                    .await
                    .map(|()| report)
                    .map_err(|e| e.to_string())
            }
            (Ok(mut report), Some(Err(failed))) => {
                report.sentence_failure = Some(failed.clone());
                Ok(report)
            }
            (report, _) => report,
        };
        if refreshed.send(report).is_err() {
            return;
        }
        let Some(wait) = every else {
            return;
        };
        tokio::time::sleep(wait).await;
    }
}

/// The sentence model from its folder, loaded on a blocking thread (a second or so), or why
/// it could not be.
async fn load_sentence_model(dir: PathBuf) -> Result<Arc<SentenceModel>, String> {
    match tokio::task::spawn_blocking(move || SentenceModel::load(&dir)).await {
        Ok(Ok(model)) => Ok(Arc::new(model)),
        Ok(Err(error)) => Err(error.to_string()),
        Err(crashed) => Err(format!(
            "the sentence model crashed while loading: {crashed}"
        )),
    }
}

/// Sends what the store remembers of the feeds: the last success and how many are failing. A
/// screen hears from it that the store answers again after an outage.
fn send_health(store: &Store, replies: &Replies) {
    if let Ok(health) = store.feed_health() {
        let _ = replies.send(Reply::Health {
            last_update: health.iter().filter_map(|(_, s)| s.last_success).max(),
            failing: health
                .iter()
                .filter(|(_, s)| s.consecutive_failures > 0)
                .count(),
        });
    }
}

/// The stories an ingest wrote into a shared store, and when; `(None, None)` before any were
/// written, `(_, None)` when they could not be read (the error is sent).
fn read_shared(store: &Store, replies: &Replies) -> (Option<i64>, Option<Coverage>) {
    match Coverage::load_shared(store, crate::news::now(), HORIZON_SECONDS) {
        Ok(Some((written, world))) => (Some(written), Some(world)),
        Ok(None) => (None, Some(Coverage::new(HORIZON_SECONDS))),
        Err(e) => {
            let _ = replies.send(Reply::StoreError(e.to_string()));
            (None, None)
        }
    }
}

/// Writes the stories into the store for the screens that read it.
fn share(world: &Coverage, store: &mut Store, replies: &Replies) {
    if let Err(e) = world.share(store, crate::news::now()) {
        let _ = replies.send(Reply::StoreError(e.to_string()));
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
mod service_tests {
    use super::*;
    use crate::news::catalog::{Outlet, Ownership};
    use crate::news::translate::Backend;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    /// A feed server on 127.0.0.1 answering every path with the same RSS of `items` items.
    fn feed_server(items: usize) -> u16 {
        feed_server_of("outlet", items)
    }

    /// The same, its items' links on `site`.
    fn feed_server_of(site: &str, items: usize) -> u16 {
        let server = crate::news::loopback::loopback_server();
        let port = server.server_addr().to_ip().expect("an IP address").port();
        // Undated: each is dated when first seen, well inside the store's retention.
        let body: String = (0..items)
            .map(|i| {
                format!(
                    "<item><title>Harbour strike day {i}</title>\
                     <link>https://{site}.example/{i}</link></item>"
                )
            })
            .collect();
        let rss = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>{body}\
             </channel></rss>"
        );
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let _ = request.respond(tiny_http::Response::from_string(rss.clone()));
            }
        });
        port
    }

    fn options(store: PathBuf, port: u16, refresh: Refresh) -> NewsOptions {
        let store = StoreAt::File(store);
        let outlet = Outlet {
            name: "Daily Nation".into(),
            country: "KEN".into(),
            homepage: "https://outlet.example".into(),
            feeds: vec![format!("http://127.0.0.1:{port}/rss")],
            language: "en".into(),
            english: true,
            ownership: Ownership::Private,
        };
        NewsOptions {
            store,
            catalog: Catalog {
                outlets: vec![outlet],
            },
            refresh,
            translator: Arc::new(Translator::new(Backend::None, Default::default()).unwrap()),
            fetch_config: FetchConfig::default(),
            fetch_pages: false,
            stories: Stories::Clustered,
            sentence_model: None,
        }
    }

    /// Replies until one `wanted` picks, or ten seconds.
    fn wait_for<T>(service: &mut NewsService, mut wanted: impl FnMut(Reply) -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            match service.try_recv() {
                Some(reply) => {
                    if let Some(found) = wanted(reply) {
                        return found;
                    }
                }
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        panic!("no such reply within ten seconds");
    }

    #[test]
    fn one_refresh_fills_the_store_and_the_answers_come_from_it() {
        let scratch = tempfile::tempdir().unwrap();
        let port = feed_server(3);
        let wakes = Arc::new(AtomicUsize::new(0));
        let woken = wakes.clone();
        // As the `fetch` command runs it: one refresh, no stories.
        let mut options = options(scratch.path().join("news.sqlite"), port, Refresh::Once);
        options.stories = Stories::Off;
        let mut service = NewsService::start(
            options,
            Arc::new(move || {
                woken.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .unwrap();

        let mut outlets = Vec::new();
        let report = wait_for(&mut service, |reply| match reply {
            Reply::Progress { outlet, total, .. } => {
                assert_eq!(total, 1);
                outlets.extend(outlet);
                None
            }
            Reply::Refreshed(report) => Some(report),
            Reply::Stories(_) => panic!("a service without stories clustered the store"),
            _ => None,
        });
        let report = report.expect("the refresh ends well");
        assert_eq!((report.fetched, report.new_articles), (1, 3));
        assert_eq!(outlets, ["Daily Nation"]);

        service.send(Request::Articles("KEN".into()));
        let listed = wait_for(&mut service, |reply| match reply {
            Reply::Articles(country, listed) => Some((country, listed)),
            _ => None,
        });
        assert_eq!(listed.0, "KEN");
        let listed = listed.1.unwrap();
        let mut titles: Vec<_> = listed.articles.iter().map(|a| a.title.as_str()).collect();
        titles.sort();
        assert_eq!(
            titles,
            [
                "Harbour strike day 0",
                "Harbour strike day 1",
                "Harbour strike day 2"
            ]
        );
        assert_eq!(listed.topics.len(), 3, "a topic set per article");

        service.send(Request::Search("strike".into()));
        let found = wait_for(&mut service, |reply| match reply {
            Reply::Search(query, found) => Some((query, found.unwrap().len())),
            _ => None,
        });
        assert_eq!(found, ("strike".into(), 3));
        assert!(
            wakes.load(Ordering::SeqCst) >= 5,
            "every reply wakes the receiver"
        );
    }

    /// One refresh with `sentence_model`, and the stories sent after it.
    fn refresh_with(sentence_model: PathBuf) -> (tempfile::TempDir, IngestReport, WorldStories) {
        let scratch = tempfile::tempdir().unwrap();
        let mut options = options(
            scratch.path().join("news.sqlite"),
            feed_server(3),
            Refresh::Once,
        );
        options.sentence_model = Some(sentence_model);
        let mut service = NewsService::start(options, Arc::new(|| ())).unwrap();
        let mut stories = None;
        let report = wait_for(&mut service, |reply| match reply {
            Reply::Stories(sent) => {
                stories = Some(sent);
                None
            }
            Reply::Refreshed(report) => Some(report),
            _ => None,
        });
        let report = report.expect("the refresh ends well");
        (
            scratch,
            report,
            stories.expect("stories before the refresh's end"),
        )
    }

    #[test]
    fn a_sentence_model_that_cannot_be_loaded_is_reported_and_news_comes_all_the_same() {
        let (scratch, report, stories) = refresh_with(PathBuf::from("/nowhere/sentence-model"));
        assert_eq!(report.new_articles, 3);
        let failure = report.sentence_failure.expect("the failure is reported");
        assert!(
            failure.contains("/nowhere/sentence-model/config.json"),
            "{failure}"
        );
        assert_eq!(report.embedded, 0);
        // The three reports of one strike are one story by their words.
        let store = Store::open(&scratch.path().join("news.sqlite")).unwrap();
        assert!(store.sentences_since(0).unwrap().is_empty());
        assert!(
            stories.top.is_empty(),
            "one country's story is no world story"
        );
    }

    #[test]
    fn a_refresh_embeds_what_it_fetched_where_there_is_a_sentence_model() {
        if crate::news::sentences::test_model().is_none() {
            return;
        }
        let dir = std::env::var_os("NEWSGLOBE_SENTENCE_MODEL").map(PathBuf::from);
        let (scratch, report, _) = refresh_with(dir.expect("the model's folder"));
        assert_eq!((report.embedded, report.sentence_failure), (3, None));
        let store = Store::open(&scratch.path().join("news.sqlite")).unwrap();
        let stored = store.sentences_since(0).unwrap();
        assert_eq!(stored.len(), 3);
        let world = Coverage::load(&store, crate::news::now(), HORIZON_SECONDS).unwrap();
        assert_eq!(world.len(), 3);
    }

    #[test]
    fn a_store_that_cannot_be_opened_is_reported_and_nothing_is_fetched() {
        let scratch = tempfile::tempdir().unwrap();
        let port = feed_server(1);
        // A folder where the store's file should be.
        let store = scratch.path().join("news.sqlite");
        std::fs::create_dir_all(&store).unwrap();
        let mut service =
            NewsService::start(options(store, port, Refresh::Once), Arc::new(|| ())).unwrap();
        let error = wait_for(&mut service, |reply| match reply {
            Reply::StoreError(e) => Some(e),
            Reply::Refreshed(_) => panic!("nothing can be refreshed without a store"),
            _ => None,
        });
        assert!(error.contains("news.sqlite"), "{error}");
    }

    #[test]
    fn a_service_that_never_refreshes_still_answers_from_the_store() {
        let scratch = tempfile::tempdir().unwrap();
        let store = scratch.path().join("news.sqlite");
        let mut service =
            NewsService::start(options(store, 9, Refresh::Never), Arc::new(|| ())).unwrap();
        let stored = wait_for(&mut service, |reply| match reply {
            Reply::Stored(stored) => Some(stored),
            Reply::Progress { .. } => panic!("a service that never refreshes fetched"),
            _ => None,
        });
        assert_eq!(stored, 0);
        let stories = wait_for(&mut service, |reply| match reply {
            Reply::Stories(stories) => Some(stories.top.len()),
            _ => None,
        });
        assert_eq!(
            stories, 0,
            "an empty store's stories are sent, and are none"
        );
        service.send(Request::Articles("KEN".into()));
        let listed = wait_for(&mut service, |reply| match reply {
            Reply::Articles(_, listed) => Some(listed.unwrap().articles.len()),
            Reply::Progress { .. } => panic!("a service that never refreshes fetched"),
            _ => None,
        });
        assert_eq!(listed, 0);
    }

    #[test]
    fn a_screen_on_a_shared_store_shows_the_ingests_stories_and_rides_out_a_restart() {
        use crate::news::store::PgSettings;
        use crate::news::store::pg::local::LocalServer;
        if crate::news::store::test_support::test_server().is_none() {
            return;
        }
        let mut server = LocalServer::start().unwrap();
        let database = server.create_database("screen").unwrap();
        let local = tempfile::tempdir().unwrap();
        let settings =
            PgSettings::from_url(&server.url(&database), None, Some(server.password())).unwrap();
        let at = StoreAt::Shared {
            server: settings,
            local: local.path().to_owned(),
        };
        // The ingest: two countries' outlets telling the same story, one refresh.
        let mut ingest = options(PathBuf::new(), feed_server_of("nation", 3), Refresh::Once);
        ingest.store = at.clone();
        ingest.stories = Stories::Shared;
        let mut second = ingest.catalog.outlets[0].clone();
        second.name = "The Citizen".into();
        second.country = "TZA".into();
        second.feeds = vec![format!(
            "http://127.0.0.1:{}/rss",
            feed_server_of("citizen", 3)
        )];
        ingest.catalog.outlets.push(second);
        let mut ingest = NewsService::start(ingest, Arc::new(|| ())).unwrap();
        let written = wait_for(&mut ingest, |reply| match reply {
            Reply::Stories(stories) if !stories.top.is_empty() => Some(stories),
            _ => None,
        });
        let shown = |stories: &WorldStories| -> Vec<(String, Vec<String>)> {
            stories
                .top
                .iter()
                .map(|s| {
                    (
                        s.headline.title.clone(),
                        s.countries().map(str::to_owned).collect(),
                    )
                })
                .collect()
        };
        ingest.stop();

        // A screen: never fetches, follows what the ingest wrote.
        let mut screen = options(PathBuf::new(), 9, Refresh::Never);
        screen.store = at;
        screen.stories = Stories::Followed;
        let mut screen = NewsService::start(screen, Arc::new(|| ())).unwrap();
        let followed = wait_for(&mut screen, |reply| match reply {
            Reply::Stories(stories) => Some(stories),
            Reply::Progress { .. } => panic!("a screen on a shared store fetched"),
            _ => None,
        });
        assert_eq!(shown(&followed), shown(&written));
        assert_eq!(shown(&followed)[0].1, ["KEN", "TZA"]);

        // The database goes down: the screen hears of it, then reads again once it is back.
        server.stop().unwrap();
        screen.send(Request::Articles("KEN".into()));
        let error = wait_for(&mut screen, |reply| match reply {
            Reply::Articles(_, Err(e)) | Reply::StoreError(e) => Some(e),
            _ => None,
        });
        assert!(error.contains("postgres://"), "{error}");
        server.start_again().unwrap();
        screen.send(Request::Articles("KEN".into()));
        let listed = wait_for(&mut screen, |reply| match reply {
            Reply::Articles(_, Ok(listed)) => Some(listed.articles.len()),
            _ => None,
        });
        assert_eq!(listed, 3);
    }
}
