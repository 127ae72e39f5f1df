//! Ingest: fetch every feed, parse it, and commit its new items to the store, one feed at a
//! time, so that one bad feed never stops the others and a killed run loses nothing already
//! committed.
//!
//! Fetching and parsing run concurrently (bounded by `FetchConfig::concurrency`); results
//! come back to this one loop, the store's only writer, in the order they finish. A feed
//! whose reader panics fails alone. Feeds waiting out a back-off after failures are skipped,
//! and the run ends by `FetchConfig::run_budget` whatever still hangs.
//!
//! Then, given a translator, the articles not in English are translated: each text once,
//! through the store's translation cache. A translation that fails loses nothing: the
//! articles stay stored in their own language and are tried again on the next run. Last,
//! given the sentence model, [`embed_unembedded`] embeds what now reads in English, for
//! story clustering; a failure there loses nothing either.

use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use url::Url;

use super::fetch::{self, FetchConfig, FetchError, Fetched};
use super::parse::{self, ParseError};
use super::sentences::{self, SentenceModel};
use super::store::{FeedState, Store, StoreError};
use super::translate::Translator;
use super::{Article, FeedItem, FeedSource, language, world};

/// The language translations are made into.
const ENGLISH: &str = "en";

/// How many untranslated articles of each language one run takes on, newest first; the rest
/// wait for the next run. A first run over the whole catalog finds a few thousand articles
/// spread over some forty languages, which fits; the bound keeps a run over a backlog (a
/// translator that was down for days) from going on for hours on a slow local backend.
const TRANSLATE_PER_LANGUAGE: usize = 10_000;

/// Articles per translator call and per commit: work is kept after each, so a failure or a
/// killed run loses at most this many articles' translations (the cache keeps the rest).
const TRANSLATE_CHUNK: usize = 50;

/// How many articles one run embeds at most, newest first: a first run over the whole
/// catalog's last three days finds some ten thousand (about a minute and a half at 7 ms
/// each); the rest wait for the next run.
const EMBED_PER_RUN: usize = 20_000;

/// Articles per run of the sentence model and per commit: work is kept after each.
const EMBED_CHUNK: usize = 64;

/// What happened to one feed.
#[derive(Clone, Debug, PartialEq)]
pub enum FeedOutcome {
    /// Fetched and parsed; this many items were new to the store.
    New(usize),
    /// The server said the feed has not changed since the last fetch.
    NotModified,
    /// Fetching or parsing failed; the reason, for the user.
    Failed(String),
    /// Not tried: the feed has been failing and is not due again until this Unix time.
    BackedOff(i64),
    /// Not started before the run's time was up; it is tried on the next run.
    NotReached,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FeedResult {
    pub source: FeedSource,
    pub outcome: FeedOutcome,
}

/// The summary of one run over the feeds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IngestReport {
    pub fetched: usize,
    pub not_modified: usize,
    pub failed: Vec<(FeedSource, String)>,
    /// Feeds skipped because they have been failing and are not due yet.
    pub backed_off: usize,
    /// Feeds not started before the run's time was up.
    pub not_reached: usize,
    pub new_articles: usize,
    /// Articles past the retention window, removed at the end of the run.
    pub pruned: usize,
    /// Articles given their English title and summary this run.
    pub translated: usize,
    /// Each language whose translation failed this run, with the reason. Its articles stay
    /// stored untranslated and are tried again on the next run.
    pub translation_failures: Vec<(String, String)>,
    /// Texts (titles, summaries) whose translation was already in the cache.
    pub cache_hits: usize,
    /// Texts sent to the translator, whether or not it managed them.
    pub translation_requests: usize,
    /// Articles given their sentence embedding this run.
    pub embedded: usize,
    /// Why the sentence model could not be loaded or run this run; the articles it did not
    /// embed are clustered by their words, and tried again on the next run.
    pub sentence_failure: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot set up HTTP: {0}")]
    Client(fetch::FetchError),
}

/// Why one feed failed, as its health records it.
#[derive(Debug, thiserror::Error)]
enum FeedError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("the feed's reader crashed: {0}")]
    ReaderCrashed(String),
    #[error("no answer within the run's {0:?}")]
    RunOutOfTime(Duration),
}

enum Parsed {
    NotModified,
    Items {
        items: Vec<FeedItem>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// What reads a feed's body: [`parse::parse_feed`], except in tests that need one to panic.
type Reader = fn(&[u8], Option<&str>, &Url) -> Result<Vec<FeedItem>, ParseError>;

/// Fetches the due `sources` into `store`, calling `progress` as each feed is done with
/// (skipped ones included), then translates the articles not yet in English with
/// `translator`, if given and not off.
pub async fn ingest(
    store: &mut Store,
    sources: &[FeedSource],
    config: &FetchConfig,
    translator: Option<&Translator>,
    progress: impl FnMut(&FeedResult),
) -> Result<IngestReport, IngestError> {
    ingest_with(
        store,
        sources,
        config,
        translator,
        progress,
        parse::parse_feed,
    )
    .await
}

async fn ingest_with(
    store: &mut Store,
    sources: &[FeedSource],
    config: &FetchConfig,
    translator: Option<&Translator>,
    mut progress: impl FnMut(&FeedResult),
    reader: Reader,
) -> Result<IngestReport, IngestError> {
    let client = fetch::client(config).map_err(IngestError::Client)?;
    let mut report = IngestReport::default();
    let started_at = super::now();
    let latest_success = store.latest_success()?;
    let mut jobs = Vec::with_capacity(sources.len());
    for source in sources {
        let state = store.feed_state(&source.feed_url)?;
        match config.next_attempt(&state, latest_success) {
            Some(due) if due > started_at => {
                report.backed_off += 1;
                progress(&FeedResult {
                    source: source.clone(),
                    outcome: FeedOutcome::BackedOff(due),
                });
            }
            _ => jobs.push((source.clone(), state)),
        }
    }
    // The feeds that have been working go first: one that stalls, most likely one that
    // failed before, then holds up no other.
    jobs.sort_by_key(|(_, state)| state.consecutive_failures);
    let queued: Vec<FeedSource> = jobs.iter().map(|(source, _)| source.clone()).collect();

    let started: Vec<AtomicBool> = jobs.iter().map(|_| AtomicBool::new(false)).collect();
    let mut done = vec![false; jobs.len()];
    let deadline = tokio::time::Instant::now() + config.run_budget;
    let (client, started_ref) = (&client, &started);
    let mut finished = futures_util::stream::iter(jobs.into_iter().enumerate())
        .map(|(i, (source, state))| async move {
            started_ref[i].store(true, Ordering::Relaxed);
            let parsed = fetch_and_parse(client, &source.feed_url, &state, config, reader).await;
            (i, parsed)
        })
        .buffer_unordered(config.concurrency.max(1));
    // Out of time, the feeds still in flight are dropped with the stream.
    while let Ok(Some((i, parsed))) = tokio::time::timeout_at(deadline, finished.next()).await {
        done[i] = true;
        let outcome = record(store, &queued[i], parsed, &mut report)?;
        progress(&FeedResult {
            source: queued[i].clone(),
            outcome,
        });
    }
    drop(finished);
    for (i, source) in queued.iter().enumerate().filter(|(i, _)| !done[*i]) {
        let outcome = if started[i].load(Ordering::Relaxed) {
            let late = Err(FeedError::RunOutOfTime(config.run_budget));
            record(store, source, late, &mut report)?
        } else {
            report.not_reached += 1;
            FeedOutcome::NotReached
        };
        progress(&FeedResult {
            source: source.clone(),
            outcome,
        });
    }

    if let Some(translator) = translator {
        translate_untranslated(store, translator, &mut report).await?;
    }
    let before = store.retention_start(super::now());
    report.pruned = store.prune(before)?;
    // The pictures kept for articles the store has just forgotten go with them.
    super::images::prune(&super::images::cache_dir(store.at().local_folder()), before);
    Ok(report)
}

/// Stores one feed's result and its health, and counts it in `report`.
fn record(
    store: &mut Store,
    source: &FeedSource,
    parsed: Result<Parsed, FeedError>,
    report: &mut IngestReport,
) -> Result<FeedOutcome, StoreError> {
    let now = super::now();
    let url = source.feed_url.as_str();
    Ok(match parsed {
        Ok(Parsed::NotModified) => {
            store.record_success(url, None, None, true, now)?;
            report.not_modified += 1;
            FeedOutcome::NotModified
        }
        Ok(Parsed::Items {
            items,
            etag,
            last_modified,
        }) => {
            let new = store_items(store, source, &items, now)?;
            store.record_success(url, etag.as_deref(), last_modified.as_deref(), false, now)?;
            report.fetched += 1;
            report.new_articles += new;
            FeedOutcome::New(new)
        }
        Err(error) => {
            let reason = error.to_string();
            store.record_failure(url, &reason, now)?;
            report.failed.push((source.clone(), reason.clone()));
            FeedOutcome::Failed(reason)
        }
    })
}

/// Stores a feed's items (see [`Store::insert_items`]) and returns how many were new. Each
/// article is in the feed's declared language unless its text clearly says otherwise
/// ([`language::article_language`]): a feed declared English carries the odd Spanish report.
pub fn store_items(
    store: &mut Store,
    source: &FeedSource,
    items: &[FeedItem],
    now: i64,
) -> Result<usize, StoreError> {
    let items: Vec<(&FeedItem, String)> = items
        .iter()
        .map(|item| {
            let language = language::article_language(&source.language, &item.title, &item.summary);
            (item, language)
        })
        .collect();
    store.insert_items(source, &items, now)
}

/// Translates the stored articles not yet in English, a language at a time and
/// [`TRANSLATE_CHUNK`] articles at a call: texts already in the cache are not sent again,
/// and new translations go into it. The first failure in a language ends that language's
/// turn (the backend is down, or cannot do the language) and is recorded in `report`.
async fn translate_untranslated(
    store: &mut Store,
    translator: &Translator,
    report: &mut IngestReport,
) -> Result<(), StoreError> {
    // Translation is off by choice: nothing to do, and nothing failed.
    let Some(label) = translator.label() else {
        return Ok(());
    };
    let pending = store.untranslated(TRANSLATE_PER_LANGUAGE)?;
    // The store lists them language by language.
    for articles in pending.chunk_by(|a, b| a.language == b.language) {
        let Some(lang) = articles.first().map(|a| a.language.as_str()) else {
            continue;
        };
        for chunk in articles.chunks(TRANSLATE_CHUNK) {
            let texts = distinct_texts(chunk);
            let cached = store.cached_translations(lang, ENGLISH, &texts)?;
            let misses: Vec<String> = texts
                .iter()
                .zip(&cached)
                .filter(|(_, hit)| hit.is_none())
                .map(|(text, _)| (*text).to_owned())
                .collect();
            report.cache_hits += texts.len() - misses.len();
            report.translation_requests += misses.len();
            let fresh = match translator.translate(&misses, lang).await {
                Ok(fresh) => fresh,
                Err(error) => {
                    report
                        .translation_failures
                        .push((lang.to_owned(), error.to_string()));
                    break;
                }
            };
            let fresh: Vec<(&str, &str)> = misses
                .iter()
                .map(String::as_str)
                .zip(fresh.iter().map(String::as_str))
                .collect();
            store.cache_translations(lang, ENGLISH, &fresh, &label)?;
            let english: HashMap<&str, &str> = texts
                .iter()
                .zip(&cached)
                .filter_map(|(text, hit)| Some((*text, hit.as_deref()?)))
                .chain(fresh.iter().copied())
                .collect();
            // Every text sent or found is in the map; a blank one is its own translation.
            let translated: Vec<(i64, &str, &str)> = chunk
                .iter()
                .map(|a| {
                    let title = english.get(a.title.as_str()).copied();
                    let summary = english.get(a.summary.as_str()).copied();
                    (
                        a.id,
                        title.unwrap_or(&a.title),
                        summary.unwrap_or(&a.summary),
                    )
                })
                .collect();
            store.set_translations(&translated, &label)?;
            report.translated += chunk.len();
        }
    }
    Ok(())
}

/// Embeds the English title and summary of the stored articles published at or after
/// `since` that read in English and have no embedding yet, newest first, [`EMBED_CHUNK`] at a
/// time on a blocking thread (the model keeps a core busy for a while), committing each
/// chunk. The first failure of the model ends the run's embedding and is recorded in
/// `report`; a store error ends it too and is returned.
pub async fn embed_unembedded(
    store: &mut Store,
    model: &Arc<SentenceModel>,
    since: i64,
    report: &mut IngestReport,
) -> Result<(), StoreError> {
    let pending = store.unembedded(since, EMBED_PER_RUN)?;
    for chunk in pending.chunks(EMBED_CHUNK) {
        let texts: Vec<String> = chunk
            .iter()
            .map(|article| {
                let (title, summary) = world::english(article);
                sentences::article_text(title, summary)
            })
            .collect();
        let model = Arc::clone(model);
        let embedded = tokio::task::spawn_blocking(move || {
            model.embed(&texts.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .await;
        let vectors = match embedded {
            Ok(Ok(vectors)) => vectors,
            Ok(Err(error)) => {
                report.sentence_failure = Some(error.to_string());
                break;
            }
            Err(crashed) => {
                let why = match crashed.try_into_panic() {
                    Ok(panic) => super::panic_message(panic.as_ref()),
                    Err(cancelled) => cancelled.to_string(),
                };
                report.sentence_failure = Some(format!("the sentence model crashed: {why}"));
                break;
            }
        };
        let rows: Vec<(i64, Vec<f32>)> = chunk.iter().map(|a| a.id).zip(vectors).collect();
        store.set_sentences(&rows)?;
        report.embedded += rows.len();
    }
    Ok(())
}

/// The titles and summaries of `articles` to translate, each once, in order of appearance;
/// blank ones are left out, as there is nothing to translate.
fn distinct_texts(articles: &[Article]) -> Vec<&str> {
    let mut seen = HashSet::new();
    articles
        .iter()
        .flat_map(|a| [a.title.as_str(), a.summary.as_str()])
        .filter(|text| !text.trim().is_empty() && seen.insert(*text))
        .collect()
}

async fn fetch_and_parse(
    client: &reqwest::Client,
    url: &str,
    state: &FeedState,
    config: &FetchConfig,
    reader: Reader,
) -> Result<Parsed, FeedError> {
    match fetch::fetch(client, url, state, config).await? {
        Fetched::NotModified => Ok(Parsed::NotModified),
        Fetched::Body {
            bytes,
            content_type,
            etag,
            last_modified,
            url,
        } => Ok(Parsed::Items {
            items: read_guarded(|| reader(&bytes, content_type.as_deref(), &url))?,
            etag,
            last_modified,
        }),
    }
}

/// Runs `read` so that a panic in it (a reader bug on bytes nobody foresaw) is that feed's
/// failure rather than the end of the run. The default panic hook still prints the panic
/// once, which is what a bug report needs.
fn read_guarded(
    read: impl FnOnce() -> Result<Vec<FeedItem>, ParseError>,
) -> Result<Vec<FeedItem>, FeedError> {
    // The reader sees only the bytes and the address; nothing it could leave half-changed
    // outlives the call.
    catch_unwind(AssertUnwindSafe(read))
        .map_err(|panic| FeedError::ReaderCrashed(super::panic_message(panic.as_ref())))?
        .map_err(FeedError::Parse)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::AtomicUsize;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A feed of `items` undated items (dated when first seen, so always kept) under `path`;
    /// `marker` ends up in its text.
    fn rss(path: &str, items: usize, marker: &str) -> String {
        let items: String = (0..items)
            .map(|i| {
                format!(
                    "<item><title>{marker} story {i}</title>\
                     <link>https://outlet.example/{path}/{i}</link></item>"
                )
            })
            .collect();
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>{items}</channel></rss>"
        )
    }

    /// What a path answers: a status and a body, or nothing at all, ever.
    type Answer = Option<(u16, String)>;

    /// A server on 127.0.0.1 answering each path with `answer(path)`, counting requests
    /// per path; a request answered `None` is held open and never answered.
    struct Server {
        port: u16,
        hits: Arc<Mutex<HashMap<String, usize>>>,
    }

    impl Server {
        fn start(answer: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Self {
            let server = crate::news::loopback::loopback_server();
            let port = server.server_addr().to_ip().expect("an IP address").port();
            let hits = Arc::new(Mutex::new(HashMap::new()));
            let seen = hits.clone();
            std::thread::spawn(move || {
                let mut held = Vec::new();
                for request in server.incoming_requests() {
                    let path = request.url().trim_start_matches('/').to_owned();
                    *seen.lock().unwrap().entry(path.clone()).or_insert(0) += 1;
                    match answer(&path) {
                        Some((status, body)) => {
                            let response =
                                tiny_http::Response::from_string(body).with_status_code(status);
                            let _ = request.respond(response);
                        }
                        None => held.push(request),
                    }
                }
            });
            Self { port, hits }
        }

        fn source(&self, path: &str) -> FeedSource {
            FeedSource {
                feed_url: format!("http://127.0.0.1:{}/{path}", self.port),
                outlet: format!("Outlet {path}"),
                country: "KEN".into(),
                language: "en".into(),
            }
        }

        fn hits(&self, path: &str) -> usize {
            self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
        }
    }

    /// A store of its own in a temporary folder, removed when the folder is dropped.
    fn scratch_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("news.sqlite")).unwrap();
        (dir, store)
    }

    fn config() -> FetchConfig {
        FetchConfig {
            concurrency: 4,
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            retries: 0,
            ..FetchConfig::default()
        }
    }

    fn run(
        store: &mut Store,
        sources: &[FeedSource],
        config: &FetchConfig,
        reader: Reader,
    ) -> (IngestReport, Vec<FeedResult>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut results = Vec::new();
        let report = runtime
            .block_on(ingest_with(
                store,
                sources,
                config,
                None,
                |done| results.push(done.clone()),
                reader,
            ))
            .unwrap();
        (report, results)
    }

    /// The real reader, except that it panics on a feed that says CRASH.
    fn crashing_reader(
        body: &[u8],
        content_type: Option<&str>,
        base: &Url,
    ) -> Result<Vec<FeedItem>, ParseError> {
        if body.windows(5).any(|w| w == b"CRASH") {
            panic!("index 7 out of range for the CRASH feed");
        }
        parse::parse_feed(body, content_type, base)
    }

    #[test]
    fn a_panicking_reader_costs_only_its_feed() {
        let server = Server::start(|path| {
            let marker = if path == "crash" { "CRASH" } else { "Calm" };
            Some((200, rss(path, 3, marker)))
        });
        let sources: Vec<FeedSource> = ["a", "crash", "b"]
            .iter()
            .map(|p| server.source(p))
            .collect();
        let (_scratch, mut store) = scratch_store();

        let (report, results) = run(&mut store, &sources, &config(), crashing_reader);

        let reason = "the feed's reader crashed: index 7 out of range for the CRASH feed";
        assert_eq!(report.failed, [(sources[1].clone(), reason.to_owned())]);
        assert_eq!((report.fetched, report.new_articles), (2, 6));
        assert_eq!(store.article_count().unwrap(), 6);
        assert_eq!(results.len(), 3, "every feed reported: {results:?}");
        let crashed = store.feed_state(&sources[1].feed_url).unwrap();
        assert_eq!(crashed.consecutive_failures, 1);
        assert_eq!(crashed.last_error.as_deref(), Some(reason));
        assert_eq!(
            store
                .feed_state(&sources[2].feed_url)
                .unwrap()
                .consecutive_failures,
            0
        );
    }

    #[test]
    fn read_guarded_passes_results_and_errors_through() {
        let items = read_guarded(|| Ok(vec![FeedItem::default()])).unwrap();
        assert_eq!(items.len(), 1);
        let base = Url::parse("http://127.0.0.1/").unwrap();
        let error = read_guarded(|| parse::parse_feed(b"{", None, &base)).unwrap_err();
        assert!(matches!(error, FeedError::Parse(_)), "{error:?}");
        let error = read_guarded(|| panic!("{} went wrong", "something")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the feed's reader crashed: something went wrong"
        );
    }

    #[test]
    fn a_failing_feed_waits_its_turn_and_is_tried_again_when_due() {
        let fixed = Arc::new(AtomicBool::new(false));
        let server = {
            let fixed = fixed.clone();
            Server::start(move |path| match path {
                "dead" if !fixed.load(Ordering::SeqCst) => Some((500, "down".into())),
                _ => Some((200, rss(path, 2, "Calm"))),
            })
        };
        let sources = [server.source("good"), server.source("dead")];
        let dead = sources[1].feed_url.as_str();
        let (_scratch, mut store) = scratch_store();
        let hour = Duration::from_secs(3600);
        let config = FetchConfig {
            failing_wait: hour,
            ..config()
        };

        let (first, _) = run(&mut store, &sources, &config, parse::parse_feed);
        assert_eq!((first.fetched, first.failed.len()), (1, 1));
        let failed_at = store.feed_state(dead).unwrap().last_attempt.unwrap();

        // Within the hour: skipped, not asked, and reported as waiting until it is over.
        let (second, results) = run(&mut store, &sources, &config, parse::parse_feed);
        assert_eq!((second.backed_off, second.failed.len()), (1, 0));
        assert_eq!(server.hits("dead"), 1);
        assert!(results.contains(&FeedResult {
            source: sources[1].clone(),
            outcome: FeedOutcome::BackedOff(failed_at + 3600),
        }));

        // A second failure three hours ago waited out its two hours: due, tried, failing.
        let now = crate::news::now();
        store
            .record_failure(dead, "HTTP 500", now - 3 * 3600)
            .unwrap();
        let (third, _) = run(&mut store, &sources, &config, parse::parse_feed);
        assert_eq!((third.backed_off, third.failed.len()), (0, 1));
        assert_eq!(server.hits("dead"), 2);
        let state = store.feed_state(dead).unwrap();
        assert_eq!(state.consecutive_failures, 3);
        assert_eq!(
            config.next_attempt(&state, store.latest_success().unwrap()),
            Some(state.last_attempt.unwrap() + 4 * 3600)
        );

        // Fixed, and tried regardless of the wait: one success forgets the failures.
        fixed.store(true, Ordering::SeqCst);
        let now_config = FetchConfig {
            failing_wait: Duration::ZERO,
            ..config.clone()
        };
        let (fourth, _) = run(&mut store, &sources, &now_config, parse::parse_feed);
        assert_eq!(
            (fourth.backed_off, fourth.failed.len(), fourth.fetched),
            (0, 0, 2)
        );
        assert_eq!(server.hits("dead"), 3);
        let state = store.feed_state(dead).unwrap();
        assert_eq!((state.consecutive_failures, state.last_error), (0, None));
        let (fifth, _) = run(&mut store, &sources, &config, parse::parse_feed);
        assert_eq!(fifth.backed_off, 0);
    }

    #[test]
    fn while_nothing_works_no_feed_waits() {
        let server = Server::start(|_| Some((503, "down".into())));
        let sources = [server.source("x"), server.source("y")];
        let (_scratch, mut store) = scratch_store();
        for _ in 0..3 {
            let (report, _) = run(&mut store, &sources, &config(), parse::parse_feed);
            assert_eq!((report.backed_off, report.failed.len()), (0, 2));
        }
        assert_eq!((server.hits("x"), server.hits("y")), (3, 3));
    }

    #[test]
    fn the_run_ends_on_time_whatever_hangs() {
        let server = Server::start(|path| match path {
            "stall" => None,
            _ => Some((200, rss(path, 1, "Calm"))),
        });
        let sources = [
            server.source("first"),
            server.source("stall"),
            server.source("last"),
        ];
        let (_scratch, mut store) = scratch_store();
        let config = FetchConfig {
            // One at a time: the stalled feed keeps the last one from starting.
            concurrency: 1,
            timeout: Duration::from_secs(60),
            feed_budget: Duration::from_secs(60),
            run_budget: Duration::from_millis(1500),
            ..config()
        };
        let seen = AtomicUsize::new(0);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let report = runtime
            .block_on(ingest_with(
                &mut store,
                &sources,
                &config,
                None,
                |_| {
                    seen.fetch_add(1, Ordering::Relaxed);
                },
                parse::parse_feed,
            ))
            .unwrap();

        assert_eq!((report.fetched, report.not_reached), (1, 1), "{report:?}");
        let reason = "no answer within the run's 1.5s";
        assert_eq!(report.failed, [(sources[1].clone(), reason.to_owned())]);
        let stalled = store.feed_state(&sources[1].feed_url).unwrap();
        assert_eq!(stalled.last_error.as_deref(), Some(reason));
        // Never started, so never failed: the next run tries it as if new.
        let unreached = store.feed_state(&sources[2].feed_url).unwrap();
        assert_eq!(unreached, FeedState::default());
        assert_eq!(server.hits("last"), 0);
        assert_eq!(seen.load(Ordering::Relaxed), 3);
    }
}

#[cfg(test)]
mod store_items_tests {
    use super::*;
    use crate::news::store::test_support::{NOW, Scratch, item, source, titles};

    #[test]
    fn items_take_the_language_their_text_is_in() {
        let scratch = Scratch::new("item_language");
        let mut store = scratch.open();
        let items = [
            FeedItem {
                summary: "El Congreso votó la ley tras un largo debate con la oposición.".into(),
                ..item(
                    Some("1"),
                    Some("https://e.example/1"),
                    "El Gobierno aprueba la reforma de las pensiones",
                    NOW,
                )
            },
            item(Some("2"), Some("https://e.example/2"), "Brexit", NOW - 1),
        ];
        store_items(&mut store, &source("e", "GIB"), &items, NOW).unwrap();
        let stored = store.latest_for_country("GIB", 10).unwrap();
        let languages: Vec<&str> = stored.iter().map(|a| a.language.as_str()).collect();
        assert_eq!(languages, ["es", "en"]);
        // Only the Spanish one waits for translation.
        assert_eq!(
            titles(&store.untranslated(10).unwrap()),
            ["El Gobierno aprueba la reforma de las pensiones"]
        );
    }

    #[test]
    fn what_reads_in_english_is_embedded_once_as_the_model_embeds_it() {
        let Some(model) = crate::news::sentences::test_model() else {
            return;
        };
        let scratch = Scratch::new("embed");
        let mut store = scratch.open();
        let items: Vec<FeedItem> = (0..70)
            .map(|i| FeedItem {
                summary: format!("Report {i} on the harbour."),
                ..item(
                    None,
                    Some(&format!("https://k.example/{i}")),
                    &format!("Harbour wall {i} rebuilt in Mombasa"),
                    NOW - i,
                )
            })
            .chain([item(
                None,
                Some("https://k.example/es"),
                "El Gobierno aprueba la reforma de las pensiones",
                NOW,
            )])
            .collect();
        store_items(&mut store, &source("k", "KEN"), &items, NOW).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut report = IngestReport::default();
        runtime
            .block_on(embed_unembedded(&mut store, &model, 0, &mut report))
            .unwrap();
        // Seventy in two chunks; the Spanish one waits for its English.
        assert_eq!((report.embedded, report.sentence_failure), (70, None));
        assert!(store.unembedded(0, 10).unwrap().is_empty());
        assert_eq!(
            titles(&store.untranslated(10).unwrap()),
            ["El Gobierno aprueba la reforma de las pensiones"]
        );
        let stored = store.sentences_since(0).unwrap();
        assert_eq!(stored.len(), 70);
        let first = store
            .latest_for_country("KEN", 100)
            .unwrap()
            .into_iter()
            .find(|a| a.title == "Harbour wall 0 rebuilt in Mombasa")
            .unwrap();
        let expected = model
            .embed(&["Harbour wall 0 rebuilt in Mombasa Report 0 on the harbour."])
            .unwrap();
        let got = &stored[&first.id];
        let dot: f32 = got.iter().zip(&expected[0]).map(|(a, b)| a * b).sum();
        assert!(dot > 0.9999, "{dot}");
        // A second run has nothing to do.
        let mut again = IngestReport::default();
        runtime
            .block_on(embed_unembedded(&mut store, &model, 0, &mut again))
            .unwrap();
        assert_eq!(again.embedded, 0);
    }
}
