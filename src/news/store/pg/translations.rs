//! The shared store's translations: the articles still waiting for their English, the English
//! once made, and the cache of translated texts.

use super::Postgres;
use super::articles::{ARTICLE_COLUMNS, article_from_row};
use crate::news::Article;
use crate::news::store::translations::text_hash;
use crate::news::store::{StoreError, sql_limit};

impl Postgres {
    pub(crate) fn untranslated(&self, per_language: usize) -> Result<Vec<Article>, StoreError> {
        self.run(move |client| {
            let rows = client.query(
                &format!(
                    "SELECT {ARTICLE_COLUMNS} FROM (
                         SELECT *, row_number() OVER (
                             PARTITION BY language ORDER BY published DESC, id DESC
                         ) AS nth
                         FROM articles
                         WHERE translated_by IS NULL AND language <> 'en'
                     ) a
                     WHERE a.nth <= $1
                     ORDER BY a.language COLLATE \"C\", a.published DESC, a.id DESC"
                ),
                &[&sql_limit(per_language)],
            )?;
            Ok(rows.iter().map(article_from_row).collect())
        })
    }

    pub(crate) fn set_translations(
        &mut self,
        translated: &[(i64, &str, &str)],
        translated_by: &str,
    ) -> Result<(), StoreError> {
        let ids: Vec<i64> = translated.iter().map(|t| t.0).collect();
        let titles: Vec<String> = translated.iter().map(|t| t.1.to_owned()).collect();
        let summaries: Vec<String> = translated.iter().map(|t| t.2.to_owned()).collect();
        let translated_by = translated_by.to_owned();
        self.run(move |client| {
            client.execute(
                "UPDATE articles a SET title_en = t.title, summary_en = t.summary,
                     translated_by = $4
                 FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t (id, title, summary)
                 WHERE a.id = t.id",
                &[&ids, &titles, &summaries, &translated_by],
            )?;
            Ok(())
        })
    }

    pub(crate) fn cached_translations(
        &self,
        source: &str,
        target: &str,
        texts: &[&str],
    ) -> Result<Vec<Option<String>>, StoreError> {
        let hashes: Vec<i64> = texts.iter().map(|t| text_hash(t)).collect();
        let (source, target) = (source.to_owned(), target.to_owned());
        let found = self.run(move |client| {
            let rows = client.query(
                "SELECT text, translated FROM translations
                 WHERE hash = ANY($1) AND source = $2 AND target = $3",
                &[&hashes, &source, &target],
            )?;
            Ok(rows
                .iter()
                .map(|row| (row.get::<_, String>(0), row.get::<_, String>(1)))
                .collect::<std::collections::HashMap<String, String>>())
        })?;
        // Matched by the text itself: another text with the same hash is a miss.
        Ok(texts.iter().map(|text| found.get(*text).cloned()).collect())
    }

    pub(crate) fn cache_translations(
        &mut self,
        source: &str,
        target: &str,
        pairs: &[(&str, &str)],
        translated_by: &str,
    ) -> Result<(), StoreError> {
        // One row per key: the last pair of a repeated text wins, as it would one by one.
        let mut rows: Vec<(i64, String, String)> = Vec::new();
        for (text, translated) in pairs {
            let hash = text_hash(text);
            rows.retain(|(h, ..)| *h != hash);
            rows.push((hash, (*text).to_owned(), (*translated).to_owned()));
        }
        let hashes: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let texts: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
        let translations: Vec<String> = rows.iter().map(|r| r.2.clone()).collect();
        let (source, target, by) = (
            source.to_owned(),
            target.to_owned(),
            translated_by.to_owned(),
        );
        self.run(move |client| {
            client.execute(
                "INSERT INTO translations (hash, source, target, text, translated, translated_by)
                 SELECT t.hash, $4, $5, t.text, t.translated, $6
                 FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t (hash, text, translated)
                 ON CONFLICT (hash, source, target) DO UPDATE SET
                     text = excluded.text, translated = excluded.translated,
                     translated_by = excluded.translated_by",
                &[&hashes, &texts, &translations, &source, &target, &by],
            )?;
            Ok(())
        })
    }
}
