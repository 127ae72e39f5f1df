//! The clusterer against the hand-labelled corpora of `tests/fixtures/stories/`: the scores
//! it was tuned to on `corpus.json`, the same on `heldout.json`, which it was never tuned on,
//! and the stories an editor would expect of both.

use fixture::Article;

use super::*;
use crate::news::sentences::{self, SentenceModel};

/// The hand-labelled corpus of `tests/fixtures/stories/corpus.json`.
pub(crate) mod fixture {
    use super::super::StoryText;

    #[derive(serde::Deserialize)]
    struct Corpus {
        now: i64,
        articles: Vec<Article>,
    }

    #[derive(serde::Deserialize)]
    pub(crate) struct Article {
        pub id: i64,
        /// The editor's story label.
        pub story: String,
        /// The editor's primary topic key.
        pub topic: String,
        pub country: String,
        pub title_en: String,
        pub summary_en: String,
        hours_ago: f64,
    }

    const JSON: &str = include_str!("../../../tests/fixtures/stories/corpus.json");
    const HELDOUT: &str = include_str!("../../../tests/fixtures/stories/heldout.json");

    fn parse(json: &str) -> (i64, Vec<Article>) {
        let corpus: Corpus = serde_json::from_str(json).expect("the corpus parses");
        (corpus.now, corpus.articles)
    }

    /// The corpus's "now" and its articles, in file order.
    pub(crate) fn corpus() -> (i64, Vec<Article>) {
        parse(JSON)
    }

    /// The held-out corpus, in the same format: written after the method was tuned on
    /// [`corpus`], to check it on news it was never fitted to.
    pub(crate) fn heldout() -> (i64, Vec<Article>) {
        parse(HELDOUT)
    }

    impl Article {
        pub fn published(&self, now: i64) -> i64 {
            now - (self.hours_ago * 3600.0).round() as i64
        }

        pub fn text(&self, now: i64) -> StoryText<'_> {
            StoryText {
                id: self.id,
                country: &self.country,
                published: self.published(now),
                title: &self.title_en,
                summary: &self.summary_en,
                sentence: None,
            }
        }
    }
}

fn texts(now: i64, articles: &[Article]) -> Vec<StoryText<'_>> {
    articles.iter().map(|a| a.text(now)).collect()
}

/// The clusterer a running app has: fed one article at a time, as they are published.
fn online(texts: &[StoryText]) -> Clusterer {
    let mut order = texts.to_vec();
    order.sort_by_key(|a| (a.published, a.id));
    let mut clusterer = Clusterer::new(ClusterConfig::default());
    for article in &order {
        clusterer.add(article);
    }
    clusterer
}

fn truth(articles: &[Article]) -> Vec<(i64, &str)> {
    articles.iter().map(|a| (a.id, a.story.as_str())).collect()
}

fn predicted(clusterer: &Clusterer) -> Vec<(i64, StoryId)> {
    clusterer
        .stories()
        .flat_map(|s| s.articles.iter().map(move |&a| (a, s.id)))
        .collect()
}

fn story_of(clusterer: &Clusterer, article: i64) -> &Story {
    let id = clusterer.story_of(article).expect("the article is held");
    clusterer.story(id).expect("its story is held")
}

/// The countries of an editor's story, with how many articles each.
fn labelled_countries(articles: &[Article], label: &str) -> BTreeMap<String, usize> {
    let mut countries = BTreeMap::new();
    for a in articles.iter().filter(|a| a.story == label) {
        *countries.entry(a.country.clone()).or_default() += 1;
    }
    countries
}

/// Clusters a hand-labelled corpus in both modes, the whole batch at once and one article
/// at a time, and scores each against the labels: `(mode, B-cubed F1, pairwise F1)`.
fn scores(corpus: (i64, Vec<Article>), stories: usize) -> Vec<(&'static str, f64, f64)> {
    scores_with(corpus, stories, &[])
}

/// The sentence model's embedding of each article, in order.
fn embedded(model: &SentenceModel, articles: &[Article]) -> Vec<Vec<f32>> {
    let texts: Vec<String> = articles
        .iter()
        .map(|a| sentences::article_text(&a.title_en, &a.summary_en))
        .collect();
    model
        .embed(&texts.iter().map(String::as_str).collect::<Vec<_>>())
        .expect("the corpus embeds")
}

/// [`scores`] with each article's embedding from `sentences`, in order, where it has one.
fn scores_with(
    corpus: (i64, Vec<Article>),
    stories: usize,
    sentences: &[Vec<f32>],
) -> Vec<(&'static str, f64, f64)> {
    let (now, articles) = corpus;
    let mut texts = texts(now, &articles);
    for (text, sentence) in texts.iter_mut().zip(sentences) {
        text.sentence = Some(sentence);
    }
    let truth = truth(&articles);
    [
        (
            "cluster_all",
            Clusterer::cluster_all(ClusterConfig::default(), &texts),
        ),
        ("online", online(&texts)),
    ]
    .into_iter()
    .map(|(mode, clusterer)| {
        assert_eq!(clusterer.len(), articles.len());
        let predicted = predicted(&clusterer);
        let bcubed = quality::bcubed_f1(&truth, &predicted);
        let pairwise = quality::pairwise_f1(&truth, &predicted);
        eprintln!(
            "{mode}: B-cubed F1 {bcubed:.3}, pairwise F1 {pairwise:.3}, {} stories for \
             {stories}",
            clusterer.stories().count()
        );
        (mode, bcubed, pairwise)
    })
    .collect()
}

#[test]
fn the_corpus_clusters_as_an_editor_would() {
    for (mode, bcubed, pairwise) in scores(fixture::corpus(), 21) {
        // Measured 0.969 and 0.964 in both modes, 21 stories. What is wrong: Mumbai's
        // monsoon report joins Kenya's floods, which then had two reports, too few to
        // have shown their names (see ESTABLISHED); the French pension strike's opening
        // report starts a story that the two reports of the German rail strike then join,
        // while the rest of the French strike is a story of its own; and the G7 summit's
        // opening report stands alone. The Fed's and the ECB's rate decisions, one story
        // before names had to agree (0.936 and 0.894 then), are apart. An editor would
        // accept every other story: whole and alone. The floors leave a few points for
        // harmless changes; a drop below them is a real regression. (Scores on 103
        // hand-written articles are not comparable with published systems' scores on
        // their corpora of thousands.)
        assert!(bcubed >= 0.94, "{mode}: B-cubed F1 {bcubed:.3}");
        assert!(pairwise >= 0.92, "{mode}: pairwise F1 {pairwise:.3}");
    }
}

#[test]
fn the_heldout_corpus_clusters_as_an_editor_would() {
    for (mode, bcubed, pairwise) in scores(fixture::heldout(), 17) {
        // Measured 0.957 and 0.942 clustering the batch (20 stories), 0.970 and 0.962
        // adding one by one (19). No two distinct stories merge; what is wrong is splits:
        // Italy's transport strike in two (its reports name different unions, cities and
        // ministers, and none names Italy as the Belgian reports name Belgium), the
        // Financial Times's report of Peru's vote alone, and in the batch one terse report
        // of the Bank of England's decision alone ("BOE" and no other name). Before names
        // had to agree the scores were 0.886 and 0.764 in both modes: the Bank of
        // England's hold, the Bank of Japan's hike and the Bank of Korea's hold were one
        // story, Belgium's national strike and Italy's transport strike another.
        assert!(bcubed >= 0.93, "{mode}: B-cubed F1 {bcubed:.3}");
        assert!(pairwise >= 0.90, "{mode}: pairwise F1 {pairwise:.3}");
    }
}

#[test]
fn with_sentence_embeddings_the_corpora_still_cluster_as_an_editor_would() {
    let Some(model) = sentences::test_model() else {
        return;
    };
    for (corpus, stories) in [(fixture::corpus(), 21), (fixture::heldout(), 17)] {
        let embedded = embedded(&model, &corpus.1);
        for (mode, bcubed, pairwise) in scores_with(corpus, stories, &embedded) {
            // Measured 0.985 and 0.987 on the corpus in both modes, 21 stories, and 0.982 and
            // 0.978 held out, 18 stories for 17 (by the words alone 0.969 and 0.964, and
            // 0.957 to 0.970 and 0.942 to 0.962).
            assert!(bcubed >= 0.96, "{mode}: B-cubed F1 {bcubed:.3}");
            assert!(pairwise >= 0.94, "{mode}: pairwise F1 {pairwise:.3}");
        }
    }
    // Sibling events, which share most of their meaning, stay apart by their names.
    let (now, articles) = fixture::corpus();
    let embedded = embedded(&model, &articles);
    let mut texts = texts(now, &articles);
    for (text, sentence) in texts.iter_mut().zip(&embedded) {
        text.sentence = Some(sentence);
    }
    for clusterer in [
        Clusterer::cluster_all(ClusterConfig::default(), &texts),
        online(&texts),
    ] {
        for (a, b) in [(1, 9), (7, 14), (16, 23), (41, 91), (28, 35), (34, 40)] {
            assert_ne!(clusterer.story_of(a), clusterer.story_of(b), "{a} and {b}");
        }
    }
}

#[test]
fn stories_that_share_their_vocabulary_stay_apart() {
    let (now, articles) = fixture::corpus();
    let texts = texts(now, &articles);
    for clusterer in [
        Clusterer::cluster_all(ClusterConfig::default(), &texts),
        online(&texts),
    ] {
        // Malatya's and Miyagi's earthquakes, hours apart; Colombia's and South Korea's
        // elections; the strikes on Kyiv and the G7 summit that discussed them; the Fed's
        // and the ECB's rate decisions, a day apart.
        for (a, b) in [(1, 9), (7, 14), (16, 23), (41, 91), (28, 35), (34, 40)] {
            assert_ne!(clusterer.story_of(a), clusterer.story_of(b), "{a} and {b}");
        }
        for (a, b) in [(1, 7), (9, 15), (43, 48), (55, 61), (66, 71), (72, 76)] {
            assert_eq!(clusterer.story_of(a), clusterer.story_of(b), "{a} and {b}");
        }
    }
}

#[test]
fn a_story_lists_the_countries_that_cover_it() {
    let (now, articles) = fixture::corpus();
    let clusterer = Clusterer::cluster_all(ClusterConfig::default(), &texts(now, &articles));
    let japan = story_of(&clusterer, 9);
    let expected: BTreeMap<String, usize> = [
        ("AUS", 1),
        ("CHN", 1),
        ("GBR", 1),
        ("JPN", 2),
        ("KOR", 1),
        ("USA", 1),
    ]
    .map(|(c, n)| (c.to_owned(), n))
    .into();
    assert_eq!(japan.countries, expected);
    assert_eq!(
        japan.countries,
        labelled_countries(&articles, "quake-japan")
    );
    assert_eq!(japan.country_count(), 6);
    assert!(!japan.is_blindspot());
    // No American outlet reported the Champions League final.
    let final_ = story_of(&clusterer, 57);
    assert_eq!(final_.countries, labelled_countries(&articles, "ucl-final"));
    assert!(final_.is_blindspot());
    let cricket = story_of(&clusterer, 63);
    assert_eq!(
        cricket.countries,
        labelled_countries(&articles, "cricket-ind-aus")
    );
    assert!(cricket.is_blindspot());
    assert_eq!(cricket.country_count(), 2);
}

#[test]
fn a_story_spans_its_articles_and_is_headed_by_one_of_them() {
    let (now, articles) = fixture::corpus();
    let clusterer = Clusterer::cluster_all(ClusterConfig::default(), &texts(now, &articles));
    let published = |id: i64| {
        articles
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.published(now))
    };
    for story in clusterer.stories() {
        let times: Vec<i64> = story
            .articles
            .iter()
            .filter_map(|&a| published(a))
            .collect();
        assert_eq!(times.len(), story.articles.len());
        assert_eq!(Some(story.first), times.iter().copied().min());
        assert_eq!(Some(story.last), times.iter().copied().max());
        assert!(story.articles.contains(&story.headline));
        assert_eq!(
            story.countries.values().sum::<usize>(),
            story.articles.len()
        );
    }
}

#[test]
fn the_same_words_far_outside_the_window_start_a_new_story() {
    let (now, articles) = fixture::corpus();
    let mut clusterer = Clusterer::cluster_all(ClusterConfig::default(), &texts(now, &articles));
    let turkey = clusterer.story_of(2);
    let again = |id, published| StoryText {
        id,
        published,
        ..articles[1].text(now)
    };
    // The story's last report is 12 hours old: a day later is inside its window.
    assert_eq!(Some(clusterer.add(&again(1_001, now + 24 * 3600))), turkey);
    // Ten days later, the same words are a new earthquake.
    let later = clusterer.add(&again(1_002, now + 10 * 24 * 3600));
    assert_ne!(Some(later), turkey);
    assert_eq!(
        clusterer.story(later).map(|s| s.articles.clone()),
        Some(vec![1_002])
    );
    // So are words from before the story began by more than the window.
    let earlier = clusterer.add(&again(1_003, now - 40 * 3600 - 37 * 3600));
    assert_ne!(Some(earlier), turkey);
    assert_ne!(earlier, later);
}

#[test]
fn clustering_is_deterministic_whatever_the_input_order() {
    let (now, articles) = fixture::corpus();
    let texts = texts(now, &articles);
    let stories = |c: &Clusterer| c.stories().cloned().collect::<Vec<Story>>();
    let first = stories(&Clusterer::cluster_all(ClusterConfig::default(), &texts));
    let second = stories(&Clusterer::cluster_all(ClusterConfig::default(), &texts));
    assert_eq!(first, second);
    let mut shuffled = texts.clone();
    shuffled.reverse();
    shuffled.rotate_left(37);
    for i in (1..shuffled.len()).step_by(3) {
        shuffled.swap(i, i / 2);
    }
    assert_ne!(
        shuffled.iter().map(|a| a.id).collect::<Vec<_>>(),
        texts.iter().map(|a| a.id).collect::<Vec<_>>()
    );
    let from_shuffled = stories(&Clusterer::cluster_all(ClusterConfig::default(), &shuffled));
    assert_eq!(first, from_shuffled);
    assert_eq!(stories(&online(&texts)), stories(&online(&shuffled)));
}

#[test]
fn adding_a_held_id_again_changes_nothing() {
    let (now, articles) = fixture::corpus();
    let texts = texts(now, &articles);
    let mut clusterer = Clusterer::cluster_all(ClusterConfig::default(), &texts);
    let before: Vec<Story> = clusterer.stories().cloned().collect();
    let sizes = clusterer.sizes();
    let impostor = StoryText { id: 9, ..texts[40] };
    assert_eq!(Some(clusterer.add(&impostor)), clusterer.story_of(9));
    assert_eq!(clusterer.stories().cloned().collect::<Vec<_>>(), before);
    assert_eq!(clusterer.sizes(), sizes);
    // In a batch the first by publication time counts.
    let mut doubled = texts.clone();
    doubled.push(StoryText {
        published: now + 3600,
        ..impostor
    });
    let batch = Clusterer::cluster_all(ClusterConfig::default(), &doubled);
    assert_eq!(batch.stories().cloned().collect::<Vec<_>>(), before);
}

/// The words of a title and summary that the clusterer takes as names, as stemmed.
fn names_in(title: &str, summary: &str) -> Vec<String> {
    let mut clusterer = Clusterer::new(ClusterConfig::default());
    let (counts, written) = clusterer.term_counts(&StoryText {
        id: 1,
        country: "USA",
        published: 0,
        title,
        summary,
        sentence: None,
    });
    let mut names: Vec<String> = clusterer
        .terms
        .iter()
        .filter(|&(_, &term)| {
            let at = counts.iter().position(|&(t, _)| t == term);
            at.is_some_and(|at| written[at] & super::NAMED != 0)
        })
        .map(|(word, _)| word.clone())
        .collect();
    names.sort();
    names
}

#[test]
fn months_and_weekdays_are_never_names() {
    assert_eq!(
        names_in(
            "Talks resume in Geneva on Monday",
            "Delegates first met there in March."
        ),
        ["geneva"]
    );
}

#[test]
fn titles_and_market_terms_in_capitals_are_never_names() {
    assert_eq!(
        names_in(
            "Acme names new CEO ahead of IPO",
            "The board in Ohio chose its CFO."
        ),
        ["ohio"]
    );
}
