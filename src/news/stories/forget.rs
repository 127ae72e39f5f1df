//! Forgetting: a clusterer drops the articles published before a time, the stories left
//! with none and the words no held article uses, so that a kiosk that runs for days and
//! forgets as it goes keeps a flat footprint. How articles join stories is the parent
//! module's concern.

use super::vector::{dense_add, dense_dot, dot, merge};
use super::{Clusterer, LOWER, Member, NAMED, StoryId, Vector, headline};

impl Clusterer {
    /// Forgets every article published before `time`: a story left with none goes, and a
    /// story still running loses its old articles (its centroid, countries, span and
    /// headline then describe the rest), so memory follows the news since `time`, however
    /// long a story runs. Words no held article uses are forgotten too.
    pub fn forget_before(&mut self, time: i64) {
        let mut forgotten = Vec::new();
        let mut trimmed = Vec::new();
        for (&id, entry) in &mut self.stories {
            let articles = &self.articles;
            let (old, kept): (Vec<i64>, Vec<i64>) = entry
                .story
                .articles
                .iter()
                .partition(|a| articles.get(a).is_none_or(|m| m.published < time));
            if !old.is_empty() {
                forgotten.extend(old);
                entry.story.articles = kept;
                trimmed.push(id);
            }
        }
        if forgotten.is_empty() {
            return;
        }
        for id in &forgotten {
            if let Some(member) = self.articles.remove(id) {
                for (&(term, _), &written) in member.vector.iter().zip(&member.written) {
                    self.df[term as usize] -= 1;
                    self.named_df[term as usize] -= u32::from(written & NAMED != 0);
                    self.lower_df[term as usize] -= u32::from(written & LOWER != 0);
                }
                self.docs -= 1;
            }
        }
        for id in trimmed {
            if self
                .stories
                .get(&id)
                .is_some_and(|e| e.story.articles.is_empty())
            {
                self.stories.remove(&id);
            } else {
                // A story that lost its old reports may now be like another.
                self.rebuild(id);
                self.grown.insert(id);
            }
        }
        self.compact_terms();
    }

    /// Recomputes a story's centroid, countries, span and headline from the members it
    /// still has, in the order they joined.
    pub(super) fn rebuild(&mut self, id: StoryId) {
        let Some(entry) = self.stories.get_mut(&id) else {
            return;
        };
        let members: Vec<&Member> = entry
            .story
            .articles
            .iter()
            .filter_map(|a| self.articles.get(a))
            .collect();
        let mut centroid = Vec::new();
        let mut sentences = Vec::new();
        for member in &members {
            centroid = merge(&centroid, &member.vector).0;
            dense_add(&mut sentences, &member.sentence);
        }
        entry.centroid = centroid;
        entry.sentences = sentences;
        entry.norm = entry.length();
        let story = &mut entry.story;
        story.countries.clear();
        for member in &members {
            *story.countries.entry(member.country.clone()).or_default() += 1;
        }
        story.first = members
            .iter()
            .map(|m| m.published)
            .min()
            .unwrap_or(story.first);
        story.last = members
            .iter()
            .map(|m| m.published)
            .max()
            .unwrap_or(story.last);
        for a in &story.articles {
            if let Some(member) = self.articles.get_mut(a) {
                member.affinity = dot(&member.vector, &entry.centroid)
                    + dense_dot(&member.sentence, &entry.sentences);
            }
        }
        story.headline = headline(story, &self.articles);
    }

    /// Drops the words no held article uses and renumbers the rest in their old order, which
    /// keeps every vector sorted; the inverted index is rebuilt from the centroids.
    fn compact_terms(&mut self) {
        let mut renumbered = vec![u32::MAX; self.df.len()];
        let mut next = 0;
        for (old, &df) in self.df.iter().enumerate() {
            if df > 0 {
                renumbered[old] = next;
                next += 1;
            }
        }
        self.terms.retain(|_, term| {
            *term = renumbered[*term as usize];
            *term != u32::MAX
        });
        self.terms.shrink_to_fit();
        for counts in [&mut self.named_df, &mut self.lower_df] {
            let mut old = 0;
            counts.retain(|_| {
                old += 1;
                renumbered[old - 1] != u32::MAX
            });
            counts.shrink_to_fit();
        }
        self.df.retain(|&df| df > 0);
        self.df.shrink_to_fit();
        let remap = |vector: &mut Vector| {
            for (term, _) in vector.iter_mut() {
                *term = renumbered[*term as usize];
            }
        };
        self.articles
            .values_mut()
            .for_each(|m| remap(&mut m.vector));
        self.articles.shrink_to_fit();
        self.postings = vec![Vec::new(); self.df.len()];
        for (&id, entry) in &mut self.stories {
            remap(&mut entry.centroid);
            for &(term, _) in &entry.centroid {
                self.postings[term as usize].push(id);
            }
        }
    }
}

#[cfg(test)]
mod forget_before_tests {
    use super::super::*;

    #[test]
    fn forgetting_drops_old_articles_and_empty_stories() {
        let (now, articles) = fixture::corpus();
        let texts: Vec<StoryText> = articles.iter().map(|a| a.text(now)).collect();
        let mut clusterer = Clusterer::cluster_all(ClusterConfig::default(), &texts);
        let full = clusterer.sizes();
        let cutoff = now - 24 * 3600;
        clusterer.forget_before(cutoff);
        let recent = texts.iter().filter(|a| a.published >= cutoff).count();
        assert_eq!(clusterer.len(), recent);
        let trimmed = clusterer.sizes();
        assert!(
            trimmed.stories < full.stories && trimmed.terms < full.terms,
            "{trimmed:?}"
        );
        assert!(trimmed.postings < full.postings);
        for story in clusterer.stories() {
            assert!(story.first >= cutoff && !story.articles.is_empty());
            assert_eq!(
                story.countries.values().sum::<usize>(),
                story.articles.len()
            );
            assert!(story.articles.contains(&story.headline));
        }
        // The Kyiv story runs on without its first reports: 48 is its only recent article.
        let kyiv = clusterer.story_of(48).and_then(|id| clusterer.story(id));
        assert_eq!(kyiv.map(|s| s.articles.clone()), Some(vec![48]));
        assert_eq!(clusterer.story_of(41), None);
        clusterer.forget_before(now + 1);
        assert_eq!(clusterer.sizes(), Sizes::default());
        assert!(clusterer.is_empty());
    }

    #[test]
    fn what_remains_clusters_as_if_never_more_had_been_held() {
        let (now, articles) = fixture::corpus();
        let texts: Vec<StoryText> = articles.iter().map(|a| a.text(now)).collect();
        let mut clusterer = Clusterer::cluster_all(ClusterConfig::default(), &texts);
        clusterer.forget_before(now - 24 * 3600);
        // A new report of the Japanese earthquake still finds its story after the words of
        // forgotten articles were dropped and the rest renumbered.
        let japan = clusterer.story_of(15);
        let report = StoryText {
            id: 2_000,
            country: "NZL",
            published: now,
            title: "Japan lifts tsunami advisory after magnitude 7.1 quake off Miyagi",
            summary: "The Meteorological Agency said no further waves were expected along the coast.",
            sentence: None,
        };
        assert_eq!(Some(clusterer.add(&report)), japan);
    }

    /// One day of a synthetic stream: `stories` events, each with its own names, reported
    /// by `per_story` outlets.
    fn day(day: i64, stories: usize, per_story: usize) -> Vec<(i64, String, String)> {
        let mut out = Vec::new();
        for s in 0..stories {
            for k in 0..per_story {
                let id = day * 10_000 + (s * per_story + k) as i64;
                let title = format!(
                    "Officials in Zorvik{day}q{s} respond as crisis grows around Plenta{day}q{s}"
                );
                let summary = format!(
                    "Reporter{k} writes that Zorvik{day}q{s} and Plenta{day}q{s} face a \
                     difficult week; minister Quell{day}q{s} promised help."
                );
                out.push((id, title, summary));
            }
        }
        out
    }

    #[test]
    fn a_clusterer_that_forgets_as_it_goes_keeps_a_flat_footprint() {
        const DAY: i64 = 24 * 3600;
        let mut clusterer = Clusterer::new(ClusterConfig::default());
        let mut after_day = Vec::new();
        for d in 0..30 {
            for (n, (id, title, summary)) in day(d, 20, 5).iter().enumerate() {
                clusterer.add(&StoryText {
                    id: *id,
                    country: ["USA", "FRA", "JPN"][n % 3],
                    published: d * DAY + n as i64 * 60,
                    title,
                    summary,
                    sentence: None,
                });
            }
            clusterer.forget_before((d - 2) * DAY);
            after_day.push(clusterer.sizes());
        }
        // Each day's events are stories of their own, whatever the shared words.
        assert_eq!(after_day[4].stories, 3 * 20);
        assert_eq!(after_day[4], after_day[29], "{after_day:?}");
        assert_eq!(after_day[29].articles, 3 * 100);
    }
}
