//! Countries from a GeoJSON FeatureCollection of Natural Earth admin-0 features.
//!
//! Validation happens here, once, so that tessellation and lookup can trust their input:
//! every ring is closed, has at least four points and finite coordinates in range. Errors name
//! the feature (its index and `ADM0_A3`, or its name when the code is missing).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use geojson::{Feature, GeoJson, GeometryValue, JsonObject, PolygonType};

use super::sphere::{LatLon, ring_area};

/// One country: Natural Earth's `ADM0_A3` is its key (unique across all 250 features, while
/// `ISO_A2` is "-99" for France and Norway in release 5.1.1).
#[derive(Clone, Debug)]
pub struct Country {
    pub id: String,
    pub iso_a2: Option<String>,
    pub iso_a3: Option<String>,
    pub name: String,
    pub long_name: String,
    pub continent: String,
    pub polygons: Vec<Polygon>,
    pub bbox: BBox,
    /// A point inside the country's largest polygon, where the camera centres it.
    pub label: LatLon,
}

/// An outer ring with its holes, each closed (last point equals first).
#[derive(Clone, Debug, PartialEq)]
pub struct Polygon {
    pub exterior: Vec<LatLon>,
    pub holes: Vec<Vec<LatLon>>,
}

/// Longitude/latitude bounds in degrees. Natural Earth cuts polygons at the antimeridian, so
/// a country across it (Russia, Fiji) spans nearly -180..180 here.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BBox {
    pub min: LatLon,
    pub max: LatLon,
}

impl BBox {
    pub(crate) fn of_ring(ring: &[LatLon]) -> Self {
        ring.iter().fold(BBox::EMPTY, |b, p| b.include(*p))
    }

    const EMPTY: BBox = BBox {
        min: LatLon::new(f64::INFINITY, f64::INFINITY),
        max: LatLon::new(f64::NEG_INFINITY, f64::NEG_INFINITY),
    };

    fn include(self, p: LatLon) -> Self {
        BBox {
            min: LatLon::new(self.min.lat.min(p.lat), self.min.lon.min(p.lon)),
            max: LatLon::new(self.max.lat.max(p.lat), self.max.lon.max(p.lon)),
        }
    }

    fn union(self, other: BBox) -> Self {
        self.include(other.min).include(other.max)
    }

    pub fn contains(&self, p: LatLon) -> bool {
        (self.min.lat..=self.max.lat).contains(&p.lat)
            && (self.min.lon..=self.max.lon).contains(&p.lon)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("cannot read country outlines from {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("country outlines are not valid GeoJSON: {0}")]
    Json(String),
    #[error("country outlines must be a GeoJSON FeatureCollection, found a {0}")]
    NotFeatureCollection(&'static str),
    #[error("feature {index} ({name}): {problem}")]
    Feature {
        index: usize,
        name: String,
        problem: String,
    },
}

/// Reads and validates a country file.
pub fn load_countries_file(path: &Path) -> Result<Vec<Country>, GeoError> {
    let text = std::fs::read_to_string(path).map_err(|source| GeoError::Io {
        path: path.to_owned(),
        source,
    })?;
    load_countries(&text)
}

/// Parses a FeatureCollection of admin-0 countries.
pub fn load_countries(text: &str) -> Result<Vec<Country>, GeoError> {
    let features = match GeoJson::from_str(text) {
        Ok(GeoJson::FeatureCollection(fc)) => fc.features,
        Ok(GeoJson::Feature(_)) => return Err(GeoError::NotFeatureCollection("Feature")),
        Ok(GeoJson::Geometry(_)) => return Err(GeoError::NotFeatureCollection("Geometry")),
        Err(e) => return Err(explain_parse_error(text, e)),
    };
    let countries = features
        .iter()
        .enumerate()
        .map(|(index, feature)| {
            country_from_feature(feature).map_err(|problem| GeoError::Feature {
                index,
                name: feature_name(feature.properties.as_ref()),
                problem,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((index, dup)) = countries
        .iter()
        .enumerate()
        .find(|(i, c)| countries[..*i].iter().any(|o| o.id == c.id))
    {
        return Err(GeoError::Feature {
            index,
            name: dup.id.clone(),
            problem: "ADM0_A3 is used by an earlier feature too".into(),
        });
    }
    Ok(countries)
}

/// A whole-document parse error says where in the text, not which feature; when the text is
/// JSON after all, find the first feature that fails on its own and name it.
fn explain_parse_error(text: &str, error: geojson::Error) -> GeoError {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return GeoError::Json(error.to_string());
    };
    let Some(features) = value.get("features").and_then(|f| f.as_array()) else {
        return GeoError::Json(error.to_string());
    };
    for (index, raw) in features.iter().enumerate() {
        if let Err(e) = serde_json::from_value::<Feature>(raw.clone()) {
            return GeoError::Feature {
                index,
                name: feature_name(raw.get("properties").and_then(|p| p.as_object())),
                problem: e.to_string(),
            };
        }
    }
    GeoError::Json(error.to_string())
}

fn feature_name(properties: Option<&JsonObject>) -> String {
    let text = |key| {
        properties
            .and_then(|p| p.get(key))
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    };
    match (text("ADM0_A3"), text("NAME_EN")) {
        (Some(id), _) => id.to_owned(),
        (None, Some(name)) => format!("\"{name}\" without ADM0_A3"),
        (None, None) => "no ADM0_A3 or name".to_owned(),
    }
}

fn country_from_feature(feature: &Feature) -> Result<Country, String> {
    let props = feature.properties.as_ref();
    let text = |key: &str| -> Option<String> {
        props
            .and_then(|p| p.get(key))
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "-99")
            .map(str::to_owned)
    };
    let id = text("ADM0_A3").ok_or("it has no ADM0_A3 property")?;
    let name = text("NAME_EN").unwrap_or_else(|| id.clone());
    let geometry = feature.geometry.as_ref().ok_or("it has no geometry")?;
    let polygons = match &geometry.value {
        GeometryValue::Polygon { coordinates } => vec![polygon(coordinates, 0)?],
        GeometryValue::MultiPolygon { coordinates } => coordinates
            .iter()
            .enumerate()
            .map(|(i, p)| polygon(p, i))
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "its geometry is a {}, not a Polygon or MultiPolygon",
                other.type_name()
            ));
        }
    };
    if polygons.is_empty() {
        return Err("its MultiPolygon has no polygons".into());
    }
    let bbox = polygons
        .iter()
        .map(|p| BBox::of_ring(&p.exterior))
        .fold(BBox::EMPTY, BBox::union);
    let label = label_point(&polygons);
    Ok(Country {
        iso_a2: text("ISO_A2_EH"),
        iso_a3: text("ISO_A3_EH"),
        long_name: text("NAME_LONG").unwrap_or_else(|| name.clone()),
        continent: text("CONTINENT").unwrap_or_default(),
        id,
        name,
        polygons,
        bbox,
        label,
    })
}

fn polygon(rings: &PolygonType, index: usize) -> Result<Polygon, String> {
    let mut rings = rings.iter().enumerate().map(|(r, positions)| {
        ring(positions).map_err(|e| format!("polygon {index}, ring {r}: {e}"))
    });
    let exterior = rings
        .next()
        .ok_or_else(|| format!("polygon {index} has no rings"))??;
    let holes = rings.collect::<Result<_, _>>()?;
    Ok(Polygon { exterior, holes })
}

fn ring(positions: &[geojson::Position]) -> Result<Vec<LatLon>, String> {
    if positions.len() < 4 {
        return Err(format!(
            "a ring needs at least 4 points, this one has {}",
            positions.len()
        ));
    }
    let points = positions
        .iter()
        .enumerate()
        .map(|(i, p)| match p.as_slice() {
            [lon, lat, ..]
                if lon.is_finite()
                    && lat.is_finite()
                    && (-180.0..=180.0).contains(lon)
                    && (-90.0..=90.0).contains(lat) =>
            {
                Ok(LatLon::new(*lat, *lon))
            }
            other => Err(format!("point {i} {other:?} is not a longitude, latitude")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if points.first() != points.last() {
        return Err("the ring is not closed (its last point differs from its first)".into());
    }
    Ok(points)
}

/// A point well inside the largest polygon: of a few scanlines across it, the midpoint of the
/// widest stretch of land between two crossings. Centroids fall outside crescents such as
/// Chile's neighbours or Croatia, which is why this does not use one.
fn label_point(polygons: &[Polygon]) -> LatLon {
    let largest = polygons
        .iter()
        .map(|p| (ring_area(&p.exterior), p))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)
        .expect("validated: at least one polygon");
    let bbox = BBox::of_ring(&largest.exterior);
    let rings = || std::iter::once(&largest.exterior).chain(&largest.holes);
    let mut best = (f64::NEG_INFINITY, largest.exterior[0]);
    for step in 1..16 {
        let lat = bbox.min.lat + (bbox.max.lat - bbox.min.lat) * step as f64 / 16.0;
        let mut crossings: Vec<f64> = rings()
            .flat_map(|r| r.windows(2))
            .filter(|e| (e[0].lat > lat) != (e[1].lat > lat))
            .map(|e| e[0].lon + (lat - e[0].lat) / (e[1].lat - e[0].lat) * (e[1].lon - e[0].lon))
            .collect();
        crossings.sort_by(f64::total_cmp);
        for pair in crossings.chunks_exact(2) {
            // Narrow stretches count for less away from the middle latitudes of the polygon.
            let weight = 1.0 - (step as f64 / 16.0 - 0.5).abs();
            let width = (pair[1] - pair[0]) * lat.to_radians().cos() * weight;
            if width > best.0 {
                best = (width, LatLon::new(lat, (pair[0] + pair[1]) / 2.0));
            }
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection(features: &str) -> String {
        format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#)
    }

    const SQUARE: &str = r#"{"type":"Feature","properties":{"ADM0_A3":"AAA","NAME_EN":"Squareland","ISO_A2_EH":"AA","CONTINENT":"Europe"},
        "geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]}}"#;

    #[test]
    fn reads_a_country_with_a_hole() {
        let countries = load_countries(&collection(SQUARE)).unwrap();
        let c = &countries[0];
        assert_eq!((c.id.as_str(), c.name.as_str()), ("AAA", "Squareland"));
        assert_eq!(c.iso_a2.as_deref(), Some("AA"));
        assert_eq!(c.iso_a3, None);
        assert_eq!(c.polygons[0].holes.len(), 1);
        assert_eq!(c.bbox.max, LatLon::new(10.0, 10.0));
        let hole = BBox::of_ring(&c.polygons[0].holes[0]);
        assert!(
            c.bbox.contains(c.label) && !hole.contains(c.label),
            "{:?}",
            c.label
        );
    }

    fn error_of(text: &str) -> String {
        load_countries(text).unwrap_err().to_string()
    }

    #[test]
    fn not_json() {
        assert!(error_of("{nope").contains("not valid GeoJSON"));
    }

    #[test]
    fn not_a_feature_collection() {
        let e = error_of(r#"{"type":"Point","coordinates":[1,2]}"#);
        assert!(
            e.contains("FeatureCollection") && e.contains("Geometry"),
            "{e}"
        );
    }

    #[test]
    fn feature_without_code_is_named_by_its_name() {
        let e = error_of(&collection(&SQUARE.replace(r#""ADM0_A3":"AAA","#, "")));
        assert!(e.contains("feature 0") && e.contains("Squareland") && e.contains("ADM0_A3"));
    }

    #[test]
    fn geometry_of_the_wrong_kind() {
        let point = r#"{"type":"Feature","properties":{"ADM0_A3":"PNT"},"geometry":{"type":"Point","coordinates":[1,2]}}"#;
        let e = error_of(&collection(&format!("{SQUARE},{point}")));
        assert!(e.contains("feature 1 (PNT)") && e.contains("Point"), "{e}");
    }

    #[test]
    fn short_ring() {
        let e = error_of(&collection(
            &SQUARE.replace("[[4,4],[6,4],[6,6],[4,6],[4,4]]", "[[4,4],[6,4],[4,4]]"),
        ));
        assert!(
            e.contains("(AAA)") && e.contains("ring 1") && e.contains("3"),
            "{e}"
        );
    }

    #[test]
    fn malformed_geometry_is_traced_to_its_feature() {
        let bad = r#"{"type":"Feature","properties":{"ADM0_A3":"BAD"},"geometry":{"type":"Circle","radius":3}}"#;
        let e = error_of(&collection(&format!("{SQUARE},{bad}")));
        assert!(e.contains("feature 1 (BAD)"), "{e}");
    }

    #[test]
    fn duplicate_codes() {
        let e = error_of(&collection(&format!("{SQUARE},{SQUARE}")));
        assert!(
            e.contains("feature 1 (AAA)") && e.contains("earlier"),
            "{e}"
        );
    }

    #[test]
    fn out_of_range_point() {
        let e = error_of(&collection(&SQUARE.replace("[10,10]", "[10,95]")));
        assert!(e.contains("point 2"), "{e}");
    }
}
