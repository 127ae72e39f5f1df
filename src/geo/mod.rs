//! Pure geography: GeoJSON countries, the unit sphere, tessellation and point lookup.
//!
//! No Bevy here: plain data in, plain data out, so the headless commands, the benchmarks and
//! the app share one tested core. Angles are degrees at the edges (`LatLon`) and radians inside
//! the math; the sphere is the unit sphere with +Y through the North Pole and +Z through
//! (0°, 0°), so east is +X when seen from +Z.

mod coloring;
mod countries;
mod find;
mod lookup;
mod sphere;
mod tessellate;

pub use coloring::neighbor_colors;
pub use countries::{BBox, Country, GeoError, Polygon, load_countries, load_countries_file};
pub use find::find_countries;
pub use lookup::{CountryIndex, Hit};
pub use sphere::{
    EARTH_RADIUS_KM, LatLon, arc_between, densify_ring, from_unit, ray_sphere, ring_area, to_unit,
    triangle_area,
};
pub use tessellate::{CountryMesh, TessellateError, tessellate_countries, tessellate_polygon};

/// Longest arc, in degrees, that an outline edge or a mesh edge may span. CesiumJS uses 1°
/// for its polygon granularity; 1.5° keeps the flat chords within 0.01% of the sphere's
/// radius while holding the default geometry to a few hundred thousand triangles.
pub const MAX_EDGE_DEG: f64 = 1.5;
