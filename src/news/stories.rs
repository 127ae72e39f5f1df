//! Stories: articles from different outlets, countries and languages about the same event,
//! grouped online as they arrive, with which countries cover each story and which do not.
//!
//! Clustering reads English only: the caller passes each article's English title and
//! summary (the machine translation where there is one), so one vocabulary serves every
//! language. The method is single-pass clustering against story centroids, the baseline of
//! topic detection and tracking since Allan, Papka and Lavrenko, "On-line new event detection
//! and tracking" (SIGIR 1998): each arriving article is compared with the stories so far and
//! joins the most similar one, or starts a new story when no similarity passes a threshold;
//! they also make an old event harder to join than a recent one. Miranda, Znotiņš, Cohen and
//! Barzdins, "Multilingual clustering of streaming news" (EMNLP 2018) cluster a multilingual
//! stream the same way, by TF-IDF similarity of an article to cluster centroids with a
//! threshold for new clusters, with time features and weights learned from labelled data,
//! among them a similarity of named entities apart from that of all words, then link each
//! language's clusters across languages. Here translation into English stands in for their
//! cross-lingual step; hand-set weights (title words and names count double), one threshold
//! and one rule for names that disagree, tuned on the hand-labelled corpus in
//! `tests/fixtures/stories/corpus.json`, stand in for learned ones; and a hard time window
//! for time features. `tests/fixtures/stories/heldout.json`, written afterwards and never
//! tuned on, checks that the tuning carries over.
//!
//! - Words: the news module's shared tokenizer and light stemmer, on the first
//!   [`TEXT_CHARS`] characters of title and summary; a title word counts [`TITLE_WEIGHT`]
//!   times, a name [`NAME_WEIGHT`] times.
//! - Vectors: sublinear term frequency (1 + ln tf) times smoothed inverse document frequency
//!   ln((N + 1) / (df + 1)) + 1, L2-normalised. [`Clusterer::cluster_all`] counts document
//!   frequencies over its whole batch first; [`Clusterer::add`] counts each article as it
//!   comes, so an online clusterer's weights settle as it sees more news.
//! - Stories: the centroid is the sum of the members' vectors; similarity is the cosine of an
//!   article with it. Candidates come from an inverted index (term → stories) probed with the
//!   article's [`CANDIDATE_TERMS`] heaviest terms that are not common ([`COMMON_SHARE`]). A
//!   story takes articles published within [`ClusterConfig::window`] of its first-to-last
//!   span.
//! - Names: a word is a proper name when the articles held write it capitalised inside a
//!   sentence or as an acronym far more often than in lowercase ([`PROPER_RATIO`]): "Japan",
//!   "Bailey", "ECB", but not the "Bank" of "Bank of England", which is also "central bank".
//!   When an article has proper names and a story of [`ESTABLISHED`] articles or more has
//!   some, but they share none, the names say two events and the similarity counts for a
//!   [`NAME_MISMATCH`]th: two central banks' decisions, two strikes or two floods share every
//!   other word. Smaller stories are spared: their first reports may not yet have named
//!   what later ones name.
//! - Memory: [`Clusterer::forget_before`] drops old articles, empty stories and unused words,
//!   so a kiosk that runs for days and forgets as it goes keeps a flat footprint.
//!
//! What it gets wrong: a story of one or two reports takes in a report of another event on
//! its subject, since names only decide from [`ESTABLISHED`] reports on (Kenya's floods,
//! two reports old, take Mumbai's monsoon report; a French strike's first report and a
//! German rail strike become one story). A story whose reports each name different things
//! and never the same one (unions, cities and ministers, but not the country) splits when
//! one part reaches [`ESTABLISHED`] reports first, and a translated report whose only name
//! is one the story never used ("BOE" in a story of "Bank of England") can stand alone.
//!
//! Everything is deterministic: the same articles in the same order give the same stories
//! with the same ids; no hash map's iteration order reaches a result.
//!
//! Not this module's concern: translating, storing or fetching articles; which stories to
//! show.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::words;

/// The country whose absence makes a story a blindspot: "USA" (Natural Earth `ADM0_A3`).
/// Most English-language coverage, and so most readers' picture of the news, starts there.
pub const BLINDSPOT_COUNTRY: &str = "USA";

/// How much of title and summary together is read: the lead says what the story is, and
/// feed text is untrusted, of any length.
pub const TEXT_CHARS: usize = 2_000;

/// A title word counts this many times a summary word: titles name the event, summaries add
/// background that other stories share.
pub const TITLE_WEIGHT: f32 = 2.0;

/// A word that looks like a name counts this many times more: a capitalised word inside a
/// sentence ("in Malatya") or an acronym ("ECB"). Names tell apart stories that share their
/// vocabulary: two earthquakes, two elections.
pub const NAME_WEIGHT: f32 = 2.0;

/// A term in more than this share of the articles held (and in more than
/// [`COMMON_MIN_DOCS`]) brings no candidate stories: it is boilerplate or a subject so broad
/// that sharing it says nothing, and with it every story would be a candidate, and an
/// article that shares nothing else could join a story on template words alone.
pub const COMMON_SHARE: f32 = 0.2;
/// Below this many articles nothing counts as common: a handful of reports of one event all
/// share its words.
pub const COMMON_MIN_DOCS: u32 = 20;

/// How many of an article's heaviest terms look up candidate stories. The rest still count
/// in the similarity; they only do not bring candidates in.
pub const CANDIDATE_TERMS: usize = 16;

/// A word is a proper name when the held articles that write it as a name (a capital inside
/// a sentence, or an acronym) outnumber at least this many times those that write it in
/// lowercase. "Japan" and "Bailey" are never written in lowercase; "Bank" in "Bank of
/// England" is, as "central bank", so two central banks' stories do not share a name by it.
/// Counted over the articles held, like document frequencies, so a word's standing settles
/// as more news comes; a rare lowercase slip does not unmake a name.
pub const PROPER_RATIO: u32 = 4;

/// A story of at least this many articles has shown which names it is about: the outlets
/// that report one event name its places and people, while a story's first report or two
/// may name none of those a later report names (one names a union, the next a city).
pub const ESTABLISHED: usize = 3;

/// An article that has proper names, none of which an established story with proper names
/// has, counts its similarity to that story divided by this: the names disagree, so it takes
/// a far closer match in the other words to be the same event (the Bank of England's rate
/// decision beside the Bank of Japan's, which share every other word). On the fixture
/// corpus any divisor from 1.75 up separates its pairs alike; 4 sits inside that range
/// without closing a story to a report that repeats it almost word for word.
pub const NAME_MISMATCH: f32 = 4.0;

/// The text of one article as clustering sees it: English title and summary.
#[derive(Clone, Copy, Debug)]
pub struct StoryText<'a> {
    pub id: i64,
    /// Natural Earth `ADM0_A3` code of the outlet's country.
    pub country: &'a str,
    /// Unix seconds.
    pub published: i64,
    pub title: &'a str,
    pub summary: &'a str,
}

/// A story's id: given in the order stories start, never reused by one clusterer.
pub type StoryId = u32;

/// What makes articles one story.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// The least cosine similarity of an article to a story's centroid for it to join.
    /// Default 0.13, the middle of the range (0.10 to 0.16) where B-cubed F1 on the fixture
    /// corpus stays above 0.91 both clustering a batch and adding one by one. Higher splits
    /// machine-translated reports off their stories; lower merges distinct stories on one
    /// subject (below 0.10, the two earthquakes).
    pub threshold: f32,
    /// Seconds: an article can join a story when published within this of the story's
    /// first-to-last span. Default 36 hours: a day of follow-ups and time zones, plus half a
    /// day; a longer story lives on as long as reports keep coming.
    pub window: i64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            threshold: 0.13,
            window: 36 * 60 * 60,
        }
    }
}

/// A story: the articles about one event.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Story {
    pub id: StoryId,
    /// Article ids, in the order they joined.
    pub articles: Vec<i64>,
    /// Natural Earth `ADM0_A3` code of a country → how many of the story's articles come from
    /// its outlets.
    pub countries: BTreeMap<String, usize>,
    /// Publication times of the earliest and latest article, Unix seconds.
    pub first: i64,
    pub last: i64,
    /// The id of the article most representative of the story: the one closest to its
    /// centroid; on a tie, the earliest published, then the smallest id.
    pub headline: i64,
}

impl Story {
    /// Whether no outlet from [`BLINDSPOT_COUNTRY`] covers the story.
    pub fn is_blindspot(&self) -> bool {
        !self.countries.contains_key(BLINDSPOT_COUNTRY)
    }

    /// How many countries' outlets cover the story.
    pub fn country_count(&self) -> usize {
        self.countries.len()
    }
}

/// How much a [`Clusterer`] holds, for watching that forgetting keeps it flat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sizes {
    pub articles: usize,
    pub stories: usize,
    /// Distinct words known.
    pub terms: usize,
    /// Entries of the inverted index, word → story.
    pub postings: usize,
}

/// A sparse vector: (term id, weight), sorted by term id.
type Vector = Vec<(u32, f32)>;

/// Groups articles into stories, one article at a time.
#[derive(Clone, Debug)]
pub struct Clusterer {
    config: ClusterConfig,
    /// Word → term id. Looked up only, never iterated into a result.
    terms: HashMap<String, u32>,
    /// By term id: how many held articles contain the term.
    df: Vec<u32>,
    /// By term id: how many held articles write the term as a name, and how many write it
    /// in lowercase; see [`PROPER_RATIO`].
    named_df: Vec<u32>,
    lower_df: Vec<u32>,
    /// How many articles `df` counts.
    docs: u32,
    /// By term id: the stories whose centroid has the term.
    postings: Vec<Vec<StoryId>>,
    articles: HashMap<i64, Member>,
    stories: BTreeMap<StoryId, Entry>,
    next_id: StoryId,
}

#[derive(Clone, Debug)]
struct Member {
    story: StoryId,
    published: i64,
    country: String,
    vector: Vector,
    /// By position in `vector`: how the article writes each term ([`NAMED`], [`LOWER`]),
    /// to take it out of the counts when the article is forgotten.
    written: Vec<u8>,
    /// Dot product of `vector` with the story's centroid: the headline is the member with
    /// the largest. Kept up to date as members join, so finding it needs no recomputation.
    affinity: f32,
}

#[derive(Clone, Debug)]
struct Entry {
    story: Story,
    /// The sum of the members' vectors.
    centroid: Vector,
    norm: f32,
}

impl Clusterer {
    pub fn new(config: ClusterConfig) -> Self {
        Self {
            config,
            terms: HashMap::new(),
            df: Vec::new(),
            named_df: Vec::new(),
            lower_df: Vec::new(),
            docs: 0,
            postings: Vec::new(),
            articles: HashMap::new(),
            stories: BTreeMap::new(),
            next_id: 0,
        }
    }

    /// Clusters a batch from scratch: articles in order of publication (then id), with
    /// document frequencies counted over the whole batch first, which weighs words better
    /// than counting as they come. Of articles sharing an id, the first in that order counts.
    /// The order of `articles` does not matter.
    pub fn cluster_all(config: ClusterConfig, articles: &[StoryText]) -> Self {
        let mut clusterer = Self::new(config);
        let mut order: Vec<&StoryText> = articles.iter().collect();
        order.sort_by_key(|a| (a.published, a.id));
        let mut seen = HashSet::new();
        order.retain(|a| seen.insert(a.id));
        let counted: Vec<(Vector, Vec<u8>)> = order
            .iter()
            .map(|a| {
                let (counts, written) = clusterer.term_counts(a);
                clusterer.count_document(&counts, &written);
                (counts, written)
            })
            .collect();
        for (article, (counts, written)) in order.into_iter().zip(counted) {
            let vector = clusterer.vector(counts);
            clusterer.place(article, vector, written);
        }
        clusterer
    }

    /// Adds one article and returns its story. An id already held keeps its story and
    /// changes nothing.
    pub fn add(&mut self, article: &StoryText) -> StoryId {
        if let Some(member) = self.articles.get(&article.id) {
            return member.story;
        }
        let (counts, written) = self.term_counts(article);
        self.count_document(&counts, &written);
        let vector = self.vector(counts);
        self.place(article, vector, written)
    }

    /// The story of an article held; `None` for an id never added or forgotten.
    pub fn story_of(&self, article: i64) -> Option<StoryId> {
        self.articles.get(&article).map(|m| m.story)
    }

    pub fn story(&self, id: StoryId) -> Option<&Story> {
        self.stories.get(&id).map(|e| &e.story)
    }

    /// Every story held, in id order (the order they started).
    pub fn stories(&self) -> impl Iterator<Item = &Story> {
        self.stories.values().map(|e| &e.story)
    }

    /// The number of articles held.
    pub fn len(&self) -> usize {
        self.articles.len()
    }

    /// Whether no article is held.
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    /// How much is held: articles, stories, words and index entries.
    pub fn sizes(&self) -> Sizes {
        Sizes {
            articles: self.articles.len(),
            stories: self.stories.len(),
            terms: self.terms.len(),
            postings: self.postings.iter().map(Vec::len).sum(),
        }
    }

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
                self.rebuild(id);
            }
        }
        self.compact_terms();
    }

    /// Stories with at least one article published at or after `since`, most widely covered
    /// first: by how many countries cover them (counting articles published at or after
    /// `since`), then by how many such articles, then by the newest last article, then by id;
    /// at most `limit`.
    pub fn top_stories(&self, since: i64, limit: usize) -> Vec<&Story> {
        let mut ranked: Vec<(usize, usize, &Story)> = self
            .stories()
            .filter(|s| s.last >= since)
            .map(|story| {
                let recent: Vec<&Member> = story
                    .articles
                    .iter()
                    .filter_map(|a| self.articles.get(a))
                    .filter(|m| m.published >= since)
                    .collect();
                let countries: BTreeSet<&str> = recent.iter().map(|m| m.country.as_str()).collect();
                (countries.len(), recent.len(), story)
            })
            .collect();
        ranked.sort_by(|a, b| {
            (b.0, b.1, b.2.last)
                .cmp(&(a.0, a.1, a.2.last))
                .then(a.2.id.cmp(&b.2.id))
        });
        ranked.into_iter().take(limit).map(|(.., s)| s).collect()
    }

    /// The article's words as (term id, weighted count), sorted by term id, and how it writes
    /// each ([`NAMED`], [`LOWER`]). New words get ids in the order they appear, so ids never
    /// depend on a hash map's order.
    fn term_counts(&mut self, article: &StoryText) -> (Vector, Vec<u8>) {
        let title = words::prefix(article.title, TEXT_CHARS);
        let summary = words::prefix(
            article.summary,
            TEXT_CHARS.saturating_sub(title.chars().count()),
        );
        let mut counts: Vec<(u32, f32, u8)> = Vec::new();
        for (field, weight, headline) in [(title, TITLE_WEIGHT, true), (summary, 1.0, false)] {
            let words: Vec<words::Word> = words::marked_words(field).collect();
            // In a Title Case Headline every word has a capital, which then says nothing.
            let capitals = words.iter().filter(|w| w.capitalized).count();
            let title_case = headline && capitals * 2 > words.len();
            for word in words {
                let name = word.acronym || (word.capitalized && !title_case);
                let term = self.intern(word.stem);
                let written = if name { NAMED } else { 0 } | if word.lowercase { LOWER } else { 0 };
                counts.push((
                    term,
                    if name { weight * NAME_WEIGHT } else { weight },
                    written,
                ));
            }
        }
        counts.sort_by_key(|&(term, ..)| term);
        counts.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 += later.1;
                kept.2 |= later.2;
            }
            same
        });
        counts.into_iter().map(|(t, w, c)| ((t, w), c)).unzip()
    }

    fn intern(&mut self, word: String) -> u32 {
        if let Some(&term) = self.terms.get(&word) {
            return term;
        }
        let term = self.df.len() as u32;
        self.terms.insert(word, term);
        self.df.push(0);
        self.named_df.push(0);
        self.lower_df.push(0);
        self.postings.push(Vec::new());
        term
    }

    fn count_document(&mut self, counts: &Vector, written: &[u8]) {
        for (&(term, _), &written) in counts.iter().zip(written) {
            self.df[term as usize] += 1;
            self.named_df[term as usize] += u32::from(written & NAMED != 0);
            self.lower_df[term as usize] += u32::from(written & LOWER != 0);
        }
        self.docs += 1;
    }

    /// TF-IDF weights of `counts`, L2-normalised; empty when the article has no words.
    fn vector(&self, mut counts: Vector) -> Vector {
        let n = self.docs as f32;
        for (term, weight) in &mut counts {
            let df = self.df[*term as usize] as f32;
            *weight = (1.0 + weight.ln()) * (((n + 1.0) / (df + 1.0)).ln() + 1.0);
        }
        let norm = norm(&counts);
        if norm > 0.0 {
            counts.iter_mut().for_each(|(_, w)| *w /= norm);
        }
        counts
    }

    /// Puts an article with this vector into the most similar story that can take it, or a
    /// new one.
    fn place(&mut self, article: &StoryText, vector: Vector, written: Vec<u8>) -> StoryId {
        let story = match self.best_story(article.published, &vector) {
            Some(id) => id,
            None => self.start_story(article),
        };
        self.join(story, article, vector, written);
        story
    }

    fn best_story(&self, published: i64, vector: &Vector) -> Option<StoryId> {
        let common = (self.docs as f32 * COMMON_SHARE).max(COMMON_MIN_DOCS as f32);
        let mut heaviest: Vec<&(u32, f32)> = vector
            .iter()
            .filter(|&&(term, _)| (self.df[term as usize] as f32) <= common)
            .collect();
        heaviest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut candidates: Vec<StoryId> = heaviest
            .iter()
            .take(CANDIDATE_TERMS)
            .flat_map(|&&(term, _)| self.postings[term as usize].iter().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let window = self.config.window;
        let has_names = vector.iter().any(|&(term, _)| self.is_proper(term));
        let mut best: Option<(f32, StoryId)> = None;
        for id in candidates {
            let Some(entry) = self.stories.get(&id) else {
                continue;
            };
            let story = &entry.story;
            if published < story.first.saturating_sub(window)
                || published > story.last.saturating_add(window)
            {
                continue;
            }
            if entry.norm <= 0.0 {
                continue;
            }
            let mut similarity = dot(vector, &entry.centroid) / entry.norm;
            if has_names
                && story.articles.len() >= ESTABLISHED
                && !shares_proper(vector, &entry.centroid, |t| self.is_proper(t))
                && entry.centroid.iter().any(|&(term, _)| self.is_proper(term))
            {
                similarity /= NAME_MISMATCH;
            }
            // Candidates come in id order, so on a tie the older story keeps the article.
            if similarity >= self.config.threshold && best.is_none_or(|(s, _)| similarity > s) {
                best = Some((similarity, id));
            }
        }
        best.map(|(_, id)| id)
    }

    /// Whether the term is a proper name by how the held articles write it; see
    /// [`PROPER_RATIO`].
    fn is_proper(&self, term: u32) -> bool {
        let named = self.named_df[term as usize];
        named > 0 && named >= PROPER_RATIO * self.lower_df[term as usize]
    }

    fn start_story(&mut self, article: &StoryText) -> StoryId {
        let id = self.next_id;
        // Four billion stories: a clusterer starting one a second would take 136 years.
        self.next_id = self.next_id.wrapping_add(1);
        self.stories.insert(
            id,
            Entry {
                story: Story {
                    id,
                    articles: Vec::new(),
                    countries: BTreeMap::new(),
                    first: article.published,
                    last: article.published,
                    headline: article.id,
                },
                centroid: Vec::new(),
                norm: 0.0,
            },
        );
        id
    }

    fn join(&mut self, id: StoryId, article: &StoryText, vector: Vector, written: Vec<u8>) {
        let Some(entry) = self.stories.get_mut(&id) else {
            return;
        };
        let (centroid, added) = merge(&entry.centroid, &vector);
        for term in added {
            self.postings[term as usize].push(id);
        }
        entry.centroid = centroid;
        entry.norm = norm(&entry.centroid);
        for other in &entry.story.articles {
            if let Some(member) = self.articles.get_mut(other) {
                member.affinity += dot(&member.vector, &vector);
            }
        }
        let story = &mut entry.story;
        story.articles.push(article.id);
        *story
            .countries
            .entry(article.country.to_owned())
            .or_default() += 1;
        story.first = story.first.min(article.published);
        story.last = story.last.max(article.published);
        let affinity = dot(&vector, &entry.centroid);
        self.articles.insert(
            article.id,
            Member {
                story: id,
                published: article.published,
                country: article.country.to_owned(),
                vector,
                written,
                affinity,
            },
        );
        story.headline = headline(story, &self.articles);
    }

    /// Recomputes a story's centroid, countries, span and headline from the members it
    /// still has, in the order they joined.
    fn rebuild(&mut self, id: StoryId) {
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
        for member in &members {
            centroid = merge(&centroid, &member.vector).0;
        }
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
        entry.norm = norm(&centroid);
        entry.centroid = centroid;
        for a in &story.articles {
            if let Some(member) = self.articles.get_mut(a) {
                member.affinity = dot(&member.vector, &entry.centroid);
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

/// How an article writes a term, by bit: as a name at least once ...
const NAMED: u8 = 1;
/// ... and in lowercase at least once.
const LOWER: u8 = 2;

/// Whether a term of `a` that is a proper name is in `b` too.
fn shares_proper(a: &Vector, b: &Vector, is_proper: impl Fn(u32) -> bool) -> bool {
    a.iter()
        .any(|&(term, _)| is_proper(term) && b.binary_search_by_key(&term, |&(t, _)| t).is_ok())
}

/// The sum of two sparse vectors, and the terms of `add` that `base` lacked.
fn merge(base: &Vector, add: &Vector) -> (Vector, Vec<u32>) {
    let mut sum = Vec::with_capacity(base.len() + add.len());
    let mut added = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < base.len() || j < add.len() {
        match (base.get(i), add.get(j)) {
            (Some(&(a, wa)), Some(&(b, wb))) if a == b => {
                sum.push((a, wa + wb));
                i += 1;
                j += 1;
            }
            (Some(&(a, wa)), Some(&(b, _))) if a < b => {
                sum.push((a, wa));
                i += 1;
            }
            (Some(&entry), None) => {
                sum.push(entry);
                i += 1;
            }
            (_, Some(&(b, wb))) => {
                sum.push((b, wb));
                added.push(b);
                j += 1;
            }
            (None, None) => break,
        }
    }
    (sum, added)
}

/// The dot product of two sparse vectors; each of `a`'s terms is looked up in `b`.
fn dot(a: &Vector, b: &Vector) -> f32 {
    a.iter()
        .filter_map(|&(term, w)| {
            b.binary_search_by_key(&term, |&(t, _)| t)
                .ok()
                .map(|k| w * b[k].1)
        })
        .sum()
}

fn norm(v: &Vector) -> f32 {
    v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt()
}

/// The member with the greatest affinity; on a tie the earliest published, then the
/// smallest id.
fn headline(story: &Story, members: &HashMap<i64, Member>) -> i64 {
    story
        .articles
        .iter()
        .filter_map(|id| members.get(id).map(|m| (id, m)))
        .max_by(|(a_id, a), (b_id, b)| {
            a.affinity
                .total_cmp(&b.affinity)
                .then(b.published.cmp(&a.published))
                .then(b_id.cmp(a_id))
        })
        .map_or(story.headline, |(&id, _)| id)
}

/// Scores of a clustering against an editor's labels, for tests and tuning.
///
/// Both take the truth as (article id, label) and the clustering as (article id, story); an
/// article missing from the clustering counts as a story of its own, and articles without a
/// label are left out.
pub mod quality {
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

    fn f1(precision: f64, recall: f64) -> f64 {
        if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        }
    }

    /// B-cubed F1 (Bagga and Baldwin 1998), the clustering score Amigó et al. (2009) found to
    /// satisfy all their formal constraints: each article's precision is the share of its
    /// story that has its label, its recall the share of its label that is in its story;
    /// both are averaged over articles. 1.0 for no articles.
    pub fn bcubed_f1(truth: &[(i64, &str)], predicted: &[(i64, StoryId)]) -> f64 {
        let table = contingency(truth, predicted);
        if table.items == 0 {
            return 1.0;
        }
        let (mut precision, mut recall) = (0.0, 0.0);
        for (&(label, cluster), &n) in &table.joint {
            let n = n as f64;
            precision += n * n / table.clusters[&cluster] as f64;
            recall += n * n / table.labels[label] as f64;
        }
        let items = table.items as f64;
        f1(precision / items, recall / items)
    }

    /// Pairwise F1: precision is the share of article pairs put in one story that share a
    /// label, recall the share of pairs sharing a label that were put in one story. With no
    /// pairs on a side, that side's score is 1.0 (nothing claimed, nothing missed).
    pub fn pairwise_f1(truth: &[(i64, &str)], predicted: &[(i64, StoryId)]) -> f64 {
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
        f1(precision, recall)
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
            let f = bcubed_f1(&TRUTH, &[(1, 0), (2, 0), (3, 0), (4, 1)]);
            assert!((f - 12.0 / 17.0).abs() < 1e-12, "{f}");
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
            let f = pairwise_f1(&TRUTH, &[(1, 0), (2, 0), (3, 0), (4, 1)]);
            assert!((f - 0.4).abs() < 1e-12, "{f}");
        }
    }
}

/// The hand-labelled corpus of `tests/fixtures/stories/corpus.json`.
#[cfg(test)]
pub(crate) mod fixture {
    use super::StoryText;

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

    const JSON: &str = include_str!("../../tests/fixtures/stories/corpus.json");
    const HELDOUT: &str = include_str!("../../tests/fixtures/stories/heldout.json");

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
            }
        }
    }
}

#[cfg(test)]
mod corpus_tests {
    use super::fixture::Article;
    use super::*;

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
        let (now, articles) = corpus;
        let texts = texts(now, &articles);
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
        let mut clusterer =
            Clusterer::cluster_all(ClusterConfig::default(), &texts(now, &articles));
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
}

#[cfg(test)]
mod forget_before_tests {
    use super::*;

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

#[cfg(test)]
mod top_stories_tests {
    use super::*;

    const HOUR: i64 = 3600;

    fn clusterer() -> Clusterer {
        let articles = [
            // Three countries, reported early.
            (
                1,
                "USA",
                0,
                "Volcano erupts in Iceland",
                "Lava flows toward Grindavik.",
            ),
            (
                2,
                "FRA",
                HOUR,
                "Iceland volcano eruption forces evacuation",
                "Grindavik lava.",
            ),
            (
                3,
                "DEU",
                9 * HOUR,
                "Iceland volcano: Grindavik evacuated",
                "Lava reached homes.",
            ),
            // One country, four articles.
            (
                4,
                "GBR",
                2 * HOUR,
                "Thames barrier closes for storm surge",
                "London flood.",
            ),
            (
                5,
                "GBR",
                3 * HOUR,
                "Storm surge: Thames barrier shut",
                "London flood risk.",
            ),
            (
                6,
                "GBR",
                4 * HOUR,
                "Thames barrier closed again",
                "Storm surge in London.",
            ),
            (
                7,
                "GBR",
                10 * HOUR,
                "Thames barrier reopens after surge",
                "London flood eased.",
            ),
            // Two countries, the newest.
            (
                8,
                "JPN",
                11 * HOUR,
                "Tokyo marathon record falls",
                "Kipruto wins Tokyo.",
            ),
            (
                9,
                "KEN",
                12 * HOUR,
                "Kipruto breaks Tokyo marathon record",
                "Tokyo win.",
            ),
        ];
        let texts: Vec<StoryText> = articles
            .iter()
            .map(|&(id, country, published, title, summary)| StoryText {
                id,
                country,
                published,
                title,
                summary,
            })
            .collect();
        Clusterer::cluster_all(ClusterConfig::default(), &texts)
    }

    fn headlines(stories: &[&Story]) -> Vec<Vec<i64>> {
        stories.iter().map(|s| s.articles.clone()).collect()
    }

    #[test]
    fn the_fixture_makes_three_stories() {
        assert_eq!(
            headlines(&clusterer().stories().collect::<Vec<_>>()),
            [vec![1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]
        );
    }

    #[test]
    fn ranked_by_countries_then_articles_then_recency() {
        let clusterer = clusterer();
        assert_eq!(
            headlines(&clusterer.top_stories(0, 10)),
            [vec![1, 2, 3], vec![8, 9], vec![4, 5, 6, 7]]
        );
        assert_eq!(headlines(&clusterer.top_stories(0, 1)), [vec![1, 2, 3]]);
        assert!(clusterer.top_stories(0, 0).is_empty());
    }

    #[test]
    fn only_coverage_since_counts() {
        let clusterer = clusterer();
        // Since 9 h the volcano has one country and one article, the barrier one and one.
        // The volcano's last article (9 h) is older than the barrier's (10 h).
        assert_eq!(
            headlines(&clusterer.top_stories(9 * HOUR, 10)),
            [vec![8, 9], vec![4, 5, 6, 7], vec![1, 2, 3]]
        );
        // Stories with nothing since are left out.
        assert_eq!(
            headlines(&clusterer.top_stories(11 * HOUR, 10)),
            [vec![8, 9]]
        );
        assert!(clusterer.top_stories(13 * HOUR, 10).is_empty());
    }
}

#[cfg(test)]
mod add_tests {
    use super::*;

    #[test]
    fn untrusted_text_is_bounded_and_never_panics() {
        let mut clusterer = Clusterer::new(ClusterConfig::default());
        let huge = "earthquake Malatya ".repeat(60_000);
        assert!(huge.len() > 1_000_000);
        let odd = "🌍🔥 \u{0}\u{feff}\u{200d} <script>alert(1)</script> ﷽ İİİ 𝔼𝕝𝕖𝕔𝕥𝕚𝕠𝕟";
        let articles = [
            (1, huge.as_str(), huge.as_str()),
            (2, odd, odd),
            (3, "", ""),
            (4, "", ""),
        ];
        for (id, title, summary) in articles {
            clusterer.add(&StoryText {
                id,
                country: "",
                published: i64::MAX,
                title,
                summary,
            });
        }
        clusterer.add(&StoryText {
            id: 5,
            country: "\u{0}",
            published: i64::MIN,
            title: odd,
            summary: "",
        });
        assert_eq!(clusterer.len(), 5);
        // Articles without words match nothing, not even each other.
        assert_ne!(clusterer.story_of(3), clusterer.story_of(4));
        assert!(clusterer.sizes().terms < 20, "{:?}", clusterer.sizes());
        clusterer.forget_before(i64::MAX);
        assert_eq!(clusterer.len(), 4);
    }

    #[test]
    fn the_headline_is_the_article_closest_to_the_story() {
        let texts = [
            (
                1,
                "Hurricane Mara makes landfall in Cuba",
                "Winds of 200 km/h hit Havana.",
            ),
            (
                2,
                "Hurricane Mara batters Cuba, Havana without power",
                "Mara made landfall with winds of 200 km/h; Havana lost power.",
            ),
            (3, "Havana without power after Mara", "Cuba's grid failed."),
        ];
        let texts: Vec<StoryText> = texts
            .iter()
            .map(|&(id, title, summary)| StoryText {
                id,
                country: "CUB",
                published: id * 60,
                title,
                summary,
            })
            .collect();
        let clusterer = Clusterer::cluster_all(ClusterConfig::default(), &texts);
        let story = clusterer.story(0).expect("one story");
        assert_eq!(story.articles, [1, 2, 3]);
        assert_eq!(story.headline, 2);
        // Two identical articles: the earlier heads.
        let twins: Vec<StoryText> = [5, 4]
            .map(|id| StoryText {
                id,
                published: 100 - id,
                ..texts[0]
            })
            .into();
        let clusterer = Clusterer::cluster_all(ClusterConfig::default(), &twins);
        assert_eq!(clusterer.story(0).map(|s| s.headline), Some(5));
    }
}
