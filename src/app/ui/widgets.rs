//! What every panel shares: the flag cache, relative times and counts, an article's link,
//! topic tags and the topic filter, every country's take on a story, and lists cut to their
//! first few. Panels draw with these and never with each other's helpers.

use std::sync::Arc;

use bevy_egui::egui;

use super::bidi;
use super::palette;
use super::state::UiActions;
use crate::app::atlas::Atlas;
use crate::news::Article;
use crate::news::framing::Framing;
use crate::news::spread::Telling;
use crate::news::topics::Topic;
use crate::news::world::{StoryView, english};

/// The flag of the country a panel shows, read and uploaded once each time that country
/// changes.
#[derive(Default)]
pub(super) struct Flag {
    country: Option<usize>,
    texture: Option<egui::TextureHandle>,
}

impl Flag {
    pub(super) fn of(
        &mut self,
        ctx: &egui::Context,
        country: usize,
        id: &str,
    ) -> Option<&egui::TextureHandle> {
        if self.country != Some(country) {
            self.country = Some(country);
            self.texture = load_flag(id)
                .map(|image| ctx.load_texture(format!("flag-{id}"), image, Default::default()));
        }
        self.texture.as_ref()
    }
}

/// A flag from `assets/flags`; the few features without one (Bir Tawil, say) show none.
pub(super) fn load_flag(id: &str) -> Option<egui::ColorImage> {
    let path = crate::assets::dir().join("flags").join(format!("{id}.png"));
    let image = image::open(&path).ok()?.to_rgba8();
    let size = [image.width() as usize, image.height() as usize];
    Some(egui::ColorImage::from_rgba_unmultiplied(
        size,
        image.as_raw(),
    ))
}

/// A country's name by its code, or the code for a feature the atlas lacks.
pub fn country_name(atlas: &Atlas, code: &str) -> String {
    atlas
        .find(code)
        .map_or(code.to_owned(), |c| atlas.countries[c].name.clone())
}

/// "just now", "5 min ago", "3 h ago", "2 days ago".
pub fn relative_time(seconds: i64) -> String {
    match seconds.max(0) {
        0..60 => "just now".into(),
        s @ 60..3600 => format!("{} min ago", s / 60),
        s @ 3600..86_400 => format!("{} h ago", s / 3600),
        s if s < 2 * 86_400 => "yesterday".into(),
        s => format!("{} days ago", s / 86_400),
    }
}

/// A flag `height` points tall, at its own aspect ratio.
pub fn flag_image(
    ui: &mut egui::Ui,
    (texture, size): (egui::TextureId, egui::Vec2),
    height: f32,
) -> egui::Response {
    ui.add(egui::Image::new((
        texture,
        egui::vec2(size.x / size.y * height, height),
    )))
}

/// "1 article", "3 articles".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// An article's headline as its link: it opens the article view, where the whole article
/// is read in the app.
pub fn article_link(
    ui: &mut egui::Ui,
    title: &str,
    strong: bool,
    article: &Article,
    out: &mut UiActions,
) {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let (shown, align) = bidi::for_ui(ui, title, &font);
    let text = egui::RichText::new(shown);
    let text = if strong { text.strong() } else { text };
    let link = match align {
        None => ui.link(text),
        Some(align) => bidi::aligned(ui, align, |ui| ui.add(egui::Link::new(text))),
    };
    if link.on_hover_text("Read the article").clicked() {
        out.read = Some(article.clone());
    }
}

/// The topics of an article or story, as small labels.
pub fn topic_tags(ui: &mut egui::Ui, topics: &[Topic]) {
    for topic in topics {
        ui.label(
            egui::RichText::new(topic.label())
                .size(12.5)
                .color(palette::ACCENT),
        );
    }
}

/// A topic filter: "All topics" or one of the taxonomy's.
pub fn topic_filter(ui: &mut egui::Ui, id: &str, topic: &mut Option<Topic>) -> egui::Response {
    egui::ComboBox::from_id_salt(id)
        .selected_text(topic.map_or("All topics", Topic::label))
        .width(200.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(topic, None, "All topics");
            for t in Topic::ALL {
                ui.selectable_value(topic, Some(t), t.label());
            }
        })
        .response
}

/// Every country's take on a story, but `except`'s: the country's name flies the globe there
/// and opens its view of the story; each headline links to the article.
pub fn takes_ui(
    ui: &mut egui::Ui,
    story: &Arc<StoryView>,
    telling: Option<&Telling>,
    except: Option<&str>,
    atlas: &Atlas,
    out: &mut UiActions,
) {
    for take in story
        .takes
        .iter()
        .filter(|t| Some(t.country.as_str()) != except)
    {
        let country = atlas.find(&take.country);
        let name = country.map_or(take.country.as_str(), |c| atlas.countries[c].name.as_str());
        ui.horizontal(|ui| {
            let button = ui
                .button(egui::RichText::new(name).strong())
                .on_hover_text("Fly there and read its take");
            if button.clicked()
                && let Some(country) = country
            {
                out.select = Some(Some(country));
                out.focus = Some(story.clone());
            }
            ui.weak(count(take.articles.len(), "article", "articles"));
        });
        if let Some(telling) = telling {
            framing_line(ui, telling.framing_of(&take.country));
        }
        previewed(
            ui,
            egui::Id::new(("take", story.id, &take.country)),
            &take.articles,
            |ui, article| take_line(ui, article, out),
        );
    }
}

/// What sets a country's take apart from the others' (see `news::framing`), in a line: its
/// words, or why there are none to show.
pub fn framing_line(ui: &mut egui::Ui, framing: Option<&Framing>) {
    let said = match framing {
        Some(Framing::Terms { terms }) => {
            let words: Vec<&str> = terms.iter().map(|t| t.text.as_str()).collect();
            egui::RichText::new(format!("Its words: {}", words.join(" · "))).color(palette::ACCENT)
        }
        Some(Framing::TooLittle { .. }) => {
            egui::RichText::new("Too little text to tell how its take differs").weak()
        }
        Some(Framing::Alike) => egui::RichText::new("Told much like the others").weak(),
        None => return,
    };
    ui.label(said.size(13.0)).on_hover_text(
        "The words its articles use that the other countries' articles on this story do not",
    );
}

/// How many of one country's articles on a story show before its "more": enough to see its
/// angle, few enough that the next country's take stays in sight (the United States alone
/// can carry ninety articles on a big story).
pub const TAKE_PREVIEW: usize = 3;

/// The part of a list shown before its "more" control, and how many that control holds
/// back: the first [`TAKE_PREVIEW`], or all of them once expanded. A single extra item shows
/// rather than hide behind "1 more", which would take as much room.
pub fn preview<T>(items: &[T], expanded: bool) -> (&[T], usize) {
    if expanded || items.len() <= TAKE_PREVIEW + 1 {
        (items, 0)
    } else {
        (&items[..TAKE_PREVIEW], items.len() - TAKE_PREVIEW)
    }
}

/// A list cut to its [`preview`], with a control that shows the rest and one that folds it
/// back; egui's memory keeps which lists are open under `id`.
pub fn previewed<T>(
    ui: &mut egui::Ui,
    id: egui::Id,
    items: &[T],
    mut line: impl FnMut(&mut egui::Ui, &T),
) {
    let expanded = ui.ctx().data(|d| d.get_temp::<bool>(id)).unwrap_or(false);
    let (shown, hidden) = preview(items, expanded);
    for item in shown {
        line(ui, item);
    }
    let toggle = if hidden > 0 {
        Some((format!("{hidden} more"), true))
    } else if expanded && preview(items, false).1 > 0 {
        Some(("Show fewer".to_owned(), false))
    } else {
        None
    };
    if let Some((label, expand)) = toggle {
        ui.horizontal(|ui| {
            ui.add_space(12.0);
            if ui.small_button(label).clicked() {
                ui.ctx().data_mut(|d| d.insert_temp(id, expand));
            }
        });
    }
}

fn take_line(ui: &mut egui::Ui, article: &Article, out: &mut UiActions) {
    let (title, _) = english(article);
    ui.horizontal_wrapped(|ui| {
        ui.add_space(12.0);
        article_link(ui, title, false, article, out);
        ui.weak(format!("· {}", article.outlet));
    });
}

#[cfg(test)]
mod relative_time_tests {
    use super::*;

    #[test]
    fn reads_like_a_person_would_say_it() {
        assert_eq!(relative_time(5), "just now");
        assert_eq!(relative_time(-30), "just now");
        assert_eq!(relative_time(300), "5 min ago");
        assert_eq!(relative_time(3 * 3600 + 10), "3 h ago");
        assert_eq!(relative_time(30 * 3600), "yesterday");
        assert_eq!(relative_time(5 * 86_400), "5 days ago");
    }
}

#[cfg(test)]
mod count_tests {
    use super::*;

    #[test]
    fn one_is_singular() {
        assert_eq!(count(1, "country", "countries"), "1 country");
        assert_eq!(count(0, "article", "articles"), "0 articles");
        assert_eq!(count(12, "article", "articles"), "12 articles");
    }
}

#[cfg(test)]
mod preview_tests {
    use super::*;

    #[test]
    fn a_long_take_shows_a_few_and_counts_the_rest() {
        let articles: Vec<usize> = (0..91).collect();
        let (shown, hidden) = preview(&articles, false);
        assert_eq!(shown, [0, 1, 2]);
        assert_eq!(hidden, 88);
        let (shown, hidden) = preview(&articles, true);
        assert_eq!((shown.len(), hidden), (91, 0), "expanded, all of them");
    }

    #[test]
    fn short_takes_show_whole() {
        for n in 0..=TAKE_PREVIEW + 1 {
            let articles: Vec<usize> = (0..n).collect();
            assert_eq!(preview(&articles, false), (&articles[..], 0), "{n}");
        }
        let five: Vec<usize> = (0..TAKE_PREVIEW + 2).collect();
        assert_eq!(preview(&five, false).1, 2, "two more are worth a control");
    }
}

#[cfg(test)]
mod article_link_tests {
    use super::*;

    fn article() -> Article {
        Article {
            id: 7,
            feed_url: "https://a.example/rss".into(),
            outlet: "A".into(),
            country: "ESP".into(),
            language: "es".into(),
            title: "Titular".into(),
            summary: String::new(),
            title_en: None,
            summary_en: None,
            translated_by: None,
            link: "https://a.example/7".into(),
            image: None,
            published: 0,
            first_seen: 0,
        }
    }

    /// Runs one pass drawing the headline with `events`; returns where it was and what the
    /// pass asked for.
    fn pass(ctx: &egui::Context, events: Vec<egui::Event>, kiosk: bool) -> (egui::Rect, UiActions) {
        let mut out = UiActions {
            kiosk,
            ..Default::default()
        };
        let mut rect = egui::Rect::NOTHING;
        let input = crate::app::ui::egui_input(800.0, 600.0, events);
        ctx.run_ui(input, |ui| {
            article_link(ui, "Titular", false, &article(), &mut out);
            rect = ui.min_rect();
        })
        .drop_without_applying_deltas();
        (rect, out)
    }

    #[test]
    fn a_click_on_a_headline_opens_the_article_in_the_app_on_a_kiosk_too() {
        for kiosk in [false, true] {
            let ctx = egui::Context::default();
            let (rect, out) = pass(&ctx, Vec::new(), kiosk);
            assert!(out.read.is_none());
            let at = rect.center();
            let button = |pressed| egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: Default::default(),
            };
            pass(
                &ctx,
                vec![egui::Event::PointerMoved(at), button(true)],
                kiosk,
            );
            let (_, out) = pass(&ctx, vec![button(false)], kiosk);
            assert_eq!(out.read.map(|a| a.id), Some(7), "kiosk {kiosk}");
            assert!(
                out.show_qr.is_none(),
                "the code is the article view's to show"
            );
        }
    }
}
