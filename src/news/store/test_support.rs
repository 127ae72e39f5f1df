//! What the store's tests share: a scratch folder per test, feeds and items to store, and
//! looks into the file that only tests take.

use std::path::PathBuf;

use super::{Store, StoreError};
use crate::news::{Article, FeedItem, FeedSource};

pub const NOW: i64 = 1_750_000_000;

pub const HOUR: i64 = 60 * 60;

/// A folder of its own per test, removed when dropped (even when the test fails).
pub struct Scratch(tempfile::TempDir);

impl Scratch {
    pub fn new(test: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("newsglobe-store-{test}-"))
            .tempdir()
            .unwrap();
        Scratch(dir)
    }

    pub fn store_path(&self) -> PathBuf {
        self.0
            .path()
            .join("data")
            .join("newsglobe")
            .join("news.sqlite")
    }

    pub fn open(&self) -> Store {
        Store::open(&self.store_path()).unwrap()
    }
}

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

pub fn user_version(store: &Store) -> usize {
    store
        .conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap()
}

/// Runs the FTS5 integrity check: an error if the index disagrees with its content.
pub fn check_index(store: &Store) {
    store
        .conn
        .execute(
            "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
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
