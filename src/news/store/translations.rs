//! Translations: the articles still waiting for their English, the English once made, and
//! the cache that has each text translated only once however many articles carry it.

use rusqlite::{OptionalExtension, params};

use super::articles::article_from_row;
use super::{Store, StoreError, sql_limit};
use crate::news::Article;

impl Store {
    /// The articles still to translate: not in English and not translated yet, at most
    /// `per_language` of each language, each language's newest first (by date, then by id).
    ///
    /// A limit per language rather than in all: a language the translator cannot do stays
    /// untranslated for good, and its newest articles must not crowd out every other's.
    pub fn untranslated(&self, per_language: usize) -> Result<Vec<Article>, StoreError> {
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
    pub fn set_translations(
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
    pub fn cached_translations(
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
    pub fn cache_translations(
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

/// FNV-1a 64 of `text`'s UTF-8 bytes, as SQLite's signed integer. Written out rather than
/// std's `DefaultHasher`, whose output may change between Rust releases: the cache outlives
/// the build that wrote it.
fn text_hash(text: &str) -> i64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = text.bytes().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    });
    i64::from_ne_bytes(hash.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::news::{FeedItem, FeedSource};

    #[test]
    fn untranslated_lists_each_language_newest_first_up_to_its_limit() {
        let scratch = Scratch::new("untranslated");
        let mut store = scratch.open();
        // Each feed's items in its declared language.
        let feed = |name: &str, language: &str| FeedSource {
            language: language.into(),
            ..source(name, "ZZZ")
        };
        let items = |name: &str, count: i64| -> Vec<FeedItem> {
            (0..count)
                .map(|i| {
                    let link = format!("https://{name}.example/{i}");
                    item(None, Some(&link), &format!("{name} {i}"), NOW - i * HOUR)
                })
                .collect()
        };
        for (name, language, count) in [("sw", "sw", 3), ("eu", "eu", 2), ("en", "en", 2)] {
            insert(&mut store, &feed(name, language), &items(name, count), NOW).unwrap();
        }
        assert_eq!(
            titles(&store.untranslated(2).unwrap()),
            ["eu 0", "eu 1", "sw 0", "sw 1"]
        );
        assert_eq!(titles(&store.untranslated(1).unwrap()), ["eu 0", "sw 0"]);
        assert!(store.untranslated(0).unwrap().is_empty());

        let sw0 = store.untranslated(1).unwrap()[1].id;
        store
            .set_translations(&[(sw0, "Translated", ""), (i64::MAX, "Gone", "")], "Test")
            .unwrap();
        assert_eq!(
            titles(&store.untranslated(10).unwrap()),
            ["eu 0", "eu 1", "sw 1", "sw 2"]
        );
        let translated = store.search("translated", 10).unwrap();
        assert_eq!(titles(&translated), ["sw 0"]);
        assert_eq!(
            (
                translated[0].title_en.as_deref(),
                translated[0].summary_en.as_deref(),
                translated[0].translated_by.as_deref()
            ),
            (Some("Translated"), Some(""), Some("Test"))
        );
        check_index(&store);
        // Pruning a translated article keeps the index in step.
        store.prune(NOW + 1).unwrap();
        assert!(store.search("translated", 10).unwrap().is_empty());
        check_index(&store);
    }

    #[test]
    fn the_translation_cache_answers_per_text_and_language_and_survives_reopening() {
        let scratch = Scratch::new("cache");
        let mut store = scratch.open();
        assert_eq!(
            store.cached_translations("es", "en", &["hola"]).unwrap(),
            [None]
        );
        store
            .cache_translations("es", "en", &[("hola", "hello"), ("adiós", "bye")], "A")
            .unwrap();
        assert_eq!(
            store
                .cached_translations("es", "en", &["adiós", "nada", "hola", ""])
                .unwrap(),
            [Some("bye".into()), None, Some("hello".into()), None]
        );
        // The same text from another language is another translation.
        assert_eq!(
            store.cached_translations("pt", "en", &["hola"]).unwrap(),
            [None]
        );
        // A newer translation of a text replaces the cached one.
        store
            .cache_translations("es", "en", &[("hola", "hi")], "B")
            .unwrap();
        drop(store);
        let store = scratch.open();
        assert_eq!(
            store.cached_translations("es", "en", &["hola"]).unwrap(),
            [Some("hi".into())]
        );
        let by: String = store
            .conn
            .query_row(
                "SELECT translated_by FROM translations WHERE text = 'hola'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(by, "B");
    }

    #[test]
    fn a_hash_collision_in_the_cache_is_a_miss() {
        let scratch = Scratch::new("collision");
        let store = scratch.open();
        // Another text stored under "hola"'s hash, as a collision would leave it.
        store
            .conn
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

    #[test]
    fn text_hash_is_fnv_1a_64() {
        // Test vectors from the FNV reference (draft-eastlake-fnv), as signed integers.
        for (text, hash) in [
            ("", 0xcbf2_9ce4_8422_2325_u64),
            ("a", 0xaf63_dc4c_8601_ec8c),
            ("foobar", 0x8594_4171_f739_67e8),
        ] {
            assert_eq!(
                text_hash(text),
                i64::from_ne_bytes(hash.to_ne_bytes()),
                "{text:?}"
            );
        }
        assert_ne!(text_hash("hola"), text_hash("Hola"));
    }
}
