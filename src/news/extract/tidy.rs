//! The reader's article, tidied: what people do not count as the article is dropped from
//! what Readability keeps. Its choices are Firefox's Reader View's, which keeps whatever sits
//! in the block it picks; the pages that people cut by hand (Scrapinghub's benchmark,
//! article-extractor's) leave out a picture's credit and the caption a gallery repeats, the
//! byline and dates, the page's header and footer that a story's block holds, and the
//! text of the cards shown when a name is hovered. These rules drop those, by tag and by the
//! names pages give them.
//!
//! A figure's own caption (`<figcaption>`) stays: Readability keeps it, and dropping it loses
//! more on the pages it was tuned on than it gains on the hand-cut ones.
//!
//! Not seen: a name on a div that the reader turns into a paragraph of its own making, as
//! that paragraph has no class.
//!
//! The rules are general, never one site's; each was kept because it gains more on the tuning
//! half of Scrapinghub's pages than it costs on Readability's (see `extraction_on_real_pages`
//! in tests/news.rs). Deciding is plain functions on an [`Outline`]; only [`tidy`] touches the
//! document.

use std::ops::Range;

use dom_smoothie::Readability;

/// The most characters of an element named a caption or credit: a longer one is more than
/// that, whatever its name.
const MAX_CAPTION_CHARS: usize = 400;
/// The most characters of an element named a byline or date.
const MAX_META_CHARS: usize = 150;

/// An element as the rules see it.
#[derive(Debug)]
pub(super) struct Element {
    /// The tag's name, lowercase.
    pub tag: String,
    /// Its class and id, lowercase, a space between.
    pub label: String,
    /// Its text nodes: a range of [`Outline::texts`].
    pub texts: Range<usize>,
    /// One past its last descendant in [`Outline::elements`] (the order is the page's).
    pub end: usize,
}

/// A subtree's elements and text nodes in page order; a text node as the characters it has
/// that are not whitespace.
#[derive(Debug, Default)]
pub(super) struct Outline {
    pub elements: Vec<Element>,
    pub texts: Vec<usize>,
}

/// One step of the walk: a node to enter, or an element whose descendants are all seen.
/// Generic so that the walk needs no name for dom_query's node type, which dom_smoothie does
/// not re-export.
enum Step<N> {
    Enter(N),
    Exit(usize),
}

/// Outlines the first element of `reader.doc` that matches `root`, asks `decide` which
/// elements to drop (by index), and drops them. A subtree of over `max_elements` elements is
/// left as it is.
pub(super) fn tidy(
    reader: &Readability,
    root: &str,
    max_elements: usize,
    decide: impl FnOnce(&Outline) -> Vec<usize>,
) {
    let selection = reader.doc.select_single(root);
    let Some(top) = selection.nodes().first() else {
        return;
    };
    let mut outline = Outline::default();
    let mut nodes = Vec::new();
    let mut steps = vec![Step::Enter(*top)];
    while let Some(step) = steps.pop() {
        let node = match step {
            Step::Exit(i) => {
                let (texts, elements) = (outline.texts.len(), outline.elements.len());
                let element = &mut outline.elements[i];
                element.texts.end = texts;
                element.end = elements;
                continue;
            }
            Step::Enter(node) => node,
        };
        if node.is_text() {
            let chars = node.text().chars().filter(|c| !c.is_whitespace()).count();
            if chars > 0 {
                outline.texts.push(chars);
            }
            continue;
        }
        let Some(tag) = node.node_name().filter(|_| node.is_element()) else {
            continue;
        };
        if nodes.len() >= max_elements {
            return;
        }
        let label = [node.attr("class"), node.attr("id")]
            .iter()
            .flatten()
            .map(|v| v.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        let i = outline.elements.len();
        outline.elements.push(Element {
            tag: tag.to_ascii_lowercase(),
            label,
            texts: outline.texts.len()..outline.texts.len(),
            end: i + 1,
        });
        steps.push(Step::Exit(i));
        steps.extend(node.children().into_iter().rev().map(Step::Enter));
        nodes.push(node);
    }
    for i in decide(&outline) {
        if let Some(node) = nodes.get(i) {
            node.remove_from_parent();
        }
    }
}

impl Outline {
    /// The characters of element `i`'s text, less whitespace.
    pub fn chars(&self, i: usize) -> usize {
        self.texts[self.elements[i].texts.clone()].iter().sum()
    }

    /// The children of element `i`, by index.
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.elements[i].end;
        std::iter::successors(Some(i + 1), move |&j| {
            (j < end).then(|| self.elements[j].end)
        })
        .take_while(move |&j| j < end)
    }

    /// Whether element `i`'s class or id has one of `words` in it.
    pub fn labelled(&self, i: usize, words: &[&str]) -> bool {
        let label = &self.elements[i].label;
        words.iter().any(|w| label.contains(w))
    }

    /// The elements for which `pick` holds, none inside another (each is taken with all it
    /// holds), in page order.
    fn outermost(&self, pick: impl Fn(usize) -> bool) -> Vec<usize> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < self.elements.len() {
            if pick(i) {
                found.push(i);
                i = self.elements[i].end;
            } else {
                i += 1;
            }
        }
        found
    }
}

/// The elements of the reader's article to drop: captions and credits named so, hover cards,
/// bylines and dates, and the header, footer, navigation and asides inside the article.
pub(super) fn chrome(outline: &Outline) -> Vec<usize> {
    let mut dropped = Vec::new();
    for i in outline.outermost(|i| {
        is_caption(outline, i)
            || is_hover_card(outline, i)
            || is_meta(outline, i)
            || matches!(
                outline.elements[i].tag.as_str(),
                "header" | "footer" | "nav" | "aside"
            )
    }) {
        match outline.children(i).next() {
            // A hover card's trigger, the name in the sentence, stays; the card goes.
            Some(first) if is_hover_card(outline, i) && outline.elements[first].tag == "a" => {
                dropped.extend(outline.children(i).skip(1));
            }
            _ => dropped.push(i),
        }
    }
    dropped
}

/// A picture's caption or credit named so ("caption", "newsCaption", "credits"), short as
/// they are. A `<figcaption>` is not one (see the module's documentation).
fn is_caption(outline: &Outline, i: usize) -> bool {
    outline.labelled(i, &["caption", "credit"]) && outline.chars(i) < MAX_CAPTION_CHARS
}

/// What a page shows when a name is hovered: a card with a picture, a title, links.
fn is_hover_card(outline: &Outline, i: usize) -> bool {
    outline.labelled(i, &["rollover", "tooltip", "popover", "hovercard"])
}

/// A byline, dateline or timestamp: a `<time>`, or a short element named for one.
fn is_meta(outline: &Outline, i: usize) -> bool {
    // Matched as whole parts of a name ("article-date", "submitted-by"), as they are short
    // enough to be parts of other words ("accessdate" in a citation, "authority").
    const PARTS: [&str; 9] = [
        "date",
        "dates",
        "time",
        "author",
        "publish",
        "published",
        "updated",
        "submitted",
        "posted",
    ];
    let label = &outline.elements[i].label;
    let named = outline.labelled(i, &["byline", "dateline", "timestamp", "pubdate"])
        || label
            .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .any(|part| PARTS.contains(&part));
    outline.elements[i].tag == "time" || (named && outline.chars(i) < MAX_META_CHARS)
}
