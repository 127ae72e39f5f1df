//! Text in feeds: RSS text that is HTML by convention unless it holds none, and Atom's text
//! constructs with their declared kind (text, HTML, XHTML markup, base64), falling back to
//! plain text for what they do not know.

use super::Reader;
use crate::news::parse::xml::{Document, Id, Node};
use crate::news::parse::{Text, html};

/// HTML elements whose tags mark a piece of RSS text as HTML rather than plain text.
const HTML_TAGS: [&str; 48] = [
    "a",
    "abbr",
    "article",
    "b",
    "big",
    "blockquote",
    "br",
    "center",
    "cite",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "script",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "sup",
    "table",
    "td",
    "tr",
    "u",
    "ul",
];

/// Whether the text opens like an HTML page: a doctype or an `<html>` element near the start.
pub(super) fn looks_like_html(text: &str) -> bool {
    let head = &text.as_bytes()[..text.len().min(1_024)];
    html::find_ignore_case(head, b"<!doctype html").is_some()
        || html::find_ignore_case(head, b"<html").is_some()
}

impl Reader<'_> {
    /// An Atom text construct (1.0's `type`; 0.3's `mode` and MIME `type`), falling back to
    /// plain text for whatever it does not know.
    pub(super) fn text_construct(&self, id: Id) -> Text {
        let doc = self.doc;
        let element = doc.get(id);
        let kind = element
            .attribute("type")
            .map(|t| t.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let mode = element
            .attribute("mode")
            .map(|m| m.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let html_type = matches!(kind.as_str(), "html" | "text/html");
        let xhtml_type = matches!(kind.as_str(), "xhtml" | "application/xhtml+xml")
            || kind.ends_with("+xml") && kind.contains("html");
        // Atom 0.3 says base64 with `mode`; Atom 1.0 with a MIME type that is not text or XML.
        let binary_type = kind.contains('/') && !kind.starts_with("text/") && !kind.contains("xml");
        if mode == "base64" || binary_type {
            let text = doc.text(id);
            return match base64(&text).and_then(|bytes| String::from_utf8(bytes).ok()) {
                Some(body) => Text {
                    body,
                    html: html_type,
                },
                None => Text {
                    body: text,
                    html: false,
                },
            };
        }
        if xhtml_type || (mode == "xml" && html_type) || (html_type && has_elements(doc, id)) {
            return Text {
                body: self.markup(id),
                html: true,
            };
        }
        if html_type || mode == "escaped" && !kind.starts_with("text/plain") {
            return Text {
                body: doc.text(id),
                html: true,
            };
        }
        Text {
            body: doc.text(id),
            html: false,
        }
    }

    /// The markup inside `id`, written back out: what an XHTML text construct holds.
    fn markup(&self, id: Id) -> String {
        let mut out = String::new();
        self.write_markup(id, &mut out);
        out
    }

    fn write_markup(&self, id: Id, out: &mut String) {
        for node in &self.doc.get(id).children {
            match node {
                Node::Text(text) => {
                    html_escape::encode_text_to_string(text, out);
                }
                Node::Element(child) => {
                    let element = self.doc.get(*child);
                    out.push('<');
                    out.push_str(&element.local);
                    for (name, value) in &element.attributes {
                        out.push(' ');
                        out.push_str(name);
                        out.push_str("=\"");
                        html_escape::encode_double_quoted_attribute_to_string(value, out);
                        out.push('"');
                    }
                    out.push('>');
                    self.write_markup(*child, out);
                    out.push_str("</");
                    out.push_str(&element.local);
                    out.push('>');
                }
            }
        }
    }
}

/// Whether `id` holds elements: HTML written unescaped inside a text construct.
fn has_elements(doc: &Document, id: Id) -> bool {
    doc.children(id).next().is_some()
}

/// RSS text: HTML by convention, but text that holds no HTML stays text, so "the <blink>
/// tag" keeps its word.
pub(super) fn rss_text(body: String) -> Text {
    let html = looks_like_markup(&body);
    Text { body, html }
}

/// Whether text holds an HTML tag of a known element or a character reference.
fn looks_like_markup(text: &str) -> bool {
    let bytes = text.as_bytes();
    let tag = text.match_indices('<').any(|(i, _)| {
        let rest = &text[i + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let after = rest.as_bytes().get(end);
        end > 0
            && HTML_TAGS
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&rest[..end]))
            && after.is_none_or(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace())
    });
    let reference = text.match_indices('&').any(|(i, _)| {
        let rest = &bytes[i + 1..];
        let len = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'#'))
            .unwrap_or(rest.len());
        len > 0 && rest.get(len) == Some(&b';')
    });
    tag || reference
}

/// Standard base64, whitespace ignored; `None` when it is not base64.
fn base64(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}
