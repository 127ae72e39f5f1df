//! SQLite's articles: a feed's items stored once each, listed by country and time, pruned past
//! the retention window; and what was read of each one's page.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row, params};

use super::Sqlite;
use crate::news::extract::Extracted;
use crate::news::store::articles::NewArticle;
use crate::news::store::{StoreError, StoredPage, sql_limit};
use crate::news::{Article, FeedSource};

impl Sqlite {
    pub(crate) fn insert_articles(
        &mut self,
        source: &FeedSource,
        rows: Vec<NewArticle>,
        now: i64,
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO feeds (url, outlet, country, language) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (url) DO UPDATE SET
                     outlet = ?2, country = ?3, language = ?4",
            )?
            .execute(params![
                source.feed_url,
                source.outlet,
                source.country,
                source.language
            ])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO articles (feed_url, outlet, country, language, title, summary,
                     link, canonical_link, guid, image, published, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT DO NOTHING",
            )?;
            let mut inserted = 0;
            for row in &rows {
                inserted += insert.execute(params![
                    source.feed_url,
                    source.outlet,
                    source.country,
                    row.language,
                    row.title,
                    row.summary,
                    row.link,
                    row.canonical_link,
                    row.guid,
                    row.image,
                    row.published,
                    now,
                ])?;
            }
            Ok(inserted)
        })
    }

    /// A country's (`ADM0_A3`) newest articles, newest first (by date, then by id).
    pub(crate) fn latest_for_country(
        &self,
        country: &str,
        limit: usize,
    ) -> Result<Vec<Article>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, feed_url, outlet, country, language, title, summary, link, image,
                        published, first_seen, title_en, summary_en, translated_by
                 FROM articles WHERE country = ?1
                 ORDER BY published DESC, id DESC
                 LIMIT ?2",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![country, sql_limit(limit)], article_from_row)?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// How many articles each country (`ADM0_A3`) has published at or after `since`.
    pub(crate) fn counts_since(&self, since: i64) -> Result<HashMap<String, usize>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT country, count(*) FROM articles WHERE published >= ?1 GROUP BY country",
            )
            .and_then(|mut stmt| {
                stmt.query_map([since], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// The articles published at or after `since` that can be read in English (written in
    /// it, or translated), oldest first (by date, then by id): what story clustering works on.
    pub(crate) fn english_since(&self, since: i64) -> Result<Vec<Article>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, feed_url, outlet, country, language, title, summary, link, image,
                        published, first_seen, title_en, summary_en, translated_by
                 FROM articles
                 WHERE published >= ?1 AND (language = 'en' OR title_en IS NOT NULL)
                 ORDER BY published, id",
            )
            .and_then(|mut stmt| stmt.query_map([since], article_from_row)?.collect())
            .map_err(|e| self.error(e))
    }

    /// Deletes the articles published before `before` (the app passes now minus
    /// [`RETENTION_DAYS`]) and returns how many; the search index follows by trigger.
    pub(crate) fn prune(&mut self, before: i64) -> Result<usize, StoreError> {
        self.write(|tx| tx.execute("DELETE FROM articles WHERE published < ?1", [before]))
    }

    pub(crate) fn article_count(&self) -> Result<usize, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM articles", [], |row| row.get(0))
            .map_err(|e| self.error(e))
    }

    /// What was read of an article's page, if it was read: its article, or why it had none.
    pub(crate) fn page(&self, article_id: i64) -> Result<Option<StoredPage>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT fetched, error, title, byline, published, image, language, direction,
                        paragraphs
                 FROM pages WHERE article_id = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([article_id], |row| {
                    let fetched = row.get(0)?;
                    let error: Option<String> = row.get(1)?;
                    let read = match error {
                        Some(error) => Err(error),
                        None => {
                            let paragraphs: String = row.get(8)?;
                            Ok(Extracted {
                                title: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
                                byline: row.get(3)?,
                                published: row.get(4)?,
                                image: row.get(5)?,
                                language: row.get(6)?,
                                direction: row.get(7)?,
                                paragraphs: serde_json::from_str(&paragraphs).map_err(|e| {
                                    rusqlite::Error::FromSqlConversionFailure(
                                        8,
                                        rusqlite::types::Type::Text,
                                        Box::new(e),
                                    )
                                })?,
                            })
                        }
                    };
                    Ok(StoredPage { fetched, read })
                })
                .optional()
            })
            .map_err(|e| self.error(e))
    }

    /// Keeps what was read of an article's page at `fetched` (Unix seconds), replacing any
    /// earlier reading.
    pub(crate) fn set_page(
        &mut self,
        article_id: i64,
        fetched: i64,
        read: &Result<Extracted, String>,
    ) -> Result<(), StoreError> {
        let paragraphs = match read {
            Ok(page) => Some(serde_json::to_string(&page.paragraphs).unwrap_or_default()),
            Err(_) => None,
        };
        let page = read.as_ref().ok();
        self.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO pages (article_id, fetched, error, title, byline,
                     published, image, language, direction, paragraphs)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    article_id,
                    fetched,
                    read.as_ref().err(),
                    page.map(|p| &p.title),
                    page.and_then(|p| p.byline.as_ref()),
                    page.and_then(|p| p.published.as_ref()),
                    page.and_then(|p| p.image.as_ref()),
                    page.and_then(|p| p.language.as_ref()),
                    page.and_then(|p| p.direction.as_ref()),
                    paragraphs,
                ],
            )
        })
        .map(|_| ())
    }
}

pub(super) fn article_from_row(row: &Row<'_>) -> rusqlite::Result<Article> {
    Ok(Article {
        id: row.get(0)?,
        feed_url: row.get(1)?,
        outlet: row.get(2)?,
        country: row.get(3)?,
        language: row.get(4)?,
        title: row.get(5)?,
        summary: row.get(6)?,
        link: row.get::<_, Option<String>>(7)?.unwrap_or_default(),
        image: row.get(8)?,
        published: row.get(9)?,
        first_seen: row.get(10)?,
        title_en: row.get(11)?,
        summary_en: row.get(12)?,
        translated_by: row.get(13)?,
    })
}

#[cfg(test)]
mod tests {
    use crate::news::store::test_support::*;

    #[test]
    fn latest_reads_the_index_in_order_without_sorting() {
        let scratch = Scratch::new("latest_plan");
        let store = scratch.open();
        let plan: Vec<String> = conn(&store)
            .prepare(
                "EXPLAIN QUERY PLAN SELECT * FROM articles WHERE country = 'X'
                 ORDER BY published DESC, id DESC LIMIT 50",
            )
            .unwrap()
            .query_map([], |row| row.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("; ");
        assert!(plan.contains("articles_country_published"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
