//! The shared store's full-text search: the search's words as a `tsquery` passed as a value,
//! matched against the stored `tsvector` through its GIN index; the best of the newest matches
//! first, as in the SQLite store.

use super::Postgres;
use super::articles::{ARTICLE_COLUMNS, article_from_row};
use crate::news::Article;
use crate::news::store::search::{SEARCH_CANDIDATES, Words};
use crate::news::store::{StoreError, sql_limit};

impl Postgres {
    pub(crate) fn search(&self, words: &Words, limit: usize) -> Result<Vec<Article>, StoreError> {
        let query = tsquery(words);
        // The newest matches by id alone first, ranked only then: ranking reads each match's
        // whole vector, and a common word matches a fifth of a million articles. The ids go
        // through an array so the ranking reads those rows by key. The query is written out
        // where it is used, not shared through a CTE, so the planner sees the word and can
        // tell a common one (walk the newest rows) from a rare one (the index).
        // The weights are {D, C, B, A}: a title's word counts three times a summary's, as in
        // the SQLite store's ranking.
        self.run(move |client| {
            let rows = client.query(
                &format!(
                    "WITH best AS (
                         SELECT a.id, ts_rank('{{0.1, 0.1, 0.1, 0.3}}', a.search,
                                              to_tsquery('simple', newsglobe_fold($1))) AS score
                         FROM articles a
                         WHERE a.id = ANY (ARRAY(
                             SELECT m.id FROM articles m
                             WHERE m.search @@ to_tsquery('simple', newsglobe_fold($1))
                             ORDER BY m.id DESC LIMIT $3))
                         ORDER BY score DESC, a.id DESC LIMIT $2
                     )
                     SELECT {ARTICLE_COLUMNS}
                     FROM best JOIN articles a ON a.id = best.id
                     ORDER BY best.score DESC, a.published DESC, a.id DESC"
                ),
                &[&query, &sql_limit(limit), &SEARCH_CANDIDATES],
            )?;
            Ok(rows.iter().map(article_from_row).collect())
        })
    }
}

/// The search's words as `tsquery` text: each word a quoted lexeme (quotes doubled, backslashes
/// escaped) so no operator in it is read, all of them required, the last one a prefix when the
/// search says so. The server splits a quoted word the way it split the stored text.
fn tsquery(words: &Words) -> String {
    let quote = |word: &str| format!("'{}'", word.replace('\\', "\\\\").replace('\'', "''"));
    let mut query = words
        .words
        .iter()
        .map(|word| quote(word))
        .collect::<Vec<_>>()
        .join(" & ");
    if words.prefix {
        query.push_str(":*");
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_quoted_and_required_and_the_last_a_prefix() {
        let words = Words::of("it's a \\ bcd").unwrap();
        assert_eq!(tsquery(&words), "'it''s' & 'a' & 'bcd':*");
        let words = Words::of("x & !y").unwrap();
        assert_eq!(tsquery(&words), "'x' & '!y'");
    }
}
