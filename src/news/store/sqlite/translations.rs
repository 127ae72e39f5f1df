//! SQLite's translations: the articles still waiting for their English, the English once made,
//! and the cache that has each text translated only once however many articles carry it.

use rusqlite::{OptionalExtension, params};

use super::Sqlite;
use super::articles::article_from_row;
use crate::news::Article;
use crate::news::store::translations::text_hash;
use crate::news::store::{StoreError, sql_limit};

impl Sqlite {
    /// The articles still to translate: not in English and not translated yet, at most
    /// `per_language` of each language, each language's newest first (by date, then by id).
    ///
    /// A limit per language rather than in all: a language the translator cannot do stays
    /// untranslated for good, and its newest articles must not crowd out every other's.
    pub(crate) fn untranslated(&self, per_language: usize) -> Result<Vec<Article>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, feed_url, outlet, country, language, title, summary, link, image,
                        published, first_seen, title_en, summary_en, translated_by
                 FROM (
                     SELECT *, row_number() OVER (
                         PARTITION BY language ORDER BY published DESC, id DESC
                     ) AS nth
                     FROM articles
                     WHERE translated_by IS NULL AND language != 'en'
                 )
                 WHERE nth <= ?1
                 ORDER BY language, published DESC, id DESC",
            )
            .and_then(|mut stmt| {
                stmt.query_map([sql_limit(per_language)], article_from_row)?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// Stores the English title and summary of articles, each `(id, title_en, summary_en)`,
    /// marked as `translated_by`, in one transaction; the search index follows by trigger.
    /// An id no longer stored (pruned meanwhile) is skipped.
    pub(crate) fn set_translations(
        &mut self,
        translated: &[(i64, &str, &str)],
        translated_by: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut update = tx.prepare_cached(
                "UPDATE articles SET title_en = ?2, summary_en = ?3, translated_by = ?4
                 WHERE id = ?1",
            )?;
            for (id, title_en, summary_en) in translated {
                update.execute(params![id, title_en, summary_en, translated_by])?;
            }
            Ok(())
        })
    }

    /// The cached translations of `texts` from `source` into `target` (ISO 639-1), one per
    /// text, in order: `None` where the text was never translated.
    pub(crate) fn cached_translations(
        &self,
        source: &str,
        target: &str,
        texts: &[&str],
    ) -> Result<Vec<Option<String>>, StoreError> {
        let mut lookup = self
            .conn
            .prepare_cached(
                "SELECT text, translated FROM translations
                 WHERE hash = ?1 AND source = ?2 AND target = ?3",
            )
            .map_err(|e| self.error(e))?;
        texts
            .iter()
            .map(|&text| {
                lookup
                    .query_row(params![text_hash(text), source, target], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                    })
                    .optional()
                    .map(|found| {
                        // Another text with the same hash is a miss, never its translation.
                        found
                            .and_then(|(cached, translated)| (cached == text).then_some(translated))
                    })
                    .map_err(|e| self.error(e))
            })
            .collect()
    }

    /// Caches translations, each `(text, translated)`, from `source` into `target`, made by
    /// `translated_by`, in one transaction. A text cached before gets the new translation.
    pub(crate) fn cache_translations(
        &mut self,
        source: &str,
        target: &str,
        pairs: &[(&str, &str)],
        translated_by: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO translations (hash, source, target, text, translated,
                     translated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (hash, source, target) DO UPDATE SET
                     text = ?4, translated = ?5, translated_by = ?6",
            )?;
            for (text, translated) in pairs {
                insert.execute(params![
                    text_hash(text),
                    source,
                    target,
                    text,
                    translated,
                    translated_by
                ])?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::news::store::test_support::*;
    use crate::news::store::translations::text_hash;

    #[test]
    fn a_hash_collision_in_the_cache_is_a_miss() {
        let scratch = Scratch::new("collision");
        let store = scratch.open();
        // Another text stored under "hola"'s hash, as a collision would leave it.
        conn(&store)
            .execute(
                "INSERT INTO translations VALUES (?1, 'es', 'en', 'otra cosa', 'something else', 'A')",
                [text_hash("hola")],
            )
            .unwrap();
        assert_eq!(
            store.cached_translations("es", "en", &["hola"]).unwrap(),
            [None]
        );
    }
}
