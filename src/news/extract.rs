//! Article extraction: the main text of a news page as paragraphs, with its headline, byline,
//! date, picture and language, read from untrusted HTML.
//!
//! The reading is dom_smoothie's port of Readability.js (Firefox's Reader View) on html5ever:
//! it scores the page's blocks by their text, links and class names, keeps the best and its
//! kin, and drops navigation, ads, scripts and share widgets. What this module adds:
//!
//! - **Bounds**: pages over [`MAX_PAGE_BYTES`] are refused unread, the parser stops at
//!   [`MAX_ELEMENTS`], and what comes out is cut to [`MAX_PARAGRAPHS`] paragraphs of
//!   [`MAX_PARAGRAPH_CHARS`] each. Nothing of the page is ever run or rendered as markup.
//! - **Paragraphs**: the text split at its blocks (paragraphs, headings, list items), each
//!   whitespace-normalised, for translation one paragraph at a time.
//! - **An honest failure**: a page with too little text to be an article (a paywall's teaser,
//!   a page built by scripts) is an error that says which, never an empty article.
//! - **Tidying** (`tidy`): what people do not count as the article is dropped from what the
//!   reader keeps: credits and captions named so, hover cards, bylines and dates, the
//!   article's own header and footer.
//! - **Walls** (`wall`): a page that hides its article from all but members and shows a
//!   line asking the reader to sign in is reported as walled, never read as its teaser.
//! - **A second look** (`recall`): when the reader keeps well under the text the page declares
//!   to search engines (JSON-LD `articleBody`), the article is read as the page's paragraphs
//!   that the declared text holds; else paragraphs like the kept ones (their parent's tag and
//!   class) in the same article are put in beside them when they add much.
//!
//! Measured on real pages with their expected text (the test `extraction_on_real_pages` in
//! tests/news.rs, data from `scripts/extract-eval-data.py`): see the README.

use dom_smoothie::{Config, Readability, TextMode};

mod recall;
mod tidy;
mod wall;

/// The largest page read; a news page is rarely over 2 MB, and a bigger one is no article.
pub const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;
/// The most elements the parser builds before it gives up on the page.
pub const MAX_ELEMENTS: usize = 100_000;
/// The most paragraphs kept of an article.
pub const MAX_PARAGRAPHS: usize = 400;
/// The most characters kept of one paragraph.
pub const MAX_PARAGRAPH_CHARS: usize = 5_000;
/// The least text for a page to hold an article: under it, the page is a teaser or a shell.
pub const MIN_ARTICLE_CHARS: usize = 280;
/// Where dom_smoothie puts the article it read.
const ARTICLE_ROOT: &str = "#readability-page-1";
/// The most characters of a headline, byline or other short field.
const MAX_FIELD_CHARS: usize = 500;

/// What a page says of its article.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Extracted {
    /// The page's headline, without the site's name where the page's title adds it.
    pub title: String,
    pub byline: Option<String>,
    /// When the page says it was published, as the page writes it.
    pub published: Option<String>,
    /// The page's main picture (`og:image` and the like), an absolute http(s) URL.
    pub image: Option<String>,
    /// The page's declared language (`<html lang>`), e.g. "de" or "pt-BR".
    pub language: Option<String>,
    /// "rtl" where the page says its text runs right to left.
    pub direction: Option<String>,
    /// The article's text, a paragraph each.
    pub paragraphs: Vec<String>,
}

impl Extracted {
    /// The text as one string, a paragraph a line.
    pub fn text(&self) -> String {
        self.paragraphs.join("\n")
    }
}

/// Why a page gave no article.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error("the page is {bytes} bytes, over the {MAX_PAGE_BYTES}-byte limit")]
    TooLarge { bytes: usize },
    #[error("the page is behind a paywall or a login: only {chars} characters of it are readable")]
    Paywalled { chars: usize },
    #[error(
        "the page has no article text ({chars} characters); it may be built by scripts, which are never run"
    )]
    NoText { chars: usize },
    #[error("the page could not be read: {0}")]
    Unreadable(String),
}

/// The article of the page `html`, fetched from `url` (which resolves the page's relative
/// links and picture).
pub fn extract(html: &str, url: Option<&str>) -> Result<Extracted, ExtractError> {
    if html.len() > MAX_PAGE_BYTES {
        return Err(ExtractError::TooLarge { bytes: html.len() });
    }
    let config = Config {
        max_elements_to_parse: MAX_ELEMENTS,
        text_mode: TextMode::Formatted,
        // The classes stay for the rules that tidy the article (see `tidy`).
        keep_classes: true,
        ..Config::default()
    };
    let mut reader = Readability::new(html, url, Some(config))
        .map_err(|e| ExtractError::Unreadable(e.to_string()))?;
    // Read before the reader, which drops the scripts and keeps only the article.
    let declared = recall::declared_body(&reader);
    let page_paragraphs = recall::page_paragraphs(&reader);
    let article = match reader.parse() {
        Ok(article) => article,
        Err(dom_smoothie::ReadabilityError::GrabFailed) => {
            return Err(no_article(html, 0));
        }
        Err(e) => return Err(ExtractError::Unreadable(e.to_string())),
    };
    tidy::tidy(&reader, ARTICLE_ROOT, MAX_ELEMENTS, tidy::chrome);
    let text = reader
        .doc
        .select_single(ARTICLE_ROOT)
        .nodes()
        .first()
        .map(|root| root.formatted_text().to_string());
    let mut paragraphs = paragraphs(text.as_deref().unwrap_or(&article.text_content));
    if wall::walled(&paragraphs, &page_paragraphs) {
        let chars = paragraphs.iter().map(|p| p.chars().count()).sum();
        return Err(ExtractError::Paywalled { chars });
    }
    let found = declared
        .and_then(|body| recall::declared(&paragraphs, &body, &page_paragraphs))
        .or_else(|| recall::siblings(&paragraphs, &page_paragraphs));
    if let Some(found) = found {
        paragraphs = found
            .into_iter()
            .take(MAX_PARAGRAPHS)
            .map(|p| cut(p, MAX_PARAGRAPH_CHARS))
            .collect();
    }
    let chars: usize = paragraphs.iter().map(|p| p.chars().count()).sum();
    if chars < MIN_ARTICLE_CHARS {
        return Err(no_article(html, chars));
    }
    Ok(Extracted {
        title: field(&article.title).unwrap_or_default(),
        byline: article.byline.as_deref().and_then(field),
        published: article.published_time.as_deref().and_then(field),
        image: article.image.as_deref().and_then(|i| web_url(i, url)),
        language: article.lang.as_deref().and_then(field),
        direction: article
            .dir
            .filter(|d| d.eq_ignore_ascii_case("rtl"))
            .map(|_| "rtl".to_owned()),
        paragraphs,
    })
}

/// The error for a page with `chars` characters of article text: a paywall where the page
/// says it has one, else a page with no text to read.
fn no_article(html: &str, chars: usize) -> ExtractError {
    if says_paywalled(html) {
        ExtractError::Paywalled { chars }
    } else {
        ExtractError::NoText { chars }
    }
}

/// Whether the page marks itself as paid-for: schema.org's `isAccessibleForFree: false`
/// (which publishers give search engines) or a paywall element by its usual names.
fn says_paywalled(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    let compact: String = lower.split_whitespace().collect();
    compact.contains("\"isaccessibleforfree\":false")
        || compact.contains("\"isaccessibleforfree\":\"false\"")
        || [
            "class=\"paywall",
            "id=\"paywall",
            "data-paywall",
            "subscriber-only",
        ]
        .iter()
        .any(|marker| lower.contains(marker))
}

/// The text split into paragraphs: at the blank lines that the formatted text puts after
/// blocks and the line breaks it puts after list items, each whitespace-normalised and cut to
/// its bounds.
fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .take(MAX_PARAGRAPHS)
        .map(|line| cut(line, MAX_PARAGRAPH_CHARS))
        .collect()
}

/// A short field, whitespace-normalised and bounded; `None` when empty.
fn field(text: &str) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then(|| cut(text, MAX_FIELD_CHARS))
}

/// `link` made absolute against the page's `base`, if it is then an http(s) URL: a page's
/// `javascript:` or `data:` picture is never followed.
fn web_url(link: &str, base: Option<&str>) -> Option<String> {
    let link = link.trim();
    let parsed = match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(base) => base.join(link).ok()?,
        None => url::Url::parse(link).ok()?,
    };
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

fn cut(mut text: String, max_chars: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(max_chars) {
        text.truncate(at);
    }
    text
}

#[cfg(test)]
mod extract_tests {
    use super::*;

    fn page(body: &str) -> String {
        format!(
            "<!doctype html><html lang=\"en\"><head><title>Floods close the port of Santos for a week - The Courier</title>\
             <meta property=\"og:image\" content=\"/img/port.jpg\">\
             <meta property=\"article:published_time\" content=\"2026-11-30T08:00:00Z\">\
             <script>document.write('<p>script text</p>')</script></head>\
             <body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>{body}\
             <div class=\"share\"><a href=\"https://x.example/share\">Share on X</a></div>\
             <footer>© The Courier. All rights reserved.</footer></body></html>"
        )
    }

    const STORY: &str = "<article><h1>Floods close the port of Santos for a week</h1><p class=\"byline\">By Ana Lima</p>\
        <p>Heavy rain closed the port of Santos on Monday, stranding forty ships at anchor as \
        the river rose over the quays and into the warehouses beside them.</p>\
        <p>Dock workers spent the night moving containers to higher ground, and the harbour \
        master said the port would stay shut until the water fell, which could take days.</p>\
        <p>The state's governor asked for federal help and said the rain, the heaviest in \
        thirty years, had also cut two highways to the city.</p></article>";

    #[test]
    fn keeps_the_articles_paragraphs_and_drops_the_rest() {
        let article = extract(&page(STORY), Some("https://courier.example/news/1")).unwrap();
        assert_eq!(article.paragraphs.len(), 3, "{:#?}", article.paragraphs);
        assert!(article.paragraphs[0].starts_with("Heavy rain closed the port of Santos"));
        assert!(article.paragraphs[2].ends_with("two highways to the city."));
        let text = article.text();
        for chrome in ["Home", "Share on X", "All rights reserved", "script text"] {
            assert!(!text.contains(chrome), "{chrome:?} kept: {text}");
        }
        assert_eq!(article.title, "Floods close the port of Santos for a week");
        assert_eq!(
            article.image.as_deref(),
            Some("https://courier.example/img/port.jpg")
        );
        assert_eq!(article.language.as_deref(), Some("en"));
        assert!(article.published.unwrap().starts_with("2026-11-30"));
    }

    #[test]
    fn a_teaser_behind_a_paywall_says_so() {
        let teaser = "<article><h1>Floods close the port</h1><p>Heavy rain closed the port of \
            Santos on Monday.</p><div class=\"paywall\">Subscribe to read the whole story.</div>\
            </article>";
        let error = extract(&page(teaser), None).unwrap_err();
        assert!(matches!(error, ExtractError::Paywalled { .. }), "{error}");
        assert!(error.to_string().contains("paywall"));
    }

    #[test]
    fn an_article_the_page_hides_from_all_but_members_is_walled() {
        let sentence = "The council voted on Tuesday to rebuild the harbour wall before winter. ";
        let teaser = format!("<p>{}</p>", sentence.repeat(5));
        let body = format!("<p>{}</p>", sentence.repeat(8)).repeat(3);
        let walled = format!(
            "<article><h1>Harbour wall</h1>{teaser}<div id=\"articleBody\" style=\"display: none\">\
             {body}</div><p>Please sign up or log in to continue reading</p></article>"
        );
        let error = extract(&page(&walled), None).unwrap_err();
        assert!(matches!(error, ExtractError::Paywalled { .. }), "{error}");
        // The same page with a "Read more" button instead of a wall is read as shown: the
        // teaser.
        let read_more = walled.replace("Please sign up or log in to continue reading", "Read more");
        let article = extract(&page(&read_more), None).unwrap();
        let told = |article: &Extracted| {
            let council = |p: &&String| p.starts_with("The council voted");
            article.paragraphs.iter().filter(council).count()
        };
        assert_eq!(told(&article), 1);
        // A small hidden block (a menu, a dialog) beside a whole article is no wall, and the
        // hidden text is not read.
        let open = format!(
            "<article><h1>Harbour wall</h1>{body}<div hidden><p>{}</p></div></article>",
            "Subscribe to our newsletter for the harbour news of the week."
        );
        let article = extract(&page(&open), None).unwrap();
        assert_eq!(told(&article), 3);
        assert!(!article.paragraphs.iter().any(|p| p.contains("newsletter")));
    }

    #[test]
    fn a_page_built_by_scripts_has_no_text() {
        let shell = "<div id=\"root\"></div><script src=\"/app.js\"></script>\
            <noscript>You need to enable JavaScript to run this app.</noscript>";
        let error = extract(&page(shell), None).unwrap_err();
        assert!(matches!(error, ExtractError::NoText { .. }), "{error}");
    }

    #[test]
    fn a_page_too_large_is_refused_unread() {
        let huge = "x".repeat(MAX_PAGE_BYTES + 1);
        assert_eq!(
            extract(&huge, None),
            Err(ExtractError::TooLarge {
                bytes: MAX_PAGE_BYTES + 1
            })
        );
    }

    #[test]
    fn only_a_web_picture_is_kept() {
        let with = |image: &str| {
            page(STORY).replace("content=\"/img/port.jpg\"", &format!("content=\"{image}\""))
        };
        for bad in ["javascript:alert(1)", "data:image/png;base64,AAAA"] {
            let article = extract(&with(bad), Some("https://courier.example/n")).unwrap();
            assert_eq!(article.image, None, "{bad}");
        }
    }

    /// The text of the test page's story with `inside` after its first paragraph.
    fn story_text(inside: &str) -> String {
        let story = STORY.replace("<p>Dock workers", &format!("{inside}<p>Dock workers"));
        extract(&page(&story), None).unwrap().text()
    }

    #[test]
    fn credits_and_captions_named_so_are_dropped_a_figures_caption_stays() {
        let text = story_text(
            "<figure><img src=\"/ships.jpg\"><figcaption>Ships wait at anchor off Santos \
             on Monday.</figcaption><span class=\"photo-credit\">Photo: Rui Costa</span>\
             </figure><p class=\"newsCaption\">Water covers a quay (Image: Rui Costa)</p>",
        );
        for credit in ["Rui Costa", "Water covers a quay"] {
            assert!(!text.contains(credit), "{credit:?} kept: {text}");
        }
        assert!(text.contains("Ships wait at anchor off Santos"), "{text}");
        assert!(text.contains("Dock workers spent the night"), "{text}");
    }

    #[test]
    fn a_hover_card_goes_and_the_name_it_hangs_on_stays() {
        let story = STORY.replace(
            "The state's governor",
            "The state's governor, <span class=\"rollover-people\"><a href=\"/p/9\">Maria \
             Souza</a><span class=\"rollover-people-block\"><a href=\"/p/9\">Maria Souza</a> \
             <a href=\"/s/1\">Souza vetoes the budget</a></span></span>,",
        );
        let text = extract(&page(&story), None).unwrap().text();
        assert!(
            text.contains("The state's governor, Maria Souza, asked"),
            "{text}"
        );
        assert!(!text.contains("vetoes"), "{text}");
    }

    #[test]
    fn bylines_dates_and_the_articles_own_header_and_footer_are_dropped() {
        let story = STORY
            .replace(
                "<p class=\"byline\">By Ana Lima</p>",
                "<header><p class=\"kicker\">Weather</p><div class=\"article-date\">\
                 Updated 30 November 2026</div></header><p class=\"submitted-by\">By Ana \
                 Lima and Rui Costa</p>",
            )
            .replace(
                "</article>",
                "<p>Published <time datetime=\"2026-11-30\">30 November</time></p>\
                 <footer>Filed under Brazil, Ports</footer></article>",
            );
        let text = extract(&page(&story), None).unwrap().text();
        for meta in [
            "Weather",
            "Updated",
            "Rui Costa",
            "30 November",
            "Filed under",
        ] {
            assert!(!text.contains(meta), "{meta:?} kept: {text}");
        }
        assert!(text.contains("Heavy rain closed the port"), "{text}");
        assert!(text.contains("two highways to the city."), "{text}");
    }

    #[test]
    fn an_article_cut_short_is_read_again_by_the_text_the_page_declares() {
        // Readability scores a paragraph by its length and its commas: the first block is
        // the article to it, and the second, after an advertisement and in a section of its
        // own, too little to join it.
        let said: Vec<String> = (1..=5)
            .map(|i| match i {
                1..=3 => format!(
                    "Paragraph {i} of the report on the floods says what the port authority \
                     announced on day {i}, and what the dock workers, shippers, farmers and \
                     the city council said about it."
                ),
                _ => format!(
                    "Paragraph {i} tells how the water fell again on day {i} and how the \
                     first ships came back to the quays of the port of Santos."
                ),
            })
            .collect();
        let paragraphs = |range: std::ops::Range<usize>| -> String {
            said[range].iter().map(|p| format!("<p>{p}</p>")).collect()
        };
        let declared = serde_json::json!({
            "@context": "https://schema.org", "@type": "NewsArticle",
            "headline": "Floods close the port of Santos for a week",
            "articleBody": said.join(" "),
        });
        let story = format!(
            "<script type=\"application/ld+json\">{declared}</script><main><article>\
             <h1>Floods close the port of Santos for a week</h1>\
             <div class=\"story-body\">{}</div></article><div class=\"ad\">Advertisement</div>\
             <section><div class=\"story-more\">{}</div></section></main>",
            paragraphs(0..3),
            paragraphs(3..5)
        );
        let article = extract(&page(&story), None).unwrap();
        assert_eq!(article.paragraphs, said, "{:#?}", article.paragraphs);
        // Without the declared text, the reader's block alone.
        let undeclared = story.replace("articleBody", "description");
        let article = extract(&page(&undeclared), None).unwrap();
        assert_eq!(article.paragraphs, said[..3], "{:#?}", article.paragraphs);
    }

    /// A long paragraph `i` of a split story: what the reader takes as the article.
    fn long(i: usize) -> String {
        format!(
            "<p>Paragraph {i} of the report on the floods says what the port authority \
             announced on day {i}, and what the dock workers, shippers, farmers and the city \
             council said about it.</p>"
        )
    }

    /// A short paragraph `i` of a split story: too little for the reader to take on its own.
    fn short(i: usize) -> String {
        format!(
            "<p>Paragraph {i} tells how the water fell on day {i} and the first ships came \
             back.</p>"
        )
    }

    /// Asserts that the article read from `story` is its paragraphs 1 to 5, in order.
    fn assert_reads_paragraphs_one_to_five(story: &str) {
        let article = extract(&page(story), None).unwrap();
        let starts: Vec<&str> = article.paragraphs.iter().map(|p| &p[..11]).collect();
        let expected: Vec<String> = (1..=5).map(|i| format!("Paragraph {i}")).collect();
        assert_eq!(starts, expected, "{:#?}", article.paragraphs);
    }

    #[test]
    fn paragraphs_like_the_kept_ones_in_the_same_article_are_read_too() {
        // The story's second part sits in a box of its own after an advertisement: too
        // little for the reader to take it with the first.
        let story = format!(
            "<article><h1>Floods close the port of Santos for a week</h1>\
             <div class=\"story-body\">{}{}{}</div><div class=\"ad\">Advertisement</div>\
             <div class=\"box\"><div class=\"story-body\">{}{}</div>\
             <div class=\"more\"><p><a href=\"/next\">The next story</a></p></div></div>\
             </article>",
            long(1),
            long(2),
            long(3),
            short(4),
            short(5)
        );
        assert_reads_paragraphs_one_to_five(&story);
    }

    #[test]
    fn a_post_a_page_builder_cut_into_sections_is_read_whole_and_its_sidebar_is_not() {
        // A WordPress post laid out by a page builder: each block in a section of its own,
        // too deep for the reader to score the post body that holds them all, no `<article>`
        // or `<main>` anywhere, and the same widget class on the sidebar's text.
        let section = |inner: String| {
            let open: String = ["row", "column", "cell", "widget-wrap"]
                .iter()
                .map(|class| format!("<div class=\"builder-{class}\">"))
                .collect();
            format!(
                "<section class=\"builder-section\">{open}<div class=\"widget\">{inner}</div>\
                 {}</section>",
                "</div>".repeat(4)
            )
        };
        let story = format!(
            "<h1>Floods close the port of Santos for a week</h1><div class=\"entry-content\">\
             {}{}</div><aside><div class=\"widget\"><p>Our newsletter brings the week's \
             weather stories to you every Friday.</p></div></aside>",
            section(format!("{}{}{}", long(1), long(2), long(3))),
            section(format!("{}{}", short(4), short(5)))
        );
        assert_reads_paragraphs_one_to_five(&story);
    }

    #[test]
    fn a_hostile_page_gets_no_second_look_and_no_panic() {
        // Deep nesting, many articles and paragraphs, and a declared body of a megabyte. (Not
        // deeper: the reader itself takes seconds on thousands of levels.)
        let body = "word ".repeat(200_000);
        let declared = format!(
            "<script type=\"application/ld+json\">{{\"articleBody\": \"{body}\"}}</script>"
        );
        let nested = format!(
            "{}{STORY}{}",
            "<div class=\"a\">".repeat(500),
            "</div>".repeat(500)
        );
        let many: String = (0..12_000)
            .map(|i| format!("<article><p class=\"x\">word word word {i}</p></article>"))
            .collect();
        for hostile in [nested, format!("{declared}{STORY}{many}")] {
            // The story is still read, and no second look put the page's thousands of
            // paragraphs in beside it.
            let article = extract(&page(&hostile), None).unwrap();
            assert!(article.text().contains("Heavy rain closed the port"));
            assert!(
                article.paragraphs.len() < 20,
                "{}",
                article.paragraphs.len()
            );
        }
    }

    #[test]
    fn paragraphs_are_bounded() {
        let long = format!("<article><p>{}</p></article>", "word ".repeat(4_000));
        let many: String = (0..MAX_PARAGRAPHS + 50)
            .map(|i| format!("<p>Paragraph {i} of a very long article about the port.</p>"))
            .collect();
        let long = extract(&page(&long), None).unwrap();
        assert_eq!(long.paragraphs[0].chars().count(), MAX_PARAGRAPH_CHARS);
        let many = extract(&page(&format!("<article>{many}</article>")), None).unwrap();
        assert_eq!(many.paragraphs.len(), MAX_PARAGRAPHS);
    }
}
