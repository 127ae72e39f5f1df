//! The kiosk's own widgets: the attract loop's card (the stop's flag, name and headlines) and
//! an article's link as a QR code over everything; and, after an idle reset, egui forgetting
//! the last visitor's scroll positions and open sections.
//!
//! Not this module's concern: when the card shows, where the globe turns or what a tap on the
//! card does; that is the kiosk's state machine (`app::kiosk`).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::qr::qr_image;
use super::state::QrView;
use super::widgets::{flag_image, load_flag, relative_time};
use super::{UiSystems, bidi, logical_rect, palette};
use crate::app::atlas::Atlas;
use crate::app::camera::GlobeCamera;
use crate::app::kiosk::{CardLayout, KioskState};
use crate::app::news::News;
use crate::app::pointer::UiCover;
use crate::news::Article;
use crate::news::world::english;

/// Headlines on the attract card.
const CARD_HEADLINES: usize = 3;

/// Pixels per QR module: big enough for a phone to read off a screen at arm's length.
const QR_MODULE_PX: usize = 6;

/// The kiosk's widgets, in the egui pass's order: forgetting before the panels are laid out,
/// the card and the QR view over them.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        (
            reset_egui_memory.in_set(UiSystems::Prepare),
            (attract_card, qr_view).in_set(UiSystems::Overlays),
        ),
    );
}

/// After an idle reset, egui forgets its widgets' state (scroll positions, open sections,
/// text being edited): the next visitor starts at the top of every list.
fn reset_egui_memory(
    mut contexts: EguiContexts,
    kiosk: Res<KioskState>,
    mut forgotten: Local<u64>,
) -> Result {
    if *forgotten != kiosk.resets {
        *forgotten = kiosk.resets;
        contexts.ctx_mut()?.memory_mut(|memory| {
            memory.data.clear();
            memory.stop_text_input();
        });
    }
    Ok(())
}

/// What the card says under the country's name.
#[derive(Debug, PartialEq)]
enum CardNews<'a> {
    /// The news thread has not answered for this country yet.
    Loading,
    /// It has: nothing stored from here.
    Nothing,
    Headlines(&'a [Article]),
}

/// The card's news for `country`: only the news thread's answer for that very country counts,
/// so a card never says "no news" while the last country's answer is still the latest.
fn card_news<'a>(news: &'a News, country: &str) -> CardNews<'a> {
    let listed = news
        .articles
        .as_ref()
        .filter(|listed| listed.country == country);
    match listed {
        // Without a store no answer comes: say there is nothing rather than wait forever.
        // News read before the store went away still shows.
        None if news.status.store_error.is_some() => CardNews::Nothing,
        None => CardNews::Loading,
        Some(listed) if listed.articles.is_empty() => CardNews::Nothing,
        Some(listed) => {
            CardNews::Headlines(&listed.articles[..listed.articles.len().min(CARD_HEADLINES)])
        }
    }
}

/// The attract loop's card: the country's flag, name and top headlines, and what to do.
/// The flag is read as the flight leaves, so that it is there when the card shows.
#[allow(clippy::too_many_arguments)] // A system: the card reads several resources at once.
fn attract_card(
    mut contexts: EguiContexts,
    mut kiosk: ResMut<KioskState>,
    mut cover: ResMut<UiCover>,
    news: Res<News>,
    atlas: Res<Atlas>,
    camera: Option<Single<&Camera, With<GlobeCamera>>>,
    mut flag: Local<Option<(usize, Option<egui::TextureHandle>)>>,
    mut shown_before: Local<Option<(usize, usize)>>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    if let Some(stop) = kiosk.stop
        && flag.as_ref().is_none_or(|(c, _)| *c != stop)
    {
        let texture = load_flag(&atlas.countries[stop].id)
            .map(|image| ctx.load_texture("attract-flag", image, egui::TextureOptions::LINEAR));
        *flag = Some((stop, texture));
    }
    let Some(country) = kiosk.card else {
        *shown_before = None;
        kiosk.card_layout = None;
        if cover.card.is_some() {
            cover.card = None;
        }
        return Ok(());
    };
    let shown = &atlas.countries[country];
    let content = card_news(&news, &shown.id);
    // The card is anchored by its bottom, placed from last frame's size: when its content
    // changes, lay the frame out again rather than show it overflowing for a frame (which,
    // at a software renderer's few frames a second, a visitor sees).
    let lines = match content {
        CardNews::Headlines(articles) => articles.len(),
        CardNews::Loading | CardNews::Nothing => 0,
    };
    if shown_before.replace((country, lines)) != Some((country, lines)) {
        ctx.request_discard("the attract card changed");
    }
    let now = crate::news::now();
    let mut headlines = Vec::new();
    let area = egui::Area::new("attract-card".into())
        .order(egui::Order::Foreground)
        .anchor(egui::Align2::CENTER_BOTTOM, egui::vec2(0.0, -40.0))
        .interactable(false)
        // Each card now appears anew: at a software renderer's few frames a second, egui's
        // fade-in would show a ghost of it for a second or more.
        .fade_in(false)
        .show(&ctx, |ui| {
            egui::Frame::popup(&ctx.global_style())
                .fill(palette::CARD_FILL)
                .inner_margin(egui::Margin::symmetric(20, 14))
                .show(ui, |ui| {
                    ui.set_width(620.0);
                    ui.horizontal(|ui| {
                        if let Some((_, Some(texture))) =
                            flag.as_ref().filter(|(c, _)| *c == country)
                        {
                            flag_image(ui, (texture.id(), texture.size_vec2()), 26.0);
                        }
                        ui.label(egui::RichText::new(&shown.name).size(26.0).strong());
                    });
                    match content {
                        CardNews::Loading => {
                            ui.weak("Getting the latest headlines…");
                        }
                        CardNews::Nothing => {
                            ui.label("No news stored from here yet.");
                        }
                        CardNews::Headlines(articles) => {
                            for article in articles {
                                let (title, _) = english(article);
                                // One line each: the card's height stays what the view
                                // was aimed for.
                                let font = egui::FontId::proportional(18.0);
                                let top = match bidi::first_line(ui, title, &font) {
                                    None => ui.add(
                                        egui::Label::new(
                                            egui::RichText::new(title).font(font).strong(),
                                        )
                                        .truncate(),
                                    ),
                                    Some((line, align)) => {
                                        let text = egui::RichText::new(line).font(font).strong();
                                        bidi::aligned(ui, align, |ui| {
                                            ui.add(egui::Label::new(text).halign(align).extend())
                                        })
                                    }
                                }
                                .rect;
                                let byline = ui.weak(format!(
                                    "{} · {}",
                                    article.outlet,
                                    relative_time(now - article.published)
                                ));
                                let rect = top.union(byline.rect);
                                headlines.push((rect, article.clone()));
                            }
                        }
                    }
                    ui.label(
                        egui::RichText::new(
                            "Touch the globe to explore: drag to spin, pinch to zoom, tap a country",
                        )
                        .color(palette::ACCENT),
                    );
                });
        });
    let rect = area.response.rect;
    let layout = CardLayout {
        country,
        rect: logical_rect(&ctx, rect),
        headlines: headlines
            .into_iter()
            .map(|(r, article)| (logical_rect(&ctx, r), article))
            .collect(),
    };
    // The aim is a share of the globe's view, which stops at the status bar: not the window.
    let view_height = camera
        .as_ref()
        .and_then(|camera| camera.viewport.as_ref())
        .map_or(ctx.content_rect().height(), |viewport| {
            viewport.physical_size.y as f32 / ctx.pixels_per_point()
        });
    kiosk.card_top = rect.top() / view_height.max(1.0);
    if cover.card != Some(layout.rect) {
        cover.card = Some(layout.rect);
    }
    if kiosk.card_layout.as_ref() != Some(&layout) {
        kiosk.card_layout = Some(layout);
    }
    Ok(())
}

/// An article's link as a QR code, over everything, until closed.
fn qr_view(
    mut contexts: EguiContexts,
    mut qr: ResMut<QrView>,
    mut texture: Local<Option<(String, Result<egui::TextureHandle, String>)>>,
) -> Result {
    let Some(article) = qr.0.clone() else {
        *texture = None;
        return Ok(());
    };
    let ctx = contexts.ctx_mut()?.clone();
    if texture
        .as_ref()
        .is_none_or(|(link, _)| *link != article.link)
    {
        let made = qr_image(&article.link, QR_MODULE_PX)
            .map(|image| ctx.load_texture("article-qr", image, egui::TextureOptions::NEAREST))
            .map_err(|e| e.to_string());
        *texture = Some((article.link.clone(), made));
    }
    let mut close = false;
    let modal = egui::Modal::new("qr".into())
        .backdrop_color(palette::MODAL_BACKDROP)
        .show(&ctx, |ui| {
            ui.set_width(420.0);
            let (title, _) = english(&article);
            bidi::label(
                ui,
                title,
                egui::FontId::proportional(20.0),
                egui::RichText::strong,
            );
            ui.weak(&article.outlet);
            ui.add_space(8.0);
            match texture.as_ref().map(|(_, made)| made) {
                Some(Ok(code)) => {
                    ui.vertical_centered(|ui| {
                        ui.add(egui::Image::new((code.id(), code.size_vec2())));
                    });
                    ui.label("Scan with your phone's camera to read the whole article.");
                }
                Some(Err(e)) => {
                    ui.label(format!(
                        "This article's link cannot be shown as a code: {e}"
                    ));
                }
                None => {}
            }
            ui.add_space(8.0);
            ui.vertical_centered(|ui| {
                close = ui
                    .add(egui::Button::new(egui::RichText::new("Close").size(20.0)))
                    .clicked();
            });
        });
    if close || modal.should_close() {
        qr.0 = None;
    }
    Ok(())
}

#[cfg(test)]
mod card_news_tests {
    use super::*;
    use crate::app::CountryNews;

    fn answer(country: &str, articles: Vec<Article>) -> News {
        News {
            articles: Some(CountryNews {
                country: country.into(),
                articles,
                topics: Vec::new(),
                stories: Default::default(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn says_no_news_only_when_the_answer_for_this_country_is_empty() {
        assert_eq!(card_news(&News::default(), "KEN"), CardNews::Loading);
        assert_eq!(
            card_news(&answer("JPN", Vec::new()), "KEN"),
            CardNews::Loading,
            "the last stop's answer is not this one's"
        );
        assert_eq!(
            card_news(&answer("KEN", Vec::new()), "KEN"),
            CardNews::Nothing
        );
    }

    #[test]
    fn a_store_gone_away_keeps_the_news_read_before_and_says_nothing_otherwise() {
        let mut read = answer("KEN", vec![crate::app::ui::test_article(1, "KEN", 0)]);
        read.status.store_error = Some("unreachable".into());
        assert!(matches!(card_news(&read, "KEN"), CardNews::Headlines(..)));
        assert_eq!(
            card_news(&read, "TZA"),
            CardNews::Nothing,
            "no answer will come"
        );
    }
}
