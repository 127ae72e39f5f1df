//! The view: which point of the globe faces the user and from how far, driven by drags with
//! inertia, wheel and pinch zoom, the keyboard, idle rotation, and a smooth flight to the
//! selected country.
//!
//! The camera stays on +Z looking at the origin and the globe turns beneath it, so the light
//! (fixed beside the camera) always falls on the side the user sees. North stays up: the view
//! is a latitude/longitude at the centre of the screen plus a distance, never a free rotation.
//! The math is plain functions with a test module each, after bevy_panorbit_camera.

use bevy::input::keyboard::KeyCode;
use bevy::light::{DirectionalLightShadowMap, PointLightShadowMap};
use bevy::prelude::*;
use bevy::window::RequestRedraw;

use super::AppSystems;
use super::atlas::Atlas;
use super::globe::Globe;
use super::keys::{FrameKeys, Keys, UiKeyboard};
use super::pointer::{Dragging, GlobeDrag, GlobeZoom};
use super::rest::{Alarm, Rest};
use super::selection::Selection;
use crate::geo::{Country, EARTH_RADIUS_KM, LatLon, arc_between, from_unit, to_unit};

/// Camera distance from the globe's centre, in globe radii.
pub const MIN_DISTANCE: f64 = 1.25;
pub const MAX_DISTANCE: f64 = 8.0;
pub const HOME: LatLon = LatLon::new(20.0, 10.0);
/// Far enough for the whole globe to fit the view's height with a margin.
pub const HOME_DISTANCE: f64 = 4.2;
/// Vertical field of view of the globe camera.
pub const FOV_DEG: f64 = 35.0;
/// The view's centre never goes closer to a pole than this, so north stays up.
const MAX_LAT: f64 = 85.0;
/// Seconds without input before the globe starts turning by itself.
const IDLE_SECONDS: f64 = 6.0;
/// The idle spin's frame interval: it turns slowly, and a spin drawn at 30 frames a second
/// costs half of one drawn at the display's 60.
const SPIN_FRAME_SECONDS: f64 = 1.0 / 30.0;
/// Coasting slower than this (degrees per second) has stopped: the eye no longer sees it.
const STOPPED_DEG_PER_S: f64 = 0.05;
/// A zoom this close to its target (in globe radii) has arrived.
const ZOOM_ARRIVED: f64 = 1e-4;
/// Idle rotation by default, degrees of longitude per second, westward as the Earth turns.
pub const IDLE_SPIN: f64 = -4.0;
/// Seconds for a coasting globe to lose 63% of its speed.
const INERTIA_TAU: f64 = 0.45;
/// Seconds for the distance to close 63% of the way to a zoom target.
const ZOOM_TAU: f64 = 0.08;
const FLIGHT_SECONDS: f64 = 1.4;
/// Keyboard rotation, in screen heights per second.
const KEY_SPIN: f64 = 0.6;
/// How long an arrow or +/- tapped within one frame counts as held: a nudge a person sees.
const KEY_TAP_SECONDS: f64 = 0.15;
/// Steps of the walk that finds the smallest cap around a story's countries: the cap comes
/// out within about 2% of the smallest, in well under a millisecond for sixty countries.
const CAP_STEPS: usize = 2_500;
/// Room around the framed countries' label points, in degrees of arc: about half a
/// mid-sized country, so that the countries at the edge show, not only their middles.
const FRAME_MARGIN_DEG: f64 = 10.0;

/// Marks the camera the globe is seen through.
#[derive(Component)]
pub struct GlobeCamera;

/// Where the user is looking: the point at the centre of the screen and the distance.
#[derive(Resource, Debug, Clone)]
pub struct GlobeView {
    pub center: LatLon,
    pub distance: f64,
    target_distance: f64,
    /// Degrees per second of (longitude, latitude) while coasting after a drag.
    velocity: (f64, f64),
    idle_seconds: f64,
    /// The idle turn, degrees of longitude per second (negative is westward); 0 turns it
    /// off.
    pub idle_spin: f64,
    /// The kiosk's attract loop turns at its own speed while it runs.
    pub tour_spin: Option<f64>,
    flight: Option<Flight>,
    /// Height of the 3D viewport in logical pixels, for pixel-to-angle conversions.
    viewport_height: f64,
    /// Width over height of the 3D viewport, which the panels narrow.
    viewport_aspect: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flight {
    from: (LatLon, f64),
    to: (LatLon, f64),
    elapsed: f64,
}

impl Default for GlobeView {
    fn default() -> Self {
        Self {
            center: HOME,
            distance: HOME_DISTANCE,
            target_distance: HOME_DISTANCE,
            velocity: (0.0, 0.0),
            idle_seconds: 0.0,
            idle_spin: IDLE_SPIN,
            tour_spin: None,
            flight: None,
            viewport_height: 720.0,
            viewport_aspect: 16.0 / 9.0,
        }
    }
}

impl GlobeView {
    /// Kilometres of ground per screen pixel at the centre of the view.
    pub fn km_per_pixel(&self) -> f64 {
        radians_per_pixel(self.distance, self.viewport_height, FOV_DEG.to_radians())
            * EARTH_RADIUS_KM
    }

    /// Where a flight is heading, if one is under way.
    pub fn flight_target(&self) -> Option<LatLon> {
        self.flight.map(|f| f.to.0)
    }

    /// Starts a smooth flight that centres `to` at `distance`.
    pub fn fly_to(&mut self, to: LatLon, distance: f64) {
        self.velocity = (0.0, 0.0);
        self.flight = Some(Flight {
            from: (self.center, self.distance),
            to: (to, distance.clamp(MIN_DISTANCE, MAX_DISTANCE)),
            elapsed: 0.0,
        });
    }

    /// Starts a flight that brings every point (and some land around it) into view, as
    /// near as the view's narrower side allows. Points too far apart for one view (the
    /// United States, Turkey and India) get the view that shows the most of them, on the
    /// earliest point among equals: the middle of their cap would be a pole, showing the
    /// fringe of each.
    pub fn frame(&mut self, points: &[LatLon]) {
        let Some((center, radius)) = enclosing_cap(points) else {
            return;
        };
        let vertical = FOV_DEG.to_radians() / 2.0;
        let horizontal = (vertical.tan() * self.viewport_aspect).atan();
        let half_fov = vertical.min(horizontal);
        let seen = 90.0 - half_fov.to_degrees() - FRAME_MARGIN_DEG;
        let center = if radius > seen {
            densest_view(points, seen).unwrap_or(center)
        } else {
            center
        };
        let distance = cap_distance(radius + FRAME_MARGIN_DEG, half_fov);
        // Past the latitude limit north would no longer stay up, and the next drag would snap.
        let center = LatLon {
            lat: center.lat.clamp(-MAX_LAT, MAX_LAT),
            ..center
        };
        self.fly_to(center, distance);
    }

    /// Ends any flight at once, as a capture wants.
    pub fn land(&mut self) {
        if let Some(flight) = self.flight.take() {
            (self.center, self.distance) = flight.to;
            self.target_distance = self.distance;
        }
    }

    fn rotate_by_pixels(&mut self, delta: Vec2) -> (f64, f64) {
        let rad = radians_per_pixel(self.distance, self.viewport_height, FOV_DEG.to_radians());
        let deg = rad.to_degrees();
        let cos_lat = self.center.lat.to_radians().cos().max(0.35);
        let step = (-delta.x as f64 * deg / cos_lat, delta.y as f64 * deg);
        self.turn(step);
        step
    }

    fn turn(&mut self, (dlon, dlat): (f64, f64)) {
        self.center = LatLon::new(
            (self.center.lat + dlat).clamp(-MAX_LAT, MAX_LAT),
            wrap_lon(self.center.lon + dlon),
        );
    }

    fn touch(&mut self) {
        self.idle_seconds = 0.0;
        self.flight = None;
    }

    /// The turn when idle: the attract loop's while it runs, else the configured one.
    fn spin(&self) -> f64 {
        self.tour_spin.unwrap_or(self.idle_spin)
    }

    /// Starts the idle spin now, as if the user had left it alone for long enough.
    pub fn start_idle_spin(&mut self) {
        self.idle_seconds = self.idle_seconds.max(IDLE_SECONDS);
    }

    /// What the view is doing, for how soon the next frame is needed.
    fn motion(&self, selected: bool) -> Motion {
        let coasting = self.velocity.0.hypot(self.velocity.1) > STOPPED_DEG_PER_S;
        let zooming = (self.target_distance - self.distance).abs() > ZOOM_ARRIVED;
        if self.flight.is_some() || coasting || zooming {
            Motion::Moving
        } else if selected || self.spin() == 0.0 {
            Motion::Still { spin_in: None }
        } else if self.idle_seconds > IDLE_SECONDS {
            Motion::Spinning
        } else {
            Motion::Still {
                spin_in: Some(IDLE_SECONDS - self.idle_seconds),
            }
        }
    }

    /// Ends a coast or zoom too small to see, so that the view counts as still.
    fn settle(&mut self) {
        if self.velocity.0.hypot(self.velocity.1) <= STOPPED_DEG_PER_S {
            self.velocity = (0.0, 0.0);
        }
        if (self.target_distance - self.distance).abs() <= ZOOM_ARRIVED {
            self.distance = self.target_distance;
        }
    }
}

/// What the view is doing, for how soon the app must draw again.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Motion {
    /// A flight, a coast or a zoom: draw the next frame at once.
    Moving,
    /// Only the idle spin turns the globe: a slow frame rate is enough.
    Spinning,
    /// Nothing moves; the idle spin starts in `spin_in` seconds, if it will.
    Still { spin_in: Option<f64> },
}

/// The globe's rotation that brings `center` to face +Z with north up.
pub fn globe_rotation(center: LatLon) -> Quat {
    Quat::from_rotation_x(center.lat.to_radians() as f32)
        * Quat::from_rotation_y(-center.lon.to_radians() as f32)
}

/// Radians of globe surface under one pixel at the centre of the view, for a camera at
/// `distance` radii with vertical field of view `fov` over `height` pixels.
pub fn radians_per_pixel(distance: f64, height: f64, fov: f64) -> f64 {
    (distance - 1.0) * 2.0 * (fov / 2.0).tan() / height.max(1.0)
}

/// The signed longitude change, in (-180, 180], that goes from `from` to `to` the short way.
pub fn shortest_lon_delta(from: f64, to: f64) -> f64 {
    let d = (to - from).rem_euclid(360.0);
    if d > 180.0 { d - 360.0 } else { d }
}

fn wrap_lon(lon: f64) -> f64 {
    (lon + 180.0).rem_euclid(360.0) - 180.0
}

/// Cubic ease-in-out on [0, 1].
pub fn ease_in_out(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// How far a value moves toward its target in `dt` seconds with time constant `tau`,
/// independent of the frame rate.
pub fn smoothing(dt: f64, tau: f64) -> f64 {
    1.0 - (-dt / tau).exp()
}

/// A camera distance that shows a country whole: small states up close, big ones from afar.
pub fn fit_distance(country: &Country) -> f64 {
    let b = country.bbox;
    let lat_span = b.max.lat - b.min.lat;
    // Countries cut at the antimeridian span ~360° of longitude; their height says more.
    let lon_span =
        (b.max.lon - b.min.lon).min(lat_span * 2.5) * country.label.lat.to_radians().cos();
    let extent = lat_span.max(lon_span).min(90.0);
    (1.5 + extent / 20.0).clamp(1.6, HOME_DISTANCE)
}

/// The smallest cap of the sphere that holds every point: its centre and its angular radius
/// in degrees; `None` without points.
///
/// For points within a hemisphere that cap is where the sphere meets the smallest ball
/// holding the points (both rest on the same two or three points, with the centre among
/// them), so this finds the ball by the walk toward the farthest point of Bădoiu and
/// Clarkson ("Optimal core-sets for balls", 2008): simple, and within 1/√steps of its
/// radius. The radius is measured from where the walk ends, so the cap holds every point
/// however short the walk. Points spread around the whole globe get a cap wider than a
/// hemisphere, which no view shows whole anyway.
pub fn enclosing_cap(points: &[LatLon]) -> Option<(LatLon, f64)> {
    let points: Vec<_> = points.iter().map(|&p| to_unit(p)).collect();
    let mut center = *points.first()?;
    for step in 1..=CAP_STEPS {
        let farthest = points
            .iter()
            .max_by(|a, b| {
                a.distance_squared(center)
                    .total_cmp(&b.distance_squared(center))
            })
            .copied()
            .unwrap_or(center);
        center += (farthest - center) / (step as f64 + 1.0);
    }
    // Points evenly around the globe balance out at its middle, where any direction is as
    // good as another.
    let direction = center.try_normalize().unwrap_or(points[0]);
    let radius = points
        .iter()
        .map(|&p| arc_between(direction, p))
        .fold(0.0, f64::max);
    Some((from_unit(direction), radius.to_degrees()))
}

/// Of the points, the one with the most others within `radius` degrees of it, the earliest
/// among equals; `None` for no point.
pub fn densest_view(points: &[LatLon], radius: f64) -> Option<LatLon> {
    let units: Vec<_> = points.iter().map(|&p| to_unit(p)).collect();
    let within = |center: bevy::math::DVec3| {
        units
            .iter()
            .filter(|&&p| arc_between(center, p).to_degrees() <= radius)
            .count()
    };
    let mut best: Option<(usize, usize)> = None;
    for (i, &p) in units.iter().enumerate() {
        let count = within(p);
        if best.is_none_or(|(_, most)| count > most) {
            best = Some((i, count));
        }
    }
    best.map(|(i, _)| points[i])
}

/// The camera distance, in globe radii, at which a cap of `radius` degrees around the view's
/// centre just fills a view of half-angle `half_fov` (radians). A cap too wide to be seen
/// whole (beyond 90° less the half-angle, part of it is round the back) gets the distance
/// at which the whole visible disc just fits.
pub fn cap_distance(radius: f64, half_fov: f64) -> f64 {
    // The cap's rim at angle r stands sin r off the axis and cos r in front of the centre:
    // seen from d, at atan(sin r / (d - cos r)), which equals the half-angle here.
    let r = radius
        .to_radians()
        .clamp(0.0, std::f64::consts::FRAC_PI_2 - half_fov);
    r.cos() + r.sin() / half_fov.tan()
}

/// The globe's camera and its light, for the windowed app; headless tests spawn what they
/// need themselves.
pub(super) fn view_plugin(app: &mut App) {
    // No light draws shadows (the sun's shadow maps are off), yet the renderer binds a shadow
    // map of each kind to every lit draw and clears it once before first use: at Bevy's sizes
    // that is 40 MiB of memory (2048² for the sun, six 1024² faces for point lights) that
    // only ever holds zeros.
    app.insert_resource(DirectionalLightShadowMap {
        size: UNUSED_SHADOW_MAP,
    })
    .insert_resource(PointLightShadowMap {
        size: UNUSED_SHADOW_MAP,
    })
    .add_systems(Startup, spawn_view);
}

/// The side of the shadow maps the renderer insists on binding; see [`view_plugin`].
const UNUSED_SHADOW_MAP: usize = 16;

fn spawn_view(mut commands: Commands) {
    commands.spawn(globe_camera());
    commands.spawn(sun());
}

/// The camera the globe is seen through, at the home distance.
pub(super) fn globe_camera() -> impl Bundle {
    (
        Name::new("Globe camera"),
        GlobeCamera,
        Camera3d::default(),
        Projection::Perspective(PerspectiveProjection {
            fov: (FOV_DEG as f32).to_radians(),
            near: 0.01,
            ..default()
        }),
        Transform::from_xyz(0.0, 0.0, HOME_DISTANCE as f32).looking_at(Vec3::ZERO, Vec3::Y),
    )
}

/// The light stays with the viewer (the globe turns, not the camera), so the side facing the
/// user is always lit: a sun over the left shoulder.
pub(super) fn sun() -> impl Bundle {
    (
        Name::new("Sun"),
        DirectionalLight {
            illuminance: 6_000.0,
            ..default()
        },
        Transform::from_xyz(-3.0, 2.5, 4.0).looking_at(Vec3::ZERO, Vec3::Y),
    )
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<GlobeView>().add_systems(
        Update,
        (
            fly_to_selection.run_if(resource_changed::<Selection>),
            steer,
            apply_view,
        )
            .chain()
            .in_set(AppSystems::Camera),
    );
}

fn fly_to_selection(selection: Res<Selection>, atlas: Res<Atlas>, mut view: ResMut<GlobeView>) {
    if let Some(country) = selection.0.map(|c| &atlas.countries[c]) {
        view.fly_to(country.label, fit_distance(country));
    }
}

/// Everything that moves the view this frame: gestures, keys, coasting, flight, idle spin.
#[allow(clippy::too_many_arguments)] // Each input stream is its own parameter, on purpose.
fn steer(
    time: Res<Time>,
    mut drags: MessageReader<GlobeDrag>,
    mut zooms: MessageReader<GlobeZoom>,
    mut keys: Keys,
    ui_keyboard: Option<Res<UiKeyboard>>,
    dragging: Res<Dragging>,
    selection: Res<Selection>,
    camera: Query<&Camera, With<GlobeCamera>>,
    mut view: ResMut<GlobeView>,
    mut pace: Pace,
) {
    // After a rest the time step spans the rest: animations start from here instead of
    // jumping by it. The idle time still counts it.
    let idle_step = pace.real.delta_secs_f64();
    let dt = if pace.rest.after_rest {
        0.0
    } else {
        time.delta_secs_f64()
    };
    if let Some(size) = camera.iter().find_map(|c| c.logical_viewport_size()) {
        view.viewport_height = size.y as f64;
        view.viewport_aspect = (size.x / size.y.max(1.0)) as f64;
    }
    let mut dragged = false;
    let mut step = (0.0, 0.0);
    for drag in drags.read() {
        view.touch();
        let (dlon, dlat) = view.rotate_by_pixels(drag.0);
        step = (step.0 + dlon, step.1 + dlat);
        dragged = true;
    }
    if dragged && dt > 0.0 {
        // Follow the finger's recent speed so that a flick coasts at the speed it was thrown.
        let k = smoothing(dt, 0.05);
        let rate = (step.0 / dt, step.1 / dt);
        view.velocity.0 += (rate.0 - view.velocity.0) * k;
        view.velocity.1 += (rate.1 - view.velocity.1) * k;
    } else if dragging.0 {
        // Held still: the globe stops under the finger.
        view.velocity = (0.0, 0.0);
    }
    for zoom in zooms.read() {
        view.touch();
        view.target_distance =
            (view.target_distance * zoom.0 as f64).clamp(MIN_DISTANCE, MAX_DISTANCE);
    }
    let keys = keys.frame();
    if !ui_keyboard.is_some_and(|ui| ui.0) {
        keyboard(&keys, dt, &mut view);
    }

    if !dragging.0 && !dragged {
        let velocity = view.velocity;
        view.turn((velocity.0 * dt, velocity.1 * dt));
        let keep = (-dt / INERTIA_TAU).exp();
        view.velocity = (velocity.0 * keep, velocity.1 * keep);
    }
    let target = view.target_distance;
    view.distance += (target - view.distance) * smoothing(dt, ZOOM_TAU);

    if let Some(mut flight) = view.flight {
        flight.elapsed += dt;
        let t = ease_in_out(flight.elapsed / FLIGHT_SECONDS);
        let (from, to) = (flight.from, flight.to);
        view.center = LatLon::new(
            from.0.lat + (to.0.lat - from.0.lat) * t,
            wrap_lon(from.0.lon + shortest_lon_delta(from.0.lon, to.0.lon) * t),
        );
        view.distance = from.1 + (to.1 - from.1) * t;
        view.target_distance = view.distance;
        view.flight = (flight.elapsed < FLIGHT_SECONDS).then_some(flight);
    }

    view.idle_seconds += idle_step;
    if view.idle_seconds > IDLE_SECONDS && selection.0.is_none() && view.flight.is_none() {
        // Ease into the spin over two seconds rather than lurching.
        let ramp = ((view.idle_seconds - IDLE_SECONDS) / 2.0).min(1.0);
        let spin = view.spin();
        view.turn((spin * ramp * dt, 0.0));
    }
    view.settle();
    // A finger down or a key held moves the view by the frame: keep frames coming.
    let held = dragging.0 || keys.any();
    match view.motion(selection.0.is_some()) {
        Motion::Moving => {
            pace.redraw.write(RequestRedraw);
        }
        _ if held => {
            pace.redraw.write(RequestRedraw);
        }
        Motion::Spinning => pace.alarm.next_frame_in(SPIN_FRAME_SECONDS),
        Motion::Still { spin_in } => spin_in.into_iter().for_each(|s| pace.alarm.within(s)),
    }
}

/// How the camera paces the app: whether this frame follows a rest, and the ways to ask for
/// the next frame.
#[derive(bevy::ecs::system::SystemParam)]
struct Pace<'w> {
    rest: Res<'w, Rest>,
    real: Res<'w, Time<Real>>,
    redraw: MessageWriter<'w, RequestRedraw>,
    alarm: ResMut<'w, Alarm>,
}

fn keyboard(keys: &FrameKeys, dt: f64, view: &mut GlobeView) {
    if keys.any() {
        view.idle_seconds = 0.0;
    }
    if keys.just_pressed(KeyCode::Home) {
        view.fly_to(HOME, HOME_DISTANCE);
        return;
    }
    let seconds = |held: &[KeyCode]| keys.held_seconds(held, dt, KEY_TAP_SECONDS);
    let axis = |neg: KeyCode, pos: KeyCode| (seconds(&[pos]) - seconds(&[neg])) as f32;
    let arrows = Vec2::new(
        axis(KeyCode::ArrowLeft, KeyCode::ArrowRight),
        axis(KeyCode::ArrowUp, KeyCode::ArrowDown),
    );
    if arrows != Vec2::ZERO {
        view.flight = None;
        // An arrow moves the view the way it points: the globe turns the other way.
        let pixels = -arrows * (KEY_SPIN * view.viewport_height) as f32;
        view.rotate_by_pixels(pixels);
    }
    let zoom_in = seconds(&[KeyCode::Equal, KeyCode::NumpadAdd]);
    let zoom_out = seconds(&[KeyCode::Minus, KeyCode::NumpadSubtract]);
    if zoom_in != zoom_out {
        view.flight = None;
        view.target_distance = (view.target_distance * (1.5 * (zoom_out - zoom_in)).exp())
            .clamp(MIN_DISTANCE, MAX_DISTANCE);
    }
}

fn apply_view(
    view: Res<GlobeView>,
    mut globe: Query<&mut Transform, (With<Globe>, Without<GlobeCamera>)>,
    mut camera: Query<&mut Transform, (With<GlobeCamera>, Without<Globe>)>,
) {
    for mut transform in &mut globe {
        transform.rotation = globe_rotation(view.center);
    }
    for mut transform in &mut camera {
        *transform =
            Transform::from_xyz(0.0, 0.0, view.distance as f32).looking_at(Vec3::ZERO, Vec3::Y);
    }
}

#[cfg(test)]
mod view_plugin_tests {
    use super::*;

    /// The shadow maps are tiny because no light draws shadows: a sun with shadows on would
    /// draw them from a 16-pixel map.
    #[test]
    fn the_sun_draws_no_shadows_and_the_unused_maps_are_tiny() {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins).add_plugins(view_plugin);
        app.update();
        let world = app.world_mut();
        let sun = world.query::<&DirectionalLight>().single(world).unwrap();
        assert!(!sun.shadow_maps_enabled);
        assert_eq!(
            world.resource::<DirectionalLightShadowMap>().size,
            UNUSED_SHADOW_MAP
        );
        assert_eq!(
            world.resource::<PointLightShadowMap>().size,
            UNUSED_SHADOW_MAP
        );
    }
}

#[cfg(test)]
mod globe_rotation_tests {
    use super::*;
    use crate::geo::to_unit;

    #[test]
    fn brings_the_centre_to_face_the_camera() {
        for center in [
            LatLon::new(50.45, 30.52),
            LatLon::new(-33.9, 151.2),
            LatLon::new(0.0, -179.0),
        ] {
            let facing = globe_rotation(center) * to_unit(center).as_vec3();
            assert!(facing.abs_diff_eq(Vec3::Z, 1e-5), "{center:?} -> {facing}");
        }
    }

    #[test]
    fn keeps_north_up() {
        let north = globe_rotation(LatLon::new(40.0, 100.0)) * Vec3::Y;
        assert!(north.x.abs() < 1e-6 && north.y > 0.0);
    }
}

#[cfg(test)]
mod radians_per_pixel_tests {
    use super::*;

    #[test]
    fn closer_means_finer() {
        let fov = FOV_DEG.to_radians();
        let far = radians_per_pixel(3.0, 720.0, fov);
        let near = radians_per_pixel(1.5, 720.0, fov);
        let home = radians_per_pixel(HOME_DISTANCE, 720.0, fov);
        assert!((far / near - 4.0).abs() < 1e-9);
        // At the home distance one pixel is about 20 km of ground.
        let km = home * EARTH_RADIUS_KM;
        assert!((15.0..25.0).contains(&km), "{km}");
    }
}

#[cfg(test)]
mod shortest_lon_delta_tests {
    use super::*;

    #[test]
    fn crosses_the_antimeridian_the_short_way() {
        assert_eq!(shortest_lon_delta(170.0, -170.0), 20.0);
        assert_eq!(shortest_lon_delta(-170.0, 170.0), -20.0);
        assert_eq!(shortest_lon_delta(10.0, 30.0), 20.0);
    }
}

#[cfg(test)]
mod ease_in_out_tests {
    use super::*;

    #[test]
    fn starts_and_ends_at_rest() {
        assert_eq!(
            (ease_in_out(0.0), ease_in_out(0.5), ease_in_out(1.0)),
            (0.0, 0.5, 1.0)
        );
        assert!(ease_in_out(0.05) < 0.05 && ease_in_out(0.95) > 0.95);
        assert_eq!(ease_in_out(2.0), 1.0);
    }
}

#[cfg(test)]
mod smoothing_tests {
    use super::*;

    #[test]
    fn does_not_depend_on_frame_rate() {
        let once = smoothing(0.1, 0.2);
        let twice = 1.0 - (1.0 - smoothing(0.05, 0.2)).powi(2);
        assert!((once - twice).abs() < 1e-12);
    }
}

#[cfg(test)]
mod fit_distance_tests {
    use super::*;
    use crate::geo::{BBox, Polygon};

    fn country(min: (f64, f64), max: (f64, f64)) -> Country {
        Country {
            id: "TST".into(),
            iso_a2: None,
            iso_a3: None,
            name: "Test".into(),
            long_name: "Test".into(),
            continent: String::new(),
            polygons: Vec::<Polygon>::new(),
            bbox: BBox {
                min: LatLon::new(min.0, min.1),
                max: LatLon::new(max.0, max.1),
            },
            label: LatLon::new((min.0 + max.0) / 2.0, (min.1 + max.1) / 2.0),
        }
    }

    #[test]
    fn small_states_close_big_ones_far() {
        let malta = fit_distance(&country((35.8, 14.2), (36.1, 14.6)));
        let brazil = fit_distance(&country((-33.7, -74.0), (5.3, -34.8)));
        let russia = fit_distance(&country((41.2, -180.0), (81.9, 180.0)));
        assert!(
            malta < brazil && brazil <= russia,
            "{malta} {brazil} {russia}"
        );
        assert!((MIN_DISTANCE..=MAX_DISTANCE).contains(&malta));
        assert!(russia <= HOME_DISTANCE);
    }
}

#[cfg(test)]
mod enclosing_cap_tests {
    use super::*;

    fn near(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn points_round_the_globe_are_seen_where_most_of_them_are() {
        // A story's coverage: Turkey first, then Europe, the Middle East, the USA, Japan and
        // Brazil, too far apart for one view; it goes where most of them are.
        let turkey = LatLon::new(39.0, 35.0);
        let points = [
            turkey,
            LatLon::new(52.0, -1.0),
            LatLon::new(39.0, -98.0),
            LatLon::new(51.0, 10.0),
            LatLon::new(32.0, 54.0),
            LatLon::new(46.0, 2.0),
            LatLon::new(27.0, 30.0),
            LatLon::new(36.0, 138.0),
            LatLon::new(-10.0, -55.0),
        ];
        let (_, radius) = enclosing_cap(&points).unwrap();
        assert!(radius > 70.0, "wider than a view shows: {radius}");
        let center = densest_view(&points, 50.0).unwrap();
        assert_eq!(
            center, turkey,
            "six of nine within 50° of Turkey, the first"
        );
        assert_eq!(densest_view(&[], 50.0), None);
    }

    #[test]
    fn two_points_meet_halfway() {
        let (center, radius) =
            enclosing_cap(&[LatLon::new(0.0, 0.0), LatLon::new(0.0, 40.0)]).unwrap();
        assert!(
            near(center.lat, 0.0, 0.5) && near(center.lon, 20.0, 0.5),
            "{center:?}"
        );
        assert!(near(radius, 20.0, 0.4), "{radius}");
    }

    #[test]
    fn a_point_inside_changes_nothing_and_every_point_is_held() {
        let points = [
            LatLon::new(0.0, 0.0),
            LatLon::new(0.0, 40.0),
            LatLon::new(5.0, 20.0),
        ];
        let (center, radius) = enclosing_cap(&points).unwrap();
        assert!(near(center.lon, 20.0, 0.5), "{center:?}");
        assert!(near(radius, 20.0, 0.4), "{radius}");
        for p in points {
            let arc = arc_between(to_unit(center), to_unit(p)).to_degrees();
            assert!(arc <= radius + 1e-9, "{p:?} at {arc} outside {radius}");
        }
    }

    #[test]
    fn three_around_one_centre() {
        // Three points 30° from the north pole, evenly around it: the pole is the centre.
        let points = [0.0, 120.0, -120.0].map(|lon| LatLon::new(60.0, lon));
        let (center, radius) = enclosing_cap(&points).unwrap();
        assert!(center.lat > 89.0, "{center:?}");
        assert!(near(radius, 30.0, 0.6), "{radius}");
    }

    #[test]
    fn the_short_way_across_the_antimeridian() {
        let (center, radius) =
            enclosing_cap(&[LatLon::new(10.0, 170.0), LatLon::new(-10.0, -170.0)]).unwrap();
        assert!(near(center.lon.abs(), 180.0, 0.5), "{center:?}");
        assert!(radius < 15.0, "{radius}");
    }

    #[test]
    fn one_point_is_its_own_cap_and_none_is_none() {
        let paris = LatLon::new(48.9, 2.4);
        let (center, radius) = enclosing_cap(&[paris]).unwrap();
        assert!(near(center.lat, paris.lat, 1e-9) && near(center.lon, paris.lon, 1e-9));
        assert!(radius < 1e-6);
        assert_eq!(enclosing_cap(&[]), None);
    }

    #[test]
    fn points_all_around_need_more_than_a_hemisphere() {
        let points = [
            LatLon::new(0.0, 0.0),
            LatLon::new(0.0, 90.0),
            LatLon::new(0.0, 180.0),
            LatLon::new(0.0, -90.0),
            LatLon::new(90.0, 0.0),
            LatLon::new(-90.0, 0.0),
        ];
        let (_, radius) = enclosing_cap(&points).unwrap();
        assert!(radius >= 90.0, "{radius}");
    }
}

#[cfg(test)]
mod cap_distance_tests {
    use super::*;

    /// The angle off the view's axis at which the rim of a cap of `radius` degrees shows
    /// from `distance`.
    fn seen_at(radius: f64, distance: f64) -> f64 {
        let r = radius.to_radians();
        r.sin().atan2(distance - r.cos())
    }

    #[test]
    fn the_rim_lands_on_the_edge_of_the_view() {
        let half = 17.5f64.to_radians();
        for radius in [5.0, 20.0, 45.0, 70.0] {
            let d = cap_distance(radius, half);
            assert!((seen_at(radius, d) - half).abs() < 1e-9, "{radius}: {d}");
        }
        assert!(
            (cap_distance(0.0, half) - 1.0).abs() < 1e-12,
            "a point: the surface"
        );
    }

    #[test]
    fn wider_caps_and_narrower_views_need_more_distance() {
        let half = 17.5f64.to_radians();
        assert!(cap_distance(10.0, half) < cap_distance(30.0, half));
        assert!(cap_distance(30.0, half) < cap_distance(30.0, half / 2.0));
    }

    #[test]
    fn a_cap_round_the_back_gets_the_whole_disc() {
        let half = 17.5f64.to_radians();
        let whole = 1.0 / half.sin();
        assert!((cap_distance(80.0, half) - whole).abs() < 1e-9);
        assert!((cap_distance(150.0, half) - whole).abs() < 1e-9);
        // From there the limb itself sits at the edge of the view.
        assert!(((1.0 / whole).asin() - half).abs() < 1e-9);
    }
}
