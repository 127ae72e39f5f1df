//! SQLite's full-text search (FTS5) over the articles' titles and summaries, in their own
//! language and in English: the search's words as a safe FTS5 query, the best of the newest
//! matches first.

use rusqlite::params;

use super::Sqlite;
use super::articles::article_from_row;
use crate::news::Article;
use crate::news::store::search::{SEARCH_CANDIDATES, Words};
use crate::news::store::{StoreError, sql_limit};

impl Sqlite {
    pub(crate) fn search(&self, words: &Words, limit: usize) -> Result<Vec<Article>, StoreError> {
        let fts_query = fts_query(words);
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

/// The search's words as an FTS5 query that cannot be a syntax error: each word a quoted
/// phrase (quotes doubled), the last one a prefix when the search says so.
fn fts_query(words: &Words) -> String {
    let quote = |word: &str| format!("\"{}\"", word.replace('"', "\"\""));
    let mut query = words
        .words
        .iter()
        .map(|word| quote(word))
        .collect::<Vec<_>>()
        .join(" ");
    if words.prefix {
        query.push('*');
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_query_quotes_every_word_and_prefixes_the_last() {
        assert_eq!(
            Words::of("a  bcd").as_ref().map(fts_query).as_deref(),
            Some("\"a\" \"bcd\"*")
        );
        assert_eq!(
            Words::of("abc de").as_ref().map(fts_query).as_deref(),
            Some("\"abc\" \"de\"")
        );
        assert_eq!(
            Words::of("say \"hey\"").as_ref().map(fts_query).as_deref(),
            Some("\"say\" \"\"\"hey\"\"\"*")
        );
        assert_eq!(
            Words::of("x - *").as_ref().map(fts_query).as_deref(),
            Some("\"x\"")
        );
        assert_eq!(Words::of(" \t").as_ref().map(fts_query), None);
        assert_eq!(
            Words::of("a\u{0}bcd").as_ref().map(fts_query).as_deref(),
            Some("\"a\" \"bcd\"*")
        );
        assert_eq!(Words::of("😀 )(").as_ref().map(fts_query), None);
    }
}
