//! Latitude/longitude and the unit sphere: conversions, arcs, areas and ray hits.
//!
//! Everything here is a small pure function with its own test module, in the manner of
//! bevy_panorbit_camera's `util.rs`.

use glam::DVec3;

/// Mean Earth radius (IUGG), the radius the area figures in the tests are quoted for.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point on the globe in degrees: latitude north positive, longitude east positive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub const fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }
}

/// The unit vector of a point: +Y north, +Z at (0°, 0°), +X at (0°, 90°E).
pub fn to_unit(p: LatLon) -> DVec3 {
    let (lat, lon) = (p.lat.to_radians(), p.lon.to_radians());
    DVec3::new(lat.cos() * lon.sin(), lat.sin(), lat.cos() * lon.cos())
}

/// The point of a direction, which need not be normalized; the poles get longitude 0.
pub fn from_unit(v: DVec3) -> LatLon {
    let v = v.normalize();
    LatLon {
        lat: v.y.clamp(-1.0, 1.0).asin().to_degrees(),
        lon: v.x.atan2(v.z).to_degrees(),
    }
}

/// The great-circle angle between two directions, in radians; atan2 stays exact for the
/// tiny and the near-antipodal angles where `acos` of a dot product loses digits.
pub fn arc_between(a: DVec3, b: DVec3) -> f64 {
    a.cross(b).length().atan2(a.dot(b))
}

/// The nearer hit of a ray with a sphere centred at the origin, if any lies ahead.
pub fn ray_sphere(origin: DVec3, dir: DVec3, radius: f64) -> Option<DVec3> {
    let dir = dir.try_normalize()?;
    let b = origin.dot(dir);
    let c = origin.length_squared() - radius * radius;
    let disc = b * b - c;
    if disc < 0.0 {
        return None;
    }
    let root = disc.sqrt();
    let t = if -b - root >= 0.0 {
        -b - root
    } else {
        -b + root
    };
    (t >= 0.0).then(|| origin + dir * t)
}

/// The area, in steradians, of the spherical triangle on three unit vectors
/// (Van Oosterom & Strackee 1983), stable for the thin triangles a mesh is full of.
pub fn triangle_area(a: DVec3, b: DVec3, c: DVec3) -> f64 {
    let numerator = a.dot(b.cross(c)).abs();
    let denominator = 1.0 + a.dot(b) + b.dot(c) + c.dot(a);
    2.0 * numerator.atan2(denominator)
}

/// The area, in steradians, enclosed by a closed ring (last point equal to the first), with
/// either winding.
///
/// This is the line integral of `1 + sin(lat)` over longitude (Chamberlain & Duquette 2007,
/// as in d3-geo and turf), which measures each ring against the South Pole, so rings that run
/// along the antimeridian or through a pole, as Antarctica's does, come out right.
pub fn ring_area(ring: &[LatLon]) -> f64 {
    let sum: f64 = ring
        .windows(2)
        .map(|e| (e[0], e[1]))
        .map(|(a, b)| {
            (b.lon - a.lon).to_radians()
                * (2.0 + a.lat.to_radians().sin() + b.lat.to_radians().sin())
        })
        .sum();
    (sum / 2.0).abs()
}

/// The ring with points inserted along each edge's great circle so that no edge spans more
/// than `max_arc_deg`. Inserted longitudes keep the side of the antimeridian their edge is
/// on, so a ring that Natural Earth cut at ±180° stays cut there.
pub fn densify_ring(ring: &[LatLon], max_arc_deg: f64) -> Vec<LatLon> {
    let max_arc = max_arc_deg.to_radians();
    let mut out = Vec::with_capacity(ring.len());
    for pair in ring.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        out.push(a);
        let (ua, ub) = (to_unit(a), to_unit(b));
        let arc = arc_between(ua, ub);
        let steps = (arc / max_arc).ceil() as usize;
        for i in 1..steps {
            let t = i as f64 / steps as f64;
            out.push(if a.lon == b.lon {
                // A meridian is a great circle; interpolating latitude keeps the longitude exact.
                LatLon::new(a.lat + (b.lat - a.lat) * t, a.lon)
            } else {
                let mut p = from_unit(slerp(ua, ub, arc, t));
                p.lon = unwrap_lon(p.lon, a.lon);
                p
            });
        }
    }
    if let Some(&last) = ring.last() {
        out.push(last);
    }
    out
}

fn slerp(a: DVec3, b: DVec3, arc: f64, t: f64) -> DVec3 {
    let s = arc.sin();
    a * (((1.0 - t) * arc).sin() / s) + b * ((t * arc).sin() / s)
}

/// `lon` moved by whole turns to lie within half a turn of `near`.
fn unwrap_lon(lon: f64, near: f64) -> f64 {
    if lon - near > 180.0 {
        lon - 360.0
    } else if lon - near < -180.0 {
        lon + 360.0
    } else {
        lon
    }
}

#[cfg(test)]
mod to_unit_tests {
    use super::*;

    #[test]
    fn axes() {
        assert!(to_unit(LatLon::new(0.0, 0.0)).abs_diff_eq(DVec3::Z, 1e-12));
        assert!(to_unit(LatLon::new(0.0, 90.0)).abs_diff_eq(DVec3::X, 1e-12));
        assert!(to_unit(LatLon::new(90.0, 33.0)).abs_diff_eq(DVec3::Y, 1e-12));
    }

    #[test]
    fn round_trip() {
        for &(lat, lon) in &[
            (50.45, 30.52),
            (-33.9, 18.4),
            (-18.1, 178.4),
            (10.0, -179.9),
        ] {
            let p = from_unit(to_unit(LatLon::new(lat, lon)));
            assert!(
                (p.lat - lat).abs() < 1e-9 && (p.lon - lon).abs() < 1e-9,
                "{p:?}"
            );
        }
    }
}

#[cfg(test)]
mod arc_between_tests {
    use super::*;

    #[test]
    fn kyiv_to_paris_is_about_2000_km() {
        let kyiv = to_unit(LatLon::new(50.45, 30.52));
        let paris = to_unit(LatLon::new(48.857, 2.352));
        let km = arc_between(kyiv, paris) * EARTH_RADIUS_KM;
        assert!((km - 2024.0).abs() < 15.0, "{km}");
    }

    #[test]
    fn antipodes_are_half_a_turn() {
        let a = to_unit(LatLon::new(10.0, 20.0));
        assert!((arc_between(a, -a) - std::f64::consts::PI).abs() < 1e-9);
    }
}

#[cfg(test)]
mod ray_sphere_tests {
    use super::*;

    #[test]
    fn hits_the_near_side() {
        let hit = ray_sphere(DVec3::new(0.0, 0.0, 5.0), DVec3::NEG_Z, 1.0).unwrap();
        assert!(hit.abs_diff_eq(DVec3::Z, 1e-12));
    }

    #[test]
    fn misses_beside_and_behind() {
        assert!(ray_sphere(DVec3::new(2.0, 0.0, 5.0), DVec3::NEG_Z, 1.0).is_none());
        assert!(ray_sphere(DVec3::new(0.0, 0.0, 5.0), DVec3::Z, 1.0).is_none());
    }
}

#[cfg(test)]
mod triangle_area_tests {
    use super::*;

    #[test]
    fn octant_is_an_eighth_of_the_sphere() {
        let area = triangle_area(DVec3::X, DVec3::Y, DVec3::Z);
        assert!((area - std::f64::consts::PI / 2.0).abs() < 1e-12);
    }
}

#[cfg(test)]
mod ring_area_tests {
    use super::*;

    #[test]
    fn northern_hemisphere_cap() {
        let mut ring: Vec<LatLon> = (0..=36)
            .map(|i| LatLon::new(30.0, i as f64 * 10.0 - 180.0))
            .collect();
        ring.extend([LatLon::new(90.0, 180.0), LatLon::new(90.0, -180.0), ring[0]]);
        let cap = 2.0 * std::f64::consts::PI * (1.0 - 30f64.to_radians().sin());
        assert!(
            (ring_area(&ring) - cap).abs() < 1e-9,
            "{}",
            ring_area(&ring)
        );
    }

    #[test]
    fn one_degree_square_at_the_equator() {
        let ring = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
            .map(|(lat, lon)| LatLon::new(lat, lon));
        let km2 = ring_area(&ring) * EARTH_RADIUS_KM.powi(2);
        assert!((km2 - 12_364.0).abs() < 20.0, "{km2}");
    }
}

#[cfg(test)]
mod densify_ring_tests {
    use super::*;

    #[test]
    fn no_edge_longer_than_the_limit() {
        let ring = [(0.0, 0.0), (0.0, 20.0), (30.0, 20.0), (0.0, 0.0)]
            .map(|(lat, lon)| LatLon::new(lat, lon));
        let dense = densify_ring(&ring, 1.5);
        assert_eq!(dense.first(), ring.first());
        assert_eq!(dense.last(), ring.last());
        for pair in dense.windows(2) {
            let arc = arc_between(to_unit(pair[0]), to_unit(pair[1])).to_degrees();
            assert!(arc <= 1.5 + 1e-9, "{arc}");
        }
        assert!(dense.len() > 40);
    }

    #[test]
    fn follows_the_great_circle_north_of_a_parallel() {
        // The great circle between two points on 49°N bulges poleward.
        let ring = [LatLon::new(49.0, -123.0), LatLon::new(49.0, -95.0)];
        let dense = densify_ring(&ring, 1.5);
        let peak = dense.iter().map(|p| p.lat).fold(f64::MIN, f64::max);
        assert!(peak > 49.5, "{peak}");
    }

    #[test]
    fn antimeridian_edge_keeps_its_side() {
        let ring = [LatLon::new(60.0, 180.0), LatLon::new(70.0, 180.0)];
        assert!(densify_ring(&ring, 1.5).iter().all(|p| p.lon == 180.0));
        let ring = [LatLon::new(-16.0, -179.5), LatLon::new(-17.0, -180.0)];
        assert!(densify_ring(&ring, 0.1).iter().all(|p| p.lon < 0.0));
    }
}
