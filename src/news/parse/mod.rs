//! Feed bodies to [`FeedItem`]s: this module tells the format and cleans each entry into an
//! item; the character set is [`charset`]'s job, RSS/Atom (every version) [`syndication`]'s,
//! JSON Feed [`json`]'s, and HTML to bounded plain text [`html`]'s.
//!
//! Everything here is untrusted, and read the way lenient readers read it: a feed that breaks
//! XML in the usual ways still gives its items (see [`xml`]), an odd attribute falls back to
//! plain text instead of losing the feed, and no input panics (a property test feeds mutated
//! fixtures through it). Links and images leave absolute and http(s) only; text leaves as
//! plain text of bounded length. Fetching, storing and translating items are other modules'
//! concern.

mod charset;
mod codepages;
mod date;
mod html;
mod json;
mod syndication;
mod xml;

use std::collections::HashSet;

use url::Url;

pub use charset::decode_html;
use html::Text;
pub use html::html_to_text;

use super::FeedItem;

/// The longest title kept, in characters; longer ones are cut and end in "…".
pub const MAX_TITLE_CHARS: usize = 300;
/// The longest summary kept, in characters; longer ones are cut and end in "…".
pub const MAX_SUMMARY_CHARS: usize = 1_000;
/// Items kept per feed: the first ones, as feeds list their newest first.
pub const MAX_ITEMS: usize = 500;

/// Guids and URLs longer than this are dropped rather than cut: a cut one names something else.
const MAX_REF_LEN: usize = 2_048;

/// Why a body gave no items, in words for a per-feed error list.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// A web page where a feed was expected: the feed moved, or a login or consent wall
    /// answered instead.
    #[error("a web page, not a feed ({0})")]
    HtmlPage(String),
    /// Readable, but neither RSS, Atom nor JSON Feed.
    #[error("not a feed ({0})")]
    NotAFeed(String),
    /// Broken JSON (broken XML is read as far as it goes).
    #[error("malformed feed ({0})")]
    Malformed(String),
}

/// One entry as a feed format gives it, before cleaning: every candidate for each field, in
/// the order of preference, and nothing checked yet.
#[derive(Debug, Default)]
struct Entry {
    id: Option<String>,
    /// The id read as the article's address, for an entry that gives no link: RSS's `guid`
    /// unless it says `isPermaLink="false"`, an Atom `id` (relative ones resolved).
    id_link: Option<Url>,
    title: Option<Text>,
    links: Vec<Url>,
    summaries: Vec<Text>,
    published: Option<i64>,
    images: Vec<Url>,
    /// What relative references in the entry's HTML resolve against.
    base: Option<Url>,
}

/// Parses a feed body (RSS 0.90–2.0 and RDF, Atom 0.3 and 1.0, JSON Feed) fetched from
/// `base`. `content_type` is the HTTP Content-Type header if any (may carry `charset=`).
pub fn parse_feed(
    body: &[u8],
    content_type: Option<&str>,
    base: &Url,
) -> Result<Vec<FeedItem>, ParseError> {
    let text = charset::decode(body, content_type);
    let entries = match text.trim_start().as_bytes().first() {
        Some(b'{') => json::entries(&text, base)?,
        Some(_) => syndication::entries(&text, base)?,
        None => return Err(ParseError::NotAFeed("the body is empty".into())),
    };
    Ok(items(entries))
}

/// The cleaned items, in feed order: duplicates (same guid or same link) kept once, the
/// first one winning, and at most [`MAX_ITEMS`].
fn items(entries: Vec<Entry>) -> Vec<FeedItem> {
    let mut guids = HashSet::new();
    let mut links = HashSet::new();
    entries
        .into_iter()
        .filter_map(item)
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
fn item(entry: Entry) -> Option<FeedItem> {
    let id = entry.id.as_deref().map(str::trim).unwrap_or_default();
    let guid = (!id.is_empty() && id.len() <= MAX_REF_LEN).then(|| id.to_owned());
    // An RSS guid is often the article's permalink, and some feeds give no <link> at all.
    let link = entry
        .links
        .into_iter()
        .chain(entry.id_link.filter(|_| guid.is_some()))
        .find_map(http_only);
    let title = entry
        .title
        .as_ref()
        .map(|t| t.plain(MAX_TITLE_CHARS))
        .unwrap_or_default();
    if title.is_empty() && link.is_none() {
        return None;
    }
    let summary = entry
        .summaries
        .iter()
        .map(|t| t.plain(MAX_SUMMARY_CHARS))
        .find(|text| !text.is_empty())
        .unwrap_or_default();
    // The first real `<img>` in the entry's HTML, when the feed names no picture.
    let inline = entry.summaries.iter().filter(|t| t.html).flat_map(|t| {
        html::img_sources(&t.body)
            .map(|s| s.into_owned())
            .collect::<Vec<_>>()
    });
    let image = entry.images.into_iter().find_map(http_only).or_else(|| {
        let base = entry.base.as_ref()?;
        inline.into_iter().find_map(|src| join_http(base, &src))
    });
    Some(FeedItem {
        guid,
        link,
        title,
        summary,
        published: entry.published,
        image,
    })
}

/// `href` made absolute against `base`, if that gives an http(s) URL.
fn join_http(base: &Url, href: &str) -> Option<String> {
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

/// What the feed-reading tests here and in the format and charset modules share.
#[cfg(test)]
mod test_support {
    use url::Url;

    use super::{FeedItem, parse_feed};

    pub fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    pub fn parse(body: &[u8], content_type: Option<&str>) -> Vec<FeedItem> {
        parse_feed(
            body,
            content_type,
            &url("https://news.example.com/feeds/rss2.xml"),
        )
        .unwrap()
    }

    pub fn titles(items: &[FeedItem]) -> Vec<&str> {
        items.iter().map(|i| i.title.as_str()).collect()
    }

    /// An RSS 2.0 body with these `<item>` contents.
    pub fn rss(items: &[&str]) -> String {
        let items: String = items.iter().map(|i| format!("<item>{i}</item>")).collect();
        format!(r#"<rss version="2.0"><channel><title>T</title>{items}</channel></rss>"#)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{parse, rss, titles, url};
    use super::*;

    const RSS2: &[u8] = include_bytes!("../../../tests/fixtures/feeds/rss2.xml");
    const ATOM: &[u8] = include_bytes!("../../../tests/fixtures/feeds/atom.xml");
    const RDF: &[u8] = include_bytes!("../../../tests/fixtures/feeds/rdf.xml");
    const JSON: &[u8] = include_bytes!("../../../tests/fixtures/feeds/feed.json");
    const MALFORMED: &[u8] = include_bytes!("../../../tests/fixtures/feeds/malformed.xml");
    const HTML_PAGE: &[u8] = include_bytes!("../../../tests/fixtures/feeds/not-a-feed.html");

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
        // An RSS 1.0 item without a link keeps its own thumbnail.
        let rdf = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:media="http://search.yahoo.com/mrss/">
            <item><title>No link</title><media:thumbnail url="https://i.example/x.jpg"/></item>
            <item><title>Linked</title><link>https://a.example/b</link></item></rdf:RDF>"#;
        let items = parse(rdf.as_bytes(), None);
        assert_eq!(
            (
                titles(&items),
                items[0].image.as_deref(),
                items[1].image.as_deref()
            ),
            (
                vec!["No link", "Linked"],
                Some("https://i.example/x.jpg"),
                None
            )
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
            assert!(error.to_string().starts_with("not a feed ("), "{error}");
        }
        for body in [&b"{\"items\": 3}"[..], b"\xff\xfe\x00<"] {
            assert!(parse_feed(body, None, &base).is_err(), "{body:?}");
        }
    }

    #[test]
    fn rss_without_a_version_and_old_formats_are_read() {
        let unversioned = "<rss><channel><item><title>No version</title><link>https://a.example/1</link></item></channel></rss>";
        assert_eq!(titles(&parse(unversioned.as_bytes(), None)), ["No version"]);
        let rss090 = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>C</title></channel><item><title>Netscape</title><link>https://a.example/090</link></item></rdf:RDF>"#;
        assert_eq!(titles(&parse(rss090.as_bytes(), None)), ["Netscape"]);
        let userland = r#"<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><item><title>Userland</title><link>https://a.example/u</link></item></channel></rss>"#;
        assert_eq!(titles(&parse(userland.as_bytes(), None)), ["Userland"]);
        let atom03 = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title mode="escaped" type="text/html">&lt;b&gt;Atom&lt;/b&gt; 0.3</title><link rel="alternate" type="text/html" href="https://a.example/03"/><id>tag:a,2004:1</id><issued>2004-01-02T03:04:05Z</issued><content type="text/plain" mode="base64">SGVsbG8gd29ybGQ=</content></entry></feed>"#;
        let items = parse(atom03.as_bytes(), None);
        assert_eq!(titles(&items), ["Atom 0.3"]);
        assert_eq!(items[0].link.as_deref(), Some("https://a.example/03"));
        assert_eq!(items[0].published, Some(1_073_012_645));
        assert_eq!(items[0].summary, "Hello world");
    }

    #[test]
    fn odd_text_construct_types_fall_back_instead_of_losing_the_entry() {
        let atom = |title: &str| {
            format!(
                r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry>{title}<link href="https://a.example/1"/><content type="image/png">iVBORw0KGgo=</content></entry></feed>"#
            )
        };
        for (title, expected) in [
            (r#"<title type="">Empty type</title>"#, "Empty type"),
            (r#"<title type="foo">Unknown type</title>"#, "Unknown type"),
            (
                r#"<title type="text">History of the &lt;blink&gt; tag</title>"#,
                "History of the <blink> tag",
            ),
            (
                r#"<title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; more</title>"#,
                "Bold & more",
            ),
            (
                r#"<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One</p><p>Two</p></div></title>"#,
                "One Two",
            ),
            (
                r#"<title type="application/octet-stream">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</title>"#,
                "Example <b>Atom</b>",
            ),
        ] {
            let items = parse(atom(title).as_bytes(), None);
            assert_eq!(titles(&items), [expected], "{title}");
        }
        // RSS text is HTML by convention, but text without HTML in it keeps its "<".
        let items = parse(
            rss(&["<title>The &lt;blink&gt; tag</title><link>https://a.example/b</link>"])
                .as_bytes(),
            None,
        );
        assert_eq!(titles(&items), ["The <blink> tag"]);
    }

    #[test]
    fn windows_1252_numeric_references_read_as_browsers_read_them() {
        let items = parse(rss(&["<title>Don&#146;t &#147;panic&#148; &#128;5</title><link>https://a.example/1</link>"]).as_bytes(), None);
        assert_eq!(titles(&items), ["Don’t “panic” €5"]);
    }

    #[test]
    fn dublin_core_titles_and_dates() {
        let body = r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><channel>
            <item><dc:title>From dc:title</dc:title><link>https://a.example/1</link><dcterms:modified>2024-05-06T07:08:09Z</dcterms:modified></item>
            <item><title>Issued</title><link>https://a.example/2</link><dcterms:issued>2024-05-06</dcterms:issued></item>
            <item><title>Undeclared prefix</title><link>https://a.example/3</link><dc:date>2024-05-07T00:00:00+02:00</dc:date></item>
        </channel></rss>"#;
        let items = parse(body.as_bytes(), None);
        assert_eq!(
            titles(&items),
            ["From dc:title", "Issued", "Undeclared prefix"]
        );
        let dates: Vec<Option<i64>> = items.iter().map(|i| i.published).collect();
        assert_eq!(
            dates,
            [
                Some(1_714_979_289),
                Some(1_714_953_600),
                Some(1_715_032_800)
            ]
        );
    }

    #[test]
    fn recoverable_xml_faults_keep_the_items() {
        let body = rss(&[
            // An unescaped & in a link and an HTML entity XML does not define.
            "<title>Fish&nbsp;&amp; chips</title><link>https://a.example/?a=1&b=2</link>",
            // A tag missing its final >.
            "<title>Missing bracket</title\n<link>https://a.example/2</link>",
            // An undeclared prefix.
            "<title>Prefix</title><link>https://a.example/3</link><itunes:subtitle>x</itunes:subtitle>",
        ]);
        let items = parse(body.as_bytes(), None);
        assert_eq!(
            titles(&items),
            ["Fish & chips", "Missing bracket", "Prefix"]
        );
        assert_eq!(items[0].link.as_deref(), Some("https://a.example/?a=1&b=2"));
        assert_eq!(items[1].link.as_deref(), Some("https://a.example/2"));

        // A mismatched end tag, and the feed cut off inside an item.
        let items = parse(MALFORMED, None);
        assert_eq!(
            titles(&items),
            ["Headline with a mismatched end tag", "Never closed"]
        );
        assert_eq!(
            items[0].link.as_deref(),
            Some("https://broken.example.com/1")
        );

        // An unterminated CDATA section runs to the end, as the item does.
        let cut = format!(
            "{}<item><title><![CDATA[Cut off",
            &rss(&["<title>Whole</title><link>https://a.example/w</link>"])
                .replace("</channel></rss>", "")
        );
        assert_eq!(titles(&parse(cut.as_bytes(), None)), ["Whole", "Cut off"]);
    }
}
