//! Polygons on the unit sphere as triangles that follow its curvature.
//!
//! The way the map engines fill polygons, adapted to a globe the way CesiumJS does it:
//! densify each ring along great circles, triangulate in the longitude/latitude plane
//! (earcut, holes as holes), then halve every edge longer than the limit until none is left,
//! and lift each vertex onto the sphere. Natural Earth cuts polygons at the antimeridian and
//! runs Antarctica's ring along -90°, so every polygon is simple in that plane. Edges are
//! also halved while they span too much longitude, since near a pole a short chord can stand
//! for a long stretch of that plane and the triangles would fold over the pole. A midpoint
//! cache shared by both triangles of an edge means neighbours split it at the same vertex,
//! which leaves no T-junctions and so no cracks.

use std::collections::HashMap;
use std::ops::Range;

use glam::DVec3;

use super::countries::{Country, Polygon};
use super::sphere::{LatLon, arc_between, densify_ring, to_unit};

/// Triangles of one polygon: unit vectors and counter-clockwise (seen from outside) indices.
#[derive(Clone, Debug, Default)]
pub struct SphereTriangles {
    pub positions: Vec<DVec3>,
    pub indices: Vec<u32>,
}

/// All countries in one mesh: each country's vertices are one contiguous range, so the app
/// recolours a country by rewriting that range.
#[derive(Clone, Debug, Default)]
pub struct CountryMesh {
    pub positions: Vec<[f32; 3]>,
    pub indices: Vec<u32>,
    pub vertex_ranges: Vec<Range<u32>>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot triangulate {country}, polygon {polygon}: {reason}")]
pub struct TessellateError {
    pub country: String,
    pub polygon: usize,
    pub reason: String,
}

/// Triangulates every country; a polygon earcut rejects is an error naming it.
pub fn tessellate_countries(
    countries: &[Country],
    max_arc_deg: f64,
) -> Result<CountryMesh, TessellateError> {
    let mut mesh = CountryMesh::default();
    for country in countries {
        let start = mesh.positions.len() as u32;
        for (i, polygon) in country.polygons.iter().enumerate() {
            let tris =
                tessellate_polygon(polygon, max_arc_deg).map_err(|reason| TessellateError {
                    country: country.id.clone(),
                    polygon: i,
                    reason,
                })?;
            let base = mesh.positions.len() as u32;
            mesh.positions
                .extend(tris.positions.iter().map(|p| p.as_vec3().to_array()));
            mesh.indices.extend(tris.indices.iter().map(|i| i + base));
        }
        mesh.vertex_ranges.push(start..mesh.positions.len() as u32);
    }
    Ok(mesh)
}

/// One polygon as sphere triangles with no edge longer than `max_arc_deg`.
pub fn tessellate_polygon(polygon: &Polygon, max_arc_deg: f64) -> Result<SphereTriangles, String> {
    let mut flat = Vec::new();
    let mut holes = Vec::new();
    for (r, ring) in std::iter::once(&polygon.exterior)
        .chain(&polygon.holes)
        .enumerate()
    {
        if r > 0 {
            holes.push(flat.len() / 2);
        }
        let dense = densify_ring(ring, max_arc_deg);
        // GeoJSON repeats the first point at the end; earcut wants each point once.
        let open = &dense[..dense.len() - 1];
        for (i, p) in open.iter().enumerate() {
            // Natural Earth walks Antarctica's ring along -90° every half degree: hundreds of
            // points that are one point on the sphere and would only breed slivers. The ends
            // of such a run are enough; subdivision puts back what the fill needs.
            let prev = open[(i + open.len() - 1) % open.len()];
            let next = open[(i + 1) % open.len()];
            if p.lat.abs() == 90.0 && prev.lat == p.lat && next.lat == p.lat {
                continue;
            }
            flat.extend([p.lon, p.lat]);
        }
    }
    let triangles = earcutr::earcut(&flat, &holes, 2).map_err(|e| format!("{e:?}"))?;
    let mut grid = Subdivider {
        points: flat
            .chunks_exact(2)
            .map(|c| LatLon::new(c[1], c[0]))
            .collect(),
        units: Vec::new(),
        midpoints: HashMap::new(),
        // Densified outline edges are exactly at the limit; rounding must not split them.
        max_arc: max_arc_deg.to_radians() * (1.0 + 1e-9),
    };
    grid.units = grid.points.iter().map(|p| to_unit(*p)).collect();
    let mut pending: Vec<[u32; 3]> = triangles
        .chunks_exact(3)
        .map(|t| [t[0] as u32, t[1] as u32, t[2] as u32])
        .collect();
    let mut indices = Vec::with_capacity(pending.len() * 3);
    while let Some(tri) = pending.pop() {
        match grid.longest_long_edge(tri) {
            Some(_) if grid.points.len() > MAX_POLYGON_VERTICES => {
                return Err(format!(
                    "subdivision passed {MAX_POLYGON_VERTICES} vertices; is the ring valid?"
                ));
            }
            Some(k) => {
                let (a, b, c) = (tri[k], tri[(k + 1) % 3], tri[(k + 2) % 3]);
                let m = grid.midpoint(a, b);
                pending.push([a, m, c]);
                pending.push([m, b, c]);
            }
            None => {
                if let Some(oriented) = grid.outward(tri) {
                    indices.extend(oriented);
                }
            }
        }
    }
    Ok(compact(grid.units, indices))
}

/// A bound no real polygon comes near (Russia's mainland needs about 60,000 vertices at
/// 1.5°), so that a pathological ring ends in an error rather than exhausting memory.
const MAX_POLYGON_VERTICES: usize = 5_000_000;

/// How many times the arc limit an edge may span in longitude.
const MAX_LON_SPAN_RATIO: f64 = 4.0;

/// Drops the vertices no triangle uses (those of dropped slivers) and renumbers the rest.
fn compact(units: Vec<DVec3>, mut indices: Vec<u32>) -> SphereTriangles {
    let mut remap = vec![u32::MAX; units.len()];
    let mut positions = Vec::with_capacity(units.len());
    for index in &mut indices {
        let slot = &mut remap[*index as usize];
        if *slot == u32::MAX {
            *slot = positions.len() as u32;
            positions.push(units[*index as usize]);
        }
        *index = *slot;
    }
    SphereTriangles { positions, indices }
}

struct Subdivider {
    points: Vec<LatLon>,
    units: Vec<DVec3>,
    midpoints: HashMap<(u32, u32), u32>,
    max_arc: f64,
}

impl Subdivider {
    /// The index (0..3) of the edge starting at that corner, if the longest edge is too long.
    fn longest_long_edge(&self, tri: [u32; 3]) -> Option<usize> {
        (0..3)
            .map(|k| {
                let (a, b) = (tri[k] as usize, tri[(k + 1) % 3] as usize);
                let lon_span = (self.points[a].lon - self.points[b].lon).abs().to_radians();
                let arc = arc_between(self.units[a], self.units[b]);
                (k, arc.max(lon_span / MAX_LON_SPAN_RATIO))
            })
            .filter(|&(_, arc)| arc > self.max_arc)
            .max_by(|x, y| x.1.total_cmp(&y.1))
            .map(|(k, _)| k)
    }

    /// The triangle wound counter-clockwise seen from outside, or `None` for a triangle to
    /// drop: a sliver under ~0.1 km², or one folded over by the curvature, where a great-circle
    /// outline bends past a nearly collinear interior vertex (its neighbours cover it).
    /// Winding is judged on f32 positions, the ones the GPU will see.
    fn outward(&self, tri: [u32; 3]) -> Option<[u32; 3]> {
        let [a, b, c] = tri.map(|i| DVec3::from(self.units[i as usize].as_vec3()));
        let normal = (b - a).cross(c - a);
        let [pa, pb, pc] = tri.map(|i| self.points[i as usize]);
        // East and north as x and y: counter-clockwise there is counter-clockwise outside.
        let planar = (pb.lon - pa.lon) * (pc.lat - pa.lat) - (pb.lat - pa.lat) * (pc.lon - pa.lon);
        let outward = normal.dot(a + b + c);
        if normal.length_squared() < 1e-17 || (planar > 0.0) != (outward > 0.0) {
            return None;
        }
        Some(if planar > 0.0 {
            tri
        } else {
            [tri[0], tri[2], tri[1]]
        })
    }

    /// The shared midpoint of an edge, halfway in longitude and latitude so that it stays on
    /// the polygon's side of the antimeridian.
    fn midpoint(&mut self, a: u32, b: u32) -> u32 {
        let key = (a.min(b), a.max(b));
        if let Some(&m) = self.midpoints.get(&key) {
            return m;
        }
        let (pa, pb) = (self.points[a as usize], self.points[b as usize]);
        let mid = LatLon::new((pa.lat + pb.lat) / 2.0, (pa.lon + pb.lon) / 2.0);
        let m = self.points.len() as u32;
        self.points.push(mid);
        self.units.push(to_unit(mid));
        self.midpoints.insert(key, m);
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::sphere::{ring_area, triangle_area};

    fn ring(points: &[(f64, f64)]) -> Vec<LatLon> {
        points
            .iter()
            .map(|&(lon, lat)| LatLon::new(lat, lon))
            .collect()
    }

    fn area(t: &SphereTriangles) -> f64 {
        t.indices
            .chunks_exact(3)
            .map(|i| {
                let [a, b, c] = [i[0], i[1], i[2]].map(|i| t.positions[i as usize]);
                triangle_area(a, b, c)
            })
            .sum()
    }

    fn max_edge_deg(t: &SphereTriangles) -> f64 {
        t.indices
            .chunks_exact(3)
            .flat_map(|i| [(i[0], i[1]), (i[1], i[2]), (i[2], i[0])])
            .map(|(a, b)| {
                arc_between(t.positions[a as usize], t.positions[b as usize]).to_degrees()
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn a_big_square_is_subdivided_and_keeps_its_area() {
        let square = Polygon {
            exterior: ring(&[
                (0.0, 0.0),
                (20.0, 0.0),
                (20.0, 20.0),
                (0.0, 20.0),
                (0.0, 0.0),
            ]),
            holes: vec![],
        };
        let t = tessellate_polygon(&square, 1.5).unwrap();
        assert!(max_edge_deg(&t) <= 1.5 + 1e-9);
        let expected = ring_area(&densify_ring(&square.exterior, 1.5));
        assert!(
            (area(&t) / expected - 1.0).abs() < 0.005,
            "{} vs {expected}",
            area(&t)
        );
    }

    #[test]
    fn holes_stay_empty() {
        let outer = ring(&[
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ]);
        let hole = ring(&[(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0), (4.0, 4.0)]);
        let t = tessellate_polygon(
            &Polygon {
                exterior: outer.clone(),
                holes: vec![hole.clone()],
            },
            1.5,
        )
        .unwrap();
        let expected = ring_area(&densify_ring(&outer, 1.5)) - ring_area(&densify_ring(&hole, 1.5));
        assert!((area(&t) / expected - 1.0).abs() < 0.005);
        let centre = to_unit(LatLon::new(5.0, 5.0));
        let covered = t.indices.chunks_exact(3).any(|i| {
            let [a, b, c] = [i[0], i[1], i[2]].map(|i| t.positions[i as usize]);
            [a.cross(b), b.cross(c), c.cross(a)]
                .iter()
                .all(|n| n.dot(centre) > 0.0)
        });
        assert!(!covered, "the hole's centre is covered by a triangle");
    }

    #[test]
    fn a_polar_cap_reaching_the_pole() {
        // Antarctica's shape in Natural Earth: along 60°S, down the antimeridian, along the
        // pole, and back up.
        let mut points = vec![(-180.0, -60.0)];
        points.extend((-17..=18).map(|i| (i as f64 * 10.0, -60.0)));
        points.extend([(180.0, -90.0), (-180.0, -90.0), (-180.0, -60.0)]);
        let cap = Polygon {
            exterior: ring(&points),
            holes: vec![],
        };
        let t = tessellate_polygon(&cap, 1.5).unwrap();
        let expected = 2.0 * std::f64::consts::PI * (1.0 - 60f64.to_radians().sin());
        assert!((area(&t) / expected - 1.0).abs() < 0.005, "{}", area(&t));
        assert!(max_edge_deg(&t) <= 1.5 + 1e-9);
        for i in t.indices.chunks_exact(3) {
            let [a, b, c] =
                [i[0], i[1], i[2]].map(|i| DVec3::from(t.positions[i as usize].as_vec3()));
            assert!(
                (b - a).cross(c - a).dot(a + b + c) > 0.0,
                "a triangle faces inward"
            );
        }
    }
}
