//! The Bevy app: one plugin per feature, composed here, with one system order for all.
//!
//! Data flows one way. Pointer input becomes gesture messages (`pointer`); the camera turns
//! drags and pinches into the globe's orientation and zoom (`camera`); taps and the hovering
//! cursor become a ray, a latitude/longitude and a country (`picking`); the selection and the
//! hover recolour the globe (`globe`) and fill the panels; the news thread (`news`) feeds the
//! panels, and the story or the search the reader picks there lights the globe up. `ui` is
//! the egui layer's one home: the pass that lays out every panel and fits the globe's
//! viewport beside them, a file per panel, the UI's state with its one reset, the shared
//! widgets and the palette. `kiosk` runs the unattended touch-screen mode; `capture` drives
//! the headless screenshot and render-benchmark modes.

mod atlas;
mod bench_idle;
mod camera;
mod capture;
mod globe;
mod idle;
mod keys;
mod kiosk;
mod memory;
mod news;
mod picking;
mod pictures;
mod pointer;
mod quality;
mod rest;
mod selection;
mod ui;

use std::path::PathBuf;

use crate::config::Quality;
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::state::app::StatesPlugin;
use bevy::window::{CursorOptions, ExitCondition, MonitorSelection, WindowMode, WindowResolution};
use bevy_egui::EguiPlugin;

pub use atlas::Atlas;
pub use camera::{GlobeCamera, GlobeView};
pub use globe::{Globe, Highlight};
pub use idle::{IdleTimes, Phase};
pub use keys::UiKeyboard;
pub use kiosk::{CardLayout, KioskPlugin, KioskSettings, KioskState};
pub use news::{
    CloseArticle, CountryNews, News, NewsOptions, NewsStatus, OpenedPage, PageTranslation,
    ReadArticle, RecentCounts, Refresh, SearchNews, WorldStories,
};
pub use pictures::{Pictures, Shown};
pub use pointer::{GlobeTap, PointerRay, UiCover};
pub use rest::{Alarm, Rest};
pub use selection::{Hovered, SelectCountry, Selection};
pub use ui::QrView;
pub use ui::{
    ArticleFilters, Finder, OpenSearchHit, PLAY_SECONDS, SearchHit, ShowCoverage, SideBySide,
    StoryFocus, Timeline, TimelineControl, WorldPanel, WorldTab,
};

/// Which outline file to draw: `default` for the desktop, `low` for slow machines and tests,
/// `auto` for the one that suits the drawing tier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Geometry {
    #[default]
    Auto,
    Low,
    Default,
}

impl Geometry {
    /// `auto` settled for a tier: a software renderer draws the same 250 countries from an
    /// eighth of the points, which saves it about 70 MiB and a quarter of its frame time
    /// (see the README's benchmarks).
    pub fn for_tier(self, tier: Quality) -> Geometry {
        match (self, tier) {
            (Geometry::Auto, Quality::Low) => Geometry::Low,
            (Geometry::Auto, _) => Geometry::Default,
            (chosen, _) => chosen,
        }
    }

    /// The outline file; `auto` reads the detailed one, as where nothing is drawn.
    pub fn path(self) -> PathBuf {
        let file = match self {
            Geometry::Low => "countries-low.geojson",
            Geometry::Auto | Geometry::Default => "countries-default.geojson",
        };
        crate::assets::dir().join("countries").join(file)
    }
}

/// What the windowed app is for: a person, or a capture that exits by itself.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub enum Mode {
    #[default]
    Interactive,
    Screenshot(ScreenshotOptions),
    BenchRender {
        frames: u32,
        /// Draw the bare scene instead: a lit sphere and an egui panel, the floor any app
        /// like this one pays, to hold the globe's figures against.
        bare: bool,
        /// Play the top story's spread over and over while measuring, its world panel open:
        /// what scrubbing costs against the globe alone.
        spread: bool,
    },
    /// Measure the CPU the app takes at rest with `select` selected, then while the idle
    /// spin turns, `seconds` each.
    BenchIdle {
        select: String,
        seconds: f64,
    },
}

/// What a screenshot shows and where it goes: the `screenshot` command's options.
#[derive(Clone, Debug, PartialEq, clap::Args)]
pub struct ScreenshotOptions {
    #[arg(long, value_name = "FILE.png")]
    pub out: PathBuf,
    /// Select this country (its ADM0_A3 code, e.g. BRA) before the picture is taken.
    #[arg(long, value_name = "ADM0_A3")]
    pub select: Option<String>,
    /// Open the world panel on the top story and light up the countries covering it.
    #[arg(long)]
    pub story: bool,
    /// With --story: stop its timeline this far through its spread, 0 at the first report
    /// to 1 (the default) at the last country's.
    #[arg(long, value_name = "F", requires = "story", value_parser = parse_share)]
    pub spread: Option<f32>,
    /// With --kiosk: start the attract loop at once.
    #[arg(long)]
    pub attract: bool,
    /// With --kiosk and --select: show the country's newest article as a QR code.
    #[arg(long, requires = "select")]
    pub qr: bool,
    /// With --select: open the country's newest article in the article view, as far as the
    /// store holds its page (a capture fetches nothing).
    #[arg(long, requires = "select")]
    pub read: bool,
}

fn parse_share(text: &str) -> Result<f32, String> {
    text.parse::<f32>()
        .ok()
        .filter(|f| (0.0..=1.0).contains(f))
        .ok_or_else(|| format!("{text:?} is not a number from 0 to 1"))
}

#[derive(Clone, Debug)]
pub struct AppOptions {
    pub geometry: Geometry,
    pub mode: Mode,
    /// Window size in logical pixels.
    pub size: UVec2,
    /// When the process started, for the render benchmark's time to first frame.
    pub launched: std::time::Instant,
    pub news: NewsOptions,
    /// Kiosk mode and its settings.
    pub kiosk: Option<crate::config::KioskConfig>,
    /// How the globe is drawn and whether it turns by itself.
    pub display: crate::config::Display,
}

/// Who the app is for. Systems that behave differently by mode say so with
/// `run_if(in_state(..))` or read this state, rather than guess from which resources exist.
#[derive(States, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AppMode {
    /// A person at a desk: the hovered country lights up, links open in the browser.
    #[default]
    Desktop,
    /// An unattended touch screen, or a capture of one: no hover, links as QR codes, larger
    /// text, the attract loop.
    Kiosk,
    /// A screenshot or a benchmark of the desktop app: nobody points at it.
    Capture,
}

/// The order of the app's systems within `Update`, chained once here.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppSystems {
    /// Take in what background work has finished: replies from the news thread.
    Receive,
    /// Read raw mouse, touch and keyboard input into gesture messages and the pointer ray.
    Input,
    /// Turn taps and hovering into selection requests and the hovered country.
    Pick,
    /// Apply selection requests: the one place the selection changes.
    Select,
    /// Move the camera and the globe: drags, zoom, inertia, fly-to, idle rotation.
    Camera,
    /// Bring what is drawn up to date: country colours, outlines.
    Present,
}

/// Everything but the window and renderer, so headless tests can build the same app on
/// `MinimalPlugins`. The caller inserts the [`Atlas`].
pub fn core_plugin(app: &mut App) {
    // Headless apps on `MinimalPlugins` have no states of their own.
    if !app.is_plugin_added::<StatesPlugin>() {
        app.add_plugins(StatesPlugin);
    }
    app.init_state::<AppMode>();
    app.configure_sets(
        Update,
        (
            AppSystems::Receive,
            AppSystems::Input,
            AppSystems::Pick,
            AppSystems::Select,
            AppSystems::Camera,
            AppSystems::Present,
        )
            .chain(),
    );
    app.add_plugins((
        rest::plugin,
        pointer::plugin,
        selection::plugin,
        picking::plugin,
        camera::plugin,
    ));
}

/// The news bridge and the UI's state: their systems, the [`News`] resources, and the IO
/// thread, started now.
pub fn add_news(app: &mut App, options: NewsOptions) {
    app.add_plugins((news::plugin, ui::state_plugin));
    news::start(app, options);
}

/// The egui panels over the globe, their fonts and their links: on the full app, and on a
/// headless one with `EguiPlugin`, a primary window and the globe's camera, where the panels'
/// layout runs as it does on screen.
pub fn add_panels(app: &mut App) {
    app.add_plugins((ui::plugin, rest::egui_plugin));
}

/// Kiosk mode on a headless app: the idle clock, the attract loop and the quit chord. Call
/// after [`core_plugin`] and with the [`Atlas`] inserted; featured codes the atlas lacks are
/// skipped.
pub fn add_kiosk(app: &mut App, config: &crate::config::KioskConfig) -> anyhow::Result<()> {
    let kiosk = KioskPlugin::new(config, app.world().resource::<Atlas>())?;
    app.add_plugins(kiosk);
    Ok(())
}

/// The full app: window, renderer, globe, egui panel and the capture modes.
pub fn run(options: AppOptions) -> anyhow::Result<()> {
    memory::share_arenas();
    let (renderer, tier) = quality::start_renderer(options.display.quality);
    let atlas = Atlas::load(options.geometry.for_tier(tier.tier))?;
    let headless_capture = options.mode != Mode::Interactive;
    // A kiosk fills its screen and cannot be closed from the window manager; the capture
    // modes keep their window size so their pictures are the size asked for.
    let fullscreen_kiosk = options.kiosk.is_some() && !headless_capture;
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "newsglobe".into(),
                    resolution: WindowResolution::from(options.size.to_array()),
                    mode: if fullscreen_kiosk {
                        WindowMode::BorderlessFullscreen(MonitorSelection::Primary)
                    } else {
                        WindowMode::Windowed
                    },
                    decorations: !fullscreen_kiosk,
                    ..default()
                }),
                primary_cursor_options: Some(CursorOptions {
                    visible: !fullscreen_kiosk,
                    ..default()
                }),
                close_when_requested: !fullscreen_kiosk,
                exit_condition: ExitCondition::OnPrimaryClosed,
            })
            .set(RenderPlugin {
                render_creation: renderer,
                // A capture must not be taken before the globe's shaders exist.
                synchronous_pipeline_compilation: headless_capture,
                ..default()
            }),
    )
    .add_plugins(EguiPlugin::default())
    .insert_resource(atlas)
    .insert_resource(capture::Launched(options.launched))
    .add_plugins((
        core_plugin,
        camera::view_plugin,
        capture::CapturePlugin {
            mode: options.mode.clone(),
        },
        quality::plugin(tier),
    ))
    .insert_state(match (&options.kiosk, headless_capture) {
        (Some(_), _) => AppMode::Kiosk,
        (None, true) => AppMode::Capture,
        (None, false) => AppMode::Desktop,
    });
    let bare = matches!(options.mode, Mode::BenchRender { bare: true, .. });
    if bare {
        app.add_plugins(capture::bare_scene);
    } else {
        app.add_plugins((globe::plugin, add_panels, news::plugin, ui::state_plugin));
    }
    if !options.display.idle_spin {
        app.world_mut().resource_mut::<GlobeView>().idle_spin = 0.0;
    }
    match &options.mode {
        Mode::Interactive => rest::window_plugin(&mut app),
        Mode::BenchIdle { select, seconds } => {
            rest::window_plugin(&mut app);
            app.add_plugins(bench_idle::BenchIdlePlugin {
                select: select.clone(),
                seconds: *seconds,
            });
        }
        // The captures count frames: they draw every one.
        Mode::Screenshot(_) | Mode::BenchRender { .. } => {
            app.insert_resource(bevy::winit::WinitSettings::continuous());
        }
    }
    if !bare {
        news::start(&mut app, options.news);
    }
    if let Some(config) = &options.kiosk {
        add_kiosk(&mut app, config)?;
        app.add_plugins(ui::kiosk_plugin);
    }
    match app.run() {
        AppExit::Success => Ok(()),
        AppExit::Error(code) => anyhow::bail!("the app stopped with error code {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_low_tier_draws_the_lighter_outlines_unless_told_which() {
        assert_eq!(Geometry::Auto.for_tier(Quality::Low), Geometry::Low);
        assert_eq!(Geometry::Auto.for_tier(Quality::High), Geometry::Default);
        assert_eq!(Geometry::Default.for_tier(Quality::Low), Geometry::Default);
        assert_eq!(Geometry::Low.for_tier(Quality::High), Geometry::Low);
        assert_eq!(Geometry::Auto.path(), Geometry::Default.path());
    }
}
