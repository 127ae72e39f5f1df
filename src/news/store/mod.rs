//! The article store: every feed's fetch state, the articles of the last [`RETENTION_DAYS`]
//! days with their English translations, a full-text index over the titles and summaries in
//! both languages, a cache of translated texts, what was read of articles' pages, each
//! article's sentence embedding, and the world's stories as the last ingest grouped them.
//!
//! One interface, [`Store`], over two backends: a SQLite file (`sqlite/`), one machine's store
//! and the default, and a PostgreSQL database (`pg/`) that one ingest fills for a fleet
//! of screens. Both keep the same rules, which live here once: what makes two items the same
//! article, what the retention window keeps, how a search's words are read. The behaviour
//! tests run against both (`tests.rs`).
//!
//! Each feed's items go in one transaction, so a fetch killed halfway keeps every feed it had
//! finished. Parsing and cleaning feed text is not this module's concern: titles and summaries
//! are stored as given; nor is telling the language an article is written in, nor translating
//! it: both are stored as given (ingest decides them).
//!
//! This file is the interface, where a store lives and its errors; `articles.rs`, `feeds.rs`,
//! `search.rs`, `translations.rs`, `sentences.rs` and `stories.rs` hold each job's shared
//! rules and tests.

mod articles;
mod feeds;
pub mod pg;
mod search;
mod sentences;
mod sqlite;
mod stories;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;
mod translations;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use articles::StoredPage;
pub use feeds::FeedState;
pub use pg::{PgSettings, TlsMode};
pub use stories::StoredStory;

use crate::news::extract::Extracted;
use crate::news::{Article, FeedItem, FeedSource};
use pg::Postgres;
use sqlite::Sqlite;

/// How long articles are kept: older ones are neither inserted nor kept by [`Store::prune`].
pub const RETENTION_DAYS: i64 = 30;

const SECONDS_PER_DAY: i64 = 24 * 60 * 60;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the folder {folder} for the news store: {source}")]
    CreateFolder {
        folder: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the news store at {store} is corrupt or not a newsglobe store ({reason}); \
         move it aside to start afresh"
    )]
    Corrupt { store: String, reason: String },
    #[error(
        "the news store at {store} has schema version {found}, newer than this build of \
         newsglobe knows ({known}); update newsglobe"
    )]
    TooNew {
        store: String,
        found: i64,
        known: i64,
    },
    #[error("the news store at {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the shared news store at {store}: {reason}")]
    Postgres { store: String, reason: String },
    #[error("the shared store's address {url:?}: {reason}")]
    Address { url: String, reason: String },
}

/// Where a store lives.
#[derive(Clone, Debug)]
pub enum StoreAt {
    /// A SQLite file: one machine's store, fetched into by that machine.
    File(PathBuf),
    /// A PostgreSQL database that an ingest fills for many screens. `local` is this
    /// machine's data folder, for what stays local: the cache of pictures.
    Shared { server: PgSettings, local: PathBuf },
}

impl StoreAt {
    /// The folder on this machine where local caches (pictures) go.
    pub fn local_folder(&self) -> &Path {
        match self {
            StoreAt::File(path) => path.parent().unwrap_or(Path::new(".")),
            StoreAt::Shared { local, .. } => local,
        }
    }

    /// Whether this is a store other machines fill: screens reading it neither fetch nor
    /// cluster, they show what the ingest wrote.
    pub fn is_shared(&self) -> bool {
        matches!(self, StoreAt::Shared { .. })
    }
}

impl std::fmt::Display for StoreAt {
    /// The path or the address without credentials: safe for logs and the status line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreAt::File(path) => write!(f, "{}", path.display()),
            StoreAt::Shared { server, .. } => write!(f, "{server}"),
        }
    }
}

/// An open article store. A SQLite store is one connection, for one thread at a time: open
/// another for concurrent reads. A shared store's connections come from a pool that every
/// store opened on the same server in this process shares.
pub struct Store {
    backend: Backend,
    at: StoreAt,
    retention_days: i64,
}

enum Backend {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

/// Runs the same call on whichever backend the store has.
macro_rules! on_backend {
    ($backend:expr, $db:ident => $call:expr) => {
        match $backend {
            Backend::Sqlite($db) => $call,
            Backend::Postgres($db) => $call,
        }
    };
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("at", &self.at.to_string())
            .finish()
    }
}

impl Store {
    /// The store's file name, in whichever data folder it lives.
    pub const FILE_NAME: &str = "news.sqlite";

    /// Opens the SQLite store at `path`, creating its folders and the file if needed, and
    /// brings the schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_at(&StoreAt::File(path.to_owned()))
    }

    /// Opens the store wherever it lives and brings its schema up to date (a shared store
    /// opened through a read-only role must be up to date already).
    pub fn open_at(at: &StoreAt) -> Result<Store, StoreError> {
        let backend = match at {
            StoreAt::File(path) => Backend::Sqlite(Sqlite::open(path)?),
            StoreAt::Shared { server, .. } => Backend::Postgres(Postgres::open(server)?),
        };
        Ok(Store {
            backend,
            at: at.clone(),
            retention_days: RETENTION_DAYS,
        })
    }

    /// Where the store lives.
    pub fn at(&self) -> &StoreAt {
        &self.at
    }

    /// How many days of articles the store keeps ([`RETENTION_DAYS`] unless changed).
    pub fn retention_days(&self) -> i64 {
        self.retention_days
    }

    /// Keeps `days` of articles from now on: older items are not inserted, and a prune at
    /// [`Store::retention_start`] removes them.
    pub fn set_retention_days(&mut self, days: i64) {
        self.retention_days = days.max(1);
    }

    /// The oldest publication time the retention window keeps, as of `now`.
    pub fn retention_start(&self, now: i64) -> i64 {
        now - self.retention_days * SECONDS_PER_DAY
    }

    /// Where the app keeps its store: [`Store::FILE_NAME`] in the platform's data folder for
    /// newsglobe; `None` where the platform has no home folder.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "newsglobe")
            .map(|dirs| dirs.data_dir().join(Self::FILE_NAME))
    }

    /// Stores a feed's items in one transaction and returns how many were new.
    ///
    /// An item is an article already stored when its canonical link (no fragment, no tracking
    /// parameters) matches one, or its feed and guid do; the stored copy is kept as it is.
    /// Items without a link are known by their guid, and take it as their link when it is a
    /// web address (RSS guids are permalinks by default); items with neither are skipped. An
    /// item without a date is dated `now`, its first sighting; items older than the retention
    /// window are skipped, since the next prune would delete them. Each item comes with the
    /// language (ISO 639-1) it is written in, which its article keeps; the feed keeps its
    /// declared one.
    pub fn insert_items(
        &mut self,
        source: &FeedSource,
        items: &[(&FeedItem, String)],
        now: i64,
    ) -> Result<usize, StoreError> {
        let rows = articles::new_articles(items, now, self.retention_start(now));
        on_backend!(&mut self.backend, db => db.insert_articles(source, rows, now))
    }

    /// A country's (`ADM0_A3`) newest articles, newest first (by date, then by id).
    pub fn latest_for_country(
        &self,
        country: &str,
        limit: usize,
    ) -> Result<Vec<Article>, StoreError> {
        on_backend!(&self.backend, db => db.latest_for_country(country, limit))
    }

    /// How many articles each country (`ADM0_A3`) has published at or after `since`.
    pub fn counts_since(&self, since: i64) -> Result<HashMap<String, usize>, StoreError> {
        on_backend!(&self.backend, db => db.counts_since(since))
    }

    /// The articles published at or after `since` that can be read in English (written in
    /// it, or translated), oldest first (by date, then by id): what story clustering works on.
    pub fn english_since(&self, since: i64) -> Result<Vec<Article>, StoreError> {
        on_backend!(&self.backend, db => db.english_since(since))
    }

    /// Deletes the articles published before `before` (the app passes now minus
    /// [`RETENTION_DAYS`]) with their pages and stories' memberships, and returns how many;
    /// the search index follows.
    pub fn prune(&mut self, before: i64) -> Result<usize, StoreError> {
        on_backend!(&mut self.backend, db => db.prune(before))
    }

    pub fn article_count(&self) -> Result<usize, StoreError> {
        on_backend!(&self.backend, db => db.article_count())
    }

    /// What was read of an article's page, if it was read: its article, or why it had none.
    pub fn page(&self, article_id: i64) -> Result<Option<StoredPage>, StoreError> {
        on_backend!(&self.backend, db => db.page(article_id))
    }

    /// Keeps what was read of an article's page at `fetched` (Unix seconds), replacing any
    /// earlier reading.
    pub fn set_page(
        &mut self,
        article_id: i64,
        fetched: i64,
        read: &Result<Extracted, String>,
    ) -> Result<(), StoreError> {
        on_backend!(&mut self.backend, db => db.set_page(article_id, fetched, read))
    }

    /// The fetch state of a feed; the default state for a feed never fetched.
    pub fn feed_state(&self, feed_url: &str) -> Result<FeedState, StoreError> {
        on_backend!(&self.backend, db => db.feed_state(feed_url))
    }

    /// Records a fetch that worked: `not_modified` for a 304, otherwise a 200.
    ///
    /// After a 200 the given validators replace the stored ones, `None` included: a server
    /// that stopped sending one would not honour the old one. After a 304 the stored ones
    /// stay, unless the response carried a fresh one (RFC 9110 §15.4.5 lets it).
    pub fn record_success(
        &mut self,
        feed_url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
        not_modified: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        on_backend!(&mut self.backend, db => {
            db.record_success(feed_url, etag, last_modified, not_modified, now)
        })
    }

    /// Records a failed fetch; the validators stay, so the next try can still be conditional.
    pub fn record_failure(
        &mut self,
        feed_url: &str,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_backend!(&mut self.backend, db => db.record_failure(feed_url, error, now))
    }

    /// Every feed ever fetched with its state, by URL.
    pub fn feed_health(&self) -> Result<Vec<(String, FeedState)>, StoreError> {
        on_backend!(&self.backend, db => db.feed_health())
    }

    /// The last time any feed was fetched (a 200 or a 304); `None` before the first.
    pub fn latest_success(&self) -> Result<Option<i64>, StoreError> {
        on_backend!(&self.backend, db => db.latest_success())
    }

    /// How many stored articles each feed has published at or after `since`, by feed URL;
    /// feeds without any are left out.
    pub fn counts_per_feed_since(&self, since: i64) -> Result<HashMap<String, usize>, StoreError> {
        on_backend!(&self.backend, db => db.counts_per_feed_since(since))
    }

    /// Articles whose title or summary, in their own language or in English, match every word
    /// of `query`, the last word also as a prefix once it is long enough (so results follow
    /// typing); best matches first, then newest. Only the newest matches are ranked.
    ///
    /// The query is the user's text, not a query language: quotes, operators and brackets in
    /// it are searched for as words, never interpreted; a query with no words finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Article>, StoreError> {
        let Some(words) = search::Words::of(query) else {
            return Ok(Vec::new());
        };
        on_backend!(&self.backend, db => db.search(&words, limit))
    }

    /// The articles still to translate: not in English and not translated yet, at most
    /// `per_language` of each language, each language's newest first (by date, then by id).
    ///
    /// A limit per language rather than in all: a language the translator cannot do stays
    /// untranslated for good, and its newest articles must not crowd out every other's.
    pub fn untranslated(&self, per_language: usize) -> Result<Vec<Article>, StoreError> {
        on_backend!(&self.backend, db => db.untranslated(per_language))
    }

    /// Stores the English title and summary of articles, each `(id, title_en, summary_en)`,
    /// marked as `translated_by`, in one transaction; the search index follows. An id no
    /// longer stored (pruned meanwhile) is skipped.
    pub fn set_translations(
        &mut self,
        translated: &[(i64, &str, &str)],
        translated_by: &str,
    ) -> Result<(), StoreError> {
        on_backend!(&mut self.backend, db => db.set_translations(translated, translated_by))
    }

    /// The cached translations of `texts` from `source` into `target` (ISO 639-1), one per
    /// text, in order: `None` where the text was never translated.
    pub fn cached_translations(
        &self,
        source: &str,
        target: &str,
        texts: &[&str],
    ) -> Result<Vec<Option<String>>, StoreError> {
        on_backend!(&self.backend, db => db.cached_translations(source, target, texts))
    }

    /// Caches translations, each `(text, translated)`, from `source` into `target`, made by
    /// `translated_by`, in one transaction. A text cached before gets the new translation.
    pub fn cache_translations(
        &mut self,
        source: &str,
        target: &str,
        pairs: &[(&str, &str)],
        translated_by: &str,
    ) -> Result<(), StoreError> {
        on_backend!(&mut self.backend, db => {
            db.cache_translations(source, target, pairs, translated_by)
        })
    }

    /// The English-readable articles published at or after `since` that have no sentence
    /// embedding yet, newest first (by date, then by id), at most `limit`.
    pub fn unembedded(&self, since: i64, limit: usize) -> Result<Vec<Article>, StoreError> {
        on_backend!(&self.backend, db => db.unembedded(since, limit))
    }

    /// Stores articles' sentence embeddings, each `(id, embedding)`, in one transaction; one
    /// stored before is replaced, and an id no longer stored (pruned meanwhile) is skipped.
    pub fn set_sentences(&mut self, embedded: &[(i64, Vec<f32>)]) -> Result<(), StoreError> {
        on_backend!(&mut self.backend, db => db.set_sentences(embedded))
    }

    /// The sentence embeddings of the articles published at or after `since`, by article id;
    /// a stored one that is not [`DIMENSIONS`](crate::news::sentences::DIMENSIONS) finite
    /// numbers is left out.
    pub fn sentences_since(&self, since: i64) -> Result<HashMap<i64, Vec<f32>>, StoreError> {
        on_backend!(&self.backend, db => db.sentences_since(since))
    }

    /// Replaces the stored stories with `stories`, as grouped at `now`, in one transaction:
    /// what every screen reading this store shows. Members no longer stored are skipped.
    pub fn set_stories(&mut self, stories: &[StoredStory], now: i64) -> Result<(), StoreError> {
        on_backend!(&mut self.backend, db => db.set_stories(stories, now))
    }

    /// The stored stories and when they were grouped; `None` when no ingest has written any.
    pub fn stories(&self) -> Result<Option<(i64, Vec<StoredStory>)>, StoreError> {
        on_backend!(&self.backend, db => db.stories())
    }

    /// When the stored stories were last written; `None` before the first time. Cheap: a
    /// screen asks it often to know when to read the stories again.
    pub fn stories_written(&self) -> Result<Option<i64>, StoreError> {
        on_backend!(&self.backend, db => db.stories_written())
    }
}

/// Stores take limits as i64; a larger one means no limit anyway.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
