//! `newsglobe bench-idle`: how much CPU the app takes at rest with a country selected, and
//! while the idle spin turns the globe, read from the process's own CPU time.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::prelude::*;

use super::atlas::Atlas;
use super::camera::GlobeView;
use super::rest::{PlanNextFrame, Rest, Waker};
use super::selection::SelectCountry;

/// `bench-idle`: how much CPU the app takes at rest with a country selected, and while the
/// idle spin turns the globe, each measured over `seconds` of wall time.
#[derive(Resource)]
struct IdleBench {
    select: String,
    seconds: f64,
    shared: Arc<BenchShared>,
}

/// What the measuring thread and the app share: frames drawn, the phase, the figures.
#[derive(Default)]
struct BenchShared {
    frames: AtomicU64,
    /// The last frame asked for no next one.
    resting: AtomicBool,
    spin: AtomicBool,
    done: AtomicBool,
    report: Mutex<String>,
}

/// The app has settled when its last frame asked for no next one and it has drawn none for
/// this long (the selection's flight has landed, the panels have filled, the pipelines are
/// built)...
const BENCH_QUIET: Duration = Duration::from_secs(2);
/// ...or, failing that, after this long, when it is measured as it is.
const BENCH_SETTLE_MAX: Duration = Duration::from_secs(90);

/// Selects `select` (an ADM0_A3 code), measures, prints the figures and quits.
pub(super) struct BenchIdlePlugin {
    pub select: String,
    pub seconds: f64,
}

impl Plugin for BenchIdlePlugin {
    fn build(&self, app: &mut App) {
        let shared = Arc::new(BenchShared::default());
        let waker = Waker::of(app);
        let thread_shared = shared.clone();
        let seconds = self.seconds;
        std::thread::Builder::new()
            .name("newsglobe bench-idle".into())
            .spawn(move || measure(&thread_shared, &waker, seconds))
            .expect("the measuring thread starts");
        app.insert_resource(IdleBench {
            select: self.select.clone(),
            seconds,
            shared,
        })
        .add_systems(First, count_frame)
        .add_systems(Update, drive_bench)
        .add_systems(Last, note_rest.after(PlanNextFrame));
    }
}

fn count_frame(bench: Res<IdleBench>) {
    bench.shared.frames.fetch_add(1, Ordering::Relaxed);
}

fn note_rest(bench: Res<IdleBench>, rest: Res<Rest>) {
    bench
        .shared
        .resting
        .store(rest.after_rest, Ordering::Relaxed);
}

/// Selects the country first, turns to the idle spin when the thread says, and prints the
/// figures and quits when it is done.
fn drive_bench(
    bench: Res<IdleBench>,
    atlas: Res<Atlas>,
    mut view: ResMut<GlobeView>,
    mut select: MessageWriter<SelectCountry>,
    mut exit: MessageWriter<AppExit>,
    mut stage: Local<u8>,
) {
    if *stage == 0 {
        *stage = 1;
        let Some(country) = atlas.find(&bench.select) else {
            error!("no country has the ADM0_A3 code {:?}", bench.select);
            exit.write(AppExit::error());
            return;
        };
        select.write(SelectCountry(Some(country)));
    }
    if *stage == 1 && bench.shared.spin.load(Ordering::Acquire) {
        *stage = 2;
        select.write(SelectCountry(None));
        view.start_idle_spin();
    }
    if bench.shared.done.load(Ordering::Acquire) {
        let report = bench.shared.report.lock().map(|r| r.clone());
        println!("{}", report.unwrap_or_default());
        println!("sample: {:.0} s each", bench.seconds);
        exit.write(AppExit::Success);
    }
}

/// The measuring thread: settle, sample at rest, start the spin, sample it, report.
fn measure(shared: &BenchShared, waker: &Waker, seconds: f64) {
    let sample = |label: &str| {
        let (cpu, frames) = (cpu_seconds(), shared.frames.load(Ordering::Relaxed));
        let wall = Instant::now();
        std::thread::sleep(Duration::from_secs_f64(seconds));
        let wall = wall.elapsed().as_secs_f64();
        let busy = cpu_seconds() - cpu;
        let frames = shared.frames.load(Ordering::Relaxed) - frames;
        format!(
            "{label}: {:.1}% of one core, {:.1} frames/s",
            100.0 * busy / wall,
            frames as f64 / wall
        )
    };
    let started = Instant::now();
    let (mut frames, mut quiet_since) = (u64::MAX, Instant::now());
    while quiet_since.elapsed() < BENCH_QUIET && started.elapsed() < BENCH_SETTLE_MAX {
        std::thread::sleep(Duration::from_millis(100));
        let now = shared.frames.load(Ordering::Relaxed);
        if now != frames || !shared.resting.load(Ordering::Relaxed) {
            (frames, quiet_since) = (now, Instant::now());
        }
    }
    let rest = sample("at rest, a country selected");
    shared.spin.store(true, Ordering::Release);
    waker.wake();
    // The spin eases in over two seconds.
    std::thread::sleep(Duration::from_secs(3));
    let spin = sample("idle spin");
    if let Ok(mut report) = shared.report.lock() {
        *report = format!("{rest}\n{spin}");
    }
    shared.done.store(true, Ordering::Release);
    waker.wake();
}

/// The CPU time the whole process has used, all threads, user and system.
#[allow(unsafe_code, reason = "getrusage has no safe wrapper in libc")]
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct it is given and reads nothing else.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
