//! Kiosk mode (`newsglobe --kiosk`): a touch screen in a public place, unattended for days.
//!
//! Left alone, the view resets (panels close, the globe flies home), then the attract loop
//! tours the featured countries, each with a card of its top headlines; any touch, click, key
//! or wheel ends the loop at once. Links open no browser: an article shows as a QR code a
//! visitor scans with a phone. The only way out is the key chord from the config.
//!
//! Each stop's card appears when the flight there lands, with the country's flag and name at
//! once and its headlines as they arrive (never "no news" before the news thread has said
//! so), and the view aims south of the country by what the card covers. A tap on the card
//! acts on the card that was under the finger when it went down, even if the card has
//! changed or gone by the time it lifts: the touch itself ends the loop.
//!
//! The timing is [`IdleClock`]'s, a pure state machine; this file feeds it input and time and
//! carries out what it says. [`plugin`] is the headless part (tested with a manual clock);
//! the card and the QR view are drawn in `ui::kiosk`. The borderless fullscreen window, the
//! hidden cursor and the ignored close requests are set where the window is made (`run`).

use bevy::input::ButtonState;
use bevy::input::touch::TouchPhase;
use bevy::prelude::*;
use bevy::window::WindowEvent;

use super::atlas::Atlas;
use super::camera::{FOV_DEG, GlobeView, HOME, HOME_DISTANCE, fit_distance};
use super::idle::{IdleAction, IdleClock, IdleTimes, Phase};
use super::keys::{FrameKeys, Keys, Modifiers};
use super::news::{AskArticles, CloseArticle, ReadArticle, RecentCounts};
use super::pointer::TAP_SLOP;
use super::rest::Alarm;
use super::selection::SelectCountry;
use super::ui::{TextZoom, UiState};
use super::{AppMode, AppSystems};
use crate::config::{self, Chord, ChordKey};
use crate::geo::LatLon;
use crate::news::Article;

/// How many countries the loop tours when the config names none: the busiest of the day.
const TOUR_LENGTH: usize = 12;

/// The tour when the store has no recent news at all: big countries on every continent.
const FALLBACK_TOUR: [&str; 8] = ["BRA", "IND", "NGA", "JPN", "DEU", "AUS", "MEX", "EGY"];

/// How far, in logical pixels, a mouse must move to count as someone there.
const CURSOR_SLOP: f32 = 4.0;

/// Where the card's top edge is, as a share of the window's height from the top, until a
/// card has been laid out: what one with three headlines measures at the kiosk's 1.5 text
/// scale on a 1280 x 720 screen.
const CARD_TOP_GUESS: f32 = 0.36;

/// The loop's view of a country is never closer than this: the card covers the bottom of
/// the screen, and the country should be seen among its neighbours.
const TOUR_MIN_DISTANCE: f64 = 2.2;

/// The kiosk's settings, checked and resolved against the atlas.
#[derive(Resource, Debug, Clone)]
pub struct KioskSettings {
    pub times: IdleTimes,
    /// Degrees a second the globe turns while touring.
    pub spin: f64,
    /// The featured countries, as atlas indices, in order.
    pub featured: Vec<usize>,
    pub text_scale: f32,
    pub chord: Chord,
}

impl KioskSettings {
    /// Resolves the config's featured codes; a code the atlas does not know is logged and
    /// skipped rather than stopping a kiosk that nobody is watching.
    pub fn new(kiosk: &config::KioskConfig, atlas: &Atlas) -> Result<Self, config::ConfigError> {
        kiosk.validate()?;
        let featured = kiosk
            .featured
            .iter()
            .filter_map(|code| {
                let found = atlas.find(code);
                if found.is_none() {
                    warn!("kiosk: featured country {code:?} is not in the atlas; skipped");
                }
                found
            })
            .collect();
        Ok(Self {
            times: IdleTimes::from(kiosk),
            spin: kiosk.attract_spin_degrees_per_second.into(),
            featured,
            text_scale: kiosk.text_scale,
            chord: kiosk.chord()?,
        })
    }
}

/// The kiosk's state: its idle clock and the country whose card the loop shows.
#[derive(Resource, Debug)]
pub struct KioskState {
    clock: IdleClock,
    /// The country the loop is at (an index into [`Atlas::countries`]), from the moment the
    /// flight there starts.
    pub stop: Option<usize>,
    /// The country whose attract card is shown: the stop's, once the flight there has landed.
    pub card: Option<usize>,
    /// Where the last UI pass drew the card, for taps on it.
    pub card_layout: Option<CardLayout>,
    /// The card's top edge as a share of the globe view's height, as last laid out.
    pub(super) card_top: f32,
    /// What a finger or the mouse went down on, while it is down.
    pressed: Option<CardPress>,
    /// The countries of this run of the loop, fixed when it starts so that news arriving
    /// meanwhile cannot reorder it under the visitor's eyes.
    tour: Vec<usize>,
    /// How many idle resets there have been, so the egui pass can forget the last visit too.
    pub(super) resets: u64,
}

impl KioskState {
    pub fn phase(&self) -> Phase {
        self.clock.phase()
    }

    /// Counts the last input as long enough before `now` that the attract loop starts on the
    /// next update (the `screenshot --attract` capture).
    pub fn start_attract(&mut self, times: IdleTimes, now: f64) {
        self.clock = IdleClock::new(times, now - times.attract_after);
    }
}

/// The attract card as drawn, in the window's logical pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct CardLayout {
    pub country: usize,
    pub rect: Rect,
    /// Each headline's rectangle and its article.
    pub headlines: Vec<(Rect, Article)>,
}

impl CardLayout {
    /// What a tap at `at` is on: the card's country, and the headline under it if any.
    pub fn hit(&self, at: Vec2) -> Option<(usize, Option<Article>)> {
        let article = self.headlines.iter().find(|(r, _)| r.contains(at));
        self.rect
            .contains(at)
            .then(|| (self.country, article.map(|(_, a)| a.clone())))
    }
}

/// A press on the card: what was under it, and where it went down.
#[derive(Debug, Clone)]
struct CardPress {
    id: u64,
    at: Vec2,
    country: usize,
    article: Option<Article>,
}

/// The headless part of kiosk mode: input and time into the idle clock, its actions, the
/// quit chord. It puts the app in [`AppMode::Kiosk`].
pub struct KioskPlugin {
    settings: KioskSettings,
}

impl KioskPlugin {
    /// Checks the config's [kiosk] table and resolves its featured countries in `atlas`.
    pub fn new(config: &config::KioskConfig, atlas: &Atlas) -> Result<Self, config::ConfigError> {
        Ok(Self {
            settings: KioskSettings::new(config, atlas)?,
        })
    }
}

impl Plugin for KioskPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.settings.clone())
            .insert_resource(TextZoom(self.settings.text_scale))
            .insert_resource(KioskState {
                clock: IdleClock::new(self.settings.times, 0.0),
                stop: None,
                card: None,
                card_layout: None,
                card_top: CARD_TOP_GUESS,
                pressed: None,
                tour: Vec::new(),
                resets: 0,
            })
            .insert_state(AppMode::Kiosk)
            .add_systems(Startup, start_idle_clock)
            .add_systems(
                Update,
                (
                    (watch_input, quit_on_chord).in_set(AppSystems::Input),
                    tick_idle_clock.in_set(AppSystems::Pick),
                    show_card_on_landing.in_set(AppSystems::Present),
                ),
            );
    }
}

/// The idle clock counts from the app's start, not from when the plugin was built.
fn start_idle_clock(
    time: Res<Time<Real>>,
    settings: Res<KioskSettings>,
    mut kiosk: ResMut<KioskState>,
) {
    kiosk.clock = IdleClock::new(settings.times, time.elapsed_secs_f64());
}

/// Any touch, click, key, wheel or pointer movement is someone there. A pointer's first
/// report, and reports that do not move it, are not: a window that opens under a resting
/// mouse hears where it is, and that must not stop the loop.
///
/// A press on the attract card is the card's: lifted within [`TAP_SLOP`] of where it went
/// down, it opens the card's country, and on a headline that article in the article view.
fn watch_input(
    time: Res<Time<Real>>,
    mut events: MessageReader<WindowEvent>,
    mut kiosk: ResMut<KioskState>,
    mut cursor: Local<Option<Vec2>>,
    mut select: MessageWriter<SelectCountry>,
    mut read: MessageWriter<ReadArticle>,
) {
    const MOUSE: u64 = u64::MAX;
    let mut inputs = 0;
    for event in events.read() {
        let (id, at, phase) = match event {
            WindowEvent::CursorMoved(moved) => {
                let moved_from = cursor.replace(moved.position);
                inputs += moved_from.is_some_and(|from| from.distance(moved.position) > CURSOR_SLOP)
                    as usize;
                (MOUSE, moved.position, TouchPhase::Moved)
            }
            WindowEvent::MouseButtonInput(press) => {
                inputs += 1;
                // Any button wakes the kiosk; only the left one taps, as on the globe.
                if press.button != MouseButton::Left {
                    continue;
                }
                let Some(at) = *cursor else { continue };
                let phase = match press.state {
                    ButtonState::Pressed => TouchPhase::Started,
                    ButtonState::Released => TouchPhase::Ended,
                };
                (MOUSE, at, phase)
            }
            WindowEvent::TouchInput(touch) => {
                inputs += 1;
                (touch.id, touch.position, touch.phase)
            }
            WindowEvent::KeyboardInput(_)
            | WindowEvent::MouseWheel(_)
            | WindowEvent::PinchGesture(_) => {
                inputs += 1;
                continue;
            }
            _ => continue,
        };
        match phase {
            TouchPhase::Started => {
                let hit = kiosk.card_layout.as_ref().and_then(|card| card.hit(at));
                kiosk.pressed = hit.map(|(country, article)| CardPress {
                    id,
                    at,
                    country,
                    article,
                });
            }
            TouchPhase::Moved => {
                if kiosk
                    .pressed
                    .as_ref()
                    .is_some_and(|p| p.id == id && p.at.distance(at) > TAP_SLOP)
                {
                    kiosk.pressed = None;
                }
            }
            TouchPhase::Ended | TouchPhase::Canceled => {
                let Some(press) = kiosk.pressed.take_if(|p| p.id == id) else {
                    continue;
                };
                if phase == TouchPhase::Ended && press.at.distance(at) <= TAP_SLOP {
                    select.write(SelectCountry(Some(press.country)));
                    if let Some(article) = press.article {
                        read.write(ReadArticle(article));
                    }
                }
            }
        }
    }
    if inputs > 0 && kiosk.clock.input(time.elapsed_secs_f64()) == Some(IdleAction::EndAttract) {
        kiosk.stop = None;
        kiosk.card = None;
    }
}

#[allow(clippy::too_many_arguments)] // The reset and the tour touch all of these.
fn tick_idle_clock(
    time: Res<Time<Real>>,
    mut kiosk: ResMut<KioskState>,
    settings: Res<KioskSettings>,
    atlas: Res<Atlas>,
    counts: Option<Res<RecentCounts>>,
    mut view: ResMut<GlobeView>,
    mut ui: UiState,
    mut select: MessageWriter<SelectCountry>,
    mut ask: MessageWriter<AskArticles>,
    mut close: MessageWriter<CloseArticle>,
    mut alarm: ResMut<Alarm>,
) {
    for action in kiosk.clock.tick(time.elapsed_secs_f64()) {
        match action {
            IdleAction::ResetView => {
                select.write(SelectCountry(None));
                close.write(CloseArticle);
                ui.reset();
                kiosk.stop = None;
                kiosk.card = None;
                kiosk.resets += 1;
                view.fly_to(HOME, HOME_DISTANCE);
            }
            IdleAction::ShowStop(stop) => {
                if stop == 0 || kiosk.tour.is_empty() {
                    kiosk.tour = tour(&settings.featured, &atlas, counts.as_deref());
                }
                let Some(&country) = kiosk.tour.get(stop % kiosk.tour.len().max(1)) else {
                    continue;
                };
                let shown = &atlas.countries[country];
                // Aim south of the country so that it shows in the middle of what the card
                // leaves of the screen above it.
                let distance = fit_distance(shown).max(TOUR_MIN_DISTANCE);
                let above_centre = 1.0 - f64::from(kiosk.card_top);
                let south = aim_offset_deg(above_centre, distance, FOV_DEG.to_radians());
                let aim = LatLon::new((shown.label.lat - south).max(-80.0), shown.label.lon);
                view.fly_to(aim, distance);
                // The last stop's card goes as the flight leaves; this one's comes as it lands.
                // A tour of one country keeps its card.
                if kiosk.stop != Some(country) {
                    kiosk.card = None;
                }
                kiosk.stop = Some(country);
                ask.write(AskArticles(shown.id.clone()));
            }
            IdleAction::EndAttract => {
                kiosk.stop = None;
                kiosk.card = None;
            }
        }
    }
    // The configured turn belongs to the loop; the rest of the time the globe idles as it
    // does on a desk.
    let spin = match kiosk.phase() {
        Phase::Attract { .. } => Some(-settings.spin),
        Phase::Active | Phase::Rested => None,
    };
    if view.tour_spin != spin {
        view.tour_spin = spin;
    }
    alarm.within(kiosk.clock.next_due());
}

/// The stop's card appears once the flight there has landed, not over the last country.
fn show_card_on_landing(view: Res<GlobeView>, mut kiosk: ResMut<KioskState>) {
    let shown = kiosk.card;
    let card = kiosk
        .stop
        .filter(|&stop| view.flight_target().is_none() || shown == Some(stop));
    if kiosk.card != card {
        kiosk.card = card;
    }
}

/// How many degrees south of a country to aim for it to show `above_centre` of the way from
/// the screen's centre to its top edge (0 at the centre, 1 at the edge), for a camera at
/// `distance` globe radii with vertical field of view `fov`: exact on the sphere, not the
/// small-angle guess, since the card pushes the country far from the centre. A point past
/// the globe's edge is not on screen; the aim stops at the edge.
pub fn aim_offset_deg(above_centre: f64, distance: f64, fov: f64) -> f64 {
    // The ray to that screen point makes an angle with the view axis whose tangent is `t`;
    // the sphere point at angle θ from the centre is seen at tan = sin θ / (d − cos θ).
    let t = above_centre.clamp(0.0, 1.0) * (fov / 2.0).tan();
    let reach = t * distance / (1.0 + t * t).sqrt();
    if reach >= 1.0 {
        return (1.0 / distance).acos().to_degrees();
    }
    (reach.asin() - t.atan()).to_degrees()
}

/// The countries the loop visits: the featured ones, else the day's busiest, else a fixed
/// list; empty only for an empty atlas.
pub fn tour(featured: &[usize], atlas: &Atlas, counts: Option<&RecentCounts>) -> Vec<usize> {
    if !featured.is_empty() {
        return featured.to_vec();
    }
    let mut busiest: Vec<(usize, &str)> = counts
        .map(|c| c.0.iter().map(|(id, n)| (*n, id.as_str())).collect())
        .unwrap_or_default();
    busiest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let tour: Vec<usize> = busiest
        .into_iter()
        .filter_map(|(_, id)| atlas.find(id))
        .take(TOUR_LENGTH)
        .collect();
    if !tour.is_empty() {
        return tour;
    }
    let fallback: Vec<usize> = FALLBACK_TOUR
        .iter()
        .filter_map(|id| atlas.find(id))
        .collect();
    if fallback.is_empty() {
        // An atlas without any of them is a test's: tour whatever it has.
        (0..atlas.countries.len().min(TOUR_LENGTH)).collect()
    } else {
        fallback
    }
}

fn quit_on_chord(mut keys: Keys, settings: Res<KioskSettings>, mut exit: MessageWriter<AppExit>) {
    if chord_pressed(&settings.chord, &keys.frame()) {
        info!("kiosk: quit chord pressed");
        exit.write(AppExit::Success);
    }
}

/// Whether the chord's key went down this frame with exactly its modifiers held.
pub fn chord_pressed(chord: &Chord, keys: &FrameKeys) -> bool {
    let wanted = Modifiers {
        ctrl: chord.ctrl,
        alt: chord.alt,
        shift: chord.shift,
        super_key: chord.super_key,
    };
    keys.presses
        .iter()
        .any(|&(key, held)| key == key_code(chord.key) && held == wanted)
}

/// The physical key of a chord's key, on a US layout as Bevy names them.
pub fn key_code(key: ChordKey) -> KeyCode {
    const LETTERS: [KeyCode; 26] = [
        KeyCode::KeyA,
        KeyCode::KeyB,
        KeyCode::KeyC,
        KeyCode::KeyD,
        KeyCode::KeyE,
        KeyCode::KeyF,
        KeyCode::KeyG,
        KeyCode::KeyH,
        KeyCode::KeyI,
        KeyCode::KeyJ,
        KeyCode::KeyK,
        KeyCode::KeyL,
        KeyCode::KeyM,
        KeyCode::KeyN,
        KeyCode::KeyO,
        KeyCode::KeyP,
        KeyCode::KeyQ,
        KeyCode::KeyR,
        KeyCode::KeyS,
        KeyCode::KeyT,
        KeyCode::KeyU,
        KeyCode::KeyV,
        KeyCode::KeyW,
        KeyCode::KeyX,
        KeyCode::KeyY,
        KeyCode::KeyZ,
    ];
    const DIGITS: [KeyCode; 10] = [
        KeyCode::Digit0,
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
        KeyCode::Digit6,
        KeyCode::Digit7,
        KeyCode::Digit8,
        KeyCode::Digit9,
    ];
    const FUNCTION: [KeyCode; 12] = [
        KeyCode::F1,
        KeyCode::F2,
        KeyCode::F3,
        KeyCode::F4,
        KeyCode::F5,
        KeyCode::F6,
        KeyCode::F7,
        KeyCode::F8,
        KeyCode::F9,
        KeyCode::F10,
        KeyCode::F11,
        KeyCode::F12,
    ];
    // The config parser guarantees the ranges; anything else falls back to Escape rather
    // than panicking a kiosk.
    let index = |c: char, first: char| (c as usize).wrapping_sub(first as usize);
    match key {
        ChordKey::Letter(c) => LETTERS.get(index(c, 'A')).copied(),
        ChordKey::Digit(c) => DIGITS.get(index(c, '0')).copied(),
        ChordKey::F(n) => FUNCTION.get(usize::from(n).wrapping_sub(1)).copied(),
        ChordKey::Escape => None,
    }
    .unwrap_or(KeyCode::Escape)
}

#[cfg(test)]
mod aim_offset_deg_tests {
    use super::*;

    /// Where on the screen (0 at the centre, 1 at the top edge) a point `deg` north of the
    /// view's centre shows: the forward projection the aim inverts.
    fn seen_at(deg: f64, distance: f64, fov: f64) -> f64 {
        let theta = deg.to_radians();
        (theta.sin() / (distance - theta.cos())) / (fov / 2.0).tan()
    }

    #[test]
    fn puts_the_country_where_asked() {
        let fov = FOV_DEG.to_radians();
        for (share, distance) in [(0.3, 2.2), (0.64, 2.2), (0.64, 3.5), (0.5, 4.2)] {
            let deg = aim_offset_deg(share, distance, fov);
            let seen = seen_at(deg, distance, fov);
            assert!((seen - share).abs() < 1e-9, "{share} at {distance}: {seen}");
        }
        assert_eq!(aim_offset_deg(0.0, 2.2, fov), 0.0);
    }

    #[test]
    fn the_old_ten_degrees_left_the_country_under_a_real_card() {
        // The card's top at 36% of the screen from the top: the country belongs 64% of the
        // way up from the centre, and ten degrees south put it not half the way, under the
        // card's top edge.
        let fov = FOV_DEG.to_radians();
        let seen = seen_at(10.0, TOUR_MIN_DISTANCE, fov);
        assert!(seen < 0.5, "{seen}");
        let deg = aim_offset_deg(1.0 - f64::from(CARD_TOP_GUESS), TOUR_MIN_DISTANCE, fov);
        assert!((13.0..25.0).contains(&deg), "{deg}");
    }

    #[test]
    fn stops_at_the_globes_edge() {
        let fov = FOV_DEG.to_radians();
        // From far away the whole globe fits the screen: its top edge is below the screen's.
        let edge = aim_offset_deg(1.0, 8.0, fov);
        assert!(
            (edge - (1.0f64 / 8.0).acos().to_degrees()).abs() < 1e-9,
            "{edge}"
        );
    }
}

#[cfg(test)]
mod key_code_tests {
    use super::*;

    #[test]
    fn every_chord_key_has_its_physical_key() {
        assert_eq!(key_code(ChordKey::Letter('A')), KeyCode::KeyA);
        assert_eq!(key_code(ChordKey::Letter('Q')), KeyCode::KeyQ);
        assert_eq!(key_code(ChordKey::Letter('Z')), KeyCode::KeyZ);
        assert_eq!(key_code(ChordKey::Digit('0')), KeyCode::Digit0);
        assert_eq!(key_code(ChordKey::Digit('9')), KeyCode::Digit9);
        assert_eq!(key_code(ChordKey::F(1)), KeyCode::F1);
        assert_eq!(key_code(ChordKey::F(12)), KeyCode::F12);
        assert_eq!(key_code(ChordKey::Escape), KeyCode::Escape);
    }
}

#[cfg(test)]
mod chord_pressed_tests {
    use super::*;

    use bevy::input::ButtonState;
    use bevy::input::keyboard::{Key, KeyboardInput, NativeKey};
    use bevy::platform::collections::HashSet;

    /// `held` going down, then `pressed`, all within one frame and all released in it.
    fn keys(held: &[KeyCode], pressed: KeyCode) -> FrameKeys {
        let event = |key_code, state| KeyboardInput {
            key_code,
            logical_key: Key::Unidentified(NativeKey::Unidentified),
            state,
            text: None,
            repeat: false,
            window: Entity::PLACEHOLDER,
        };
        let down = held
            .iter()
            .chain([&pressed])
            .map(|k| event(*k, ButtonState::Pressed));
        let up = held
            .iter()
            .chain([&pressed])
            .map(|k| event(*k, ButtonState::Released));
        let events: Vec<KeyboardInput> = down.chain(up).collect();
        FrameKeys::fold(&mut HashSet::default(), &events)
    }

    #[test]
    fn only_the_whole_chord_quits() {
        let chord: Chord = "Ctrl+Alt+Shift+Q".parse().unwrap();
        let all = [KeyCode::ControlLeft, KeyCode::AltRight, KeyCode::ShiftLeft];
        assert!(chord_pressed(&chord, &keys(&all, KeyCode::KeyQ)));
        assert!(!chord_pressed(&chord, &keys(&all[..2], KeyCode::KeyQ)));
        assert!(!chord_pressed(&chord, &keys(&[], KeyCode::KeyQ)));
        assert!(!chord_pressed(&chord, &keys(&all, KeyCode::KeyW)));
        let with_super = [all.as_slice(), &[KeyCode::SuperLeft]].concat();
        assert!(!chord_pressed(&chord, &keys(&with_super, KeyCode::KeyQ)));
    }
}
