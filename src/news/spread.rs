//! How the world told one story: each country's first report on it, in the order the
//! countries picked it up ([`Spread`]), and what sets each country's take apart from the
//! others' ([`framing`](super::framing)), together a [`Telling`]. Plain computation over a
//! [`StoryView`], from the English text of its articles; the app's timeline and the `story`
//! command show it.

use super::framing::{self, Framing};
use super::world::{StoryView, english};

/// A country's first report on a story.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FirstReport {
    /// Natural Earth `ADM0_A3`.
    pub country: String,
    /// Unix seconds.
    pub published: i64,
    pub outlet: String,
    pub article: i64,
    /// In English.
    pub title: String,
    /// How many articles the country's take holds in all.
    pub articles: usize,
}

/// Each country's first report, earliest first; countries reporting at the same second in
/// the order of their codes, so the order never depends on how the story was read.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Spread {
    pub reports: Vec<FirstReport>,
}

impl Spread {
    pub fn of(story: &StoryView) -> Self {
        let mut reports: Vec<FirstReport> = story
            .takes
            .iter()
            .filter_map(|take| {
                let first = take.articles.iter().min_by_key(|a| (a.published, a.id))?;
                Some(FirstReport {
                    country: take.country.clone(),
                    published: first.published,
                    outlet: first.outlet.clone(),
                    article: first.id,
                    title: english(first).0.to_owned(),
                    articles: take.articles.len(),
                })
            })
            .collect();
        reports.sort_by(|a, b| (a.published, &a.country).cmp(&(b.published, &b.country)));
        Self { reports }
    }

    /// The first report of all.
    pub fn first(&self) -> Option<&FirstReport> {
        self.reports.first()
    }

    /// When the first and the last country picked the story up; equal for a story that
    /// reached every country at once, `None` for no report.
    pub fn span(&self) -> Option<(i64, i64)> {
        Some((
            self.reports.first()?.published,
            self.reports.last()?.published,
        ))
    }

    /// How many countries had reported it by `time`: the first that many reports.
    pub fn reached(&self, time: i64) -> usize {
        self.reports.partition_point(|r| r.published <= time)
    }
}

/// How long after a story's first report, as a reader reads it: "+0", "+45 min", "+3 h",
/// "+3 h 05", "+2 d", "+2 d 4 h".
pub fn delay(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => "+0".into(),
        (0, 0, m) => format!("+{m} min"),
        (0, h, 0) => format!("+{h} h"),
        (0, h, m) => format!("+{h} h {m:02}"),
        (d, 0, _) => format!("+{d} d"),
        (d, h, _) => format!("+{d} d {h} h"),
    }
}

/// A take's newest articles that its framing reads: enough for its wording to show, and a
/// bound on the work a story of thousands of reports costs when it is opened.
const FRAMED_ARTICLES: usize = 60;

/// One country's framing of a story.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CountryFraming {
    pub country: String,
    pub framing: Framing,
}

/// A story's spread and every country's framing.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Telling {
    pub spread: Spread,
    /// In the story's order of takes: the countries with the most articles first.
    pub framing: Vec<CountryFraming>,
}

impl Telling {
    pub fn of(story: &StoryView) -> Self {
        let texts: Vec<Vec<String>> = story
            .takes
            .iter()
            .map(|take| {
                take.articles
                    .iter()
                    .take(FRAMED_ARTICLES)
                    .map(|a| {
                        let (title, summary) = english(a);
                        format!("{title}. {summary}")
                    })
                    .collect()
            })
            .collect();
        let sides: Vec<Vec<&str>> = texts
            .iter()
            .map(|t| t.iter().map(String::as_str).collect())
            .collect();
        let framing = framing::framings(&sides)
            .into_iter()
            .zip(&story.takes)
            .map(|(framing, take)| CountryFraming {
                country: take.country.clone(),
                framing,
            })
            .collect();
        Self {
            spread: Spread::of(story),
            framing,
        }
    }

    /// The framing of one country's take.
    pub fn framing_of(&self, country: &str) -> Option<&Framing> {
        self.framing
            .iter()
            .find(|f| f.country == country)
            .map(|f| &f.framing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::Article;
    use crate::news::world::Take;

    /// An English article of `country`'s outlet at `published`.
    fn article(id: i64, country: &str, published: i64, title: &str) -> Article {
        Article {
            id,
            feed_url: format!("https://{country}.example/feed"),
            outlet: format!("{country} Daily"),
            country: country.into(),
            language: "en".into(),
            title: title.into(),
            summary: String::new(),
            title_en: None,
            summary_en: None,
            translated_by: None,
            link: format!("https://{country}.example/{id}"),
            image: None,
            published,
            first_seen: published,
        }
    }

    /// A story of the given articles, takes ordered as the world orders them.
    fn story(articles: Vec<Article>) -> StoryView {
        let mut takes: Vec<Take> = Vec::new();
        for a in articles {
            match takes.iter_mut().find(|t| t.country == a.country) {
                Some(take) => take.articles.push(a),
                None => takes.push(Take {
                    country: a.country.clone(),
                    articles: vec![a],
                }),
            }
        }
        takes.sort_by(|a, b| (b.articles.len(), &a.country).cmp(&(a.articles.len(), &b.country)));
        let all: Vec<&Article> = takes.iter().flat_map(|t| &t.articles).collect();
        StoryView {
            id: 1,
            headline: all[0].clone(),
            articles: all.len(),
            first: all.iter().map(|a| a.published).min().unwrap_or(0),
            last: all.iter().map(|a| a.published).max().unwrap_or(0),
            blindspot: false,
            topics: Vec::new(),
            takes,
        }
    }

    #[test]
    fn countries_come_in_the_order_they_first_reported() {
        let story = story(vec![
            article(1, "FRA", 500, "Paris reacts"),
            article(2, "DEU", 300, "Berlin reacts"),
            article(3, "FRA", 100, "First word from Paris"),
            article(4, "JPN", 900, "Tokyo reacts"),
            article(5, "BRA", 300, "Brasília reacts"),
        ]);
        let spread = Spread::of(&story);
        let order: Vec<(&str, i64, i64)> = spread
            .reports
            .iter()
            .map(|r| (r.country.as_str(), r.published, r.article))
            .collect();
        // Brazil and Germany at the same second: by code.
        assert_eq!(
            order,
            [
                ("FRA", 100, 3),
                ("BRA", 300, 5),
                ("DEU", 300, 2),
                ("JPN", 900, 4)
            ]
        );
        let first = spread.first().unwrap();
        assert_eq!(first.title, "First word from Paris");
        assert_eq!(first.outlet, "FRA Daily");
        assert_eq!(first.articles, 2);
        assert_eq!(spread.span(), Some((100, 900)));
        assert_eq!(
            [99, 100, 299, 300, 899, 900, 10_000].map(|t| spread.reached(t)),
            [0, 1, 1, 3, 3, 4, 4]
        );
    }

    #[test]
    fn a_one_article_take_has_a_timeline_entry_and_too_little_framing() {
        let story = story(vec![
            article(
                1,
                "UKR",
                10,
                "Russian invasion: civilians flee Kharkiv shelling",
            ),
            article(
                2,
                "UKR",
                20,
                "Invasion: civilians killed as Kharkiv shelled again",
            ),
            article(
                3,
                "UKR",
                30,
                "Civilians shelter in Kharkiv metro as invasion goes on",
            ),
            article(
                4,
                "RUS",
                15,
                "Special military operation advances in Donbas",
            ),
            article(
                5,
                "RUS",
                25,
                "Special military operation: Donbas village liberated",
            ),
            article(
                6,
                "RUS",
                35,
                "Donbas: special military operation goals will be met",
            ),
            article(7, "IND", 40, "India calls for calm in Ukraine"),
        ]);
        let telling = Telling::of(&story);
        let countries: Vec<&str> = telling
            .spread
            .reports
            .iter()
            .map(|r| r.country.as_str())
            .collect();
        assert_eq!(countries, ["UKR", "RUS", "IND"]);
        assert!(matches!(
            telling.framing_of("IND"),
            Some(Framing::TooLittle { articles: 1, .. })
        ));
        let terms = |c| -> Vec<String> {
            telling
                .framing_of(c)
                .unwrap()
                .terms()
                .iter()
                .map(|t| t.text.clone())
                .collect()
        };
        assert_eq!(terms("RUS")[0], "special military operation");
        assert!(
            terms("UKR").contains(&"invasion".to_owned()),
            "{:?}",
            terms("UKR")
        );
        assert!(!terms("UKR").iter().any(|t| t.contains("military")));
    }

    #[test]
    fn delays_read_in_the_largest_units_that_fit() {
        let said = [
            0,
            59,
            60,
            45 * 60,
            3 * 3600,
            3 * 3600 + 5 * 60,
            48 * 3600,
            52 * 3600,
            -9,
        ]
        .map(delay);
        assert_eq!(
            said,
            [
                "+0", "+0", "+1 min", "+45 min", "+3 h", "+3 h 05", "+2 d", "+2 d 4 h", "+0"
            ]
        );
    }

    #[test]
    fn an_empty_story_tells_nothing() {
        let story = StoryView {
            takes: Vec::new(),
            ..story(vec![article(1, "FRA", 0, "x")])
        };
        let telling = Telling::of(&story);
        assert_eq!(telling.spread.span(), None);
        assert_eq!(telling.spread.reached(i64::MAX), 0);
        assert!(telling.framing.is_empty());
    }
}
