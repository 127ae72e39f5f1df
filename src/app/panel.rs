//! The egui layer: the side panel for the selected country, the hover tooltip, the help line,
//! and the 3D viewport shrunk to the space beside the panel.
//!
//! egui owns its input: pointer gestures ignore presses that start over it (see `pointer`),
//! and the globe camera's viewport excludes the panel so the globe is centred in what is left
//! rather than hidden under it.

use bevy::camera::visibility::RenderLayers;
use bevy::camera::{CameraOutputMode, Viewport};
use bevy::input::keyboard::KeyCode;
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;
use bevy_egui::{
    EguiContexts, EguiGlobalSettings, EguiPrimaryContextPass, PrimaryEguiContext, egui,
};

use super::camera::GlobeCamera;
use super::globe::Atlas;
use super::picking::{Hovered, SelectCountry, Selection};
use super::pointer::Dragging;
use super::{AppSystems, assets_dir};

/// Logical width of the country panel.
const PANEL_WIDTH: f32 = 340.0;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, spawn_ui_camera)
        .add_systems(EguiPrimaryContextPass, (style_once, country_ui).chain())
        .add_systems(Update, escape_deselects.in_set(AppSystems::Pick));
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

fn style_once(mut contexts: EguiContexts, mut done: Local<bool>) -> Result {
    if *done {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    ctx.set_theme(egui::Theme::Dark);
    ctx.all_styles_mut(|style| {
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
fn load_flag(id: &str) -> Option<egui::ColorImage> {
    let path = assets_dir().join("flags").join(format!("{id}.png"));
    let image = image::open(&path).ok()?.to_rgba8();
    let size = [image.width() as usize, image.height() as usize];
    Some(egui::ColorImage::from_rgba_unmultiplied(
        size,
        image.as_raw(),
    ))
}

#[allow(clippy::too_many_arguments)] // The panel shows several resources at once.
fn country_ui(
    mut contexts: EguiContexts,
    mut flag: Local<Flag>,
    atlas: Res<Atlas>,
    selection: Res<Selection>,
    hovered: Res<Hovered>,
    dragging: Res<Dragging>,
    mut select: MessageWriter<SelectCountry>,
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

    let mut panel_width = 0.0;
    if let Some(index) = selection.0 {
        let country = &atlas.countries[index];
        let flag = flag
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
                            select.write(SelectCountry(None));
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
                ui.label(egui::RichText::new("Articles").strong());
                ui.label(
                    "No news yet: this build draws the globe only. Articles from this \
                     country's own outlets, in English, are the next feature to land.",
                );
                ui.allocate_space(ui.available_size());
            });
        panel_width = response.response.rect.width();
    }

    egui::Panel::bottom("help")
        .frame(
            egui::Frame::NONE
                .fill(egui::Color32::from_black_alpha(150))
                .inner_margin(egui::Margin::symmetric(12, 6)),
        )
        .show(&mut root, |ui| {
            ui.weak("Drag to spin · scroll or pinch to zoom · click a country · arrows, +/−, Home");
        });

    if let (Some(country), false) = (hovered.0, dragging.0)
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

    fit_viewport(&mut camera, &window, panel_width);
    Ok(())
}

/// Shrinks the globe camera to the part of the window left of the panel.
fn fit_viewport(camera: &mut Camera, window: &Window, panel_width: f32) {
    let viewport = (panel_width > 0.0).then(|| {
        let panel = (panel_width * window.scale_factor()) as u32;
        let size = UVec2::new(
            window.physical_width().saturating_sub(panel).max(1),
            window.physical_height().max(1),
        );
        Viewport {
            physical_position: UVec2::ZERO,
            physical_size: size,
            ..default()
        }
    });
    let same = match (&camera.viewport, &viewport) {
        (Some(a), Some(b)) => a.physical_size == b.physical_size,
        (a, b) => a.is_none() && b.is_none(),
    };
    if !same {
        camera.viewport = viewport;
    }
}

fn escape_deselects(
    keys: Res<ButtonInput<KeyCode>>,
    egui: Option<Res<EguiWantsInput>>,
    selection: Res<Selection>,
    mut select: MessageWriter<SelectCountry>,
) {
    let typing = egui.is_some_and(|e| e.wants_any_keyboard_input());
    if keys.just_pressed(KeyCode::Escape) && !typing && selection.0.is_some() {
        select.write(SelectCountry(None));
    }
}
