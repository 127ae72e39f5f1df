//! The egui layer: the side panel for the selected country, the world panel and the country
//! finder (drawn from `stories`), the hover tooltip, the help line, and the 3D viewport
//! shrunk to the space between the panels.
//!
//! egui owns its input: pointer gestures ignore presses that start over it (see `pointer`),
//! and the globe camera's viewport excludes the panels so the globe is centred in what is
//! left rather than hidden under them. All panels are laid out in one pass over one root, as
//! egui requires.

use bevy::camera::visibility::RenderLayers;
use bevy::camera::{CameraOutputMode, Viewport};
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy::window::PrimaryWindow;
use bevy_egui::{
    EguiContexts, EguiGlobalSettings, EguiPrimaryContextPass, PrimaryEguiContext, egui,
};

use super::assets_dir;
use super::camera::GlobeCamera;
use super::globe::Atlas;
use super::keys::UiKeyboard;
use super::kiosk::{KioskSettings, QrView};
use super::news::{CountryNews, News, NewsStatus};
use super::picking::{Hovered, Selection};
use super::pointer::{Dragging, UiCover};
use super::stories::{
    self, ArticleFilters, Finder, SearchHit, StoryFocus, UiActions, UiWriters, WorldPanel,
};
use crate::news::Article;
use crate::news::topics::Topic;
use crate::news::world::english;

/// Logical width of the country panel.
const PANEL_WIDTH: f32 = 340.0;
/// The smallest touch target in kiosk mode, in physical pixels.
pub const TOUCH_TARGET_PX: f32 = 48.0;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<UiKeyboard>()
        .add_systems(Startup, spawn_ui_camera)
        .add_systems(EguiPrimaryContextPass, (style_once, country_ui).chain());
}

/// egui draws through a camera of its own over the whole window, so that shrinking the globe
/// camera's viewport does not shrink the UI with it.
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
    let ctx = contexts.ctx_mut()?;
    ctx.set_theme(egui::Theme::Dark);
    let scale = kiosk.as_ref().map(|k| k.text_scale);
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
    *done = true;
    Ok(())
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
    let path = assets_dir().join("flags").join(format!("{id}.png"));
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
    mut camera: Single<&mut Camera, With<GlobeCamera>>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = egui::Ui::new(
        ctx.clone(),
        "root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
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
    if kiosk {
        let side = &mut *state.side;
        if selection.0.is_some() && selection.0 != side.country {
            side.country_last = true;
        }
        if state.world.open && !side.world {
            side.country_last = false;
        }
        if state.world.open && selection.0.is_some() {
            let window = ctx.content_rect().width();
            let (world, country) =
                side_panels(window, stories::WORLD_WIDTH, PANEL_WIDTH, side.country_last);
            state.world.open = world;
            if !country {
                actions.select = Some(None);
                shown = None;
            }
        }
        (side.world, side.country) = (state.world.open, shown);
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
    if let Some(index) = shown {
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
                ui.horizontal(|ui| {
                    if let Some((texture, size)) = flag {
                        let height = 24.0;
                        let size = egui::vec2(size.x / size.y * height, height);
                        ui.add(egui::Image::new((texture, size)));
                    }
                    ui.heading(&country.name);
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if ui.button("✖").on_hover_text("Close (Esc)").clicked() {
                            actions.select = Some(None);
                        }
                    });
                });
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
                };
                article_list(ui, &news, &country.id, view, &mut actions);
                ui.allocate_space(ui.available_size());
            });
        right_width = response.response.rect.width();
    }

    egui::Panel::bottom("help")
        .frame(
            egui::Frame::NONE
                .fill(egui::Color32::from_black_alpha(150))
                .inner_margin(egui::Margin::symmetric(12, 6)),
        )
        .show(&mut root, |ui| {
            // The status first, from the right; the help fills what is left, cut short when
            // the panels leave too little room for both.
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.weak(status_line(&news.status, crate::news::now()));
                ui.add_space(16.0);
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    let help = if kiosk {
                        "Drag to spin · pinch to zoom · tap a country to read its news"
                    } else {
                        "Drag to spin · scroll or pinch to zoom · click a country · Ctrl+F \
                         finds one · arrows, +/−, Home"
                    };
                    ui.add(egui::Label::new(egui::RichText::new(help).weak()).truncate());
                });
            });
        });

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
    if kiosk {
        // Defence in depth: whatever a widget asks, a kiosk never opens a browser.
        ctx.output_mut(|o| {
            o.commands
                .retain(|c| !matches!(c, egui::OutputCommand::OpenUrl(_)))
        });
    }
    if let Some(story) = actions.focus.take() {
        state.focus.0 = Some(story);
    }
    stories::apply(actions, &mut state.writers);
    let free = logical_rect(&ctx, root.available_rect_before_wrap());
    if state.cover.free != Some(free) {
        state.cover.free = Some(free);
    }
    state
        .ui_keyboard
        .set_if_neq(UiKeyboard(keyboard_is_the_uis(&ctx)));
    fit_viewport(&mut camera, &window, &ctx, left_width, right_width);
    Ok(())
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
                stories::article_link(ui, title.into(), article, actions);
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
        stories::article_link(ui, title.into(), article, actions);
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
}

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
        for index in shown {
            let article = &listed.articles[index];
            article_entry(ui, article, *view.show_original, now, actions);
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
    stories::article_link(ui, egui::RichText::new(title).strong(), article, actions);
    ui.weak(format!(
        "{} · {}",
        article.outlet,
        relative_time(now - article.published)
    ));
    let language = language_name(&article.language);
    match &article.translated_by {
        Some(by) if !show_original => {
            ui.label(
                egui::RichText::new(format!("{language}: {}", article.title))
                    .small()
                    .weak(),
            );
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
        ui.label(snippet(summary, SNIPPET_CHARS));
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

/// The English name of a catalog language, or its code for any other.
fn language_name(code: &str) -> &str {
    match code {
        "am" => "Amharic",
        "ar" => "Arabic",
        "bn" => "Bengali",
        "de" => "German",
        "el" => "Greek",
        "en" => "English",
        "es" => "Spanish",
        "et" => "Estonian",
        "fa" => "Persian",
        "fi" => "Finnish",
        "fr" => "French",
        "he" => "Hebrew",
        "hi" => "Hindi",
        "hu" => "Hungarian",
        "id" => "Indonesian",
        "it" => "Italian",
        "ja" => "Japanese",
        "ka" => "Georgian",
        "kk" => "Kazakh",
        "km" => "Khmer",
        "ko" => "Korean",
        "nl" => "Dutch",
        "no" => "Norwegian",
        "pl" => "Polish",
        "pt" => "Portuguese",
        "ro" => "Romanian",
        "ru" => "Russian",
        "rw" => "Kinyarwanda",
        "sr" => "Serbian",
        "sv" => "Swedish",
        "sw" => "Swahili",
        "th" => "Thai",
        "tl" => "Tagalog",
        "tr" => "Turkish",
        "uk" => "Ukrainian",
        "ur" => "Urdu",
        "vi" => "Vietnamese",
        "zh" => "Chinese",
        other => other,
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

/// The news status for the bottom bar.
pub fn status_line(status: &NewsStatus, now: i64) -> String {
    let translation = match &status.translator {
        Some(by) if status.translation_failures.is_empty() => format!("translation: {by}"),
        Some(by) => format!(
            "translation: {by}, failing for {}",
            status
                .translation_failures
                .iter()
                .map(|(language, _)| language_name(language))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "translation off".into(),
    };
    format!("{} · {translation}", feed_status(status, now))
}

fn feed_status(status: &NewsStatus, now: i64) -> String {
    if status.store_error.is_some() {
        "News store unavailable (see the panel)".into()
    } else if status.restarting.is_some() {
        "News updates paused after an error; retrying shortly".into()
    } else if let Some((done, total)) = status.updating {
        format!("Updating feeds: {done} of {total}")
    } else if status.offline {
        "Offline: showing stored news".into()
    } else if let Some(at) = status.last_update {
        let failing = match status.failing_feeds {
            0 => String::new(),
            n => format!(" · {n} of {} feeds failing", status.total_feeds),
        };
        format!("News updated {}{failing}", relative_time(now - at))
    } else {
        "News not fetched yet".into()
    }
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

/// Whether keys belong to the UI: only while a text field has them. An open popup (the topic
/// filter's list) or a focused button does not count: egui closes or unfocuses those on Esc
/// by itself, in the same pass as the panel closes, so one press does both.
pub fn keyboard_is_the_uis(ctx: &egui::Context) -> bool {
    ctx.text_edit_focused()
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

/// Shrinks the globe camera to the part of the window between the panels, whose widths are
/// in egui points (physical pixels over `pixels_per_point`, the kiosk's zoom included).
fn fit_viewport(
    camera: &mut Camera,
    window: &Window,
    ctx: &egui::Context,
    left_width: f32,
    right_width: f32,
) {
    let viewport = (left_width > 0.0 || right_width > 0.0).then(|| {
        let width = window.physical_width();
        let to_physical = |points: f32| (points * ctx.pixels_per_point()) as u32;
        let left = to_physical(left_width).min(width.saturating_sub(1));
        let right = to_physical(right_width);
        Viewport {
            physical_position: UVec2::new(left, 0),
            physical_size: UVec2::new(
                width.saturating_sub(left + right).max(1),
                window.physical_height().max(1),
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
        // Whichever is shown alone leaves the globe at least half of the small screen.
        assert!(853.0 - world.max(country) >= 853.0 / 2.0);
    }
}

#[cfg(test)]
mod keyboard_is_the_uis_tests {
    use super::*;

    /// One egui pass over `events` that draws a topic filter and a text field, and returns
    /// their rectangles.
    fn pass(ctx: &egui::Context, events: Vec<egui::Event>, text: &mut String) -> [egui::Rect; 2] {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(800.0, 600.0),
            )),
            events,
            ..Default::default()
        };
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
        assert_eq!(language_name("es"), "Spanish");
        assert_eq!(language_name("xx"), "xx");
    }
}
