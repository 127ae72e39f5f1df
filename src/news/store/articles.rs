//! Articles: a feed's items stored once each however many links and feeds carry them, listed
//! by country and time, pruned past the retention window; and what was read of each one's
//! page.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row, params};
use url::Url;

use super::{Store, StoreError, sql_limit};
use crate::news::extract::Extracted;
use crate::news::http;
use crate::news::{Article, FeedItem, FeedSource};

/// Query parameters that only say how a reader arrived; links that differ only in these are
/// the same article.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "ocid",
    "cmpid",
    "at_medium",
    "at_campaign",
];

/// What was read of an article's page, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPage {
    /// Unix seconds.
    pub fetched: i64,
    /// The page's article, or why it had none.
    pub read: Result<Extracted, String>,
}

impl Store {
    /// Stores a feed's items in one transaction and returns how many were new.
    ///
    /// An item is an article already stored when its canonical link (no fragment, no tracking
    /// parameters) matches one, or its feed and guid do; the stored copy is kept as it is.
    /// Items without a link are known by their guid, and take it as their link when it is a
    /// web address (RSS guids are permalinks by default); items with neither are skipped. An
    /// item without a date is dated `now`, its first sighting; items older than the retention
    /// window are skipped, since the next prune would delete them. Each item comes with the
    /// language (ISO 639-1) it is written in, which its article keeps; the feed keeps its
    /// declared one.
    pub fn insert_items(
        &mut self,
        source: &FeedSource,
        items: &[(&FeedItem, String)],
        now: i64,
    ) -> Result<usize, StoreError> {
        let oldest = self.retention_start(now);
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
            for (item, language) in items {
                let guid = non_empty(item.guid.as_deref());
                let link = non_empty(item.link.as_deref())
                    .or_else(|| guid.filter(|g| http::web_url(g).is_some()));
                if link.is_none() && guid.is_none() {
                    continue;
                }
                let published = item.published.unwrap_or(now);
                if published < oldest {
                    continue;
                }
                inserted += insert.execute(params![
                    source.feed_url,
                    source.outlet,
                    source.country,
                    language,
                    item.title,
                    item.summary,
                    link,
                    link.map(canonical_link),
                    guid,
                    non_empty(item.image.as_deref()),
                    published,
                    now,
                ])?;
            }
            Ok(inserted)
        })
    }

    /// A country's (`ADM0_A3`) newest articles, newest first (by date, then by id).
    pub fn latest_for_country(
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
    pub fn counts_since(&self, since: i64) -> Result<HashMap<String, usize>, StoreError> {
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
    pub fn english_since(&self, since: i64) -> Result<Vec<Article>, StoreError> {
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
    pub fn prune(&mut self, before: i64) -> Result<usize, StoreError> {
        self.write(|tx| tx.execute("DELETE FROM articles WHERE published < ?1", [before]))
    }

    pub fn article_count(&self) -> Result<usize, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM articles", [], |row| row.get(0))
            .map_err(|e| self.error(e))
    }

    /// What was read of an article's page, if it was read: its article, or why it had none.
    pub fn page(&self, article_id: i64) -> Result<Option<StoredPage>, StoreError> {
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
    pub fn set_page(
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

/// The form of an article link used to recognise the same article under different links:
/// no fragment, no tracking parameters (`utm_*` and [`TRACKING_PARAMS`]), the other query
/// parameters in their order and spelling. Parsing lowercases the scheme and host and drops a
/// default port; the path, trailing slash included, stays as it is. Text that does not parse
/// as a URL is its own canonical form.
fn canonical_link(link: &str) -> String {
    let Ok(mut url) = Url::parse(link) else {
        return link.to_owned();
    };
    url.set_fragment(None);
    if let Some(query) = url.query() {
        let kept = query
            .split('&')
            .filter(|param| !param.is_empty() && !is_tracking_param(param))
            .collect::<Vec<_>>()
            .join("&");
        url.set_query(Some(kept.as_str()).filter(|q| !q.is_empty()));
    }
    url.into()
}

fn is_tracking_param(param: &str) -> bool {
    let name = param
        .split_once('=')
        .map_or(param, |(name, _)| name)
        .to_ascii_lowercase();
    name.starts_with("utm_") || TRACKING_PARAMS.contains(&name.as_str())
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
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
    use super::super::test_support::*;
    use super::super::{RETENTION_DAYS, SECONDS_PER_DAY};
    use super::*;

    #[test]
    fn canonical_link_drops_what_does_not_name_the_article() {
        for (link, canonical) in [
            (
                "HTTPS://News.Example.COM:443/a/b/?utm_source=rss&id=7&UTM_Medium=x&fbclid=1#top",
                "https://news.example.com/a/b/?id=7",
            ),
            (
                "http://example.com:80/story?b=2&gclid=x&a=1&ocid=y&cmpid=z&at_medium=m&at_campaign=c",
                "http://example.com/story?b=2&a=1",
            ),
            (
                "https://example.com:8443/x?utm_campaign=1",
                "https://example.com:8443/x",
            ),
            (
                "https://example.com/x?q=a%20b&&flag",
                "https://example.com/x?q=a%20b&flag",
            ),
            ("https://example.com/x/", "https://example.com/x/"),
            ("https://example.com/x", "https://example.com/x"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(canonical_link(link), canonical, "{link}");
        }
    }

    #[test]
    fn the_same_article_is_stored_once() {
        let scratch = Scratch::new("dedup");
        let mut store = scratch.open();
        let a = source("a", "FRA");
        let b = source("b", "FRA");
        let first = [
            item(
                Some("g1"),
                Some("https://x.example/story?utm_source=a"),
                "One",
                NOW,
            ),
            item(Some("g2"), Some("https://x.example/two"), "Two", NOW),
            item(Some("g3"), None, "Three", NOW),
            item(None, None, "Nothing to know it by", NOW),
        ];
        assert_eq!(insert(&mut store, &a, &first, NOW).unwrap(), 3);
        assert_eq!(insert(&mut store, &a, &first, NOW + 1).unwrap(), 0);

        let again = [
            // The same link with other tracking parameters and a fragment, from another feed.
            item(
                Some("other"),
                Some("https://x.example/story?fbclid=9#c"),
                "One'",
                NOW,
            ),
            // The same guid in the same feed under a new link.
            item(
                Some("g2"),
                Some("https://x.example/two-updated"),
                "Two'",
                NOW,
            ),
        ];
        assert_eq!(insert(&mut store, &a, &again, NOW).unwrap(), 0);
        assert_eq!(insert(&mut store, &b, &again[..1], NOW).unwrap(), 0);
        // The same guid in another feed is another article.
        assert_eq!(insert(&mut store, &b, &again[1..], NOW).unwrap(), 1);

        let mut stored = titles(&store.latest_for_country("FRA", 10).unwrap())
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        stored.sort();
        assert_eq!(stored, ["One", "Three", "Two", "Two'"]);
        assert_eq!(store.article_count().unwrap(), 4);
    }

    #[test]
    fn a_guid_that_is_a_web_address_stands_in_for_a_missing_link() {
        let scratch = Scratch::new("guid_link");
        let mut store = scratch.open();
        let feed = source("g", "DEU");
        let items = [
            item(Some("https://g.example/1"), None, "Permalink", NOW),
            item(Some("tag:g.example,2025:2"), None, "Tag", NOW - 1),
            // Known by its link now, the same article as the permalink guid above.
            item(None, Some("https://g.example/1?utm_medium=x"), "Again", NOW),
        ];
        assert_eq!(insert(&mut store, &feed, &items, NOW).unwrap(), 2);
        let stored = store.latest_for_country("DEU", 10).unwrap();
        assert_eq!(
            stored
                .iter()
                .map(|a| (a.title.as_str(), a.link.as_str()))
                .collect::<Vec<_>>(),
            [("Permalink", "https://g.example/1"), ("Tag", "")]
        );
    }

    #[test]
    fn an_undated_item_is_dated_when_first_seen() {
        let scratch = Scratch::new("undated");
        let mut store = scratch.open();
        let undated = FeedItem {
            published: None,
            image: Some("https://x.example/i.jpg".into()),
            ..item(Some("u"), Some("https://x.example/u"), "Undated", 0)
        };
        insert(&mut store, &source("x", "ITA"), &[undated], NOW).unwrap();
        let article = &store.latest_for_country("ITA", 1).unwrap()[0];
        assert_eq!((article.published, article.first_seen), (NOW, NOW));
        assert_eq!(article.image.as_deref(), Some("https://x.example/i.jpg"));
        assert_eq!(article.feed_url, "https://x.example/rss");
        assert_eq!(
            (article.outlet.as_str(), article.language.as_str()),
            ("X", "en")
        );
    }

    #[test]
    fn old_items_are_not_kept() {
        let scratch = Scratch::new("retention");
        let mut store = scratch.open();
        let window = RETENTION_DAYS * SECONDS_PER_DAY;
        let items = [
            item(
                Some("old"),
                Some("https://r.example/old"),
                "Ancient",
                NOW - window - 1,
            ),
            item(
                Some("edge"),
                Some("https://r.example/edge"),
                "Edgewise",
                NOW - window,
            ),
            item(Some("new"), Some("https://r.example/new"), "Fresh", NOW),
        ];
        assert_eq!(
            insert(&mut store, &source("r", "ESP"), &items, NOW).unwrap(),
            2
        );
        assert!(store.search("ancient", 10).unwrap().is_empty());

        assert_eq!(store.prune(NOW - HOUR).unwrap(), 1);
        assert_eq!(store.prune(NOW - HOUR).unwrap(), 0);
        assert_eq!(
            titles(&store.latest_for_country("ESP", 10).unwrap()),
            ["Fresh"]
        );
        assert!(store.search("edgewise", 10).unwrap().is_empty());
        assert_eq!(titles(&store.search("summary", 10).unwrap()), ["Fresh"]);
        // The index agrees with its content table after the deletes.
        check_index(&store);
    }

    #[test]
    fn latest_is_newest_first_within_the_country_and_limited() {
        let scratch = Scratch::new("latest");
        let mut store = scratch.open();
        let items = [
            item(
                Some("1"),
                Some("https://l.example/1"),
                "Older",
                NOW - 2 * HOUR,
            ),
            item(
                Some("2"),
                Some("https://l.example/2"),
                "Tie first",
                NOW - HOUR,
            ),
            item(
                Some("3"),
                Some("https://l.example/3"),
                "Tie second",
                NOW - HOUR,
            ),
            item(Some("4"), Some("https://l.example/4"), "Newest", NOW),
        ];
        insert(&mut store, &source("l", "JPN"), &items, NOW).unwrap();
        let elsewhere = [item(
            Some("5"),
            Some("https://m.example/5"),
            "Elsewhere",
            NOW,
        )];
        insert(&mut store, &source("m", "KOR"), &elsewhere, NOW).unwrap();

        assert_eq!(
            titles(&store.latest_for_country("JPN", 10).unwrap()),
            ["Newest", "Tie second", "Tie first", "Older"]
        );
        assert_eq!(
            titles(&store.latest_for_country("JPN", 2).unwrap()),
            ["Newest", "Tie second"]
        );
        assert!(store.latest_for_country("JPN", 0).unwrap().is_empty());
        assert!(store.latest_for_country("NOR", 10).unwrap().is_empty());
        assert_eq!(
            store.latest_for_country("JPN", usize::MAX).unwrap().len(),
            4
        );
    }

    #[test]
    fn latest_reads_the_index_in_order_without_sorting() {
        let scratch = Scratch::new("latest_plan");
        let store = scratch.open();
        let plan: Vec<String> = store
            .conn
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

    #[test]
    fn counts_since_counts_per_country_from_a_time_on() {
        let scratch = Scratch::new("counts");
        let mut store = scratch.open();
        let items = |feed: &str, times: &[i64]| -> Vec<FeedItem> {
            times
                .iter()
                .enumerate()
                .map(|(i, &t)| {
                    let link = format!("https://{feed}.example/{i}");
                    item(None, Some(&link), "T", t)
                })
                .collect()
        };
        insert(
            &mut store,
            &source("a", "USA"),
            &items("a", &[NOW, NOW - HOUR, NOW - 3 * HOUR]),
            NOW,
        )
        .unwrap();
        insert(
            &mut store,
            &source("b", "CAN"),
            &items("b", &[NOW - 3 * HOUR]),
            NOW,
        )
        .unwrap();
        insert(
            &mut store,
            &source("c", "USA"),
            &items("c", &[NOW - 2 * HOUR]),
            NOW,
        )
        .unwrap();

        let counts = store.counts_since(NOW - 2 * HOUR).unwrap();
        assert_eq!(counts, HashMap::from([("USA".to_string(), 3)]));
        let counts = store.counts_since(NOW - 3 * HOUR).unwrap();
        assert_eq!(
            counts,
            HashMap::from([("USA".to_string(), 4), ("CAN".to_string(), 1)])
        );
        assert!(store.counts_since(NOW + 1).unwrap().is_empty());

        let per_feed = store.counts_per_feed_since(NOW - 2 * HOUR).unwrap();
        assert_eq!(
            per_feed,
            HashMap::from([
                (source("a", "USA").feed_url, 2),
                (source("c", "USA").feed_url, 1)
            ])
        );
    }

    #[test]
    fn english_since_lists_what_reads_in_english_oldest_first() {
        let scratch = Scratch::new("english_since");
        let mut store = scratch.open();
        let english = [
            item(None, Some("https://a.example/new"), "Newer", NOW - HOUR),
            item(None, Some("https://a.example/old"), "Older", NOW - 2 * HOUR),
            item(
                None,
                Some("https://a.example/gone"),
                "Too old",
                NOW - 5 * HOUR,
            ),
        ];
        insert(&mut store, &source("a", "USA"), &english, NOW).unwrap();
        let spanish = FeedSource {
            language: "es".into(),
            ..source("b", "ESP")
        };
        let mut lluvia = item(
            None,
            Some("https://b.example/1"),
            "Llueve mucho en Madrid",
            NOW,
        );
        lluvia.summary = "La lluvia sigue en toda la ciudad durante el fin de semana".into();
        let mut sol = item(
            None,
            Some("https://b.example/2"),
            "Hace sol en Sevilla hoy",
            NOW,
        );
        sol.summary = "El calor vuelve a la ciudad andaluza este fin de semana".into();
        insert(&mut store, &spanish, &[lluvia, sol], NOW).unwrap();
        let untranslated = store.untranslated(10).unwrap();
        let rain = untranslated
            .iter()
            .find(|a| a.title.starts_with("Llueve"))
            .unwrap();
        store
            .set_translations(&[(rain.id, "It rains a lot in Madrid", "")], "Test")
            .unwrap();

        let listed = store.english_since(NOW - 3 * HOUR).unwrap();
        assert_eq!(
            titles(&listed),
            ["Older", "Newer", "Llueve mucho en Madrid"],
            "the untranslated Spanish article waits for its translation"
        );
        assert_eq!(
            listed[2].title_en.as_deref(),
            Some("It rains a lot in Madrid")
        );
    }

    #[test]
    fn a_pages_reading_is_kept_until_its_article_goes() {
        let dir = Scratch::new("pages");
        let mut store = dir.open();
        let items = [
            item(Some("a"), Some("https://r.example/a"), "Floods", NOW),
            item(
                Some("b"),
                Some("https://r.example/b"),
                "Paywalled",
                NOW - 3 * HOUR,
            ),
        ];
        insert(&mut store, &source("r", "BRA"), &items, NOW).unwrap();
        let ids: Vec<i64> = store
            .latest_for_country("BRA", 10)
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect();
        let page = Extracted {
            title: "Floods close the port".into(),
            language: Some("pt".into()),
            direction: None,
            paragraphs: vec!["Chuvas fortes.".into(), "O porto fechou.".into()],
            ..Default::default()
        };
        assert_eq!(store.page(ids[0]).unwrap(), None);
        store.set_page(ids[0], NOW, &Ok(page.clone())).unwrap();
        store
            .set_page(ids[1], NOW, &Err("the page is behind a paywall".into()))
            .unwrap();
        // Another connection (the app's reader) sees both, as written.
        let reader = dir.open();
        assert_eq!(
            reader.page(ids[0]).unwrap(),
            Some(StoredPage {
                fetched: NOW,
                read: Ok(page)
            })
        );
        assert_eq!(
            reader.page(ids[1]).unwrap().unwrap().read,
            Err("the page is behind a paywall".into())
        );
        store.prune(NOW - HOUR).unwrap();
        assert_eq!(store.page(ids[1]).unwrap(), None, "pruned with its article");
        assert!(store.page(ids[0]).unwrap().is_some());
    }
}
