//! The app rests when nothing moves: it draws a frame only for input, a message from the news
//! thread, an animation under way, or an alarm a feature set (`bench_idle` measures what
//! resting costs).
//!
//! Winit runs reactively with a long wait (Bevy's `UpdateMode::Reactive`). Whatever animates
//! asks for the next frame with `RequestRedraw` (the camera while it moves, bevy_egui while
//! egui animates); whatever must happen later without input (the idle spin's start, the
//! kiosk's timers) sets an [`Alarm`], which a small thread turns into a wake-up at that time.
//! Changing winit's update mode forces a frame, so the mode is set once and never touched.

use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use bevy::platform::collections::HashMap;
use bevy::prelude::*;
use bevy::window::RequestRedraw;
use bevy::winit::{EventLoopProxyWrapper, UpdateMode, WinitSettings, WinitUserEvent};
use bevy_egui::{EguiInput, EguiPreUpdateSet, egui};

/// The longest the app sleeps without a reason to wake: the panels' "5 min ago" stay at most
/// this late.
const LONGEST_REST: Duration = Duration::from_secs(60);

/// Wakes the app from another thread: the news thread after each reply, the alarm thread at
/// its time. Does nothing in a headless app, which has no event loop to wake.
#[derive(Clone, Default)]
pub struct Waker(Option<Arc<dyn Fn() + Send + Sync>>);

impl Waker {
    pub fn new(wake: impl Fn() + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(wake)))
    }

    /// The waker of the app's event loop, if it has one.
    pub fn of(app: &App) -> Self {
        match app.world().get_resource::<EventLoopProxyWrapper>() {
            Some(proxy) => {
                let proxy = (**proxy).clone();
                Self::new(move || {
                    // The loop is gone only when the app is quitting: nothing left to wake.
                    let _ = proxy.send_event(WinitUserEvent::WakeUp);
                })
            }
            None => Self::default(),
        }
    }

    pub fn wake(&self) {
        if let Some(wake) = &self.0 {
            wake();
        }
    }
}

/// When the app must next draw without input: each frame, features that wait on time say how
/// long they can wait, and the earliest wins. Cleared after every frame.
#[derive(Resource, Debug, Default)]
pub struct Alarm {
    within: Option<f64>,
    /// An animation's next frame was asked for: the frame it wakes is a step of the
    /// animation, not the end of a rest.
    animating: bool,
}

impl Alarm {
    /// Wake the app within `seconds` from now (at once for zero or less).
    pub fn within(&mut self, seconds: f64) {
        let seconds = if seconds.is_finite() {
            seconds.max(0.0)
        } else {
            return;
        };
        self.within = Some(self.within.map_or(seconds, |s| s.min(seconds)));
    }

    /// The next frame of a slow animation, `seconds` from now: like [`Alarm::within`], but
    /// the frame it wakes takes its time step as the animation's.
    pub fn next_frame_in(&mut self, seconds: f64) {
        self.animating = true;
        self.within(seconds);
    }
}

/// How the last frame ended: whether it asked for the next one, and if not, when an alarm
/// wakes the app.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct Rest {
    /// The last frame asked for no next one: this one was woken by input, news or an alarm,
    /// and its time step spans the rest, not an animation's frame. Animations take no step
    /// in such a frame.
    pub after_rest: bool,
    /// When the last frame asked for no next one, the alarm that was set, in seconds from
    /// its end.
    pub wake_in: Option<f64>,
}

/// The headless part: the alarm and the record of rests, on any app.
pub(super) fn plugin(app: &mut App) {
    app.add_message::<RequestRedraw>()
        .init_resource::<Alarm>()
        .init_resource::<Rest>()
        .add_systems(Last, plan_next_frame.in_set(PlanNextFrame));
}

/// With egui: input that changes nothing is not input. bevy_egui 0.42 tells egui the
/// modifier keys' state every frame as a `ModifiersChanged` event, and egui repaints for any
/// event, so without this the app would never rest.
pub(super) fn egui_plugin(app: &mut App) {
    app.add_systems(
        PreUpdate,
        drop_unchanged_modifiers
            .after(EguiPreUpdateSet::ProcessInput)
            .before(EguiPreUpdateSet::BeginPass),
    );
}

/// Removes each context's `ModifiersChanged` events that repeat the state it last heard.
fn drop_unchanged_modifiers(
    mut inputs: Query<(Entity, &mut EguiInput)>,
    mut heard: Local<HashMap<Entity, egui::Modifiers>>,
) {
    for (entity, mut input) in &mut inputs {
        input.events.retain(|event| match event {
            egui::Event::ModifiersChanged(now) => heard.insert(entity, *now) != Some(*now),
            _ => true,
        });
    }
}

/// The windowed part: winit waits for a reason to draw, and alarms ring through a thread.
pub(super) fn window_plugin(app: &mut App) {
    let settings = WinitSettings {
        focused_mode: UpdateMode::reactive_low_power(LONGEST_REST),
        unfocused_mode: UpdateMode::reactive_low_power(LONGEST_REST),
    };
    let clock = AlarmClock::start(Waker::of(app));
    app.insert_resource(settings).insert_resource(clock);
}

/// Where each frame decides what wakes the app next, in `Last`: what must see the frame's
/// decision runs after it.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct PlanNextFrame;

/// Ends each frame: notes whether a next frame was asked for, and hands the alarm to the
/// alarm thread.
fn plan_next_frame(
    mut redraws: MessageReader<RequestRedraw>,
    mut rest: ResMut<Rest>,
    mut alarm: ResMut<Alarm>,
    clock: Option<Res<AlarmClock>>,
) {
    let asked = redraws.read().count() > 0;
    let within = alarm.within.take().filter(|_| !asked);
    let animating = std::mem::take(&mut alarm.animating);
    rest.set_if_neq(Rest {
        after_rest: !asked && !animating,
        wake_in: within,
    });
    // A frame that asked for the next one needs no alarm: any set before is called off.
    if let Some(clock) = clock {
        clock.set(within.map(|s| Instant::now() + Duration::from_secs_f64(s.min(1e6))));
    }
}

/// The alarm thread's end: the next time to wake the app, replaced every resting frame.
#[derive(Resource)]
struct AlarmClock {
    times: mpsc::Sender<Option<Instant>>,
    last: std::sync::Mutex<Option<Instant>>,
}

impl AlarmClock {
    fn start(waker: Waker) -> Self {
        let (times, rx) = mpsc::channel::<Option<Instant>>();
        std::thread::Builder::new()
            .name("newsglobe alarm".into())
            .spawn(move || ring(&rx, &waker))
            .expect("the alarm thread starts");
        Self {
            times,
            last: std::sync::Mutex::new(None),
        }
    }

    /// Sets the next wake-up, or none; a time already set is not sent again.
    fn set(&self, at: Option<Instant>) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if *last != at {
            *last = at;
            let _ = self.times.send(at);
        }
    }
}

/// Waits for the time set last and wakes the app then; ends when the app drops its end.
fn ring(times: &mpsc::Receiver<Option<Instant>>, waker: &Waker) {
    let mut next: Option<Instant> = None;
    loop {
        let received = match next {
            Some(at) => times.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => times
                .recv()
                .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(at) => next = at,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                next = None;
                waker.wake();
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn the_earliest_alarm_of_a_frame_wins_and_bad_times_are_ignored() {
        let mut alarm = Alarm::default();
        assert_eq!(alarm.within, None);
        alarm.within(5.0);
        alarm.within(f64::NAN);
        alarm.within(2.5);
        alarm.within(9.0);
        assert_eq!(alarm.within, Some(2.5));
        alarm.within(-3.0);
        assert_eq!(alarm.within, Some(0.0));
    }

    #[test]
    fn the_alarm_thread_wakes_the_app_once_at_the_last_time_set() {
        let rings = Arc::new(AtomicUsize::new(0));
        let counted = rings.clone();
        let clock = AlarmClock::start(Waker::new(move || {
            counted.fetch_add(1, Ordering::SeqCst);
        }));
        // A time replaced before it comes never rings.
        clock.set(Some(Instant::now() + Duration::from_millis(200)));
        clock.set(Some(Instant::now() + Duration::from_secs(600)));
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(rings.load(Ordering::SeqCst), 0);
        clock.set(Some(Instant::now() + Duration::from_millis(20)));
        let asked = Instant::now();
        while rings.load(Ordering::SeqCst) == 0 && asked.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(rings.load(Ordering::SeqCst), 1);
        // Cancelled: no ring.
        clock.set(Some(Instant::now() + Duration::from_millis(200)));
        clock.set(None);
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(rings.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_frame_without_a_redraw_request_makes_the_next_one_follow_a_rest() {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins).add_plugins(plugin);
        app.update();
        assert!(app.world().resource::<Rest>().after_rest);
        app.world_mut().write_message(RequestRedraw);
        app.world_mut().resource_mut::<Alarm>().within(3.0);
        app.update();
        // Asked for the next frame: the alarm is moot.
        let rest = *app.world().resource::<Rest>();
        assert_eq!((rest.after_rest, rest.wake_in), (false, None));
        app.world_mut().resource_mut::<Alarm>().within(3.0);
        app.update();
        let rest = *app.world().resource::<Rest>();
        assert_eq!((rest.after_rest, rest.wake_in), (true, Some(3.0)));
        app.update();
        let rest = *app.world().resource::<Rest>();
        assert_eq!((rest.after_rest, rest.wake_in), (true, None));
    }
}
