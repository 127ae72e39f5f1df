//! The hand-written story corpus (`tests/fixtures/stories/corpus.json`) put in a store as a
//! fetch and its translation would leave it: each outlet a feed, each article dated its
//! `hours_ago` before the time given, each one not in English translated to the corpus's
//! English text.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use newsglobe::news::store::Store;
use newsglobe::news::{FeedItem, FeedSource};

#[derive(serde::Deserialize)]
pub struct Corpus {
    pub articles: Vec<CorpusArticle>,
}

#[derive(Clone, serde::Deserialize)]
#[allow(dead_code)] // Each test binary reads the fields it checks.
pub struct CorpusArticle {
    pub id: i64,
    pub story: String,
    pub topic: String,
    pub country: String,
    pub outlet: String,
    pub language: String,
    pub hours_ago: f64,
    pub title: String,
    pub summary: String,
    pub title_en: String,
    pub summary_en: String,
}

impl CorpusArticle {
    pub fn link(&self) -> String {
        format!("https://{}.example/{}", slug(&self.outlet), self.id)
    }
}

pub fn corpus() -> Corpus {
    serde_json::from_str(include_str!("../fixtures/stories/corpus.json")).unwrap()
}

fn slug(outlet: &str) -> String {
    outlet
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

/// Fills a new store at `path` with the corpus as of `now`; returns the store's article id
/// of each corpus id.
pub fn fill_store(path: &Path, now: i64) -> HashMap<i64, i64> {
    let corpus = corpus();
    let mut store = Store::open(path).unwrap();
    let mut by_outlet: BTreeMap<&str, Vec<&CorpusArticle>> = BTreeMap::new();
    for article in &corpus.articles {
        by_outlet.entry(&article.outlet).or_default().push(article);
    }
    for (outlet, articles) in &by_outlet {
        let source = FeedSource {
            feed_url: format!("https://{}.example/rss", slug(outlet)),
            outlet: outlet.to_string(),
            country: articles[0].country.clone(),
            language: articles[0].language.clone(),
        };
        let items: Vec<FeedItem> = articles
            .iter()
            .map(|a| FeedItem {
                guid: None,
                link: Some(a.link()),
                title: a.title.clone(),
                summary: a.summary.clone(),
                published: Some(now - (a.hours_ago * 3600.0) as i64),
                image: None,
            })
            .collect();
        newsglobe::news::ingest::store_items(&mut store, &source, &items, now).unwrap();
        store
            .record_success(&source.feed_url, None, None, false, now)
            .unwrap();
    }
    let mut ids = HashMap::new();
    let mut translations = Vec::new();
    for article in &corpus.articles {
        let stored = store
            .latest_for_country(&article.country, usize::MAX)
            .unwrap()
            .into_iter()
            .find(|a| a.link == article.link())
            .unwrap_or_else(|| panic!("corpus article {} is stored", article.id));
        ids.insert(article.id, stored.id);
        if article.language != "en" {
            translations.push((
                stored.id,
                article.title_en.clone(),
                article.summary_en.clone(),
            ));
        }
    }
    let translations: Vec<(i64, &str, &str)> = translations
        .iter()
        .map(|(id, t, s)| (*id, t.as_str(), s.as_str()))
        .collect();
    store.set_translations(&translations, "Test").unwrap();
    ids
}
