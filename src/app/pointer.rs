//! Pointer gestures: mouse and touch input into drags, pinches and taps on the globe.
//!
//! The recogniser is a plain state machine ([`GestureTracker`]) fed with down/move/up events,
//! so the rules are tested without a window: a tap is a press released within
//! [`TAP_SLOP`] pixels, and a gesture that ever had two fingers down, or that moved past the
//! slop, never ends in a tap — so the end of a drag or a pinch never selects anything.
//! Input that starts over the UI is the UI's: a press, a touch, a wheel notch or a trackpad
//! pinch over a panel or the attract card never reaches the globe ([`UiCover`]).
//! This file also turns the cursor into a world-space ray for hovering.

use bevy::input::ButtonState;
use bevy::input::mouse::MouseScrollUnit;
use bevy::input::touch::TouchPhase;
use bevy::prelude::*;
use bevy::window::{PrimaryWindow, WindowEvent};
use bevy_egui::input::EguiWantsInput;

use super::AppSystems;

/// How far, in logical pixels, a press may wander and still count as a tap.
pub const TAP_SLOP: f32 = 8.0;

/// The pointer id the mouse uses; touches use their own ids.
const MOUSE: u64 = u64::MAX;

/// A drag across the globe, in logical pixels since the last message.
#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub struct GlobeDrag(pub Vec2);

/// A zoom request: a factor on the camera distance (below 1 moves closer).
#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub struct GlobeZoom(pub f32);

/// A tap or click on the 3D view, as a world-space ray through the tapped pixel.
#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub struct GlobeTap(pub Ray3d);

/// The world-space ray under the cursor while it is over the 3D view and not over the UI.
#[derive(Resource, Default, Debug, PartialEq)]
pub struct PointerRay(pub Option<Ray3d>);

/// Where the last UI pass drew over the window, in logical pixels: input there is the UI's.
///
/// egui cannot say so itself. bevy_egui runs each pass inside `Context::run_ui` and ignores
/// the root `Ui` that hands it, so `ui` lays the panels out in a root of its own, which
/// egui's `is_pointer_over_egui` knows nothing of: over a panel it answers false, and the
/// wheel that scrolls a list would zoom the globe too. The attract card is not interactable
/// for egui either: the kiosk reads taps on it itself.
#[derive(Resource, Default, Debug, Clone, PartialEq)]
pub struct UiCover {
    /// The part of the window the panels leave to the globe; `None` where no UI is drawn.
    pub free: Option<Rect>,
    /// The kiosk's attract card, while it is shown.
    pub card: Option<Rect>,
}

impl UiCover {
    pub fn covers(&self, at: Vec2) -> bool {
        self.free.is_some_and(|free| !free.contains(at))
            || self.card.is_some_and(|card| card.contains(at))
    }
}

/// Whether a gesture is under way, so hovering can pause while the globe is dragged.
#[derive(Resource, Default, Debug, PartialEq)]
pub struct Dragging(pub bool);

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PointerEvent {
    Down { id: u64, at: Vec2 },
    Move { id: u64, at: Vec2 },
    Up { id: u64, at: Vec2 },
    Cancel { id: u64 },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Gesture {
    Drag(Vec2),
    /// The ratio of the new finger spread to the old one.
    Pinch(f32),
    Tap(Vec2),
}

/// Pointers that are down, and what the gesture they form has done so far.
#[derive(Default, Debug)]
pub struct GestureTracker {
    down: Vec<(u64, Vec2)>,
    travelled: f32,
    multi_touch: bool,
}

impl GestureTracker {
    pub fn is_active(&self) -> bool {
        !self.down.is_empty()
    }

    /// Whether the gesture has become a drag or a pinch (and so will not end in a tap).
    pub fn is_manipulating(&self) -> bool {
        self.is_active() && (self.multi_touch || self.travelled > TAP_SLOP)
    }

    pub fn handle(&mut self, event: PointerEvent) -> Option<Gesture> {
        match event {
            PointerEvent::Down { id, at } => {
                if self.down.is_empty() {
                    self.travelled = 0.0;
                    self.multi_touch = false;
                }
                self.down.retain(|(d, _)| *d != id);
                self.down.push((id, at));
                self.multi_touch |= self.down.len() > 1;
                None
            }
            PointerEvent::Move { id, at } => {
                let before = self.down.clone();
                let slot = self.down.iter_mut().find(|(d, _)| *d == id)?;
                let delta = at - slot.1;
                slot.1 = at;
                self.travelled += delta.length();
                match (before.as_slice(), self.down.as_slice()) {
                    ([_], _) if self.travelled > TAP_SLOP => Some(Gesture::Drag(delta)),
                    ([a, b, ..], [na, nb, ..]) => {
                        let (old, new) = (a.1.distance(b.1), na.1.distance(nb.1));
                        (old > 1.0 && new > 1.0).then(|| Gesture::Pinch(new / old))
                    }
                    _ => None,
                }
            }
            PointerEvent::Up { id, at } => {
                let was_down = self.down.iter().any(|(d, _)| *d == id);
                self.down.retain(|(d, _)| *d != id);
                let tap = was_down
                    && self.down.is_empty()
                    && !self.multi_touch
                    && self.travelled <= TAP_SLOP;
                tap.then_some(Gesture::Tap(at))
            }
            PointerEvent::Cancel { id } => {
                self.down.retain(|(d, _)| *d != id);
                // A cancelled touch spoils the gesture: no tap may come of it.
                self.multi_touch = true;
                None
            }
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<GlobeDrag>()
        .add_message::<GlobeZoom>()
        .add_message::<GlobeTap>()
        .init_resource::<PointerRay>()
        .init_resource::<Dragging>()
        .init_resource::<UiCover>()
        .add_systems(
            Update,
            (track_gestures, update_pointer_ray).in_set(AppSystems::Input),
        );
}

#[derive(Default)]
struct LastCursor(Option<Vec2>);

/// Feeds window input to the tracker in the order it arrived and sends what it recognises.
///
/// One ordered stream matters: on a slow frame a whole drag (press, moves, release) can
/// arrive at once, and reading moves and presses from separate queues would turn it into a
/// tap at the end point; a wheel notch, likewise, belongs to wherever the cursor was when it
/// turned, not where it is at the end of the frame.
#[allow(clippy::too_many_arguments)] // Each input stream and output is its own parameter.
fn track_gestures(
    mut tracker: Local<GestureTracker>,
    mut cursor: Local<LastCursor>,
    mut window_events: MessageReader<WindowEvent>,
    egui: Option<Res<EguiWantsInput>>,
    cover: Res<UiCover>,
    camera: Query<(&Camera, &GlobalTransform)>,
    mut out: (
        MessageWriter<GlobeDrag>,
        MessageWriter<GlobeZoom>,
        MessageWriter<GlobeTap>,
    ),
    mut dragging: ResMut<Dragging>,
) {
    let egui_wants = egui.is_some_and(|e| e.wants_any_pointer_input());
    let over_ui = |at: Option<Vec2>| egui_wants || at.is_some_and(|at| cover.covers(at));
    let mut events = Vec::new();
    let (drags, zooms, taps) = &mut out;
    for event in window_events.read() {
        events.push(match event {
            WindowEvent::CursorMoved(moved) => {
                cursor.0 = Some(moved.position);
                PointerEvent::Move {
                    id: MOUSE,
                    at: moved.position,
                }
            }
            WindowEvent::MouseButtonInput(press) if press.button == MouseButton::Left => {
                let Some(at) = cursor.0 else { continue };
                match press.state {
                    // A press that starts on a panel belongs to the panel.
                    ButtonState::Pressed if over_ui(Some(at)) => continue,
                    ButtonState::Pressed => PointerEvent::Down { id: MOUSE, at },
                    ButtonState::Released => PointerEvent::Up { id: MOUSE, at },
                }
            }
            WindowEvent::TouchInput(touch) => {
                let (id, at) = (touch.id, touch.position);
                match touch.phase {
                    TouchPhase::Started if over_ui(Some(at)) => continue,
                    TouchPhase::Started => PointerEvent::Down { id, at },
                    TouchPhase::Moved => PointerEvent::Move { id, at },
                    TouchPhase::Ended => PointerEvent::Up { id, at },
                    TouchPhase::Canceled => PointerEvent::Cancel { id },
                }
            }
            // The wheel and the trackpad scroll or zoom whatever is under the cursor.
            WindowEvent::MouseWheel(wheel) if !over_ui(cursor.0) => {
                let notches = match wheel.unit {
                    MouseScrollUnit::Line => wheel.y,
                    MouseScrollUnit::Pixel => wheel.y / 60.0,
                };
                if notches != 0.0 {
                    zooms.write(GlobeZoom((-0.12 * notches).exp()));
                }
                continue;
            }
            WindowEvent::PinchGesture(pinch) if !over_ui(cursor.0) => {
                zooms.write(GlobeZoom((-pinch.0).exp()));
                continue;
            }
            _ => continue,
        });
    }
    for event in events {
        match tracker.handle(event) {
            Some(Gesture::Drag(delta)) => {
                drags.write(GlobeDrag(delta));
            }
            Some(Gesture::Pinch(spread)) => {
                zooms.write(GlobeZoom(1.0 / spread));
            }
            Some(Gesture::Tap(at)) => {
                if let Some(ray) = ray_at(&camera, at) {
                    taps.write(GlobeTap(ray));
                }
            }
            None => {}
        }
    }
    dragging.set_if_neq(Dragging(tracker.is_manipulating()));
}

fn update_pointer_ray(
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Query<(&Camera, &GlobalTransform)>,
    egui: Option<Res<EguiWantsInput>>,
    cover: Res<UiCover>,
    mut pointer: ResMut<PointerRay>,
) {
    let egui_wants = egui.is_some_and(|e| e.wants_any_pointer_input());
    let ray = window
        .cursor_position()
        .filter(|&at| !egui_wants && !cover.covers(at))
        .and_then(|at| ray_at(&camera, at));
    pointer.set_if_neq(PointerRay(ray));
}

/// The ray through a window position, if it falls inside the 3D camera's viewport.
fn ray_at(camera: &Query<(&Camera, &GlobalTransform)>, at: Vec2) -> Option<Ray3d> {
    let (camera, transform) = camera.iter().find(|(c, _)| c.order == 0)?;
    let rect = camera.logical_viewport_rect()?;
    rect.contains(at)
        .then(|| camera.viewport_to_world(transform, at).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use PointerEvent::*;

    fn run(events: &[PointerEvent]) -> Vec<Gesture> {
        let mut tracker = GestureTracker::default();
        events.iter().filter_map(|e| tracker.handle(*e)).collect()
    }

    #[test]
    fn a_click_in_place_is_a_tap() {
        let at = Vec2::new(100.0, 100.0);
        let gestures = run(&[
            Down { id: 1, at },
            Move {
                id: 1,
                at: at + 2.0,
            },
            Up { id: 1, at },
        ]);
        assert_eq!(gestures, vec![Gesture::Tap(at)]);
    }

    #[test]
    fn a_drag_rotates_and_never_taps() {
        let at = Vec2::new(100.0, 100.0);
        let gestures = run(&[
            Down { id: 1, at },
            Move {
                id: 1,
                at: at + Vec2::new(6.0, 0.0),
            },
            Move {
                id: 1,
                at: at + Vec2::new(20.0, 0.0),
            },
            Move { id: 1, at },
            Up { id: 1, at },
        ]);
        assert_eq!(
            gestures,
            vec![
                Gesture::Drag(Vec2::new(14.0, 0.0)),
                Gesture::Drag(Vec2::new(-20.0, 0.0))
            ]
        );
    }

    #[test]
    fn a_pinch_zooms_and_its_last_finger_never_taps() {
        let (a, b) = (Vec2::new(100.0, 100.0), Vec2::new(200.0, 100.0));
        let gestures = run(&[
            Down { id: 1, at: a },
            Down { id: 2, at: b },
            Move {
                id: 2,
                at: Vec2::new(300.0, 100.0),
            },
            Up {
                id: 2,
                at: Vec2::new(300.0, 100.0),
            },
            // The remaining finger lifts where it went down, over a country: still no tap.
            Up { id: 1, at: a },
        ]);
        assert_eq!(gestures, vec![Gesture::Pinch(2.0)]);
    }

    #[test]
    fn a_cancelled_touch_never_taps() {
        let at = Vec2::new(5.0, 5.0);
        assert!(run(&[Down { id: 1, at }, Cancel { id: 1 }, Up { id: 1, at }]).is_empty());
    }

    #[test]
    fn a_fresh_gesture_after_a_drag_can_tap() {
        let at = Vec2::new(50.0, 50.0);
        let far = at + Vec2::new(40.0, 0.0);
        let gestures = run(&[
            Down { id: 1, at },
            Move { id: 1, at: far },
            Up { id: 1, at: far },
            Down { id: 1, at },
            Up { id: 1, at },
        ]);
        assert_eq!(gestures.last(), Some(&Gesture::Tap(at)));
    }
}
