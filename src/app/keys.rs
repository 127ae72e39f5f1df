//! The keyboard as it was used, not as it is at frame time, and whose the keys are.
//!
//! A quick tap (Ctrl+F, an arrow, +) can go down and up between two updates when frames are
//! slow; `ButtonInput::pressed` then never sees it, and a chord released before the update
//! loses its modifiers. So each reader folds the `KeyboardInput` messages in the order they
//! came ([`Keys`]): every press with the modifiers held as it went down, and for held keys
//! how long they count as held this frame, a tap included.
//!
//! Keys are the app's unless the UI has the keyboard ([`UiKeyboard`]): what egui does with
//! the keys it gets is not this file's concern.

use bevy::ecs::system::SystemParam;
use bevy::input::ButtonState;
use bevy::input::keyboard::{KeyboardFocusLost, KeyboardInput};
use bevy::platform::collections::HashSet;
use bevy::prelude::*;

/// Whether the keyboard is the UI's, as the last UI pass left it: while a text field has it
/// (the finder, the search box), keys type there and the first Esc clears or leaves the
/// field. Otherwise they are the app's, even while egui holds a popup open (the topic
/// filter's list) or a widget focused, which bevy_egui's `EguiWantsInput` counts as wanting
/// the keyboard: the first Esc would only close that, and closing the panel would take a
/// second press.
#[derive(Resource, Default, Debug, PartialEq)]
pub struct UiKeyboard(pub bool);

/// The modifiers held as a key went down.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    pub super_key: bool,
}

impl Modifiers {
    fn of(held: &HashSet<KeyCode>) -> Self {
        let any = |pair: [KeyCode; 2]| pair.iter().any(|k| held.contains(k));
        Self {
            ctrl: any([KeyCode::ControlLeft, KeyCode::ControlRight]),
            alt: any([KeyCode::AltLeft, KeyCode::AltRight]),
            shift: any([KeyCode::ShiftLeft, KeyCode::ShiftRight]),
            super_key: any([KeyCode::SuperLeft, KeyCode::SuperRight]),
        }
    }
}

/// One frame's keyboard: what went down, and what was held at its start and end.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FrameKeys {
    /// Presses in order, with the modifiers held then; a held key's repeats are not presses.
    pub presses: Vec<(KeyCode, Modifiers)>,
    held_at_start: HashSet<KeyCode>,
    held_at_end: HashSet<KeyCode>,
}

impl FrameKeys {
    /// Folds one frame's messages into `held`, the keys down before it.
    pub fn fold<'a>(
        held: &mut HashSet<KeyCode>,
        events: impl IntoIterator<Item = &'a KeyboardInput>,
    ) -> Self {
        let held_at_start = held.clone();
        let mut presses = Vec::new();
        for event in events {
            match event.state {
                ButtonState::Pressed => {
                    if held.insert(event.key_code) && !event.repeat {
                        presses.push((event.key_code, Modifiers::of(held)));
                    }
                }
                ButtonState::Released => {
                    held.remove(&event.key_code);
                }
            }
        }
        Self {
            presses,
            held_at_start,
            held_at_end: held.clone(),
        }
    }

    pub fn just_pressed(&self, key: KeyCode) -> bool {
        self.presses.iter().any(|(k, _)| *k == key)
    }

    /// Whether any key was pressed or held this frame.
    pub fn any(&self) -> bool {
        !self.presses.is_empty() || !self.held_at_start.is_empty() || !self.held_at_end.is_empty()
    }

    /// How many seconds of this frame the strongest of `keys` counts as held: the whole
    /// frame (`dt`) if one was down at its start or end, `tap` if one only went down and up
    /// within it, else none. A tap's worth is fixed rather than the frame's length, so that a
    /// tap moves as far on a slow frame as on a fast one.
    pub fn held_seconds(&self, keys: &[KeyCode], dt: f64, tap: f64) -> f64 {
        let held = |k: &KeyCode| self.held_at_start.contains(k) || self.held_at_end.contains(k);
        if keys.iter().any(held) {
            dt
        } else if keys.iter().any(|k| self.just_pressed(*k)) {
            tap
        } else {
            0.0
        }
    }
}

/// A system's view of the keyboard: its own reader of the messages and the keys it has seen
/// held. A lost keyboard focus (Alt+Tab) releases every key, as `ButtonInput` does.
#[derive(SystemParam)]
pub struct Keys<'w, 's> {
    events: MessageReader<'w, 's, KeyboardInput>,
    focus_lost: MessageReader<'w, 's, KeyboardFocusLost>,
    held: Local<'s, HashSet<KeyCode>>,
}

impl Keys<'_, '_> {
    /// This frame's keys. Call once a frame: the messages are read as they are folded.
    pub fn frame(&mut self) -> FrameKeys {
        let keys = FrameKeys::fold(&mut self.held, self.events.read());
        if self.focus_lost.read().count() > 0 {
            self.held.clear();
        }
        keys
    }
}

#[cfg(test)]
mod frame_keys_tests {
    use super::*;
    use bevy::input::keyboard::Key;

    fn key(key_code: KeyCode, state: ButtonState) -> KeyboardInput {
        KeyboardInput {
            key_code,
            logical_key: Key::Unidentified(bevy::input::keyboard::NativeKey::Unidentified),
            state,
            text: None,
            repeat: false,
            window: Entity::PLACEHOLDER,
        }
    }

    #[test]
    fn a_chord_tapped_within_one_frame_keeps_its_modifiers() {
        let mut held = HashSet::default();
        let keys = FrameKeys::fold(
            &mut held,
            &[
                key(KeyCode::ControlLeft, ButtonState::Pressed),
                key(KeyCode::KeyF, ButtonState::Pressed),
                key(KeyCode::KeyF, ButtonState::Released),
                key(KeyCode::ControlLeft, ButtonState::Released),
            ],
        );
        let ctrl = Modifiers {
            ctrl: true,
            ..default()
        };
        assert_eq!(
            keys.presses,
            [(KeyCode::ControlLeft, ctrl), (KeyCode::KeyF, ctrl)]
        );
        assert!(held.is_empty());
    }

    #[test]
    fn a_tap_counts_a_fixed_time_and_a_held_key_the_frame() {
        let mut held = HashSet::default();
        let tap = FrameKeys::fold(
            &mut held,
            &[
                key(KeyCode::ArrowLeft, ButtonState::Pressed),
                key(KeyCode::ArrowLeft, ButtonState::Released),
                key(KeyCode::Equal, ButtonState::Pressed),
            ],
        );
        assert_eq!(tap.held_seconds(&[KeyCode::ArrowLeft], 0.7, 0.1), 0.1);
        assert_eq!(tap.held_seconds(&[KeyCode::Equal], 0.7, 0.1), 0.7);
        assert_eq!(tap.held_seconds(&[KeyCode::ArrowRight], 0.7, 0.1), 0.0);
        // Held from the last frame and released in this one: held for the frame.
        let released = FrameKeys::fold(&mut held, &[key(KeyCode::Equal, ButtonState::Released)]);
        assert_eq!(released.held_seconds(&[KeyCode::Equal], 0.7, 0.1), 0.7);
        assert!(!released.just_pressed(KeyCode::Equal));
        let idle = FrameKeys::fold(&mut held, &[]);
        assert!(!idle.any());
    }

    #[test]
    fn a_repeat_is_no_new_press() {
        let mut held = HashSet::default();
        FrameKeys::fold(&mut held, &[key(KeyCode::Escape, ButtonState::Pressed)]);
        let repeat = KeyboardInput {
            repeat: true,
            ..key(KeyCode::Escape, ButtonState::Pressed)
        };
        let keys = FrameKeys::fold(&mut held, &[repeat]);
        assert!(!keys.just_pressed(KeyCode::Escape));
        assert!(keys.any());
    }
}
