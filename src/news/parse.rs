//! Feed bodies to [`FeedItem`]s: the character set, RSS/Atom/JSON Feed through feed-rs, and
//! HTML to bounded plain text.
//!
//! Everything here is untrusted. The body is decoded here, once, so feed-rs always reads
//! UTF-8; links and images leave absolute and http(s) only; text leaves as plain text of
//! bounded length. Fetching, storing and translating items are other modules' concern.

use std::borrow::Cow;
use std::collections::HashSet;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use feed_rs::model::{Content, Entry, Link, MediaContent};
use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use url::Url;

use super::FeedItem;

/// The longest title kept, in characters; longer ones are cut and end in "…".
pub const MAX_TITLE_CHARS: usize = 300;
/// The longest summary kept, in characters; longer ones are cut and end in "…".
pub const MAX_SUMMARY_CHARS: usize = 1_000;
/// Items kept per feed: the first ones, as feeds list their newest first.
pub const MAX_ITEMS: usize = 500;

/// Guids and URLs longer than this are dropped rather than cut: a cut one names something else.
const MAX_REF_LEN: usize = 2_048;

/// How far into a body to look for an XML declaration or an HTML page's opening.
const HEAD_BYTES: usize = 1_024;

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

/// Why a body gave no items. Each carries feed-rs's own words, for a per-feed error list.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// A web page where a feed was expected: the feed moved, or a login or consent wall
    /// answered instead.
    #[error("a web page, not a feed ({0})")]
    HtmlPage(String),
    /// Readable, but neither RSS, Atom nor JSON Feed.
    #[error("not a feed ({0})")]
    NotAFeed(String),
    /// Broken XML or JSON.
    #[error("malformed feed ({0})")]
    Malformed(String),
}

/// Parses a feed body (RSS 0.9x/1.0(RDF)/2.0, Atom, JSON Feed) fetched from `base`.
/// `content_type` is the HTTP Content-Type header if any (may carry `charset=`).
pub fn parse_feed(
    body: &[u8],
    content_type: Option<&str>,
    base: &Url,
) -> Result<Vec<FeedItem>, ParseError> {
    let text = decode(body, content_type);
    let xml = is_xml(&text);
    let text = if xml {
        strip_xml_declarations(text)
    } else {
        text
    };
    let feed = feed_rs::parser::Builder::new()
        .base_uri(Some(base.as_str()))
        // feed-rs invents a hash id for entries without one; an empty id lets us tell.
        .id_generator(|_, _, _| String::new())
        .build()
        .parse(text.as_bytes())
        .map_err(|error| classify(&error, &text))?;
    let thumbnails = if xml {
        thumbnails_by_entry(&text, feed.entries.len())
    } else {
        None
    };
    Ok(items(&feed.entries, thumbnails.as_deref(), base))
}

/// The body as text. The HTTP charset comes before the XML declaration, as XML 1.0's
/// appendix F has it; a byte order mark comes before both (encoding_rs's `decode` sniffs it,
/// as the WHATWG Encoding Standard does), since a BOM is never there by accident.
fn decode<'a>(body: &'a [u8], content_type: Option<&str>) -> Cow<'a, str> {
    let encoding = content_type
        .and_then(charset)
        .or_else(|| declared_encoding(body))
        .unwrap_or(UTF_8);
    encoding.decode(body).0
}

/// The encoding named by a Content-Type's `charset` parameter, if encoding_rs knows it.
fn charset(content_type: &str) -> Option<&'static Encoding> {
    let label = content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']))
    })?;
    Encoding::for_label_no_replacement(label.as_bytes())
}

/// The encoding named by the XML declaration that opens the body (after any stray
/// whitespace, which some servers emit before it). The declaration was
/// just read as ASCII, so a "UTF-16" in it is wrong (real UTF-16 has a BOM or reads as NULs
/// here), and the document is read as UTF-8, as browsers do.
fn declared_encoding(body: &[u8]) -> Option<&'static Encoding> {
    let head = body[..body.len().min(HEAD_BYTES)].trim_ascii_start();
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let declaration = &head[..find_ignore_case(head, b"?>")?];
    let after_name = find_ignore_case(declaration, b"encoding")? + b"encoding".len();
    let value = declaration[after_name..]
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let (&quote, value) = value.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let label = &value[..value.iter().position(|&b| b == quote)?];
    let encoding = Encoding::for_label_no_replacement(label)?;
    Some(if encoding == UTF_16LE || encoding == UTF_16BE {
        UTF_8
    } else {
        encoding
    })
}

/// Whether feed-rs will read the text as XML: it goes by whichever of `<` and `{` comes first.
fn is_xml(text: &str) -> bool {
    text.bytes().find(|b| matches!(b, b'<' | b'{')) == Some(b'<')
}

/// Removes XML declarations, wherever they are. The text is UTF-8 by now, and feed-rs would
/// switch its decoder to whatever encoding a declaration names; past the first 64 bytes that
/// switch panics (quick-xml's `DecodingReader::set_encoding`).
fn strip_xml_declarations(text: Cow<'_, str>) -> Cow<'_, str> {
    let spans = declaration_spans(&text);
    if spans.is_empty() {
        return text;
    }
    let mut stripped = String::with_capacity(text.len());
    let mut from = 0;
    for (start, end) in spans {
        stripped.push_str(&text[from..start]);
        from = end;
    }
    stripped.push_str(&text[from..]);
    Cow::Owned(stripped)
}

/// Byte ranges of `<?xml ...?>` declarations; `<?xml-stylesheet ...?>` and other processing
/// instructions are not declarations and stay.
fn declaration_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("<?xml") {
        let start = from + found;
        let after = start + "<?xml".len();
        from = after;
        let next = text.as_bytes().get(after);
        if !next.is_some_and(|&b| b == b'?' || b.is_ascii_whitespace()) {
            continue;
        }
        let Some(close) = text[after..].find("?>") else {
            break;
        };
        from = after + close + "?>".len();
        spans.push((start, from));
    }
    spans
}

/// Names a feed-rs failure for someone reading a list of feeds that failed.
fn classify(error: &ParseFeedError, text: &str) -> ParseError {
    let message = error.to_string();
    if looks_like_html(text) {
        ParseError::HtmlPage(message)
    } else if matches!(
        error,
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot)
    ) {
        ParseError::NotAFeed(message)
    } else {
        ParseError::Malformed(message)
    }
}

/// Whether the text opens like an HTML page: a doctype or an `<html>` element near the start.
fn looks_like_html(text: &str) -> bool {
    let head = &text.as_bytes()[..text.len().min(HEAD_BYTES)];
    find_ignore_case(head, b"<!doctype html").is_some()
        || find_ignore_case(head, b"<html").is_some()
}

/// The first `media:thumbnail` URL inside each `<item>` or `<entry>`, in document order;
/// `None` unless they line up one to one with feed-rs's entries. feed-rs keeps a MediaRSS
/// thumbnail only beside a `media:content`, and feeds like the BBC's give a lone one.
fn thumbnails_by_entry(xml: &str, entries: usize) -> Option<Vec<Option<Cow<'_, str>>>> {
    let mut thumbnails: Vec<Option<Cow<'_, str>>> = Vec::new();
    for token in (Tokens { rest: xml }) {
        let Token::Tag(tag) = token else {
            continue;
        };
        if tag.closing {
            continue;
        }
        match tag.name.rsplit_once(':').unwrap_or(("", tag.name)) {
            (_, "item" | "entry") => thumbnails.push(None),
            (prefix, "thumbnail") if !prefix.is_empty() => {
                if let Some(slot) = thumbnails.last_mut()
                    && slot.is_none()
                {
                    *slot = tag.attribute("url").map(html_escape::decode_html_entities);
                }
            }
            _ => {}
        }
    }
    (thumbnails.len() == entries).then_some(thumbnails)
}

/// The cleaned items, in feed order: duplicates (same guid or same link) kept once, the
/// first one winning, and at most [`MAX_ITEMS`]. `thumbnails` has one per entry, if any.
fn items(
    entries: &[Entry],
    thumbnails: Option<&[Option<Cow<'_, str>>]>,
    base: &Url,
) -> Vec<FeedItem> {
    let mut guids = HashSet::new();
    let mut links = HashSet::new();
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, entry)| {
            let thumbnail = thumbnails.and_then(|t| t.get(i)?.as_deref());
            item(entry, thumbnail, base)
        })
        .filter(|item| {
            let new = item.guid.as_ref().is_none_or(|g| !guids.contains(g))
                && item.link.as_ref().is_none_or(|l| !links.contains(l));
            if new {
                guids.extend(item.guid.clone());
                links.extend(item.link.clone());
            }
            new
        })
        .take(MAX_ITEMS)
        .collect()
}

/// One entry, cleaned; `None` when it has neither a title nor a link to show.
fn item(entry: &Entry, thumbnail: Option<&str>, base: &Url) -> Option<FeedItem> {
    let id = entry.id.trim();
    let guid = (!id.is_empty() && id.len() <= MAX_REF_LEN).then(|| id.to_owned());
    // An RSS guid is often the article's permalink, and some feeds give no <link> at all.
    let link = article_link(entry, base).or_else(|| {
        guid.as_deref()
            .and_then(|g| Url::parse(g).ok())
            .and_then(http_only)
    });
    let title = entry
        .title
        .as_ref()
        .map(|t| html_to_text(&t.content, MAX_TITLE_CHARS))
        .unwrap_or_default();
    if title.is_empty() && link.is_none() {
        return None;
    }
    Some(FeedItem {
        guid,
        link,
        title,
        summary: summary(entry),
        published: entry.published.or(entry.updated).map(|t| t.timestamp()),
        image: image(entry, thumbnail, base),
    })
}

/// The entry's page: its first alternate link, else the first other link to a page (not an
/// enclosure, comments or a feed).
fn article_link(entry: &Entry, base: &Url) -> Option<String> {
    let page = |link: &&Link| {
        link.target.is_none()
            && link
                .media_type
                .as_deref()
                .is_none_or(|t| t.contains("html"))
            && !matches!(link.rel.as_deref(), Some("enclosure" | "self"))
    };
    let alternates = entry
        .links
        .iter()
        .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"));
    alternates
        .chain(&entry.links)
        .filter(page)
        .find_map(|l| absolute_http(base, &l.href))
}

/// The first of summary, content and media description that has any text in it.
fn summary(entry: &Entry) -> String {
    let summary = entry.summary.as_ref().map(|t| t.content.as_str());
    let content = entry
        .content
        .as_ref()
        .filter(|c| is_text(c))
        .and_then(|c| c.body.as_deref());
    let media = entry
        .media
        .iter()
        .filter_map(|m| m.description.as_ref())
        .map(|t| t.content.as_str());
    summary
        .into_iter()
        .chain(content)
        .chain(media)
        .map(|html| html_to_text(html, MAX_SUMMARY_CHARS))
        .find(|text| !text.is_empty())
        .unwrap_or_default()
}

/// Whether content is text or markup; Atom may also carry base64 of any media type inline.
fn is_text(content: &Content) -> bool {
    content.content_type.ty() == "text" || content.content_type.subty().as_str().contains("html")
}

/// The item's picture: a media thumbnail (`thumbnail` is one feed-rs dropped), else image
/// media or an image enclosure, else the first real `<img>` in its HTML.
fn image(entry: &Entry, thumbnail: Option<&str>, base: &Url) -> Option<String> {
    let thumbnails = entry
        .media
        .iter()
        .flat_map(|m| &m.thumbnails)
        .map(|t| t.image.uri.as_str())
        .chain(thumbnail)
        .map(Cow::Borrowed);
    // feed-rs merges RSS enclosures into the media content.
    let media = entry
        .media
        .iter()
        .flat_map(|m| &m.content)
        .filter(|c| is_image_media(c))
        .filter_map(|c| c.url.as_ref())
        .map(|u| Cow::Borrowed(u.as_str()));
    let enclosures = entry
        .links
        .iter()
        .filter(|l| is_image_link(l))
        .map(|l| Cow::Borrowed(l.href.as_str()));
    let html = [
        entry.summary.as_ref().map(|t| t.content.as_str()),
        entry.content.as_ref().and_then(|c| c.body.as_deref()),
    ];
    let inline = html.into_iter().flatten().flat_map(img_sources);
    thumbnails
        .chain(media)
        .chain(enclosures)
        .chain(inline)
        .find_map(|src| absolute_http(base, &src))
}

/// Whether media content is a picture. feed-rs drops MediaRSS's `medium="image"`, so
/// content without a type counts when its URL names an image file.
fn is_image_media(content: &MediaContent) -> bool {
    match &content.content_type {
        Some(media_type) => media_type.ty() == "image",
        None => content.url.as_ref().is_some_and(|url| {
            let path = url.path().to_ascii_lowercase();
            [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
                .iter()
                .any(|ext| path.ends_with(ext))
        }),
    }
}

/// An Atom image enclosure or a JSON Feed image attachment (which has no `rel`).
fn is_image_link(link: &Link) -> bool {
    link.rel.as_deref().is_none_or(|r| r == "enclosure")
        && link
            .media_type
            .as_deref()
            .is_some_and(|t| t.starts_with("image/"))
}

/// `href` made absolute against `base`, if that gives an http(s) URL.
fn absolute_http(base: &Url, href: &str) -> Option<String> {
    let href = href.trim();
    // An empty reference would resolve to the feed itself.
    if href.is_empty() {
        return None;
    }
    base.join(href).ok().and_then(http_only)
}

/// The URL as text if it is http(s) and of sane length.
fn http_only(url: Url) -> Option<String> {
    (matches!(url.scheme(), "http" | "https") && url.as_str().len() <= MAX_REF_LEN)
        .then(|| url.into())
}

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
fn img_sources(html: &str) -> impl Iterator<Item = Cow<'_, str>> {
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
fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
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

    const RSS2: &[u8] = include_bytes!("../../tests/fixtures/feeds/rss2.xml");
    const ATOM: &[u8] = include_bytes!("../../tests/fixtures/feeds/atom.xml");
    const RDF: &[u8] = include_bytes!("../../tests/fixtures/feeds/rdf.xml");
    const JSON: &[u8] = include_bytes!("../../tests/fixtures/feeds/feed.json");
    const CP1251: &[u8] = include_bytes!("../../tests/fixtures/feeds/cp1251.xml");
    const LATIN1: &[u8] = include_bytes!("../../tests/fixtures/feeds/latin1.xml");
    const MALFORMED: &[u8] = include_bytes!("../../tests/fixtures/feeds/malformed.xml");
    const HTML_PAGE: &[u8] = include_bytes!("../../tests/fixtures/feeds/not-a-feed.html");

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn parse(body: &[u8], content_type: Option<&str>) -> Vec<FeedItem> {
        parse_feed(
            body,
            content_type,
            &url("https://news.example.com/feeds/rss2.xml"),
        )
        .unwrap()
    }

    fn titles(items: &[FeedItem]) -> Vec<&str> {
        items.iter().map(|i| i.title.as_str()).collect()
    }

    /// An RSS 2.0 body with these `<item>` contents.
    fn rss(items: &[&str]) -> String {
        let items: String = items.iter().map(|i| format!("<item>{i}</item>")).collect();
        format!(r#"<rss version="2.0"><channel><title>T</title>{items}</channel></rss>"#)
    }

    #[test]
    fn rss2_fixture() {
        let items = parse(RSS2, Some("application/rss+xml"));
        assert_eq!(
            items,
            [
                FeedItem {
                    guid: Some("bsd-2025-0001".into()),
                    link: Some("https://news.example.com/news/1".into()),
                    title: "Kyiv & Odesa — \"talks\"".into(),
                    summary: "Delegations met in Odesa on Monday. Talks resume Tuesday.".into(),
                    published: Some(1_740_983_400),
                    image: Some("https://news.example.com/img/talks.jpg".into()),
                },
                FeedItem {
                    guid: None,
                    link: Some("https://news.example.com/news/2".into()),
                    title: "Grain corridor reopens".into(),
                    summary: "Ships left the port of Chornomorsk at dawn.".into(),
                    published: None,
                    image: None,
                },
                FeedItem {
                    guid: Some("https://news.example.com/news/3".into()),
                    link: Some("https://news.example.com/news/3".into()),
                    title: "Metro line extension approved".into(),
                    summary: "The city council voted 74 to 3 for four new stations.".into(),
                    published: Some(1_740_938_400),
                    image: Some("https://cdn.example.com/metro.jpg".into()),
                },
            ]
        );
    }

    #[test]
    fn atom_fixture_resolves_against_xml_base() {
        let items = parse(ATOM, Some("application/atom+xml; charset=utf-8"));
        assert_eq!(
            items,
            [
                FeedItem {
                    guid: Some("tag:atom.example.org,2025:entry-101".into()),
                    link: Some("https://atom.example.org/world/warsaw-energy-summit".into()),
                    title: "Warsaw hosts energy summit".into(),
                    summary: "Ministers from twelve countries discuss grid links.".into(),
                    published: Some(1_741_076_100),
                    image: Some("https://img.example.org/warsaw-120.jpg".into()),
                },
                FeedItem {
                    guid: Some("tag:atom.example.org,2025:entry-102".into()),
                    link: Some("https://atom.example.org/regions/baltic/ferry-strike-ends".into()),
                    title: "Baltic ferry strike ends".into(),
                    summary: "Crews return to work after a 48-hour walkout.".into(),
                    published: Some(1_741_041_600),
                    image: Some("https://atom.example.org/media/ferry.png".into()),
                },
            ]
        );
    }

    #[test]
    fn rdf_fixture_reads_dc_date() {
        let items = parse(RDF, None);
        assert_eq!(
            items,
            [
                FeedItem {
                    guid: None,
                    link: Some("https://rdf.example.net/a/oslo-budget".into()),
                    title: "Oslo passes its 2025 budget".into(),
                    summary: "The city council approved the budget after a late-night session."
                        .into(),
                    published: Some(1_740_755_100),
                    image: None,
                },
                FeedItem {
                    guid: None,
                    link: Some("https://rdf.example.net/a/helsinki-trams".into()),
                    title: "Helsinki tram strike called off".into(),
                    summary: "Unions and the city reached a deal overnight.".into(),
                    published: Some(1_740_639_600),
                    image: None,
                },
            ]
        );
    }

    #[test]
    fn json_feed_fixture() {
        let items = parse_feed(
            JSON,
            Some("application/feed+json"),
            &url("https://json.example.com/feed.json"),
        )
        .unwrap();
        assert_eq!(
            items,
            [
                FeedItem {
                    guid: Some("andes-2001".into()),
                    link: Some("https://json.example.com/2025/03/lima-elections".into()),
                    title: "Lima sets a date for municipal elections".into(),
                    summary: "The electoral board chose October 5.".into(),
                    published: Some(1_740_841_200),
                    image: Some("https://json.example.com/i/lima.jpg".into()),
                },
                FeedItem {
                    guid: Some("andes-2002".into()),
                    link: Some("https://json.example.com/2025/02/quito-water".into()),
                    title: "Quito water rationing ends".into(),
                    summary: "Reservoirs are back above 80 percent.".into(),
                    published: Some(1_740_778_200),
                    image: Some("https://json.example.com/i/quito.png".into()),
                },
            ]
        );
    }

    #[test]
    fn windows_1251_from_the_declaration() {
        let items = parse(CP1251, None);
        assert_eq!(
            titles(&items),
            [
                "Новости Киева: в метро открыли новую станцию",
                "Київ: відкрито новий міст через Дніпро"
            ]
        );
        assert_eq!(
            items[0].summary,
            "Станция «Виноградарь» приняла первых пассажиров."
        );
        assert_eq!(items[1].summary, "Рух мостом розпочнеться в п’ятницю.");
        assert_eq!(items[1].published, Some(1_741_011_600));
        // Whitespace before the declaration, past the 64 bytes feed-rs's decoder looks at.
        let padded = [&[b'\n'; 100][..], CP1251].concat();
        assert_eq!(parse(&padded, None), items);
    }

    #[test]
    fn iso_8859_1_from_the_declaration() {
        let items = parse(LATIN1, Some("text/xml"));
        assert_eq!(
            titles(&items),
            [
                "Economía: São Paulo lidera el crecimiento",
                "Café à la française: prix en hausse"
            ]
        );
        assert_eq!(items[0].published, Some(1_740_762_000));
    }

    #[test]
    fn iso_8859_15_euro_sign() {
        let mut body = br#"<?xml version="1.0" encoding="ISO-8859-15"?><rss version="2.0"><channel><item><title>Prix: 5 "#.to_vec();
        body.extend_from_slice(b"\xa4 \xe9t\xe9</title></item></channel></rss>");
        assert_eq!(titles(&parse(&body, None)), ["Prix: 5 € été"]);
    }

    /// The cp1251 fixture with its declaration claiming UTF-8.
    fn cp1251_claiming_utf8() -> Vec<u8> {
        let prolog_end = find_ignore_case(CP1251, b"?>").unwrap() + 2;
        [
            &br#"<?xml version="1.0" encoding="utf-8"?>"#[..],
            &CP1251[prolog_end..],
        ]
        .concat()
    }

    #[test]
    fn header_charset_overrides_the_declaration() {
        let body = cp1251_claiming_utf8();
        let items = parse(&body, Some("text/xml; Charset=\"windows-1251\""));
        assert_eq!(
            items[0].title,
            "Новости Киева: в метро открыли новую станцию"
        );
        // Believing the declaration gives replacement characters, not an error.
        let items = parse(&body, Some("text/xml"));
        assert!(items[0].title.contains('\u{FFFD}'), "{}", items[0].title);
    }

    #[test]
    fn unknown_header_charset_falls_back_to_the_declaration() {
        let items = parse(CP1251, Some("text/xml; charset=x-nonsense"));
        assert_eq!(items[1].title, "Київ: відкрито новий міст через Дніпро");
    }

    #[test]
    fn byte_order_mark_wins() {
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend_from_slice(rss(&["<title>Zürich</title>"]).as_bytes());
        assert_eq!(
            titles(&parse(&body, Some("text/xml; charset=windows-1251"))),
            ["Zürich"]
        );

        let text = format!(
            r#"<?xml version="1.0" encoding="UTF-16"?>{}"#,
            rss(&["<title>Łódź</title>"])
        );
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(titles(&parse(&utf16, None)), ["Łódź"]);
    }

    #[test]
    fn utf16_declared_in_ascii_reads_as_utf8() {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-16"?>{}"#,
            rss(&["<title>Ярославль</title>"])
        );
        assert_eq!(titles(&parse(body.as_bytes(), None)), ["Ярославль"]);
    }

    #[test]
    fn a_late_declaration_does_not_switch_the_decoder() {
        // feed-rs 3.0.0 would switch to KOI8-R here, and panic at the switch, this far into the input.
        let body = format!(
            "{}{}",
            " ".repeat(100),
            rss(&[r#"<?xml version="1.0" encoding="koi8-r"?><title>Минск</title>"#])
        );
        assert_eq!(titles(&parse(body.as_bytes(), None)), ["Минск"]);
    }

    #[test]
    fn reads_charset_parameters() {
        assert_eq!(
            charset("text/xml; charset=KOI8-R"),
            Some(encoding_rs::KOI8_R)
        );
        assert_eq!(
            charset("text/xml;format=x; charset='shift_jis'"),
            Some(encoding_rs::SHIFT_JIS)
        );
        assert_eq!(charset("text/xml"), None);
        assert_eq!(charset("charset=utf-8"), None);
        assert_eq!(charset("text/xml; charset=iso-2022-kr"), None);
    }

    #[test]
    fn reads_declared_encodings() {
        let declared = |s: &str| declared_encoding(s.as_bytes());
        assert_eq!(
            declared("<?xml version='1.0' encoding = 'koi8-r' ?><a/>"),
            Some(encoding_rs::KOI8_R)
        );
        assert_eq!(
            declared("\n<?xml encoding=\"ISO-8859-2\"?>"),
            Some(encoding_rs::ISO_8859_2)
        );
        assert_eq!(
            declared("<?xml version=\"1.0\"?><a encoding=\"koi8-r\"/>"),
            None
        );
        assert_eq!(declared("<?xml encoding=koi8-r?>"), None);
        assert_eq!(declared("<?xml encoding=\"koi8-r"), None);
        let late = format!("{}<?xml encoding=\"koi8-r\"?>", " ".repeat(HEAD_BYTES));
        assert_eq!(declared(&late), None);
    }

    #[test]
    fn strips_declarations_only() {
        let text = "<?xml version=\"1.0\"?><?xml-stylesheet href=\"s.xsl\"?><a><?xml?>b</a><?xml ";
        assert_eq!(
            strip_xml_declarations(Cow::Borrowed(text)),
            "<?xml-stylesheet href=\"s.xsl\"?><a>b</a><?xml "
        );
        assert!(matches!(
            strip_xml_declarations(Cow::Borrowed("<a/>")),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn duplicates_by_guid_or_link_keep_the_first() {
        let body = rss(&[
            "<title>One</title><guid>g1</guid><link>https://a.example/1</link>",
            "<title>Same guid</title><guid>g1</guid><link>https://a.example/2</link>",
            "<title>Same link</title><guid>g3</guid><link>https://a.example/1</link>",
            "<title>Two</title><guid>g4</guid><link>https://a.example/4</link>",
        ]);
        assert_eq!(titles(&parse(body.as_bytes(), None)), ["One", "Two"]);
    }

    #[test]
    fn drops_items_without_title_or_link() {
        let body = rss(&[
            "<description>Only text</description>",
            "<title> <![CDATA[<br>]]> </title>",
            "<link>https://a.example/untitled</link>",
            "<title>Untargeted</title>",
        ]);
        let items = parse(body.as_bytes(), None);
        assert_eq!(titles(&items), ["", "Untargeted"]);
        assert_eq!(items[0].link.as_deref(), Some("https://a.example/untitled"));
        assert_eq!(items[1].link, None);
    }

    #[test]
    fn keeps_only_http_links_and_images() {
        let body = rss(&[
            r#"<title>A</title><link>javascript:alert(1)</link><description>&lt;img src="data:image/png;base64,AAAA"&gt;</description>"#,
            r#"<title>B</title><link>ftp://a.example/b</link><enclosure url="file:///etc/passwd" type="image/png"/>"#,
        ]);
        let items = parse(body.as_bytes(), None);
        assert!(
            items.iter().all(|i| i.link.is_none() && i.image.is_none()),
            "{items:?}"
        );
    }

    #[test]
    fn permalink_guid_serves_as_link() {
        let body = rss(&[
            "<title>A</title><guid>https://a.example/permalink</guid>",
            "<title>B</title><guid>b-17</guid>",
        ]);
        let items = parse(body.as_bytes(), None);
        assert_eq!(
            items[0].link.as_deref(),
            Some("https://a.example/permalink")
        );
        assert_eq!(items[1].link, None);
    }

    #[test]
    fn generated_ids_are_not_guids() {
        let body = rss(&["<title>A</title><link>https://a.example/a</link>"]);
        assert_eq!(parse(body.as_bytes(), None)[0].guid, None);
        assert!(parse(RDF, None).iter().all(|i| i.guid.is_none()));
    }

    #[test]
    fn media_images_in_order_of_preference() {
        let mrss = r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item>
            <title>A</title><media:content url="https://i.example/video.mp4" type="video/mp4"/>
            <media:content url="https://i.example/big.JPG"/>
            <media:thumbnail url="/thumb.jpg"/></item></channel></rss>"#;
        assert_eq!(
            parse(mrss.as_bytes(), None)[0].image.as_deref(),
            Some("https://news.example.com/thumb.jpg")
        );
        let without_thumbnail = mrss.replace(r#"<media:thumbnail url="/thumb.jpg"/>"#, "");
        assert_eq!(
            parse(without_thumbnail.as_bytes(), None)[0]
                .image
                .as_deref(),
            Some("https://i.example/big.JPG")
        );
    }

    #[test]
    fn lone_media_thumbnails() {
        let bbc = r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
            <item><title><![CDATA[A <item> in text]]></title><media:thumbnail width="240" url="https://i.example/a.jpg?w=240&amp;q=80"/></item>
            <item><title>B</title></item>
            <item><title>C</title><media:group><media:thumbnail url="/c.jpg"/></media:group></item>
            </channel></rss>"#;
        let images: Vec<_> = parse(bbc.as_bytes(), None)
            .into_iter()
            .map(|i| i.image)
            .collect();
        assert_eq!(
            images,
            [
                Some("https://i.example/a.jpg?w=240&q=80".into()),
                None,
                Some("https://news.example.com/c.jpg".into())
            ]
        );
        // feed-rs drops RSS 1.0 items without a link, so the items no longer line up.
        let rdf = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:media="http://search.yahoo.com/mrss/">
            <item><title>No link</title><media:thumbnail url="https://i.example/x.jpg"/></item>
            <item><title>Linked</title><link>https://a.example/b</link></item></rdf:RDF>"#;
        let items = parse(rdf.as_bytes(), None);
        assert_eq!(
            (titles(&items), items[0].image.as_deref()),
            (vec!["Linked"], None)
        );
    }

    #[test]
    fn bounds_titles_summaries_and_items() {
        let long = "слово ".repeat(400);
        let body = rss(&[&format!(
            "<title>{long}</title><description>{long}{long}</description>"
        )]);
        let item = &parse(body.as_bytes(), None)[0];
        assert_eq!(item.title.chars().count(), MAX_TITLE_CHARS);
        assert_eq!(item.summary.chars().count(), MAX_SUMMARY_CHARS);
        assert!(item.title.ends_with("слово…"), "{}", item.title);

        let many: Vec<String> = (0..MAX_ITEMS + 20)
            .map(|n| format!("<title>Item {n}</title><link>https://a.example/{n}</link>"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let items = parse(rss(&many).as_bytes(), None);
        assert_eq!(items.len(), MAX_ITEMS);
        assert_eq!(items[0].title, "Item 0");
        assert_eq!(
            items[MAX_ITEMS - 1].title,
            format!("Item {}", MAX_ITEMS - 1)
        );
    }

    #[test]
    fn malformed_xml_is_an_error() {
        let error =
            parse_feed(MALFORMED, None, &url("https://broken.example.com/rss")).unwrap_err();
        assert!(matches!(error, ParseError::Malformed(_)), "{error:?}");
        assert!(
            error
                .to_string()
                .starts_with("malformed feed (unable to parse XML"),
            "{error}"
        );
    }

    #[test]
    fn an_html_page_is_an_error() {
        let error = parse_feed(
            HTML_PAGE,
            Some("text/html"),
            &url("https://example.com/rss"),
        )
        .unwrap_err();
        assert!(matches!(error, ParseError::HtmlPage(_)), "{error:?}");
        assert!(
            error.to_string().starts_with("a web page, not a feed ("),
            "{error}"
        );
    }

    #[test]
    fn other_bodies_that_are_not_feeds() {
        let base = url("https://example.com/rss");
        for body in [
            "",
            "Service unavailable",
            "<opml version=\"2.0\"><body/></opml>",
        ] {
            let error = parse_feed(body.as_bytes(), None, &base).unwrap_err();
            assert!(
                matches!(error, ParseError::NotAFeed(_)),
                "{body:?}: {error:?}"
            );
            assert!(error.to_string().contains("no root element"), "{error}");
        }
        for body in [
            &b"{\"items\": 3}"[..],
            b"<rss version=\"2.0\"><channel><item>",
            b"\xff\xfe\x00<",
        ] {
            assert!(parse_feed(body, None, &base).is_err(), "{body:?}");
        }
    }

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
