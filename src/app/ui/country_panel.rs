//! The country panel, on the right: the selected country's flag, name and codes, the story
//! the reader came from and the search hit they opened it with, then its outlets' articles,
//! in English by default, with a topic filter and each article's other takes.

use bevy_egui::egui;

use super::bidi;
use super::palette;
use super::state::{SearchHit, StoryFocus, Timeline, UiActions, UiValues};
use super::widgets::{
    article_link, count, flag_image, framing_line, previewed, relative_time, takes_ui,
    topic_filter, topic_tags,
};
use crate::app::atlas::Atlas;
use crate::app::news::{CountryNews, News};
use crate::app::pictures::{Pictures, Shown, THUMBNAIL};
use crate::geo::Country;
use crate::news::Article;
use crate::news::language::language_name;
use crate::news::topics::Topic;
use crate::news::world::english;

/// Logical width of the country panel.
pub(super) const PANEL_WIDTH: f32 = 340.0;

/// The country panel for `country`, on the right of `root`; returns its width. `flag` is the
/// country's flag.
#[allow(clippy::too_many_arguments)] // The panel shows several resources at once.
pub(super) fn country_panel(
    root: &mut egui::Ui,
    country: &Country,
    flag: Option<(egui::TextureId, egui::Vec2)>,
    state: &mut UiValues,
    timeline: &Timeline,
    pictures: &mut Pictures,
    news: &News,
    atlas: &Atlas,
    actions: &mut UiActions,
) -> f32 {
    let response = egui::Panel::right("country")
        .resizable(false)
        .exact_size(PANEL_WIDTH)
        .frame(egui::Frame::side_top_panel(&root.ctx().global_style()).inner_margin(16.0))
        .show(root, |ui| {
            if header(ui, flag, &country.name).1.clicked() {
                actions.select = Some(None);
            }
            if country.long_name != country.name {
                ui.label(&country.long_name);
            }
            let codes = [country.iso_a2.as_deref(), country.iso_a3.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            ui.weak(format!("{}   {codes}", country.continent));
            ui.separator();
            focused_story(ui, &mut state.focus, timeline, &country.id, atlas, actions);
            search_hit(ui, &mut state.hit, &country.id, actions);
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new("Articles").strong());
                topic_filter(ui, "country-topic", &mut state.filters.topic);
            });
            let filters = &mut state.filters;
            let view = ArticleView {
                show_original: &mut filters.show_original,
                topic: filters.topic,
                atlas,
                timeline,
                pictures,
            };
            article_list(ui, news, &country.id, view, actions);
            ui.allocate_space(ui.available_size());
        });
    response.response.rect.width()
}

/// The panel's first line: ✖ at the right, placed first so that it always shows, then the
/// flag and the country's name in the width left, the name wrapping onto a second line
/// rather than running under ✖ or pushing it out of the panel. Returns the name's response
/// and ✖'s.
fn header(
    ui: &mut egui::Ui,
    flag: Option<(egui::TextureId, egui::Vec2)>,
    name: &str,
) -> (egui::Response, egui::Response) {
    egui::Sides::new().shrink_left().wrap().show(
        ui,
        |ui| {
            if let Some(flag) = flag {
                flag_image(ui, flag, 24.0);
            }
            ui.heading(name)
        },
        |ui| ui.button("✖").on_hover_text("Close (Esc)"),
    )
}

/// At the top of a country's panel, the story the reader came from: this country's take on
/// it, and a way on to every other take.
fn focused_story(
    ui: &mut egui::Ui,
    focus: &mut StoryFocus,
    timeline: &Timeline,
    country: &str,
    atlas: &Atlas,
    actions: &mut UiActions,
) {
    let Some(story) = focus.0.clone() else {
        return;
    };
    let Some(take) = story.take(country) else {
        return;
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("This country's take on the story").strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .small_button("✖")
                    .on_hover_text("Leave the story")
                    .clicked()
                {
                    focus.0 = None;
                }
            });
        });
        let (headline, _) = english(&story.headline);
        ui.weak(format!(
            "{headline} ({})",
            count(story.takes.len(), "country", "countries")
        ));
        let telling = timeline.telling_of(&story);
        framing_line(ui, telling.and_then(|t| t.framing_of(country)));
        previewed(
            ui,
            egui::Id::new(("focus-take", story.id, country)),
            &take.articles,
            |ui, article| {
                let (title, _) = english(article);
                article_link(ui, title, false, article, actions);
                ui.weak(&article.outlet);
            },
        );
        egui::CollapsingHeader::new(format!(
            "Alternative takes from {}",
            count(story.takes.len() - 1, "other country", "other countries")
        ))
        .id_salt(("focus-takes", story.id))
        .show(ui, |ui| {
            takes_ui(ui, &story, telling, Some(country), atlas, actions)
        });
    });
    ui.add_space(6.0);
}

/// Below the story, the search result the reader opened this country from: its own list
/// holds only the newest articles, which an older match may not be among.
fn search_hit(ui: &mut egui::Ui, hit: &mut SearchHit, country: &str, actions: &mut UiActions) {
    let Some(article) = hit.0.as_ref().filter(|a| a.country == country) else {
        return;
    };
    let mut close = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("From your search").strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                close = ui.small_button("✖").on_hover_text("Put it away").clicked();
            });
        });
        let (title, _) = english(article);
        article_link(ui, title, false, article, actions);
        ui.weak(format!(
            "{} · {}",
            article.outlet,
            relative_time(crate::news::now() - article.published)
        ));
    });
    ui.add_space(6.0);
    if close {
        hit.0 = None;
    }
}

/// How the article list shows: original or English, and which topic.
struct ArticleView<'a> {
    show_original: &'a mut bool,
    topic: Option<Topic>,
    atlas: &'a Atlas,
    timeline: &'a Timeline,
    pictures: &'a mut Pictures,
}

/// How many of a list's first articles show a thumbnail: the ones a reader sees on opening
/// the panel, and no more pictures fetched than those.
const THUMBNAILS_LISTED: usize = 20;

/// The selected country's articles, or why there are none.
fn article_list(
    ui: &mut egui::Ui,
    news: &News,
    country: &str,
    view: ArticleView,
    actions: &mut UiActions,
) {
    let listed = news
        .articles
        .as_ref()
        .filter(|listed| listed.country == country && !listed.articles.is_empty());
    let Some(listed) = listed else {
        ui.label(empty_reason(news, country));
        return;
    };
    if listed.articles.iter().any(|a| a.title_en.is_some()) {
        ui.checkbox(view.show_original, "Show the original text");
    }
    let shown = filtered(listed, view.topic);
    if shown.is_empty() {
        ui.label("No article with this topic here.");
        return;
    }
    let now = crate::news::now();
    egui::ScrollArea::vertical().show(ui, |ui| {
        for (position, index) in shown.into_iter().enumerate() {
            let article = &listed.articles[index];
            let thumbnail = article
                .image
                .as_deref()
                .filter(|_| position < THUMBNAILS_LISTED);
            match thumbnail {
                Some(url) => {
                    ui.horizontal_top(|ui| {
                        thumbnail_of(ui, view.pictures, url);
                        ui.vertical(|ui| {
                            article_entry(ui, article, *view.show_original, now, actions);
                        });
                    });
                }
                None => article_entry(ui, article, *view.show_original, now, actions),
            }
            let topics: Vec<Topic> = listed.topics[index].iter().collect();
            ui.horizontal_wrapped(|ui| topic_tags(ui, &topics));
            if let Some(story) = listed.stories.get(&article.id) {
                let others = story.takes.iter().filter(|t| t.country != country).count();
                let title = if others > 0 {
                    format!(
                        "Alternative takes from {}",
                        count(others, "other country", "other countries")
                    )
                } else {
                    format!(
                        "Also in {} from here",
                        count(story.articles - 1, "more article", "more articles")
                    )
                };
                egui::CollapsingHeader::new(title)
                    .id_salt(("takes", article.id))
                    .show(ui, |ui| {
                        if ui.small_button("Show who covers it on the globe").clicked() {
                            actions.cover = Some(story.clone());
                        }
                        let telling = view.timeline.telling_of(story);
                        takes_ui(ui, story, telling, Some(country), view.atlas, actions);
                    });
            }
            ui.add_space(4.0);
            ui.separator();
        }
    });
}

/// An article's thumbnail beside its headline, its place kept while it comes.
fn thumbnail_of(ui: &mut egui::Ui, pictures: &mut Pictures, url: &str) {
    let (width, height) = THUMBNAIL;
    let size = egui::vec2(width as f32, height as f32);
    match pictures.get(ui.ctx(), url, THUMBNAIL) {
        Shown::Ready(texture, shown) => {
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            let fitted = egui::Rect::from_center_size(rect.center(), shown);
            egui::Image::new((texture, shown))
                .corner_radius(3.0)
                .paint_at(ui, fitted);
        }
        Shown::Loading | Shown::Failed(_) => {
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            ui.painter()
                .rect_filled(rect, 3.0, ui.visuals().extreme_bg_color);
        }
    }
}

/// The indices of the listed articles with `topic` (all of them without one).
fn filtered(listed: &CountryNews, topic: Option<Topic>) -> Vec<usize> {
    (0..listed.articles.len())
        .filter(|&i| topic.is_none_or(|t| listed.topics.get(i).is_some_and(|ts| ts.contains(t))))
        .collect()
}

/// One article: the English headline by default, with the original and its language beside
/// it and who translated it; an article not (yet) translated shows its own text and says so.
fn article_entry(
    ui: &mut egui::Ui,
    article: &Article,
    show_original: bool,
    now: i64,
    actions: &mut UiActions,
) {
    let (title, summary) = shown_text(article, show_original);
    article_link(ui, title, true, article, actions);
    ui.weak(format!(
        "{} · {}",
        article.outlet,
        relative_time(now - article.published)
    ));
    let language = language_name(&article.language);
    match &article.translated_by {
        Some(by) if !show_original => {
            ui.label(egui::RichText::new(format!("{language}:")).small().weak());
            let small = egui::TextStyle::Small.resolve(ui.style());
            bidi::label(ui, &article.title, small, egui::RichText::weak);
            ui.label(
                egui::RichText::new(format!("Machine-translated by {by}"))
                    .small()
                    .weak(),
            );
        }
        Some(_) => {}
        None if article.language != "en" => {
            ui.label(
                egui::RichText::new(format!("In {language}, not translated yet"))
                    .small()
                    .color(palette::ATTENTION),
            );
        }
        None => {}
    }
    if !summary.is_empty() {
        let body = egui::TextStyle::Body.resolve(ui.style());
        bidi::label(ui, &snippet(summary, SNIPPET_CHARS), body, |text| text);
    }
}

/// The headline and summary to show: the English ones unless the reader asked for the
/// original, or there are none.
fn shown_text(article: &Article, show_original: bool) -> (&str, &str) {
    if show_original {
        (&article.title, &article.summary)
    } else {
        english(article)
    }
}

/// How much of a summary the panel shows under a headline.
const SNIPPET_CHARS: usize = 220;

fn snippet(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

fn empty_reason(news: &News, country: &str) -> String {
    let status = &news.status;
    if let Some(e) = &status.store_error {
        format!("The news store cannot be used: {e}")
    } else if !news.covered.iter().any(|c| c == country) {
        "No outlet from this country is in the catalog yet.".into()
    } else if status.updating.is_some() {
        "Fetching the latest news from this country's outlets…".into()
    } else if status.offline {
        "Nothing stored yet, and the feeds cannot be reached: the network seems to be down.".into()
    } else if status.last_update.is_some() {
        "This country's outlets have published nothing in the last 30 days, or their feeds fail."
            .into()
    } else if status.shared {
        "Nothing stored yet for this country: the shared store's ingest fills it.".into()
    } else if !status.fetching {
        "Nothing stored yet for this country: `newsglobe fetch` fills the store.".into()
    } else {
        "Nothing stored yet: the first fetch starts in a moment.".into()
    }
}

#[cfg(test)]
mod header_tests {
    use super::*;

    /// Lays out the panel's header for `name` at the panel's width, after the app's style has
    /// taken effect; returns the header's parts and the width the panel gives its content.
    fn laid_out(name: &str, scale: Option<f32>) -> (egui::Rect, egui::Rect, egui::Rect) {
        let ctx = egui::Context::default();
        crate::app::ui::style(&ctx, scale);
        let input = || egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 720.0),
            )),
            ..Default::default()
        };
        let mut rects = None;
        // The first pass only applies the style; the second lays out with it.
        for _ in 0..2 {
            let output = ctx.run_ui(input(), |ui| {
                egui::Panel::right("country")
                    .resizable(false)
                    .exact_size(PANEL_WIDTH)
                    .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(16.0))
                    .show(ui, |ui| {
                        let flag = Some((egui::TextureId::default(), egui::vec2(30.0, 20.0)));
                        let (name, close) = header(ui, flag, name);
                        rects = Some((name.rect, close.rect, ui.max_rect()));
                    });
            });
            output.drop_without_applying_deltas();
        }
        rects.unwrap()
    }

    #[test]
    fn the_close_button_stays_in_the_panel_beside_any_name() {
        for scale in [None, Some(1.5)] {
            let (_, short_close, _) = laid_out("Chad", scale);
            for name in [
                "United States of America",
                "United States Virgin Islands",
                "Saint Vincent and the Grenadines",
                "South Georgia and the Islands",
            ] {
                let (name_rect, close, panel) = laid_out(name, scale);
                assert!(
                    panel.contains_rect(close),
                    "{name}: ✖ {close:?} in {panel:?}"
                );
                assert_eq!(close, short_close, "{name}: ✖ where it is for a short name");
                assert!(
                    name_rect.max.x <= close.min.x,
                    "{name}: the name {name_rect:?} runs under ✖ {close:?}"
                );
            }
        }
    }

    #[test]
    fn a_long_name_wraps_rather_than_being_cut() {
        let (one_line, _, _) = laid_out("Chad", None);
        let (name, _, _) = laid_out("United States Virgin Islands", None);
        assert!(
            name.height() > 1.5 * one_line.height(),
            "on two lines: {name:?} against {one_line:?}"
        );
    }
}

#[cfg(test)]
mod snippet_tests {
    use super::*;

    #[test]
    fn cuts_on_a_character_boundary() {
        assert_eq!(snippet("Новости Киева", 7), "Новости…");
        assert_eq!(snippet("short", 10), "short");
    }
}

#[cfg(test)]
mod shown_text_tests {
    use super::*;

    fn article(title_en: Option<&str>) -> Article {
        Article {
            id: 1,
            feed_url: String::new(),
            outlet: "El Diario".into(),
            country: "MEX".into(),
            language: "es".into(),
            title: "Llueve en la capital".into(),
            summary: "Resumen".into(),
            link: "https://example.org/1".into(),
            image: None,
            published: 0,
            first_seen: 0,
            title_en: title_en.map(str::to_owned),
            summary_en: title_en.map(|_| "Summary".to_owned()),
            translated_by: title_en.map(|_| "Apertium".to_owned()),
        }
    }

    #[test]
    fn english_by_default_original_on_request_or_when_untranslated() {
        let translated = article(Some("It rains in the capital"));
        assert_eq!(
            shown_text(&translated, false),
            ("It rains in the capital", "Summary")
        );
        assert_eq!(
            shown_text(&translated, true),
            ("Llueve en la capital", "Resumen")
        );
        assert_eq!(
            shown_text(&article(None), false),
            ("Llueve en la capital", "Resumen")
        );
    }
}
