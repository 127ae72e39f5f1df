//! Full-text search: how the user's text becomes the words both backends look for. The text is
//! never a query language: quotes, operators and brackets in it are searched for as words.

/// How many of a query's matches, newest stored first, a backend ranks. Scoring every match of
/// a word found in most articles costs ~70 ms on a 100k-article SQLite store, this many ~5 ms;
/// news searches want recent articles anyway.
pub(super) const SEARCH_CANDIDATES: i64 = 1000;

/// The last word of a search matches as a prefix from this many letters on: a shorter prefix
/// stands for much of the vocabulary, and merging all its words' entries is slow.
const PREFIX_MIN_CHARS: usize = 3;

/// The words of a search, in order.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Words {
    pub words: Vec<String>,
    /// Whether the last word also matches as a word's beginning.
    pub prefix: bool,
}

impl Words {
    /// The words of the user's text: control characters separate words (FTS5 reads a NUL as
    /// the end of the query), and words without a letter or digit are dropped, since an index
    /// keeps none of them; `None` when none is left.
    pub fn of(text: &str) -> Option<Words> {
        let words: Vec<String> = text
            .split(|c: char| c.is_whitespace() || c.is_control())
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .map(str::to_owned)
            .collect();
        let last = words.last()?;
        let prefix = last.chars().filter(|c| c.is_alphanumeric()).count() >= PREFIX_MIN_CHARS;
        Some(Words { words, prefix })
    }
}
