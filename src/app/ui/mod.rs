//! The egui layer: one pass lays out every panel over one root, as egui requires (the
//! country finder, the world panel, the country panel or the article view, the status bar
//! and the hover tooltip), and the 3D viewport shrinks to the space between the panels and
//! above the bar.
//!
//! egui owns its input: each pass records the part of the window the panels leave to the
//! globe ([`UiCover`]), and pointer gestures that start outside it are the panels' (see
//! `pointer`); keys are the UI's only while a text field or a dialog has them
//! ([`UiKeyboard`]). The status bar is opaque and words itself to fit; a kiosk too narrow for
//! both side panels shows the one opened last.
//!
//! One file per panel (`finder`, `world_panel`, `country_panel`, `article`, `status_bar`, and
//! `kiosk` for the attract card and the QR view); what they share is in `state` (the UI's
//! resources and their one reset), `widgets` and `palette`, and a panel imports only those,
//! never another panel. `bidi`, `fonts`, `links` and `qr` lay out right-to-left text, load the
//! fonts, open links and draw QR codes.

mod article;
mod bidi;
mod compare;
mod country_panel;
mod finder;
mod fonts;
mod kiosk;
mod links;
mod palette;
mod qr;
mod state;
mod status_bar;
mod timeline;
mod widgets;
mod world_panel;

use bevy::camera::visibility::RenderLayers;
use bevy::camera::{CameraOutputMode, Viewport};
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy::window::PrimaryWindow;
use bevy_egui::{
    EguiContexts, EguiGlobalSettings, EguiPrimaryContextPass, PrimaryEguiContext, egui,
};

pub use kiosk::plugin as kiosk_plugin;
pub use state::{
    ArticleFilters, Finder, OpenSearchHit, PLAY_SECONDS, QrView, SearchHit, ShowCoverage,
    SideBySide, StoryFocus, Timeline, TimelineControl, UiState, WorldPanel, WorldTab,
    plugin as state_plugin,
};

use super::AppMode;
use super::atlas::Atlas;
use super::camera::GlobeCamera;
use super::keys::UiKeyboard;
use super::news::News;
use super::pictures::Pictures;
use super::pointer::{Dragging, UiCover};
use super::selection::{Hovered, Selection};
use country_panel::PANEL_WIDTH;
use state::{UiActions, UiWriters};
use widgets::Flag;
use world_panel::WORLD_WIDTH;

/// The order of the egui pass's systems, chained once here.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum UiSystems {
    /// The style, and in kiosk mode forgetting the last visitor: before anything is laid out.
    Prepare,
    /// The panels, in one root.
    Panels,
    /// What shows over the panels: the kiosk's attract card and QR view.
    Overlays,
    /// Opening the links the widgets asked for, after every widget that shows one, and the
    /// notice when none opens.
    Links,
}

/// The smallest touch target in kiosk mode, in physical pixels.
pub const TOUCH_TARGET_PX: f32 = 48.0;

/// The panels, their fonts and their links. The UI's state is [`state_plugin`]'s, which
/// headless apps without panels use too.
pub(super) fn plugin(app: &mut App) {
    app.add_plugins((fonts::plugin, links::plugin, ui_camera))
        .init_resource::<UiKeyboard>()
        .init_resource::<TextZoom>()
        .configure_sets(
            EguiPrimaryContextPass,
            (
                UiSystems::Prepare,
                UiSystems::Panels,
                UiSystems::Overlays,
                UiSystems::Links,
            )
                .chain(),
        )
        .add_systems(
            EguiPrimaryContextPass,
            (
                style_once.in_set(UiSystems::Prepare),
                panels.in_set(UiSystems::Panels),
                (links::open_links, links::unopened_notice)
                    .chain()
                    .in_set(UiSystems::Links),
            ),
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

/// How much larger than the desktop's the kiosk draws its text (`[kiosk] text_scale`).
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct TextZoom(pub f32);

impl Default for TextZoom {
    fn default() -> Self {
        Self(1.0)
    }
}

fn style_once(
    mut contexts: EguiContexts,
    mode: Res<State<AppMode>>,
    zoom: Res<TextZoom>,
    mut done: Local<bool>,
) -> Result {
    if *done {
        return Ok(());
    }
    let kiosk = *mode.get() == AppMode::Kiosk;
    style(contexts.ctx_mut()?, kiosk.then_some(zoom.0));
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
            // A touch screen has no hover: where a finger last lifted, egui would show the
            // tooltip of whatever is there, beside the QR code a tap just opened.
            style.interaction.tooltip_delay = f32::INFINITY;
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
    ui: UiState<'w>,
    timeline: Res<'w, Timeline>,
    writers: UiWriters<'w>,
    cover: ResMut<'w, UiCover>,
    ui_keyboard: ResMut<'w, UiKeyboard>,
    pictures: ResMut<'w, Pictures>,
    mode: Res<'w, State<AppMode>>,
}

/// The one egui pass: every panel in one root; then what the panels asked for is sent on,
/// the part of the window they leave to the globe recorded, and the globe's viewport fitted
/// to it.
#[allow(clippy::too_many_arguments)] // The panels show several resources at once.
fn panels(
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
    let mut values = state.ui.values();
    let ui = &mut values;
    let kiosk = *state.mode.get() == AppMode::Kiosk;
    let mut actions = UiActions { kiosk, ..default() };

    finder::finder_ui(
        &ctx,
        &mut ui.finder,
        &mut ui.world,
        &mut ui.focus,
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
        if ui.world.open && !side.world {
            side.country_last = false;
        }
        if ui.world.open && (selection.0.is_some() || reading.is_some()) {
            let (world, right) =
                side_panels(window_width, WORLD_WIDTH, right_wanted, side.country_last);
            ui.world.open = world;
            if !right {
                actions.select = Some(None);
                actions.close_article = reading.is_some();
                shown = None;
                reading = None;
            }
        }
        (side.world, side.country, side.reading) = (ui.world.open, shown, reading.is_some());
    }
    let timeline = &*state.timeline;
    let left_width = world_panel::world_panel(
        &mut root,
        &mut ui.world,
        &mut ui.focus,
        timeline,
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
        right_width = article::article_panel(
            &mut root,
            page,
            flag,
            ui,
            &mut state.pictures,
            &atlas,
            timeline,
            &mut actions,
        );
    } else if let Some(index) = shown {
        let country = &atlas.countries[index];
        let flag = state
            .flag
            .of(&ctx, index, &country.id)
            .map(|t| (t.id(), t.size_vec2()));
        right_width = country_panel::country_panel(
            &mut root,
            country,
            flag,
            ui,
            timeline,
            &mut state.pictures,
            &news,
            &atlas,
            &mut actions,
        );
    }
    let bottom_height = status_bar::status_bar(&mut root, &news.status, kiosk)
        + timeline::timeline_bar(
            &mut root,
            &ui.focus,
            timeline,
            &mut ui.compare,
            &atlas,
            &mut actions,
        );
    compare::side_by_side(
        &ctx,
        &mut ui.compare,
        &ui.focus,
        timeline,
        &atlas,
        &mut actions,
    );

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

    if let Some(article) = actions.show_qr.take() {
        ui.qr.0 = Some(article);
    }
    if let Some(story) = actions.focus.take() {
        ui.focus.0 = Some(story);
    }
    state.ui.store(values);
    state::apply(actions, &mut state.writers);
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

/// One egui pass's input in tests: a `width` × `height` screen and `events`.
#[cfg(test)]
pub(crate) fn egui_input(width: f32, height: f32, events: Vec<egui::Event>) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(width, height),
        )),
        events,
        ..Default::default()
    }
}

/// An article in English from `country`'s outlet, for tests.
#[cfg(test)]
pub(crate) fn test_article(id: i64, country: &str, published: i64) -> crate::news::Article {
    crate::news::Article {
        id,
        feed_url: String::new(),
        outlet: format!("{country} outlet"),
        country: country.into(),
        language: "en".into(),
        title: format!("Article {id}"),
        summary: String::new(),
        title_en: None,
        summary_en: None,
        translated_by: None,
        link: format!("https://example.org/{id}"),
        image: None,
        published,
        first_seen: published,
    }
}

#[cfg(test)]
mod side_panels_tests {
    use super::*;

    #[test]
    fn both_only_where_the_globe_keeps_half_the_window() {
        let (world, country) = (WORLD_WIDTH, PANEL_WIDTH);
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
        let input = egui_input(800.0, 600.0, events);
        let mut rects = [egui::Rect::NOTHING; 2];
        ctx.run_ui(input, |ui| {
            rects[0] = ui.text_edit_singleline(text).rect;
            let mut topic = None;
            rects[1] = widgets::topic_filter(ui, "topic", &mut topic).rect;
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
mod tooltip_tests {
    use super::*;

    /// Whether a button's hover text shows once the pointer has rested on it for seconds, in
    /// the app's style with `scale` (kiosk) or without.
    fn tooltip_shows(scale: Option<f32>) -> bool {
        let ctx = egui::Context::default();
        style(&ctx, scale);
        let mut button = egui::Rect::NOTHING;
        let mut shown = false;
        for step in 0..6 {
            let events = match step {
                1 => vec![egui::Event::PointerMoved(button.center())],
                _ => Vec::new(),
            };
            let mut input = egui_input(600.0, 400.0, events);
            input.time = Some(f64::from(step));
            ctx.run_ui(input, |ui| {
                let response = ui
                    .button("Harbour strike")
                    .on_hover_text("Read the article");
                button = response.rect;
                shown |= response.is_tooltip_open();
            })
            .drop_without_applying_deltas();
        }
        shown
    }

    #[test]
    fn a_kiosk_shows_no_hover_text_where_a_desktop_does() {
        assert!(tooltip_shows(None), "the desktop's tooltip");
        assert!(!tooltip_shows(Some(1.5)), "a finger's last position");
    }
}
