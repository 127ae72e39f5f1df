//! What sets each side's telling of one story apart from the others': the words and short
//! phrases its articles use that the other sides' articles do not, scored by the weighted
//! log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
//! "Fightin' Words", their eq. 22).
//!
//! The prior is the story's own pooled counts, so a word every side uses (the place, the
//! event) is shrunk toward no difference, while one side's word that the others never use
//! stands out once it recurs. A side of one article, or of a handful of words, cannot show a
//! framing: one headline's wording is chance. Such a side says so ([`Framing::TooLittle`])
//! instead of showing noise. Input is English text (translated or written in it), untrusted
//! and read only to a bound; nothing here knows about countries or stories.

use std::collections::HashMap;

use super::words::{self, MAX_WORD_CHARS};

pub mod eval;

/// How much of each article is read: its headline and the summary's first sentences.
const ARTICLE_CHARS: usize = 1_000;
/// The longest phrase counted, as in "special military operation".
const MAX_PHRASE: usize = 3;
/// A side needs this many articles and this many words before its wording can tell anything;
/// the other sides together need as many words.
const MIN_ARTICLES: usize = 2;
const MIN_WORDS: usize = 12;
/// A term must be in this many of the side's articles: one article's wording is chance.
const MIN_TERM_ARTICLES: u32 = 2;
/// A longer phrase replaces a shorter one it contains when it is in at least this share of
/// the shorter one's articles: "military operation" is the same finding as "special military
/// operation" when nearly all its uses are in it.
const PHRASE_SHARE: f32 = 0.8;

/// What ends a phrase between two words.
const PHRASE_BREAKS: &[char] = &[
    ',', '.', ';', ':', '!', '?', '(', ')', '[', ']', '"', '“', '”', '—', '–', '|', '/',
];

/// The most terms a side shows.
pub const MAX_TERMS: usize = 6;

/// How strong the prior is and how distinctive a term must be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FramingConfig {
    /// The prior's strength α₀ as a share of the story's own count of terms, spread over the
    /// terms by their pooled frequencies: a story of any size is shrunk alike.
    pub prior: f32,
    /// The z-score a term needs. Monroe et al.'s variance is for large corpora and is
    /// cautious on a story's few dozen articles: a phrase in three articles of one side and
    /// none of the others' scores about 1, so the 1.96 of a 5% test would show nothing on
    /// most stories.
    pub min_z: f32,
    /// The share of the side's articles a term must be in: a word in two of sixty articles
    /// is not how the side tells the story, however rare elsewhere.
    pub min_share: f32,
}

impl Default for FramingConfig {
    /// Chosen on the tuning half of real headlines (see [`eval`] and the README's "How each
    /// country tells it").
    fn default() -> Self {
        Self {
            prior: 0.2,
            min_z: 0.5,
            min_share: 0.3,
        }
    }
}

/// A word or phrase that sets a side apart.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Term {
    pub text: String,
    /// The log-odds ratio over its standard deviation: how far it sets the side apart.
    pub z: f32,
    /// How many of the side's articles use it.
    pub articles: u32,
}

/// What one side's wording shows.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Framing {
    /// The terms that set it apart, the most distinctive first.
    Terms { terms: Vec<Term> },
    /// Too few articles or words on this side, or on the other sides together, for any word
    /// to stand out from chance.
    TooLittle { articles: usize, words: usize },
    /// Enough text, and no word in it stands apart from the other sides'.
    Alike,
}

impl Framing {
    /// The terms, when there are any.
    pub fn terms(&self) -> &[Term] {
        match self {
            Framing::Terms { terms } => terms,
            _ => &[],
        }
    }
}

/// The framing of each side (a list of its articles' texts) against all the others, in the
/// order given.
pub fn framings(sides: &[Vec<&str>]) -> Vec<Framing> {
    let config = FramingConfig::default();
    let mut vocabulary = Vocabulary::default();
    let counted: Vec<Side> = sides
        .iter()
        .map(|texts| Side::count(texts, &mut vocabulary))
        .collect();
    let totals = Totals::of(&counted);
    let all_words: usize = counted.iter().map(|s| s.words).sum();
    counted
        .iter()
        .map(|side| {
            if !enough(side, all_words - side.words) {
                return Framing::TooLittle {
                    articles: side.articles,
                    words: side.words,
                };
            }
            let terms: Vec<Term> = distinctive(side, &totals, &config)
                .into_iter()
                .map(|(phrase, z, articles)| Term {
                    text: vocabulary.show(&phrase),
                    z,
                    articles,
                })
                .collect();
            if terms.is_empty() {
                Framing::Alike
            } else {
                Framing::Terms { terms }
            }
        })
        .collect()
}

/// Whether a side has text enough, and the other sides `other_words` enough, for its
/// wording to tell anything.
fn enough(side: &Side, other_words: usize) -> bool {
    side.articles >= MIN_ARTICLES && side.words >= MIN_WORDS && other_words >= MIN_WORDS
}

/// Up to three word ids, unused places `NONE`.
type Phrase = [u32; MAX_PHRASE];
const NONE: u32 = u32::MAX;

fn phrase_len(phrase: &Phrase) -> usize {
    phrase.iter().take_while(|&&w| w != NONE).count()
}

/// Whether `inner`'s words run unbroken inside `outer`.
fn contains(outer: &Phrase, inner: &Phrase) -> bool {
    let (outer, inner) = (&outer[..phrase_len(outer)], &inner[..phrase_len(inner)]);
    inner.len() <= outer.len() && outer.windows(inner.len()).any(|w| w == inner)
}

/// Every side's phrases together.
#[derive(Clone)]
struct Totals {
    counts: HashMap<Phrase, u32>,
    all: f32,
}

impl Totals {
    fn of(sides: &[Side]) -> Self {
        let mut counts: HashMap<Phrase, u32> = HashMap::new();
        for side in sides {
            for (phrase, n) in &side.counts {
                *counts.entry(*phrase).or_default() += n;
            }
        }
        let all = counts.values().map(|&n| n as f32).sum();
        Self { counts, all }
    }
}

/// One side's phrases, each counted once per article that has it.
#[derive(Clone)]
struct Side {
    counts: HashMap<Phrase, u32>,
    articles: usize,
    /// Content words in all, repeats included.
    words: usize,
}

impl Side {
    fn count(texts: &[&str], vocabulary: &mut Vocabulary) -> Self {
        let mut counts: HashMap<Phrase, u32> = HashMap::new();
        let mut words = 0;
        let mut seen: Vec<Phrase> = Vec::new();
        for text in texts {
            words += vocabulary.phrases(text, &mut seen);
            for phrase in &seen {
                *counts.entry(*phrase).or_default() += 1;
            }
        }
        Side {
            counts,
            articles: texts.len(),
            words,
        }
    }
}

/// A side's terms: each phrase in enough of its articles, scored against the other sides,
/// the significant ones kept, a phrase standing for the shorter ones it nearly always holds;
/// each with its z-score and its count of articles.
fn distinctive(side: &Side, totals: &Totals, config: &FramingConfig) -> Vec<(Phrase, f32, u32)> {
    let mine: f32 = side.counts.values().map(|&n| n as f32).sum();
    let theirs = totals.all - mine;
    let prior = config.prior * totals.all;
    let score = |phrase: &Phrase, n: u32| {
        let total = totals.counts[phrase] as f32;
        let odds = LogOdds {
            mine: n as f32,
            n_mine: mine,
            theirs: total - n as f32,
            n_theirs: theirs,
        };
        odds.z(prior, prior * total / totals.all)
    };
    // A phrase must begin and end with words that set the side apart on their own: "Kakhovka
    // dam breach" is the finding "breach" padded with what every side says, while "special
    // military operation" holds, whatever "military" alone scores.
    let stands_apart = |id: u32| {
        let word = [id, NONE, NONE];
        side.counts
            .get(&word)
            .is_some_and(|&n| score(&word, n) >= config.min_z)
    };
    let mut scored: Vec<(Phrase, f32, u32)> = side
        .counts
        .iter()
        .filter(|&(phrase, &n)| {
            let len = phrase_len(phrase);
            n >= MIN_TERM_ARTICLES
                && n as f32 >= config.min_share * side.articles as f32
                && (len == 1 || (stands_apart(phrase[0]) && stands_apart(phrase[len - 1])))
        })
        .map(|(phrase, &n)| (*phrase, score(phrase, n), n))
        .filter(|&(_, z, _)| z >= config.min_z)
        .collect();
    scored.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| phrase_len(&b.0).cmp(&phrase_len(&a.0)))
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut chosen: Vec<(Phrase, f32, u32)> = Vec::new();
    for candidate in scored {
        if chosen.iter().any(|c| contains(&c.0, &candidate.0)) {
            continue;
        }
        let held = chosen.iter().position(|c| contains(&candidate.0, &c.0));
        match held {
            Some(i) if candidate.2 as f32 >= PHRASE_SHARE * chosen[i].2 as f32 => {
                // The longer phrase may hold another chosen one too.
                chosen.retain(|c| !contains(&candidate.0, &c.0));
                chosen.push(candidate);
            }
            Some(_) => {}
            None if chosen.len() < MAX_TERMS => chosen.push(candidate),
            None => {}
        }
    }
    chosen.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    chosen
}

/// A term's counts: `mine` of `n_mine` on one side, `theirs` of `n_theirs` on the others.
struct LogOdds {
    mine: f32,
    n_mine: f32,
    theirs: f32,
    n_theirs: f32,
}

impl LogOdds {
    /// Monroe et al.'s z-score of the log-odds ratio, with a prior of `prior` pseudo-counts of
    /// which `alpha` fall on this term.
    fn z(&self, prior: f32, alpha: f32) -> f32 {
        let odds = |y: f32, n: f32| ((y + alpha) / (n + prior - y - alpha).max(f32::EPSILON)).ln();
        let delta = odds(self.mine, self.n_mine) - odds(self.theirs, self.n_theirs);
        let variance = 1.0 / (self.mine + alpha) + 1.0 / (self.theirs + alpha);
        delta / variance.sqrt()
    }
}

/// The words met so far, by stem, with how each is written.
#[derive(Default)]
struct Vocabulary {
    ids: HashMap<String, u32>,
    words: Vec<Spelling>,
    /// Pairs of words written joined by a hyphen ("state-backed"), shown so.
    hyphenated: std::collections::HashSet<(u32, u32)>,
}

/// How a word is written: its lowercase forms, and votes on its case.
#[derive(Default)]
struct Spelling {
    forms: HashMap<String, u32>,
    /// Votes from running text, and weaker ones from Title Case headlines, which capitalize
    /// every word: `[upper, capital, lower]`.
    votes: [u32; 3],
    title_votes: [u32; 3],
    /// Capitalized at a sentence's start only, which says nothing unless nothing else does.
    start_votes: u32,
}

impl Vocabulary {
    /// The word ids of `text` in order, `NONE` where a stopword, number or other non-word
    /// breaks a phrase.
    fn read(&mut self, text: &str) -> Vec<u32> {
        let pieces: Vec<(&str, bool)> = words::pieces(text).collect();
        let long: Vec<&str> = pieces
            .iter()
            .map(|p| p.0)
            .filter(|p| p.chars().count() >= 4)
            .collect();
        let share = |f: fn(&&str) -> bool| {
            long.len() >= 3 && long.iter().filter(|p| f(p)).count() * 10 >= long.len() * 7
        };
        let shouting = share(|p| !p.chars().any(char::is_lowercase));
        let title = share(|p| p.chars().next().is_some_and(char::is_uppercase));
        let mut out = Vec::with_capacity(pieces.len());
        let mut end = 0;
        for (piece, sentence_start) in pieces {
            // Punctuation between two words ends a phrase: "dam, terrorist" is no phrase.
            let start = piece.as_ptr() as usize - text.as_ptr() as usize;
            let gap = &text[end..start];
            if gap.contains(PHRASE_BREAKS) {
                out.push(NONE);
            }
            let hyphen = gap == "-";
            end = start + piece.len();
            let lower = piece.to_lowercase();
            let chars = lower.chars().count();
            let word = (2..=MAX_WORD_CHARS).contains(&chars)
                && lower.chars().any(char::is_alphabetic)
                && !words::is_stopword(&lower);
            if !word {
                out.push(NONE);
                continue;
            }
            let next = self.words.len() as u32;
            let id = *self.ids.entry(words::stem(lower.clone())).or_insert(next);
            if id == next {
                self.words.push(Spelling::default());
            }
            let spelling = &mut self.words[id as usize];
            *spelling.forms.entry(lower).or_default() += 1;
            let letters = piece.chars().filter(|c| c.is_alphabetic()).count();
            let vote = if letters >= 2 && !piece.chars().any(char::is_lowercase) {
                0
            } else if piece.chars().next().is_some_and(char::is_uppercase) {
                1
            } else {
                2
            };
            match vote {
                _ if shouting => {}
                1 if sentence_start => spelling.start_votes += 1,
                1 | 2 if title => spelling.title_votes[vote] += 1,
                _ => spelling.votes[vote] += 1,
            }
            if let (true, Some(&before)) = (hyphen, out.last())
                && before != NONE
            {
                self.hyphenated.insert((before, id));
            }
            out.push(id);
        }
        out
    }

    /// The phrases of one article, each once, into `seen`; returns its count of words.
    fn phrases(&mut self, text: &str, seen: &mut Vec<Phrase>) -> usize {
        seen.clear();
        let mut words = 0;
        let run_words = self.read(words::prefix(text, ARTICLE_CHARS));
        for run in run_words.split(|w| *w == NONE) {
            words += run.len();
            for len in 1..=MAX_PHRASE {
                for window in run.windows(len) {
                    let mut phrase = [NONE; MAX_PHRASE];
                    phrase[..len].copy_from_slice(window);
                    seen.push(phrase);
                }
            }
        }
        seen.sort_unstable();
        seen.dedup();
        words
    }

    /// A phrase as most articles write it: each word in its commonest form, in capitals when
    /// it is an acronym and capitalized when it is a name.
    fn show(&self, phrase: &Phrase) -> String {
        let words = &phrase[..phrase_len(phrase)];
        let mut shown = String::new();
        for (i, &id) in words.iter().enumerate() {
            if i > 0 {
                let joined = self.hyphenated.contains(&(words[i - 1], id));
                shown.push(if joined { '-' } else { ' ' });
            }
            shown += &self.words[id as usize].show();
        }
        shown
    }
}

impl Spelling {
    fn show(&self) -> String {
        let form = self
            .forms
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map_or("", |(form, _)| form.as_str());
        let votes = [self.votes, self.title_votes, [0, self.start_votes, 0]]
            .into_iter()
            .find(|v| v.iter().sum::<u32>() > 0)
            .unwrap_or_default();
        let [upper, capital, lower] = votes;
        if upper > capital + lower {
            form.to_uppercase()
        } else if capital > lower {
            let mut chars = form.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        } else {
            form.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[&'static str]) -> Vec<&'static str> {
        lines.to_vec()
    }

    fn shown(framing: &Framing) -> Vec<&str> {
        framing.terms().iter().map(|t| t.text.as_str()).collect()
    }

    /// Two tellings of one war: each side's own words come out on top, the shared ones not.
    fn war() -> Vec<Vec<&'static str>> {
        vec![
            texts(&[
                "Russian forces press special military operation in Donbas",
                "Defence ministry reports progress of the special military operation",
                "Kremlin says special military operation goals will be met in Donbas",
                "Special military operation: troops liberate village near Donetsk",
            ]),
            texts(&[
                "Ukraine says Russian invasion has killed civilians in Kharkiv",
                "Invasion enters third month as civilians flee shelling near Donetsk",
                "Kyiv accuses Moscow of war crimes against civilians during the invasion",
                "Russian invasion: civilians shelter in Kharkiv metro",
            ]),
        ]
    }

    #[test]
    fn each_side_gets_its_own_words() {
        let framings = framings(&war());
        let first = shown(&framings[0]);
        let second = shown(&framings[1]);
        assert_eq!(first[0], "special military operation", "{first:?}");
        assert!(first.contains(&"Donbas"), "{first:?}");
        assert!(second.contains(&"invasion"), "{second:?}");
        assert!(second.contains(&"civilians"), "{second:?}");
        assert!(second.contains(&"Kharkiv"), "{second:?}");
        // "Donetsk" is in one article of each telling: it sets neither apart.
        for side in [&first, &second] {
            assert!(!side.iter().any(|t| t.contains("Donetsk")), "{side:?}");
        }
        // The phrase stands for its parts, which are not shown again.
        assert!(!first.contains(&"military operation"), "{first:?}");
        assert!(!first.contains(&"operation"), "{first:?}");
    }

    #[test]
    fn terms_come_strongest_first_and_within_bounds() {
        let framings = framings(&war());
        for framing in &framings {
            let terms = framing.terms();
            assert!(!terms.is_empty() && terms.len() <= MAX_TERMS);
            assert!(terms.windows(2).all(|w| w[0].z >= w[1].z), "{terms:?}");
            let min_z = FramingConfig::default().min_z;
            assert!(terms.iter().all(|t| t.z >= min_z && t.articles >= 2));
        }
    }

    #[test]
    fn one_article_or_a_few_words_is_too_little() {
        let mut sides = war();
        sides.push(texts(&["Invasion of Ukraine condemned at the UN"]));
        sides.push(texts(&["Peace talks", "Talks again"]));
        let framings = framings(&sides);
        assert_eq!(
            framings[2],
            Framing::TooLittle {
                articles: 1,
                words: 4
            }
        );
        assert!(matches!(
            framings[3],
            Framing::TooLittle { articles: 2, .. }
        ));
        // A story told by one side alone has nothing to be set apart from.
        let alone = super::framings(&war()[..1]);
        assert!(matches!(alone[0], Framing::TooLittle { .. }), "{alone:?}");
    }

    #[test]
    fn the_same_telling_everywhere_is_alike() {
        let same = texts(&[
            "Central bank raises interest rates to curb inflation",
            "Interest rates raised again as central bank fights inflation",
            "Inflation fight: central bank lifts interest rates",
        ]);
        let framings = framings(&[same.clone(), same]);
        assert_eq!(framings, [Framing::Alike, Framing::Alike]);
    }

    #[test]
    fn acronyms_and_names_keep_their_case_and_title_case_does_not_leak() {
        let sides = vec![
            texts(&[
                "NATO allies meet as Stoltenberg warns of threat",
                "Stoltenberg says NATO will stand firm; allies agree",
                "NATO summit: Stoltenberg urges allies to spend more",
            ]),
            texts(&[
                "Moscow Dismisses Western Threats As Hysteria, Blames State-Backed Media",
                "Moscow Calls Warnings Hysteria, Says Troops Are At Home",
                "Kremlin Spokesman Says Hysteria In The West Is Unfounded As State-Backed Media Agree",
                "Moscow says state-backed media fan hysteria",
            ]),
        ];
        let framings = framings(&sides);
        let first = shown(&framings[0]);
        assert!(first.contains(&"NATO"), "{first:?}");
        assert!(first.contains(&"Stoltenberg"), "{first:?}");
        assert!(first.contains(&"allies"), "{first:?}");
        assert!(!first.iter().any(|t| t.contains('-')), "{first:?}");
        let second = shown(&framings[1]);
        // Title Case capitalizes every word; running text says how "hysteria" is written.
        assert!(second.contains(&"hysteria"), "{second:?}");
        assert!(second.contains(&"Moscow"), "{second:?}");
        assert!(second.contains(&"state-backed media"), "{second:?}");
    }

    #[test]
    fn untrusted_text_is_bounded_and_never_panics() {
        let huge = "invasion ".repeat(100_000);
        let odd = "🌍\u{202e}\u{0} \u{2066} ﷽ 地震地震 a-b-c ' \" ";
        let sides = vec![vec![huge.as_str(), odd, ""], vec![odd, odd, "", &huge]];
        let framings = framings(&sides);
        assert_eq!(framings.len(), 2);
        assert!(framings.iter().all(|f| !matches!(f, Framing::Terms { .. })));
        assert!(super::framings(&[]).is_empty());
        // A side of one huge article is read to its first ARTICLE_CHARS only: 111 words.
        let alone = super::framings(&[vec![huge.as_str()], vec![odd]]);
        assert!(
            matches!(alone[0], Framing::TooLittle { articles: 1, words } if words <= 112),
            "{alone:?}"
        );
        assert_eq!(
            super::framings(&[Vec::new()]),
            [Framing::TooLittle {
                articles: 0,
                words: 0
            }]
        );
    }
}
