//! Picking: the pointer's ray hits the globe, becomes a latitude/longitude in the globe's own
//! frame (whatever its rotation), then a country; hovering marks it, a tap selects it.
//!
//! The one sphere is hit analytically rather than through 250 pickable meshes. A pick that
//! lands just off a coast snaps to the nearest country within a few pixels' worth of
//! kilometres, so small island states can be picked at any zoom.

use bevy::prelude::*;

use super::atlas::Atlas;
use super::camera::GlobeView;
use super::globe::Globe;
use super::pointer::{Dragging, GlobeTap, PointerRay};
use super::selection::{Hovered, SelectCountry};
use super::{AppMode, AppSystems};
use crate::geo::{self, LatLon};

/// How far, in screen pixels, a pick may miss a country and still find it.
const SNAP_PIXELS: f64 = 6.0;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        // Neither a capture nor a touch screen is being pointed at: wherever the pointer
        // rests (or a finger last lifted), it must not mark a country.
        (hover.run_if(in_state(AppMode::Desktop)), pick_on_tap).in_set(AppSystems::Pick),
    );
}

/// The point where a world-space ray meets the globe, in the globe's own frame.
pub fn ray_to_latlon(ray: Ray3d, globe: &GlobalTransform) -> Option<LatLon> {
    let local = globe.affine().inverse();
    let origin = local.transform_point3(ray.origin).as_dvec3();
    let direction = local.transform_vector3(*ray.direction).as_dvec3();
    geo::ray_sphere(origin, direction, 1.0).map(geo::from_unit)
}

/// The country at a ray, snapping within `snap_km` of a coast.
fn country_at(atlas: &Atlas, ray: Ray3d, globe: &GlobalTransform, snap_km: f64) -> Option<usize> {
    let point = ray_to_latlon(ray, globe)?;
    atlas.index.nearest(point, snap_km).map(|hit| hit.country)
}

fn snap_km(view: &GlobeView) -> f64 {
    view.km_per_pixel() * SNAP_PIXELS
}

fn hover(
    atlas: Res<Atlas>,
    pointer: Res<PointerRay>,
    dragging: Res<Dragging>,
    view: Res<GlobeView>,
    globe: Single<&GlobalTransform, With<Globe>>,
    mut hovered: ResMut<Hovered>,
) {
    let country = match pointer.0 {
        Some(ray) if !dragging.0 => country_at(&atlas, ray, &globe, snap_km(&view)),
        _ => None,
    };
    hovered.set_if_neq(Hovered(country));
}

fn pick_on_tap(
    atlas: Res<Atlas>,
    mut taps: MessageReader<GlobeTap>,
    view: Res<GlobeView>,
    globe: Single<&GlobalTransform, With<Globe>>,
    mut select: MessageWriter<SelectCountry>,
) {
    for tap in taps.read() {
        // A tap on open sea keeps the current selection: a stray touch should not close the
        // panel someone is reading.
        if let Some(country) = country_at(&atlas, tap.0, &globe, snap_km(&view)) {
            select.write(SelectCountry(Some(country)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ray_through_the_centre_of_a_turned_globe() {
        // Turn the globe so that (50°N, 30°E) faces +Z, where the camera looks from.
        let rotation =
            Quat::from_rotation_x(50f32.to_radians()) * Quat::from_rotation_y(-30f32.to_radians());
        let globe = GlobalTransform::from(Transform::from_rotation(rotation));
        let ray = Ray3d::new(Vec3::new(0.0, 0.0, 3.0), Dir3::NEG_Z);
        let p = ray_to_latlon(ray, &globe).unwrap();
        assert!(
            (p.lat - 50.0).abs() < 1e-3 && (p.lon - 30.0).abs() < 1e-3,
            "{p:?}"
        );
    }

    #[test]
    fn a_ray_past_the_limb_misses() {
        let ray = Ray3d::new(Vec3::new(1.5, 0.0, 3.0), Dir3::NEG_Z);
        assert_eq!(ray_to_latlon(ray, &GlobalTransform::IDENTITY), None);
    }
}
