//! The news bridge: the store and the fetcher live on one IO thread with its own tokio
//! runtime, behind channels; each frame drains what came back into [`News`].
//!
//! Nothing here blocks a frame. On start the thread reads what the store already holds, so
//! the globe shows it at once, then refreshes every feed in the background and again on a
//! timer. Reads use their own connection, so listing a country's articles never waits for
//! a refresh that is writing (the store runs in WAL mode).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::AppSystems;
use super::globe::Atlas;
use super::picking::Selection;
use crate::news::catalog::Catalog;
use crate::news::fetch::FetchConfig;
use crate::news::ingest::{self, IngestReport};
use crate::news::store::Store;
use crate::news::translate::Translator;
use crate::news::{Article, FeedSource};

/// How many articles the panel lists for a country.
pub const PANEL_ARTICLES: usize = 50;
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
}

/// Articles per country (ADM0_A3) from the last 24 hours; changes only when they do, so
/// the globe recolours only then.
#[derive(Resource, Debug, Default, PartialEq)]
pub struct RecentCounts(pub HashMap<String, usize>);

/// What the app knows about the news, as of the last frame.
#[derive(Resource, Debug, Default)]
pub struct News {
    /// The articles of the country last asked for, newest first.
    pub articles: Option<(String, Vec<Article>)>,
    /// Countries with at least one outlet in the catalog.
    pub covered: Vec<String>,
    pub status: NewsStatus,
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
    /// The store could not be opened: nothing will be fetched or shown.
    pub store_error: Option<String>,
    /// Whether this run fetches at all (the capture modes only show what is stored).
    pub fetching: bool,
    /// Who translates, for the status line; `None` when translation is off.
    pub translator: Option<String>,
    /// Languages the last refresh could not translate, with why.
    pub translation_failures: Vec<(String, String)>,
}

enum Request {
    Articles(String),
}

enum Reply {
    Counts(HashMap<String, usize>),
    /// What the store remembers of earlier runs: the last success and the feeds failing.
    Health {
        last_update: Option<i64>,
        failing: usize,
    },
    Progress(usize, usize),
    Refreshed(Result<IngestReport, String>),
    Articles(String, Result<Vec<Article>, String>),
    StoreError(String),
}

#[derive(Resource)]
struct Channels {
    requests: UnboundedSender<Request>,
    replies: UnboundedReceiver<Reply>,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (
            drain_replies.in_set(AppSystems::Receive),
            ask_for_articles.in_set(AppSystems::Present),
        ),
    );
}

/// Starts the IO thread and the [`News`] resource.
pub fn start(app: &mut App, options: NewsOptions) {
    let (requests, request_rx) = unbounded_channel();
    let (reply_tx, replies) = unbounded_channel();
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

fn io_thread(
    options: NewsOptions,
    requests: UnboundedReceiver<Request>,
    replies: UnboundedSender<Reply>,
) {
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
    runtime.block_on(serve(options, requests, replies));
}

async fn serve(
    options: NewsOptions,
    mut requests: UnboundedReceiver<Request>,
    replies: UnboundedSender<Reply>,
) {
    // Two connections: the refresh writes through one while this loop reads through the other.
    let (reader, writer) = match (Store::open(&options.store), Store::open(&options.store)) {
        (Ok(reader), Ok(writer)) => (reader, writer),
        (Err(e), _) | (_, Err(e)) => {
            let _ = replies.send(Reply::StoreError(e.to_string()));
            return;
        }
    };
    send_counts(&reader, &replies);
    if let Ok(health) = reader.feed_health() {
        let _ = replies.send(Reply::Health {
            last_update: health.iter().filter_map(|(_, s)| s.last_success).max(),
            failing: health
                .iter()
                .filter(|(_, s)| s.consecutive_failures > 0)
                .count(),
        });
    }
    if options.fetch {
        let sources = options.catalog.sources();
        tokio::spawn(refresh_forever(
            writer,
            sources,
            options.translator.clone(),
            options.refresh_every,
            replies.clone(),
        ));
    }
    while let Some(request) = requests.recv().await {
        match request {
            Request::Articles(country) => {
                let articles = reader
                    .latest_for_country(&country, PANEL_ARTICLES)
                    .map_err(|e| e.to_string());
                let _ = replies.send(Reply::Articles(country, articles));
            }
        }
        // Counts move as refreshes commit; answering a request is a good moment to re-read.
        send_counts(&reader, &replies);
    }
}

async fn refresh_forever(
    mut store: Store,
    sources: Vec<FeedSource>,
    translator: Arc<Translator>,
    every: Duration,
    replies: UnboundedSender<Reply>,
) {
    let config = FetchConfig::default();
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
        send_counts(&store, &replies);
        if replies.send(Reply::Refreshed(report)).is_err() {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

fn send_counts(store: &Store, replies: &UnboundedSender<Reply>) {
    if let Ok(counts) = store.counts_since(crate::news::now() - RECENT_SECONDS) {
        let _ = replies.send(Reply::Counts(counts));
    }
}

fn drain_replies(
    mut channels: ResMut<Channels>,
    mut news: ResMut<News>,
    mut counts: ResMut<RecentCounts>,
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
            Reply::Refreshed(Ok(report)) => {
                let status = &mut news.status;
                status.updating = None;
                status.last_update = Some(crate::news::now());
                status.failing_feeds = report.failed.len();
                status.translation_failures = report.translation_failures;
                status.offline =
                    report.fetched + report.not_modified == 0 && !report.failed.is_empty();
            }
            Reply::Refreshed(Err(e)) => {
                news.status.updating = None;
                news.status.store_error = Some(e);
            }
            Reply::Articles(country, Ok(articles)) => news.articles = Some((country, articles)),
            Reply::Articles(country, Err(e)) => {
                news.articles = Some((country, Vec::new()));
                news.status.store_error = Some(e);
            }
            Reply::StoreError(e) => news.status.store_error = Some(e),
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
    mut asked: Local<(Option<usize>, Option<i64>)>,
) {
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
