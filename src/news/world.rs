//! What the world is covering: the store's recent articles, read in English, clustered into
//! stories ([`stories`](super::stories)), tagged with topics ([`topics`](super::topics)) and
//! ranked by how many countries cover them, with each country's take.
//!
//! The news service keeps one [`Coverage`] and feeds it after every refresh; the `stories`
//! command builds one from scratch. Reading the store and clustering are plain CPU work here;
//! where it runs (never on a frame) is the caller's concern.

use std::collections::{BTreeMap, HashMap};

use super::Article;
use super::store::{Store, StoreError, StoredStory};
use super::stories::{ClusterConfig, Clusterer, Group, Story, StoryId, StoryText};
use super::topics::{self, Topic, Topics};

/// How far back the app keeps stories: long enough that a story of two days ago still
/// gathers the takes that arrive today.
pub const HORIZON_SECONDS: i64 = 72 * 3600;

/// What "covering it now" means for the world's top stories.
pub const CURRENT_SECONDS: i64 = 48 * 3600;

/// A story's topics are those of at least this share of its articles: one stray keyword in
/// one take should not label the whole story.
const STORY_TOPIC_SHARE: f32 = 0.34;

/// Recent stories and the articles in them.
pub struct Coverage {
    clusterer: Clusterer,
    articles: HashMap<i64, Article>,
    topics: HashMap<i64, Topics>,
    horizon: i64,
}

/// One country's take on a story: its outlets' articles in it, newest first.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Take {
    /// Natural Earth `ADM0_A3`.
    pub country: String,
    pub articles: Vec<Article>,
}

/// A story as shown: its headline article and every country's take.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StoryView {
    pub id: StoryId,
    /// The article that best stands for the story.
    pub headline: Article,
    /// Takes by country, the countries with the most articles first, then by code.
    pub takes: Vec<Take>,
    pub articles: usize,
    /// Unix seconds of its first and latest article.
    pub first: i64,
    pub last: i64,
    /// No outlet from the United States in the catalog carries it.
    pub blindspot: bool,
    pub topics: Vec<Topic>,
}

impl StoryView {
    pub fn countries(&self) -> impl Iterator<Item = &str> {
        self.takes.iter().map(|t| t.country.as_str())
    }

    /// The take of one country, if it covers the story.
    pub fn take(&self, country: &str) -> Option<&Take> {
        self.takes.iter().find(|t| t.country == country)
    }

    /// Whether it holds an article.
    pub fn holds(&self, article: i64) -> bool {
        self.takes
            .iter()
            .any(|t| t.articles.iter().any(|a| a.id == article))
    }

    /// Whether `other` is a version of this story: the same id, and one holds the other's
    /// headline. Ids alone are not enough, since the news thread numbers stories afresh when
    /// it restarts; headlines alone are not either, since a story's headline changes as it
    /// grows.
    pub fn is_version_of(&self, other: &StoryView) -> bool {
        self.id == other.id
            && (self.headline.id == other.headline.id
                || self.holds(other.headline.id)
                || other.holds(self.headline.id))
    }
}

impl Coverage {
    /// An empty world keeping `horizon` seconds of stories.
    pub fn new(horizon: i64) -> Self {
        Self {
            clusterer: Clusterer::new(ClusterConfig::default()),
            articles: HashMap::new(),
            topics: HashMap::new(),
            horizon,
        }
    }

    /// Clusters the English-readable articles of the last `horizon` seconds from scratch.
    pub fn load(store: &Store, now: i64, horizon: i64) -> Result<Self, StoreError> {
        let articles = store.english_since(now - horizon)?;
        let sentences = store.sentences_since(now - horizon)?;
        let texts: Vec<StoryText> = articles.iter().map(|a| story_text(a, &sentences)).collect();
        let clusterer = Clusterer::cluster_all(ClusterConfig::default(), &texts);
        let mut world = Self::new(horizon);
        world.clusterer = clusterer;
        for article in articles {
            world.remember(article);
        }
        Ok(world)
    }

    /// The stories the ingest of a shared store wrote, over the English-readable articles of
    /// the last `horizon` seconds, with when they were written; `None` before any were.
    pub fn load_shared(
        store: &Store,
        now: i64,
        horizon: i64,
    ) -> Result<Option<(i64, Self)>, StoreError> {
        let Some((written, stored)) = store.stories()? else {
            return Ok(None);
        };
        let articles = store.english_since(now - horizon)?;
        let sentences = store.sentences_since(now - horizon)?;
        let texts: Vec<StoryText> = articles.iter().map(|a| story_text(a, &sentences)).collect();
        let groups: Vec<Group> = stored
            .into_iter()
            .map(|s| Group {
                id: s.id,
                headline: s.headline,
                articles: s.articles,
            })
            .collect();
        let mut world = Self::new(horizon);
        world.clusterer = Clusterer::regroup(ClusterConfig::default(), &texts, &groups);
        for article in articles {
            if world.clusterer.story_of(article.id).is_some() {
                world.remember(article);
            }
        }
        Ok(Some((written, world)))
    }

    /// Writes the stories held into the store, as of `now`, for the screens that read it.
    pub fn share(&self, store: &mut Store, now: i64) -> Result<(), StoreError> {
        let stories: Vec<StoredStory> = self
            .clusterer
            .groups()
            .into_iter()
            .map(|g| StoredStory {
                id: g.id,
                headline: g.headline,
                articles: g.articles,
            })
            .collect();
        store.set_stories(&stories, now)
    }

    /// Adds what the store gained since the last call (new articles, and older ones whose
    /// translation has just arrived), oldest first, each joining a story or starting one;
    /// forgets the stories that ended before the horizon. Returns how many were added.
    pub fn update(&mut self, store: &Store, now: i64) -> Result<usize, StoreError> {
        let since = now - self.horizon;
        let new: Vec<Article> = store
            .english_since(since)?
            .into_iter()
            .filter(|a| self.clusterer.story_of(a.id).is_none())
            .collect();
        let added = new.len();
        if added > 0 {
            let sentences = store.sentences_since(since)?;
            for article in new {
                self.clusterer.add(&story_text(&article, &sentences));
                self.remember(article);
            }
        }
        if added > 0 {
            self.clusterer.merge_similar();
        }
        self.clusterer.forget_before(now - self.horizon);
        let clusterer = &self.clusterer;
        self.articles
            .retain(|id, _| clusterer.story_of(*id).is_some());
        self.topics
            .retain(|id, _| clusterer.story_of(*id).is_some());
        Ok(added)
    }

    /// How many articles the world holds.
    pub fn len(&self) -> usize {
        self.articles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    /// The topics of an article the world holds.
    pub fn topics_of(&self, article: i64) -> Topics {
        self.topics.get(&article).copied().unwrap_or_default()
    }

    /// The stories with articles published at or after `since`, the most countries first,
    /// keeping those covered by at least `min_countries` and, with `topic`, tagged with it;
    /// at most `limit`. Each is shown as of `since`: its takes, counts and times count only
    /// the articles published since then, the measure it was ranked by.
    pub fn top(
        &self,
        since: i64,
        min_countries: usize,
        topic: Option<Topic>,
        limit: usize,
    ) -> Vec<StoryView> {
        self.ranked(since, min_countries, |_| true)
            .filter(|v| topic.is_none_or(|t| v.topics.contains(&t)))
            .take(limit)
            .collect()
    }

    /// Like [`Coverage::top`], only the blindspots: stories no US outlet carries. That looks at
    /// all a story holds: a US report of two days ago is not overlooking it.
    pub fn blindspots(&self, since: i64, min_countries: usize, limit: usize) -> Vec<StoryView> {
        self.ranked(since, min_countries, Story::is_blindspot)
            .take(limit)
            .collect()
    }

    /// The stories `keep` accepts, ranked and shown as of `since`; views are built lazily, so
    /// a caller that takes a few builds only those.
    fn ranked<'a>(
        &'a self,
        since: i64,
        min_countries: usize,
        keep: impl Fn(&Story) -> bool + 'a,
    ) -> impl Iterator<Item = StoryView> + 'a {
        self.clusterer
            .top_stories(since, usize::MAX)
            .into_iter()
            // All-time coverage bounds recent coverage: a cheap cut before building views.
            .filter(move |s| s.country_count() >= min_countries && keep(s))
            .filter_map(move |s| self.view(s, since))
            .filter(move |v| v.takes.len() >= min_countries)
    }

    /// The story an article belongs to.
    pub fn story_of(&self, article: i64) -> Option<StoryId> {
        self.clusterer.story_of(article)
    }

    /// A story with all the articles the world holds of it.
    pub fn story(&self, id: StoryId) -> Option<StoryView> {
        self.view(self.clusterer.story(id)?, i64::MIN)
    }

    /// The story an article belongs to, when other articles share it.
    pub fn shared_story_of(&self, article: i64) -> Option<StoryView> {
        let story = self.clusterer.story(self.clusterer.story_of(article)?)?;
        if story.articles.len() > 1 {
            self.view(story, i64::MIN)
        } else {
            None
        }
    }

    fn remember(&mut self, article: Article) {
        let (title, summary) = english(&article);
        self.topics.insert(article.id, topics::tag(title, summary));
        self.articles.insert(article.id, article);
    }

    /// The story as of `since` (its articles published then or later). `None` when it has
    /// none, or for a story whose articles the world has lost track of, which `update`'s
    /// bookkeeping rules out; a panel must never panic over it.
    fn view(&self, story: &Story, since: i64) -> Option<StoryView> {
        let mut by_country: BTreeMap<&str, Vec<Article>> = BTreeMap::new();
        let mut topic_counts: BTreeMap<Topic, usize> = BTreeMap::new();
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for id in &story.articles {
            if let Some(article) = self.articles.get(id).filter(|a| a.published >= since) {
                first = first.min(article.published);
                last = last.max(article.published);
                by_country
                    .entry(&article.country)
                    .or_default()
                    .push(article.clone());
                for topic in self.topics_of(*id).iter() {
                    *topic_counts.entry(topic).or_default() += 1;
                }
            }
        }
        let mut takes: Vec<Take> = by_country
            .into_iter()
            .map(|(country, mut articles)| {
                articles.sort_by_key(|a| (std::cmp::Reverse(a.published), std::cmp::Reverse(a.id)));
                Take {
                    country: country.to_owned(),
                    articles,
                }
            })
            .collect();
        takes.sort_by(|a, b| {
            b.articles
                .len()
                .cmp(&a.articles.len())
                .then(a.country.cmp(&b.country))
        });
        let articles = takes.iter().map(|t| t.articles.len()).sum();
        let mut topics: Vec<(Topic, usize)> = topic_counts
            .into_iter()
            .filter(|&(_, n)| n as f32 >= STORY_TOPIC_SHARE * articles as f32)
            .collect();
        topics.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let headline = self
            .articles
            .get(&story.headline)
            .filter(|a| a.published >= since)
            .or_else(|| takes.first().and_then(|t| t.articles.first()))
            .cloned()?;
        Some(StoryView {
            id: story.id,
            headline,
            takes,
            articles,
            first,
            last,
            blindspot: story.is_blindspot(),
            topics: topics.into_iter().take(3).map(|(t, _)| t).collect(),
        })
    }
}

/// An article's English title and summary: its translation, or its own text.
pub fn english(article: &Article) -> (&str, &str) {
    match &article.title_en {
        Some(title) => (
            title,
            article.summary_en.as_deref().unwrap_or(&article.summary),
        ),
        None => (&article.title, &article.summary),
    }
}

/// An article as clustering reads it, with its sentence embedding where `sentences` has one.
fn story_text<'a>(article: &'a Article, sentences: &'a HashMap<i64, Vec<f32>>) -> StoryText<'a> {
    let (title, summary) = english(article);
    StoryText {
        id: article.id,
        country: &article.country,
        published: article.published,
        title,
        summary,
        sentence: sentences.get(&article.id).map(Vec::as_slice),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::{FeedItem, FeedSource};

    const NOW: i64 = 1_800_000_000;
    const HOUR: i64 = 3600;

    /// A store in a fresh temporary folder holding one story told in three countries, 60, 40
    /// and 10 hours ago (each within the clustering's window of the last).
    fn store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("news.sqlite")).unwrap();
        fill(&mut store);
        (store, dir)
    }

    fn fill(store: &mut Store) {
        for (country, hours_ago) in [("FRA", 60), ("DEU", 40), ("GBR", 10)] {
            let source = FeedSource {
                feed_url: format!("https://{country}.example/rss"),
                outlet: format!("{country} Daily"),
                country: country.into(),
                language: "en".into(),
            };
            let item = FeedItem {
                link: Some(format!("https://{country}.example/1")),
                title: "Volcano Erupts Near Reykjavik, Flights Grounded".into(),
                summary: "Iceland's Reykjanes volcano erupted overnight and Keflavik airport \
                          grounded flights."
                    .into(),
                published: Some(NOW - hours_ago * HOUR),
                ..FeedItem::default()
            };
            crate::news::ingest::store_items(store, &source, &[item], NOW).unwrap();
        }
    }

    #[test]
    fn the_stories_written_into_a_shared_store_read_back_as_the_same_stories() {
        let Some(scratch) = crate::news::store::test_support::Scratch::postgres("shared_stories")
        else {
            return;
        };
        let mut store = scratch.open();
        fill(&mut store);
        stories_read_back_as_written(store);
    }

    #[test]
    fn the_stories_written_into_a_store_read_back_as_the_same_stories() {
        stories_read_back_as_written(store().0);
    }

    fn stories_read_back_as_written(mut store: Store) {
        assert!(
            Coverage::load_shared(&store, NOW, HORIZON_SECONDS)
                .unwrap()
                .is_none()
        );
        let world = Coverage::load(&store, NOW, HORIZON_SECONDS).unwrap();
        world.share(&mut store, NOW).unwrap();
        let (written, read) = Coverage::load_shared(&store, NOW, HORIZON_SECONDS)
            .unwrap()
            .unwrap();
        assert_eq!(written, NOW);
        let since = NOW - 72 * HOUR;
        assert_eq!(read.top(since, 2, None, 10), world.top(since, 2, None, 10));
        assert_eq!(read.len(), world.len());
        let headline = world.top(since, 2, None, 1)[0].headline.id;
        assert_eq!(
            read.shared_story_of(headline),
            world.shared_story_of(headline)
        );
    }

    #[test]
    fn a_story_is_ranked_and_shown_as_of_the_window_asked_for() {
        let (store, _dir) = store();
        let world = Coverage::load(&store, NOW, HORIZON_SECONDS).unwrap();
        assert_eq!(world.len(), 3);

        let three_days = world.top(NOW - 72 * HOUR, 2, None, 10);
        assert_eq!(three_days.len(), 1, "one story, told in three countries");
        let story = &three_days[0];
        assert_eq!(story.takes.len(), 3);
        assert_eq!(
            (story.first, story.last),
            (NOW - 60 * HOUR, NOW - 10 * HOUR)
        );
        assert!(story.blindspot, "no US outlet carries it");
        assert_eq!(world.blindspots(NOW - 72 * HOUR, 2, 10), three_days);

        // Within the last 48 hours only Germany and Britain have covered it.
        assert!(world.top(NOW - 48 * HOUR, 3, None, 10).is_empty());
        let recent = world.top(NOW - 48 * HOUR, 2, None, 10);
        let mut countries: Vec<&str> = recent[0].countries().collect();
        countries.sort_unstable();
        assert_eq!(countries, ["DEU", "GBR"]);
        assert_eq!((recent[0].articles, recent[0].first), (2, NOW - 40 * HOUR));

        // An article's alternative takes are the whole story's.
        let shared = world.shared_story_of(recent[0].headline.id).unwrap();
        assert_eq!(shared.takes.len(), 3);
        assert_eq!(shared.take("FRA").unwrap().articles.len(), 1);
        assert!(
            world
                .top(NOW - 72 * HOUR, 2, Some(Topic::Sport), 10)
                .is_empty()
        );
    }

    #[test]
    fn update_adds_what_arrived_and_forgets_what_left_the_horizon() {
        let (mut store, _dir) = store();
        let mut world = Coverage::load(&store, NOW, HORIZON_SECONDS).unwrap();
        let source = FeedSource {
            feed_url: "https://usa.example/rss".into(),
            outlet: "USA Daily".into(),
            country: "USA".into(),
            language: "en".into(),
        };
        let item = FeedItem {
            link: Some("https://usa.example/1".into()),
            title: "Reykjavik volcano eruption grounds flights at Keflavik".into(),
            summary: "The Reykjanes eruption in Iceland closed Keflavik airport.".into(),
            published: Some(NOW - HOUR),
            ..FeedItem::default()
        };
        crate::news::ingest::store_items(&mut store, &source, &[item], NOW).unwrap();
        assert_eq!(world.update(&store, NOW).unwrap(), 1);
        assert_eq!(world.update(&store, NOW).unwrap(), 0, "nothing twice");
        let story = &world.top(NOW - 72 * HOUR, 2, None, 10)[0];
        assert_eq!(story.takes.len(), 4);
        assert!(!story.blindspot, "a US outlet carries it now");
        assert!(world.blindspots(NOW - 72 * HOUR, 2, 10).is_empty());

        // Three days on, everything is past the horizon and forgotten.
        assert_eq!(world.update(&store, NOW + 72 * HOUR).unwrap(), 0);
        assert!(world.is_empty());
    }

    /// Two reports, from France and Germany, that share one word among many: apart by their
    /// words.
    fn two_reports(store: &mut Store) -> Vec<i64> {
        let titles = [
            ("FRA", "Wall Street slides as Nvidia tumbles"),
            (
                "DEU",
                "Nvidia results due after the close in New York as investors weigh chip export \
                 curbs, bond yields and the path of rates",
            ),
        ];
        for (country, title) in titles {
            let source = FeedSource {
                feed_url: format!("https://{country}.example/markets"),
                outlet: format!("{country} Markets"),
                country: country.into(),
                language: "en".into(),
            };
            let item = FeedItem {
                link: Some(format!("https://{country}.example/nvidia")),
                title: title.into(),
                published: Some(NOW - HOUR),
                ..FeedItem::default()
            };
            crate::news::ingest::store_items(store, &source, &[item], NOW).unwrap();
        }
        store
            .english_since(0)
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect()
    }

    #[test]
    fn the_stored_embeddings_group_stories_when_loaded_and_when_updated() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("news.sqlite")).unwrap();
        let ids = two_reports(&mut store);
        let since = NOW - 72 * HOUR;
        let apart = Coverage::load(&store, NOW, HORIZON_SECONDS).unwrap();
        assert!(
            apart.top(since, 2, None, 10).is_empty(),
            "apart by their words"
        );
        // The same meaning, as the sentence model would say of a paraphrase.
        let mut alike = vec![0.0; crate::news::sentences::DIMENSIONS];
        alike[0] = 1.0;
        let embedded: Vec<(i64, Vec<f32>)> = ids.iter().map(|&id| (id, alike.clone())).collect();
        store.set_sentences(&embedded).unwrap();
        let world = Coverage::load(&store, NOW, HORIZON_SECONDS).unwrap();
        assert_eq!(
            world.top(since, 2, None, 10).len(),
            1,
            "one story, two countries"
        );
        // A world that meets them as they arrive reads the embeddings too.
        let dir = tempfile::tempdir().unwrap();
        let mut later = Store::open(&dir.path().join("news.sqlite")).unwrap();
        let mut world = Coverage::load(&later, NOW, HORIZON_SECONDS).unwrap();
        let ids = two_reports(&mut later);
        let embedded: Vec<(i64, Vec<f32>)> = ids.iter().map(|&id| (id, alike.clone())).collect();
        later.set_sentences(&embedded).unwrap();
        assert_eq!(world.update(&later, NOW).unwrap(), 2);
        assert_eq!(world.top(since, 2, None, 10).len(), 1);
    }
}
