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
//! Scoring: each cue found in the title scores [`TITLE_POINTS`], in the summary
//! [`SUMMARY_POINTS`], counted once per field however often it repeats. A cue is a keyword
//! ([`KEYWORDS`]), a supporting word ([`SUPPORT`]) or a phrase ([`PHRASES`]); a topic's
//! supporting words count only when one of its keywords or phrases is there too, so "team"
//! and "fans" alone never make a TV show sport, nor "fire" a red carpet the weather's.
//!
//! Tags are given only where the words are clear, since a wrong tag is worse for a reader
//! than none: the strongest topic must score at least [`MIN_SCORE`] (one title keyword, or
//! two summary cues) and lead every other by [`MIN_LEAD`] (one title keyword), or the article
//! gets no topic (NATO news that reads as much politics as conflict); a second or third topic
//! must score at least [`MIN_EXTRA_SCORE`] and [`MIN_EXTRA_SHARE`] of the first, so that a
//! passing word adds no tag. At most [`MAX_TOPICS`], the strongest first, ties in
//! [`Topic::ALL`] order. An article about nothing the lists know gets no topic either.
//!
//! Measured on real labelled news (the test `topic_tags_on_labelled_news` in tests/news.rs,
//! data from `scripts/topic-eval-data.py`; the thresholds were chosen on its tuning part):
//! every tag given agrees with the outlet's section for 0.81 of the tags (0.79 held out, 0.78
//! on the BBC set, held out whole), and is the section's or judged fair by an independent
//! review for 0.96 (0.93, 0.91). The README has the figures per topic.
//!
//! Not this module's concern: what the tags are used for, or other languages (callers pass
//! the English translation).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::words;

/// Points for a keyword in the title: a title names the subject, a summary adds context.
pub const TITLE_POINTS: u32 = 2;
pub const SUMMARY_POINTS: u32 = 1;
/// The least score for a topic to be given.
pub const MIN_SCORE: u32 = 2;
/// How far the first topic must lead every other to be given: one title keyword. Two topics
/// about level (NATO news that reads as politics and as conflict) leave the article untagged:
/// a wrong tag is worse for a reader than none.
pub const MIN_LEAD: u32 = TITLE_POINTS;
/// The least score for a second or third topic: two title keywords (or a title keyword and
/// two summary cues), and at least half the first topic's ([`MIN_EXTRA_SHARE`]), so that a
/// passing word in the summary adds no tag.
pub const MIN_EXTRA_SCORE: u32 = 2 * TITLE_POINTS;
/// A second or third topic's least score as a share of the first's, as (numerator,
/// denominator).
pub const MIN_EXTRA_SHARE: (u32, u32) = (1, 2);
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

/// The words that name a topic on their own, as a reader would write them; they are stemmed
/// like article text when first used.
const KEYWORDS: [(Topic, &str); 9] = [
    (
        Topic::Conflict,
        "war wars warfare military army troops soldier soldiers missile missiles drone drones \
         airstrike airstrikes bombing bombings bomb shelling artillery ceasefire truce invasion \
         rebel rebels militant militants militia insurgent insurgents terrorist terrorists \
         terrorism hostage hostages weapon weapons frontline combat navy nato barrage airspace",
    ),
    (
        Topic::Politics,
        "election elections electoral vote votes voter voters ballot referendum runoff \
         parliament parliamentary congress congressional senate senator senators lawmaker \
         lawmakers legislature president presidential minister ministers government cabinet \
         opposition coalition mayor mayoral governor diplomacy diplomat diplomatic summit \
         treaty sanctions chancellor impeachment politics political politician politicians \
         democracy kremlin republican republicans democrat democrats",
    ),
    (
        Topic::Economy,
        "economy economic economist inflation recession gdp tariff tariffs stocks investor \
         investors currency rupee peso yen imf ecb unemployment wage wages mortgage mortgages \
         monetary borrowing refinery earnings profit profits trade export exports import \
         imports debt finance financial tax taxes oil fuel petrol gasoline",
    ),
    (
        Topic::Climate,
        "climate weather flood floods flooding flooded rainfall hurricane typhoon cyclone \
         drought heatwave wildfire wildfires earthquake quake tremor temblor tsunami seismic \
         aftershock aftershocks richter volcano eruption landslide monsoon emissions carbon \
         pollution environmental deforestation biodiversity renewable glacier torrential \
         deluge meteorological wildlife warming",
    ),
    (
        Topic::Science,
        "science scientific scientist scientists researcher researchers nasa rocket satellite \
         asteroid lunar orbit spacecraft astronaut telescope ai robot robots semiconductor \
         software technology cyber computer quantum physics laboratory genome planet comet",
    ),
    (
        Topic::Health,
        "health hospital hospitals doctor doctors patient patients disease diseases virus \
         outbreak epidemic pandemic vaccine vaccines vaccination vaccinate measles cholera \
         covid cancer medicine medical infection clinic clinics mpox malaria ebola nurse \
         nurses contagion immunization mmr diabetes flu dementia obesity autism surgery \
         nhs",
    ),
    (
        Topic::Society,
        "protest protests protesters demonstrator demonstrators demonstration pension pensions \
         retirement education school schools teacher teachers student students university \
         migration migrant migrants immigrant immigrants refugee refugees asylum religion \
         church pope crime police prison poverty welfare discrimination homeless deposition \
         union unions",
    ),
    (
        Topic::Sport,
        "sport sports football footballer footballers soccer league championship cricket tennis golf rugby \
         basketball baseball hockey olympic olympics paralympic athlete athletes tournament \
         stadium fifa uefa wicket innings odi batsman bowler striker midfielder goalkeeper \
         marathon champions",
    ),
    (
        Topic::Culture,
        "film films movie movies cinema actor actress singer album concert artist museum \
         exhibition novel literature theatre theater oscar oscars cannes palme heritage \
         fashion opera ballet painting poet poetry filmmaker hollywood bollywood eurovision \
         tv television sitcom gaming gamer gamers grammy grammys bafta baftas emmy",
    ),
];

/// Words that are a topic's only beside one of its [`KEYWORDS`]: "team", "fans" and "game"
/// are sport's in a match report and not in a review of a TV show; "fire" and "rain" are the
/// weather's beside "wildfire" and not on a red carpet; "defense" is the army's beside
/// "troops" and not in a courtroom. Alone they tag nothing.
const SUPPORT: [(Topic, &str); 9] = [
    (
        Topic::Conflict,
        "strike strikes attack attacks defence defense peace offensive fighter fighters armed",
    ),
    (
        Topic::Politics,
        "party campaign candidate candidates poll polls leader leaders ruling constitution \
         communique g7 g20 nominee",
    ),
    (
        Topic::Economy,
        "interest rate rates bank banks market markets stock price prices dollar euro growth \
         budget company companies business jobs industry fare fares cost costs spending \
         consumer shares bond bonds",
    ),
    (
        Topic::Climate,
        "rain rains storm fire fires firefighter firefighters forest disaster evacuation \
         evacuate magnitude environment",
    ),
    (
        Topic::Science,
        "research study space probe moon mars chip chips tech internet discovery",
    ),
    (Topic::Health, "drug drugs stroke"),
    (
        Topic::Society,
        "strike strikes worker workers court trial justice lawsuit women rights labour labor social \
         mobilization housing",
    ),
    (
        Topic::Sport,
        "cup champion match goal scored coach player players team club trophy squad \
         fans medal overs bowlers game games",
    ),
    (
        Topic::Culture,
        "festival music art book author show series season episode star",
    ),
];

/// Phrases read as one word, before their words are: "price war" is a matter for the
/// economy, not for conflict, and "White House" for politics, not for housing. A phrase
/// with no topic only keeps its words from counting.
const PHRASES: [(&str, Option<Topic>); 28] = [
    ("price war", Some(Topic::Economy)),
    ("trade war", Some(Topic::Economy)),
    ("bidding war", Some(Topic::Economy)),
    ("central bank", Some(Topic::Economy)),
    ("stock market", Some(Topic::Economy)),
    ("trade union", Some(Topic::Society)),
    ("rail strike", Some(Topic::Society)),
    ("general strike", Some(Topic::Society)),
    ("european union", Some(Topic::Politics)),
    ("soviet union", None),
    ("eurasian economic union", Some(Topic::Economy)),
    ("air defence", Some(Topic::Conflict)),
    ("air defense", Some(Topic::Conflict)),
    ("forest fire", Some(Topic::Climate)),
    ("european cup", Some(Topic::Sport)),
    ("white house", Some(Topic::Politics)),
    ("justice department", Some(Topic::Politics)),
    ("department of justice", Some(Topic::Politics)),
    ("tv show", Some(Topic::Culture)),
    ("red carpet", Some(Topic::Culture)),
    ("box office", Some(Topic::Culture)),
    ("star wars", Some(Topic::Culture)),
    ("science fiction", Some(Topic::Culture)),
    ("super bowl", Some(Topic::Sport)),
    ("war of words", None),
    ("culture war", None),
    ("turf war", None),
    ("mars bar", None),
];

/// How a word counts for a topic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Cues {
    /// The topics it names on its own.
    keyword: Topics,
    /// The topics it supports when one of their keywords is there too.
    support: Topics,
}

/// What the lists say, stemmed: each word's cues, and each phrase as its stems.
struct Lexicon {
    words: HashMap<String, Cues>,
    phrases: Vec<(Vec<String>, Option<Topic>)>,
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut words: HashMap<String, Cues> = HashMap::new();
        for (topic, list) in KEYWORDS {
            for stem in words::words(list) {
                words.entry(stem).or_default().keyword.insert(topic);
            }
        }
        for (topic, list) in SUPPORT {
            for stem in words::words(list) {
                words.entry(stem).or_default().support.insert(topic);
            }
        }
        let mut phrases: Vec<_> = PHRASES
            .iter()
            .map(|&(phrase, topic)| (words::words(phrase).collect::<Vec<_>>(), topic))
            .collect();
        // Longest first, so that a phrase inside a longer one never cuts the longer one short.
        phrases.sort_by_key(|(stems, _)| std::cmp::Reverse(stems.len()));
        Lexicon { words, phrases }
    })
}

/// The cues of one field: each counted once however often it repeats. A phrase is a cue of
/// its own; its words are not.
fn field_cues(field: &str) -> Vec<Cues> {
    let lexicon = lexicon();
    let stems: Vec<String> = words::words(words::prefix(field, TEXT_CHARS)).collect();
    let mut seen: Vec<&str> = Vec::new();
    let mut phrases_seen: Vec<usize> = Vec::new();
    let mut cues = Vec::new();
    let mut i = 0;
    while i < stems.len() {
        let phrase = lexicon
            .phrases
            .iter()
            .position(|(words, _)| stems[i..].starts_with(words));
        if let Some(p) = phrase {
            let (words, topic) = &lexicon.phrases[p];
            if !phrases_seen.contains(&p) {
                phrases_seen.push(p);
                cues.push(Cues {
                    keyword: topic.iter().copied().collect(),
                    support: Topics::default(),
                });
            }
            i += words.len();
            continue;
        }
        let stem = stems[i].as_str();
        if !seen.contains(&stem) {
            seen.push(stem);
            cues.extend(lexicon.words.get(stem).copied());
        }
        i += 1;
    }
    cues
}

/// Each topic's score for an article, in [`Topic::ALL`] order: its cues' points, its
/// supporting words' only when one of its keywords or phrases is there.
pub(crate) fn scores(title: &str, summary: &str) -> [u32; Topic::ALL.len()] {
    let mut named = [0u32; Topic::ALL.len()];
    let mut supported = [0u32; Topic::ALL.len()];
    for (field, points) in [(title, TITLE_POINTS), (summary, SUMMARY_POINTS)] {
        for cues in field_cues(field) {
            cues.keyword
                .iter()
                .for_each(|t| named[t as usize] += points);
            cues.support
                .iter()
                .for_each(|t| supported[t as usize] += points);
        }
    }
    std::array::from_fn(|i| {
        if named[i] > 0 {
            named[i] + supported[i]
        } else {
            0
        }
    })
}

/// The topics of an article, strongest first (ties in [`Topic::ALL`] order), at most
/// [`MAX_TOPICS`]: none unless the strongest scores at least [`MIN_SCORE`] and leads every
/// other by [`MIN_LEAD`]; then it, and those others that score at least [`MIN_EXTRA_SCORE`]
/// and [`MIN_EXTRA_SHARE`] of it.
pub fn ranked(title: &str, summary: &str) -> Vec<Topic> {
    let scores = scores(title, summary);
    let mut ranked: Vec<Topic> = Topic::ALL
        .into_iter()
        .filter(|&t| scores[t as usize] >= MIN_SCORE)
        .collect();
    // A stable sort keeps ties in ALL order.
    ranked.sort_by_key(|&t| std::cmp::Reverse(scores[t as usize]));
    let Some(&first) = ranked.first() else {
        return ranked;
    };
    let top = scores[first as usize];
    let runner_up = ranked.get(1).map_or(0, |&t| scores[t as usize]);
    if top < runner_up + MIN_LEAD {
        return Vec::new();
    }
    let (num, den) = MIN_EXTRA_SHARE;
    let mut given = vec![first];
    given.extend(ranked[1..].iter().copied().filter(|&t| {
        let score = scores[t as usize];
        score >= MIN_EXTRA_SCORE && score * den >= top * num
    }));
    given.truncate(MAX_TOPICS);
    given
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
        for (topic, words) in KEYWORDS.into_iter().chain(SUPPORT) {
            for word in words.split_whitespace() {
                let stems: Vec<String> = words::words(word).collect();
                assert_eq!(stems.len(), 1, "{topic:?}: {word:?} is not matched");
            }
        }
    }

    #[test]
    fn every_phrase_is_two_matching_words_or_more() {
        // A stopword inside a phrase drops out of it ("video game" would be "game" alone, and
        // every game would be culture's).
        for (phrase, _) in PHRASES {
            assert!(words::words(phrase).count() >= 2, "{phrase:?}");
        }
    }

    #[test]
    fn words_used_in_another_sense_tag_nothing_wrong() {
        // Shaped like the headlines that a user saw mis-tagged (issue 17, item 12).
        for (title, summary, wrong, right) in [
            (
                "Zendaya's red carpet wardrobe sets the internet on fire",
                "The actress stunned in a forest green gown at the premiere, braving the rain.",
                Topic::Climate,
                Some(Topic::Culture),
            ),
            (
                "Musk grilled for hours in deposition over Twitter takeover",
                "Defense lawyers accused the shareholders of an attack on his reputation, \
                 court papers show.",
                Topic::Conflict,
                Some(Topic::Society),
            ),
            (
                "Telecom price war: Jio and Airtel slash mobile data tariffs",
                "Rival operators cut prices again as the battle for subscribers intensifies.",
                Topic::Conflict,
                Some(Topic::Economy),
            ),
            (
                "'Squid Game' season two: the players are back for the deadliest game yet",
                "Netflix's hit TV show returns with a new team of contestants chasing the prize.",
                Topic::Sport,
                Some(Topic::Culture),
            ),
            (
                "Nintendo's new Zelda video game has players breaking sales records",
                "Players queued overnight as the console maker's biggest title went on sale.",
                Topic::Sport,
                None,
            ),
            (
                "White House readies its budget",
                "The president's aides met at the White House.",
                Topic::Society,
                Some(Topic::Politics),
            ),
        ] {
            let ranked = ranked(title, summary);
            assert!(!ranked.contains(&wrong), "{title}: {ranked:?}");
            if let Some(right) = right {
                assert_eq!(ranked.first(), Some(&right), "{title}: {ranked:?}");
            }
        }
    }

    #[test]
    fn a_lawsuit_is_about_its_subject() {
        // "Lawsuit" names a legal form, not a topic: a lawsuit over a travel ban is not
        // society's, while one against the police is.
        assert!(tag("Hawaii files lawsuit against travel ban", "").is_empty());
        assert_eq!(
            ranked("Families file lawsuit over prison deaths", ""),
            [Topic::Society]
        );
    }

    #[test]
    fn supporting_words_count_beside_a_keyword_only() {
        assert!(tag("Team fans cheer the coach", "The players won the cup.").is_empty());
        assert_eq!(
            ranked(
                "Team fans cheer the coach",
                "The football players won the cup."
            ),
            [Topic::Sport]
        );
        // A phrase is read before its words: "price war" is the economy's, never a war.
        assert_eq!(ranked("Price war", ""), [Topic::Economy]);
        assert_eq!(ranked("War", ""), [Topic::Conflict]);
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
            "Football club hit by flood at stadium",
            "No match was played; the league will decide on the fixture, and the river rose.",
        );
        assert_eq!(ranked, [Topic::Sport]);
        // A keyword counts once per field however often it repeats.
        assert_eq!(tag("Vote", &"vote ".repeat(50)), tag("Vote", "vote"));
    }

    #[test]
    fn at_most_three_topics_strongest_first() {
        let ranked = ranked(
            "War and missile strikes: election vote, inflation tariffs, flood and rainfall",
            "",
        );
        assert_eq!(ranked, [Topic::Conflict, Topic::Politics, Topic::Economy]);
    }

    #[test]
    fn only_a_clear_leader_is_given_and_only_strong_others_beside_it() {
        // Two topics level, or one only a summary cue ahead: no tag rather than a coin toss.
        assert!(tag("NATO summit opens", "").is_empty());
        assert!(tag("Missile test", "The parliament voted.").is_empty());
        assert!(tag("Missile test", "The parliament voted on the troops.").is_empty());
        // A title keyword ahead: the leader alone, a passing summary word adds nothing.
        assert_eq!(ranked("Missile test", ""), [Topic::Conflict]);
        assert_eq!(
            ranked("Troops and drones shell the port", "The mayor spoke."),
            [Topic::Conflict]
        );
        // A second topic as strong as two title keywords and half the first is given too.
        assert_eq!(
            ranked(
                "Troops shell port as flood waters rise",
                "Drones and missiles; torrential rain."
            ),
            [Topic::Conflict, Topic::Climate]
        );
        // ... and not when it is under half the first.
        assert_eq!(
            ranked(
                "Troops, drones and missiles shell port amid flood",
                "Artillery and soldiers at the frontline; the ceasefire is over."
            ),
            [Topic::Conflict]
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
        // Measured 0.951 among the tags and 0.951 first (0.971 before the first topic had to
        // lead by a title keyword): the Colombian election report whose translation names no
        // election is untagged, and so is "Nigerian fans celebrate as Arsenal end long wait
        // for European glory", which has only sport's supporting words; Erdoğan in the
        // earthquake zone and Modi discussing defence and AI at the G7 now are too, their
        // two topics too close to call.
        // The keyword lists were written with this corpus in view, so these overstate
        // accuracy on unseen news (tests/news.rs measures that); the floors, a few points
        // under, guard against lists or scoring that get worse.
        assert!(share(tagged) >= 0.93, "{tagged} of {}", articles.len());
        assert!(share(first) >= 0.90, "{first} of {}", articles.len());
    }
}
