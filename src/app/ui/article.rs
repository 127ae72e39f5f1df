//! The article view: an opened article in the right-hand panel, its whole text in English
//! as the translation arrives, the original a click away, its source and its story's other
//! takes beside it.

use bevy_egui::egui;

use super::state::{Timeline, UiActions, UiValues, WorldTab};
use super::widgets::{count, flag_image, relative_time, takes_ui, topic_tags};
use super::{bidi, keyboard_is_the_uis, palette};
use crate::app::atlas::Atlas;
use crate::app::news::{OpenedPage, PageTranslation};
use crate::app::pictures::{ARTICLE_PICTURE, Pictures, Shown};
use crate::news::topics::Topic;
use crate::news::world::english;

/// The article view's width: wide enough for a comfortable line of text, never more than
/// half the window, never less than the country panel.
pub(super) fn view_width(window_width: f32) -> f32 {
    (window_width * 0.5).clamp(340.0, 640.0)
}

/// The article view for `page`, on the right of `root`; returns its width. `flag` is the
/// article's country's flag.
#[allow(clippy::too_many_arguments)] // The view reads the page and the panels' shared state.
pub(super) fn article_panel(
    root: &mut egui::Ui,
    page: &OpenedPage,
    flag: Option<(egui::TextureId, egui::Vec2)>,
    state: &mut UiValues,
    pictures: &mut Pictures,
    atlas: &Atlas,
    timeline: &Timeline,
    actions: &mut UiActions,
) -> f32 {
    let ctx = root.ctx().clone();
    let response = egui::Panel::right("article")
        .resizable(false)
        .exact_size(view_width(ctx.content_rect().width()))
        .frame(egui::Frame::side_top_panel(&ctx.global_style()).inner_margin(16.0))
        .show(root, |ui| {
            let view = article_view(
                ui,
                page,
                &mut state.filters.show_original,
                flag,
                pictures,
                atlas,
                timeline,
                actions,
            );
            actions.close_article |= view.close;
            if view.world {
                state.world.open = true;
                state.world.tab = WorldTab::Top;
            }
            ui.allocate_space(ui.available_size());
        });
    response.response.rect.width()
}

/// What the reader asked of the view this pass.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct ViewActions {
    /// Back to where the reader came from.
    close: bool,
    /// Open the world's current take: the top stories.
    world: bool,
}

/// The article view's contents, in the panel `ui`. `flag` is the article's country's flag.
#[allow(clippy::too_many_arguments)] // The view reads the page and the panels' shared state.
fn article_view(
    ui: &mut egui::Ui,
    page: &OpenedPage,
    show_original: &mut bool,
    flag: Option<(egui::TextureId, egui::Vec2)>,
    pictures: &mut Pictures,
    atlas: &Atlas,
    timeline: &Timeline,
    actions: &mut UiActions,
) -> ViewActions {
    let mut view = ViewActions::default();
    let article = &page.article;
    ui.horizontal(|ui| {
        if ui.button("⬅ Back").on_hover_text("Back (Esc)").clicked() {
            view.close = true;
        }
    });
    ui.separator();
    let (title, summary) = english(article);
    egui::ScrollArea::vertical()
        .id_salt(("article", article.id))
        .show(ui, |ui| {
            ui.scroll_with_delta(egui::vec2(0.0, key_scroll(ui)));
            picture(ui, page, pictures);
            let heading = egui::TextStyle::Heading.resolve(ui.style());
            bidi::label(ui, title, heading, egui::RichText::strong);
            ui.horizontal_wrapped(|ui| {
                if let Some(flag) = flag {
                    flag_image(ui, flag, 16.0);
                }
                let country = atlas
                    .find(&article.country)
                    .map_or(article.country.as_str(), |i| &atlas.countries[i].name);
                ui.weak(format!(
                    "{} · {country} · {}",
                    article.outlet,
                    relative_time(crate::news::now() - article.published)
                ));
            });
            let tags: Vec<Topic> = page.topics.iter().collect();
            ui.horizontal_wrapped(|ui| topic_tags(ui, &tags));
            if let Some(byline) = page
                .read
                .as_ref()
                .and_then(|r| r.as_ref().ok()?.byline.as_ref())
            {
                ui.weak(byline);
            }
            ui.add_space(6.0);
            body(ui, page, show_original, summary);
            ui.add_space(10.0);
            source_link(ui, page, actions);
            ui.add_space(6.0);
            ui.separator();
            story_links(ui, page, atlas, timeline, actions, &mut view);
        });
    view
}

/// How far the reader's keys scroll the article this pass, in points (up is positive, as
/// egui has it): a page for Page Up/Down and Space, unless a text field has the keys. The
/// arrows stay the globe's.
fn key_scroll(ui: &egui::Ui) -> f32 {
    if keyboard_is_the_uis(ui.ctx()) {
        return 0.0;
    }
    let page = ui.clip_rect().height() * 0.9;
    ui.input(|input| {
        let pressed = |key| input.num_presses(key) as f32;
        (pressed(egui::Key::PageUp) - pressed(egui::Key::PageDown) - pressed(egui::Key::Space))
            * page
    })
}

/// The article's main picture, the page's or else the feed's, across the view's width; while
/// it comes, its place is kept so the text does not jump; one that fails leaves no gap.
fn picture(ui: &mut egui::Ui, page: &OpenedPage, pictures: &mut Pictures) {
    let from_page = page
        .read
        .as_ref()
        .and_then(|r| r.as_ref().ok()?.image.clone());
    let Some(url) = from_page.or_else(|| page.article.image.clone()) else {
        return;
    };
    // The page's picture is known only once the page is read: wait for it rather than
    // fetch the feed's and then another.
    if page.read.is_none() {
        return;
    }
    let width = ui.available_width();
    // Tall pictures would push the text off a laptop's screen.
    let max_height = ui.ctx().content_rect().height() * 0.4;
    match pictures.get(ui.ctx(), &url, ARTICLE_PICTURE) {
        Shown::Ready(texture, size) => {
            let shown = size * (width / size.x).min(max_height / size.y).min(1.0);
            ui.add(egui::Image::new((texture, shown)).corner_radius(4.0));
        }
        Shown::Loading => {
            let (rect, _) =
                ui.allocate_exact_size(egui::vec2(width, width * 9.0 / 16.0), egui::Sense::hover());
            ui.painter()
                .rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
        }
        Shown::Failed(_) => {}
    }
    ui.add_space(6.0);
}

/// The article's text: English paragraphs where they have arrived, the original where the
/// reader asked for it or no English came; while the page is fetched, a line that says so;
/// when it has no article, why, and the feed's summary.
fn body(ui: &mut egui::Ui, page: &OpenedPage, show_original: &mut bool, summary: &str) {
    let read = match &page.read {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Getting the whole article…");
            });
            bidi::label(
                ui,
                summary,
                egui::TextStyle::Body.resolve(ui.style()),
                |text| text,
            );
            return;
        }
        Some(Err(why)) => {
            ui.colored_label(
                palette::ATTENTION,
                format!("The whole article cannot be shown here: {why}."),
            );
            ui.add_space(4.0);
            bidi::label(
                ui,
                summary,
                egui::TextStyle::Body.resolve(ui.style()),
                |text| text,
            );
            return;
        }
        Some(Ok(read)) => read,
    };
    let translated = page.english.iter().any(Option::is_some);
    match &page.translation {
        PageTranslation::Arriving(by) => {
            let done = page.english.iter().filter(|e| e.is_some()).count();
            let line = if done < page.english.len() {
                format!("Translating: {done} of {} paragraphs…", page.english.len())
            } else {
                format!("Machine-translated by {by}")
            };
            ui.label(egui::RichText::new(line).size(12.5).weak());
        }
        PageTranslation::Failed(why) => {
            ui.colored_label(
                palette::ATTENTION,
                format!("Not translated ({why}); shown as written."),
            );
        }
        PageTranslation::Waiting | PageTranslation::NotNeeded => {}
    }
    if translated {
        ui.checkbox(show_original, "Show the original");
    }
    for (i, original) in read.paragraphs.iter().enumerate() {
        let english = page.english.get(i).and_then(Option::as_deref);
        let text = match english {
            Some(english) if !*show_original => english,
            _ => original.as_str(),
        };
        bidi::label(ui, text, egui::FontId::proportional(15.0), |text| text);
        ui.add_space(6.0);
    }
}

/// The source: a link to the browser, or in kiosk mode a code to scan.
fn source_link(ui: &mut egui::Ui, page: &OpenedPage, actions: &mut UiActions) {
    let article = &page.article;
    let text = format!("Read it at {} ↗", article.outlet);
    if actions.kiosk {
        if ui
            .button(format!("Scan to read it at {}", article.outlet))
            .clicked()
        {
            actions.show_qr = Some(article.clone());
        }
    } else {
        ui.hyperlink_to(text, &article.link)
            .on_hover_text(&article.link);
    }
}

/// The story's other takes and the world's current take, one tap away.
fn story_links(
    ui: &mut egui::Ui,
    page: &OpenedPage,
    atlas: &Atlas,
    timeline: &Timeline,
    actions: &mut UiActions,
    view: &mut ViewActions,
) {
    if let Some(story) = &page.story {
        let others = story
            .takes
            .iter()
            .filter(|t| t.country != page.article.country)
            .count();
        if others > 0 {
            let title = format!(
                "Alternative takes from {}",
                count(others, "other country", "other countries")
            );
            egui::CollapsingHeader::new(title)
                .id_salt(("article-takes", page.article.id))
                .default_open(true)
                .show(ui, |ui| {
                    if ui.small_button("Show who covers it on the globe").clicked() {
                        actions.cover = Some(story.clone());
                    }
                    let telling = timeline.telling_of(story);
                    takes_ui(
                        ui,
                        story,
                        telling,
                        Some(&page.article.country),
                        atlas,
                        actions,
                    );
                });
        }
    }
    if ui.button("🌐 The World's Current Take").clicked() {
        view.world = true;
    }
}

#[cfg(test)]
mod key_scroll_tests {
    use super::*;

    fn scrolled(keys: &[egui::Key]) -> f32 {
        let ctx = egui::Context::default();
        let events = keys
            .iter()
            .map(|&key| egui::Event::Key {
                key,
                physical_key: None,
                pressed: true,
                repeat: false,
                modifiers: Default::default(),
            })
            .collect();
        let input = crate::app::ui::egui_input(640.0, 500.0, events);
        let mut delta = 0.0;
        ctx.run_ui(input, |ui| delta = key_scroll(ui))
            .drop_without_applying_deltas();
        delta
    }

    #[test]
    fn page_keys_scroll_a_page_and_the_arrows_stay_the_globes() {
        assert_eq!(scrolled(&[]), 0.0);
        assert!(scrolled(&[egui::Key::PageDown]) < -400.0);
        assert_eq!(
            scrolled(&[egui::Key::Space]),
            scrolled(&[egui::Key::PageDown])
        );
        assert!(scrolled(&[egui::Key::PageUp]) > 400.0);
        assert_eq!(
            scrolled(&[egui::Key::PageUp, egui::Key::PageUp]),
            2.0 * scrolled(&[egui::Key::PageUp])
        );
        assert_eq!(scrolled(&[egui::Key::ArrowDown, egui::Key::ArrowUp]), 0.0);
    }
}
