//! SQLite's sentence embeddings: the articles still without one, and each one made.

use std::collections::HashMap;

use rusqlite::params;

use super::Sqlite;
use super::articles::article_from_row;
use crate::news::Article;
use crate::news::sentences;
use crate::news::store::sentences::read_rows;
use crate::news::store::{StoreError, sql_limit};

impl Sqlite {
    pub(crate) fn unembedded(&self, since: i64, limit: usize) -> Result<Vec<Article>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, feed_url, outlet, country, language, title, summary, link, image,
                        published, first_seen, title_en, summary_en, translated_by
                 FROM articles a
                 WHERE published >= ?1 AND (language = 'en' OR title_en IS NOT NULL)
                   AND NOT EXISTS (SELECT 1 FROM sentences s WHERE s.article_id = a.id)
                 ORDER BY published DESC, id DESC
                 LIMIT ?2",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![since, sql_limit(limit)], article_from_row)?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }

    pub(crate) fn set_sentences(&mut self, embedded: &[(i64, Vec<f32>)]) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO sentences (article_id, vector)
                 SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?1)
                 ON CONFLICT (article_id) DO UPDATE SET vector = excluded.vector",
            )?;
            for (id, vector) in embedded {
                insert.execute(params![id, sentences::to_bytes(vector)])?;
            }
            Ok(())
        })
    }

    pub(crate) fn sentences_since(&self, since: i64) -> Result<HashMap<i64, Vec<f32>>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT s.article_id, s.vector FROM sentences s
                 JOIN articles a ON a.id = s.article_id
                 WHERE a.published >= ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_map([since], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect::<Result<Vec<(i64, Vec<u8>)>, _>>()
            })
            .map(read_rows)
            .map_err(|e| self.error(e))
    }
}
