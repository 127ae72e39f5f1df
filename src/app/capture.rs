//! The capture modes: `screenshot` renders the app once and saves it, `bench-render` spins
//! the globe (or, with `--bare`, a bare lit sphere beside an egui panel, the baseline; with
//! `--spread`, while the top story's spread plays) for a number of frames and prints
//! frame-time figures. Both exit by themselves.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use super::atlas::Atlas;
use super::camera::GlobeView;
use super::kiosk::{KioskSettings, KioskState};
use super::news::{News, ReadArticle};
use super::selection::SelectCountry;
use super::ui::{self, QrView, ShowCoverage, TimelineControl, WorldPanel};
use super::{AppMode, AppSystems, Mode, ScreenshotOptions};

/// Frames to render before the screenshot: enough for the meshes to upload and the first
/// MSAA-resolved image to settle after pipelines compile.
const WARMUP_FRAMES: u32 = 12;
/// How long a capture of the top story waits for the news thread to cluster the store.
const STORY_WAIT: Duration = Duration::from_secs(30);
/// A capture that has not finished by then has failed (no GPU, stuck pipeline).
const CAPTURE_TIMEOUT: Duration = Duration::from_secs(120);

/// When the process started, for the time to first frame.
#[derive(Resource, Clone, Copy)]
pub struct Launched(pub Instant);

/// The screenshot and the render benchmark, as `mode` asks; nothing in the other modes.
pub(super) struct CapturePlugin {
    pub mode: Mode,
}

impl Plugin for CapturePlugin {
    fn build(&self, app: &mut App) {
        match &self.mode {
            Mode::Interactive | Mode::BenchIdle { .. } => {}
            Mode::Screenshot(options) => {
                app.insert_resource(Shot {
                    options: options.clone(),
                    frames: 0,
                    requested: false,
                })
                .add_systems(Update, take_screenshot.after(AppSystems::Present));
            }
            &Mode::BenchRender { frames, spread, .. } => {
                app.insert_resource(Bench {
                    frames,
                    times: Vec::with_capacity(frames as usize),
                    first_frame: None,
                    waiting: spread,
                })
                .add_systems(Update, bench_frame.after(AppSystems::Present));
                if spread {
                    app.add_systems(Update, play_spread.before(AppSystems::Select));
                }
            }
        }
    }
}

/// A screenshot under way. Its options' `story`, `attract` and `qr` are cleared as each is
/// staged: until then the picture waits.
#[derive(Resource)]
struct Shot {
    options: ScreenshotOptions,
    frames: u32,
    requested: bool,
}

/// What the story and kiosk captures set up; the kiosk's parts are absent outside kiosk mode.
#[derive(bevy::ecs::system::SystemParam)]
struct Staging<'w, 's> {
    launched: Res<'w, Launched>,
    news: Res<'w, News>,
    panel: ResMut<'w, WorldPanel>,
    cover: MessageWriter<'w, ShowCoverage>,
    kiosk: Option<ResMut<'w, KioskState>>,
    settings: Option<Res<'w, KioskSettings>>,
    qr: ResMut<'w, QrView>,
    mode: Res<'w, State<AppMode>>,
    time: Res<'w, Time<Real>>,
    read: MessageWriter<'w, ReadArticle>,
    timeline: MessageWriter<'w, TimelineControl>,
    /// Whether the article asked for with `--read` has been asked for.
    asked: Local<'s, bool>,
}

fn take_screenshot(
    mut commands: Commands,
    mut shot: ResMut<Shot>,
    atlas: Res<Atlas>,
    mut view: ResMut<GlobeView>,
    mut select: MessageWriter<SelectCountry>,
    mut exit: MessageWriter<AppExit>,
    mut staging: Staging,
) {
    let launched = staging.launched.0;
    let news = &staging.news;
    if shot.frames == 0
        && let Some(id) = &shot.options.select
    {
        let Some(country) = atlas.find(id) else {
            error!("no country has the ADM0_A3 code {id:?}");
            exit.write(AppExit::error());
            return;
        };
        select.write(SelectCountry(Some(country)));
    }
    if std::mem::take(&mut shot.options.attract) {
        match (staging.kiosk.as_mut(), staging.settings.as_ref()) {
            (Some(state), Some(settings)) => {
                state.start_attract(settings.times, staging.time.elapsed_secs_f64());
            }
            _ => warn!("--attract shows the kiosk's attract loop: add --kiosk"),
        }
    }
    // The selected country's newest article, once its list has come: what --qr and --read
    // show.
    let newest = news
        .articles
        .as_ref()
        .filter(|listed| shot.options.select.as_deref() == Some(listed.country.as_str()))
        .and_then(|listed| listed.articles.first());
    if shot.options.qr {
        match (*staging.mode.get() == AppMode::Kiosk, newest) {
            (false, _) => {
                warn!("--qr shows a QR code in kiosk mode: add --kiosk");
                shot.options.qr = false;
            }
            (true, Some(article)) => {
                staging.qr.0 = Some(article.clone());
                shot.options.qr = false;
                shot.frames = shot.frames.min(1);
            }
            (true, None) if launched.elapsed() > STORY_WAIT => {
                warn!("no stored article for the selected country: no QR code to show");
                shot.options.qr = false;
            }
            (true, None) => {}
        }
    }
    if shot.options.read {
        if let (Some(article), false) = (newest, *staging.asked) {
            staging.read.write(ReadArticle(article.clone()));
            *staging.asked = true;
        }
        // The picture waits for the page and its English, as far as the store has them.
        if news.page.as_ref().is_some_and(|page| page.is_complete()) {
            shot.options.read = false;
            shot.frames = shot.frames.min(1);
        } else if launched.elapsed() > STORY_WAIT {
            warn!("the selected country's newest article did not open in time");
            shot.options.read = false;
        }
    }
    if shot.options.story {
        staging.panel.open = true;
        if let Some(top) = news.world_stories.top.first() {
            staging.cover.write(ShowCoverage(top.clone()));
            if let Some(share) = shot.options.spread {
                staging.timeline.write(TimelineControl::Seek(share));
            }
            shot.options.story = false;
            shot.frames = 1;
        } else if launched.elapsed() > STORY_WAIT {
            warn!("no story covered by several countries in the store: none to show");
            shot.options.story = false;
        }
    }
    // The selection starts a flight next frame; a still picture wants its end.
    view.land();
    shot.frames += 1;
    if launched.elapsed() > CAPTURE_TIMEOUT {
        error!("no screenshot after {CAPTURE_TIMEOUT:?}");
        exit.write(AppExit::error());
    }
    let staged = shot.options.story || shot.options.qr || shot.options.read;
    if shot.frames < WARMUP_FRAMES || shot.requested || staged {
        return;
    }
    shot.requested = true;
    let out = shot.options.out.clone();
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
            let saved = captured
                .image
                .clone()
                .try_into_dynamic()
                .map_err(|e| e.to_string())
                .and_then(|image| image.to_rgb8().save(&out).map_err(|e| e.to_string()));
            match saved {
                Ok(()) => {
                    info!("screenshot saved to {}", out.display());
                    exit.write(AppExit::Success);
                }
                Err(e) => {
                    error!("cannot save the screenshot to {}: {e}", out.display());
                    exit.write(AppExit::error());
                }
            }
        },
    );
}

/// The baseline scene: a lit sphere where the globe would be, seen as the globe is, beside an
/// egui panel of text as wide as the country panel, through the same two cameras.
pub(super) fn bare_scene(app: &mut App) {
    app.add_plugins(ui::ui_camera)
        .add_systems(Startup, spawn_bare_scene)
        .add_systems(bevy_egui::EguiPrimaryContextPass, bare_panel);
}

fn spawn_bare_scene(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    commands.spawn((
        super::globe::Globe,
        Mesh3d(meshes.add(Sphere::new(1.0).mesh().uv(192, 96))),
        MeshMaterial3d(materials.add(StandardMaterial::from_color(Color::srgb(0.3, 0.5, 0.7)))),
        Transform::default(),
    ));
}

fn bare_panel(mut contexts: bevy_egui::EguiContexts) -> Result {
    use bevy_egui::egui;
    let mut root = ui::root_ui(contexts.ctx_mut()?);
    egui::Panel::right("bare")
        .exact_size(340.0)
        .show(&mut root, |ui| {
            ui.heading("Bare scene");
            for line in 0..20 {
                ui.label(format!("Line {line} of text, as a panel lists headlines"));
            }
        });
    Ok(())
}

#[derive(Resource)]
struct Bench {
    frames: u32,
    times: Vec<Duration>,
    first_frame: Option<Duration>,
    /// Frames count once the story to play has come.
    waiting: bool,
}

/// `bench-render --spread`: focuses the top story once the news thread has it, with the
/// world panel open, and plays its spread whenever it is not playing.
#[allow(clippy::too_many_arguments)] // It stages the story as a reader would, and may fail.
fn play_spread(
    news: Res<News>,
    timeline: Res<ui::Timeline>,
    mut focus: ResMut<ui::StoryFocus>,
    mut panel: ResMut<WorldPanel>,
    mut bench: ResMut<Bench>,
    mut controls: MessageWriter<TimelineControl>,
    launched: Res<Launched>,
    mut exit: MessageWriter<AppExit>,
) {
    if focus.0.is_none() {
        match news.world_stories.top.first() {
            Some(top) => {
                focus.0 = Some(top.clone());
                panel.open = true;
                bench.waiting = false;
            }
            None if launched.0.elapsed() > STORY_WAIT => {
                error!("no story covered by several countries in the store: none to play");
                exit.write(AppExit::error());
            }
            None => {}
        }
    } else if !timeline.playing {
        controls.write(TimelineControl::Play);
    }
}

fn bench_frame(
    mut commands: Commands,
    time: Res<Time<Real>>,
    mut bench: ResMut<Bench>,
    mut view: ResMut<GlobeView>,
    mut exit: MessageWriter<AppExit>,
    mut started: Local<bool>,
) {
    // Turn steadily so that every frame draws a different view, as a user spinning it would.
    view.center.lon = (view.center.lon + 0.75 + 180.0).rem_euclid(360.0) - 180.0;
    if !*started {
        *started = true;
        // The first frame is on screen when a capture of it comes back from the GPU.
        commands.spawn(Screenshot::primary_window()).observe(
            |_: On<ScreenshotCaptured>, launched: Res<Launched>, mut bench: ResMut<Bench>| {
                bench.first_frame = Some(launched.0.elapsed());
            },
        );
        return;
    }
    if bench.waiting {
        return;
    }
    bench.times.push(time.delta());
    if bench.times.len() as u32 >= bench.frames {
        println!("{}", bench_report(&bench));
        exit.write(AppExit::Success);
    }
}

fn bench_report(bench: &Bench) -> String {
    let mut sorted = bench.times.clone();
    sorted.sort();
    let pick = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "frames: {}\ntime to first frame: {:.0} ms\nframe time median: {:.1} ms\n\
         frame time p95: {:.1} ms\npeak memory: {}",
        sorted.len(),
        ms(bench.first_frame.unwrap_or_default()),
        ms(pick(0.5)),
        ms(pick(0.95)),
        peak_memory().map_or("unknown".into(), |kib| format!(
            "{:.0} MiB",
            kib as f64 / 1024.0
        )),
    )
}

/// The process's peak resident memory in KiB, from Linux's `/proc/self/status`.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
