//! The language an article is written in: the feed's declared language, checked against the
//! article's own text.
//!
//! Feeds declare one language for all their items, and some declare the wrong one (a
//! Ukrainian outlet's Russian edition marked `uk`, an English section marked `es`). The
//! translator needs the real source language, so a confident detection from the text wins
//! over the declaration; anything less keeps the declaration. Detection is whatlang's
//! (trigrams within the text's script), which knows 70 languages by their ISO 639-3 codes.
//!
//! Also here: the English name of a catalog language, for the reader.
//!
//! Not this module's concern: whether or how the article is then translated (ingest).

use whatlang::Lang;

/// Below this many letters in title and summary together the text is a name, an acronym or
/// a word or two, not a sentence: whatlang gives scripts with a single language of its own
/// (Greek, Hangul, kana) full confidence whatever the length, so "ΑΕΚ" in an English feed
/// would otherwise become Greek.
const MIN_LETTERS: usize = 10;

/// Fewer letters than this in the declared language's own script are a headline, not enough
/// to overrule the outlet: on the tuning half of 6,366 real English headlines (UCI's News
/// Aggregator set) whatlang was sure of French for "Urban Outfitters Q4 Profit Tops View,
/// But Sales Miss Estimates", at 61 letters; a headline with a sentence of summary passes
/// this. Text in another script than the declared language's needs only [`MIN_LETTERS`]: no
/// headline in English is written in Cyrillic.
const SAME_SCRIPT_LETTERS: usize = 80;

/// How much of an article's text detection reads.
const DETECT_CHARS: usize = 240;

/// Pairs (declared, detected) that whatlang cannot tell apart, where the declaration is the
/// better guess: Japanese written in kanji only has no kana to mark it and is detected as
/// Mandarin; Serbian in Latin letters and Croatian differ in too few trigrams.
const LOOKALIKES: &[(&str, &str)] = &[("ja", "zh"), ("sr", "hr"), ("hr", "sr")];

/// The ISO 639-1 code of the language `title` and `summary` are written in, given the
/// feed's `declared` ISO 639-1 code.
///
/// The detected language replaces the declared one only when whatlang is sure of it
/// (`is_reliable`), the text is not too short to tell ([`MIN_LETTERS`]), and whatlang knows
/// the declared language: a language it cannot recognise (Swahili, Basque, Malay) is always
/// detected as some other one, so the declaration passes through unchanged.
pub fn article_language(declared: &str, title: &str, summary: &str) -> String {
    detected(declared, title, summary).map_or_else(|| declared.to_owned(), str::to_owned)
}

/// The ISO 639-1 code of a page's language: its declared one (`<html lang>`, a region such as
/// `pt-BR` dropped) checked against its text as [`article_language`] does, or where it
/// declares none, the text's, when whatlang is sure of it.
pub fn page_language(declared: Option<&str>, title: &str, text: &str) -> Option<String> {
    let declared = declared
        .and_then(|d| d.trim().split(['-', '_']).next())
        .filter(|d| !d.is_empty())
        .map(str::to_ascii_lowercase);
    if let Some(declared) = declared {
        return Some(article_language(&declared, title, text));
    }
    let sample: String = format!("{title}\n{text}")
        .chars()
        .take(DETECT_CHARS)
        .collect();
    whatlang::detect(&sample)
        .filter(|info| info.is_reliable())
        .map(|info| iso_639_1(info.lang()).to_owned())
}

/// The detected language, where it should replace `declared`.
fn detected(declared: &str, title: &str, summary: &str) -> Option<&'static str> {
    let declared_lang = whatlang_of(declared)?;
    let letters = title
        .chars()
        .chain(summary.chars())
        .filter(|c| c.is_alphabetic())
        .count();
    if letters < MIN_LETTERS {
        return None;
    }
    // A couple of sentences settle the language; whatlang's cost grows with the text, and
    // summaries run to a thousand characters.
    let sample: String = format!("{title}\n{summary}")
        .chars()
        .take(DETECT_CHARS)
        .collect();
    let info = whatlang::detect(&sample)?;
    let lang = info.lang();
    if !info.is_reliable() || lang == declared_lang {
        return None;
    }
    let same_script = info.script().langs().contains(&declared_lang);
    if same_script && letters < SAME_SCRIPT_LETTERS {
        return None;
    }
    let code = iso_639_1(lang);
    let lookalike = LOOKALIKES
        .iter()
        .any(|&(d, found)| iso_639_1(declared_lang) == d && code == found);
    (!lookalike).then_some(code)
}

/// The whatlang language for an ISO 639-1 code (a region such as `pt-BR` is ignored); `None`
/// for a language whatlang does not know.
fn whatlang_of(code: &str) -> Option<Lang> {
    let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    // Norwegian is declared as the macrolanguage `no` as often as Bokmål `nb`, whatlang's.
    let primary = if primary == "no" { "nb" } else { &primary };
    Lang::all()
        .iter()
        .copied()
        .find(|&l| iso_639_1(l) == primary)
}

/// The ISO 639-1 code of a whatlang language (`Lang::code` gives ISO 639-3). Every language
/// whatlang knows has one; the match has no wildcard, so a new whatlang language cannot be
/// missed.
fn iso_639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
    }
}

/// The English name of a catalog language, or its code for any other.
pub fn language_name(code: &str) -> &str {
    match code {
        "am" => "Amharic",
        "ar" => "Arabic",
        "bn" => "Bengali",
        "de" => "German",
        "el" => "Greek",
        "en" => "English",
        "es" => "Spanish",
        "et" => "Estonian",
        "fa" => "Persian",
        "fi" => "Finnish",
        "fr" => "French",
        "he" => "Hebrew",
        "hi" => "Hindi",
        "hu" => "Hungarian",
        "id" => "Indonesian",
        "it" => "Italian",
        "ja" => "Japanese",
        "ka" => "Georgian",
        "kk" => "Kazakh",
        "km" => "Khmer",
        "ko" => "Korean",
        "nl" => "Dutch",
        "no" => "Norwegian",
        "pl" => "Polish",
        "pt" => "Portuguese",
        "ro" => "Romanian",
        "ru" => "Russian",
        "rw" => "Kinyarwanda",
        "sr" => "Serbian",
        "sv" => "Swedish",
        "sw" => "Swahili",
        "th" => "Thai",
        "tl" => "Tagalog",
        "tr" => "Turkish",
        "uk" => "Ukrainian",
        "ur" => "Urdu",
        "vi" => "Vietnamese",
        "zh" => "Chinese",
        other => other,
    }
}

#[cfg(test)]
mod article_language_tests {
    use super::*;

    const SPANISH: (&str, &str) = (
        "El Gobierno aprueba la reforma de las pensiones",
        "El Congreso votó la ley tras un largo debate en el que la oposición pidió más tiempo.",
    );
    const ENGLISH: (&str, &str) = (
        "Government approves pension reform after a long debate",
        "The opposition criticised the decision and said it would hurt pensioners.",
    );
    const RUSSIAN: (&str, &str) = (
        "Мэр Москвы открыл новую станцию метро",
        "Президент России заявил, что правительство должно подготовить новые меры поддержки \
         экономики до конца года.",
    );

    #[test]
    fn spanish_text_in_a_feed_declared_english_is_spanish() {
        assert_eq!(article_language("en", SPANISH.0, SPANISH.1), "es");
    }

    #[test]
    fn english_text_declared_english_stays_english() {
        assert_eq!(article_language("en", ENGLISH.0, ENGLISH.1), "en");
        // And a confident detection of English overrules a wrong declaration.
        assert_eq!(article_language("es", ENGLISH.0, ENGLISH.1), "en");
    }

    #[test]
    fn russian_text_declared_ukrainian_is_russian_only_when_sure() {
        assert_eq!(article_language("uk", RUSSIAN.0, RUSSIAN.1), "ru");
        // Two Cyrillic words are too few for whatlang to tell Russian from Ukrainian.
        assert!(!whatlang::detect("Новости дня").is_some_and(|i| i.is_reliable()));
        assert_eq!(article_language("uk", "Новости дня", ""), "uk");
        let ukrainian = "Уряд затвердив новий бюджет на наступний рік після тривалих \
                         обговорень у Верховній Раді";
        assert_eq!(article_language("uk", ukrainian, ""), "uk");
        // A headline alone is too little to overrule the outlet in its own script; with the
        // start of its summary it is enough.
        assert_eq!(article_language("ru", ukrainian, ""), "ru");
        let summary = "Депутати підтримали документ більшістю голосів, опозиція критикувала \
                       видатки на оборону";
        assert_eq!(article_language("ru", ukrainian, summary), "uk");
    }

    #[test]
    fn a_headline_alone_keeps_the_declared_language_of_its_script() {
        // Whatlang is sure of French here, on a headline of 61 letters.
        let headline =
            "Urban Outfitters Q4 Profit Tops View, But Sales Miss Estimates - Quick Facts";
        assert!(whatlang::detect(headline).is_some_and(|i| i.is_reliable()));
        assert_eq!(article_language("en", headline, ""), "en");
    }

    #[test]
    fn very_short_text_keeps_the_declared_language() {
        assert_eq!(article_language("de", "Brexit", ""), "de");
        assert_eq!(article_language("en", "Hola", ""), "en");
        assert_eq!(article_language("fr", "", ""), "fr");
        // Greek script is Greek to whatlang at any length; a club's name is not a sentence.
        assert!(whatlang::detect("ΑΕΚ").is_some_and(|i| i.is_reliable()));
        assert_eq!(article_language("en", "ΑΕΚ", "ΠΑΟΚ"), "en");
    }

    #[test]
    fn non_latin_scripts_are_detected() {
        for (text, code) in [
            (
                "東京で大きな地震が発生し、多くの建物が被害を受けました",
                "ja",
            ),
            ("北京市政府宣布新的交通管理措施，以缓解城市拥堵问题", "zh"),
            (
                "الحكومة توافق على إصلاح نظام التقاعد بعد نقاش طويل في البرلمان",
                "ar",
            ),
            (
                "सरकार ने संसद में लंबी बहस के बाद पेंशन सुधार को मंजूरी दी। विपक्ष ने इस फैसले की \
                 आलोचना की और कहा कि इससे बुजुर्गों को नुकसान होगा।",
                "hi",
            ),
        ] {
            assert_eq!(article_language("en", text, ""), code, "{text}");
        }
    }

    #[test]
    fn lookalikes_keep_the_declared_language() {
        // Kanji only: whatlang is sure it is Mandarin, but a Japanese feed knows better.
        let kanji = "東京都知事選挙結果発表東京都議会";
        assert_eq!(whatlang::detect_lang(kanji), Some(Lang::Cmn));
        assert_eq!(article_language("ja", kanji, ""), "ja");
        assert_eq!(article_language("en", kanji, ""), "zh");
    }

    #[test]
    fn a_language_whatlang_does_not_know_passes_through() {
        let swahili = "Serikali imeidhinisha mageuzi ya pensheni baada ya mjadala mrefu bungeni";
        assert_eq!(article_language("sw", swahili, ""), "sw");
        assert_eq!(article_language("xx", SPANISH.0, SPANISH.1), "xx");
        assert_eq!(article_language("", SPANISH.0, SPANISH.1), "");
    }

    #[test]
    fn regions_and_aliases_of_the_declared_language_are_understood() {
        assert_eq!(article_language("es-MX", SPANISH.0, SPANISH.1), "es-MX");
        let norwegian = "Regjeringen har lagt fram et nytt forslag til statsbudsjett for neste \
                         år, og opposisjonen er kritisk til flere av forslagene.";
        assert_eq!(article_language("no", norwegian, ""), "no");
    }

    #[test]
    fn every_whatlang_language_has_its_own_two_letter_code() {
        let codes: std::collections::HashSet<&str> =
            Lang::all().iter().map(|&l| iso_639_1(l)).collect();
        assert_eq!(codes.len(), Lang::all().len());
        assert!(codes.iter().all(|c| c.len() == 2));
        for &lang in Lang::all() {
            assert_eq!(whatlang_of(iso_639_1(lang)), Some(lang));
        }
    }
}

#[cfg(test)]
mod page_language_tests {
    use super::*;

    #[test]
    fn a_page_declares_its_language_or_its_text_tells() {
        let german = "Die Regierung hat am Montag neue Regeln für den Wohnungsbau vorgestellt, \
            die den Bau von Sozialwohnungen beschleunigen sollen.";
        assert_eq!(
            page_language(Some("de-DE"), "", german).as_deref(),
            Some("de")
        );
        assert_eq!(page_language(None, "", german).as_deref(), Some("de"));
        // A wrong declaration yields to a sure detection, as for feeds.
        assert_eq!(page_language(Some("en"), "", german).as_deref(), Some("de"));
        assert_eq!(page_language(None, "", "OK"), None);
    }
}

#[cfg(test)]
mod language_name_tests {
    use super::*;

    #[test]
    fn names_a_catalog_language_and_passes_any_other_code_through() {
        assert_eq!(language_name("es"), "Spanish");
        assert_eq!(language_name("xx"), "xx");
    }
}
