//! Scores of a clustering against an editor's labels, for tests and tuning.
//!
//! Both take the truth as (article id, label) and the clustering as (article id, story); an
//! article missing from the clustering counts as a story of its own, and articles without a
//! label are left out.

use std::collections::{BTreeMap, HashMap};

use super::StoryId;

/// Where a labelled article was put.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cluster {
    Story(StoryId),
    Alone(i64),
}

/// Counts of articles by (label, cluster), by label and by cluster.
struct Contingency<'a> {
    joint: BTreeMap<(&'a str, Cluster), usize>,
    labels: BTreeMap<&'a str, usize>,
    clusters: BTreeMap<Cluster, usize>,
    items: usize,
}

fn contingency<'a>(truth: &[(i64, &'a str)], predicted: &[(i64, StoryId)]) -> Contingency<'a> {
    let story: HashMap<i64, StoryId> = predicted.iter().copied().collect();
    let mut table = Contingency {
        joint: BTreeMap::new(),
        labels: BTreeMap::new(),
        clusters: BTreeMap::new(),
        items: truth.len(),
    };
    for &(id, label) in truth {
        let cluster = story
            .get(&id)
            .map_or(Cluster::Alone(id), |&s| Cluster::Story(s));
        *table.joint.entry((label, cluster)).or_default() += 1;
        *table.labels.entry(label).or_default() += 1;
        *table.clusters.entry(cluster).or_default() += 1;
    }
    table
}

/// A clustering's precision, recall and their harmonic mean.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Scores {
    fn of(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Self {
            precision,
            recall,
            f1,
        }
    }
}

/// B-cubed F1 (Bagga and Baldwin 1998), the clustering score Amigó et al. (2009) found to
/// satisfy all their formal constraints: each article's precision is the share of its
/// story that has its label, its recall the share of its label that is in its story;
/// both are averaged over articles. 1.0 for no articles.
pub fn bcubed_f1(truth: &[(i64, &str)], predicted: &[(i64, StoryId)]) -> f64 {
    bcubed(truth, predicted).f1
}

/// B-cubed precision, recall and F1: see [`bcubed_f1`].
pub fn bcubed(truth: &[(i64, &str)], predicted: &[(i64, StoryId)]) -> Scores {
    let table = contingency(truth, predicted);
    if table.items == 0 {
        return Scores::of(1.0, 1.0);
    }
    let (mut precision, mut recall) = (0.0, 0.0);
    for (&(label, cluster), &n) in &table.joint {
        let n = n as f64;
        precision += n * n / table.clusters[&cluster] as f64;
        recall += n * n / table.labels[label] as f64;
    }
    let items = table.items as f64;
    Scores::of(precision / items, recall / items)
}

/// Pairwise F1: precision is the share of article pairs put in one story that share a
/// label, recall the share of pairs sharing a label that were put in one story. With no
/// pairs on a side, that side's score is 1.0 (nothing claimed, nothing missed).
pub fn pairwise_f1(truth: &[(i64, &str)], predicted: &[(i64, StoryId)]) -> f64 {
    pairwise(truth, predicted).f1
}

/// Pairwise precision, recall and F1: see [`pairwise_f1`].
pub fn pairwise(truth: &[(i64, &str)], predicted: &[(i64, StoryId)]) -> Scores {
    let table = contingency(truth, predicted);
    let pairs = |n: usize| (n * n.saturating_sub(1) / 2) as f64;
    let together: f64 = table.joint.values().map(|&n| pairs(n)).sum();
    let claimed: f64 = table.clusters.values().map(|&n| pairs(n)).sum();
    let labelled: f64 = table.labels.values().map(|&n| pairs(n)).sum();
    let precision = if claimed > 0.0 {
        together / claimed
    } else {
        1.0
    };
    let recall = if labelled > 0.0 {
        together / labelled
    } else {
        1.0
    };
    Scores::of(precision, recall)
}

#[cfg(test)]
mod bcubed_f1_tests {
    use super::*;

    const TRUTH: [(i64, &str); 4] = [(1, "a"), (2, "a"), (3, "b"), (4, "b")];

    #[test]
    fn perfect_clustering_scores_one() {
        assert_eq!(bcubed_f1(&TRUTH, &[(1, 7), (2, 7), (3, 9), (4, 9)]), 1.0);
        assert_eq!(bcubed_f1(&[], &[]), 1.0);
    }

    #[test]
    fn one_story_for_everything_has_full_recall_half_precision() {
        // Every article's story is half its label: P = 1/2, R = 1, F1 = 2/3.
        let f = bcubed_f1(&TRUTH, &[(1, 0), (2, 0), (3, 0), (4, 0)]);
        assert!((f - 2.0 / 3.0).abs() < 1e-12, "{f}");
    }

    #[test]
    fn all_singletons_have_full_precision_half_recall() {
        // Missing from the clustering is a story of one: P = 1, R = 1/2, F1 = 2/3.
        let f = bcubed_f1(&TRUTH, &[]);
        assert!((f - 2.0 / 3.0).abs() < 1e-12, "{f}");
    }

    #[test]
    fn one_misplaced_article() {
        // Stories {1, 2, 3} and {4}. Precision: 2/3, 2/3, 1/3, 1 → 2/3.
        // Recall: 1, 1, 1/2, 1/2 → 3/4. F1 = 2 · (2/3 · 3/4) / (2/3 + 3/4) = 12/17.
        let scores = bcubed(&TRUTH, &[(1, 0), (2, 0), (3, 0), (4, 1)]);
        assert!((scores.precision - 2.0 / 3.0).abs() < 1e-12, "{scores:?}");
        assert!((scores.recall - 3.0 / 4.0).abs() < 1e-12, "{scores:?}");
        assert!((scores.f1 - 12.0 / 17.0).abs() < 1e-12, "{scores:?}");
    }
}

#[cfg(test)]
mod pairwise_f1_tests {
    use super::*;

    const TRUTH: [(i64, &str); 4] = [(1, "a"), (2, "a"), (3, "b"), (4, "b")];

    #[test]
    fn perfect_clustering_scores_one() {
        assert_eq!(pairwise_f1(&TRUTH, &[(1, 7), (2, 7), (3, 9), (4, 9)]), 1.0);
    }

    #[test]
    fn one_story_for_everything() {
        // 6 pairs claimed, 2 of them right, both labelled pairs found: P = 1/3, R = 1,
        // F1 = 1/2.
        let f = pairwise_f1(&TRUTH, &[(1, 0), (2, 0), (3, 0), (4, 0)]);
        assert!((f - 0.5).abs() < 1e-12, "{f}");
    }

    #[test]
    fn all_singletons_find_no_pair() {
        assert_eq!(pairwise_f1(&TRUTH, &[]), 0.0);
        // Nothing to find and nothing claimed is perfect.
        assert_eq!(pairwise_f1(&[(1, "a"), (2, "b")], &[(1, 0), (2, 1)]), 1.0);
    }

    #[test]
    fn one_misplaced_article() {
        // Claimed pairs 1-2, 1-3, 2-3: one right (P = 1/3); of 1-2 and 3-4 one found
        // (R = 1/2). F1 = 2/5.
        let scores = pairwise(&TRUTH, &[(1, 0), (2, 0), (3, 0), (4, 1)]);
        assert!((scores.precision - 1.0 / 3.0).abs() < 1e-12, "{scores:?}");
        assert!((scores.recall - 0.5).abs() < 1e-12, "{scores:?}");
        assert!((scores.f1 - 0.4).abs() < 1e-12, "{scores:?}");
    }
}
