//! The loaded world: the countries' outlines, their lookup by point, their one mesh and
//! each country's land tone; what picking, the camera, the globe, the panels and the kiosk
//! all read.

use std::ops::Range;

use anyhow::Context;
use bevy::prelude::*;

use super::Geometry;
use crate::geo::{self, Country, CountryIndex};

/// How many land tones the globe has: enough that no two neighbours share one.
pub const LAND_TONES: usize = 6;

/// The loaded world: countries, their lookup, their mesh ranges and base colours.
#[derive(Resource)]
pub struct Atlas {
    pub countries: Vec<Country>,
    pub index: CountryIndex,
    pub(super) mesh: geo::CountryMesh,
    /// Each country's land tone, one of [`LAND_TONES`]; neighbours never share one.
    pub(super) palette_index: Vec<usize>,
}

impl Atlas {
    /// Loads and tessellates an outline file; errors name the file or the feature.
    pub fn load(geometry: Geometry) -> anyhow::Result<Self> {
        let path = geometry.path();
        let countries = geo::load_countries_file(&path)?;
        let mesh = geo::tessellate_countries(&countries, geo::MAX_EDGE_DEG)
            .with_context(|| format!("in {}", path.display()))?;
        let index = CountryIndex::new(&countries, geo::MAX_EDGE_DEG);
        let palette_index = geo::neighbor_colors(&countries, LAND_TONES);
        Ok(Self {
            countries,
            index,
            mesh,
            palette_index,
        })
    }

    pub fn find(&self, id: &str) -> Option<usize> {
        self.countries.iter().position(|c| c.id == id)
    }

    pub(super) fn vertex_range(&self, country: usize) -> Range<usize> {
        let r = &self.mesh.vertex_ranges[country];
        r.start as usize..r.end as usize
    }
}
