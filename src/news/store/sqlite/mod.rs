//! The SQLite backend: one machine's store in one file, in WAL mode so the app can list and
//! search while a fetch writes, and a second process (the headless `articles` command) can
//! read it at the same time. Each job's SQL is in its own file: `schema.rs` (the tables and
//! their migrations), `feeds.rs`, `articles.rs`, `search.rs`, `translations.rs`, `stories.rs`.

mod articles;
mod feeds;
mod schema;
mod search;
mod sentences;

#[cfg(test)]
pub(super) use schema::MIGRATIONS;
mod stories;
mod translations;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use super::StoreError;

/// Long enough to ride out another process's feed transaction, short enough that a stuck
/// writer surfaces as an error rather than a frozen app.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl StoreError {
    /// Damage can surface on any read, not only on open; every error names the file so the
    /// user knows which one to move aside.
    fn from_sqlite(path: &Path, source: rusqlite::Error) -> Self {
        match source.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                store: path.display().to_string(),
                reason: source.to_string(),
            },
            _ => StoreError::Sqlite {
                path: path.to_owned(),
                source,
            },
        }
    }
}

/// An open SQLite store: one connection. It is `Send` but not `Sync`; open another for
/// concurrent reads.
#[derive(Debug)]
pub(super) struct Sqlite {
    conn: Connection,
    path: PathBuf,
}

impl Sqlite {
    /// Opens the file at `path`, creating its folders and the file if needed, and brings the
    /// schema up to date.
    pub(super) fn open(path: &Path) -> Result<Sqlite, StoreError> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|source| StoreError::CreateFolder {
                folder: folder.to_owned(),
                source,
            })?;
        }
        let sqlite = |e| StoreError::from_sqlite(path, e);
        let conn = Connection::open(path).map_err(sqlite)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
        let mut store = Sqlite {
            conn,
            path: path.to_owned(),
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

    /// The connection, for tests that look into the file.
    #[cfg(test)]
    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    #[cfg(test)]
    pub(super) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::params;

    use super::schema::MIGRATIONS;
    use crate::news::FeedItem;
    use crate::news::store::test_support::*;
    use crate::news::store::{Store, StoreError};
    use rusqlite::TransactionBehavior;

    #[test]
    fn open_creates_the_folders_the_file_and_the_schema() {
        let scratch = Scratch::new("open_creates");
        let path = scratch.store_path();
        assert!(!path.exists());
        let store = Store::open(&path).unwrap();
        assert!(path.is_file());
        assert_eq!(store.at().to_string(), path.display().to_string());
        assert_eq!(store.article_count().unwrap(), 0);
        assert_eq!(
            schema_versions(&store),
            (MIGRATIONS.len(), MIGRATIONS.len())
        );
        let journal: String = conn(&store)
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
        let fts5: bool = conn(&store)
            .query_row(
                "SELECT sqlite_compileoption_used('ENABLE_FTS5')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert!(fts5);
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

        let tx = conn_mut(&mut writer)
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
