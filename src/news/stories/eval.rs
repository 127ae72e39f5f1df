//! Scores the story clustering against labelled news: JSON lines of articles with the story
//! an editor (or an aggregator) filed each under, clustered as the app does, and B-cubed and
//! pairwise precision, recall and F1 out. `newsglobe stories --eval FILE` prints them; the
//! tests hold the figures on real labelled headlines (`tests/fixtures/stories/uci-2014`).
//!
//! Three orders, since the app meets articles in more than one: the whole set at once
//! ([`Clusterer::cluster_all`], as at start), one by one in the file's order (as feeds
//! deliver them, merging after every [`MERGE_EVERY`](super::MERGE_EVERY) as after a refresh),
//! and one by one in [`SHUFFLES`] shuffled orders (fixed seeds), their scores' mean and F1's
//! range.
//!
//! A file's order is only as good as its timestamps. The aggregator's set in the tests gives
//! each story's reports one crawl time, so in time order every story comes whole, one after
//! another, which no feed reader meets and which flatters one-pass clustering: there only the
//! shuffled orders interleave stories as feeds do. [`Evaluation::runs`] counts how the file's
//! order groups its stories, and the command says when it keeps them together.

use serde::Deserialize;

use super::super::sentences::{self, SentenceError, SentenceModel};
use super::quality::{Scores, bcubed, pairwise};
use super::{ClusterConfig, Clusterer, StoryId, StoryText};

/// How many shuffled orders are scored; their mean is the figure, as one order's can be lucky
/// or not by a few hundredths.
pub const SHUFFLES: u64 = 9;

/// The most labelled articles one evaluation reads: far beyond any public set's size here,
/// and a bound on what a wrong file can cost.
pub const MAX_ARTICLES: usize = 1_000_000;

/// One labelled article, a line of the file. Fields beyond these are ignored.
#[derive(Clone, Debug, Deserialize)]
pub struct Labelled {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// Unix seconds.
    pub published: i64,
    #[serde(default)]
    pub outlet: String,
    /// `ADM0_A3`, where known.
    #[serde(default)]
    pub country: Option<String>,
    /// The story's label: articles with the same one are about the same story.
    pub story: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EvalError {
    #[error("line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("more than {MAX_ARTICLES} labelled articles")]
    TooMany,
    #[error("no labelled articles")]
    Empty,
}

/// Reads JSON lines of [`Labelled`] articles; blank lines are skipped, and the first bad
/// line is reported with its number.
pub fn read_labelled(text: &str) -> Result<Vec<Labelled>, EvalError> {
    let mut articles = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if articles.len() == MAX_ARTICLES {
            return Err(EvalError::TooMany);
        }
        let article = serde_json::from_str(line).map_err(|e| EvalError::Line {
            line: n + 1,
            reason: e.to_string(),
        })?;
        articles.push(article);
    }
    if articles.is_empty() {
        return Err(EvalError::Empty);
    }
    Ok(articles)
}

/// How one clustering of the set scored.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Run {
    pub bcubed: Scores,
    pub pairwise: Scores,
    /// Stories of more than one article that the clustering made.
    pub stories: usize,
}

/// The scores in each order, with the set's size.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evaluation {
    pub articles: usize,
    /// Labels with more than one article.
    pub labelled_stories: usize,
    /// Runs of articles with one label in the file's order, counting only the labelled
    /// stories' articles: as many as those stories when each comes whole, near their
    /// article count when stories interleave.
    pub runs: usize,
    pub batch: Run,
    /// One by one in the file's order.
    pub file_order: Run,
    /// The mean of the [`SHUFFLES`] shuffled orders' scores.
    pub shuffled: Run,
    /// The least and the greatest B-cubed F1 of the shuffled orders.
    pub shuffled_range: (f64, f64),
}

impl Evaluation {
    /// Whether the file's order keeps each story's reports together (at most twice as many
    /// runs as labelled stories), so that only the shuffled orders show stories arriving
    /// interleaved.
    pub fn grouped(&self) -> bool {
        self.runs <= 2 * self.labelled_stories
    }
}

/// Clusters `articles` three ways with `config` and scores each against their labels; with
/// `sentences`, one embedding an article in order ([`embed`]), the clustering reads them
/// beside the words as the app does where it has the model.
pub fn evaluate(
    articles: &[Labelled],
    sentences: Option<&[Vec<f32>]>,
    config: &ClusterConfig,
) -> Evaluation {
    let texts: Vec<StoryText> = articles
        .iter()
        .enumerate()
        .map(|(id, a)| StoryText {
            id: id as i64,
            country: a.country.as_deref().unwrap_or(""),
            published: a.published,
            title: &a.title,
            summary: &a.summary,
            sentence: sentences.and_then(|s| s.get(id)).map(Vec::as_slice),
        })
        .collect();
    let truth: Vec<(i64, &str)> = articles
        .iter()
        .enumerate()
        .map(|(id, a)| (id as i64, a.story.as_str()))
        .collect();
    let batch = Clusterer::cluster_all(config.clone(), &texts);
    let one_by_one = |order: &[usize]| {
        let mut clusterer = Clusterer::new(config.clone());
        clusterer.add_arriving(order.iter().map(|&i| &texts[i]));
        clusterer
    };
    let file_order: Vec<usize> = (0..texts.len()).collect();
    let shuffled: Vec<Run> = (0..SHUFFLES)
        .map(|k| {
            let order = shuffle(file_order.clone(), 0x5eed + k);
            score(&truth, &one_by_one(&order), texts.len())
        })
        .collect();
    let f1s = shuffled.iter().map(|run| run.bcubed.f1);
    let mut labels: std::collections::HashMap<&str, usize> = Default::default();
    for (_, label) in &truth {
        *labels.entry(label).or_default() += 1;
    }
    let in_stories: Vec<&str> = truth
        .iter()
        .map(|&(_, label)| label)
        .filter(|label| labels[label] > 1)
        .collect();
    Evaluation {
        articles: articles.len(),
        labelled_stories: labels.values().filter(|&&n| n > 1).count(),
        runs: in_stories.chunk_by(|a, b| a == b).count(),
        batch: score(&truth, &batch, texts.len()),
        file_order: score(&truth, &one_by_one(&file_order), texts.len()),
        shuffled_range: (
            f1s.clone().fold(f64::INFINITY, f64::min),
            f1s.fold(f64::NEG_INFINITY, f64::max),
        ),
        shuffled: mean(&shuffled),
    }
}

/// The embedding of each article's title and summary, in order, as the app's ingest makes
/// them.
pub fn embed(articles: &[Labelled], model: &SentenceModel) -> Result<Vec<Vec<f32>>, SentenceError> {
    let texts: Vec<String> = articles
        .iter()
        .map(|a| sentences::article_text(&a.title, &a.summary))
        .collect();
    model.embed(&texts.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Each score's mean over `runs`.
fn mean(runs: &[Run]) -> Run {
    let n = runs.len().max(1) as f64;
    let scores = |pick: fn(&Run) -> Scores| Scores {
        precision: runs.iter().map(|r| pick(r).precision).sum::<f64>() / n,
        recall: runs.iter().map(|r| pick(r).recall).sum::<f64>() / n,
        f1: runs.iter().map(|r| pick(r).f1).sum::<f64>() / n,
    };
    Run {
        bcubed: scores(|r| r.bcubed),
        pairwise: scores(|r| r.pairwise),
        stories: (runs.iter().map(|r| r.stories).sum::<usize>() as f64 / n).round() as usize,
    }
}

fn score(truth: &[(i64, &str)], clusterer: &Clusterer, articles: usize) -> Run {
    let predicted: Vec<(i64, StoryId)> = (0..articles as i64)
        .filter_map(|id| Some((id, clusterer.story_of(id)?)))
        .collect();
    Run {
        bcubed: bcubed(truth, &predicted),
        pairwise: pairwise(truth, &predicted),
        stories: clusterer.stories().filter(|s| s.articles.len() > 1).count(),
    }
}

/// A Fisher–Yates shuffle driven by a xorshift generator: the same order for the same seed
/// on every machine, without a dependency.
fn shuffle(mut order: Vec<usize>, seed: u64) -> Vec<usize> {
    let mut state = seed.max(1);
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;

    fn line(title: &str, hours: i64, story: &str) -> String {
        serde_json::json!({
            "title": title, "published": 1_700_000_000 + hours * HOUR, "story": story,
            "outlet": "Daily", "country": "GBR", "language": "en",
        })
        .to_string()
    }

    #[test]
    fn two_clear_stories_score_one_in_every_order() {
        let text = [
            line("Volcano erupts near Reykjavik, flights grounded", 0, "v"),
            line("Reykjavik volcano eruption grounds Iceland flights", 1, "v"),
            line("Icelandic volcano near Reykjavik erupts again", 2, "v"),
            line(
                "Central bank raises interest rates to curb inflation",
                0,
                "r",
            ),
            line(
                "Interest rates raised by central bank amid inflation",
                1,
                "r",
            ),
        ]
        .join("\n");
        let articles = read_labelled(&text).unwrap();
        let evaluation = evaluate(&articles, None, &ClusterConfig::default());
        assert_eq!((evaluation.articles, evaluation.labelled_stories), (5, 2));
        // v v v r r in the file: two runs, each story whole.
        assert_eq!(evaluation.runs, 2);
        assert!(evaluation.grouped());
        assert_eq!(evaluation.shuffled_range, (1.0, 1.0));
        for run in [evaluation.batch, evaluation.file_order, evaluation.shuffled] {
            assert_eq!(run.bcubed.f1, 1.0, "{run:?}");
            assert_eq!(run.pairwise.f1, 1.0, "{run:?}");
            assert_eq!(run.stories, 2);
        }
    }

    #[test]
    fn interleaved_stories_are_not_grouped() {
        let text = (0..6)
            .map(|i| {
                let (title, story) = if i % 2 == 0 {
                    ("Volcano erupts near Reykjavik", "v")
                } else {
                    ("Central bank raises interest rates", "r")
                };
                line(title, i, story)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let evaluation = evaluate(
            &read_labelled(&text).unwrap(),
            None,
            &ClusterConfig::default(),
        );
        assert_eq!(evaluation.runs, 6);
        assert!(!evaluation.grouped());
        // Articles alone under their label neither make nor break a run.
        let with_singles = format!("{text}\n{}", line("Harbour wall rebuilt", 9, "h"));
        let evaluation = evaluate(
            &read_labelled(&with_singles).unwrap(),
            None,
            &ClusterConfig::default(),
        );
        assert_eq!(evaluation.runs, 6);
    }

    #[test]
    fn a_bad_line_is_named_by_its_number_and_an_empty_file_is_refused() {
        let text = format!("{}\n\n{{\"title\": \"No date\"}}\n", line("A", 0, "a"));
        match read_labelled(&text) {
            Err(EvalError::Line { line, reason }) => {
                assert_eq!(line, 3);
                assert!(reason.contains("published"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(read_labelled("\n \n").unwrap_err(), EvalError::Empty);
    }

    #[test]
    fn the_shuffled_figure_is_each_scores_mean() {
        let run = |precision, recall, f1, stories| Run {
            bcubed: Scores {
                precision,
                recall,
                f1,
            },
            pairwise: Scores {
                precision: recall,
                recall: precision,
                f1,
            },
            stories,
        };
        let mean = mean(&[run(1.0, 0.5, 0.6, 3), run(0.5, 0.25, 0.4, 4)]);
        assert_eq!(
            (mean.bcubed.precision, mean.bcubed.recall, mean.bcubed.f1),
            (0.75, 0.375, 0.5)
        );
        assert_eq!(
            (mean.pairwise.precision, mean.pairwise.recall),
            (0.375, 0.75)
        );
        assert_eq!(mean.stories, 4);
    }

    #[test]
    fn the_shuffle_is_a_fixed_permutation() {
        let order = shuffle((0..100).collect(), 7);
        assert_ne!(order, (0..100).collect::<Vec<_>>());
        assert_eq!(order, shuffle((0..100).collect(), 7));
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
    }
}
