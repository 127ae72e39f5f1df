//! Topics: tags from a fixed taxonomy of nine, given to an article by the words of its
//! English title and summary.
//!
//! | Topic | Covers | Example keywords |
//! |---|---|---|
//! | Conflict & security | war, armed attacks, terrorism, military, ceasefires | missile, drone, troops, ceasefire, hostage |
//! | Politics | elections, governments, parliaments, diplomacy, summits | election, parliament, minister, summit, sanctions |
//! | Economy | markets, prices, central banks, trade, companies, jobs | inflation, interest, tariff, price, mortgage |
//! | Climate & environment | climate, weather, natural disasters (earthquakes included), pollution | flood, wildfire, earthquake, tsunami, emissions |
//! | Science & tech | research, space, AI and computing | asteroid, satellite, scientist, AI, semiconductor |
//! | Health | disease, outbreaks, vaccines, hospitals | measles, outbreak, vaccine, hospital, cholera |
//! | Society | work and strikes, protest, pensions, education, migration, crime, rights | strike, union, pension, protest, refugee |
//! | Sport | competitions, clubs, athletes | football, league, cricket, tournament, olympic |
//! | Culture | film, music, books, art, heritage | film, festival, album, museum, novel |
//!
//! Earthquakes go with the climate and environment, the taxonomy's place for the natural
//! world and its disasters, rather than in a topic of their own. A word can belong to two
//! topics when news uses it for both ("strike": a missile strike, a rail strike); the other
//! words of the article decide.
//!
//! Scoring: each keyword found in the title scores [`TITLE_POINTS`], in the summary
//! [`SUMMARY_POINTS`], counted once per field however often it repeats. An article gets the
//! topics that score at least [`MIN_SCORE`] (one title keyword, or two summary keywords), at
//! most [`MAX_TOPICS`] of them, the strongest first, ties in [`Topic::ALL`] order. An article
//! about nothing the lists know gets no topic: better none than a wrong one.
//!
//! Not this module's concern: what the tags are used for, or other languages (callers pass
//! the English translation).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::text;

/// Points for a keyword in the title: a title names the subject, a summary adds context.
pub const TITLE_POINTS: u32 = 2;
pub const SUMMARY_POINTS: u32 = 1;
/// The least score for a topic to be given.
pub const MIN_SCORE: u32 = 2;
/// The most topics an article gets: more would say nothing.
pub const MAX_TOPICS: usize = 3;

/// How much of title and of summary is read: feed text is untrusted, of any length.
const TEXT_CHARS: usize = 2_000;

/// One topic of the taxonomy. Serialized as its [`key`](Topic::key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    Conflict,
    Politics,
    Economy,
    Climate,
    Science,
    Health,
    Society,
    Sport,
    Culture,
}

impl Topic {
    pub const ALL: [Topic; 9] = [
        Topic::Conflict,
        Topic::Politics,
        Topic::Economy,
        Topic::Climate,
        Topic::Science,
        Topic::Health,
        Topic::Society,
        Topic::Sport,
        Topic::Culture,
    ];

    /// The name shown to readers.
    pub fn label(self) -> &'static str {
        match self {
            Topic::Conflict => "Conflict & security",
            Topic::Politics => "Politics",
            Topic::Economy => "Economy",
            Topic::Climate => "Climate & environment",
            Topic::Science => "Science & tech",
            Topic::Health => "Health",
            Topic::Society => "Society",
            Topic::Sport => "Sport",
            Topic::Culture => "Culture",
        }
    }

    /// One lowercase word, for the command line and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Topic::Conflict => "conflict",
            Topic::Politics => "politics",
            Topic::Economy => "economy",
            Topic::Climate => "climate",
            Topic::Science => "science",
            Topic::Health => "health",
            Topic::Society => "society",
            Topic::Sport => "sport",
            Topic::Culture => "culture",
        }
    }

    /// The topic whose [`key`](Topic::key) is `key`, in any case.
    pub fn from_key(key: &str) -> Option<Topic> {
        Topic::ALL
            .into_iter()
            .find(|t| t.key().eq_ignore_ascii_case(key.trim()))
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of topics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Topics(u16);

impl Topics {
    pub fn contains(self, topic: Topic) -> bool {
        self.0 & topic.bit() != 0
    }

    pub fn insert(&mut self, topic: Topic) {
        self.0 |= topic.bit();
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The topics in the set, in [`Topic::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Topic> {
        Topic::ALL.into_iter().filter(move |&t| self.contains(t))
    }
}

impl FromIterator<Topic> for Topics {
    fn from_iter<I: IntoIterator<Item = Topic>>(topics: I) -> Self {
        let mut set = Topics::default();
        topics.into_iter().for_each(|t| set.insert(t));
        set
    }
}

/// The words of each topic, as a reader would write them; they are stemmed like article
/// text when first used.
const KEYWORDS: [(Topic, &str); 9] = [
    (
        Topic::Conflict,
        "war wars warfare military army troops soldier missile missiles drone drones \
         airstrike strike strikes attack attacks bombing bomb shelling artillery barrage \
         ceasefire truce peace invasion rebel rebels militant militia insurgent terrorist \
         terrorism hostage hostages weapon weapons defence defense frontline offensive \
         combat navy nato armed fighter fighters",
    ),
    (
        Topic::Politics,
        "election elections elect electoral vote votes voter ballot poll polls campaign \
         candidate candidates parliament congress senate senator legislature lawmaker \
         president presidential minister government cabinet party opposition coalition \
         mayor mayoral governor referendum runoff diplomacy diplomat summit treaty \
         sanctions chancellor constitution impeachment ruling politics political \
         politician democracy leader leaders communique g7 g20",
    ),
    (
        Topic::Economy,
        "economy economic inflation interest rate rates bank fed ecb market markets stock \
         stocks investor investors currency dollar euro yen rupee peso price prices tariff \
         tariffs trade export exports import imports gdp growth recession budget tax taxes \
         debt bond bonds mortgage mortgages oil fuel petrol gasoline company companies \
         business profit earnings jobs unemployment wage wages industry monetary borrowing \
         fare fares cost costs spending finance financial imf refinery consumer shares",
    ),
    (
        Topic::Climate,
        "climate weather flood floods flooding flooded rain rains rainfall storm hurricane \
         typhoon cyclone drought heatwave wildfire wildfires fire fires firefighter forest \
         earthquake quake tremor temblor tsunami seismic magnitude aftershock aftershocks \
         richter volcano eruption landslide monsoon emissions carbon pollution environment \
         environmental deforestation biodiversity renewable disaster evacuation evacuate \
         meteorological glacier deluge torrential wildlife",
    ),
    (
        Topic::Science,
        "science scientific scientist scientists research researcher researchers study \
         space nasa rocket satellite probe asteroid moon lunar mars orbit spacecraft \
         astronaut telescope ai artificial intelligence robot chip chips semiconductor \
         software technology tech internet cyber computer quantum physics discovery \
         laboratory genome planet comet",
    ),
    (
        Topic::Health,
        "health hospital hospitals doctor doctors patient patients disease virus outbreak \
         epidemic pandemic vaccine vaccines vaccination vaccinate measles cholera covid \
         cancer medicine medical drug infection clinic clinics mpox malaria ebola nurse \
         nurses contagion immunization mmr diabetes",
    ),
    (
        Topic::Society,
        "strike strikes union unions worker workers protest protests protesters \
         demonstrator demonstrators demonstration pension pensions retirement education \
         school schools teacher teachers student students university migration migrant \
         migrants refugee refugees asylum religion church pope crime police prison court \
         trial justice women rights poverty housing welfare labour labor social \
         mobilization discrimination",
    ),
    (
        Topic::Sport,
        "sport sports football soccer league cup champion champions championship match goal \
         scored cricket tennis golf rugby basketball olympic olympics athlete athletes \
         tournament coach player players team club stadium fifa uefa trophy wicket innings \
         odi overs batsman bowler bowlers squad fans medal striker midfielder marathon",
    ),
    (
        Topic::Culture,
        "film films movie cinema festival actor actress music singer album concert art \
         artist museum exhibition book novel author literature theatre theater oscar \
         cannes palme heritage fashion opera ballet painting poet poetry filmmaker \
         hollywood bollywood eurovision",
    ),
];

/// Stem → the topics it belongs to.
fn keywords() -> &'static HashMap<String, Topics> {
    static STEMS: OnceLock<HashMap<String, Topics>> = OnceLock::new();
    STEMS.get_or_init(|| {
        let mut stems: HashMap<String, Topics> = HashMap::new();
        for (topic, words) in KEYWORDS {
            for stem in text::words(words) {
                stems.entry(stem).or_default().insert(topic);
            }
        }
        stems
    })
}

/// The topics of an article, strongest first (ties in [`Topic::ALL`] order): those scoring
/// at least [`MIN_SCORE`], at most [`MAX_TOPICS`].
pub fn ranked(title: &str, summary: &str) -> Vec<Topic> {
    let mut scores = [0u32; Topic::ALL.len()];
    for (field, points) in [(title, TITLE_POINTS), (summary, SUMMARY_POINTS)] {
        let mut stems: Vec<String> = text::words(text::prefix(field, TEXT_CHARS)).collect();
        stems.sort_unstable();
        stems.dedup();
        for topics in stems.iter().filter_map(|s| keywords().get(s)) {
            for topic in topics.iter() {
                scores[topic as usize] += points;
            }
        }
    }
    let mut ranked: Vec<Topic> = Topic::ALL
        .into_iter()
        .filter(|&t| scores[t as usize] >= MIN_SCORE)
        .collect();
    // A stable sort keeps ties in ALL order.
    ranked.sort_by_key(|&t| std::cmp::Reverse(scores[t as usize]));
    ranked.truncate(MAX_TOPICS);
    ranked
}

/// The topics of an article with this English title and summary; see [`ranked`].
pub fn tag(title: &str, summary: &str) -> Topics {
    ranked(title, summary).into_iter().collect()
}

#[cfg(test)]
mod topic_tests {
    use super::*;

    #[test]
    fn keys_and_labels_round_trip_and_are_distinct() {
        for topic in Topic::ALL {
            assert_eq!(Topic::from_key(topic.key()), Some(topic));
            assert_eq!(Topic::from_key(&topic.key().to_uppercase()), Some(topic));
            assert!(topic.key().chars().all(|c| c.is_ascii_lowercase()));
            assert_eq!(
                serde_json::to_string(&topic).ok(),
                Some(format!("\"{}\"", topic.key()))
            );
        }
        assert_eq!(Topic::from_key("weather"), None);
        assert_eq!(Topic::Climate.label(), "Climate & environment");
        let labels: std::collections::BTreeSet<_> = Topic::ALL.map(Topic::label).into();
        assert_eq!(labels.len(), 9);
    }

    #[test]
    fn all_is_in_declaration_order() {
        assert!(Topic::ALL.windows(2).all(|w| w[0] < w[1]));
        assert!(Topic::ALL.iter().enumerate().all(|(i, &t)| t as usize == i));
    }
}

#[cfg(test)]
mod topics_tests {
    use super::*;

    #[test]
    fn a_set_holds_what_was_inserted_in_all_order() {
        let mut set = Topics::default();
        assert!(set.is_empty());
        set.insert(Topic::Sport);
        set.insert(Topic::Conflict);
        set.insert(Topic::Sport);
        assert!(set.contains(Topic::Sport) && set.contains(Topic::Conflict));
        assert!(!set.contains(Topic::Health));
        assert_eq!(set.len(), 2);
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Topic::Conflict, Topic::Sport]
        );
        assert_eq!(Topic::ALL.into_iter().collect::<Topics>().len(), 9);
    }
}

#[cfg(test)]
mod tag_tests {
    use super::*;

    #[test]
    fn every_keyword_is_one_matching_word() {
        for (topic, words) in KEYWORDS {
            for word in words.split_whitespace() {
                let stems: Vec<String> = text::words(word).collect();
                assert_eq!(stems.len(), 1, "{topic:?}: {word:?} is not matched");
            }
        }
    }

    #[test]
    fn clear_articles_get_their_topic_first() {
        for (title, summary, topic) in [
            (
                "Missile strikes hit port city overnight",
                "The army said its air defence shot down 20 drones.",
                Topic::Conflict,
            ),
            (
                "Opposition wins parliament majority in snap election",
                "The prime minister conceded defeat as votes were counted.",
                Topic::Politics,
            ),
            (
                "Central bank raises interest rates to fight inflation",
                "Markets fell and the currency weakened.",
                Topic::Economy,
            ),
            (
                "Heatwave and drought fuel wildfires across southern Europe",
                "Firefighters battled flames as temperatures passed 44C.",
                Topic::Climate,
            ),
            (
                "Researchers unveil quantum computer chip",
                "The scientists say the technology could speed up AI.",
                Topic::Science,
            ),
            (
                "Cholera outbreak spreads as hospitals run short of vaccines",
                "Doctors warn the disease could reach the capital.",
                Topic::Health,
            ),
            (
                "Teachers strike over pay as schools close",
                "Unions say workers have lost a fifth of their wages to inflation.",
                Topic::Society,
            ),
            (
                "Striker's late goal wins the cup for the home team",
                "Fans invaded the pitch at the final whistle.",
                Topic::Sport,
            ),
            (
                "Debut novel wins literature prize at book festival",
                "The author's next project is a film adaptation.",
                Topic::Culture,
            ),
        ] {
            let ranked = ranked(title, summary);
            assert_eq!(ranked.first(), Some(&topic), "{title}: {ranked:?}");
            assert!(tag(title, summary).contains(topic));
        }
    }

    #[test]
    fn an_article_about_nothing_known_gets_no_topic() {
        assert!(tag("Local bakery celebrates its anniversary", "Cake for all.").is_empty());
        assert!(tag("", "").is_empty());
        // One summary keyword is not enough to decide.
        assert!(tag("Town hall reopens", "The mayor cut the ribbon.").is_empty());
    }

    #[test]
    fn title_words_outweigh_summary_words() {
        let ranked = ranked(
            "Football club hit by fire at stadium",
            "No match was played; the league will decide on the fixture.",
        );
        assert_eq!(ranked, [Topic::Sport, Topic::Climate]);
        // A keyword counts once per field however often it repeats.
        assert_eq!(tag("Vote", &"vote ".repeat(50)), tag("Vote", "vote"));
    }

    #[test]
    fn at_most_three_topics_strongest_first() {
        let ranked = ranked(
            "War, election, inflation, flood, vaccine and football",
            "Missile attack on the parliament; flood waters rise.",
        );
        assert_eq!(ranked, [Topic::Conflict, Topic::Politics, Topic::Climate]);
        assert_eq!(
            super::ranked("War, election, inflation and flood", ""),
            [Topic::Conflict, Topic::Politics, Topic::Economy]
        );
    }

    #[test]
    fn untrusted_text_never_panics() {
        let html = "<script>alert('war')</script><p>Election &amp; <b>vote</b></p>";
        assert!(tag(html, html).contains(Topic::Politics));
        let huge = "earthquake ".repeat(100_000);
        assert_eq!(huge.len(), 1_100_000);
        assert!(tag(&huge, &huge).contains(Topic::Climate));
        let emoji = "🌍🔥⚽️ 🇺🇦 \u{200d}\u{0}\u{feff} ﷽ 𝔼𝕝𝕖𝕔𝕥𝕚𝕠𝕟";
        assert!(tag(emoji, emoji).is_empty());
        let mixed = "Землетрясение 地震 زلزال earthquake";
        assert!(tag(mixed, "").contains(Topic::Climate));
    }
}

#[cfg(test)]
mod corpus_tests {
    use super::*;
    use crate::news::stories::fixture;

    #[test]
    fn the_editors_topic_is_among_the_tags() {
        let (_, articles) = fixture::corpus();
        let mut tagged = 0;
        let mut first = 0;
        let mut untagged = 0;
        for article in &articles {
            let expected = Topic::from_key(&article.topic).expect("a known topic key");
            let ranked = ranked(&article.title_en, &article.summary_en);
            tagged += usize::from(ranked.contains(&expected));
            first += usize::from(ranked.first() == Some(&expected));
            untagged += usize::from(ranked.is_empty());
        }
        let share = |n: usize| n as f64 / articles.len() as f64;
        eprintln!(
            "topics: editor's topic among the tags for {tagged} of {} ({:.3}), first for {first} \
             ({:.3}); {untagged} untagged",
            articles.len(),
            share(tagged),
            share(first)
        );
        // Measured 0.990 among the tags and 0.981 first: one Colombian election report whose
        // translation names no election is untagged, and "Rail strike: what passengers now
        // need to know" ties conflict with society on "strike" (society is second). The
        // keyword lists were written with this corpus in view, so these overstate accuracy
        // on unseen news; the floors, a few points under, guard against lists or scoring
        // that get worse.
        assert!(share(tagged) >= 0.95, "{tagged} of {}", articles.len());
        assert!(share(first) >= 0.90, "{first} of {}", articles.len());
    }
}
