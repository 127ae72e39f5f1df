//! The article store: one SQLite file holding every feed's fetch state, the articles of the
//! last [`RETENTION_DAYS`] days with their English translations, a full-text index over the
//! titles and summaries in both languages, and a cache of translated texts.
//!
//! The file is in WAL mode so the app can list and search while a fetch writes, and a second
//! process (the headless `articles` command) can read it at the same time. Each feed's items go
//! in one transaction, so a fetch killed halfway keeps every feed it had finished. Parsing and
//! cleaning feed text is not this module's concern: titles and summaries are stored as given;
//! nor is telling the language an article is written in: it is stored as given (ingest
//! decides it); nor is translating them: translations are stored as given, by whoever made
//! them (ingest).
//!
//! This file opens the store and holds its errors; the rest is one `impl Store` a job:
//! `schema.rs` (the tables and their migrations), `feeds.rs` (each feed's fetch state),
//! `articles.rs` (articles and their pages), `search.rs` (full-text search) and
//! `translations.rs` (articles' English and the cache of translated texts).

mod articles;
mod feeds;
mod schema;
mod search;
#[cfg(test)]
pub(crate) mod test_support;
mod translations;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

pub use articles::StoredPage;
pub use feeds::FeedState;

/// How long articles are kept: older ones are neither inserted nor kept by [`Store::prune`].
pub const RETENTION_DAYS: i64 = 30;

const SECONDS_PER_DAY: i64 = 24 * 60 * 60;

/// Long enough to ride out another process's feed transaction, short enough that a stuck
/// writer surfaces as an error rather than a frozen app.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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
}

/// SQLite takes limits as i64; a larger one means no limit anyway.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use rusqlite::params;

    use super::schema::MIGRATIONS;
    use super::test_support::*;
    use super::*;
    use crate::news::FeedItem;

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
        assert_eq!(insert(&mut store, &bbc, &items, NOW).unwrap(), 2);
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
        insert(&mut writer, &feed, &committed, NOW).unwrap();

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
            insert(&mut writer, &feed, &items, NOW).unwrap();
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
}
