//! Full-text search over the articles' titles and summaries, in their own language and in
//! English: the user's text made into a safe FTS5 query, the best of the newest matches first.

use rusqlite::params;

use super::articles::article_from_row;
use super::{Store, StoreError, sql_limit};
use crate::news::Article;

/// How many of a query's matches, newest stored first, [`Store::search`] ranks. Scoring every
/// match of a word found in most articles costs ~70 ms on a 100k-article store, this many
/// ~5 ms; news searches want recent articles anyway.
const SEARCH_CANDIDATES: i64 = 1000;

/// The last word of a search matches as a prefix from this many letters on: a shorter prefix
/// stands for much of the vocabulary, and merging all its words' entries is slow.
const PREFIX_MIN_CHARS: usize = 3;

impl Store {
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::news::FeedItem;

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
        insert(&mut store, &source("s", "CAN"), &items, NOW).unwrap();

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
        insert(&mut store, &source("w", "BRA"), &items, NOW).unwrap();
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
}
