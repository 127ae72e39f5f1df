//! HTML to bounded plain text, and the pictures it shows: a forgiving tokenizer after the
//! WHATWG rules that matter for text.

use std::borrow::Cow;

/// Elements whose content is code, not text.
const RAW_TEXT_ELEMENTS: [&str; 2] = ["script", "style"];

/// Elements that separate lines or cells: each becomes a space between words.
const BLOCK_ELEMENTS: [&str; 29] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "td",
    "th",
    "tr",
    "ul",
];

/// HTML (or plain text) to one line of plain text: tags removed, the contents of `script` and
/// `style` dropped, block-level tags (`p`, `br`, `div`, `li`, `h1`-`h6`, `tr`...) turned into
/// spaces, entities decoded (named, decimal, hex), whitespace collapsed to single spaces and
/// trimmed, then cut to at most `max_chars` characters, the last one "…" where it was cut.
///
/// Any input is fine: a `<` that opens no tag is text, and an unclosed tag or comment hides
/// the rest, as in a browser.
pub fn html_to_text(html: &str, max_chars: usize) -> String {
    let mut text = String::with_capacity(html.len());
    let mut tokens = Tokens { rest: html };
    while let Some(token) = tokens.next() {
        match token {
            // Entities are decoded per run of text, so an escaped `&lt;b&gt;` stays text.
            Token::Text(run) => {
                html_escape::decode_html_entities_to_string(run, &mut text);
            }
            Token::Tag(tag) => {
                if is_one_of(tag.name, &BLOCK_ELEMENTS) {
                    text.push(' ');
                }
                if !tag.closing && !tag.self_closing && is_one_of(tag.name, &RAW_TEXT_ELEMENTS) {
                    tokens.skip_raw_text(tag.name);
                }
            }
        }
    }
    collapse_and_cut(&text, max_chars)
}

/// A piece of a feed's text and how to read it: as HTML, or as plain text.
#[derive(Debug, Clone)]
pub(super) struct Text {
    pub body: String,
    pub html: bool,
}

impl Text {
    /// As plain text of at most `max_chars` characters.
    pub fn plain(&self, max_chars: usize) -> String {
        if self.html {
            html_to_text(&self.body, max_chars)
        } else {
            collapse_and_cut(&self.body, max_chars)
        }
    }
}

/// Whitespace runs to single spaces and control characters to spaces, trimmed, then at
/// most `max_chars` characters with "…" marking a cut.
fn collapse_and_cut(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let words = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty());
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    cut(out, max_chars)
}

/// At most `max_chars` characters, the last of them "…" when anything was cut.
fn cut(mut text: String, max_chars: usize) -> String {
    if text.char_indices().nth(max_chars).is_none() {
        return text;
    }
    let Some(room) = max_chars.checked_sub(1) else {
        return String::new();
    };
    let end = text.char_indices().nth(room).map_or(text.len(), |(i, _)| i);
    text.truncate(end);
    text.truncate(text.trim_end().len());
    text.push('…');
    text
}

/// The `src` of each `<img>` that is not a tracking pixel, entities decoded.
pub(super) fn img_sources(html: &str) -> impl Iterator<Item = Cow<'_, str>> {
    Tokens { rest: html }.filter_map(|token| match token {
        Token::Tag(tag) if tag.name.eq_ignore_ascii_case("img") && !tag.closing => {
            let pixel = ["width", "height"].iter().any(|a| {
                tag.attribute(a)
                    .is_some_and(|v| matches!(v.trim(), "0" | "1"))
            });
            let src = tag.attribute("src").filter(|_| !pixel)?;
            Some(html_escape::decode_html_entities(src))
        }
        _ => None,
    })
}

fn is_one_of(name: &str, names: &[&str]) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Where `needle` first occurs in `haystack`, ASCII letters matching either case.
pub(super) fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// A piece of HTML: a run of text, or a tag. Comments, doctypes and processing
/// instructions are skipped.
enum Token<'a> {
    Text(&'a str),
    Tag(Tag<'a>),
}

/// A start or end tag, as far as text extraction needs one.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    /// Ends in `/>`: XHTML content writes `<script .../>` with nothing inside.
    self_closing: bool,
    attributes: Vec<(&'a str, &'a str)>,
}

impl<'a> Tag<'a> {
    fn attribute(&self, name: &str) -> Option<&'a str> {
        self.attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }
}

/// A forgiving HTML tokenizer after the WHATWG rules that matter for text: a `<` that opens
/// no tag is text, and markup left open at the end swallows the rest, as in a browser.
struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    /// Skips a script or style element's content, up to its end tag or the end of input.
    fn skip_raw_text(&mut self, name: &str) {
        let end_tag = format!("</{name}");
        let at = find_ignore_case(self.rest.as_bytes(), end_tag.as_bytes());
        self.rest = &self.rest[at.unwrap_or(self.rest.len())..];
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        while !self.rest.is_empty() {
            let text_len = markup_start(self.rest).unwrap_or(self.rest.len());
            if text_len > 0 {
                let (text, rest) = self.rest.split_at(text_len);
                self.rest = rest;
                return Some(Token::Text(text));
            }
            let (tag, len) = markup(self.rest);
            self.rest = &self.rest[len..];
            if let Some(tag) = tag {
                return Some(Token::Tag(tag));
            }
        }
        None
    }
}

/// The byte offset of the first `<` that opens markup: a tag (`<a`, `</a`), a comment or
/// doctype (`<!`) or a processing instruction (`<?`).
fn markup_start(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    s.match_indices('<')
        .map(|(i, _)| i)
        .find(|&i| match bytes.get(i + 1) {
            Some(b'!' | b'?') => true,
            Some(b'/') => bytes.get(i + 2).is_some_and(u8::is_ascii_alphabetic),
            Some(b) => b.is_ascii_alphabetic(),
            None => false,
        })
}

/// Reads the markup at the start of `s`: the tag, if it is one, and the bytes it spans.
fn markup(s: &str) -> (Option<Tag<'_>>, usize) {
    // A CDATA section is skipped whole: in HTML a browser hides it as a bogus comment, and in
    // a feed's XML what it holds is text, not tags.
    for (open, close) in [("<!--", "-->"), ("<![CDATA[", "]]>")] {
        if let Some(inside) = s.strip_prefix(open) {
            let len = inside
                .find(close)
                .map_or(s.len(), |i| open.len() + i + close.len());
            return (None, len);
        }
    }
    if s.starts_with("<!") || s.starts_with("<?") {
        return (None, s.find('>').map_or(s.len(), |i| i + 1));
    }
    let closing = s.starts_with("</");
    let name_start = if closing { 2 } else { 1 };
    let name_end = s[name_start..]
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .map_or(s.len(), |i| name_start + i);
    let (attributes, end) = attributes(&s[name_end..]);
    match end {
        Some(end) => {
            let len = name_end + end;
            let tag = Tag {
                name: &s[name_start..name_end],
                closing,
                self_closing: s[..len].ends_with("/>"),
                attributes,
            };
            (Some(tag), len)
        }
        None => (None, s.len()),
    }
}

/// The attributes after a tag's name, and the bytes up to and including its `>` (`None`
/// when the tag never closes). A quote only opens a value right after `=`, so the
/// apostrophe in `<p don't>` does not run on to the next one.
fn attributes(s: &str) -> (Vec<(&str, &str)>, Option<usize>) {
    let bytes = s.as_bytes();
    let mut attributes = Vec::new();
    let mut i = 0;
    loop {
        while bytes
            .get(i)
            .is_some_and(|&b| b.is_ascii_whitespace() || b == b'/')
        {
            i += 1;
        }
        match bytes.get(i) {
            None => return (attributes, None),
            Some(b'>') => return (attributes, Some(i + 1)),
            Some(_) => {}
        }
        let name_start = i;
        // A leading `=` belongs to the name, as in the WHATWG tokenizer; it also keeps
        // the loop moving.
        i += 1;
        while bytes
            .get(i)
            .is_some_and(|&b| !b.is_ascii_whitespace() && !matches!(b, b'/' | b'>' | b'='))
        {
            i += 1;
        }
        let name = &s[name_start..i];
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let mut value = "";
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match bytes.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let Some(len) = s[i + 1..].find(char::from(quote)) else {
                        return (attributes, None);
                    };
                    value = &s[i + 1..i + 1 + len];
                    i += len + 2;
                }
                _ => {
                    let start = i;
                    while bytes
                        .get(i)
                        .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'>')
                    {
                        i += 1;
                    }
                    value = &s[start..i];
                }
            }
        }
        attributes.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_tags_and_entities() {
        assert_eq!(
            html_to_text("<b>Kyiv</b> &amp; Odesa &#8212; &quot;talks&quot;", 100),
            "Kyiv & Odesa — \"talks\""
        );
        assert_eq!(
            html_to_text("caf&eacute; &#233; &#xE9; &#XE9; &nbsp;x", 100),
            "café é é é x"
        );
        assert_eq!(
            html_to_text(
                "<p>One</p><p>Two<br/>Three</p><ul><li>a</li><li>b</li></ul>",
                100
            ),
            "One Two Three a b"
        );
        assert_eq!(
            html_to_text("<a href=\"x\" title='a > b'>link</a> and <i>more</i>", 100),
            "link and more"
        );
        assert_eq!(
            html_to_text("  lots \n\t of\r\n   space\u{0}here  ", 100),
            "lots of space here"
        );
        assert_eq!(
            html_to_text("2 < 3 and 5 > 4, a <3 b", 100),
            "2 < 3 and 5 > 4, a <3 b"
        );
        assert_eq!(
            html_to_text("&lt;b&gt;shown&lt;/b&gt;", 100),
            "<b>shown</b>"
        );
        assert_eq!(html_to_text("<p don't>x</p> y", 100), "x y");
        assert_eq!(
            html_to_text("a<!-- hidden <b>c</b> -->b<!DOCTYPE html><?php x ?>c", 100),
            "abc"
        );
    }

    #[test]
    fn drops_script_and_style() {
        let html = "A<script type=\"text/javascript\">if (a < b) { x('</p>'); }</script>B<STYLE>p { color: red }</STYLE >C<script src=\"x.js\"/>D";
        assert_eq!(html_to_text(html, 100), "ABCD");
        assert_eq!(
            html_to_text("before<script>never closed <b>bold</b>", 100),
            "before"
        );
    }

    #[test]
    fn cuts_on_a_character_boundary() {
        assert_eq!(html_to_text("Новости Киева", 8), "Новости…");
        assert_eq!(html_to_text("Новости", 7), "Новости");
        assert_eq!(html_to_text("🇺🇦😀😀😀", 3), "🇺🇦…");
        assert_eq!(html_to_text("ab", 1), "…");
        assert_eq!(html_to_text("ab", 0), "");
        assert_eq!(html_to_text("", 10), "");
    }

    #[test]
    fn never_panics_on_odd_input() {
        let odd = [
            "<",
            "<<>>",
            ">",
            "</",
            "<!",
            "<!--",
            "<!-->",
            "<?",
            "&",
            "&#",
            "&#x",
            "&#;",
            "&#xFFFFFFFF;",
            "&#99999999999;",
            "&#0;",
            "&unknown;",
            "&amp",
            "<script",
            "<script>",
            "<style>a",
            "<a href=\"",
            "<a href='x",
            "<a =>",
            "<a ==x>",
            "<img src=>",
            "</ a>",
            "<p/ >",
            "<\u{0}>",
            "<é>",
            "<aé=é>",
            "<a é>",
            "<a é=é>",
            "<a x=é>",
            "\u{FEFF}<b>x",
        ];
        for s in odd {
            assert!(html_to_text(s, 5).chars().count() <= 5, "{s:?}");
            let _ = img_sources(s).count();
        }
        assert_eq!(
            html_to_text("&#xFFFFFFFF; &unknown; &#0;", 100),
            "&#xFFFFFFFF; &unknown; &#0;"
        );
        // Every prefix of a busy document, so every construct is also seen cut short.
        let busy = "<p class=\"a\" data-x='&amp;'>Ünïcödé &eacute;<br/>\n<!-- c --><script>x<y</script><img src=\"/a.jpg\" width=1>😀 <3 </p >";
        for (i, _) in busy.char_indices() {
            assert!(html_to_text(&busy[..i], 20).chars().count() <= 20);
            let _ = img_sources(&busy[..i]).count();
        }
    }

    #[test]
    fn finds_images_in_html() {
        let html = r#"<img src="https://t.example/px" height="1" width="1"><IMG alt="x" SRC = "/a.jpg?w=1&amp;h=2"><img src="/b.jpg">"#;
        assert_eq!(
            img_sources(html).collect::<Vec<_>>(),
            ["/a.jpg?w=1&h=2", "/b.jpg"]
        );
        assert_eq!(img_sources("<imgx src=a><p src=b>").count(), 0);
    }
}
