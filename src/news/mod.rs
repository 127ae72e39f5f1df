//! News: the outlet catalog, fetching and parsing feeds, the SQLite store, ingest, each
//! article's language, its machine translation into English (with a cache in the store),
//! the sentence embeddings and stories that group articles about one event across outlets and
//! countries, and each article's topics.
//!
//! Plain Rust, no Bevy: the headless `fetch` and `articles` commands and the app's news
//! bridge share it. Text from feeds is untrusted: it arrives here as bytes and leaves as
//! bounded plain text.

pub mod catalog;
pub mod extract;
pub mod fetch;
pub mod framing;
mod http;
pub mod images;
pub mod ingest;
pub mod language;
pub mod page;
pub mod parse;
pub mod sentences;
pub mod service;
pub mod spread;
pub mod store;
pub mod stories;
pub mod topics;
pub mod translate;
mod words;
pub mod world;

/// The tests' HTTP server, shared by the modules that fetch.
#[cfg(test)]
#[path = "../../tests/support/loopback.rs"]
mod loopback;

/// One item of a feed, cleaned: plain-text title and summary of bounded length, absolute
/// links, times as Unix seconds (UTC).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeedItem {
    /// The feed's own id for the item (RSS `guid`, Atom `id`), if it gives one.
    pub guid: Option<String>,
    /// The article's absolute URL.
    pub link: Option<String>,
    pub title: String,
    pub summary: String,
    /// When the feed says it was published or updated; `None` when it does not say.
    pub published: Option<i64>,
    /// An absolute image URL, where the feed gives one.
    pub image: Option<String>,
}

/// Where a stored article came from: the feed and its outlet's catalog facts.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedSource {
    pub feed_url: String,
    pub outlet: String,
    /// Natural Earth `ADM0_A3` code of the outlet's country.
    pub country: String,
    /// ISO 639-1 code of the feed's declared language.
    pub language: String,
}

/// An article as stored and listed.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Article {
    pub id: i64,
    pub feed_url: String,
    pub outlet: String,
    pub country: String,
    /// ISO 639-1 code of the language the article is written in: the feed's declared one,
    /// unless the text clearly says otherwise (see [`language::article_language`]).
    pub language: String,
    pub title: String,
    pub summary: String,
    /// The title and summary in English, once machine-translated; `None` for an article
    /// written in English or not translated yet, whose own title and summary are shown.
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    /// The "machine-translated by" mark (the translator's name); `None` until translated.
    pub translated_by: Option<String>,
    pub link: String,
    pub image: Option<String>,
    /// Unix seconds: the feed's date, or the first time we saw the item when it had none.
    pub published: i64,
    pub first_seen: i64,
}

/// What a panic said, for a feed's health, the status line and the log.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// The current time in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_of_either_kind_are_read() {
        let text: Box<dyn std::any::Any + Send> = Box::new(format!("index {} out of range", 7));
        assert_eq!(panic_message(text.as_ref()), "index 7 out of range");
        let other: Box<dyn std::any::Any + Send> = Box::new(42);
        assert_eq!(panic_message(other.as_ref()), "a panic without a message");
    }
}
