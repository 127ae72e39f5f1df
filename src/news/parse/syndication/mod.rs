//! RSS (0.90, 0.91–0.94, 1.0/RDF, 2.0, the Userland namespace) and Atom (0.3, 1.0) as one
//! family: each names the same few things (a title, a link, an id, a summary, a date, a
//! picture) in its own elements, and feeds mix them (`dc:title` in RSS, `atom:link` in RSS,
//! Atom without its namespace).
//!
//! Elements are known by namespace, or by their usual prefix when the feed forgot to declare
//! it; within an entry the first candidate of each kind that has something wins. Text
//! constructs keep their declared kind: `type="text"` stays text (its `<` is a character),
//! HTML is read as HTML, XHTML as markup; an unknown type, `mode="base64"` or an empty
//! attribute falls back to text rather than losing the entry.

use url::Url;

mod text;

use super::xml::{self, Document, Id};
use super::{Entry, ParseError, Text, date};
use text::{looks_like_html, rss_text};

/// What the elements of a feed belong to, as far as reading entries goes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Space {
    /// No namespace, or one of RSS's own (0.90, 1.0, Userland's).
    Rss,
    Atom,
    Dc,
    DcTerms,
    Content,
    Media,
    Rdf,
    Other,
}

/// The entries of an RSS or Atom document.
pub fn entries(text: &str, base: &Url) -> Result<Vec<Entry>, ParseError> {
    let doc = xml::parse(text);
    let Some(root) = doc.children(doc.root()).next() else {
        return Err(ParseError::NotAFeed(
            "no XML element in the body".to_owned(),
        ));
    };
    let reader = Reader { doc: &doc, base };
    let root_name = doc.get(root).local.to_ascii_lowercase();
    match root_name.as_str() {
        "rss" | "rdf" | "channel" => Ok(reader.all(root, "item").map(|i| reader.rss(i)).collect()),
        "feed" => Ok(reader.all(root, "entry").map(|e| reader.atom(e)).collect()),
        "html" => Err(ParseError::HtmlPage(format!(
            "<{}> at the root",
            doc.get(root).local
        ))),
        _ if looks_like_html(text) => Err(ParseError::HtmlPage(format!(
            "<{}> at the root",
            doc.get(root).local
        ))),
        _ => Err(ParseError::NotAFeed(format!(
            "<{}> at the root, not <rss>, <rdf:RDF> or <feed>",
            doc.get(root).local
        ))),
    }
}

struct Reader<'a> {
    doc: &'a Document,
    base: &'a Url,
}

impl<'a> Reader<'a> {
    /// The elements named `name` (in RSS's or Atom's space) below `root`, not counting ones
    /// inside another such element.
    fn all(&self, root: Id, name: &'a str) -> impl Iterator<Item = Id> + 'a {
        let doc = self.doc;
        let mut inside: Option<Id> = None;
        let found: Vec<Id> = doc
            .descendants(root)
            .into_iter()
            .filter(|&id| {
                let element = doc.get(id);
                if !element.local.eq_ignore_ascii_case(name)
                    || !matches!(space(doc, id), Space::Rss | Space::Atom)
                {
                    return false;
                }
                if inside.is_some_and(|outer| doc.ancestors(id).any(|a| a == outer)) {
                    return false;
                }
                inside = Some(id);
                true
            })
            .collect();
        found.into_iter()
    }

    /// The first child of `id` named `name` in `space`.
    fn child(&self, id: Id, space_of: Space, name: &str) -> Option<Id> {
        self.children(id, space_of, name).next()
    }

    fn children(&self, id: Id, space_of: Space, name: &'a str) -> impl Iterator<Item = Id> + '_ {
        self.doc.children(id).filter(move |&c| {
            self.doc.get(c).local.eq_ignore_ascii_case(name) && space(self.doc, c) == space_of
        })
    }

    /// The trimmed text of the first child `name` in `space` that has any.
    fn child_text(&self, id: Id, space_of: Space, name: &str) -> Option<String> {
        self.doc
            .children(id)
            .filter(|&c| {
                self.doc.get(c).local.eq_ignore_ascii_case(name) && space(self.doc, c) == space_of
            })
            .map(|c| self.doc.text(c).trim().to_owned())
            .find(|t| !t.is_empty())
    }

    /// What relative references inside `id` resolve against: the feed's address, then each
    /// `xml:base` from the root down to `id`.
    fn base_of(&self, id: Id) -> Url {
        let mut chain: Vec<Id> = self.doc.ancestors(id).collect();
        chain.reverse();
        chain.push(id);
        chain.into_iter().fold(self.base.clone(), |base, at| {
            match self.doc.get(at).attribute("xml:base") {
                Some(href) => base.join(href.trim()).unwrap_or(base),
                None => base,
            }
        })
    }

    fn resolve(&self, id: Id, href: &str) -> Option<Url> {
        let href = href.trim();
        if href.is_empty() {
            return None;
        }
        self.base_of(id).join(href).ok()
    }

    /// The first date among `candidates` (space, name) that reads as one.
    fn date(&self, id: Id, candidates: &[(Space, &str)]) -> Option<i64> {
        candidates.iter().find_map(|&(space_of, name)| {
            self.children(id, space_of, name)
                .find_map(|c| date::parse(&self.doc.text(c)))
        })
    }

    /// The text of each of `candidates` (space, name) present under `parent`, in order: a
    /// text construct where `construct` says its space writes one, else RSS text.
    fn texts<'s>(
        &'s self,
        parent: Id,
        candidates: &'s [(Space, &'s str)],
        construct: fn(Space) -> bool,
    ) -> impl Iterator<Item = Text> + 's {
        candidates.iter().filter_map(move |&(space_of, name)| {
            let id = self.child(parent, space_of, name)?;
            Some(if construct(space_of) {
                self.text_construct(id)
            } else {
                rss_text(self.doc.text(id))
            })
        })
    }

    fn rss(&self, item: Id) -> Entry {
        let doc = self.doc;
        let atom = |space_of: Space| space_of == Space::Atom;
        let title = self
            .texts(
                item,
                &[
                    (Space::Rss, "title"),
                    (Space::Dc, "title"),
                    (Space::Atom, "title"),
                    (Space::Media, "title"),
                ],
                atom,
            )
            .find(|t| !t.body.trim().is_empty());
        let guid = self.child(item, Space::Rss, "guid");
        let id = guid
            .map(|g| doc.text(g).trim().to_owned())
            .filter(|g| !g.is_empty())
            .or_else(|| self.child_text(item, Space::Dc, "identifier"));
        let id_is_link = guid.is_some_and(|g| {
            !doc.get(g)
                .attribute("isPermaLink")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"))
        });
        let mut links: Vec<Url> = self
            .children(item, Space::Rss, "link")
            .filter_map(|l| {
                let element = doc.get(l);
                let href = element.attribute("href").map(str::to_owned);
                self.resolve(l, &href.unwrap_or_else(|| doc.text(l)))
            })
            .collect();
        links.extend(self.atom_links(item));
        // Microsoft's Channel Definition Format puts the page on the item itself.
        links.extend(
            doc.get(item)
                .attribute("href")
                .and_then(|href| self.resolve(item, href)),
        );
        let summaries = self
            .texts(
                item,
                &[
                    (Space::Rss, "description"),
                    (Space::Content, "encoded"),
                    (Space::Dc, "description"),
                    (Space::Atom, "summary"),
                    (Space::Atom, "content"),
                    (Space::Rss, "summary"),
                ],
                atom,
            )
            .chain(self.media_descriptions(item))
            .collect();
        let published = self.date(
            item,
            &[
                (Space::Rss, "pubDate"),
                (Space::Dc, "date"),
                (Space::DcTerms, "issued"),
                (Space::DcTerms, "created"),
                (Space::DcTerms, "date"),
                (Space::Atom, "published"),
                (Space::DcTerms, "modified"),
                (Space::Atom, "updated"),
                (Space::Rss, "date"),
            ],
        );
        let mut images = self.media_images(item);
        images.extend(
            self.children(item, Space::Rss, "enclosure")
                .filter(|&e| is_image(doc.get(e).attribute("type"), doc.get(e).attribute("url")))
                .filter_map(|e| self.resolve(e, doc.get(e).attribute("url")?)),
        );
        images.extend(self.children(item, Space::Rss, "image").filter_map(|i| {
            let url = self
                .child_text(i, Space::Rss, "url")
                .or_else(|| doc.get(i).attribute("url").map(str::to_owned))
                .unwrap_or_else(|| doc.text(i));
            self.resolve(i, &url)
        }));
        let id_link = id.as_deref().filter(|_| id_is_link).and_then(absolute);
        Entry {
            id,
            id_link,
            title,
            links,
            summaries,
            published,
            images,
            base: Some(self.base_of(item)),
        }
    }

    fn atom(&self, entry: Id) -> Entry {
        let doc = self.doc;
        // Inside an Atom entry everything is a text construct but Dublin Core's plain text.
        let construct = |space_of: Space| space_of != Space::Dc;
        let title = self
            .texts(
                entry,
                &[
                    (Space::Atom, "title"),
                    (Space::Rss, "title"),
                    (Space::Dc, "title"),
                ],
                construct,
            )
            .find(|t| !t.body.trim().is_empty());
        let id = self
            .child_text(entry, Space::Atom, "id")
            .or_else(|| self.child_text(entry, Space::Rss, "id"))
            .or_else(|| self.child_text(entry, Space::Dc, "identifier"));
        let links = self.atom_links(entry);
        let summaries = self
            .texts(
                entry,
                &[
                    (Space::Atom, "summary"),
                    (Space::Rss, "summary"),
                    (Space::Atom, "content"),
                    (Space::Rss, "content"),
                    (Space::Dc, "description"),
                ],
                construct,
            )
            .chain(self.media_descriptions(entry))
            .collect();
        let published = [Space::Atom, Space::Rss]
            .iter()
            .find_map(|&s| self.date(entry, &[(s, "published"), (s, "issued"), (s, "created")]))
            .or_else(|| self.date(entry, &[(Space::Dc, "date"), (Space::DcTerms, "issued")]))
            .or_else(|| {
                [Space::Atom, Space::Rss]
                    .iter()
                    .find_map(|&s| self.date(entry, &[(s, "updated"), (s, "modified")]))
            });
        let mut images = self.media_images(entry);
        images.extend(
            self.doc
                .children(entry)
                .filter(|&l| {
                    let element = doc.get(l);
                    element.local == "link"
                        && matches!(space(doc, l), Space::Atom | Space::Rss)
                        && element
                            .attribute("rel")
                            .is_some_and(|r| r.trim().eq_ignore_ascii_case("enclosure"))
                        && is_image(element.attribute("type"), element.attribute("href"))
                })
                .filter_map(|l| self.resolve(l, doc.get(l).attribute("href")?)),
        );
        // An entry with no link to its page is known by its id, which is often that page.
        let id_link = id.as_deref().and_then(absolute);
        Entry {
            id,
            id_link,
            title,
            links,
            summaries,
            published,
            images,
            base: Some(self.base_of(entry)),
        }
    }

    /// An entry's Atom links to pages, alternates first: not enclosures, feeds or replies.
    fn atom_links(&self, entry: Id) -> Vec<Url> {
        let doc = self.doc;
        let candidates: Vec<(bool, Url)> = doc
            .children(entry)
            .filter(|&l| {
                doc.get(l).local == "link" && matches!(space(doc, l), Space::Atom | Space::Rss)
            })
            .filter_map(|l| {
                let element = doc.get(l);
                let href = element.attribute("href")?;
                let rel = element
                    .attribute("rel")
                    .map(|r| r.trim().to_ascii_lowercase());
                let alternate = rel
                    .as_deref()
                    .is_none_or(|r| r.is_empty() || r == "alternate");
                let page = element
                    .attribute("type")
                    .is_none_or(|t| t.trim().is_empty() || t.contains("html"));
                let other_page = !matches!(
                    rel.as_deref(),
                    Some("enclosure" | "self" | "replies" | "edit" | "related" | "via" | "license")
                );
                (page && other_page).then(|| Some((alternate, self.resolve(l, href)?)))?
            })
            .collect();
        let (alternates, others): (Vec<_>, Vec<_>) = candidates.into_iter().partition(|(a, _)| *a);
        alternates
            .into_iter()
            .chain(others)
            .map(|(_, url)| url)
            .collect()
    }

    /// MediaRSS pictures of an entry, on it or in its `media:group`s: thumbnails first, then
    /// image content.
    fn media_images(&self, entry: Id) -> Vec<Url> {
        let doc = self.doc;
        let media: Vec<Id> = doc
            .children(entry)
            .flat_map(|c| {
                if doc.get(c).local == "group" && space(doc, c) == Space::Media {
                    doc.children(c).collect()
                } else {
                    vec![c]
                }
            })
            .filter(|&c| space(doc, c) == Space::Media)
            .collect();
        // A thumbnail inside media:content counts too.
        let nested: Vec<Id> = media
            .iter()
            .flat_map(|&m| doc.children(m).filter(|&c| space(doc, c) == Space::Media))
            .collect();
        let thumbnails = media
            .iter()
            .chain(&nested)
            .filter(|&&m| doc.get(m).local == "thumbnail")
            .filter_map(|&m| self.resolve(m, doc.get(m).attribute("url")?));
        let content = media
            .iter()
            .filter(|&&m| {
                let element = doc.get(m);
                element.local == "content"
                    && (element
                        .attribute("medium")
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case("image"))
                        || is_image(element.attribute("type"), element.attribute("url")))
            })
            .filter_map(|&m| self.resolve(m, doc.get(m).attribute("url")?));
        thumbnails.chain(content).collect()
    }

    /// MediaRSS descriptions, as a last resort for a summary.
    fn media_descriptions(&self, entry: Id) -> Vec<Text> {
        let doc = self.doc;
        doc.descendants(entry)
            .into_iter()
            .filter(|&d| doc.get(d).local == "description" && space(doc, d) == Space::Media)
            .map(|d| {
                let body = doc.text(d);
                let html = doc
                    .get(d)
                    .attribute("type")
                    .is_some_and(|t| t.contains("html"));
                Text { body, html }
            })
            .collect()
    }
}

/// An id as an address, when it is an absolute one: a relative id ("b-17") names no page.
fn absolute(id: &str) -> Option<Url> {
    Url::parse(id.trim()).ok()
}

/// Which space an element is in: by its namespace, or its usual prefix when undeclared.
fn space(doc: &Document, id: Id) -> Space {
    let element = doc.get(id);
    match element.namespace.as_deref() {
        Some(uri) => {
            let uri = uri.trim().trim_end_matches(['/', '#']).to_ascii_lowercase();
            let uri = uri
                .strip_prefix("https://")
                .map_or(uri.clone(), |u| format!("http://{u}"));
            match uri.as_str() {
                "http://www.w3.org/2005/atom" | "http://purl.org/atom/ns" => Space::Atom,
                "http://purl.org/rss/1.0"
                | "http://my.netscape.com/rdf/simple/0.9"
                | "http://backend.userland.com/rss2"
                | "http://backend.userland.com/rss"
                | "http://blogs.law.harvard.edu/tech/rss"
                | "http://channel.netscape.com/rdf/simple/0.9" => Space::Rss,
                "http://purl.org/dc/elements/1.1" | "http://purl.org/dc/elements/1.0" => Space::Dc,
                "http://purl.org/dc/terms" => Space::DcTerms,
                "http://purl.org/rss/1.0/modules/content" => Space::Content,
                "http://search.yahoo.com/mrss" | "http://search.yahoo.com/rss" => Space::Media,
                "http://www.w3.org/1999/02/22-rdf-syntax-ns" => Space::Rdf,
                _ => Space::Other,
            }
        }
        None => match element.prefix.to_ascii_lowercase().as_str() {
            "" => Space::Rss,
            "atom" | "atom10" | "atom03" => Space::Atom,
            "dc" => Space::Dc,
            "dcterms" => Space::DcTerms,
            "content" => Space::Content,
            "media" => Space::Media,
            "rdf" => Space::Rdf,
            _ => Space::Other,
        },
    }
}

/// Whether an enclosure is a picture: by its MIME type, or its URL's file name when untyped.
fn is_image(media_type: Option<&str>, url: Option<&str>) -> bool {
    match media_type.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t.to_ascii_lowercase().starts_with("image/"),
        None => url.is_some_and(|u| {
            let path = u.split(['?', '#']).next().unwrap_or(u).to_ascii_lowercase();
            [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
                .iter()
                .any(|ext| path.ends_with(ext))
        }),
    }
}
