//! A forgiving XML reader for feeds: text in, a tree of elements out, whatever the text.
//!
//! Feeds in the wild break XML in small ways that a strict parser answers by losing the whole
//! feed: an `&` left unescaped in a link, HTML entities XML does not define (`&nbsp;`), a tag
//! missing its final `>`, a CDATA section or an element never closed, a prefix never declared.
//! Lenient readers (browsers' feed views, feedparser's loose mode) keep what such a feed says,
//! and so does this one: it never fails, and it reads these faults the way they do.
//!
//! - An end tag closes the nearest open element of its name and any left open inside it; an
//!   end tag with no open element of its name is ignored; whatever is open at the end closes.
//! - A tag ends at its `>`, or where the next `<` begins when the `>` is missing.
//! - An unterminated comment, CDATA section or declaration runs to the end of the text.
//! - An `&` that starts no reference is a literal `&`; named references are XML's five,
//!   HTML's set and the document type's own `<!ENTITY>` declarations; numeric ones in
//!   128–159 read as windows-1252, as browsers do; ones naming no character become U+FFFD.
//! - Prefixes resolve through the `xmlns` declarations in scope; an undeclared one stays as
//!   written, for the feed mapping to recognise (`dc:`, `media:`...).
//!
//! Sizes are bounded by the body (the fetcher caps it); nesting is bounded by [`MAX_DEPTH`].

use std::collections::HashMap;

/// How many bytes the document type's own entities may add to a document in all: enough for
/// any honest use, and a stop to "billion laughs" (entities defined as ten of the previous).
const MAX_ENTITY_TEXT: usize = 1 << 20;

/// Elements nested deeper than this are read as text of the deepest one; it keeps the tree,
/// and everything that walks it, safe from a body of 100,000 open tags.
const MAX_DEPTH: usize = 64;

/// Named references defined by XML itself.
const XML_ENTITIES: [(&str, &str); 5] = [
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
];

/// What windows-1252 puts at 128–159, where Unicode has C1 controls; zero where it has
/// nothing. Feeds written on Windows carry `&#146;` meaning "’".
const WINDOWS_1252_C1: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// An element's place in [`Document::elements`].
pub type Id = usize;

/// A parsed document: element 0 is a nameless root holding the top-level elements.
#[derive(Debug)]
pub struct Document {
    elements: Vec<Element>,
}

#[derive(Debug)]
pub struct Element {
    /// The namespace URI its prefix (or the default namespace) resolves to, if declared.
    pub namespace: Option<String>,
    /// The prefix as written, empty for none.
    pub prefix: String,
    /// The name without its prefix.
    pub local: String,
    /// Attributes as written (qualified names), values with references decoded.
    pub attributes: Vec<(String, String)>,
    pub parent: Id,
    pub children: Vec<Node>,
}

#[derive(Debug)]
pub enum Node {
    Element(Id),
    Text(String),
}

impl Element {
    /// An attribute's value by its name as written, ASCII case ignored, or by its local name
    /// when `name` has no prefix.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        let exact = self
            .attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        let local = || {
            self.attributes.iter().find(|(n, _)| {
                n.rsplit_once(':')
                    .is_some_and(|(_, local)| local.eq_ignore_ascii_case(name))
            })
        };
        exact
            .or_else(|| local().filter(|_| !name.contains(':')))
            .map(|(_, v)| v.as_str())
    }
}

impl Document {
    pub fn root(&self) -> Id {
        0
    }

    pub fn get(&self, id: Id) -> &Element {
        &self.elements[id]
    }

    /// The element children of `id`, in order.
    pub fn children(&self, id: Id) -> impl Iterator<Item = Id> + '_ {
        self.elements[id].children.iter().filter_map(|n| match n {
            Node::Element(child) => Some(*child),
            Node::Text(_) => None,
        })
    }

    /// Every element below `id`, depth first, in document order.
    pub fn descendants(&self, id: Id) -> Vec<Id> {
        let mut found = Vec::new();
        let mut stack: Vec<Id> = self.children(id).collect();
        stack.reverse();
        while let Some(next) = stack.pop() {
            found.push(next);
            let at = stack.len();
            stack.extend(self.children(next));
            stack[at..].reverse();
        }
        found
    }

    /// The text of `id` and everything in it, markup left out.
    pub fn text(&self, id: Id) -> String {
        let mut text = String::new();
        self.collect_text(id, &mut text);
        text
    }

    fn collect_text(&self, id: Id, text: &mut String) {
        for node in &self.elements[id].children {
            match node {
                Node::Text(run) => text.push_str(run),
                Node::Element(child) => self.collect_text(*child, text),
            }
        }
    }

    /// `id`'s ancestors, nearest first, the root left out.
    pub fn ancestors(&self, id: Id) -> impl Iterator<Item = Id> + '_ {
        std::iter::successors(Some(id), |&at| {
            let parent = self.elements[at].parent;
            (at != 0 && parent != 0).then_some(parent)
        })
        .skip(1)
    }
}

/// Reads `text` as XML, forgiving every fault (see the module's docs).
pub fn parse(text: &str) -> Document {
    let mut reader = Reader {
        doc: Document {
            elements: vec![Element {
                namespace: None,
                prefix: String::new(),
                local: String::new(),
                attributes: Vec::new(),
                parent: 0,
                children: Vec::new(),
            }],
        },
        open: vec![0],
        scopes: vec![Vec::new()],
        entities: Entities::default(),
    };
    reader.read(text);
    reader.doc
}

/// The document type's `<!ENTITY>` declarations, and how many bytes they may still add.
struct Entities {
    defined: HashMap<String, String>,
    budget: usize,
}

impl Default for Entities {
    fn default() -> Self {
        Self {
            defined: HashMap::new(),
            budget: MAX_ENTITY_TEXT,
        }
    }
}

struct Reader {
    doc: Document,
    /// The open elements, the root first.
    open: Vec<Id>,
    /// The namespace declarations each open element made: (prefix, URI), "" for the default.
    scopes: Vec<Vec<(String, String)>>,
    entities: Entities,
}

impl Reader {
    fn read(&mut self, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            let Some(lt) = markup_start(rest) else {
                self.text(rest);
                break;
            };
            if lt > 0 {
                self.text(&rest[..lt]);
            }
            rest = &rest[lt..];
            let len = self.markup(rest);
            rest = &rest[len..];
        }
    }

    fn current(&self) -> Id {
        *self.open.last().unwrap_or(&0)
    }

    fn text(&mut self, raw: &str) {
        let decoded = decode_references(raw, &mut self.entities);
        self.push_text(decoded);
    }

    fn push_text(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        let current = self.current();
        let children = &mut self.doc.elements[current].children;
        if let Some(Node::Text(last)) = children.last_mut() {
            last.push_str(&text);
        } else {
            children.push(Node::Text(text));
        }
    }

    /// Reads the markup at the start of `s` and returns the bytes it spans.
    fn markup(&mut self, s: &str) -> usize {
        if let Some(inside) = s.strip_prefix("<![CDATA[") {
            let (body, len) = match inside.find("]]>") {
                Some(end) => (&inside[..end], "<![CDATA[".len() + end + "]]>".len()),
                None => (inside, s.len()),
            };
            self.push_text(body.to_owned());
            return len;
        }
        if let Some(inside) = s.strip_prefix("<!--") {
            return inside.find("-->").map_or(s.len(), |end| 4 + end + 3);
        }
        if s.starts_with("<!") {
            return self.declaration(s);
        }
        if s.starts_with("<?") {
            return s.find("?>").map_or(s.len(), |end| end + 2);
        }
        let closing = s.starts_with("</");
        let name_start = if closing { 2 } else { 1 };
        let name_end = s[name_start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '>' | '<'))
            .map_or(s.len(), |i| name_start + i);
        let name = &s[name_start..name_end];
        let (attributes, end, self_closing) = attributes(&s[name_end..]);
        let len = name_end + end;
        if closing {
            self.close(name);
        } else {
            self.open(name, attributes, self_closing);
        }
        len
    }

    /// A `<!DOCTYPE ...>` (its internal subset's entity declarations kept) or other `<!...>`.
    fn declaration(&mut self, s: &str) -> usize {
        let Some(open_subset) = s.find(['[', '>']) else {
            return s.len();
        };
        if s.as_bytes()[open_subset] == b'>' {
            return open_subset + 1;
        }
        let Some(close_subset) = s[open_subset..].find("]") else {
            return s.len();
        };
        let subset = &s[open_subset + 1..open_subset + close_subset];
        self.entity_declarations(subset);
        let after = open_subset + close_subset;
        s[after..].find('>').map_or(s.len(), |end| after + end + 1)
    }

    /// `<!ENTITY name "value">` declarations; parameter and external entities are skipped.
    fn entity_declarations(&mut self, subset: &str) {
        for declaration in subset.split("<!ENTITY").skip(1) {
            let mut words = declaration.trim_start().splitn(2, char::is_whitespace);
            let (Some(name), Some(rest)) = (words.next(), words.next()) else {
                continue;
            };
            let rest = rest.trim_start();
            let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
                continue;
            };
            let Some(end) = rest[1..].find(quote) else {
                continue;
            };
            let value = decode_references(&rest[1..1 + end], &mut self.entities);
            self.entities.defined.insert(name.to_owned(), value);
        }
    }

    fn open(&mut self, name: &str, raw: Vec<(&str, &str)>, self_closing: bool) {
        if name.is_empty() || self.open.len() > MAX_DEPTH {
            return;
        }
        let attributes: Vec<(String, String)> = raw
            .into_iter()
            .map(|(n, v)| (n.to_owned(), decode_references(v, &mut self.entities)))
            .collect();
        let declared: Vec<(String, String)> = attributes
            .iter()
            .filter_map(|(n, v)| {
                if n == "xmlns" {
                    Some((String::new(), v.clone()))
                } else {
                    n.strip_prefix("xmlns:").map(|p| (p.to_owned(), v.clone()))
                }
            })
            .collect();
        let (prefix, local) = name.split_once(':').unwrap_or(("", name));
        let namespace = declared
            .iter()
            .chain(self.scopes.iter().rev().flatten())
            .find(|(p, _)| p == prefix)
            .map(|(_, uri)| uri.clone())
            .filter(|uri| !uri.is_empty());
        let parent = self.current();
        let id = self.doc.elements.len();
        self.doc.elements.push(Element {
            namespace,
            prefix: prefix.to_owned(),
            local: local.to_owned(),
            attributes,
            parent,
            children: Vec::new(),
        });
        self.doc.elements[parent].children.push(Node::Element(id));
        if !self_closing {
            self.open.push(id);
            self.scopes.push(declared);
        }
    }

    /// Closes the nearest open element named `name` and those open inside it. An end tag with
    /// no open element of its name is a typo (`</titel>`) when the current element holds only
    /// text, and closes it; elsewhere it is stray, and ignored.
    fn close(&mut self, name: &str) {
        let (prefix, local) = name.split_once(':').unwrap_or(("", name));
        let found = self.open.iter().skip(1).rposition(|&id| {
            let element = &self.doc.elements[id];
            element.local == local && element.prefix == prefix
        });
        let at = match found {
            Some(at) => at + 1,
            None if self.open.len() > 1 && self.doc.children(self.current()).next().is_none() => {
                self.open.len() - 1
            }
            None => return,
        };
        self.open.truncate(at);
        self.scopes.truncate(at);
    }
}

/// The byte offset of the first `<` that opens markup: a tag (`<a`, `</a`), a comment or
/// declaration (`<!`) or a processing instruction (`<?`). Any other `<` is text.
fn markup_start(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    s.match_indices('<')
        .map(|(i, _)| i)
        .find(|&i| match bytes.get(i + 1) {
            Some(b'!' | b'?') => true,
            Some(b'/') => bytes.get(i + 2).is_some_and(|&b| is_name_start(b)),
            Some(&b) => is_name_start(b),
            None => false,
        })
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// The attributes after a tag's name, the bytes up to and including its `>` (or up to the
/// next `<` or the end, when the `>` is missing), and whether it ends in `/>`. Not the HTML
/// tokenizer's (`html::attributes`): there a `<` belongs to the tag, as in browsers, while in
/// a feed a `<` inside a tag means its `>` went missing, and an unclosed quote stops at the
/// tag's end instead of swallowing the feed.
fn attributes(s: &str) -> (Vec<(&str, &str)>, usize, bool) {
    let bytes = s.as_bytes();
    let mut attributes = Vec::new();
    let mut i = 0;
    loop {
        let mut slash = false;
        while let Some(&b) = bytes.get(i) {
            if b == b'/' {
                slash = true;
            } else if !b.is_ascii_whitespace() {
                break;
            }
            i += 1;
        }
        match bytes.get(i) {
            None => return (attributes, i, slash),
            Some(b'>') => return (attributes, i + 1, slash),
            Some(b'<') => return (attributes, i, slash),
            Some(_) => {}
        }
        let name_start = i;
        i += 1;
        while bytes
            .get(i)
            .is_some_and(|&b| !b.is_ascii_whitespace() && !matches!(b, b'/' | b'>' | b'=' | b'<'))
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
                    // An unclosed quote runs to the tag's end at most, so one stray quote
                    // does not swallow the rest of the feed.
                    let inside = &s[i + 1..];
                    let close = inside.find(char::from(quote));
                    let limit = inside.find(['>', '<']);
                    let len = match (close, limit) {
                        (Some(c), Some(l)) if c > l && inside[..l].contains('\n') => l,
                        (Some(c), _) => c,
                        (None, Some(l)) => l,
                        (None, None) => inside.len(),
                    };
                    value = &inside[..len];
                    i += 1 + len;
                    if bytes.get(i) == Some(&quote) {
                        i += 1;
                    }
                }
                _ => {
                    let start = i;
                    while bytes
                        .get(i)
                        .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'>' && b != b'<')
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

/// Character and entity references decoded; an `&` that starts none stays as it is.
fn decode_references(raw: &str, entities: &mut Entities) -> String {
    if !raw.contains('&') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match reference(rest, entities) {
            Some((text, len)) => {
                out.push_str(&text);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The reference at the start of `s` (which starts with `&`): its text and length.
fn reference(s: &str, entities: &mut Entities) -> Option<(String, usize)> {
    let semicolon = s[1..].find(';').filter(|&i| i <= 32)? + 1;
    let name = &s[1..semicolon];
    let len = semicolon + 1;
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse::<u32>().ok(),
        };
        let hex_ok = number
            .strip_prefix(['x', 'X'])
            .is_none_or(|h| !h.is_empty());
        if number.is_empty() || !hex_ok {
            return None;
        }
        return Some((character(code.unwrap_or(u32::MAX)).to_string(), len));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return None;
    }
    if let Some((_, text)) = XML_ENTITIES.iter().find(|(n, _)| *n == name) {
        return Some(((*text).to_owned(), len));
    }
    if let Some(text) = entities.defined.get(name) {
        // Past the budget a declared entity adds nothing.
        let text = match entities.budget.checked_sub(text.len()) {
            Some(left) => {
                entities.budget = left;
                text.clone()
            }
            None => String::new(),
        };
        return Some((text, len));
    }
    let html = html_escape::decode_html_entities(&s[..len]);
    (html != s[..len]).then(|| (html.into_owned(), len))
}

/// The character a numeric reference names, browsers' way: 128–159 as windows-1252,
/// nothing or no character as U+FFFD.
fn character(code: u32) -> char {
    let code = match code {
        0x80..=0x9F => match WINDOWS_1252_C1[(code - 0x80) as usize] {
            0 => code,
            mapped => u32::from(mapped),
        },
        _ => code,
    };
    char::from_u32(code)
        .filter(|&c| c != '\0')
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(doc: &Document, id: Id) -> Vec<String> {
        doc.children(id).map(|c| doc.get(c).local.clone()).collect()
    }

    #[test]
    fn reads_well_formed_xml() {
        let doc = parse(
            r#"<?xml version="1.0"?><a x="1"><b>one &amp; two</b><c/><b><![CDATA[<i>]]></b></a>"#,
        );
        let a = doc.children(doc.root()).next().unwrap();
        assert_eq!(doc.get(a).attribute("x"), Some("1"));
        assert_eq!(names(&doc, a), ["b", "c", "b"]);
        assert_eq!(doc.text(a), "one & two<i>");
    }

    #[test]
    fn forgives_what_lenient_readers_forgive() {
        let doc = parse(
            "<rss><item><title>Fish &amp; chips &nbsp;&bogus; a&b</title\n<link>http://x/?a=1&b=2</link><p>open</item><item><title><![CDATA[cut",
        );
        let rss = doc.children(doc.root()).next().unwrap();
        let items: Vec<Id> = doc.children(rss).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(names(&doc, items[0]), ["title", "link", "p"]);
        let title = doc.children(items[0]).next().unwrap();
        assert_eq!(doc.text(title), "Fish & chips \u{a0}&bogus; a&b");
        let link = doc.children(items[0]).nth(1).unwrap();
        assert_eq!(doc.text(link), "http://x/?a=1&b=2");
        assert_eq!(doc.text(items[1]), "cut");
    }

    #[test]
    fn resolves_prefixes_in_scope() {
        let doc =
            parse(r#"<feed xmlns="urn:a" xmlns:x="urn:x"><x:t/><t xmlns="urn:b"/><y:t/></feed>"#);
        let feed = doc.children(doc.root()).next().unwrap();
        let spaces: Vec<_> = doc
            .children(feed)
            .map(|c| (doc.get(c).namespace.clone(), doc.get(c).prefix.clone()))
            .collect();
        assert_eq!(
            spaces,
            [
                (Some("urn:x".into()), "x".into()),
                (Some("urn:b".into()), String::new()),
                (None, "y".into())
            ]
        );
        assert_eq!(doc.get(feed).namespace.as_deref(), Some("urn:a"));
    }

    #[test]
    fn numeric_references_read_as_browsers_read_them() {
        let none = &mut Entities::default();
        assert_eq!(
            decode_references("don&#146;t &#x20AC; &#0; &#xD800; &#99999999999;", none),
            "don’t € \u{fffd} \u{fffd} \u{fffd}"
        );
        assert_eq!(decode_references("&#; &#x; & ;", none), "&#; &#x; & ;");
    }

    #[test]
    fn doctype_entities_are_defined() {
        let doc = parse(r#"<!DOCTYPE rss [<!ENTITY who "the &amp; team">]><rss>&who;</rss>"#);
        let rss = doc.children(doc.root()).next().unwrap();
        assert_eq!(doc.text(rss), "the & team");
    }

    #[test]
    fn entity_expansion_is_bounded() {
        let mut doctype = String::from("<!DOCTYPE rss [<!ENTITY l0 \"laugh\">");
        for level in 1..12 {
            let previous = format!("&l{};", level - 1).repeat(10);
            doctype.push_str(&format!("<!ENTITY l{level} \"{previous}\">"));
        }
        doctype.push_str("]>");
        let body = format!("{doctype}<rss>&l3;{}</rss>", "&l11;".repeat(1_000));
        let doc = parse(&body);
        let rss = doc.children(doc.root()).next().unwrap();
        let text = doc.text(rss);
        assert!(text.len() <= 2 * MAX_ENTITY_TEXT, "{} bytes", text.len());
        assert!(text.starts_with("laughlaugh"));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "<a>".repeat(100_000);
        let doc = parse(&deep);
        assert!(doc.descendants(doc.root()).len() <= MAX_DEPTH + 1);
    }
}
