//! Walled pages: an article the page sends whole but hides from all but members.
//!
//! Some publishers put the whole article in the page, hidden (`display: none`), and show a
//! teaser and a line that asks the reader to sign in or subscribe ("Please sign up or log in
//! to continue reading"); scripts show the rest to members. Read as the page shows it, such a
//! page is its teaser and its wall's line; it is reported as walled instead, as a page that
//! marks its paywall is, and the reader is sent to the source. The hidden text is never
//! shown: it is the publisher's to give.
//!
//! What it does not catch: a wall that sends no more than the teaser, or one that hides the
//! article by a class rather than an inline style; both are read as their teaser.

use std::collections::HashSet;

use super::recall::{self, PageParagraph, solid_chars};

/// The least characters (less whitespace) of paragraphs a walled page hides in the article
/// the reader kept: fewer are a menu or a dialog, not an article.
pub const MIN_HIDDEN_CHARS: usize = 1_000;
/// A walled page hides more than this many times the text it shows.
pub const HIDDEN_SHARE: usize = 2;
/// A wall's line is a sentence; a paragraph longer than this is article text that may
/// mention signing in ("voters who register by Friday").
const MAX_WALL_LINE_CHARS: usize = 200;
/// Words whose run in a short paragraph asks the reader to sign in or subscribe.
const ASKS: [&[&str]; 6] = [
    &["sign", "in"],
    &["sign", "up"],
    &["log", "in"],
    &["login"],
    &["subscribe"],
    &["register"],
];

/// Whether the page walls its article: it hides at least [`MIN_HIDDEN_CHARS`] of paragraphs
/// inside the article, main part or post body that holds what the reader `kept`, more than
/// [`HIDDEN_SHARE`] times what it shows, and a short kept paragraph asks the reader to sign
/// in, sign up or subscribe. A free article folded behind "Read more" asks no one to sign in.
pub fn walled(kept: &[String], page: &[PageParagraph]) -> bool {
    let asks = kept
        .iter()
        .any(|p| p.chars().count() <= MAX_WALL_LINE_CHARS && asks_to_sign_in(p));
    if !asks {
        return false;
    }
    // A page too large to search is no article a wall was put before.
    let Some(read) = recall::kept(kept, page, |p| !p.hidden && p.scope.is_some()) else {
        return false;
    };
    let scopes: HashSet<usize> = page
        .iter()
        .zip(read)
        .filter(|(_, read)| *read)
        .filter_map(|(p, _)| p.scope)
        .collect();
    let hidden: usize = page
        .iter()
        .filter(|p| p.hidden && p.scope.is_some_and(|s| scopes.contains(&s)))
        .map(|p| p.chars)
        .sum();
    let shown: usize = kept.iter().map(|p| solid_chars(p)).sum();
    hidden >= MIN_HIDDEN_CHARS && hidden > HIDDEN_SHARE * shown
}

/// Whether a paragraph asks the reader to sign in, sign up or subscribe: one of [`ASKS`] as
/// whole words, so "resign in protest" and "registered voters" do not.
fn asks_to_sign_in(paragraph: &str) -> bool {
    let words: Vec<String> = crate::news::words::pieces(paragraph)
        .map(|(piece, _)| piece.to_lowercase())
        .collect();
    ASKS.iter().any(|ask| {
        words
            .windows(ask.len())
            .any(|run| run.iter().zip(ask.iter()).all(|(w, a)| w == a))
    })
}

#[cfg(test)]
mod wall_tests {
    use super::*;

    fn page(text: &str, scope: Option<usize>, hidden: bool) -> PageParagraph {
        PageParagraph {
            text: text.to_owned(),
            chars: solid_chars(text),
            scope,
            hidden,
            ..PageParagraph::default()
        }
    }

    const TEASER: &str = "The council voted on Tuesday to rebuild the harbour wall.";
    const WALL: &str = "Please sign up or log in to continue reading";

    fn body() -> String {
        "The harbour wall was built in 1890 and has been repaired four times since. ".repeat(20)
    }

    #[test]
    fn a_hidden_article_behind_a_sign_in_line_is_walled() {
        let kept = [TEASER.to_owned(), WALL.to_owned()];
        let outline = [
            page(TEASER, Some(0), false),
            page(&body(), Some(0), true),
            page(WALL, Some(0), false),
        ];
        assert!(walled(&kept, &outline));
        // The same page folded behind "Read more" asks no one to sign in.
        let read_more = [TEASER.to_owned(), "Read more".to_owned()];
        assert!(!walled(&read_more, &outline));
        // Text hidden outside the kept article (a consent dialog) is no wall.
        let elsewhere = [
            page(TEASER, Some(0), false),
            page(&body(), None, true),
            page(&body(), Some(1), true),
        ];
        assert!(!walled(&kept, &elsewhere));
        // Nor is a hidden block no more than twice what the page shows.
        let shown = [body(), WALL.to_owned()];
        let outline = [page(&body(), Some(0), false), page(&body(), Some(0), true)];
        assert!(!walled(&shown, &outline));
    }

    #[test]
    fn asking_to_sign_in_is_read_as_whole_words() {
        for asks in [WALL, "Subscribe to keep reading", "Register or Sign In"] {
            assert!(asks_to_sign_in(asks), "{asks}");
        }
        for not in [
            "The minister will resign in protest",
            "Registered voters can blog in the square",
            "Subscribers are up",
        ] {
            assert!(!asks_to_sign_in(not), "{not}");
        }
    }
}
