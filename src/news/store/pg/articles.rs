//! The shared store's articles: a feed's items in one transaction, one round trip for all of
//! them; lists by country and time; pruning; and what was read of each one's page.

use std::collections::HashMap;

use postgres::Row;

use super::{Postgres, count};
use crate::news::extract::Extracted;
use crate::news::store::articles::NewArticle;
use crate::news::store::{StoreError, StoredPage, sql_limit};
use crate::news::{Article, FeedSource};

/// The columns [`article_from_row`] reads, in its order.
pub(super) const ARTICLE_COLUMNS: &str = "a.id, a.feed_url, a.outlet, a.country, a.language, \
     a.title, a.summary, a.link, a.image, a.published, a.first_seen, a.title_en, \
     a.summary_en, a.translated_by";

impl Postgres {
    pub(crate) fn insert_articles(
        &mut self,
        source: &FeedSource,
        rows: Vec<NewArticle>,
        now: i64,
    ) -> Result<usize, StoreError> {
        let source = source.clone();
        let column = |get: fn(&NewArticle) -> Option<String>| -> Vec<Option<String>> {
            rows.iter().map(get).collect()
        };
        let languages = column(|r| Some(r.language.clone()));
        let titles = column(|r| Some(r.title.clone()));
        let summaries = column(|r| Some(r.summary.clone()));
        let links = column(|r| r.link.clone());
        let canonical = column(|r| r.canonical_link.clone());
        let guids = column(|r| r.guid.clone());
        let images = column(|r| r.image.clone());
        let published: Vec<i64> = rows.iter().map(|r| r.published).collect();
        self.run(move |client| {
            let mut tx = client.transaction()?;
            tx.execute(
                "INSERT INTO feeds (url, outlet, country, language) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (url) DO UPDATE SET
                     outlet = $2, country = $3, language = $4",
                &[
                    &source.feed_url,
                    &source.outlet,
                    &source.country,
                    &source.language,
                ],
            )?;
            // In the items' order, so ids rise as in the feed, as SQLite gives them.
            let inserted = tx.execute(
                "INSERT INTO articles (feed_url, outlet, country, language, title, summary,
                     link, canonical_link, guid, image, published, first_seen)
                 SELECT $1, $2, $3, r.language, r.title, r.summary, r.link, r.canonical_link,
                        r.guid, r.image, r.published, $12
                 FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                             $9::text[], $10::text[], $11::bigint[])
                      WITH ORDINALITY AS r (language, title, summary, link, canonical_link,
                                           guid, image, published, n)
                 ORDER BY r.n
                 ON CONFLICT DO NOTHING",
                &[
                    &source.feed_url,
                    &source.outlet,
                    &source.country,
                    &languages,
                    &titles,
                    &summaries,
                    &links,
                    &canonical,
                    &guids,
                    &images,
                    &published,
                    &now,
                ],
            )?;
            tx.commit()?;
            Ok(count(inserted as i64))
        })
    }

    pub(crate) fn latest_for_country(
        &self,
        country: &str,
        limit: usize,
    ) -> Result<Vec<Article>, StoreError> {
        let country = country.to_owned();
        self.run(move |client| {
            let rows = client.query(
                &format!(
                    "SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.country = $1
                     ORDER BY a.published DESC, a.id DESC LIMIT $2"
                ),
                &[&country, &sql_limit(limit)],
            )?;
            Ok(rows.iter().map(article_from_row).collect())
        })
    }

    pub(crate) fn counts_since(&self, since: i64) -> Result<HashMap<String, usize>, StoreError> {
        self.run(move |client| {
            let rows = client.query(
                "SELECT country, count(*) FROM articles WHERE published >= $1 GROUP BY country",
                &[&since],
            )?;
            Ok(rows
                .iter()
                .map(|row| (row.get(0), count(row.get(1))))
                .collect())
        })
    }

    pub(crate) fn english_since(&self, since: i64) -> Result<Vec<Article>, StoreError> {
        self.run(move |client| {
            let rows = client.query(
                &format!(
                    "SELECT {ARTICLE_COLUMNS} FROM articles a
                     WHERE a.published >= $1 AND (a.language = 'en' OR a.title_en IS NOT NULL)
                     ORDER BY a.published, a.id"
                ),
                &[&since],
            )?;
            Ok(rows.iter().map(article_from_row).collect())
        })
    }

    pub(crate) fn prune(&mut self, before: i64) -> Result<usize, StoreError> {
        self.run(move |client| {
            let deleted =
                client.execute("DELETE FROM articles WHERE published < $1", &[&before])?;
            Ok(count(deleted as i64))
        })
    }

    pub(crate) fn article_count(&self) -> Result<usize, StoreError> {
        self.run(|client| {
            let n: i64 = client
                .query_one("SELECT count(*) FROM articles", &[])?
                .get(0);
            Ok(count(n))
        })
    }

    pub(crate) fn page(&self, article_id: i64) -> Result<Option<StoredPage>, StoreError> {
        self.run(move |client| {
            let row = client.query_opt(
                "SELECT fetched, error, title, byline, published, image, language, direction,
                        paragraphs
                 FROM pages WHERE article_id = $1",
                &[&article_id],
            )?;
            Ok(row.map(|row| {
                let error: Option<String> = row.get(1);
                let read = match error {
                    Some(error) => Err(error),
                    None => Ok(Extracted {
                        title: row.get::<_, Option<String>>(2).unwrap_or_default(),
                        byline: row.get(3),
                        published: row.get(4),
                        image: row.get(5),
                        language: row.get(6),
                        direction: row.get(7),
                        paragraphs: row.get::<_, Option<Vec<String>>>(8).unwrap_or_default(),
                    }),
                };
                StoredPage {
                    fetched: row.get(0),
                    read,
                }
            }))
        })
    }

    pub(crate) fn set_page(
        &mut self,
        article_id: i64,
        fetched: i64,
        read: &Result<Extracted, String>,
    ) -> Result<(), StoreError> {
        let read = read.clone();
        self.run(move |client| {
            let page = read.as_ref().ok();
            client.execute(
                "INSERT INTO pages (article_id, fetched, error, title, byline, published, image,
                     language, direction, paragraphs)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (article_id) DO UPDATE SET
                     fetched = $2, error = $3, title = $4, byline = $5, published = $6,
                     image = $7, language = $8, direction = $9, paragraphs = $10",
                &[
                    &article_id,
                    &fetched,
                    &read.as_ref().err(),
                    &page.map(|p| &p.title),
                    &page.and_then(|p| p.byline.as_ref()),
                    &page.and_then(|p| p.published.as_ref()),
                    &page.and_then(|p| p.image.as_ref()),
                    &page.and_then(|p| p.language.as_ref()),
                    &page.and_then(|p| p.direction.as_ref()),
                    &page.map(|p| &p.paragraphs),
                ],
            )?;
            Ok(())
        })
    }
}

pub(super) fn article_from_row(row: &Row) -> Article {
    Article {
        id: row.get(0),
        feed_url: row.get(1),
        outlet: row.get(2),
        country: row.get(3),
        language: row.get(4),
        title: row.get(5),
        summary: row.get(6),
        link: row.get::<_, Option<String>>(7).unwrap_or_default(),
        image: row.get(8),
        published: row.get(9),
        first_seen: row.get(10),
        title_en: row.get(11),
        summary_en: row.get(12),
        translated_by: row.get(13),
    }
}
