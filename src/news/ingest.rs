//! Ingest: fetch every feed, parse it, and commit its new items to the store, one feed at a
//! time, so that one bad feed never stops the others and a killed run loses nothing already
//! committed.
//!
//! Fetching and parsing run concurrently (bounded by `FetchConfig::concurrency`); results
//! come back to this one loop, the store's only writer, in the order they finish.

use futures_util::StreamExt;

use super::fetch::{self, FetchConfig, Fetched};
use super::parse;
use super::store::{FeedState, Store, StoreError};
use super::{FeedItem, FeedSource};

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

/// Fetches `sources` into `store`, calling `progress` as each feed finishes.
pub async fn ingest(
    store: &mut Store,
    sources: &[FeedSource],
    config: &FetchConfig,
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
    report.pruned = store.prune(store.retention_start(super::now()))?;
    Ok(report)
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
