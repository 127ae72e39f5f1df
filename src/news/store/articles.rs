//! Articles: the rules both backends keep for a feed's items (what makes two links the same
//! article, which items are kept and how they are dated), and what was read of a page.

use url::Url;

use crate::news::FeedItem;
use crate::news::extract::Extracted;
use crate::news::http;

/// Query parameters that only say how a reader arrived; links that differ only in these are
/// the same article.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "ocid",
    "cmpid",
    "at_medium",
    "at_campaign",
];

/// What was read of an article's page, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPage {
    /// Unix seconds.
    pub fetched: i64,
    /// The page's article, or why it had none.
    pub read: Result<Extracted, String>,
}

/// The form of an article link used to recognise the same article under different links:
/// no fragment, no tracking parameters (`utm_*` and [`TRACKING_PARAMS`]), the other query
/// parameters in their order and spelling. Parsing lowercases the scheme and host and drops a
/// default port; the path, trailing slash included, stays as it is. Text that does not parse
/// as a URL is its own canonical form.
fn canonical_link(link: &str) -> String {
    let Ok(mut url) = Url::parse(link) else {
        return link.to_owned();
    };
    url.set_fragment(None);
    if let Some(query) = url.query() {
        let kept = query
            .split('&')
            .filter(|param| !param.is_empty() && !is_tracking_param(param))
            .collect::<Vec<_>>()
            .join("&");
        url.set_query(Some(kept.as_str()).filter(|q| !q.is_empty()));
    }
    url.into()
}

fn is_tracking_param(param: &str) -> bool {
    let name = param
        .split_once('=')
        .map_or(param, |(name, _)| name)
        .to_ascii_lowercase();
    name.starts_with("utm_") || TRACKING_PARAMS.contains(&name.as_str())
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// An item as a backend stores it: its link, canonical link and guid decided, dated.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct NewArticle {
    pub language: String,
    pub title: String,
    pub summary: String,
    pub link: Option<String>,
    pub canonical_link: Option<String>,
    pub guid: Option<String>,
    pub image: Option<String>,
    pub published: i64,
}

/// The items a store keeps, as rows (see [`Store::insert_items`](super::Store::insert_items)):
/// those with a link or guid, dated `now` when undated or dated later (a feed's clock or typo
/// would otherwise keep an item on top of its country's list, and first in every story's
/// spread, for as long as the date is ahead), published at or after `oldest`.
pub(super) fn new_articles(
    items: &[(&FeedItem, String)],
    now: i64,
    oldest: i64,
) -> Vec<NewArticle> {
    items
        .iter()
        .filter_map(|(item, language)| {
            let guid = non_empty(item.guid.as_deref());
            let link = non_empty(item.link.as_deref())
                .or_else(|| guid.filter(|g| http::web_url(g).is_some()));
            if link.is_none() && guid.is_none() {
                return None;
            }
            let published = item.published.unwrap_or(now).min(now);
            (published >= oldest).then(|| NewArticle {
                language: language.clone(),
                title: item.title.clone(),
                summary: item.summary.clone(),
                link: link.map(str::to_owned),
                canonical_link: link.map(canonical_link),
                guid: guid.map(str::to_owned),
                image: non_empty(item.image.as_deref()).map(str::to_owned),
                published,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_dated_ahead_is_dated_when_seen() {
        let item = |published| FeedItem {
            guid: None,
            link: Some("https://example.org/a".into()),
            title: "A".into(),
            summary: String::new(),
            published,
            image: None,
        };
        let items = [Some(5_000), Some(900), None].map(item);
        let rows: Vec<(&FeedItem, String)> = items.iter().map(|i| (i, "en".into())).collect();
        let dated: Vec<i64> = new_articles(&rows, 1_000, 0)
            .iter()
            .map(|a| a.published)
            .collect();
        assert_eq!(dated, [1_000, 900, 1_000]);
    }

    #[test]
    fn canonical_link_drops_what_does_not_name_the_article() {
        for (link, canonical) in [
            (
                "HTTPS://News.Example.COM:443/a/b/?utm_source=rss&id=7&UTM_Medium=x&fbclid=1#top",
                "https://news.example.com/a/b/?id=7",
            ),
            (
                "http://example.com:80/story?b=2&gclid=x&a=1&ocid=y&cmpid=z&at_medium=m&at_campaign=c",
                "http://example.com/story?b=2&a=1",
            ),
            (
                "https://example.com:8443/x?utm_campaign=1",
                "https://example.com:8443/x",
            ),
            (
                "https://example.com/x?q=a%20b&&flag",
                "https://example.com/x?q=a%20b&flag",
            ),
            ("https://example.com/x/", "https://example.com/x/"),
            ("https://example.com/x", "https://example.com/x"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(canonical_link(link), canonical, "{link}");
        }
    }
}
