//! A second look for an article the reader cut short. Some pages split the article over
//! sibling or cousin containers (around an advertisement, a related-stories box), and the
//! reader keeps one of them. Two ways to find the rest, tried in turn:
//!
//! - **The declared text.** Many pages declare the whole text to search engines (schema.org's
//!   `articleBody` in JSON-LD). It is no good to read as it is (its paragraphs run together,
//!   and some pages put markup or a teaser there), but it tells how long the article is and
//!   which of the page's paragraphs belong to it. When what the reader kept is well short of
//!   it, the article is read again as the page's paragraphs that the declared text holds, in
//!   page order.
//! - **The kept paragraphs' kin.** Paragraphs under a parent of the same tag and class as a
//!   kept paragraph's, in the same article (`<article>`, `<main>` or schema.org's article
//!   body; where none holds them, the post body of a publishing system such as WordPress's
//!   `entry-content`), with few links, are put in beside the kept ones, when they add at least
//!   [`MIN_ADDED_SHARE`] of the kept words.
//!
//! Neither fired wrongly on the tuning pages; with the reader's text cut to its first third on
//! purpose, they brought back most of the rest (see `siblings` and `declared`).
//!
//! What this does not do: trust the declared text where the reader's is as long as it, or add
//! paragraphs from outside an article or post body, or under a parent with no class.

use std::collections::HashSet;

use dom_smoothie::Readability;

/// The least words of a declared body for it to be used: shorter ones are teasers.
const MIN_BODY_WORDS: usize = 80;
/// The reader's text is cut short when it has under this share of the declared body's words.
const SHORT_SHARE: f64 = 0.7;
/// The least words of a page paragraph looked for in the declared body: shorter ones would be
/// found in any text.
const MIN_PARAGRAPH_WORDS: usize = 4;
/// A left-out paragraph is added only with under 1 / this share of its text in links.
const MAX_LINK_SHARE_INV: usize = 3;
/// The left-out paragraphs are added only when they have at least this share of the words
/// the reader kept: fewer, and the reader's choice stands.
const MIN_ADDED_SHARE: f64 = 0.3;
/// The most bytes of text searched for the page's paragraphs, all searches together: a
/// hostile page (thousands of paragraphs, a body of megabytes) gets no second look.
const MAX_SEARCHED_BYTES: usize = 32 * 1024 * 1024;
/// The most paragraphs, and articles, of a page given a second look: more is no news page.
const MAX_PAGE_PARAGRAPHS: usize = 10_000;
const MAX_SCOPES: usize = 200;
/// The most ancestors looked through for a paragraph's article, against hostile nesting.
const MAX_SCOPE_DEPTH: usize = 64;
/// The most JSON values looked through for a body, against hostile nesting.
const MAX_JSON_VALUES: usize = 100_000;
/// What holds an article's paragraphs and nothing else: the HTML elements and schema.org's
/// property for it.
const SCOPES: &str = "article, main, [itemprop=\"articleBody\"]";
/// Where none of [`SCOPES`] holds a paragraph, the post bodies of the publishing systems most
/// pages are made with (WordPress's `entry-content`, and its kin in other themes), the
/// outermost one: page builders (Elementor) put each block of a WordPress post in a section of
/// its own, many levels deep and with no `<article>` around them, so the reader keeps one
/// section and nothing else finds the rest. Only a fallback: some pages repeat such a class
/// on each part of a split article, inside an `<article>` that holds them all.
const POST_BODIES: &str = ".entry-content, .post-content, .article-content, .article-body";

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

/// A paragraph (`<p>`) of the page as it was before the reader ran.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct PageParagraph {
    /// Its text, whitespace-normalised.
    pub text: String,
    /// The characters of its text inside links, and of all its text, less whitespace.
    pub link_chars: usize,
    pub chars: usize,
    /// Its parent's tag and class ("div.story-body"; "div." when it has none).
    pub parent: String,
    /// The article, main part or schema.org article body that holds it, else the outermost
    /// post body (see [`POST_BODIES`]), numbered by its place in the page; `None` outside any.
    pub scope: Option<usize>,
    /// Whether the page hides it, or one of the [`MAX_SCOPE_DEPTH`] elements around it, as a
    /// browser would: a `hidden` or `aria-hidden="true"` attribute, or `display: none` or
    /// `visibility: hidden` in its style.
    pub hidden: bool,
}

/// The page's paragraphs, in page order.
pub(super) fn page_paragraphs(reader: &Readability) -> Vec<PageParagraph> {
    let scopes = reader.doc.select(SCOPES);
    let scopes = scopes.nodes();
    let bodies = reader.doc.select(POST_BODIES);
    let bodies = bodies.nodes();
    let paragraphs = reader.doc.select("p");
    if paragraphs.length() > MAX_PAGE_PARAGRAPHS || scopes.len() + bodies.len() > MAX_SCOPES {
        return Vec::new();
    }
    // Each element's attributes are read once, whatever the number of paragraphs under it.
    let hiding = reader.doc.select("[hidden], [aria-hidden], [style]");
    let hiding: HashSet<_> = hiding
        .nodes()
        .iter()
        .filter(|e| {
            e.has_attr("hidden")
                || e.attr("aria-hidden").is_some_and(|v| v.trim() == "true")
                || e.attr("style").is_some_and(|style| hides(&style))
        })
        .map(|e| e.id)
        .collect();
    paragraphs
        .nodes()
        .iter()
        .filter_map(|p| {
            // Its text less what scripts and styles in it hold (the reader drops those).
            let text: String = p
                .descendants_it()
                .filter(|d| {
                    d.is_text()
                        && !d.parent().is_some_and(|q| {
                            q.has_name("script") || q.has_name("style") || q.has_name("noscript")
                        })
                })
                .map(|d| d.text().to_string())
                .collect();
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                return None;
            }
            let link_chars = p
                .descendants_it()
                .filter(|d| d.has_name("a"))
                .map(|a| solid_chars(&a.text()))
                .sum();
            let parent = p
                .parent()
                .map(|q| {
                    let (tag, class) = (q.node_name(), q.attr("class"));
                    format!(
                        "{}.{}",
                        tag.as_deref().unwrap_or(""),
                        class.as_deref().unwrap_or("")
                    )
                })
                .unwrap_or_default();
            let scope = p
                .ancestors_it(Some(MAX_SCOPE_DEPTH))
                .find_map(|a| scopes.iter().position(|s| s.id == a.id))
                .or_else(|| {
                    // Numbered after the scopes, so that the two never share a number.
                    p.ancestors_it(Some(MAX_SCOPE_DEPTH))
                        .filter_map(|a| bodies.iter().position(|b| b.id == a.id))
                        .last()
                        .map(|b| scopes.len() + b)
                });
            let hidden = std::iter::once(*p)
                .chain(p.ancestors_it(Some(MAX_SCOPE_DEPTH)))
                .any(|a| hiding.contains(&a.id));
            Some(PageParagraph {
                chars: solid_chars(&text),
                text,
                link_chars,
                parent,
                scope,
                hidden,
            })
        })
        .collect()
}

/// Whether an inline style hides its element: `display: none` or `visibility: hidden`, in
/// any case and spacing.
fn hides(style: &str) -> bool {
    let compact: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    compact.contains("display:none") || compact.contains("visibility:hidden")
}

/// The characters of a text that are not whitespace.
pub(super) fn solid_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// The paragraphs to read instead of `got` when it is well short of the declared `body`: the
/// page's `paragraphs` that the body holds, once each, if they say more than `got`.
pub(super) fn declared(
    got: &[String],
    body: &str,
    paragraphs: &[PageParagraph],
) -> Option<Vec<String>> {
    let body_words = words(body);
    let got_words: usize = got.iter().map(|p| words(p).len()).sum();
    if body_words.len() < MIN_BODY_WORDS
        || got_words as f64 >= SHORT_SHARE * body_words.len() as f64
    {
        return None;
    }
    let body = format!(" {} ", body_words.join(" "));
    if paragraphs.len().saturating_mul(body.len()) > MAX_SEARCHED_BYTES {
        return None;
    }
    let mut seen = HashSet::new();
    let mut found_words = 0;
    let found: Vec<String> = paragraphs
        .iter()
        .map(|p| &p.text)
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

/// `got` with the paragraphs the reader left out beside those it kept, when they say much
/// more: the page's paragraphs with a kept paragraph's parent (its tag and class, which must
/// have one) in the same article, main part or article body, few of their words links, each
/// put after the kept paragraph that comes before it on the page.
pub(super) fn siblings(got: &[String], paragraphs: &[PageParagraph]) -> Option<Vec<String>> {
    // Only the paragraphs in an article and under a parent with a class can be a kept one's
    // kin, so only they are looked for in the kept text.
    let candidate = |p: &PageParagraph| p.scope.is_some() && !p.parent.ends_with('.');
    let kept = kept(got, paragraphs, candidate)?;
    let homes: HashSet<(&str, Option<usize>)> = paragraphs
        .iter()
        .zip(&kept)
        .filter(|(_, kept)| **kept)
        .map(|(p, _)| (p.parent.as_str(), p.scope))
        .collect();
    let left_out: Vec<bool> = paragraphs
        .iter()
        .zip(&kept)
        .map(|(p, kept)| {
            !kept
                && candidate(p)
                && homes.contains(&(p.parent.as_str(), p.scope))
                && p.link_chars * MAX_LINK_SHARE_INV < p.chars
        })
        .collect();
    // A paragraph the page repeats is added once, where it first comes.
    let mut seen = HashSet::new();
    let added_here: Vec<bool> = paragraphs
        .iter()
        .zip(&left_out)
        .map(|(p, left_out)| *left_out && seen.insert(p.text.as_str()))
        .collect();
    let got_words: usize = got.iter().map(|p| words(p).len()).sum();
    let added: usize = paragraphs
        .iter()
        .zip(&added_here)
        .filter(|(_, added)| **added)
        .map(|(p, _)| words(&p.text).len())
        .sum();
    if added == 0 || (added as f64) < MIN_ADDED_SHARE * got_words as f64 {
        return None;
    }
    let mut out = got.to_vec();
    let mut inserted = vec![false; out.len()];
    let mut at = 0;
    for ((p, left_out), added) in paragraphs.iter().zip(left_out).zip(added_here) {
        if left_out {
            if added {
                out.insert(at, p.text.clone());
                inserted.insert(at, true);
                at += 1;
            }
            continue;
        }
        // A kept paragraph: what is added next goes after the lines it became.
        let key = squashed(&p.text);
        let holds = |k: usize| !inserted[k] && key.contains(&squashed(&out[k]));
        if let Some(first) = (at..out.len()).find(|&k| holds(k)) {
            at = first + 1;
            while at < out.len() && holds(at) {
                at += 1;
            }
        }
    }
    Some(out)
}

/// Which of the page's `paragraphs` the reader kept in `got`, of those `looked_for` (the
/// rest are `false`); `None` when the search would exceed [`MAX_SEARCHED_BYTES`]. Compared
/// with no whitespace at all: the reader spaces inline elements and breaks lines otherwise
/// than the page's text does.
pub(super) fn kept(
    got: &[String],
    paragraphs: &[PageParagraph],
    looked_for: impl Fn(&PageParagraph) -> bool,
) -> Option<Vec<bool>> {
    let all_got: String = got.iter().map(|p| squashed(p)).collect();
    if paragraphs.len().saturating_mul(all_got.len()) > MAX_SEARCHED_BYTES {
        return None;
    }
    Some(
        paragraphs
            .iter()
            .map(|p| looked_for(p) && all_got.contains(&squashed(&p.text)))
            .collect(),
    )
}

/// A text with no whitespace.
fn squashed(text: &str) -> String {
    text.split_whitespace().collect()
}

/// The words of a text, lowercase: the news module's runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    crate::news::words::pieces(text)
        .map(|(piece, _)| piece.to_lowercase())
        .collect()
}

#[cfg(test)]
mod recall_tests {
    use super::*;

    #[test]
    fn paragraphs_the_page_hides_are_marked_so() {
        let html = "<html><body><main><p>Shown.</p><div aria-hidden=\"true\"><p>Aria.</p></div>\
            <div style=\"color: red; DISPLAY : None\"><section><p>Styled.</p></section></div>\
            <p hidden>Attribute.</p><p style=\"visibility:hidden\">Invisible.</p>\
            <div aria-hidden=\"false\" style=\"display: block\"><p>Open.</p></div>\
            </main></body></html>";
        let reader = Readability::new(html, None, None).unwrap();
        let marks: Vec<(String, bool)> = page_paragraphs(&reader)
            .into_iter()
            .map(|p| (p.text, p.hidden))
            .collect();
        let expected = [
            ("Shown.", false),
            ("Aria.", true),
            ("Styled.", true),
            ("Attribute.", true),
            ("Invisible.", true),
            ("Open.", false),
        ]
        .map(|(text, hidden)| (text.to_owned(), hidden));
        assert_eq!(marks, expected);
    }

    fn paragraph(text: String) -> PageParagraph {
        PageParagraph {
            chars: solid_chars(&text),
            text,
            ..PageParagraph::default()
        }
    }

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
        let page: Vec<PageParagraph> = page.into_iter().map(paragraph).collect();
        assert_eq!(declared(&said[..2], &body, &page), Some(said.clone()));
    }

    #[test]
    fn a_text_near_the_declared_length_or_a_short_declaration_changes_nothing() {
        let said: Vec<String> = (0..10).map(sentence).collect();
        let body = said.join(" ");
        let page: Vec<PageParagraph> = said.iter().cloned().map(paragraph).collect();
        assert_eq!(declared(&said[..8], &body, &page), None);
        let teaser = said[..2].join(" ");
        assert_eq!(declared(&said[..1], &teaser, &page), None);
    }
}
