//! A second look for an article the reader cut short. Some pages split the article over
//! sibling containers (around an advertisement, a related-stories box), and the reader keeps
//! one of them. Many such pages also declare the whole text to search engines (schema.org's
//! `articleBody` in JSON-LD), which is no good to read as it is (its paragraphs run
//! together, and some pages put markup or a teaser there), but tells how long the article is
//! and which of the page's paragraphs belong to it. So when what the reader kept is well
//! short of that text, the article is read again as the page's paragraphs that the declared
//! text holds, in page order.
//!
//! What this does not do: trust the declared text where the reader's is as long, or read a
//! page that declares nothing.

use std::collections::HashSet;

use dom_smoothie::Readability;

/// The least words of a declared body for it to be used: shorter ones are teasers.
const MIN_BODY_WORDS: usize = 80;
/// The reader's text is cut short when it has under this share of the declared body's words.
const SHORT_SHARE: f64 = 0.7;
/// The least words of a page paragraph looked for in the declared body: shorter ones would be
/// found in any text.
const MIN_PARAGRAPH_WORDS: usize = 4;
/// The most JSON values looked through for a body, against hostile nesting.
const MAX_JSON_VALUES: usize = 100_000;

/// The longest article body the page's JSON-LD declares, if any.
pub(super) fn declared_body(reader: &Readability) -> Option<String> {
    let scripts = reader.doc.select("script[type=\"application/ld+json\"]");
    let mut best: Option<String> = None;
    for script in scripts.nodes() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&script.text()) else {
            continue;
        };
        let mut stack = vec![&value];
        let mut seen = 0;
        while let Some(value) = stack.pop() {
            seen += 1;
            if seen > MAX_JSON_VALUES {
                break;
            }
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::String(body)) = map.get("articleBody")
                        && best.as_ref().is_none_or(|b| b.len() < body.len())
                    {
                        best = Some(body.clone());
                    }
                    stack.extend(map.values());
                }
                serde_json::Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
    }
    best
}

/// The text of each of the page's paragraphs (`<p>`), whitespace-normalised, in page order.
pub(super) fn page_paragraphs(reader: &Readability) -> Vec<String> {
    reader
        .doc
        .select("p")
        .nodes()
        .iter()
        .map(|p| p.text().split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// The paragraphs to read instead of `got` when it is well short of the declared `body`: the
/// page's `paragraphs` that the body holds, once each, if they say more than `got`.
pub(super) fn recall(got: &[String], body: &str, paragraphs: &[String]) -> Option<Vec<String>> {
    let body_words = words(body);
    let got_words: usize = got.iter().map(|p| words(p).len()).sum();
    if body_words.len() < MIN_BODY_WORDS
        || got_words as f64 >= SHORT_SHARE * body_words.len() as f64
    {
        return None;
    }
    let body = format!(" {} ", body_words.join(" "));
    let mut seen = HashSet::new();
    let mut found_words = 0;
    let found: Vec<String> = paragraphs
        .iter()
        .filter(|p| {
            let words = words(p);
            let key = format!(" {} ", words.join(" "));
            let fits = words.len() >= MIN_PARAGRAPH_WORDS && body.contains(&key);
            if fits && seen.insert(key) {
                found_words += words.len();
                true
            } else {
                false
            }
        })
        .cloned()
        .collect();
    (found_words > got_words).then_some(found)
}

/// The words of a text, lowercase: runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod recall_tests {
    use super::*;

    fn sentence(i: usize) -> String {
        format!("Sentence {i} of the story tells what happened at the port that day.")
    }

    #[test]
    fn the_declared_paragraphs_replace_a_text_cut_short_in_page_order_once_each() {
        let said: Vec<String> = (0..10).map(sentence).collect();
        let body = said.join(" ");
        let mut page = vec![
            "Most read".to_owned(),
            "Sign up for our newsletter".to_owned(),
        ];
        page.extend(said.iter().cloned());
        page.push(said[0].clone());
        assert_eq!(recall(&said[..2], &body, &page), Some(said.clone()));
    }

    #[test]
    fn a_text_near_the_declared_length_or_a_short_declaration_changes_nothing() {
        let said: Vec<String> = (0..10).map(sentence).collect();
        let body = said.join(" ");
        assert_eq!(recall(&said[..8], &body, &said), None);
        let teaser = said[..2].join(" ");
        assert_eq!(recall(&said[..1], &teaser, &said), None);
    }
}
