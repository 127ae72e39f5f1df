//! The globe: one mesh for all countries over an ocean sphere, outlines, light, and colours
//! that follow the hover, the selection, the news and the countries a story or search lights.
//!
//! Countries share one mesh with per-vertex colours; each country owns a contiguous vertex
//! range, so highlighting rewrites colours within the frame and never rebuilds geometry.

use bevy::asset::RenderAssetUsages;
use bevy::light::GlobalAmbientLight;
use bevy::mesh::{Indices, PrimitiveTopology, VertexAttributeValues};
use bevy::prelude::*;

use super::AppSystems;
use super::atlas::{Atlas, LAND_TONES};
use super::news::RecentCounts;
use super::selection::{Hovered, Selection};
use crate::geo::{self, Country, LatLon};

/// The colour a country is drawn in, given what the user is pointing at and has picked,
/// how much news it has (`heat`, 0 to 1) and whether a story or search lights it up.
fn color(
    atlas: &Atlas,
    country: usize,
    hovered: Option<usize>,
    selected: Option<usize>,
    heat: f32,
    highlight: &Highlight,
) -> LinearRgba {
    let land = LAND[atlas.palette_index[country]];
    let base = if highlight.countries.is_empty() {
        land.mix(&NEWS_HEAT, 0.6 * heat)
    } else if highlight.first == Some(country) {
        land.mix(&FIRST, 0.85)
    } else if highlight.countries.binary_search(&country).is_ok() {
        // Keep the neighbour colouring faintly, so adjacent lit countries stay apart.
        land.mix(&LIT, 0.8)
    } else {
        land.mix(&UNLIT, 0.7)
    };
    if selected == Some(country) {
        SELECTED.into()
    } else if hovered == Some(country) {
        base.mix(&Srgba::WHITE, 0.45).into()
    } else {
        base.into()
    }
}

/// How hot a country's news is: its recent article count on a log scale against the
/// busiest country's, so a handful of articles still shows.
fn heat(counts: &RecentCounts, id: &str) -> f32 {
    let busiest = counts.0.values().copied().max().unwrap_or(0);
    match counts.0.get(id) {
        Some(&n) if busiest > 0 => ((1.0 + n as f32).ln() / (1.0 + busiest as f32).ln()).min(1.0),
        _ => 0.0,
    }
}

/// Muted land tones; neighbours never share one (see `geo::neighbor_colors`).
const LAND: [Srgba; LAND_TONES] = [
    Srgba::rgb(0.55, 0.66, 0.47),
    Srgba::rgb(0.78, 0.71, 0.50),
    Srgba::rgb(0.65, 0.58, 0.47),
    Srgba::rgb(0.47, 0.62, 0.58),
    Srgba::rgb(0.72, 0.62, 0.55),
    Srgba::rgb(0.62, 0.69, 0.54),
];
/// The tint countries take on as their news of the last day grows.
const NEWS_HEAT: Srgba = Srgba::rgb(0.86, 0.38, 0.30);
const SELECTED: Srgba = Srgba::rgb(0.98, 0.66, 0.15);
/// Countries a story or a search lights up, and the rest meanwhile.
const LIT: Srgba = Srgba::rgb(0.20, 0.78, 0.90);
const UNLIT: Srgba = Srgba::rgb(0.22, 0.24, 0.26);
/// The country that reported a story first, among the lit ones.
pub(super) const FIRST: Srgba = Srgba::rgb(0.93, 0.36, 0.72);
const OCEAN: Srgba = Srgba::rgb(0.09, 0.22, 0.38);
const BORDER: Srgba = Srgba::new(0.12, 0.12, 0.10, 0.75);
const SPACE: Srgba = Srgba::rgb(0.02, 0.03, 0.06);
/// Outlines float just above the land so they never sink into it between vertices.
const BORDER_RADIUS: f32 = 1.0006;
/// The ocean sits below the land by more than a mesh chord's sag (1.5° → 8.6e-5).
const OCEAN_RADIUS: f32 = 0.998;

/// The countries a story's coverage or a search's matches light up, as sorted indices into
/// [`Atlas::countries`]; empty when nothing is lit, and the globe shows its news heat.
#[derive(Resource, Debug, Default, PartialEq)]
pub struct Highlight {
    pub countries: Vec<usize>,
    /// Of a story, the country that reported it first, marked apart.
    pub first: Option<usize>,
}

/// The globe's root: its rotation is the view; picking undoes it to find latitude/longitude.
#[derive(Component)]
pub struct Globe;

#[derive(Component)]
struct LandMesh(Handle<Mesh>);

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(ClearColor(SPACE.into()))
        .insert_resource(GlobalAmbientLight {
            color: Color::WHITE,
            brightness: 350.0,
            ..default()
        })
        .init_resource::<Highlight>()
        .add_systems(Startup, spawn_globe)
        .add_systems(
            Update,
            recolor.in_set(AppSystems::Present).run_if(
                resource_changed::<Hovered>
                    .or_else(resource_changed::<Selection>)
                    .or_else(resource_changed::<RecentCounts>)
                    .or_else(resource_changed::<Highlight>),
            ),
        );
}

fn spawn_globe(
    mut commands: Commands,
    atlas: Res<Atlas>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut gizmos: ResMut<Assets<GizmoAsset>>,
) {
    let land = meshes.add(land_mesh(&atlas));
    let land_material = materials.add(StandardMaterial {
        base_color: Color::WHITE,
        perceptual_roughness: 0.9,
        reflectance: 0.2,
        ..default()
    });
    let ocean_material = materials.add(StandardMaterial {
        base_color: OCEAN.into(),
        perceptual_roughness: 0.6,
        reflectance: 0.25,
        ..default()
    });
    commands.spawn((
        Name::new("Globe"),
        Globe,
        Transform::default(),
        Visibility::default(),
        children![
            (
                Name::new("Ocean"),
                Mesh3d(meshes.add(Sphere::new(OCEAN_RADIUS).mesh().uv(192, 96))),
                MeshMaterial3d(ocean_material),
            ),
            (
                Name::new("Land"),
                Mesh3d(land.clone()),
                MeshMaterial3d(land_material),
                LandMesh(land),
            ),
            (
                Name::new("Borders"),
                Gizmo {
                    handle: gizmos.add(borders(&atlas.countries)),
                    line_config: GizmoLineConfig {
                        width: 1.1,
                        ..default()
                    },
                    depth_bias: -0.0005,
                },
            ),
        ],
    ));
}

/// All countries as one mesh: unit-sphere positions double as normals.
fn land_mesh(atlas: &Atlas) -> Mesh {
    let colors: Vec<[f32; 4]> = (0..atlas.countries.len())
        .flat_map(|c| {
            let color = color(atlas, c, None, None, 0.0, &Highlight::default()).to_f32_array();
            std::iter::repeat_n(color, atlas.vertex_range(c).len())
        })
        .collect();
    Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, atlas.mesh.positions.clone())
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, atlas.mesh.positions.clone())
    .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, colors)
    .with_inserted_indices(Indices::U32(atlas.mesh.indices.clone()))
}

/// Coast and border lines from the densified rings, minus the cuts Natural Earth makes along
/// the antimeridian and the South Pole, which are not borders.
fn borders(countries: &[Country]) -> GizmoAsset {
    let mut asset = GizmoAsset::new();
    let rings = countries
        .iter()
        .flat_map(|c| &c.polygons)
        .flat_map(|p| std::iter::once(&p.exterior).chain(&p.holes));
    for ring in rings {
        let dense = geo::densify_ring(ring, geo::MAX_EDGE_DEG);
        let mut run: Vec<Vec3> = Vec::new();
        for pair in dense.windows(2) {
            if is_cut(pair[0], pair[1]) {
                flush(&mut asset, &mut run);
                continue;
            }
            if run.is_empty() {
                run.push(border_point(pair[0]));
            }
            run.push(border_point(pair[1]));
        }
        flush(&mut asset, &mut run);
    }
    asset
}

fn flush(asset: &mut GizmoAsset, run: &mut Vec<Vec3>) {
    if run.len() > 1 {
        asset.linestrip(run.drain(..), BORDER);
    }
    run.clear();
}

fn is_cut(a: LatLon, b: LatLon) -> bool {
    (a.lon.abs() == 180.0 && a.lon == b.lon) || (a.lat.abs() == 90.0 && a.lat == b.lat)
}

fn border_point(p: LatLon) -> Vec3 {
    geo::to_unit(p).as_vec3() * BORDER_RADIUS
}

/// Rewrites the colours of the countries whose state changed since the last call, or of
/// all of them when the news counts or the lit countries changed.
#[allow(clippy::too_many_arguments)] // A country's colour depends on each of these.
fn recolor(
    atlas: Res<Atlas>,
    hovered: Res<Hovered>,
    selection: Res<Selection>,
    counts: Res<RecentCounts>,
    highlight: Res<Highlight>,
    land: Single<&LandMesh>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut shown: Local<(Option<usize>, Option<usize>)>,
) {
    let Some(mut mesh) = meshes.get_mut(&land.0) else {
        return;
    };
    let Some(VertexAttributeValues::Float32x4(colors)) = mesh.attribute_mut(Mesh::ATTRIBUTE_COLOR)
    else {
        return;
    };
    let (was_hovered, was_selected) = *shown;
    let now = (hovered.0, selection.0);
    let mut paint = |country: usize| {
        let heat = heat(&counts, &atlas.countries[country].id);
        let color = color(&atlas, country, now.0, now.1, heat, &highlight).to_f32_array();
        colors[atlas.vertex_range(country)].fill(color);
    };
    if counts.is_changed() || highlight.is_changed() {
        (0..atlas.countries.len()).for_each(&mut paint);
    } else {
        [was_hovered, was_selected, now.0, now.1]
            .into_iter()
            .flatten()
            .for_each(paint);
    }
    *shown = now;
}
