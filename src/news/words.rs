//! Words of English news text for matching, shared by story clustering and topic tagging:
//! lowercase Unicode words without stopwords, numbers or one-letter pieces, each cut to a
//! light stem so that "quake", "quakes" and "quaked" meet, and marked when written like a
//! name (a capital inside a sentence, or an acronym).
//!
//! The stemmer is deliberately lighter than Porter's: it folds plurals and the `-ed` and
//! `-ing` forms, and British spellings into American ones, the variation that separates one
//! outlet's headline from another's about the same event; a short list of `-ing` nouns keeps
//! them apart from their verbs ("housing", "house"). It needs no dictionary and never
//! panics, whatever the script: it only ever rewrites ASCII suffixes. Not this module's concern: other languages (callers pass
//! the English translation), or what the words are then used for.

use std::sync::OnceLock;

/// English function words and news filler ("says", "update", "photos") that any story can
/// contain; matching on them would join unrelated stories. Sorted, one space apart.
const STOPWORDS: &str = "\
    a about above according across after again against ago all almost already also although am \
    amid among an and another any are around as at back be became because become been before \
    being between both breaking but by can could day days did do does during each eight either \
    every exclusive few five for four from further get go going got had has have he her here \
    hers him his how however if in including into is it its itself just latest least like live \
    made make many may might more most mr mrs ms much must my need new news nine no nor not \
    now of off on once one only or other others our out over own people per photo photos \
    report reported reportedly reports said same say says seven she should since six so some \
    still such take ten than that the their them then there these they this those three \
    through to today told too two under until up update updates upon us very via video videos \
    was watch we week were what when where whether which while who whom why will with within \
    without would year years yesterday yet you your";

pub(crate) fn is_stopword(word: &str) -> bool {
    static SORTED: OnceLock<Vec<&'static str>> = OnceLock::new();
    SORTED
        .get_or_init(|| STOPWORDS.split(' ').collect())
        .binary_search(&word)
        .is_ok()
}

/// Longer "words" are not words: URLs run together, base64, or a sentence of a script that
/// writes no spaces (untranslated Chinese), which would never match anything anyway.
pub(crate) const MAX_WORD_CHARS: usize = 32;

/// The first `max_chars` characters of `text`: the words that matter in news come first, and
/// untrusted feed text can be any length.
pub(crate) fn prefix(text: &str, max_chars: usize) -> &str {
    text.char_indices()
        .nth(max_chars)
        .map_or(text, |(end, _)| &text[..end])
}

/// The matching words of `text`, stemmed, in the order they appear (repeats included).
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    marked_words(text).map(|w| w.stem)
}

/// A matching word and how it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Word {
    pub stem: String,
    /// Written with a capital inside a sentence ("in Malatya"): likely part of a name.
    pub capitalized: bool,
    /// Written in capitals, two or more letters ("ECB", "GDL"): an acronym wherever it is,
    /// unless a word beside it is written in capitals too: "GLOBAL MARKETS-", "BREAKING NEWS"
    /// and a headline in capitals are shouted labels, not names.
    pub acronym: bool,
    /// Written starting with a lowercase letter ("central bank"): a common word here, which a
    /// proper name ("Japan") hardly ever is.
    pub lowercase: bool,
}

/// The matching words of `text` like [`words`], each marked with how it was written.
pub(crate) fn marked_words(text: &str) -> impl Iterator<Item = Word> + '_ {
    let pieces: Vec<(&str, bool)> = pieces(text).collect();
    let capitals: Vec<bool> = pieces.iter().map(|(piece, _)| in_capitals(piece)).collect();
    let acronyms: Vec<bool> = (0..pieces.len())
        .map(|at| {
            let shouted = (at > 0 && capitals[at - 1]) || capitals.get(at + 1) == Some(&true);
            capitals[at] && !shouted
        })
        .collect();
    pieces
        .into_iter()
        .zip(acronyms)
        .filter_map(|((piece, sentence_start), acronym)| {
            let word = piece.to_lowercase();
            let chars = word.chars().count();
            let number = word.bytes().all(|b| b.is_ascii_digit());
            // A year names an event ("the 2011 disaster"); other numbers are tolls and scores
            // that change from one report of a story to the next.
            let keep = (2..=MAX_WORD_CHARS).contains(&chars)
                && (!number || chars == 4)
                && !is_stopword(&word);
            keep.then(|| Word {
                capitalized: !sentence_start
                    && piece.chars().next().is_some_and(char::is_uppercase),
                acronym,
                lowercase: piece.chars().next().is_some_and(char::is_lowercase),
                stem: stem(word),
            })
        })
}

/// Whether a piece is written in capitals: two or more letters, all of them upper case.
fn in_capitals(piece: &str) -> bool {
    let upper = piece.chars().filter(|c| c.is_uppercase()).count();
    let letters = piece.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2 && upper == letters
}

/// The runs of letters and digits in `text`, each with whether it starts a sentence (the
/// first, or the first after `.`, `!`, `?`, `:` or `;`).
pub(crate) fn pieces(text: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut rest = text;
    let mut boundary = true;
    std::iter::from_fn(move || {
        let start = rest.find(char::is_alphanumeric)?;
        boundary |= rest[..start].contains(['.', '!', '?', ':', ';']);
        let after = &rest[start..];
        let len = after
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(after.len());
        rest = &after[len..];
        let starts = std::mem::replace(&mut boundary, false);
        Some((&after[..len], starts))
    })
}

/// Nouns in `-ing` that name something other than their verb does, kept whole so that they
/// do not meet it: "housing" (a market) is not "house" ("House of Cards", the White House),
/// "ratings" (of credit, of a show) are not "rates", "marketing" is not a "market". Sorted.
const ING_NOUNS: [&str; 12] = [
    "ceiling",
    "clothing",
    "dressing",
    "evening",
    "housing",
    "incoming",
    "marketing",
    "morning",
    "rating",
    "sporting",
    "timing",
    "wedding",
];

/// British spellings and their American forms, singular, sorted: one outlet's "defence
/// minister" is another's "defense minister", and stories are matched across countries.
/// Not "labour": the British party is not the American "labor" of unions and markets.
const BRITISH: [(&str, &str); 23] = [
    ("aluminium", "aluminum"),
    ("analyse", "analyze"),
    ("armour", "armor"),
    ("behaviour", "behavior"),
    ("catalogue", "catalog"),
    ("centre", "center"),
    ("colour", "color"),
    ("defence", "defense"),
    ("favour", "favor"),
    ("fibre", "fiber"),
    ("flavour", "flavor"),
    ("grey", "gray"),
    ("harbour", "harbor"),
    ("honour", "honor"),
    ("humour", "humor"),
    ("licence", "license"),
    ("litre", "liter"),
    ("metre", "meter"),
    ("neighbour", "neighbor"),
    ("offence", "offense"),
    ("programme", "program"),
    ("rumour", "rumor"),
    ("theatre", "theater"),
];

/// `word` in its American spelling where [`BRITISH`] has it, as written or with the final
/// `e` an ending took ("centr" of "centred").
fn american_spelling(word: &mut String) {
    // No allocation: this runs on every word of every article clustered.
    let found = BRITISH.iter().find(|(british, _)| {
        british
            .strip_prefix(word.as_str())
            .is_some_and(|rest| rest.is_empty() || rest == "e")
    });
    if let Some((_, american)) = found {
        *word = (*american).to_owned();
    }
}

/// Endings of British "-ise" words, whose American forms write "-ize" ("apologises",
/// "organisation"). Checked longest first.
const ISE_ENDINGS: [&str; 8] = [
    "isations", "isation", "isers", "ising", "ises", "ised", "iser", "ise",
];

/// Rewrites a British "-ise" word in its American "-ize" form, where at least three letters
/// come before the ending: short words ("rise", "wise", "noise") are no such verbs. A few
/// that are ("promise", "exercise") become forms nobody writes, which is harmless: every
/// form of them is rewritten alike.
fn american_ize(word: &mut String) {
    let Some(ending) = ISE_ENDINGS.iter().find(|e| word.ends_with(*e)) else {
        return;
    };
    let at = word.len() - ending.len();
    if word[..at].chars().count() >= 3 {
        word.replace_range(at..at + 2, "iz");
    }
}

/// `word` without its plural, `-ed` or `-ing` ending, and without a final `e`, so that
/// "rate", "rates" and "rated" all give "rat". Words of three letters or fewer are left as
/// they are: their endings are not suffixes ("gas", "bus", "red").
pub(crate) fn stem(mut word: String) -> String {
    if word.len() <= 3 {
        return word;
    }
    american_ize(&mut word);
    if word.ends_with("ies") && word.len() > 4 {
        word.truncate(word.len() - 3);
        word.push('y');
    } else if word.ends_with('s') && !["ss", "us", "is"].iter().any(|end| word.ends_with(end)) {
        word.pop();
    }
    if ING_NOUNS.binary_search(&word.as_str()).is_ok() {
        return word;
    }
    american_spelling(&mut word);
    if word.ends_with("ied") && word.len() > 4 {
        word.truncate(word.len() - 3);
        word.push('y');
    } else if let Some(base) = ["ing", "ed"]
        .iter()
        .find_map(|end| word.strip_suffix(end))
        .filter(|base| base.len() >= 3 && base.bytes().any(is_vowel))
    {
        let mut base = base.to_owned();
        // "stopped" and "planning": the doubled consonant belongs to the suffix.
        let bytes = base.as_bytes();
        if let [.., a, b] = bytes
            && a == b
            && a.is_ascii_lowercase()
            && !is_vowel(*a)
            && !matches!(a, b'l' | b's' | b'z')
        {
            base.pop();
        }
        word = base;
        // "coloured", "centred": the British base shows once its ending is gone.
        american_spelling(&mut word);
    }
    if word.ends_with('e') && word.len() > 3 {
        word.pop();
    }
    word
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

#[cfg(test)]
mod words_tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        words(text).collect()
    }

    #[test]
    fn stopwords_are_sorted_lowercase_and_unique() {
        let list: Vec<&str> = STOPWORDS.split(' ').collect();
        assert!(list.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        assert!(list.iter().all(|w| !w.is_empty() && w.to_lowercase() == *w));
        assert!(is_stopword("says") && is_stopword("the") && !is_stopword("quake"));
    }

    #[test]
    fn keeps_content_words_lowercased_and_stemmed() {
        assert_eq!(
            all("Strong quake rocks eastern Turkey, killing at least 12"),
            ["strong", "quak", "rock", "eastern", "turkey", "kill"]
        );
        assert_eq!(all("Fed says: LIVE update, photos"), ["fed"]);
    }

    #[test]
    fn drops_numbers_but_keeps_years_and_mixed_tokens() {
        assert_eq!(
            all("6.8 quake, 2011 disaster, 40,000 homes"),
            ["quak", "2011", "disaster", "hom"]
        );
        assert_eq!(all("asteroid 2016HO3"), ["asteroid", "2016ho3"]);
    }

    #[test]
    fn possessives_and_hyphens_split_into_words() {
        assert_eq!(all("Japan's north-east"), ["japan", "north", "east"]);
        assert_eq!(all("Tianwen-2"), ["tianwen"]);
    }

    #[test]
    fn any_script_is_split_without_panicking() {
        assert_eq!(all("Pütürge ilçesinde"), ["pütürg", "ilçesind"]);
        assert_eq!(all("Київ: ракети"), ["київ", "ракети"]);
        assert_eq!(all("🌍🔥 <b>x</b> &amp;"), ["amp"]);
        // A run of 40 CJK characters has no spaces to split at: not a word.
        assert!(all(&"地震".repeat(20)).is_empty());
        // Lowercase İ is two characters, i and a combining dot, in Rust as in Unicode.
        assert_eq!(all("İstanbul"), ["i\u{307}stanbul"]);
    }
}

#[cfg(test)]
mod marked_words_tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, bool, bool)> {
        marked_words(text)
            .map(|w| (w.stem, w.capitalized, w.acronym))
            .collect()
    }

    #[test]
    fn a_capital_inside_a_sentence_marks_a_name() {
        assert_eq!(
            names("Strong quake rocks eastern Turkey. Officials in Malatya"),
            [
                ("strong".into(), false, false),
                ("quak".into(), false, false),
                ("rock".into(), false, false),
                ("eastern".into(), false, false),
                ("turkey".into(), true, false),
                ("official".into(), false, false),
                ("malatya".into(), true, false),
            ]
        );
        // After a headline's colon a new sentence starts.
        assert_eq!(
            names("Japan earthquake: Tsunami")[2],
            ("tsunami".into(), false, false)
        );
    }

    #[test]
    fn acronyms_are_marked_wherever_they_are() {
        assert_eq!(
            names("ECB cuts; the GDL strikes in DE"),
            [
                ("ecb".into(), false, true),
                ("cut".into(), false, false),
                ("gdl".into(), true, true),
                ("strik".into(), false, false),
                ("de".into(), true, true),
            ]
        );
        // A capital and a digit is not an acronym of letters.
        assert_eq!(names("the G7")[0], ("g7".into(), true, false));
    }

    #[test]
    fn words_in_capitals_side_by_side_are_shouted_not_acronyms() {
        assert_eq!(
            names("GLOBAL MARKETS-Stocks slip as ECB waits"),
            [
                ("global".into(), false, false),
                ("market".into(), true, false),
                ("stock".into(), true, false),
                ("slip".into(), false, false),
                ("ecb".into(), true, true),
                ("wait".into(), false, false),
            ]
        );
        // A number between two words in capitals parts them: "UPDATE 2-ECB" is no run.
        assert!(names("UPDATE 2-ECB holds")[0].2);
    }

    #[test]
    fn lowercase_marks_a_common_word_wherever_it_is() {
        let lowercase: Vec<bool> = marked_words("central bank: Bank of England, bank ECB")
            .map(|w| w.lowercase)
            .collect();
        assert_eq!(lowercase, [true, true, false, false, true, false]);
    }

    #[test]
    fn words_are_the_stems_of_marked_words() {
        let text = "Kyiv: Russian missiles hit the ECB's 2011 Tower";
        assert_eq!(
            words(text).collect::<Vec<_>>(),
            marked_words(text).map(|w| w.stem).collect::<Vec<_>>()
        );
    }
}

#[cfg(test)]
mod stem_tests {
    use super::*;

    #[test]
    fn stems_fold_plurals_and_verb_forms() {
        for (forms, stem) in [
            (&["rate", "rates", "rated"][..], "rat"),
            (&["strike", "strikes", "striking"][..], "strik"),
            (&["country", "countries"][..], "country"),
            (&["flood", "floods", "flooded", "flooding"][..], "flood"),
            (&["stop", "stopped", "stopping"][..], "stop"),
            (&["kill", "kills", "killed", "killing"][..], "kill"),
            (&["rally", "rallied", "rallies"][..], "rally"),
            (&["tax", "taxes"][..], "tax"),
        ] {
            for form in forms {
                assert_eq!(super::stem((*form).to_owned()), stem, "{form}");
            }
        }
        for kept in ["bus", "virus", "crisis", "press", "thing", "bring", "need"] {
            assert_eq!(stem(kept.to_owned()), kept);
        }
        for (noun, verb) in [
            ("housing", "house"),
            ("ratings", "rates"),
            ("marketing", "markets"),
            ("evening", "even"),
        ] {
            assert_eq!(stem(noun.to_owned()), noun.trim_end_matches('s'));
            assert_ne!(stem(noun.to_owned()), stem(verb.to_owned()), "{noun}");
        }
        assert!(ING_NOUNS.is_sorted());
    }

    #[test]
    fn british_and_american_spellings_meet() {
        for (british, american) in [
            ("apologises", "apologizes"),
            ("apologised", "apologized"),
            ("sterilisation", "sterilization"),
            ("organising", "organizing"),
            ("defence", "defense"),
            ("colours", "colors"),
            ("centre", "center"),
            ("programmes", "programs"),
            ("coloured", "colored"),
            ("centred", "centered"),
            ("analysed", "analyzed"),
            ("analysing", "analyzing"),
            ("honoured", "honored"),
        ] {
            assert_eq!(
                stem(british.to_owned()),
                stem(american.to_owned()),
                "{british}"
            );
        }
        for short in ["rise", "rising", "wise", "noise", "raised", "crises"] {
            assert!(!stem(short.to_owned()).contains("iz"), "{short}");
        }
        assert!(BRITISH.is_sorted());
    }
}

#[cfg(test)]
mod prefix_tests {
    use super::*;

    #[test]
    fn prefix_counts_characters_not_bytes() {
        assert_eq!(prefix("héllo", 2), "hé");
        assert_eq!(prefix("héllo", 10), "héllo");
        assert_eq!(prefix("", 3), "");
    }
}
