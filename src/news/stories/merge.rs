//! Merging: stories that the one-pass clustering split, found again by their centroids.
//!
//! One pass over arriving articles splits a big running story whenever a report's words
//! match none of the story's parts well enough, and the parts then grow apart: on real
//! headlines with an aggregator's labels (`tests/fixtures/stories/uci-2014`) recall was 0.65
//! against a precision of 0.78. Comparing whole stories afterwards, as agglomerative
//! clustering merges clusters rather than points, joins parts whose centroids have grown
//! alike, which a single headline never showed: [`ClusterConfig::merge`](super::ClusterConfig::merge) says how alike.

use super::vector::{dense_dot, dot};
use super::{Clusterer, Entry, StoryId};

impl Clusterer {
    /// Merges every pair of stories whose centroids' cosine is at least
    /// [`ClusterConfig::merge`](super::ClusterConfig::merge), whose spans are within the window of each other and whose
    /// names do not disagree (as [`NAME_MISMATCH`](super::NAME_MISMATCH) keeps an article out
    /// of a story); the smaller joins the larger, or the older on a tie. The stories that took
    /// articles since the last merge are looked at in id order, and those that grew by merging
    /// are looked at again, until none merges. Returns how many stories went.
    pub fn merge_similar(&mut self) -> usize {
        let mut merged = 0;
        // Two stories that both kept their articles were compared at the last merge.
        let mut pending: Vec<StoryId> = std::mem::take(&mut self.grown).into_iter().collect();
        while !pending.is_empty() {
            let mut grown = Vec::new();
            for id in pending {
                let Some(best) = self.most_alike(id) else {
                    continue;
                };
                let size = |s: StoryId| self.stories.get(&s).map_or(0, |e| e.story.articles.len());
                let (into, from) = if size(best) > size(id) || (size(best) == size(id) && best < id)
                {
                    (best, id)
                } else {
                    (id, best)
                };
                self.absorb(into, from);
                grown.push(into);
                merged += 1;
            }
            grown.sort_unstable();
            grown.dedup();
            pending = grown;
        }
        merged
    }

    /// The story most like `id` that may merge with it, if any is alike enough: by
    /// [`ClusterConfig::sentence_merge`](super::ClusterConfig::sentence_merge) where both
    /// have embeddings, else by [`ClusterConfig::merge`](super::ClusterConfig::merge).
    fn most_alike(&self, id: StoryId) -> Option<StoryId> {
        let entry = self.stories.get(&id)?;
        if entry.norm <= 0.0 {
            return None;
        }
        let mut candidates = self.candidates(&entry.centroid);
        candidates.retain(|&other| other != id);
        let window = self.config.window;
        let story = &entry.story;
        let mut best: Option<(f32, StoryId)> = None;
        for other in candidates {
            let Some(o) = self.stories.get(&other) else {
                continue;
            };
            if o.norm <= 0.0
                || o.story.first > story.last.saturating_add(window)
                || o.story.last < story.first.saturating_sub(window)
                || !self.names_agree(entry, o)
            {
                continue;
            }
            let similarity = (dot(&entry.centroid, &o.centroid)
                + dense_dot(&entry.sentences, &o.sentences))
                / (entry.norm * o.norm);
            let threshold = if entry.sentences.is_empty() || o.sentences.is_empty() {
                self.config.merge
            } else {
                self.config.sentence_merge
            };
            if similarity >= threshold && best.is_none_or(|(s, _)| similarity > s) {
                best = Some((similarity, other));
            }
        }
        best.map(|(_, other)| other)
    }

    /// Whether two stories' names allow them to be one: each story's weightiest name is one
    /// the other uses too, where both have names. Sharing a name is not enough for whole
    /// stories: a report of the Bank of England's hold that mentions Japan would otherwise take
    /// the Bank of Japan's hike with it. What this keeps apart wrongly: a part whose
    /// weightiest name the other part never uses ("Iceland" against reports that name only
    /// "Reykjavik"). Asking less (the smaller story's weightiest name among the larger's
    /// three weightiest) scored 0.732 on the tuning half against this rule's 0.771.
    fn names_agree(&self, a: &Entry, b: &Entry) -> bool {
        let weightiest = |entry: &Entry| {
            entry
                .centroid
                .iter()
                .filter(|&&(term, _)| self.is_proper(term))
                .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)))
                .map(|&(term, _)| term)
        };
        let uses = |entry: &Entry, term: u32| {
            entry
                .centroid
                .binary_search_by_key(&term, |&(t, _)| t)
                .is_ok()
        };
        match (weightiest(a), weightiest(b)) {
            (Some(x), Some(y)) => uses(b, x) && uses(a, y),
            _ => true,
        }
    }

    /// Moves the articles of `from` into `into`, whose centroid, span, countries and
    /// headline then describe them all; `from` goes.
    fn absorb(&mut self, into: StoryId, from: StoryId) {
        let Some(gone) = self.stories.remove(&from) else {
            return;
        };
        for article in &gone.story.articles {
            if let Some(member) = self.articles.get_mut(article) {
                member.story = into;
            }
        }
        if let Some(entry) = self.stories.get_mut(&into) {
            entry.story.articles.extend(gone.story.articles);
        }
        self.rebuild(into);
        if let Some(entry) = self.stories.get(&into) {
            for &(term, _) in &entry.centroid {
                let posting = &mut self.postings[term as usize];
                if !posting.contains(&into) {
                    posting.push(into);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ClusterConfig, StoryText};
    use super::*;

    /// A clusterer that starts a story for every article (a joining threshold no pair
    /// reaches), so that only merging can put two together.
    fn apart(merge: f32, titles: &[&str]) -> Clusterer {
        let mut clusterer = Clusterer::new(ClusterConfig {
            threshold: 2.0,
            merge,
            ..ClusterConfig::default()
        });
        for (i, title) in titles.iter().enumerate() {
            clusterer.add(&StoryText {
                id: i as i64,
                country: "GBR",
                published: 1_700_000_000 + i as i64 * 600,
                title,
                summary: "",
                sentence: None,
            });
        }
        assert_eq!(clusterer.len(), titles.len(), "one story an article");
        clusterer
    }

    #[test]
    fn parts_of_one_story_merge_and_other_stories_stay_apart() {
        let mut clusterer = apart(
            0.25,
            &[
                "Volcano erupts in Iceland near Reykjavik, flights grounded",
                "Reykjavik volcano eruption grounds flights across Iceland",
                "Iceland volcano near Reykjavik erupts, flights cancelled",
                "Central bank raises interest rates to curb inflation",
                "Interest rates raised by central bank to fight inflation",
            ],
        );
        assert_eq!(clusterer.merge_similar(), 3);
        let story = |id| clusterer.story_of(id).unwrap();
        assert_eq!((story(0), story(1)), (story(2), story(2)));
        assert_eq!(story(3), story(4));
        assert_ne!(story(0), story(3));
        let merged = clusterer.story(story(0)).unwrap();
        assert_eq!(merged.articles.len(), 3);
        assert_eq!(merged.countries["GBR"], 3);
    }

    #[test]
    fn stories_whose_weightiest_names_differ_stay_apart_though_one_name_is_shared() {
        let mut clusterer = apart(
            0.01,
            &[
                "Rates held at the Bank of England as Bailey urges patience",
                "Bank of England keeps rates on hold, Bailey says cuts will be gradual",
                "Bank of England holds rates, England's Bailey eyes a slowing Japan",
                "Bank of Japan raises rates as Ueda signals more to come",
                "Ueda lifts rates at the Bank of Japan to a 30-year high",
            ],
        );
        clusterer.merge_similar();
        let story = |id| clusterer.story_of(id).unwrap();
        assert_eq!(story(0), story(1));
        assert_eq!(story(3), story(4));
        assert_ne!(story(0), story(3), "Japan alone does not make them one");
    }
}
