//! Ingest: fetch every feed, parse it, and commit its new items to the store, one feed at a
//! time, so that one bad feed never stops the others and a killed run loses nothing already
//! committed.
//!
//! Fetching and parsing run concurrently (bounded by `FetchConfig::concurrency`); results
//! come back to this one loop, the store's only writer, in the order they finish.
//!
//! Then, given a translator, the articles not in English are translated: each text once,
//! through the store's translation cache. A translation that fails loses nothing: the
//! articles stay stored in their own language and are tried again on the next run.

use std::collections::{HashMap, HashSet};

use futures_util::StreamExt;

use super::fetch::{self, FetchConfig, Fetched};
use super::parse;
use super::store::{FeedState, Store, StoreError};
use super::translate::Translator;
use super::{Article, FeedItem, FeedSource};

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

/// What happened to one feed.
#[derive(Clone, Debug, PartialEq)]
pub enum FeedOutcome {
    /// Fetched and parsed; this many items were new to the store.
    New(usize),
    /// The server said the feed has not changed since the last fetch.
    NotModified,
    /// Fetching or parsing failed; the reason, for the user.
    Failed(String),
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
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot set up HTTP: {0}")]
    Client(fetch::FetchError),
}

enum Parsed {
    NotModified,
    Items {
        items: Vec<FeedItem>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Fetches `sources` into `store`, calling `progress` as each feed finishes, then translates
/// the articles not yet in English with `translator`, if given and not off.
pub async fn ingest(
    store: &mut Store,
    sources: &[FeedSource],
    config: &FetchConfig,
    translator: Option<&Translator>,
    mut progress: impl FnMut(&FeedResult),
) -> Result<IngestReport, IngestError> {
    let client = fetch::client(config).map_err(IngestError::Client)?;
    let jobs = sources
        .iter()
        .map(|source| Ok((source.clone(), store.feed_state(&source.feed_url)?)))
        .collect::<Result<Vec<(FeedSource, FeedState)>, StoreError>>()?;
    let client = &client;
    let mut finished = futures_util::stream::iter(jobs)
        .map(|(source, state)| async move {
            let parsed = fetch_and_parse(client, &source.feed_url, &state, config).await;
            (source, parsed)
        })
        .buffer_unordered(config.concurrency.max(1));

    let mut report = IngestReport::default();
    while let Some((source, parsed)) = finished.next().await {
        let now = super::now();
        let url = source.feed_url.as_str();
        let outcome = match parsed {
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
                let new = store.insert_items(&source, &items, now)?;
                store.record_success(url, etag.as_deref(), last_modified.as_deref(), false, now)?;
                report.fetched += 1;
                report.new_articles += new;
                FeedOutcome::New(new)
            }
            Err(reason) => {
                store.record_failure(url, &reason, now)?;
                report.failed.push((source.clone(), reason.clone()));
                FeedOutcome::Failed(reason)
            }
        };
        progress(&FeedResult { source, outcome });
    }
    if let Some(translator) = translator {
        translate_untranslated(store, translator, &mut report).await?;
    }
    report.pruned = store.prune(store.retention_start(super::now()))?;
    Ok(report)
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
) -> Result<Parsed, String> {
    match fetch::fetch(client, url, state, config)
        .await
        .map_err(|e| e.to_string())?
    {
        Fetched::NotModified => Ok(Parsed::NotModified),
        Fetched::Body {
            bytes,
            content_type,
            etag,
            last_modified,
            url,
        } => {
            let items = parse::parse_feed(&bytes, content_type.as_deref(), &url)
                .map_err(|e| e.to_string())?;
            Ok(Parsed::Items {
                items,
                etag,
                last_modified,
            })
        }
    }
}
