//! The egui layer: the side panel for the selected country, the world panel and the country
//! finder (drawn from `stories`), the hover tooltip, the status bar, and the 3D viewport
//! shrunk to the space between the panels and above the bar.
//!
//! egui owns its input: each pass records the part of the window the panels leave to the
//! globe ([`UiCover`]), and pointer gestures that start outside it are the panels' (see
//! `pointer`); keys are the UI's only while a text field or a dialog has them
//! ([`UiKeyboard`]). The status bar is opaque and words itself to fit; a kiosk too narrow for
//! both side panels shows the one opened last. All panels are laid out in one pass over one
//! root, as egui requires.

use bevy::camera::visibility::RenderLayers;
use bevy::camera::{CameraOutputMode, Viewport};
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy::window::PrimaryWindow;
use bevy_egui::{
    EguiContexts, EguiGlobalSettings, EguiPrimaryContextPass, PrimaryEguiContext, egui,
};

use super::article;
use super::bidi;
use super::camera::GlobeCamera;
use super::globe::Atlas;
use super::keys::UiKeyboard;
use super::kiosk::{KioskSettings, QrView};
use super::links;
use super::news::{CountryNews, News, NewsStatus};
use super::picking::{Hovered, Selection};
use super::pictures::{Pictures, Shown, THUMBNAIL};
use super::pointer::{Dragging, UiCover};
use super::stories::{
    self, ArticleFilters, Finder, SearchHit, StoryFocus, UiActions, UiWriters, WorldPanel, WorldTab,
};
use crate::news::Article;
use crate::news::language::language_name;
use crate::news::topics::Topic;
use crate::news::world::english;

/// Logical width of the country panel.
const PANEL_WIDTH: f32 = 340.0;
/// The smallest touch target in kiosk mode, in physical pixels.
pub const TOUCH_TARGET_PX: f32 = 48.0;

pub(super) fn plugin(app: &mut App) {
    app.add_plugins(ui_camera)
        .init_resource::<UiKeyboard>()
        .add_systems(
            EguiPrimaryContextPass,
            (
                style_once,
                country_ui,
                links::open_links,
                links::unopened_notice,
            )
                .chain(),
        );
}

/// The whole window as one background `Ui`, for the side panels to take their sides of.
pub(super) fn root_ui(ctx: &egui::Context) -> egui::Ui {
    egui::Ui::new(
        ctx.clone(),
        "root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    )
}

/// egui draws through a camera of its own over the whole window, so that shrinking the globe
/// camera's viewport does not shrink the UI with it.
pub(super) fn ui_camera(app: &mut App) {
    app.add_systems(Startup, spawn_ui_camera);
}

fn spawn_ui_camera(mut commands: Commands, mut settings: ResMut<EguiGlobalSettings>) {
    settings.auto_create_primary_context = false;
    commands.spawn((
        Name::new("UI camera"),
        PrimaryEguiContext,
        Camera2d,
        RenderLayers::none(),
        Camera {
            order: 1,
            output_mode: CameraOutputMode::Write {
                blend_state: Some(BlendState::ALPHA_BLENDING),
                clear_color: ClearColorConfig::None,
            },
            clear_color: ClearColorConfig::Custom(Color::NONE),
            ..default()
        },
    ));
}

fn style_once(
    mut contexts: EguiContexts,
    kiosk: Option<Res<KioskSettings>>,
    mut done: Local<bool>,
) -> Result {
    if *done {
        return Ok(());
    }
    style(contexts.ctx_mut()?, kiosk.as_ref().map(|k| k.text_scale));
    *done = true;
    Ok(())
}

/// The app's look: dark, with larger text; in kiosk mode (`scale`) larger still, with touch
/// targets a finger hits.
fn style(ctx: &egui::Context, scale: Option<f32>) {
    ctx.set_theme(egui::Theme::Dark);
    if let Some(scale) = scale {
        ctx.set_zoom_factor(scale);
    }
    ctx.all_styles_mut(|style| {
        if let Some(scale) = scale {
            // Every button, tab and list entry at least 48 physical pixels tall: the
            // size a fingertip hits reliably (Material and Apple guidelines agree).
            style.spacing.interact_size.y = (TOUCH_TARGET_PX / scale).ceil();
            style.spacing.button_padding = egui::vec2(12.0, 8.0);
            style.spacing.scroll.bar_width = 16.0;
        }
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style
            .text_styles
            .insert(egui::TextStyle::Heading, egui::FontId::proportional(24.0));
        style
            .text_styles
            .insert(egui::TextStyle::Body, egui::FontId::proportional(15.0));
        style
            .text_styles
            .insert(egui::TextStyle::Button, egui::FontId::proportional(15.0));
    });
}

/// The selected country's flag, read and uploaded once per selection.
#[derive(Default)]
struct Flag {
    country: Option<usize>,
    texture: Option<egui::TextureHandle>,
}

impl Flag {
    fn of(
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

/// What the kiosk's side panels were last pass, to tell which one was opened last.
#[derive(Default)]
struct SidePanels {
    world: bool,
    country: Option<usize>,
    /// The article view had the right-hand side.
    reading: bool,
    country_last: bool,
}

/// Which side panels to show, (world, country), when both are asked for in kiosk mode: both
/// if they leave the globe at least half the window's width, else only the one opened last.
/// A touch screen's visitor cannot resize the window, and at the kiosk's text scale two
/// panels can leave the globe a strip (200 pixels of a 1280-pixel screen).
pub fn side_panels(window: f32, world: f32, country: f32, country_last: bool) -> (bool, bool) {
    if world + country <= window / 2.0 {
        (true, true)
    } else {
        (!country_last, country_last)
    }
}

/// The state the panels read and change besides the selection.
#[derive(SystemParam)]
struct PanelState<'w, 's> {
    flag: Local<'s, Flag>,
    /// The flag of the open article's country.
    article_flag: Local<'s, Flag>,
    side: Local<'s, SidePanels>,
    filters: ResMut<'w, ArticleFilters>,
    world: ResMut<'w, WorldPanel>,
    focus: ResMut<'w, StoryFocus>,
    finder: ResMut<'w, Finder>,
    hit: ResMut<'w, SearchHit>,
    writers: UiWriters<'w>,
    /// Present in kiosk mode, where links show as QR codes instead of opening a browser.
    qr: Option<ResMut<'w, QrView>>,
    cover: ResMut<'w, UiCover>,
    ui_keyboard: ResMut<'w, UiKeyboard>,
    pictures: ResMut<'w, Pictures>,
}

#[allow(clippy::too_many_arguments)] // The panels show several resources at once.
fn country_ui(
    mut contexts: EguiContexts,
    mut state: PanelState,
    atlas: Res<Atlas>,
    selection: Res<Selection>,
    hovered: Res<Hovered>,
    dragging: Res<Dragging>,
    news: Res<News>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut camera: Single<(&mut Camera, &mut Projection), With<GlobeCamera>>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = root_ui(&ctx);
    let kiosk = state.qr.is_some();
    let mut actions = UiActions { kiosk, ..default() };

    stories::finder_ui(
        &ctx,
        &mut state.finder,
        &mut state.world,
        &mut state.focus,
        &atlas,
        &mut actions,
    );
    let mut shown = selection.0;
    let mut reading = news.page.as_ref();
    let window_width = ctx.content_rect().width();
    let right_wanted = match reading {
        Some(_) => article::view_width(window_width),
        None => PANEL_WIDTH,
    };
    if kiosk {
        let side = &mut *state.side;
        if (selection.0.is_some() && selection.0 != side.country)
            || (reading.is_some() && !side.reading)
        {
            side.country_last = true;
        }
        if state.world.open && !side.world {
            side.country_last = false;
        }
        if state.world.open && (selection.0.is_some() || reading.is_some()) {
            let (world, right) = side_panels(
                window_width,
                stories::WORLD_WIDTH,
                right_wanted,
                side.country_last,
            );
            state.world.open = world;
            if !right {
                actions.select = Some(None);
                actions.close_article = reading.is_some();
                shown = None;
                reading = None;
            }
        }
        (side.world, side.country, side.reading) = (state.world.open, shown, reading.is_some());
    }
    let left_width = stories::world_panel(
        &mut root,
        &mut state.world,
        &mut state.focus,
        &news,
        &atlas,
        &mut actions,
    );

    let mut right_width = 0.0;
    if let Some(page) = reading {
        let flag = atlas.find(&page.article.country).and_then(|index| {
            state
                .article_flag
                .of(&ctx, index, &page.article.country)
                .map(|t| (t.id(), t.size_vec2()))
        });
        let response = egui::Panel::right("article")
            .resizable(false)
            .exact_size(right_wanted)
            .frame(egui::Frame::side_top_panel(&ctx.global_style()).inner_margin(16.0))
            .show(&mut root, |ui| {
                let view = article::article_view(
                    ui,
                    page,
                    &mut state.filters.show_original,
                    flag,
                    &mut state.pictures,
                    &atlas,
                    &mut actions,
                );
                actions.close_article |= view.close;
                if view.world {
                    state.world.open = true;
                    state.world.tab = WorldTab::Top;
                }
                ui.allocate_space(ui.available_size());
            });
        right_width = response.response.rect.width();
    } else if let Some(index) = shown {
        let country = &atlas.countries[index];
        let flag = state
            .flag
            .of(&ctx, index, &country.id)
            .map(|t| (t.id(), t.size_vec2()));
        let response = egui::Panel::right("country")
            .resizable(false)
            .exact_size(PANEL_WIDTH)
            .frame(egui::Frame::side_top_panel(&ctx.global_style()).inner_margin(16.0))
            .show(&mut root, |ui| {
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
                focused_story(ui, &mut state.focus, &country.id, &atlas, &mut actions);
                search_hit(ui, &mut state.hit, &country.id, &mut actions);
                ui.horizontal(|ui| {
                    ui.label(egui::RichText::new("Articles").strong());
                    stories::topic_filter(ui, "country-topic", &mut state.filters.topic);
                });
                let filters = &mut *state.filters;
                let view = ArticleView {
                    show_original: &mut filters.show_original,
                    topic: filters.topic,
                    atlas: &atlas,
                    pictures: &mut state.pictures,
                };
                article_list(ui, &news, &country.id, view, &mut actions);
                ui.allocate_space(ui.available_size());
            });
        right_width = response.response.rect.width();
    }

    // Opaque, and taken from the globe's viewport: text over a moving map is unreadable.
    let bar = egui::Panel::bottom("status")
        .frame(
            egui::Frame::side_top_panel(&ctx.global_style())
                .inner_margin(egui::Margin::symmetric(12, 6)),
        )
        .show(&mut root, |ui| status_bar(ui, &news.status, kiosk));
    let bottom_height = bar.response.rect.height();

    // A touch screen has no hover: a finger's last position would leave a stray tooltip.
    if let (Some(country), false, false) = (hovered.0, dragging.0, kiosk)
        && let Some(pointer) = ctx.pointer_hover_pos()
    {
        egui::Area::new("hover".into())
            .order(egui::Order::Tooltip)
            .fixed_pos(pointer + egui::vec2(16.0, 12.0))
            .interactable(false)
            .show(&ctx, |ui| {
                egui::Frame::popup(&ctx.global_style()).show(ui, |ui| {
                    ui.add(
                        egui::Label::new(&atlas.countries[country].name)
                            .wrap_mode(egui::TextWrapMode::Extend),
                    );
                });
            });
    }

    if let (Some(article), Some(qr)) = (actions.show_qr.take(), state.qr.as_mut()) {
        qr.0 = Some(article);
    }
    if let Some(story) = actions.focus.take() {
        state.focus.0 = Some(story);
    }
    stories::apply(actions, &mut state.writers);
    state.pictures.end_pass();
    let free = logical_rect(&ctx, root.available_rect_before_wrap());
    if state.cover.free != Some(free) {
        state.cover.free = Some(free);
    }
    state
        .ui_keyboard
        .set_if_neq(UiKeyboard(keyboard_is_the_uis(&ctx)));
    let (camera, projection) = &mut *camera;
    fit_viewport(
        (camera, projection),
        &window,
        &ctx,
        left_width,
        right_width,
        bottom_height,
    );
    Ok(())
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
            if let Some((texture, size)) = flag {
                let height = 24.0;
                let size = egui::vec2(size.x / size.y * height, height);
                ui.add(egui::Image::new((texture, size)));
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
            stories::count(story.takes.len(), "country", "countries")
        ));
        stories::previewed(
            ui,
            egui::Id::new(("focus-take", story.id, country)),
            &take.articles,
            |ui, article| {
                let (title, _) = english(article);
                stories::article_link(ui, title, false, article, actions);
                ui.weak(&article.outlet);
            },
        );
        egui::CollapsingHeader::new(format!(
            "Alternative takes from {}",
            stories::count(story.takes.len() - 1, "other country", "other countries")
        ))
        .id_salt(("focus-takes", story.id))
        .show(ui, |ui| {
            stories::takes_ui(ui, &story, Some(country), atlas, actions)
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
        stories::article_link(ui, title, false, article, actions);
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
            ui.horizontal_wrapped(|ui| stories::topic_tags(ui, &topics));
            if let Some(story) = listed.stories.get(&article.id) {
                let others = story.takes.iter().filter(|t| t.country != country).count();
                let title = if others > 0 {
                    format!(
                        "Alternative takes from {}",
                        stories::count(others, "other country", "other countries")
                    )
                } else {
                    format!(
                        "Also in {} from here",
                        stories::count(story.articles - 1, "more article", "more articles")
                    )
                };
                egui::CollapsingHeader::new(title)
                    .id_salt(("takes", article.id))
                    .show(ui, |ui| {
                        if ui.small_button("Show who covers it on the globe").clicked() {
                            actions.cover = Some(story.clone());
                        }
                        stories::takes_ui(ui, story, Some(country), view.atlas, actions);
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
    stories::article_link(ui, title, true, article, actions);
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
                    .color(egui::Color32::from_rgb(230, 180, 90)),
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
    } else if !status.fetching {
        "Nothing stored yet for this country: `newsglobe fetch` fills the store.".into()
    } else {
        "Nothing stored yet: the first fetch starts in a moment.".into()
    }
}

/// The feed and translation parts of the status joined, either of them possibly left out.
fn status_text(feeds: &str, translation: &str) -> String {
    [feeds, translation]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Who translates, from the fullest wording to none at all.
fn translation_status(status: &NewsStatus) -> Vec<String> {
    let mut wordings = match &status.translator {
        Some(by) if status.translation_failures.is_empty() => vec![format!("translation: {by}")],
        Some(by) => vec![
            format!(
                "translation: {by}, failing for {}",
                status
                    .translation_failures
                    .iter()
                    .map(|(language, _)| language_name(language))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!("translation: {by}, failing"),
        ],
        None => vec!["translation off".into()],
    };
    wordings.push(String::new());
    wordings
}

/// What the feeds are doing, from the fullest wording to the shortest; never empty.
fn feed_status(status: &NewsStatus, now: i64) -> Vec<String> {
    let nothing_stored = status.stored == Some(0);
    if status.store_error.is_some() {
        vec![
            "News store unavailable (see the panel)".into(),
            "News store unavailable".into(),
        ]
    } else if status.restarting.is_some() {
        vec![
            "News updates paused after an error; retrying shortly".into(),
            "News paused; retrying".into(),
        ]
    } else if let Some((done, total)) = status.updating {
        let what = if nothing_stored {
            "Fetching the first news"
        } else {
            "Updating feeds"
        };
        vec![
            format!("{what}: {done} of {total}"),
            format!("Updating {done}/{total}"),
        ]
    } else if status.offline && nothing_stored {
        vec![
            "Offline: no news stored yet, and no feed can be reached".into(),
            "Offline: no news stored yet".into(),
            "Offline".into(),
        ]
    } else if status.offline {
        vec!["Offline: showing stored news".into(), "Offline".into()]
    } else if let Some(at) = status.last_update {
        let ago = relative_time(now - at);
        let (failing, total) = (status.failing_feeds, status.total_feeds);
        match (failing, nothing_stored) {
            (0, false) => vec![format!("News updated {ago}"), format!("Updated {ago}")],
            (0, true) => vec![
                format!("Feeds read {ago}: no articles in them yet"),
                "No articles yet".into(),
            ],
            (n, false) => vec![
                format!("News updated {ago} · {n} of {total} feeds failing"),
                format!("Updated {ago} · {n} feeds failing"),
                format!("Updated {ago}"),
            ],
            (n, true) => vec![
                format!("No news stored yet: {n} of {total} feeds failing"),
                format!("No news yet: {n} feeds failing"),
            ],
        }
    } else if nothing_stored {
        vec!["No news stored yet".into()]
    } else {
        vec!["News not fetched yet".into()]
    }
}

/// The help beside the status, from the fullest wording to none at all.
fn help_wordings(kiosk: bool) -> Vec<String> {
    let wordings: &[&str] = if kiosk {
        &[
            "Drag to spin · pinch to zoom · tap a country to read its news",
            "Tap a country to read its news",
        ]
    } else {
        &[
            "Drag to spin · scroll or pinch to zoom · click a country · Ctrl+F finds one · \
             arrows, +/−, Home",
            "Drag to spin · scroll to zoom · Ctrl+F finds a country",
            "Ctrl+F finds a country",
        ]
    };
    wordings
        .iter()
        .map(|&w| w.to_owned())
        .chain([String::new()])
        .collect()
}

/// Which wording of each part to show so that they fit: `counts[i]` is how many wordings
/// part `i` has, fullest first; `fits` says whether a choice fits. Parts come most important
/// first: the last is shortened, down to its shortest, before the one before it is touched,
/// so the status keeps its words while the help gives way. If even the shortest do not fit,
/// the shortest are returned.
fn fit_wordings(counts: &[usize], fits: impl Fn(&[usize]) -> bool) -> Vec<usize> {
    let mut chosen = vec![0; counts.len()];
    while !fits(&chosen) {
        let Some(part) = (0..counts.len()).rev().find(|&i| chosen[i] + 1 < counts[i]) else {
            break;
        };
        chosen[part] += 1;
    }
    chosen
}

/// The bottom bar: the help on the left, the news status on the right, each worded to fit
/// the bar's width rather than cut off mid-word.
fn status_bar(ui: &mut egui::Ui, status: &NewsStatus, kiosk: bool) {
    let feeds = feed_status(status, crate::news::now());
    let translation = translation_status(status);
    let help = help_wordings(kiosk);
    let gap = 24.0;
    let width = |text: &str| {
        egui::WidgetText::from(egui::RichText::new(text).weak())
            .into_galley(
                ui,
                Some(egui::TextWrapMode::Extend),
                f32::INFINITY,
                egui::TextStyle::Body,
            )
            .size()
            .x
    };
    let available = ui.available_width();
    let chosen = fit_wordings(&[feeds.len(), translation.len(), help.len()], |c| {
        let help = &help[c[2]];
        let help_width = if help.is_empty() {
            0.0
        } else {
            width(help) + gap
        };
        help_width + width(&status_text(&feeds[c[0]], &translation[c[1]])) <= available
    });
    let status = status_text(&feeds[chosen[0]], &translation[chosen[1]]);
    let help = &help[chosen[2]];
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        // Past the shortest wordings, a window too narrow for even those still elides the
        // text rather than letting it run under the panels.
        ui.add(egui::Label::new(egui::RichText::new(status).weak()).truncate());
        if !help.is_empty() {
            ui.add_space(gap - ui.spacing().item_spacing.x);
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                ui.add(egui::Label::new(egui::RichText::new(help).weak()).truncate());
            });
        }
    });
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

/// Whether keys belong to the UI: while a text field has them, or a modal dialog (the QR view,
/// the "couldn't open a browser" notice) is up, whose Esc closes the dialog and nothing under
/// it. An open popup (the topic filter's list) or a focused button does not count: egui
/// closes or unfocuses those on Esc by itself, in the same pass as the panel closes, so one
/// press does both.
pub fn keyboard_is_the_uis(ctx: &egui::Context) -> bool {
    ctx.text_edit_focused() || ctx.memory(|m| m.top_modal_layer().is_some())
}

/// An egui rectangle in the window's logical pixels: egui's points are those scaled by its
/// zoom (the kiosk's text scale).
pub(super) fn logical_rect(ctx: &egui::Context, rect: egui::Rect) -> Rect {
    let zoom = ctx.zoom_factor();
    Rect::new(
        rect.min.x * zoom,
        rect.min.y * zoom,
        rect.max.x * zoom,
        rect.max.y * zoom,
    )
}

/// Shrinks the globe camera to the part of the window between the panels and above the
/// status bar, whose sizes are in egui points (physical pixels over `pixels_per_point`, the
/// kiosk's zoom included).
fn fit_viewport(
    (camera, projection): (&mut Camera, &mut Projection),
    window: &Window,
    ctx: &egui::Context,
    left_width: f32,
    right_width: f32,
    bottom_height: f32,
) {
    let viewport = (left_width > 0.0 || right_width > 0.0 || bottom_height > 0.0).then(|| {
        let (width, height) = (window.physical_width(), window.physical_height());
        let physical = |points: f32| (points * ctx.pixels_per_point()) as u32;
        let left = physical(left_width).min(width.saturating_sub(1));
        let right = physical(right_width);
        let bottom = physical(bottom_height);
        Viewport {
            physical_position: UVec2::new(left, 0),
            physical_size: UVec2::new(
                width.saturating_sub(left + right).max(1),
                height.saturating_sub(bottom).max(1),
            ),
            ..default()
        }
    });
    let same = match (&camera.viewport, &viewport) {
        (Some(a), Some(b)) => {
            a.physical_size == b.physical_size && a.physical_position == b.physical_position
        }
        (a, b) => a.is_none() && b.is_none(),
    };
    if !same {
        // The projection follows in this same frame: the renderer's camera system would bring
        // it up to date only in the next one, and the frame between drew the globe squashed
        // to the old shape (issue 12).
        let (width, height) = match &viewport {
            Some(v) => (v.physical_size.x, v.physical_size.y),
            None => (window.physical_width(), window.physical_height()),
        };
        projection.update(width.max(1) as f32, height.max(1) as f32);
        camera.computed.clip_from_view = projection.get_clip_from_view();
        camera.viewport = viewport;
    }
}

#[cfg(test)]
mod side_panels_tests {
    use super::*;

    #[test]
    fn both_only_where_the_globe_keeps_half_the_window() {
        let (world, country) = (stories::WORLD_WIDTH, PANEL_WIDTH);
        // A 1280-pixel kiosk at the 1.5 text scale is 853 points wide.
        assert_eq!(side_panels(853.0, world, country, true), (false, true));
        assert_eq!(side_panels(853.0, world, country, false), (true, false));
        // A 2560-pixel one has room for both.
        assert_eq!(side_panels(1707.0, world, country, true), (true, true));
    }
}

#[cfg(test)]
mod keyboard_is_the_uis_tests {
    use super::*;

    /// One egui pass over `events` that draws a topic filter and a text field, and returns
    /// their rectangles.
    fn pass(ctx: &egui::Context, events: Vec<egui::Event>, text: &mut String) -> [egui::Rect; 2] {
        let input = crate::app::egui_input(800.0, 600.0, events);
        let mut rects = [egui::Rect::NOTHING; 2];
        ctx.run_ui(input, |ui| {
            rects[0] = ui.text_edit_singleline(text).rect;
            let mut topic = None;
            rects[1] = stories::topic_filter(ui, "topic", &mut topic).rect;
        })
        .drop_without_applying_deltas();
        rects
    }

    fn click(ctx: &egui::Context, at: egui::Pos2, text: &mut String) {
        let button = |pressed| egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        };
        for events in [
            vec![egui::Event::PointerMoved(at)],
            vec![button(true)],
            vec![button(false)],
            vec![],
        ] {
            pass(ctx, events, text);
        }
    }

    #[test]
    fn an_open_topic_filter_leaves_the_keys_to_the_app_and_a_text_field_keeps_them() {
        let ctx = egui::Context::default();
        let mut text = String::new();
        let [field, filter] = pass(&ctx, vec![], &mut text);
        click(&ctx, filter.center(), &mut text);
        assert!(
            ctx.any_popup_open(),
            "the filter's list is open: bevy_egui's EguiWantsInput gives egui the keys"
        );
        assert!(!keyboard_is_the_uis(&ctx), "Esc still closes the panel");

        click(&ctx, field.center(), &mut text);
        assert!(
            keyboard_is_the_uis(&ctx),
            "a text field with the cursor keeps the keys"
        );
    }

    #[test]
    fn a_modal_dialog_keeps_the_keys_so_its_esc_closes_only_it() {
        let ctx = egui::Context::default();
        let run = |modal: bool| {
            let input = egui::RawInput {
                screen_rect: Some(egui::Rect::from_min_size(
                    egui::Pos2::ZERO,
                    egui::vec2(800.0, 600.0),
                )),
                ..Default::default()
            };
            ctx.run_ui(input, |ui| {
                if modal {
                    egui::Modal::new(egui::Id::new("notice")).show(ui.ctx(), |ui| {
                        ui.label("Couldn't open a browser");
                    });
                }
            })
            .drop_without_applying_deltas();
        };
        run(false);
        assert!(!keyboard_is_the_uis(&ctx));
        run(true);
        run(true);
        assert!(keyboard_is_the_uis(&ctx), "the dialog is up");
        run(false);
        run(false);
        assert!(!keyboard_is_the_uis(&ctx), "the dialog is gone");
    }
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
mod status_line_tests {
    use super::*;

    /// The status in its fullest wording.
    fn status_line(status: &NewsStatus, now: i64) -> String {
        status_text(&feed_status(status, now)[0], &translation_status(status)[0])
    }

    #[test]
    fn says_what_the_news_is_doing() {
        let mut status = NewsStatus {
            total_feeds: 224,
            ..Default::default()
        };
        assert_eq!(
            status_line(&status, 0),
            "News not fetched yet · translation off"
        );
        status.updating = Some((34, 224));
        status.translator = Some("Apertium".into());
        assert_eq!(
            status_line(&status, 0),
            "Updating feeds: 34 of 224 · translation: Apertium"
        );
        status.updating = None;
        status.last_update = Some(1000);
        status.failing_feeds = 12;
        assert_eq!(
            status_line(&status, 1600),
            "News updated 10 min ago · 12 of 224 feeds failing · translation: Apertium"
        );
        status.offline = true;
        status.translation_failures = vec![("ja".into(), "unsupported".into())];
        assert_eq!(
            status_line(&status, 1600),
            "Offline: showing stored news · translation: Apertium, failing for Japanese"
        );
        status.restarting = Some("feed parser bug".into());
        assert_eq!(
            status_line(&status, 1600),
            "News updates paused after an error; retrying shortly · translation: Apertium, \
             failing for Japanese"
        );
    }

    #[test]
    fn an_empty_store_is_never_called_stored_news() {
        let mut status = NewsStatus {
            total_feeds: 8,
            fetching: true,
            stored: Some(0),
            ..Default::default()
        };
        assert_eq!(feed_status(&status, 0)[0], "No news stored yet");
        status.updating = Some((3, 8));
        assert_eq!(
            feed_status(&status, 0)[0],
            "Fetching the first news: 3 of 8"
        );
        status.updating = None;
        status.last_update = Some(0);
        status.failing_feeds = 8;
        status.offline = true;
        assert_eq!(
            feed_status(&status, 60)[0],
            "Offline: no news stored yet, and no feed can be reached"
        );
        status.offline = false;
        status.failing_feeds = 5;
        assert_eq!(
            feed_status(&status, 60)[0],
            "No news stored yet: 5 of 8 feeds failing"
        );
        status.failing_feeds = 0;
        assert_eq!(
            feed_status(&status, 60)[0],
            "Feeds read 1 min ago: no articles in them yet"
        );
        status.stored = Some(12);
        status.offline = true;
        assert_eq!(feed_status(&status, 60)[0], "Offline: showing stored news");
    }

    #[test]
    fn every_part_words_itself_shorter_and_only_the_extras_go() {
        let status = NewsStatus {
            total_feeds: 224,
            last_update: Some(0),
            failing_feeds: 12,
            stored: Some(500),
            translator: Some("Apertium".into()),
            translation_failures: vec![("ja".into(), "unsupported".into())],
            ..Default::default()
        };
        let feeds = feed_status(&status, 600);
        assert_eq!(
            feeds,
            [
                "News updated 10 min ago · 12 of 224 feeds failing",
                "Updated 10 min ago · 12 feeds failing",
                "Updated 10 min ago"
            ]
        );
        let translation = translation_status(&status);
        assert_eq!(translation.last().map(String::as_str), Some(""));
        for wordings in [
            feeds,
            translation,
            help_wordings(false),
            help_wordings(true),
        ] {
            let lengths: Vec<usize> = wordings.iter().map(|w| w.chars().count()).collect();
            assert!(lengths.is_sorted_by(|a, b| a > b), "{wordings:?}");
        }
        assert_eq!(status_text("Offline", ""), "Offline");
    }
}

#[cfg(test)]
mod fit_wordings_tests {
    use super::*;

    /// Fits the parts' wordings into `width` characters, a space between parts.
    fn fit<'a>(parts: &'a [&[&'a str]], width: usize) -> Vec<&'a str> {
        let counts: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        let chosen = fit_wordings(&counts, |c| {
            let words: Vec<&str> = (0..parts.len()).map(|i| parts[i][c[i]]).collect();
            words.iter().map(|w| w.len()).sum::<usize>() + words.len() - 1 <= width
        });
        (0..parts.len()).map(|i| parts[i][chosen[i]]).collect()
    }

    const PARTS: [&[&str]; 3] = [
        &["News updated 5 min ago", "Updated 5 min ago"],
        &["translation off", ""],
        &["Drag to spin · Ctrl+F finds one", "Ctrl+F finds one", ""],
    ];

    #[test]
    fn the_least_important_part_gives_way_first() {
        assert_eq!(fit(&PARTS, 200), [PARTS[0][0], PARTS[1][0], PARTS[2][0]]);
        assert_eq!(
            fit(&PARTS, 60),
            [PARTS[0][0], PARTS[1][0], "Ctrl+F finds one"]
        );
        assert_eq!(fit(&PARTS, 40), [PARTS[0][0], "translation off", ""]);
        assert_eq!(fit(&PARTS, 24), ["News updated 5 min ago", "", ""]);
        assert_eq!(fit(&PARTS, 20), ["Updated 5 min ago", "", ""]);
    }

    #[test]
    fn too_narrow_for_anything_gives_the_shortest() {
        assert_eq!(fit(&PARTS, 3), ["Updated 5 min ago", "", ""]);
    }
}

#[cfg(test)]
mod header_tests {
    use super::*;

    /// Lays out the panel's header for `name` at the panel's width, after the app's style has
    /// taken effect; returns the header's parts and the width the panel gives its content.
    fn laid_out(name: &str, scale: Option<f32>) -> (egui::Rect, egui::Rect, egui::Rect) {
        let ctx = egui::Context::default();
        style(&ctx, scale);
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
