//! The news bridge: the [`NewsService`] behind a resource, asked by messages and systems,
//! its replies drained each frame into [`News`].
//!
//! Nothing here blocks a frame: the service runs on its own thread and wakes the app, which
//! rests until something happens, after each reply.

use std::collections::HashMap;
use std::sync::Arc;

use bevy::prelude::*;

use super::AppSystems;
use super::atlas::Atlas;
use super::pictures::Pictures;
use super::rest::Waker;
use super::selection::{SelectCountry, Selection};
use crate::news::Article;
use crate::news::extract::Extracted;
use crate::news::ingest::IngestReport;
use crate::news::page::PageEvent;
pub use crate::news::service::{
    CountryNews, NewsOptions, Refresh, WORLD_MIN_COUNTRIES, WorldStories,
};
use crate::news::service::{NewsService, Reply, Request};
use crate::news::topics::{self, Topics};
use crate::news::world::{self, StoryView};

/// Articles per country (ADM0_A3) from the last 24 hours; changes only when they do, so
/// the globe recolours only then.
#[derive(Resource, Debug, Default, PartialEq)]
pub struct RecentCounts(pub HashMap<String, usize>);

/// What the app knows about the news, as of the last frame.
#[derive(Resource, Debug, Default)]
pub struct News {
    /// The articles of the country last asked for, newest first.
    pub articles: Option<CountryNews>,
    /// What the whole world covers now.
    pub world_stories: WorldStories,
    /// The last search's results, best first.
    pub search: Option<SearchResults>,
    /// Countries with at least one outlet in the catalog.
    pub covered: Vec<String>,
    /// The catalog's outlets from the blindspot country, whose coverage a blindspot lacks.
    pub blindspot_outlets: Vec<String>,
    pub status: NewsStatus,
    /// The article open in the article view, as much of it as has arrived.
    pub page: Option<OpenedPage>,
}

/// An article opened to read: its page as it arrives, then its paragraphs in English.
#[derive(Clone, Debug)]
pub struct OpenedPage {
    pub article: Article,
    /// The page's article, or why there is none; `None` while it is fetched.
    pub read: Option<Result<Extracted, String>>,
    /// The English of each paragraph, as batches arrive.
    pub english: Vec<Option<String>>,
    pub translation: PageTranslation,
    /// The story the article is part of, where other articles tell it too.
    pub story: Option<Arc<StoryView>>,
    /// The article's topics, by its English headline and summary.
    pub topics: Topics,
    /// Which opening this is: what the news thread sends of an earlier one (the same article
    /// opened, closed and opened again) is not this one's.
    opening: u64,
}

/// Where an opened page's translation stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum PageTranslation {
    /// Not known yet: the page has not arrived.
    #[default]
    Waiting,
    /// Batches are arriving; the last came from this translator.
    Arriving(String),
    /// The page is in English, or its language is unknown.
    NotNeeded,
    /// Stopped, with why; the rest stays in the page's language.
    Failed(String),
}

impl OpenedPage {
    fn new(article: Article, opening: u64) -> Self {
        let (title, summary) = world::english(&article);
        Self {
            topics: topics::tag(title, summary),
            article,
            read: None,
            english: Vec::new(),
            translation: PageTranslation::Waiting,
            story: None,
            opening,
        }
    }

    /// Whether everything that will come of this page has come: the page (or why there is
    /// none), and the English of every paragraph or word that there will be none.
    pub fn is_complete(&self) -> bool {
        match (&self.read, &self.translation) {
            (None, _) => false,
            (Some(Err(_)), _) => true,
            (Some(Ok(_)), PageTranslation::Waiting) => false,
            (Some(Ok(_)), PageTranslation::Arriving(_)) => self.english.iter().all(Option::is_some),
            (Some(Ok(_)), PageTranslation::NotNeeded | PageTranslation::Failed(_)) => true,
        }
    }

    /// Takes in what the news thread sent of this page.
    pub fn apply(&mut self, event: PageEvent) {
        match event {
            PageEvent::Read(read) => {
                let paragraphs = read.as_ref().map_or(0, |page| page.paragraphs.len());
                self.english = vec![None; paragraphs];
                self.read = Some(read);
            }
            PageEvent::English {
                from,
                paragraphs,
                by,
            } => {
                for (slot, text) in self.english.iter_mut().skip(from).zip(paragraphs) {
                    *slot = Some(text);
                }
                self.translation = PageTranslation::Arriving(by);
            }
            PageEvent::NoTranslation => self.translation = PageTranslation::NotNeeded,
            PageEvent::TranslationFailed(why) => self.translation = PageTranslation::Failed(why),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct SearchResults {
    pub query: String,
    pub articles: Vec<Article>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewsStatus {
    /// `(done, total)` feeds while a refresh runs.
    pub updating: Option<(usize, usize)>,
    /// Unix time of the last finished refresh.
    pub last_update: Option<i64>,
    pub failing_feeds: usize,
    pub total_feeds: usize,
    /// The last refresh reached no feed at all.
    pub offline: bool,
    /// How many articles the store holds; `None` until it has been read.
    pub stored: Option<usize>,
    /// The store could not be opened: nothing will be fetched or shown.
    pub store_error: Option<String>,
    /// Whether this run fetches at all (the capture modes only show what is stored).
    pub fetching: bool,
    /// The store is shared: an ingest on another machine fills it, this screen only reads.
    pub shared: bool,
    /// Who translates, for the status line; `None` when translation is off.
    pub translator: Option<String>,
    /// A background task failed and restarts: the last failure's message.
    pub restarting: Option<String>,
    /// Languages the last refresh could not translate, with why.
    pub translation_failures: Vec<(String, String)>,
}

/// Asks the store for the articles matching the words of a query (see [`Store::search`]);
/// the results arrive in [`News::search`].
#[derive(Message, Clone, Debug, PartialEq)]
pub struct SearchNews(pub String);

/// Opens an article in the article view: its page is fetched (or read from the store) and
/// translated; it arrives in [`News::page`].
#[derive(Message, Clone, Debug, PartialEq)]
pub struct ReadArticle(pub Article);

/// Closes the article view.
#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub struct CloseArticle;

/// Asks for a country's (`ADM0_A3`) articles outside the selection (the kiosk's attract card);
/// they arrive in [`News::articles`].
#[derive(Message, Clone, Debug, PartialEq)]
pub struct AskArticles(pub String);

/// The news service, asked by the systems below and drained each frame.
#[derive(Resource)]
struct Service(NewsService);

pub(super) fn plugin(app: &mut App) {
    app.add_message::<SearchNews>()
        .add_message::<AskArticles>()
        .add_message::<ReadArticle>()
        .add_message::<CloseArticle>()
        .init_resource::<Pictures>()
        .add_systems(
            Update,
            (
                drain_replies.in_set(AppSystems::Receive),
                (
                    ask_for_articles,
                    ask_for_searches,
                    ask_for_pages,
                    ask_for_pictures,
                )
                    .in_set(AppSystems::Present),
            ),
        );
}

/// Starts the news service and the [`News`] resource.
pub fn start(app: &mut App, options: NewsOptions) {
    let covered = options
        .catalog
        .countries()
        .into_iter()
        .map(String::from)
        .collect();
    let blindspot_outlets = options
        .catalog
        .outlets
        .iter()
        .filter(|outlet| outlet.country == crate::news::stories::BLINDSPOT_COUNTRY)
        .map(|outlet| outlet.name.clone())
        .collect();
    let total_feeds = options.catalog.sources().len();
    let fetching = options.refresh != Refresh::Never;
    let shared = options.store.is_shared();
    let translator = options.translator.label();
    let waker = Waker::of(app);
    let service = NewsService::start(options, Arc::new(move || waker.wake()))
        .expect("the OS can start a thread");
    app.insert_resource(Service(service))
        .init_resource::<RecentCounts>()
        .insert_resource(News {
            covered,
            blindspot_outlets,
            status: NewsStatus {
                total_feeds,
                fetching,
                shared,
                translator,
                ..default()
            },
            ..default()
        });
}

/// The status after a refresh that finished at `now` with `report`.
fn refreshed(status: &mut NewsStatus, report: IngestReport, now: i64) {
    status.updating = None;
    status.restarting = None;
    // A store that just took a whole refresh is usable again, whatever failed before.
    status.store_error = None;
    status.last_update = Some(now);
    // A feed skipped because it keeps failing is still failing: counting only the feeds
    // tried would call a run that reached nothing a success.
    let failing = report.failed.len() + report.backed_off;
    status.failing_feeds = failing;
    status.translation_failures = report.translation_failures;
    if let Some(reason) = &report.sentence_failure {
        warn!("news: stories are grouped by their words alone: {reason}");
    }
    status.offline = report.fetched + report.not_modified == 0 && failing > 0;
}

fn drain_replies(
    mut service: ResMut<Service>,
    mut news: ResMut<News>,
    mut counts: ResMut<RecentCounts>,
    mut pictures: ResMut<Pictures>,
) {
    while let Some(reply) = service.0.try_recv() {
        match reply {
            Reply::Counts(recent) => {
                counts.set_if_neq(RecentCounts(recent));
            }
            Reply::Health {
                last_update,
                failing,
            } => {
                // The store was just read: whatever failed before, it answers again.
                news.status.store_error = None;
                news.status.last_update = last_update;
                news.status.failing_feeds = failing;
            }
            Reply::Progress { done, total, .. } => news.status.updating = Some((done, total)),
            Reply::Stored(stored) => news.status.stored = Some(stored),
            Reply::Refreshed(Ok(report)) => {
                refreshed(&mut news.status, report, crate::news::now());
            }
            Reply::Refreshed(Err(e)) => {
                news.status.updating = None;
                news.status.store_error = Some(e);
            }
            Reply::Articles(_, Ok(listed)) => news.articles = Some(listed),
            Reply::Articles(country, Err(e)) => articles_failed(&mut news, country, e),
            Reply::Stories(stories) => news.world_stories = stories,
            Reply::Search(query, Ok(articles)) => {
                news.search = Some(SearchResults { query, articles });
            }
            Reply::Search(query, Err(e)) => {
                news.search = Some(SearchResults {
                    query,
                    articles: Vec::new(),
                });
                news.status.store_error = Some(e);
            }
            Reply::Page(opening, event) => {
                if let Some(page) = news.page.as_mut().filter(|p| p.opening == opening) {
                    page.apply(event);
                }
            }
            Reply::PageStory(opening, story) => {
                if let Some(page) = news.page.as_mut().filter(|p| p.opening == opening) {
                    page.story = Some(story);
                }
            }
            Reply::Picture(url, size, picture) => pictures.arrived(url, size, picture),
            Reply::StoreError(e) => news.status.store_error = Some(e),
            Reply::Failed(e) => {
                error!("news: a background task failed and restarts: {e}");
                news.status.updating = None;
                news.status.restarting = Some(e);
            }
        }
    }
}

/// A country's articles could not be read: a store that is down for a while (a shared one
/// restarting) leaves the list shown for that country as it was, and says so; another
/// country's list gives way to an empty one, so its panel does not wait forever.
fn articles_failed(news: &mut News, country: String, error: String) {
    if news.articles.as_ref().is_none_or(|a| a.country != country) {
        news.articles = Some(CountryNews {
            country,
            ..default()
        });
    }
    news.status.store_error = Some(error);
}

/// Asks for the selected country's articles when the selection changes, and again after
/// each refresh so that the open panel shows what just arrived.
fn ask_for_articles(
    selection: Res<Selection>,
    news: Res<News>,
    atlas: Res<Atlas>,
    service: Res<Service>,
    mut requests: MessageReader<AskArticles>,
    mut asked: Local<(Option<usize>, Option<i64>)>,
) {
    for AskArticles(country) in requests.read() {
        service.0.send(Request::Articles(country.clone()));
    }
    let now = (selection.0, news.status.last_update);
    if *asked == now {
        return;
    }
    *asked = now;
    if let Some(country) = selection.0 {
        service
            .0
            .send(Request::Articles(atlas.countries[country].id.clone()));
    }
}

fn ask_for_searches(mut searches: MessageReader<SearchNews>, service: Res<Service>) {
    // Typing sends a search per key: only the last of a frame's matters.
    if let Some(SearchNews(query)) = searches.read().last() {
        service.0.send(Request::Search(query.clone()));
    }
}

/// Opens and closes the article view: an article asked for replaces the one open and is
/// fetched; a country picked (even the one already selected) closes it, the reader having
/// moved on; a closed page's work stops.
fn ask_for_pages(
    mut reads: MessageReader<ReadArticle>,
    mut closes: MessageReader<CloseArticle>,
    mut picks: MessageReader<SelectCountry>,
    mut news: ResMut<News>,
    service: Res<Service>,
    mut openings: Local<u64>,
) {
    let closed = closes.read().count() + picks.read().count() > 0;
    if closed && news.page.is_some() {
        news.page = None;
        service.0.send(Request::ClosePage);
    }
    if let Some(ReadArticle(article)) = reads.read().last() {
        *openings += 1;
        news.page = Some(OpenedPage::new(article.clone(), *openings));
        service
            .0
            .send(Request::Page(Box::new(article.clone()), *openings));
    }
}

/// Sends for the pictures the panels asked for this frame.
fn ask_for_pictures(mut pictures: ResMut<Pictures>, service: Res<Service>) {
    for (url, size) in pictures.take_wanted() {
        service.0.send(Request::Picture(url, size));
    }
}

#[cfg(test)]
mod refreshed_tests {
    use super::*;
    use crate::news::FeedSource;

    #[test]
    fn a_failed_read_keeps_the_countrys_list_shown_and_empties_another_countrys() {
        let article = crate::app::ui::test_article(1, "KEN", 0);
        let mut news = News {
            articles: Some(CountryNews {
                country: "KEN".into(),
                articles: vec![article],
                ..default()
            }),
            ..default()
        };
        articles_failed(&mut news, "KEN".into(), "unreachable".into());
        let shown = news.articles.as_ref().unwrap();
        assert_eq!((shown.country.as_str(), shown.articles.len()), ("KEN", 1));
        assert_eq!(news.status.store_error.as_deref(), Some("unreachable"));
        articles_failed(&mut news, "TZA".into(), "unreachable".into());
        let shown = news.articles.as_ref().unwrap();
        assert_eq!((shown.country.as_str(), shown.articles.len()), ("TZA", 0));
    }

    fn source() -> FeedSource {
        FeedSource {
            feed_url: "http://127.0.0.1/feed".into(),
            outlet: "Daily".into(),
            country: "KEN".into(),
            language: "en".into(),
        }
    }

    #[test]
    fn a_run_that_reaches_no_feed_is_offline_even_when_every_feed_waits() {
        let mut status = NewsStatus {
            total_feeds: 2,
            ..default()
        };
        let failed = IngestReport {
            failed: vec![(source(), "connection refused".into())],
            backed_off: 1,
            ..default()
        };
        refreshed(&mut status, failed, 100);
        assert!(status.offline);
        assert_eq!(status.failing_feeds, 2);
        assert_eq!(status.last_update, Some(100));

        let waiting = IngestReport {
            backed_off: 2,
            ..default()
        };
        refreshed(&mut status, waiting, 200);
        assert!(status.offline, "feeds skipped for failing are not reached");
        assert_eq!(status.failing_feeds, 2);

        let reached = IngestReport {
            fetched: 1,
            backed_off: 1,
            ..default()
        };
        refreshed(&mut status, reached, 300);
        assert!(!status.offline);
        assert_eq!(status.failing_feeds, 1);
    }
}

#[cfg(test)]
mod opened_page_tests {
    use super::*;

    fn page(paragraphs: usize) -> Extracted {
        Extracted {
            paragraphs: (0..paragraphs).map(|i| format!("Párrafo {i}")).collect(),
            ..Default::default()
        }
    }

    fn english(from: usize, count: usize) -> PageEvent {
        PageEvent::English {
            from,
            paragraphs: (from..from + count)
                .map(|i| format!("Paragraph {i}"))
                .collect(),
            by: "Apertium".into(),
        }
    }

    #[test]
    fn a_page_is_complete_when_its_last_batch_or_word_of_none_has_come() {
        let article = crate::news::Article {
            id: 1,
            feed_url: String::new(),
            outlet: String::new(),
            country: "ESP".into(),
            language: "es".into(),
            title: String::new(),
            summary: String::new(),
            title_en: None,
            summary_en: None,
            translated_by: None,
            link: String::new(),
            image: None,
            published: 0,
            first_seen: 0,
        };
        let mut opened = OpenedPage::new(article.clone(), 1);
        assert!(!opened.is_complete(), "nothing yet");
        opened.apply(PageEvent::Read(Ok(page(8))));
        assert!(!opened.is_complete(), "the page, no English yet");
        opened.apply(english(0, 6));
        assert!(!opened.is_complete(), "one batch of two");
        opened.apply(english(6, 2));
        assert!(opened.is_complete());
        assert_eq!(opened.english[7].as_deref(), Some("Paragraph 7"));

        let mut failed = OpenedPage::new(article.clone(), 2);
        failed.apply(PageEvent::Read(Ok(page(8))));
        failed.apply(PageEvent::TranslationFailed("translation is off".into()));
        assert!(failed.is_complete());
        let mut none = OpenedPage::new(article, 3);
        none.apply(PageEvent::Read(Err("the page is behind a paywall".into())));
        assert!(none.is_complete());
    }
}
