//! How well the framing finds what sets one side's telling of a story apart, measured on
//! labelled real news: each article of a side's take is left out in turn, every side's terms
//! are found without it, and the terms are checked against it. A term that sets a side apart
//! turns up in that side's unseen articles far more often than in the other sides'; the
//! ratio of the two rates is its lift. The baseline is a word cloud's terms, each side's most
//! frequent, which turn up everywhere alike.

use super::{FramingConfig, MAX_TERMS, Phrase, Side, Totals, Vocabulary, distinctive, enough};

/// A side's articles are left out in turn when it has this many: with fewer, the one left
/// out leaves too few to find a framing in.
pub const MIN_TAKE: usize = 3;

/// One side's articles on one story: its name (`None` when unknown, which still counts as
/// another telling but is never measured) and its texts.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalSide<'a> {
    pub name: Option<&'a str>,
    pub texts: Vec<&'a str>,
}

/// How often one method's terms turn up in unseen articles of their own side and of others.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hits {
    /// Terms shown for the side of the article left out, and how many of them it uses.
    pub own_terms: usize,
    pub own_hits: usize,
    /// Terms shown for the other measured sides, and how many of them it uses.
    pub other_terms: usize,
    pub other_hits: usize,
}

impl Hits {
    /// The share of a side's terms that an unseen article of the side uses.
    pub fn own_rate(&self) -> f64 {
        self.own_hits as f64 / self.own_terms.max(1) as f64
    }

    /// The share of a side's terms that an unseen article of another side uses.
    pub fn other_rate(&self) -> f64 {
        self.other_hits as f64 / self.other_terms.max(1) as f64
    }

    /// How many times more often a side's terms turn up in its own articles than in others'.
    pub fn lift(&self) -> f64 {
        self.own_rate() / self.other_rate().max(1e-9)
    }
}

/// What the leaving out came to.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Measured {
    /// Articles left out, over the stories with two sides of [`MIN_TAKE`] or more.
    pub articles: usize,
    /// How often the framing showed a side any term at all, of `shown_of` times asked.
    pub shown: usize,
    pub shown_of: usize,
    pub framing: Hits,
    /// Each side's most frequent terms, as many as the framing showed it (a word cloud).
    pub frequent: Hits,
}

/// Leaves out each article of every side of [`MIN_TAKE`] or more in turn, in every story with
/// two such sides, and checks each such side's framing and frequent terms against it.
pub fn measure(stories: &[Vec<EvalSide>], config: &FramingConfig) -> Measured {
    let mut result = Measured::default();
    let mut seen: Vec<Phrase> = Vec::new();
    for story in stories {
        let measured: Vec<usize> = (0..story.len())
            .filter(|&i| story[i].name.is_some() && story[i].texts.len() >= MIN_TAKE)
            .collect();
        if measured.len() < 2 {
            continue;
        }
        let mut vocabulary = Vocabulary::default();
        let sides: Vec<Side> = story
            .iter()
            .map(|s| Side::count(&s.texts, &mut vocabulary))
            .collect();
        let totals = Totals::of(&sides);
        let all_words: usize = sides.iter().map(|s| s.words).sum();
        for &side in &measured {
            for text in &story[side].texts {
                let words = vocabulary.phrases(text, &mut seen);
                let (without, totals) = leave_out(&sides[side], &totals, &seen, words);
                let all_words = all_words - words;
                result.articles += 1;
                for &other in &measured {
                    let counted = if other == side {
                        &without
                    } else {
                        &sides[other]
                    };
                    // As the app shows it: a side with too little text shows no terms.
                    let framing: Vec<Phrase> = if enough(counted, all_words - counted.words) {
                        distinctive(counted, &totals, config)
                            .into_iter()
                            .map(|(phrase, ..)| phrase)
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let frequent = most_frequent(counted, framing.len());
                    result.shown_of += 1;
                    result.shown += usize::from(!framing.is_empty());
                    for (terms, hits) in [
                        (&framing, &mut result.framing),
                        (&frequent, &mut result.frequent),
                    ] {
                        let used = terms
                            .iter()
                            .filter(|p| seen.binary_search(p).is_ok())
                            .count();
                        if other == side {
                            hits.own_terms += terms.len();
                            hits.own_hits += used;
                        } else {
                            hits.other_terms += terms.len();
                            hits.other_hits += used;
                        }
                    }
                }
            }
        }
    }
    result
}

/// A side and the totals without one of its articles, whose phrases are `phrases` and whose
/// count of words is `words`.
fn leave_out(side: &Side, totals: &Totals, phrases: &[Phrase], words: usize) -> (Side, Totals) {
    let (mut side, mut totals) = (side.clone(), totals.clone());
    for phrase in phrases {
        for counts in [&mut side.counts, &mut totals.counts] {
            if let Some(n) = counts.get_mut(phrase) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(phrase);
                }
            }
        }
        totals.all -= 1.0;
    }
    side.articles -= 1;
    side.words -= words;
    (side, totals)
}

/// A word cloud's terms: the `n` phrases in most of the side's articles, at least two.
fn most_frequent(side: &Side, n: usize) -> Vec<Phrase> {
    let mut frequent: Vec<(Phrase, u32)> = side
        .counts
        .iter()
        .filter(|&(_, &n)| n >= 2)
        .map(|(p, &n)| (*p, n))
        .collect();
    frequent.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    frequent
        .into_iter()
        .take(n.min(MAX_TERMS))
        .map(|(p, _)| p)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side<'a>(name: &'a str, texts: &[&'a str]) -> EvalSide<'a> {
        EvalSide {
            name: Some(name),
            texts: texts.to_vec(),
        }
    }

    #[test]
    fn each_sides_own_words_turn_up_in_its_unseen_articles_and_not_in_others() {
        let story = vec![
            side(
                "RUS",
                &[
                    "Special military operation advances near Bakhmut",
                    "Special military operation: Bakhmut front holds",
                    "Bakhmut: special military operation goals met",
                    "Defence ministry on the special military operation at Bakhmut",
                ],
            ),
            side(
                "UKR",
                &[
                    "Invasion: civilians flee Bakhmut shelling",
                    "Civilians killed in Bakhmut as invasion goes on",
                    "Bakhmut civilians shelter from the invasion",
                    "Invasion forces shell Bakhmut civilians again",
                ],
            ),
            EvalSide {
                name: None,
                texts: vec!["Bakhmut fighting goes on", "Fighting near Bakhmut"],
            },
        ];
        let found = measure(&[story], &FramingConfig::default());
        assert_eq!((found.articles, found.shown_of), (8, 16));
        assert_eq!(found.shown, 16, "{found:?}");
        assert!(found.framing.own_rate() > 0.5, "{found:?}");
        assert_eq!(found.framing.other_hits, 0, "{found:?}");
        // "Bakhmut" is every side's most frequent word: a word cloud's terms turn up on
        // the other side too.
        assert!(found.frequent.other_rate() > 0.0, "{found:?}");
        assert!(found.framing.lift() > found.frequent.lift());
    }

    #[test]
    fn a_story_without_two_sides_to_tell_apart_is_skipped() {
        let story = vec![
            side("RUS", &["a b c", "d e f", "g h i"]),
            side("UKR", &["a b c", "d e f"]),
        ];
        assert_eq!(
            measure(&[story], &FramingConfig::default()),
            Measured::default()
        );
    }
}
