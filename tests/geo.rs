//! The geography core against the real Natural Earth files: areas, lookups and edge cases
//! measured against real-world figures.

#![allow(
    clippy::unwrap_used,
    reason = "helpers of tests and benchmarks: a failed unwrap fails the run, with its line"
)]

use std::path::Path;
use std::sync::OnceLock;

use newsglobe::geo::{
    self, Country, CountryIndex, CountryMesh, EARTH_RADIUS_KM, LatLon, MAX_EDGE_DEG,
};

struct World {
    countries: Vec<Country>,
    mesh: CountryMesh,
    index: CountryIndex,
}

fn default_world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/countries/countries-default.geojson");
        let countries = geo::load_countries_file(&path).unwrap();
        let mesh = geo::tessellate_countries(&countries, MAX_EDGE_DEG).unwrap();
        let index = CountryIndex::new(&countries, MAX_EDGE_DEG);
        World {
            countries,
            mesh,
            index,
        }
    })
}

fn country(id: &str) -> usize {
    let world = default_world();
    world.countries.iter().position(|c| c.id == id).unwrap()
}

/// Area in km² of one country's triangles.
fn mesh_area_km2(world: &World, c: usize) -> f64 {
    let range = world.mesh.vertex_ranges[c].clone();
    let unit = |i: u32| glam::DVec3::from(world.mesh.positions[i as usize].map(f64::from));
    world
        .mesh
        .indices
        .chunks_exact(3)
        .filter(|t| range.contains(&t[0]))
        .map(|t| geo::triangle_area(unit(t[0]), unit(t[1]), unit(t[2])))
        .sum::<f64>()
        * EARTH_RADIUS_KM.powi(2)
}

/// Area in km² enclosed by a country's rings, densified as the mesh is.
fn ring_area_km2(c: &Country) -> f64 {
    let area = |ring: &Vec<LatLon>| geo::ring_area(&geo::densify_ring(ring, MAX_EDGE_DEG));
    c.polygons
        .iter()
        .map(|p| area(&p.exterior) - p.holes.iter().map(area).sum::<f64>())
        .sum::<f64>()
        * EARTH_RADIUS_KM.powi(2)
}

#[test]
fn all_countries_load_with_unique_codes() {
    let world = default_world();
    assert!(world.countries.len() >= 240, "{}", world.countries.len());
    let mut ids: Vec<&str> = world.countries.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), world.countries.len());
    let france = &world.countries[country("FRA")];
    assert_eq!(france.iso_a2.as_deref(), Some("FR"));
}

#[test]
fn land_area_matches_the_earth() {
    let world = default_world();
    let total: f64 = (0..world.countries.len())
        .map(|c| mesh_area_km2(world, c))
        .sum();
    let expected = 148.9e6;
    assert!((total / expected - 1.0).abs() < 0.03, "land {total:.0} km²");
    let russia = mesh_area_km2(world, country("RUS"));
    assert!(
        (russia / 17.1e6 - 1.0).abs() < 0.03,
        "Russia {russia:.0} km²"
    );
}

#[test]
fn mesh_area_matches_ring_area_for_large_countries() {
    let world = default_world();
    let mut checked = 0;
    for (c, country) in world.countries.iter().enumerate() {
        let rings = ring_area_km2(country);
        if rings < 1.0e6 {
            continue;
        }
        let mesh = mesh_area_km2(world, c);
        assert!(
            (mesh / rings - 1.0).abs() < 0.01,
            "{}: mesh {mesh:.0} km² vs rings {rings:.0} km²",
            country.id
        );
        checked += 1;
    }
    // Russia, Antarctica, Canada, the US, China, Brazil, Australia and a score more.
    assert!(checked >= 25, "{checked}");
}

#[test]
fn no_mesh_edge_is_longer_than_the_limit() {
    let world = default_world();
    let unit = |i: u32| glam::DVec3::from(world.mesh.positions[i as usize].map(f64::from));
    let longest = world
        .mesh
        .indices
        .chunks_exact(3)
        .flat_map(|t| [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])])
        .map(|(a, b)| geo::arc_between(unit(a), unit(b)).to_degrees())
        .fold(0.0, f64::max);
    assert!(longest <= MAX_EDGE_DEG * 1.0001, "{longest}°");
}

#[test]
fn triangles_face_outward() {
    let world = default_world();
    let unit = |i: u32| glam::DVec3::from(world.mesh.positions[i as usize].map(f64::from));
    let inward = world
        .mesh
        .indices
        .chunks_exact(3)
        .filter(|t| {
            let (a, b, c) = (unit(t[0]), unit(t[1]), unit(t[2]));
            (b - a).cross(c - a).dot(a + b + c) <= 0.0
        })
        .count();
    assert_eq!(inward, 0);
}

fn locate(lat: f64, lon: f64) -> Option<&'static str> {
    let world = default_world();
    world
        .index
        .locate(LatLon::new(lat, lon))
        .map(|c| world.countries[c].id.as_str())
}

#[test]
fn known_points() {
    assert_eq!(locate(50.4501, 30.5234), Some("UKR"), "Kyiv");
    assert_eq!(locate(-29.3167, 27.4833), Some("LSO"), "Maseru");
    assert_eq!(locate(-26.2041, 28.0473), Some("ZAF"), "Johannesburg");
    assert_eq!(locate(43.9356, 12.4473), Some("SMR"), "San Marino");
    assert_eq!(locate(41.8719, 12.5674), Some("ITA"), "Rome");
    assert_eq!(
        locate(-16.79, -179.95),
        Some("FJI"),
        "Taveuni, east of 180°"
    );
    assert_eq!(locate(65.5, 178.0), Some("RUS"), "Chukotka west of 180°");
    assert_eq!(locate(66.0, -175.0), Some("RUS"), "Chukotka east of 180°");
    assert_eq!(locate(-89.5, 0.0), Some("ATA"), "near the South Pole");
    assert_eq!(locate(-90.0, 0.0), Some("ATA"), "the South Pole");
    assert_eq!(locate(30.0, -40.0), None, "mid-Atlantic");
    assert_eq!(locate(90.0, 0.0), None, "the North Pole is sea");
}

#[test]
fn suva_snaps_to_fiji() {
    let world = default_world();
    let suva = LatLon::new(-18.1416, 178.4419);
    let hit = world.index.nearest(suva, 25.0).expect("Fiji within 25 km");
    assert_eq!(world.countries[hit.country].id, "FJI");
    assert!(hit.distance_km < 25.0);
    assert!(
        world
            .index
            .nearest(LatLon::new(30.0, -40.0), 25.0)
            .is_none()
    );
}

#[test]
fn neighbours_get_different_colours() {
    let world = default_world();
    let colors = geo::neighbor_colors(&world.countries, 6);
    for (a, b) in [
        ("FRA", "DEU"),
        ("ZAF", "LSO"),
        ("ITA", "SMR"),
        ("USA", "CAN"),
        ("BRA", "ARG"),
        ("RUS", "CHN"),
        ("IND", "PAK"),
    ] {
        assert_ne!(colors[country(a)], colors[country(b)], "{a} and {b}");
    }
}

#[test]
fn low_geometry_loads_and_tessellates() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/countries/countries-low.geojson");
    let countries = geo::load_countries_file(&path).unwrap();
    let mesh = geo::tessellate_countries(&countries, MAX_EDGE_DEG).unwrap();
    assert_eq!(mesh.vertex_ranges.len(), countries.len());
    // Features under 0.1 km² here (the low file's Vatican is 0.009 km²) are below a pixel
    // at any zoom and are dropped as slivers; everything bigger must be drawn.
    for (country, range) in countries.iter().zip(&mesh.vertex_ranges) {
        if ring_area_km2(country) > 1.0 {
            assert!(!range.is_empty(), "{} has no triangles", country.id);
        }
    }
}

#[test]
fn a_missing_file_names_its_path() {
    let err = geo::load_countries_file(Path::new("/nonexistent/countries.geojson")).unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/countries.geojson"),
        "{err}"
    );
}

#[test]
fn every_country_with_a_two_letter_code_has_a_flag() {
    let world = default_world();
    let flags = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/flags");
    let missing: Vec<&str> = world
        .countries
        .iter()
        .filter(|c| c.iso_a2.is_some())
        .filter(|c| !flags.join(format!("{}.png", c.id)).is_file())
        .map(|c| c.id.as_str())
        .collect();
    assert!(missing.is_empty(), "no flag for {missing:?}");
}
