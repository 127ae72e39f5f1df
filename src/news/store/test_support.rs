//! What the store's tests share: a scratch store per test on either backend (a SQLite file in
//! its own folder, or a database of its own on the test process's private PostgreSQL server),
//! feeds and items to store, and looks into a store that only tests take.

use std::path::PathBuf;

use super::pg::local::LocalServer;
use super::{Backend, PgSettings, Store, StoreAt, StoreError};
use crate::news::{Article, FeedItem, FeedSource};

pub const NOW: i64 = 1_750_000_000;

pub const HOUR: i64 = 60 * 60;

/// A store of its own per test, removed when dropped (the folder even when the test fails).
pub struct Scratch {
    folder: tempfile::TempDir,
    server: Option<PgSettings>,
}

impl Scratch {
    /// A SQLite store in a new folder.
    pub fn new(test: &str) -> Self {
        let folder = tempfile::Builder::new()
            .prefix(&format!("newsglobe-store-{test}-"))
            .tempdir()
            .unwrap();
        Scratch {
            folder,
            server: None,
        }
    }

    /// A PostgreSQL store in a new database; `None` where PostgreSQL is not installed and
    /// the environment does not require it (CI does: there it fails instead).
    pub fn postgres(test: &str) -> Option<Self> {
        let server = test_server()?;
        let database = server.create_database(test).unwrap();
        let settings =
            PgSettings::from_url(&server.url(&database), None, Some(server.password())).unwrap();
        Some(Scratch {
            server: Some(settings),
            ..Scratch::new(test)
        })
    }

    pub fn store_path(&self) -> PathBuf {
        self.folder
            .path()
            .join("data")
            .join("newsglobe")
            .join("news.sqlite")
    }

    pub fn at(&self) -> StoreAt {
        match &self.server {
            None => StoreAt::File(self.store_path()),
            Some(server) => StoreAt::Shared {
                server: server.clone(),
                local: self.folder.path().to_owned(),
            },
        }
    }

    pub fn open(&self) -> Store {
        Store::open_at(&self.at()).unwrap()
    }
}

/// The test process's PostgreSQL server; `None` (with a note) where there is none to start
/// and none is required.
pub fn test_server() -> Option<&'static LocalServer> {
    match LocalServer::shared() {
        Ok(Some(server)) => Some(server),
        Ok(None) => {
            eprintln!("PostgreSQL is not installed: skipping the shared store's side");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// Runs each test once on a SQLite store and once on a PostgreSQL one: the one interface
/// holds the same on both. The body gets its [`Scratch`] under the name given.
macro_rules! on_both_backends {
    ($($(#[$meta:meta])* fn $name:ident($scratch:ident) $body:block)*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports, reason = "each test uses some of the shared imports")]
                use super::*;

                #[test]
                fn sqlite() {
                    let $scratch = Scratch::new(stringify!($name));
                    $body
                }

                #[test]
                fn postgres() {
                    let Some($scratch) = Scratch::postgres(stringify!($name)) else {
                        return;
                    };
                    $body
                }
            }
        )*
    };
}
pub(crate) use on_both_backends;

pub fn source(feed: &str, country: &str) -> FeedSource {
    FeedSource {
        feed_url: format!("https://{feed}.example/rss"),
        outlet: feed.to_uppercase(),
        country: country.into(),
        language: "en".into(),
    }
}

pub fn item(guid: Option<&str>, link: Option<&str>, title: &str, published: i64) -> FeedItem {
    FeedItem {
        guid: guid.map(Into::into),
        link: link.map(Into::into),
        title: title.into(),
        summary: format!("Summary of {title}"),
        published: Some(published),
        image: None,
    }
}

pub fn titles(articles: &[Article]) -> Vec<&str> {
    articles.iter().map(|a| a.title.as_str()).collect()
}

/// The schema version the store is at, and the one this build knows.
pub fn schema_versions(store: &Store) -> (usize, usize) {
    match &store.backend {
        Backend::Sqlite(db) => (
            db.conn()
                .query_row("PRAGMA user_version", [], |row| row.get(0))
                .unwrap(),
            super::sqlite::MIGRATIONS.len(),
        ),
        Backend::Postgres(db) => (
            db.run(|client| {
                let version: i32 = client
                    .query_one("SELECT version FROM newsglobe_schema", &[])?
                    .get(0);
                Ok(version as usize)
            })
            .unwrap(),
            super::pg::MIGRATIONS.len(),
        ),
    }
}

/// Checks that the search index agrees with its content: SQLite's FTS5 integrity check. A
/// PostgreSQL store's index is a stored generated column, which cannot drift.
pub fn check_index(store: &Store) {
    if let Backend::Sqlite(db) = &store.backend {
        db.conn()
            .execute(
                "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)",
                [],
            )
            .unwrap();
    }
}

/// Stores `items` in the feed's declared language, as ingest does for text that does not
/// clearly say otherwise.
pub fn insert(
    store: &mut Store,
    source: &FeedSource,
    items: &[FeedItem],
    now: i64,
) -> Result<usize, StoreError> {
    let items: Vec<(&FeedItem, String)> = items
        .iter()
        .map(|item| (item, source.language.clone()))
        .collect();
    store.insert_items(source, &items, now)
}

/// A SQLite store's connection, for tests that look into the file.
pub fn conn(store: &Store) -> &rusqlite::Connection {
    match &store.backend {
        Backend::Sqlite(db) => db.conn(),
        Backend::Postgres(_) => panic!("not a SQLite store"),
    }
}

/// The same, to write around the store's own transactions.
pub fn conn_mut(store: &mut Store) -> &mut rusqlite::Connection {
    match &mut store.backend {
        Backend::Sqlite(db) => db.conn_mut(),
        Backend::Postgres(_) => panic!("not a SQLite store"),
    }
}
