//! Benchmarks of `newsglobe::geo`: loading, tessellating and indexing the country outlines,
//! and looking points up in the index.
//!
//! Goals: `load_countries` costs at most 3x a plain `serde_json` parse of the same text (the
//! `json_parse` baseline; `load_tessellate` shows the whole load-to-mesh path against it), and
//! a lookup takes at most 5 µs per point (median) on the default geometry.
//!
//! The lookup benchmarks run 10,000 points per iteration, uniform on the sphere, and report
//! throughput: µs per point = 1 / (Melem/s), or the time per iteration in ms divided by 10.
//!
//! Run with `cargo bench --bench geo`.

#![allow(
    clippy::unwrap_used,
    reason = "helpers of tests and benchmarks: a failed unwrap fails the run, with its line"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsglobe::geo::{CountryIndex, LatLon, MAX_EDGE_DEG, load_countries, tessellate_countries};

const GEOMETRIES: [(&str, &str); 2] = [
    ("low", "countries-low.geojson"),
    ("default", "countries-default.geojson"),
];

/// Points per lookup iteration.
const POINTS: usize = 10_000;

fn read_geometry(file: &str) -> String {
    let path = format!("{}/assets/countries/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// Parsing, loading, tessellating and indexing each geometry; the text is read once, untimed.
fn build(c: &mut Criterion) {
    for (name, file) in GEOMETRIES {
        let text = read_geometry(file);
        let countries = load_countries(&text).expect("geometry loads");
        tessellate_countries(&countries, MAX_EDGE_DEG).expect("geometry tessellates");

        let mut group = c.benchmark_group(format!("build_{name}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        group.bench_function("json_parse", |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&text)).unwrap())
        });
        group.bench_function("load", |b| {
            b.iter(|| load_countries(black_box(&text)).unwrap())
        });
        group.bench_function("tessellate", |b| {
            b.iter(|| tessellate_countries(black_box(&countries), MAX_EDGE_DEG).unwrap())
        });
        group.bench_function("load_tessellate", |b| {
            b.iter(|| {
                let countries = load_countries(black_box(&text)).unwrap();
                tessellate_countries(&countries, MAX_EDGE_DEG).unwrap()
            })
        });
        group.bench_function("index", |b| {
            b.iter(|| CountryIndex::new(black_box(&countries), MAX_EDGE_DEG))
        });
        group.finish();
    }
}

/// splitmix64: a tiny deterministic generator, so the points are the same on every run.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform draw from [0, 1).
fn unit(state: &mut u64) -> f64 {
    (splitmix64(state) >> 11) as f64 / (1u64 << 53) as f64
}

/// `n` points uniformly distributed on the sphere.
fn sphere_points(n: usize, seed: u64) -> Vec<LatLon> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            let lat = (2.0 * unit(&mut state) - 1.0).asin().to_degrees();
            let lon = 360.0 * unit(&mut state) - 180.0;
            LatLon::new(lat, lon)
        })
        .collect()
}

/// `locate` and `nearest` over 10,000 random points on the default geometry.
fn lookup(c: &mut Criterion) {
    let text = read_geometry("countries-default.geojson");
    let countries = load_countries(&text).expect("geometry loads");
    let index = CountryIndex::new(&countries, MAX_EDGE_DEG);
    let points = sphere_points(POINTS, 0x6E65_7773_676C_6F62);

    let mut group = c.benchmark_group("lookup_default");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(POINTS as u64));
    group.bench_function("locate", |b| {
        b.iter(|| {
            points
                .iter()
                .filter(|&&p| index.locate(black_box(p)).is_some())
                .count()
        })
    });
    group.bench_function("nearest_25km", |b| {
        b.iter(|| {
            points
                .iter()
                .filter(|&&p| index.nearest(black_box(p), 25.0).is_some())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, build, lookup);
criterion_main!(benches);
