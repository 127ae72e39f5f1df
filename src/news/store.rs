//! The article store: one SQLite file holding every feed's fetch state, the articles of the
//! last [`RETENTION_DAYS`] days with their English translations, a full-text index over the
//! titles and summaries in both languages, and a cache of translated texts.
//!
//! The file is in WAL mode so the app can list and search while a fetch writes, and a second
//! process (the headless `articles` command) can read it at the same time. Each feed's items go
//! in one transaction, so a fetch killed halfway keeps every feed it had finished. Parsing and
//! cleaning feed text is not this module's concern: titles and summaries are stored as given;
//! nor is translating them: translations are stored as given, by whoever made them (ingest).
//!
//! The schema is versioned with `PRAGMA user_version`; `MIGRATIONS` run in order, once each.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Row, Transaction, TransactionBehavior, params,
};
use url::Url;

use super::extract::Extracted;
use super::{Article, FeedItem, FeedSource, language};

/// How long articles are kept: older ones are neither inserted nor kept by [`Store::prune`].
pub const RETENTION_DAYS: i64 = 30;

const SECONDS_PER_DAY: i64 = 24 * 60 * 60;

/// Marks the file as ours (`PRAGMA application_id`), so another program's SQLite database at
/// our path is refused instead of being migrated into.
const APPLICATION_ID: i32 = 0x6e67_6c62;

/// Long enough to ride out another process's feed transaction, short enough that a stuck
/// writer surfaces as an error rather than a frozen app.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Schema migrations; entry `i` takes the store from version `i` to `i + 1`. Append only:
/// a shipped migration never changes.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE feeds (
    url TEXT PRIMARY KEY NOT NULL,
    -- The catalog's facts, filled in when the feed's items are first stored.
    outlet TEXT,
    country TEXT,
    language TEXT,
    etag TEXT,
    last_modified TEXT,
    last_success INTEGER,
    last_attempt INTEGER,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    feed_url TEXT NOT NULL REFERENCES feeds (url),
    outlet TEXT NOT NULL,
    country TEXT NOT NULL,
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    link TEXT,
    canonical_link TEXT UNIQUE,
    guid TEXT,
    image TEXT,
    published INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    UNIQUE (feed_url, guid)
);

-- Scanned backwards this index yields (published DESC, id DESC): a country's latest articles
-- without a sort.
CREATE INDEX articles_country_published ON articles (country, published);
CREATE INDEX articles_published ON articles (published);

-- External content: the text lives once, in articles; the triggers keep the index in step.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title,
    summary,
    content = 'articles',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, summary) VALUES (new.id, new.title, new.summary);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
END;

-- Nothing updates articles today; this keeps a future UPDATE from silently desynchronising
-- the index, which FTS5 cannot detect on its own.
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
    INSERT INTO articles_fts (rowid, title, summary) VALUES (new.id, new.title, new.summary);
END;
"#,
    r#"
-- English translations: NULL until translated, and for articles written in English.
ALTER TABLE articles ADD COLUMN title_en TEXT;
ALTER TABLE articles ADD COLUMN summary_en TEXT;
ALTER TABLE articles ADD COLUMN translated_by TEXT;

-- What the next translation run takes on, without scanning the translated majority.
CREATE INDEX articles_untranslated ON articles (language, published)
    WHERE translated_by IS NULL AND language != 'en';

-- Each text is translated once, however many articles carry it (wire stories, re-runs).
-- `hash` is FNV-1a 64 of the text, as a signed integer; `text` is kept to tell a hash
-- collision from a hit.
CREATE TABLE translations (
    hash INTEGER NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    text TEXT NOT NULL,
    translated TEXT NOT NULL,
    translated_by TEXT NOT NULL,
    PRIMARY KEY (hash, source, target)
) WITHOUT ROWID;

-- The index covers the translations too, so a search in English finds foreign articles.
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
DROP TABLE articles_fts;

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title,
    summary,
    title_en,
    summary_en,
    content = 'articles',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, summary, title_en, summary_en)
        VALUES (new.id, new.title, new.summary, new.title_en, new.summary_en);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary, title_en, summary_en)
        VALUES ('delete', old.id, old.title, old.summary, old.title_en, old.summary_en);
END;

-- Translating an article is an UPDATE; FTS5 cannot see it on its own.
CREATE TRIGGER articles_fts_update
AFTER UPDATE OF title, summary, title_en, summary_en ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary, title_en, summary_en)
        VALUES ('delete', old.id, old.title, old.summary, old.title_en, old.summary_en);
    INSERT INTO articles_fts (rowid, title, summary, title_en, summary_en)
        VALUES (new.id, new.title, new.summary, new.title_en, new.summary_en);
END;

INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
"#,
    r#"
-- An article's page as read once (see news::extract): its text, or why there is none, so
-- that the article opens offline afterwards. `paragraphs` is a JSON array of strings.
CREATE TABLE pages (
    article_id INTEGER PRIMARY KEY NOT NULL,
    fetched INTEGER NOT NULL,
    error TEXT,
    title TEXT,
    byline TEXT,
    published TEXT,
    image TEXT,
    language TEXT,
    direction TEXT,
    paragraphs TEXT
);

CREATE TRIGGER articles_pages_delete AFTER DELETE ON articles BEGIN
    DELETE FROM pages WHERE article_id = old.id;
END;
"#,
];

/// How many of a query's matches, newest stored first, [`Store::search`] ranks. Scoring every
/// match of a word found in most articles costs ~70 ms on a 100k-article store, this many
/// ~5 ms; news searches want recent articles anyway.
const SEARCH_CANDIDATES: i64 = 1000;

/// The last word of a search matches as a prefix from this many letters on: a shorter prefix
/// stands for much of the vocabulary, and merging all its words' entries is slow.
const PREFIX_MIN_CHARS: usize = 3;

/// Query parameters that only say how a reader arrived; links that differ only in these are
/// the same article.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "ocid",
    "cmpid",
    "at_medium",
    "at_campaign",
];

/// What was read of an article's page, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPage {
    /// Unix seconds.
    pub fetched: i64,
    /// The page's article, or why it had none.
    pub read: Result<Extracted, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the folder {folder} for the news store: {source}")]
    CreateFolder {
        folder: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the news store at {path} is corrupt or not a newsglobe store ({reason}); \
         move it aside to start afresh"
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "the news store at {path} has schema version {found}, newer than this build of \
         newsglobe knows ({known}); update newsglobe or move the file aside"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the news store at {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

impl StoreError {
    /// Damage can surface on any read, not only on open; every error names the file so the
    /// user knows which one to move aside.
    fn from_sqlite(path: &Path, source: rusqlite::Error) -> Self {
        match source.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                path: path.to_owned(),
                reason: source.to_string(),
            },
            _ => StoreError::Sqlite {
                path: path.to_owned(),
                source,
            },
        }
    }
}

/// Per-feed fetch state, kept for conditional GET and health.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeedState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_success: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt: Option<i64>,
    pub consecutive_failures: u32,
}

/// An open article store. One per thread: the connection is `Send` but not `Sync`; open
/// another for concurrent reads.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    retention_days: i64,
}

impl Store {
    /// The store's file name, in whichever data folder it lives.
    pub const FILE_NAME: &str = "news.sqlite";

    /// Opens the store at `path`, creating its folders and the file if needed, and brings the
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|source| StoreError::CreateFolder {
                folder: folder.to_owned(),
                source,
            })?;
        }
        let sqlite = |e| StoreError::from_sqlite(path, e);
        let conn = Connection::open(path).map_err(sqlite)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
            retention_days: RETENTION_DAYS,
        };
        // Read before anything writes, so a foreign or newer file is left exactly as it was.
        store.check_ownership()?;
        // WAL lets readers go on while a fetch writes; with it, NORMAL sync cannot corrupt the
        // file and loses at most the last commits on power loss, never on a killed process.
        store
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
            .map_err(sqlite)?;
        store
            .conn
            .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(sqlite)?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
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

    /// The fetch state of a feed; the default state for a feed never fetched.
    pub fn feed_state(&self, feed_url: &str) -> Result<FeedState, StoreError> {
        self.conn
            .query_row(
                "SELECT etag, last_modified, last_success, last_error, last_attempt,
                        consecutive_failures
                 FROM feeds WHERE url = ?1",
                [feed_url],
                feed_state_from_row,
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.error(e))
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
        self.conn
            .prepare_cached(
                "INSERT INTO feeds (url, etag, last_modified, last_success, last_attempt)
                 VALUES (?1, ?2, ?3, ?5, ?5)
                 ON CONFLICT (url) DO UPDATE SET
                     etag = CASE WHEN ?4 THEN coalesce(?2, etag) ELSE ?2 END,
                     last_modified = CASE WHEN ?4 THEN coalesce(?3, last_modified) ELSE ?3 END,
                     last_success = ?5,
                     last_attempt = ?5,
                     last_error = NULL,
                     consecutive_failures = 0",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![feed_url, etag, last_modified, not_modified, now])
            })
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Records a failed fetch; the validators stay, so the next try can still be conditional.
    pub fn record_failure(
        &mut self,
        feed_url: &str,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO feeds (url, last_attempt, last_error, consecutive_failures)
                 VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (url) DO UPDATE SET
                     last_attempt = ?2,
                     last_error = ?3,
                     consecutive_failures = consecutive_failures + 1",
            )
            .and_then(|mut stmt| stmt.execute(params![feed_url, now, error]))
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Stores a feed's items in one transaction and returns how many were new.
    ///
    /// An item is an article already stored when its canonical link (no fragment, no tracking
    /// parameters) matches one, or its feed and guid do; the stored copy is kept as it is.
    /// Items without a link are known by their guid, and take it as their link when it is a
    /// web address (RSS guids are permalinks by default); items with neither are skipped. An
    /// item without a date is dated `now`, its first sighting; items older than the retention
    /// window are skipped, since the next prune would delete them. Each article's language is
    /// the feed's declared one unless its text clearly says otherwise
    /// ([`language::article_language`]); the feed keeps the declared one.
    pub fn insert_items(
        &mut self,
        source: &FeedSource,
        items: &[FeedItem],
        now: i64,
    ) -> Result<usize, StoreError> {
        let oldest = self.retention_start(now);
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO feeds (url, outlet, country, language) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (url) DO UPDATE SET
                     outlet = ?2, country = ?3, language = ?4",
            )?
            .execute(params![
                source.feed_url,
                source.outlet,
                source.country,
                source.language
            ])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO articles (feed_url, outlet, country, language, title, summary,
                     link, canonical_link, guid, image, published, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT DO NOTHING",
            )?;
            let mut inserted = 0;
            for item in items {
                let guid = non_empty(item.guid.as_deref());
                let link =
                    non_empty(item.link.as_deref()).or_else(|| guid.filter(|g| is_web_address(g)));
                if link.is_none() && guid.is_none() {
                    continue;
                }
                let published = item.published.unwrap_or(now);
                if published < oldest {
                    continue;
                }
                let language =
                    language::article_language(&source.language, &item.title, &item.summary);
                inserted += insert.execute(params![
                    source.feed_url,
                    source.outlet,
                    source.country,
                    language,
                    item.title,
                    item.summary,
                    link,
                    link.map(canonical_link),
                    guid,
                    non_empty(item.image.as_deref()),
                    published,
                    now,
                ])?;
            }
            Ok(inserted)
        })
    }

    /// A country's (`ADM0_A3`) newest articles, newest first (by date, then by id).
    pub fn latest_for_country(
        &self,
        country: &str,
        limit: usize,
    ) -> Result<Vec<Article>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, feed_url, outlet, country, language, title, summary, link, image,
                        published, first_seen, title_en, summary_en, translated_by
                 FROM articles WHERE country = ?1
                 ORDER BY published DESC, id DESC
                 LIMIT ?2",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![country, sql_limit(limit)], article_from_row)?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// How many articles each country (`ADM0_A3`) has published at or after `since`.
    pub fn counts_since(&self, since: i64) -> Result<HashMap<String, usize>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT country, count(*) FROM articles WHERE published >= ?1 GROUP BY country",
            )
            .and_then(|mut stmt| {
                stmt.query_map([since], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// The articles published at or after `since` that can be read in English (written in
    /// it, or translated), oldest first (by date, then by id): what story clustering works on.
    pub fn english_since(&self, since: i64) -> Result<Vec<Article>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, feed_url, outlet, country, language, title, summary, link, image,
                        published, first_seen, title_en, summary_en, translated_by
                 FROM articles
                 WHERE published >= ?1 AND (language = 'en' OR title_en IS NOT NULL)
                 ORDER BY published, id",
            )
            .and_then(|mut stmt| stmt.query_map([since], article_from_row)?.collect())
            .map_err(|e| self.error(e))
    }

    /// Articles whose title or summary, in their own language or in English, match every word
    /// of `query`, the last word also as a prefix once it has [`PREFIX_MIN_CHARS`] (so results
    /// follow typing); best matches first, then newest. Only the newest [`SEARCH_CANDIDATES`]
    /// matches are ranked.
    ///
    /// The query is the user's text, not FTS syntax: quotes, operators and brackets in it are
    /// searched for as words, never interpreted; a query with no words finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Article>, StoreError> {
        let Some(fts_query) = fts_query(query) else {
            return Ok(Vec::new());
        };
        // Scoring is the cost: rank a bounded set of candidates, and read the article rows of
        // the winners only. The title weighs more than the summary: a word there says more
        // about what the article is about, in either language. Within a score the cut favours
        // the newest stored.
        self.conn
            .prepare_cached(
                "WITH matches AS (
                     SELECT rowid AS id, bm25(articles_fts, 3.0, 1.0, 3.0, 1.0) AS score
                     FROM articles_fts WHERE articles_fts MATCH ?1
                     ORDER BY rowid DESC LIMIT ?3
                 ), best AS (
                     SELECT id, score FROM matches ORDER BY score, id DESC LIMIT ?2
                 )
                 SELECT a.id, a.feed_url, a.outlet, a.country, a.language, a.title, a.summary,
                        a.link, a.image, a.published, a.first_seen, a.title_en, a.summary_en,
                        a.translated_by
                 FROM best JOIN articles a ON a.id = best.id
                 ORDER BY best.score, a.published DESC, a.id DESC",
            )
            .and_then(|mut stmt| {
                stmt.query_map(
                    params![fts_query, sql_limit(limit), SEARCH_CANDIDATES],
                    article_from_row,
                )?
                .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// Deletes the articles published before `before` (the app passes now minus
    /// [`RETENTION_DAYS`]) and returns how many; the search index follows by trigger.
    pub fn prune(&mut self, before: i64) -> Result<usize, StoreError> {
        self.write(|tx| tx.execute("DELETE FROM articles WHERE published < ?1", [before]))
    }

    /// Every feed ever fetched with its state, by URL.
    pub fn feed_health(&self) -> Result<Vec<(String, FeedState)>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT etag, last_modified, last_success, last_error, last_attempt,
                        consecutive_failures, url
                 FROM feeds ORDER BY url",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |row| Ok((row.get(6)?, feed_state_from_row(row)?)))?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// The last time any feed was fetched (a 200 or a 304); `None` before the first.
    pub fn latest_success(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row("SELECT max(last_success) FROM feeds", [], |row| row.get(0))
            .map_err(|e| self.error(e))
    }

    /// How many stored articles each feed has published at or after `since`, by feed URL;
    /// feeds without any are left out.
    pub fn counts_per_feed_since(&self, since: i64) -> Result<HashMap<String, usize>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT feed_url, count(*) FROM articles WHERE published >= ?1 GROUP BY feed_url",
            )
            .and_then(|mut stmt| {
                stmt.query_map([since], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// The articles still to translate: not in English and not translated yet, at most
    /// `per_language` of each language, each language's newest first (by date, then by id).
    ///
    /// A limit per language rather than in all: a language the translator cannot do stays
    /// untranslated for good, and its newest articles must not crowd out every other's.
    pub fn untranslated(&self, per_language: usize) -> Result<Vec<Article>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, feed_url, outlet, country, language, title, summary, link, image,
                        published, first_seen, title_en, summary_en, translated_by
                 FROM (
                     SELECT *, row_number() OVER (
                         PARTITION BY language ORDER BY published DESC, id DESC
                     ) AS nth
                     FROM articles
                     WHERE translated_by IS NULL AND language != 'en'
                 )
                 WHERE nth <= ?1
                 ORDER BY language, published DESC, id DESC",
            )
            .and_then(|mut stmt| {
                stmt.query_map([sql_limit(per_language)], article_from_row)?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// Stores the English title and summary of articles, each `(id, title_en, summary_en)`,
    /// marked as `translated_by`, in one transaction; the search index follows by trigger.
    /// An id no longer stored (pruned meanwhile) is skipped.
    pub fn set_translations(
        &mut self,
        translated: &[(i64, &str, &str)],
        translated_by: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut update = tx.prepare_cached(
                "UPDATE articles SET title_en = ?2, summary_en = ?3, translated_by = ?4
                 WHERE id = ?1",
            )?;
            for (id, title_en, summary_en) in translated {
                update.execute(params![id, title_en, summary_en, translated_by])?;
            }
            Ok(())
        })
    }

    /// The cached translations of `texts` from `source` into `target` (ISO 639-1), one per
    /// text, in order: `None` where the text was never translated.
    pub fn cached_translations(
        &self,
        source: &str,
        target: &str,
        texts: &[&str],
    ) -> Result<Vec<Option<String>>, StoreError> {
        let mut lookup = self
            .conn
            .prepare_cached(
                "SELECT text, translated FROM translations
                 WHERE hash = ?1 AND source = ?2 AND target = ?3",
            )
            .map_err(|e| self.error(e))?;
        texts
            .iter()
            .map(|&text| {
                lookup
                    .query_row(params![text_hash(text), source, target], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                    })
                    .optional()
                    .map(|found| {
                        // Another text with the same hash is a miss, never its translation.
                        found
                            .and_then(|(cached, translated)| (cached == text).then_some(translated))
                    })
                    .map_err(|e| self.error(e))
            })
            .collect()
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
        self.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO translations (hash, source, target, text, translated,
                     translated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (hash, source, target) DO UPDATE SET
                     text = ?4, translated = ?5, translated_by = ?6",
            )?;
            for (text, translated) in pairs {
                insert.execute(params![
                    text_hash(text),
                    source,
                    target,
                    text,
                    translated,
                    translated_by
                ])?;
            }
            Ok(())
        })
    }

    /// What was read of an article's page, if it was read: its article, or why it had none.
    pub fn page(&self, article_id: i64) -> Result<Option<StoredPage>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT fetched, error, title, byline, published, image, language, direction,
                        paragraphs
                 FROM pages WHERE article_id = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([article_id], |row| {
                    let fetched = row.get(0)?;
                    let error: Option<String> = row.get(1)?;
                    let read = match error {
                        Some(error) => Err(error),
                        None => {
                            let paragraphs: String = row.get(8)?;
                            Ok(Extracted {
                                title: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
                                byline: row.get(3)?,
                                published: row.get(4)?,
                                image: row.get(5)?,
                                language: row.get(6)?,
                                direction: row.get(7)?,
                                paragraphs: serde_json::from_str(&paragraphs).map_err(|e| {
                                    rusqlite::Error::FromSqlConversionFailure(
                                        8,
                                        rusqlite::types::Type::Text,
                                        Box::new(e),
                                    )
                                })?,
                            })
                        }
                    };
                    Ok(StoredPage { fetched, read })
                })
                .optional()
            })
            .map_err(|e| self.error(e))
    }

    /// Keeps what was read of an article's page at `fetched` (Unix seconds), replacing any
    /// earlier reading.
    pub fn set_page(
        &mut self,
        article_id: i64,
        fetched: i64,
        read: &Result<Extracted, String>,
    ) -> Result<(), StoreError> {
        let paragraphs = match read {
            Ok(page) => Some(serde_json::to_string(&page.paragraphs).unwrap_or_default()),
            Err(_) => None,
        };
        let page = read.as_ref().ok();
        self.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO pages (article_id, fetched, error, title, byline,
                     published, image, language, direction, paragraphs)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    article_id,
                    fetched,
                    read.as_ref().err(),
                    page.map(|p| &p.title),
                    page.and_then(|p| p.byline.as_ref()),
                    page.and_then(|p| p.published.as_ref()),
                    page.and_then(|p| p.image.as_ref()),
                    page.and_then(|p| p.language.as_ref()),
                    page.and_then(|p| p.direction.as_ref()),
                    paragraphs,
                ],
            )
        })
        .map(|_| ())
    }

    pub fn article_count(&self) -> Result<usize, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM articles", [], |row| row.get(0))
            .map_err(|e| self.error(e))
    }

    fn error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, source)
    }

    /// Runs `work` in one immediate write transaction (taking the write lock up front, so
    /// it waits for another writer rather than failing midway), committed only when it
    /// succeeds.
    fn write<T>(
        &mut self,
        work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let path = &self.path;
        let sqlite = |e| StoreError::from_sqlite(path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        let value = work(&tx).map_err(sqlite)?;
        tx.commit().map_err(sqlite)?;
        Ok(value)
    }

    /// Refuses a file that SQLite can read but that is not ours, or is ours from a newer
    /// build: migrating either would damage it.
    fn check_ownership(&self) -> Result<(), StoreError> {
        let (version, application_id, objects): (i64, i32, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version),
                        (SELECT application_id FROM pragma_application_id),
                        (SELECT count(*) FROM sqlite_schema)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .map_err(|e| self.error(e))?;
        let foreign = if version == 0 {
            objects > 0
        } else {
            application_id != APPLICATION_ID
        };
        if foreign {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                reason: "it is another program's SQLite database".into(),
            });
        }
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        Ok(())
    }

    /// Applies the missing migrations in one transaction. An up-to-date store takes no write
    /// lock here, so opening one never waits for another process's fetch.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = &self.path;
        let sqlite = |e| StoreError::from_sqlite(path, e);
        let user_version =
            |conn: &Connection| conn.query_row("PRAGMA user_version", [], |row| row.get(0));
        let known = MIGRATIONS.len();
        let version: usize = user_version(&self.conn).map_err(sqlite)?;
        if version >= known {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        // Another process may have migrated between the check above and the lock; its work
        // stands (writing `known` over a newer version would be a downgrade).
        let version: usize = user_version(&tx).map_err(sqlite)?;
        if version >= known {
            return Ok(());
        }
        for migration in MIGRATIONS.iter().skip(version) {
            tx.execute_batch(migration).map_err(sqlite)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .and_then(|()| tx.pragma_update(None, "user_version", known))
            .map_err(sqlite)?;
        tx.commit().map_err(sqlite)
    }
}

/// The form of an article link used to recognise the same article under different links:
/// no fragment, no tracking parameters (`utm_*` and [`TRACKING_PARAMS`]), the other query
/// parameters in their order and spelling. Parsing lowercases the scheme and host and drops a
/// default port; the path, trailing slash included, stays as it is. Text that does not parse
/// as a URL is its own canonical form.
fn canonical_link(link: &str) -> String {
    let Ok(mut url) = Url::parse(link) else {
        return link.to_owned();
    };
    url.set_fragment(None);
    if let Some(query) = url.query() {
        let kept = query
            .split('&')
            .filter(|param| !param.is_empty() && !is_tracking_param(param))
            .collect::<Vec<_>>()
            .join("&");
        url.set_query(Some(kept.as_str()).filter(|q| !q.is_empty()));
    }
    url.into()
}

fn is_tracking_param(param: &str) -> bool {
    let name = param
        .split_once('=')
        .map_or(param, |(name, _)| name)
        .to_ascii_lowercase();
    name.starts_with("utm_") || TRACKING_PARAMS.contains(&name.as_str())
}

fn is_web_address(text: &str) -> bool {
    Url::parse(text).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// Turns the user's text into an FTS5 query that cannot be a syntax error: each word becomes
/// a quoted phrase (quotes doubled), the last one a prefix if long enough. Control characters
/// separate words (FTS5 reads a NUL as the end of the query); words without a letter or digit
/// are dropped, since the tokenizer would make them empty phrases; `None` when none is left.
fn fts_query(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .collect();
    let (last, rest) = words.split_last()?;
    let quote = |word: &str| format!("\"{}\"", word.replace('"', "\"\""));
    let mut query: String = rest.iter().map(|word| quote(word) + " ").collect();
    query += &quote(last);
    if last.chars().filter(|c| c.is_alphanumeric()).count() >= PREFIX_MIN_CHARS {
        query.push('*');
    }
    Some(query)
}

/// FNV-1a 64 of `text`'s UTF-8 bytes, as SQLite's signed integer. Written out rather than
/// std's `DefaultHasher`, whose output may change between Rust releases: the cache outlives
/// the build that wrote it.
fn text_hash(text: &str) -> i64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = text.bytes().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    });
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// SQLite takes limits as i64; a larger one means no limit anyway.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn feed_state_from_row(row: &Row<'_>) -> rusqlite::Result<FeedState> {
    Ok(FeedState {
        etag: row.get(0)?,
        last_modified: row.get(1)?,
        last_success: row.get(2)?,
        last_error: row.get(3)?,
        last_attempt: row.get(4)?,
        consecutive_failures: row.get(5)?,
    })
}

fn article_from_row(row: &Row<'_>) -> rusqlite::Result<Article> {
    Ok(Article {
        id: row.get(0)?,
        feed_url: row.get(1)?,
        outlet: row.get(2)?,
        country: row.get(3)?,
        language: row.get(4)?,
        title: row.get(5)?,
        summary: row.get(6)?,
        link: row.get::<_, Option<String>>(7)?.unwrap_or_default(),
        image: row.get(8)?,
        published: row.get(9)?,
        first_seen: row.get(10)?,
        title_en: row.get(11)?,
        summary_en: row.get(12)?,
        translated_by: row.get(13)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000;
    const HOUR: i64 = 60 * 60;

    /// A folder of its own per test, removed afterwards (and before, in case a killed run
    /// left one behind).
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(test: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("newsglobe-store-{}-{test}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            Scratch(dir)
        }

        fn store_path(&self) -> PathBuf {
            self.0.join("data").join("newsglobe").join("news.sqlite")
        }

        fn open(&self) -> Store {
            Store::open(&self.store_path()).unwrap()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn source(feed: &str, country: &str) -> FeedSource {
        FeedSource {
            feed_url: format!("https://{feed}.example/rss"),
            outlet: feed.to_uppercase(),
            country: country.into(),
            language: "en".into(),
        }
    }

    fn item(guid: Option<&str>, link: Option<&str>, title: &str, published: i64) -> FeedItem {
        FeedItem {
            guid: guid.map(Into::into),
            link: link.map(Into::into),
            title: title.into(),
            summary: format!("Summary of {title}"),
            published: Some(published),
            image: None,
        }
    }

    fn titles(articles: &[Article]) -> Vec<&str> {
        articles.iter().map(|a| a.title.as_str()).collect()
    }

    fn user_version(store: &Store) -> usize {
        store
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn open_creates_the_folders_the_file_and_the_schema() {
        let scratch = Scratch::new("open_creates");
        let path = scratch.store_path();
        assert!(!path.exists());
        let store = Store::open(&path).unwrap();
        assert!(path.is_file());
        assert_eq!(store.path(), path);
        assert_eq!(store.article_count().unwrap(), 0);
        assert_eq!(user_version(&store), MIGRATIONS.len());
        let journal: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
        let fts5: bool = store
            .conn
            .query_row(
                "SELECT sqlite_compileoption_used('ENABLE_FTS5')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert!(fts5);
    }

    #[test]
    fn default_path_is_news_sqlite_in_a_newsglobe_folder() {
        if let Some(path) = Store::default_path() {
            assert!(path.ends_with(Store::FILE_NAME));
            assert!(path.to_string_lossy().contains("newsglobe"));
        }
    }

    #[test]
    fn reopening_keeps_everything_and_migrates_nothing_twice() {
        let scratch = Scratch::new("reopen");
        let mut store = scratch.open();
        let bbc = source("bbc", "GBR");
        let items = [
            item(Some("1"), Some("https://bbc.example/a"), "Alpha", NOW),
            item(Some("2"), Some("https://bbc.example/b"), "Beta", NOW - HOUR),
        ];
        assert_eq!(store.insert_items(&bbc, &items, NOW).unwrap(), 2);
        store
            .record_success(&bbc.feed_url, Some("\"v1\""), None, false, NOW)
            .unwrap();
        let before = store.latest_for_country("GBR", 10).unwrap();
        drop(store);

        for _ in 0..2 {
            let store = scratch.open();
            assert_eq!(user_version(&store), MIGRATIONS.len());
            assert_eq!(store.latest_for_country("GBR", 10).unwrap(), before);
            assert_eq!(
                store.feed_state(&bbc.feed_url).unwrap().etag.as_deref(),
                Some("\"v1\"")
            );
            assert_eq!(titles(&store.search("alpha", 10).unwrap()), ["Alpha"]);
        }
    }

    /// Runs the FTS5 integrity check: an error if the index disagrees with its content.
    fn check_index(store: &Store) {
        store
            .conn
            .execute(
                "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)",
                [],
            )
            .unwrap();
    }

    #[test]
    fn a_version_1_store_migrates_keeping_its_articles_and_their_index() {
        let scratch = Scratch::new("migrate_v1");
        let path = scratch.store_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        {
            // Exactly what a build of schema version 1 left: migrations never change.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO feeds (url) VALUES ('https://v1.example/rss')",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO articles (feed_url, outlet, country, language, title, summary,
                     link, canonical_link, guid, published, first_seen)
                 VALUES ('https://v1.example/rss', 'V1', 'CHL', 'es', 'Terremoto en Chile',
                     'Un sismo sacudió Santiago.', 'https://v1.example/1',
                     'https://v1.example/1', 'g1', ?1, ?1)",
                [NOW],
            )
            .unwrap();
        }

        let mut store = scratch.open();
        assert_eq!(user_version(&store), MIGRATIONS.len());
        let old = store.latest_for_country("CHL", 10).unwrap();
        assert_eq!(titles(&old), ["Terremoto en Chile"]);
        assert_eq!(
            (&old[0].title_en, &old[0].summary_en, &old[0].translated_by),
            (&None, &None, &None)
        );
        assert_eq!(old[0].language, "es");
        assert_eq!(
            titles(&store.search("sismo", 10).unwrap()),
            ["Terremoto en Chile"]
        );
        check_index(&store);

        // The migrated article can be translated and found in English.
        assert_eq!(
            titles(&store.untranslated(10).unwrap()),
            ["Terremoto en Chile"]
        );
        store
            .set_translations(
                &[(old[0].id, "Earthquake in Chile", "A quake shook Santiago.")],
                "Test",
            )
            .unwrap();
        assert_eq!(
            titles(&store.search("quake", 10).unwrap()),
            ["Terremoto en Chile"]
        );
        assert!(store.untranslated(10).unwrap().is_empty());
        check_index(&store);
    }

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
        store
            .insert_items(&source("e", "GIB"), &items, NOW)
            .unwrap();
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
    fn untranslated_lists_each_language_newest_first_up_to_its_limit() {
        let scratch = Scratch::new("untranslated");
        let mut store = scratch.open();
        // Declared languages whatlang does not know pass through whatever the text.
        let feed = |name: &str, language: &str| FeedSource {
            language: language.into(),
            ..source(name, "ZZZ")
        };
        let items = |name: &str, count: i64| -> Vec<FeedItem> {
            (0..count)
                .map(|i| {
                    let link = format!("https://{name}.example/{i}");
                    item(None, Some(&link), &format!("{name} {i}"), NOW - i * HOUR)
                })
                .collect()
        };
        for (name, language, count) in [("sw", "sw", 3), ("eu", "eu", 2), ("en", "en", 2)] {
            store
                .insert_items(&feed(name, language), &items(name, count), NOW)
                .unwrap();
        }
        assert_eq!(
            titles(&store.untranslated(2).unwrap()),
            ["eu 0", "eu 1", "sw 0", "sw 1"]
        );
        assert_eq!(titles(&store.untranslated(1).unwrap()), ["eu 0", "sw 0"]);
        assert!(store.untranslated(0).unwrap().is_empty());

        let sw0 = store.untranslated(1).unwrap()[1].id;
        store
            .set_translations(&[(sw0, "Translated", ""), (i64::MAX, "Gone", "")], "Test")
            .unwrap();
        assert_eq!(
            titles(&store.untranslated(10).unwrap()),
            ["eu 0", "eu 1", "sw 1", "sw 2"]
        );
        let translated = store.search("translated", 10).unwrap();
        assert_eq!(titles(&translated), ["sw 0"]);
        assert_eq!(
            (
                translated[0].title_en.as_deref(),
                translated[0].summary_en.as_deref(),
                translated[0].translated_by.as_deref()
            ),
            (Some("Translated"), Some(""), Some("Test"))
        );
        check_index(&store);
        // Pruning a translated article keeps the index in step.
        store.prune(NOW + 1).unwrap();
        assert!(store.search("translated", 10).unwrap().is_empty());
        check_index(&store);
    }

    #[test]
    fn the_translation_cache_answers_per_text_and_language_and_survives_reopening() {
        let scratch = Scratch::new("cache");
        let mut store = scratch.open();
        assert_eq!(
            store.cached_translations("es", "en", &["hola"]).unwrap(),
            [None]
        );
        store
            .cache_translations("es", "en", &[("hola", "hello"), ("adiós", "bye")], "A")
            .unwrap();
        assert_eq!(
            store
                .cached_translations("es", "en", &["adiós", "nada", "hola", ""])
                .unwrap(),
            [Some("bye".into()), None, Some("hello".into()), None]
        );
        // The same text from another language is another translation.
        assert_eq!(
            store.cached_translations("pt", "en", &["hola"]).unwrap(),
            [None]
        );
        // A newer translation of a text replaces the cached one.
        store
            .cache_translations("es", "en", &[("hola", "hi")], "B")
            .unwrap();
        drop(store);
        let store = scratch.open();
        assert_eq!(
            store.cached_translations("es", "en", &["hola"]).unwrap(),
            [Some("hi".into())]
        );
        let by: String = store
            .conn
            .query_row(
                "SELECT translated_by FROM translations WHERE text = 'hola'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(by, "B");
    }

    #[test]
    fn a_hash_collision_in_the_cache_is_a_miss() {
        let scratch = Scratch::new("collision");
        let store = scratch.open();
        // Another text stored under "hola"'s hash, as a collision would leave it.
        store
            .conn
            .execute(
                "INSERT INTO translations VALUES (?1, 'es', 'en', 'otra cosa', 'something else', 'A')",
                [text_hash("hola")],
            )
            .unwrap();
        assert_eq!(
            store.cached_translations("es", "en", &["hola"]).unwrap(),
            [None]
        );
    }

    #[test]
    fn text_hash_is_fnv_1a_64() {
        // Test vectors from the FNV reference (draft-eastlake-fnv), as signed integers.
        for (text, hash) in [
            ("", 0xcbf2_9ce4_8422_2325_u64),
            ("a", 0xaf63_dc4c_8601_ec8c),
            ("foobar", 0x8594_4171_f739_67e8),
        ] {
            assert_eq!(
                text_hash(text),
                i64::from_ne_bytes(hash.to_ne_bytes()),
                "{text:?}"
            );
        }
        assert_ne!(text_hash("hola"), text_hash("Hola"));
    }

    #[test]
    fn canonical_link_drops_what_does_not_name_the_article() {
        for (link, canonical) in [
            (
                "HTTPS://News.Example.COM:443/a/b/?utm_source=rss&id=7&UTM_Medium=x&fbclid=1#top",
                "https://news.example.com/a/b/?id=7",
            ),
            (
                "http://example.com:80/story?b=2&gclid=x&a=1&ocid=y&cmpid=z&at_medium=m&at_campaign=c",
                "http://example.com/story?b=2&a=1",
            ),
            (
                "https://example.com:8443/x?utm_campaign=1",
                "https://example.com:8443/x",
            ),
            (
                "https://example.com/x?q=a%20b&&flag",
                "https://example.com/x?q=a%20b&flag",
            ),
            ("https://example.com/x/", "https://example.com/x/"),
            ("https://example.com/x", "https://example.com/x"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(canonical_link(link), canonical, "{link}");
        }
    }

    #[test]
    fn the_same_article_is_stored_once() {
        let scratch = Scratch::new("dedup");
        let mut store = scratch.open();
        let a = source("a", "FRA");
        let b = source("b", "FRA");
        let first = [
            item(
                Some("g1"),
                Some("https://x.example/story?utm_source=a"),
                "One",
                NOW,
            ),
            item(Some("g2"), Some("https://x.example/two"), "Two", NOW),
            item(Some("g3"), None, "Three", NOW),
            item(None, None, "Nothing to know it by", NOW),
        ];
        assert_eq!(store.insert_items(&a, &first, NOW).unwrap(), 3);
        assert_eq!(store.insert_items(&a, &first, NOW + 1).unwrap(), 0);

        let again = [
            // The same link with other tracking parameters and a fragment, from another feed.
            item(
                Some("other"),
                Some("https://x.example/story?fbclid=9#c"),
                "One'",
                NOW,
            ),
            // The same guid in the same feed under a new link.
            item(
                Some("g2"),
                Some("https://x.example/two-updated"),
                "Two'",
                NOW,
            ),
        ];
        assert_eq!(store.insert_items(&a, &again, NOW).unwrap(), 0);
        assert_eq!(store.insert_items(&b, &again[..1], NOW).unwrap(), 0);
        // The same guid in another feed is another article.
        assert_eq!(store.insert_items(&b, &again[1..], NOW).unwrap(), 1);

        let mut stored = titles(&store.latest_for_country("FRA", 10).unwrap())
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        stored.sort();
        assert_eq!(stored, ["One", "Three", "Two", "Two'"]);
        assert_eq!(store.article_count().unwrap(), 4);
    }

    #[test]
    fn a_guid_that_is_a_web_address_stands_in_for_a_missing_link() {
        let scratch = Scratch::new("guid_link");
        let mut store = scratch.open();
        let feed = source("g", "DEU");
        let items = [
            item(Some("https://g.example/1"), None, "Permalink", NOW),
            item(Some("tag:g.example,2025:2"), None, "Tag", NOW - 1),
            // Known by its link now, the same article as the permalink guid above.
            item(None, Some("https://g.example/1?utm_medium=x"), "Again", NOW),
        ];
        assert_eq!(store.insert_items(&feed, &items, NOW).unwrap(), 2);
        let stored = store.latest_for_country("DEU", 10).unwrap();
        assert_eq!(
            stored
                .iter()
                .map(|a| (a.title.as_str(), a.link.as_str()))
                .collect::<Vec<_>>(),
            [("Permalink", "https://g.example/1"), ("Tag", "")]
        );
    }

    #[test]
    fn an_undated_item_is_dated_when_first_seen() {
        let scratch = Scratch::new("undated");
        let mut store = scratch.open();
        let undated = FeedItem {
            published: None,
            image: Some("https://x.example/i.jpg".into()),
            ..item(Some("u"), Some("https://x.example/u"), "Undated", 0)
        };
        store
            .insert_items(&source("x", "ITA"), &[undated], NOW)
            .unwrap();
        let article = &store.latest_for_country("ITA", 1).unwrap()[0];
        assert_eq!((article.published, article.first_seen), (NOW, NOW));
        assert_eq!(article.image.as_deref(), Some("https://x.example/i.jpg"));
        assert_eq!(article.feed_url, "https://x.example/rss");
        assert_eq!(
            (article.outlet.as_str(), article.language.as_str()),
            ("X", "en")
        );
    }

    #[test]
    fn old_items_are_not_kept() {
        let scratch = Scratch::new("retention");
        let mut store = scratch.open();
        let window = RETENTION_DAYS * SECONDS_PER_DAY;
        let items = [
            item(
                Some("old"),
                Some("https://r.example/old"),
                "Ancient",
                NOW - window - 1,
            ),
            item(
                Some("edge"),
                Some("https://r.example/edge"),
                "Edgewise",
                NOW - window,
            ),
            item(Some("new"), Some("https://r.example/new"), "Fresh", NOW),
        ];
        assert_eq!(
            store
                .insert_items(&source("r", "ESP"), &items, NOW)
                .unwrap(),
            2
        );
        assert!(store.search("ancient", 10).unwrap().is_empty());

        assert_eq!(store.prune(NOW - HOUR).unwrap(), 1);
        assert_eq!(store.prune(NOW - HOUR).unwrap(), 0);
        assert_eq!(
            titles(&store.latest_for_country("ESP", 10).unwrap()),
            ["Fresh"]
        );
        assert!(store.search("edgewise", 10).unwrap().is_empty());
        assert_eq!(titles(&store.search("summary", 10).unwrap()), ["Fresh"]);
        // The index agrees with its content table after the deletes.
        check_index(&store);
    }

    #[test]
    fn latest_is_newest_first_within_the_country_and_limited() {
        let scratch = Scratch::new("latest");
        let mut store = scratch.open();
        let items = [
            item(
                Some("1"),
                Some("https://l.example/1"),
                "Older",
                NOW - 2 * HOUR,
            ),
            item(
                Some("2"),
                Some("https://l.example/2"),
                "Tie first",
                NOW - HOUR,
            ),
            item(
                Some("3"),
                Some("https://l.example/3"),
                "Tie second",
                NOW - HOUR,
            ),
            item(Some("4"), Some("https://l.example/4"), "Newest", NOW),
        ];
        store
            .insert_items(&source("l", "JPN"), &items, NOW)
            .unwrap();
        let elsewhere = [item(
            Some("5"),
            Some("https://m.example/5"),
            "Elsewhere",
            NOW,
        )];
        store
            .insert_items(&source("m", "KOR"), &elsewhere, NOW)
            .unwrap();

        assert_eq!(
            titles(&store.latest_for_country("JPN", 10).unwrap()),
            ["Newest", "Tie second", "Tie first", "Older"]
        );
        assert_eq!(
            titles(&store.latest_for_country("JPN", 2).unwrap()),
            ["Newest", "Tie second"]
        );
        assert!(store.latest_for_country("JPN", 0).unwrap().is_empty());
        assert!(store.latest_for_country("NOR", 10).unwrap().is_empty());
        assert_eq!(
            store.latest_for_country("JPN", usize::MAX).unwrap().len(),
            4
        );
    }

    #[test]
    fn latest_reads_the_index_in_order_without_sorting() {
        let scratch = Scratch::new("latest_plan");
        let store = scratch.open();
        let plan: Vec<String> = store
            .conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT * FROM articles WHERE country = 'X'
                 ORDER BY published DESC, id DESC LIMIT 50",
            )
            .unwrap()
            .query_map([], |row| row.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("; ");
        assert!(plan.contains("articles_country_published"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[test]
    fn counts_since_counts_per_country_from_a_time_on() {
        let scratch = Scratch::new("counts");
        let mut store = scratch.open();
        let items = |feed: &str, times: &[i64]| -> Vec<FeedItem> {
            times
                .iter()
                .enumerate()
                .map(|(i, &t)| {
                    let link = format!("https://{feed}.example/{i}");
                    item(None, Some(&link), "T", t)
                })
                .collect()
        };
        store
            .insert_items(
                &source("a", "USA"),
                &items("a", &[NOW, NOW - HOUR, NOW - 3 * HOUR]),
                NOW,
            )
            .unwrap();
        store
            .insert_items(&source("b", "CAN"), &items("b", &[NOW - 3 * HOUR]), NOW)
            .unwrap();
        store
            .insert_items(&source("c", "USA"), &items("c", &[NOW - 2 * HOUR]), NOW)
            .unwrap();

        let counts = store.counts_since(NOW - 2 * HOUR).unwrap();
        assert_eq!(counts, HashMap::from([("USA".to_string(), 3)]));
        let counts = store.counts_since(NOW - 3 * HOUR).unwrap();
        assert_eq!(
            counts,
            HashMap::from([("USA".to_string(), 4), ("CAN".to_string(), 1)])
        );
        assert!(store.counts_since(NOW + 1).unwrap().is_empty());

        let per_feed = store.counts_per_feed_since(NOW - 2 * HOUR).unwrap();
        assert_eq!(
            per_feed,
            HashMap::from([
                (source("a", "USA").feed_url, 2),
                (source("c", "USA").feed_url, 1)
            ])
        );
    }

    #[test]
    fn english_since_lists_what_reads_in_english_oldest_first() {
        let scratch = Scratch::new("english_since");
        let mut store = scratch.open();
        let english = [
            item(None, Some("https://a.example/new"), "Newer", NOW - HOUR),
            item(None, Some("https://a.example/old"), "Older", NOW - 2 * HOUR),
            item(
                None,
                Some("https://a.example/gone"),
                "Too old",
                NOW - 5 * HOUR,
            ),
        ];
        store
            .insert_items(&source("a", "USA"), &english, NOW)
            .unwrap();
        let spanish = FeedSource {
            language: "es".into(),
            ..source("b", "ESP")
        };
        let mut lluvia = item(
            None,
            Some("https://b.example/1"),
            "Llueve mucho en Madrid",
            NOW,
        );
        lluvia.summary = "La lluvia sigue en toda la ciudad durante el fin de semana".into();
        let mut sol = item(
            None,
            Some("https://b.example/2"),
            "Hace sol en Sevilla hoy",
            NOW,
        );
        sol.summary = "El calor vuelve a la ciudad andaluza este fin de semana".into();
        store.insert_items(&spanish, &[lluvia, sol], NOW).unwrap();
        let untranslated = store.untranslated(10).unwrap();
        let rain = untranslated
            .iter()
            .find(|a| a.title.starts_with("Llueve"))
            .unwrap();
        store
            .set_translations(&[(rain.id, "It rains a lot in Madrid", "")], "Test")
            .unwrap();

        let listed = store.english_since(NOW - 3 * HOUR).unwrap();
        assert_eq!(
            titles(&listed),
            ["Older", "Newer", "Llueve mucho en Madrid"],
            "the untranslated Spanish article waits for its translation"
        );
        assert_eq!(
            listed[2].title_en.as_deref(),
            Some("It rains a lot in Madrid")
        );
    }

    #[test]
    fn search_finds_words_in_titles_and_summaries_and_word_beginnings() {
        let scratch = Scratch::new("search");
        let mut store = scratch.open();
        let items = [
            FeedItem {
                summary: "The central bank raised rates.".into(),
                ..item(
                    Some("1"),
                    Some("https://s.example/1"),
                    "Markets wobble",
                    NOW - HOUR,
                )
            },
            FeedItem {
                summary: "Floods in the north.".into(),
                ..item(
                    Some("2"),
                    Some("https://s.example/2"),
                    "Central bank holds",
                    NOW,
                )
            },
            FeedItem {
                summary: "Élections régionales à Montréal.".into(),
                ..item(Some("3"), Some("https://s.example/3"), "Québec vote", NOW)
            },
        ];
        store
            .insert_items(&source("s", "CAN"), &items, NOW)
            .unwrap();

        assert_eq!(
            titles(&store.search("wobble", 10).unwrap()),
            ["Markets wobble"]
        );
        assert_eq!(
            titles(&store.search("floods", 10).unwrap()),
            ["Central bank holds"]
        );
        // A title match ranks above a summary match, whatever the dates.
        assert_eq!(
            titles(&store.search("central bank", 10).unwrap()),
            ["Central bank holds", "Markets wobble"]
        );
        assert_eq!(
            titles(&store.search("central bank", 1).unwrap()),
            ["Central bank holds"]
        );
        assert_eq!(
            titles(&store.search("wob", 10).unwrap()),
            ["Markets wobble"]
        );
        // Only the last word is a prefix.
        assert!(store.search("wob markets", 10).unwrap().is_empty());
        assert_eq!(
            titles(&store.search("MONTREAL", 10).unwrap()),
            ["Québec vote"]
        );
        assert_eq!(
            titles(&store.search("\"quebec\"", 10).unwrap()),
            ["Québec vote"]
        );
    }

    #[test]
    fn search_takes_any_text_without_error() {
        let scratch = Scratch::new("search_weird");
        let mut store = scratch.open();
        let items = [item(
            Some("1"),
            Some("https://w.example/1"),
            "AND OR NOT near",
            NOW,
        )];
        store
            .insert_items(&source("w", "BRA"), &items, NOW)
            .unwrap();
        for query in [
            "",
            " ",
            "\"",
            "\"\"",
            "*",
            "**",
            "AND OR",
            "AND",
            "NOT",
            ")(",
            "(",
            "-",
            "- -x",
            "a:b",
            "title:x",
            "^",
            "NEAR(a b)",
            "'; DROP TABLE articles; --",
            "😀",
            "🇧🇷 🎉",
            "\u{0}",
            "a\u{0}bc",
            "a\"b*c",
            "{title summary}: x",
            "x + y",
            "..",
        ] {
            store
                .search(query, 10)
                .unwrap_or_else(|e| panic!("{query:?}: {e}"));
        }
        assert!(store.search("", 10).unwrap().is_empty());
        assert!(store.search("😀", 10).unwrap().is_empty());
        assert_eq!(
            titles(&store.search("AND OR", 10).unwrap()),
            ["AND OR NOT near"]
        );
        assert_eq!(
            titles(&store.search("(near) and", 10).unwrap()),
            ["AND OR NOT near"]
        );
        assert_eq!(store.article_count().unwrap(), 1);
    }

    #[test]
    fn fts_query_quotes_every_word_and_prefixes_the_last() {
        assert_eq!(fts_query("a  bcd").as_deref(), Some("\"a\" \"bcd\"*"));
        assert_eq!(fts_query("abc de").as_deref(), Some("\"abc\" \"de\""));
        assert_eq!(
            fts_query("say \"hey\"").as_deref(),
            Some("\"say\" \"\"\"hey\"\"\"*")
        );
        assert_eq!(fts_query("x - *").as_deref(), Some("\"x\""));
        assert_eq!(fts_query(" \t"), None);
        assert_eq!(fts_query("a\u{0}bcd").as_deref(), Some("\"a\" \"bcd\"*"));
        assert_eq!(fts_query("😀 )("), None);
    }

    #[test]
    fn feed_state_records_successes_and_failures() {
        let scratch = Scratch::new("feed_state");
        let mut store = scratch.open();
        let url = "https://f.example/rss";
        assert_eq!(store.feed_state(url).unwrap(), FeedState::default());
        assert_eq!(store.latest_success().unwrap(), None);

        store.record_failure(url, "timed out", NOW).unwrap();
        store.record_failure(url, "HTTP 503", NOW + 1).unwrap();
        let failing = store.feed_state(url).unwrap();
        assert_eq!(failing.consecutive_failures, 2);
        assert_eq!(failing.last_error.as_deref(), Some("HTTP 503"));
        assert_eq!(
            (failing.last_attempt, failing.last_success),
            (Some(NOW + 1), None)
        );

        store
            .record_success(
                url,
                Some("\"e1\""),
                Some("Mon, 01 Jan 2024"),
                false,
                NOW + 2,
            )
            .unwrap();
        let fresh = FeedState {
            etag: Some("\"e1\"".into()),
            last_modified: Some("Mon, 01 Jan 2024".into()),
            last_success: Some(NOW + 2),
            last_error: None,
            last_attempt: Some(NOW + 2),
            consecutive_failures: 0,
        };
        assert_eq!(store.feed_state(url).unwrap(), fresh);

        // A failure keeps the validators for the next conditional request.
        store.record_failure(url, "reset", NOW + 3).unwrap();
        let state = store.feed_state(url).unwrap();
        assert_eq!(
            (state.etag.as_deref(), state.consecutive_failures),
            (Some("\"e1\""), 1)
        );

        // A 304 without validators keeps the stored ones; one with a fresh ETag takes it.
        store
            .record_success(url, None, None, true, NOW + 4)
            .unwrap();
        let state = store.feed_state(url).unwrap();
        assert_eq!(
            state,
            FeedState {
                last_success: Some(NOW + 4),
                last_attempt: Some(NOW + 4),
                ..fresh.clone()
            }
        );
        store
            .record_success(url, Some("\"e2\""), None, true, NOW + 5)
            .unwrap();
        let state = store.feed_state(url).unwrap();
        assert_eq!(state.etag.as_deref(), Some("\"e2\""));
        assert_eq!(state.last_modified, fresh.last_modified);

        // A 200 without validators clears them: the old ones no longer describe the feed.
        store
            .record_success(url, None, None, false, NOW + 6)
            .unwrap();
        let state = store.feed_state(url).unwrap();
        assert_eq!((state.etag, state.last_modified), (None, None));

        store
            .record_failure("https://a.example/rss", "DNS", NOW)
            .unwrap();
        let health = store.feed_health().unwrap();
        assert_eq!(
            health
                .iter()
                .map(|(url, _)| url.as_str())
                .collect::<Vec<_>>(),
            ["https://a.example/rss", url]
        );
        assert_eq!(health[0].1.consecutive_failures, 1);
        // The last success of any feed, not of the last one written.
        assert_eq!(store.latest_success().unwrap(), Some(NOW + 6));
        drop(store);
        assert_eq!(scratch.open().feed_health().unwrap(), health);
    }

    #[test]
    fn a_second_connection_reads_while_the_first_writes() {
        let scratch = Scratch::new("wal");
        let mut writer = scratch.open();
        let feed = source("w", "IND");
        let committed = [item(
            Some("1"),
            Some("https://w.example/1"),
            "Committed",
            NOW,
        )];
        writer.insert_items(&feed, &committed, NOW).unwrap();

        let tx = writer
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        tx.execute(
            "INSERT INTO articles (feed_url, outlet, country, language, title, summary,
                 published, first_seen)
             VALUES (?1, 'W', 'IND', 'en', 'Pending', '', ?2, ?2)",
            params![feed.feed_url, NOW],
        )
        .unwrap();

        // Opening does not wait for the writer's lock, and reading sees only what is committed.
        let reader = scratch.open();
        assert_eq!(
            titles(&reader.latest_for_country("IND", 10).unwrap()),
            ["Committed"]
        );
        assert!(reader.search("pending", 10).unwrap().is_empty());
        tx.commit().unwrap();
        assert_eq!(reader.article_count().unwrap(), 2);

        // Concurrent feeds written on one thread while another reads: no busy errors.
        let path = scratch.store_path();
        let reads = std::thread::spawn(move || {
            let reader = Store::open(&path).unwrap();
            let mut seen = 0;
            while seen < 202 {
                seen = reader.article_count().unwrap();
                reader.latest_for_country("IND", 50).unwrap();
                reader.search("story", 50).unwrap();
            }
        });
        for f in 0..20 {
            let items: Vec<FeedItem> = (0..10)
                .map(|i| {
                    let link = format!("https://w.example/{f}/{i}");
                    item(None, Some(&link), "Story", NOW)
                })
                .collect();
            writer.insert_items(&feed, &items, NOW).unwrap();
        }
        reads.join().unwrap();
    }

    #[test]
    fn a_damaged_file_is_refused_with_its_path() {
        let scratch = Scratch::new("corrupt");
        let path = scratch.store_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            b"these bytes are not a database, not even a little".repeat(200),
        )
        .unwrap();
        let error = Store::open(&path).unwrap_err();
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("move it aside"), "{message}");
    }

    #[test]
    fn another_programs_database_is_refused_and_left_alone() {
        let scratch = Scratch::new("foreign");
        let path = scratch.store_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
            .unwrap();
        let error = Store::open(&path).unwrap_err();
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
        assert!(error.to_string().contains(&path.display().to_string()));
        let conn = Connection::open(&path).unwrap();
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn a_store_from_a_newer_build_is_refused_with_its_path_and_version() {
        let scratch = Scratch::new("too_new");
        let path = scratch.store_path();
        scratch
            .open()
            .conn
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = Store::open(&path).unwrap_err();
        assert!(
            matches!(error, StoreError::TooNew { found: 99, .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("99"), "{message}");
    }

    #[test]
    fn a_pages_reading_is_kept_until_its_article_goes() {
        let dir = Scratch::new("pages");
        let mut store = dir.open();
        let items = [
            item(Some("a"), Some("https://r.example/a"), "Floods", NOW),
            item(
                Some("b"),
                Some("https://r.example/b"),
                "Paywalled",
                NOW - 3 * HOUR,
            ),
        ];
        store
            .insert_items(&source("r", "BRA"), &items, NOW)
            .unwrap();
        let ids: Vec<i64> = store
            .latest_for_country("BRA", 10)
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect();
        let page = Extracted {
            title: "Floods close the port".into(),
            language: Some("pt".into()),
            direction: None,
            paragraphs: vec!["Chuvas fortes.".into(), "O porto fechou.".into()],
            ..Default::default()
        };
        assert_eq!(store.page(ids[0]).unwrap(), None);
        store.set_page(ids[0], NOW, &Ok(page.clone())).unwrap();
        store
            .set_page(ids[1], NOW, &Err("the page is behind a paywall".into()))
            .unwrap();
        // Another connection (the app's reader) sees both, as written.
        let reader = dir.open();
        assert_eq!(
            reader.page(ids[0]).unwrap(),
            Some(StoredPage {
                fetched: NOW,
                read: Ok(page)
            })
        );
        assert_eq!(
            reader.page(ids[1]).unwrap().unwrap().read,
            Err("the page is behind a paywall".into())
        );
        store.prune(NOW - HOUR).unwrap();
        assert_eq!(store.page(ids[1]).unwrap(), None, "pruned with its article");
        assert!(store.page(ids[0]).unwrap().is_some());
    }
}
