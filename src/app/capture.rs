//! The capture modes: `screenshot` renders the app once and saves it, `bench-render` spins
//! the globe for a number of frames and prints frame-time figures. Both exit by themselves.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use super::camera::GlobeView;
use super::globe::Atlas;
use super::picking::SelectCountry;
use super::{AppSystems, Mode};

/// Frames to render before the screenshot: enough for the meshes to upload and the first
/// MSAA-resolved image to settle after pipelines compile.
const WARMUP_FRAMES: u32 = 12;
/// A capture that has not finished by then has failed (no GPU, stuck pipeline).
const CAPTURE_TIMEOUT: Duration = Duration::from_secs(120);

/// When the process started, for the time to first frame.
#[derive(Resource, Clone, Copy)]
pub struct Launched(pub Instant);

pub(super) fn plugin(app: &mut App) {
    let mode = app.world().resource::<Mode>().clone();
    match mode {
        Mode::Interactive => {}
        Mode::Screenshot { out, select } => {
            app.insert_resource(Shot {
                out,
                select,
                frames: 0,
                requested: false,
            })
            .add_systems(Update, take_screenshot.after(AppSystems::Present));
        }
        Mode::BenchRender { frames } => {
            app.insert_resource(Bench {
                frames,
                times: Vec::with_capacity(frames as usize),
                first_frame: None,
            })
            .add_systems(Update, bench_frame.after(AppSystems::Present));
        }
    }
}

#[derive(Resource)]
struct Shot {
    out: PathBuf,
    select: Option<String>,
    frames: u32,
    requested: bool,
}

fn take_screenshot(
    mut commands: Commands,
    mut shot: ResMut<Shot>,
    atlas: Res<Atlas>,
    launched: Res<Launched>,
    mut view: ResMut<GlobeView>,
    mut select: MessageWriter<SelectCountry>,
    mut exit: MessageWriter<AppExit>,
) {
    if shot.frames == 0
        && let Some(id) = &shot.select
    {
        let Some(country) = atlas.find(id) else {
            error!("no country has the ADM0_A3 code {id:?}");
            exit.write(AppExit::error());
            return;
        };
        select.write(SelectCountry(Some(country)));
    }
    // The selection starts a flight next frame; a still picture wants its end.
    view.land();
    shot.frames += 1;
    if launched.0.elapsed() > CAPTURE_TIMEOUT {
        error!("no screenshot after {CAPTURE_TIMEOUT:?}");
        exit.write(AppExit::error());
    }
    if shot.frames < WARMUP_FRAMES || shot.requested {
        return;
    }
    shot.requested = true;
    let out = shot.out.clone();
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

#[derive(Resource)]
struct Bench {
    frames: u32,
    times: Vec<Duration>,
    first_frame: Option<Duration>,
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
