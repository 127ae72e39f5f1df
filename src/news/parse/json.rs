//! JSON Feed (1.0 and 1.1) entries: the few fields a reader shows, each checked for its type,
//! so an odd value loses that field, never the feed.

use serde_json::Value;
use url::Url;

use super::{Entry, ParseError, Text, date};

/// The entries of a JSON Feed document.
pub fn entries(text: &str, base: &Url) -> Result<Vec<Entry>, ParseError> {
    let feed: Value =
        serde_json::from_str(text).map_err(|e| ParseError::Malformed(format!("JSON: {e}")))?;
    let is_json_feed = feed
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|v| v.contains("jsonfeed.org/version/"));
    let Some(items) = feed
        .get("items")
        .and_then(Value::as_array)
        .filter(|_| is_json_feed)
    else {
        return Err(ParseError::NotAFeed(
            "JSON without a JSON Feed version and items".to_owned(),
        ));
    };
    // Relative item URLs resolve against the feed's own address, then its home page.
    let base = ["feed_url", "home_page_url"]
        .iter()
        .find_map(|key| base.join(feed.get(*key)?.as_str()?).ok())
        .unwrap_or_else(|| base.clone());
    Ok(items.iter().map(|item| entry(item, &base)).collect())
}

fn entry(item: &Value, base: &Url) -> Entry {
    let text = |key: &str| item.get(key).and_then(Value::as_str);
    let id = match item.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let links = ["url", "external_url"]
        .iter()
        .filter_map(|key| base.join(text(key)?.trim()).ok())
        .collect();
    let summaries = [
        ("summary", false),
        ("content_html", true),
        ("content_text", false),
    ]
    .iter()
    .filter_map(|&(key, html)| {
        Some(Text {
            body: text(key)?.to_owned(),
            html,
        })
    })
    .collect();
    let attachments = item
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|a| {
            a.get("mime_type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.starts_with("image/"))
        })
        .filter_map(|a| a.get("url")?.as_str());
    let images = ["image", "banner_image"]
        .iter()
        .filter_map(|key| text(key))
        .chain(attachments)
        .filter_map(|u| base.join(u.trim()).ok())
        .collect();
    Entry {
        id,
        id_link: None,
        title: text("title").map(|t| Text {
            body: t.to_owned(),
            html: false,
        }),
        links,
        summaries,
        published: ["date_published", "date_modified"]
            .iter()
            .find_map(|key| date::parse(text(key)?)),
        images,
        base: Some(base.clone()),
    }
}
