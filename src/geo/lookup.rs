//! Which country is at a point: exact point-in-polygon behind a spatial prefilter, and the
//! nearest country within a distance for picks that land just off a coast.
//!
//! Rings are densified exactly as the tessellator densifies them, so a pick agrees with the
//! outline drawn on the globe. The prefilter is a 1° grid of polygon bounding boxes; inside a
//! polygon, edges are bucketed into latitude bands, so the crossing test for a point touches
//! only the few edges of its band rather than all of Russia's coast.

use glam::DVec3;

use super::countries::{BBox, Country};
use super::sphere::{EARTH_RADIUS_KM, LatLon, arc_between, densify_ring, ring_area, to_unit};

const GRID_LON: usize = 360;
const GRID_LAT: usize = 180;

/// A country found near a point: `distance_km` is 0 when the point is inside it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub country: usize,
    pub distance_km: f64,
}

/// A lookup structure over a slice of countries; results index into that slice.
pub struct CountryIndex {
    polygons: Vec<IndexedPolygon>,
    cells: Vec<Vec<u32>>,
}

struct IndexedPolygon {
    country: usize,
    bbox: BBox,
    /// Steradians; where polygons overlap (an enclave drawn without its hole) the smaller wins.
    area: f64,
    edges: Vec<(LatLon, LatLon)>,
    band_min_lat: f64,
    band_height: f64,
    bands: Vec<Vec<u32>>,
}

impl IndexedPolygon {
    fn new(country: usize, rings: Vec<Vec<LatLon>>) -> Self {
        let bbox = BBox::of_ring(&rings[0]);
        let area = ring_area(&rings[0]) - rings[1..].iter().map(|r| ring_area(r)).sum::<f64>();
        let edges: Vec<(LatLon, LatLon)> = rings
            .iter()
            .flat_map(|r| r.windows(2).map(|e| (e[0], e[1])))
            .collect();
        let band_count = (edges.len() / 8).clamp(1, 1024);
        let band_height = ((bbox.max.lat - bbox.min.lat) / band_count as f64).max(1e-9);
        let mut bands = vec![Vec::new(); band_count];
        let band_of =
            |lat: f64| (((lat - bbox.min.lat) / band_height) as usize).min(band_count - 1);
        for (i, (a, b)) in edges.iter().enumerate() {
            for band in &mut bands[band_of(a.lat.min(b.lat))..=band_of(a.lat.max(b.lat))] {
                band.push(i as u32);
            }
        }
        Self {
            country,
            bbox,
            area,
            edges,
            band_min_lat: bbox.min.lat,
            band_height,
            bands,
        }
    }

    fn bands_between(&self, lat0: f64, lat1: f64) -> &[Vec<u32>] {
        let band = |lat: f64| {
            ((lat - self.band_min_lat) / self.band_height).clamp(0.0, (self.bands.len() - 1) as f64)
                as usize
        };
        &self.bands[band(lat0)..=band(lat1)]
    }

    /// Even-odd crossings of a ray running east from the point, over the outer ring and holes.
    fn contains(&self, p: LatLon) -> bool {
        if !self.bbox.contains(p) {
            return false;
        }
        let mut inside = false;
        for &e in &self.bands_between(p.lat, p.lat)[0] {
            let (a, b) = self.edges[e as usize];
            if (a.lat > p.lat) != (b.lat > p.lat) {
                let lon = a.lon + (p.lat - a.lat) / (b.lat - a.lat) * (b.lon - a.lon);
                if lon > p.lon {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// The great-circle distance, in radians, to the nearest edge whose latitudes fall within
    /// the window.
    fn distance(&self, p: DVec3, lat0: f64, lat1: f64) -> f64 {
        let mut best = f64::INFINITY;
        for band in self.bands_between(lat0, lat1) {
            for &e in band {
                let (a, b) = self.edges[e as usize];
                best = best.min(arc_to_segment(p, to_unit(a), to_unit(b)));
            }
        }
        best
    }
}

/// Distance from `p` to the great-circle arc from `a` to `b`, all unit vectors.
fn arc_to_segment(p: DVec3, a: DVec3, b: DVec3) -> f64 {
    let ends = arc_between(p, a).min(arc_between(p, b));
    let Some(n) = a.cross(b).try_normalize() else {
        return ends;
    };
    let q = p - n * p.dot(n);
    if a.cross(q).dot(n) >= 0.0 && q.cross(b).dot(n) >= 0.0 {
        p.dot(n).abs().clamp(0.0, 1.0).asin().min(ends)
    } else {
        ends
    }
}

impl CountryIndex {
    /// Indexes every polygon of every country, densifying rings by `max_arc_deg`.
    pub fn new(countries: &[Country], max_arc_deg: f64) -> Self {
        let polygons: Vec<IndexedPolygon> = countries
            .iter()
            .enumerate()
            .flat_map(|(c, country)| {
                country.polygons.iter().map(move |polygon| {
                    let rings = std::iter::once(&polygon.exterior)
                        .chain(&polygon.holes)
                        .map(|r| densify_ring(r, max_arc_deg))
                        .collect();
                    IndexedPolygon::new(c, rings)
                })
            })
            .collect();
        let mut cells = vec![Vec::new(); GRID_LON * GRID_LAT];
        for (i, polygon) in polygons.iter().enumerate() {
            let (lat0, lon0) = cell_of(polygon.bbox.min);
            let (lat1, lon1) = cell_of(polygon.bbox.max);
            for lat in lat0..=lat1 {
                for lon in lon0..=lon1 {
                    cells[lat * GRID_LON + lon].push(i as u32);
                }
            }
        }
        Self { polygons, cells }
    }

    /// The country whose outline contains the point, by exact point-in-polygon.
    pub fn locate(&self, p: LatLon) -> Option<usize> {
        let p = normalize(p);
        let (lat, lon) = cell_of(p);
        self.cells[lat * GRID_LON + lon]
            .iter()
            .map(|&i| &self.polygons[i as usize])
            .filter(|polygon| polygon.contains(p))
            .min_by(|a, b| a.area.total_cmp(&b.area))
            .map(|polygon| polygon.country)
    }

    /// The country containing the point or, failing that, the one whose outline passes
    /// nearest, if within `max_km`.
    pub fn nearest(&self, p: LatLon, max_km: f64) -> Option<Hit> {
        if let Some(country) = self.locate(p) {
            return Some(Hit {
                country,
                distance_km: 0.0,
            });
        }
        let p = normalize(p);
        let reach = (max_km / EARTH_RADIUS_KM).to_degrees();
        let (lat0, lat1) = ((p.lat - reach).max(-90.0), (p.lat + reach).min(90.0));
        let widest = lat0.abs().max(lat1.abs()).to_radians().cos();
        let lon_reach = if widest * 180.0 > reach {
            (reach / widest).min(180.0)
        } else {
            180.0
        };
        let (cell_lat0, _) = cell_of(LatLon::new(lat0, 0.0));
        let (cell_lat1, _) = cell_of(LatLon::new(lat1, 0.0));
        let lon_cells = (lon_reach.ceil() as isize + 1).min(GRID_LON as isize / 2);
        let (_, centre_lon) = cell_of(p);
        let mut seen = Vec::new();
        for lat in cell_lat0..=cell_lat1 {
            for dlon in -lon_cells..=lon_cells {
                let lon = (centre_lon as isize + dlon).rem_euclid(GRID_LON as isize) as usize;
                seen.extend_from_slice(&self.cells[lat * GRID_LON + lon]);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        let unit = to_unit(p);
        seen.iter()
            .map(|&i| {
                let polygon = &self.polygons[i as usize];
                (polygon.country, polygon.distance(unit, lat0, lat1))
            })
            .map(|(country, arc)| Hit {
                country,
                distance_km: arc * EARTH_RADIUS_KM,
            })
            .filter(|hit| hit.distance_km <= max_km)
            .min_by(|a, b| a.distance_km.total_cmp(&b.distance_km))
    }
}

fn normalize(p: LatLon) -> LatLon {
    LatLon::new(
        p.lat.clamp(-90.0, 90.0),
        (p.lon + 180.0).rem_euclid(360.0) - 180.0,
    )
}

fn cell_of(p: LatLon) -> (usize, usize) {
    let lat = ((p.lat + 90.0).floor().max(0.0) as usize).min(GRID_LAT - 1);
    let lon = ((p.lon + 180.0).floor().max(0.0) as usize).min(GRID_LON - 1);
    (lat, lon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::load_countries;

    fn world() -> (Vec<Country>, CountryIndex) {
        // Two squares, one inside the other without a hole, and an island near the antimeridian.
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"ADM0_A3":"BIG"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}},
          {"type":"Feature","properties":{"ADM0_A3":"ENC"},"geometry":{"type":"Polygon","coordinates":[[[4,4],[5,4],[5,5],[4,5],[4,4]]]}},
          {"type":"Feature","properties":{"ADM0_A3":"ISL"},"geometry":{"type":"Polygon","coordinates":[[[179,-17],[180,-17],[180,-16],[179,-16],[179,-17]]]}}
        ]}"#;
        let countries = load_countries(text).unwrap();
        let index = CountryIndex::new(&countries, 1.5);
        (countries, index)
    }

    #[test]
    fn inside_outside_and_enclave() {
        let (_, index) = world();
        assert_eq!(index.locate(LatLon::new(2.0, 2.0)), Some(0));
        assert_eq!(index.locate(LatLon::new(4.5, 4.5)), Some(1));
        assert_eq!(index.locate(LatLon::new(-2.0, 2.0)), None);
        assert_eq!(index.locate(LatLon::new(-16.5, 179.5)), Some(2));
        assert_eq!(index.locate(LatLon::new(-16.5, -179.5)), None);
        assert_eq!(index.locate(LatLon::new(-16.5, 539.5)), Some(2));
    }

    #[test]
    fn nearest_snaps_within_reach_only() {
        let (_, index) = world();
        // 0.1° west of the island's west coast is about 10.6 km at 16.5°S.
        let hit = index.nearest(LatLon::new(-16.5, 178.9), 20.0).unwrap();
        assert_eq!(hit.country, 2);
        assert!((hit.distance_km - 10.66).abs() < 0.2, "{hit:?}");
        assert_eq!(index.nearest(LatLon::new(-16.5, 178.9), 5.0), None);
        // Across the antimeridian: 0.1° east of 180° is the same distance.
        let hit = index.nearest(LatLon::new(-16.5, -179.9), 20.0).unwrap();
        assert_eq!(hit.country, 2);
        let inside = index.nearest(LatLon::new(2.0, 2.0), 1.0).unwrap();
        assert_eq!((inside.country, inside.distance_km), (0, 0.0));
    }

    #[test]
    fn arc_to_segment_middle_and_ends() {
        let a = to_unit(LatLon::new(0.0, 0.0));
        let b = to_unit(LatLon::new(0.0, 10.0));
        let above = to_unit(LatLon::new(1.0, 5.0));
        assert!((arc_to_segment(above, a, b).to_degrees() - 1.0).abs() < 1e-9);
        let beyond = to_unit(LatLon::new(0.0, 12.0));
        assert!((arc_to_segment(beyond, a, b).to_degrees() - 2.0).abs() < 1e-9);
    }
}
