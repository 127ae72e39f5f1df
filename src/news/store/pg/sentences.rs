//! The shared store's sentence embeddings: the articles still without one, and each one made.

use std::collections::HashMap;

use super::Postgres;
use super::articles::{ARTICLE_COLUMNS, article_from_row};
use crate::news::Article;
use crate::news::sentences;
use crate::news::store::sentences::read_rows;
use crate::news::store::{StoreError, sql_limit};

impl Postgres {
    pub(crate) fn unembedded(&self, since: i64, limit: usize) -> Result<Vec<Article>, StoreError> {
        self.run(move |client| {
            let rows = client.query(
                &format!(
                    "SELECT {ARTICLE_COLUMNS} FROM articles a
                     WHERE a.published >= $1 AND (a.language = 'en' OR a.title_en IS NOT NULL)
                       AND NOT EXISTS (SELECT 1 FROM sentences s WHERE s.article_id = a.id)
                     ORDER BY a.published DESC, a.id DESC
                     LIMIT $2"
                ),
                &[&since, &sql_limit(limit)],
            )?;
            Ok(rows.iter().map(article_from_row).collect())
        })
    }

    pub(crate) fn set_sentences(&mut self, embedded: &[(i64, Vec<f32>)]) -> Result<(), StoreError> {
        let ids: Vec<i64> = embedded.iter().map(|(id, _)| *id).collect();
        let vectors: Vec<Vec<u8>> = embedded
            .iter()
            .map(|(_, v)| sentences::to_bytes(v))
            .collect();
        self.run(move |client| {
            client.execute(
                "INSERT INTO sentences (article_id, vector)
                 SELECT t.id, t.vector FROM unnest($1::bigint[], $2::bytea[]) AS t (id, vector)
                 WHERE EXISTS (SELECT 1 FROM articles WHERE id = t.id)
                 ON CONFLICT (article_id) DO UPDATE SET vector = excluded.vector",
                &[&ids, &vectors],
            )?;
            Ok(())
        })
    }

    pub(crate) fn sentences_since(&self, since: i64) -> Result<HashMap<i64, Vec<f32>>, StoreError> {
        self.run(move |client| {
            let rows = client.query(
                "SELECT s.article_id, s.vector FROM sentences s
                 JOIN articles a ON a.id = s.article_id
                 WHERE a.published >= $1",
                &[&since],
            )?;
            Ok(read_rows(rows.iter().map(|row| (row.get(0), row.get(1)))))
        })
    }
}
