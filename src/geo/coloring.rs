//! A colour index per country such that no two neighbours share one.
//!
//! Neighbours are countries that share an outline vertex: Natural Earth's shared borders are
//! one arc in both countries, and mapshaper's topology-aware simplification keeps them so.
//! Greedy colouring in smallest-last order uses at most six colours on a planar map.

use std::collections::HashMap;

use super::countries::Country;

/// One colour index per country, each below `palette`, neighbours always differing while the
/// map allows it with that many colours.
pub fn neighbor_colors(countries: &[Country], palette: usize) -> Vec<usize> {
    let neighbours = adjacency(countries);
    let order = smallest_last_order(&neighbours);
    let mut colors = vec![usize::MAX; countries.len()];
    for &c in order.iter().rev() {
        let used: Vec<usize> = neighbours[c].iter().map(|&n| colors[n]).collect();
        // Spread countries over the palette rather than piling them onto colour 0.
        colors[c] = (0..palette)
            .map(|k| (k + c) % palette)
            .find(|k| !used.contains(k))
            .unwrap_or(c % palette);
    }
    colors
}

fn adjacency(countries: &[Country]) -> Vec<Vec<usize>> {
    let mut owners: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (c, country) in countries.iter().enumerate() {
        let points = country
            .polygons
            .iter()
            .flat_map(|p| std::iter::once(&p.exterior).chain(&p.holes))
            .flatten();
        for p in points {
            // The files carry three decimals; a key a little coarser joins equal vertices.
            let key = ((p.lat * 1e3).round() as i64, (p.lon * 1e3).round() as i64);
            let entry = owners.entry(key).or_default();
            if entry.last() != Some(&c) {
                entry.push(c);
            }
        }
    }
    let mut neighbours = vec![Vec::new(); countries.len()];
    for owners in owners.values().filter(|o| o.len() > 1) {
        for &a in owners {
            for &b in owners {
                if a != b && !neighbours[a].contains(&b) {
                    neighbours[a].push(b);
                }
            }
        }
    }
    neighbours
}

/// Repeatedly removes a vertex of least remaining degree; colouring in reverse removal order
/// gives every vertex at most five already-coloured neighbours in a planar graph.
fn smallest_last_order(neighbours: &[Vec<usize>]) -> Vec<usize> {
    let mut degree: Vec<usize> = neighbours.iter().map(Vec::len).collect();
    let mut removed = vec![false; neighbours.len()];
    let mut order = Vec::with_capacity(neighbours.len());
    for _ in 0..neighbours.len() {
        let v = (0..neighbours.len())
            .filter(|&v| !removed[v])
            .min_by_key(|&v| degree[v])
            .expect("one vertex left per iteration");
        removed[v] = true;
        order.push(v);
        for &n in &neighbours[v] {
            degree[n] = degree[n].saturating_sub(1);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::load_countries;

    #[test]
    fn neighbours_differ_and_strangers_may_share() {
        // A row of three squares sharing edges, and a fourth far away.
        let square = |id: &str, x: i32| {
            format!(
                r#"{{"type":"Feature","properties":{{"ADM0_A3":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},0],[{},0],[{},1],[{x},1],[{x},0]]]}}}}"#,
                x + 1,
                x + 1
            )
        };
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{},{},{},{}]}}"#,
            square("AAA", 0),
            square("BBB", 1),
            square("CCC", 2),
            square("FAR", 50)
        );
        let countries = load_countries(&text).unwrap();
        let neighbours = adjacency(&countries);
        assert_eq!(neighbours[1].len(), 2);
        assert!(neighbours[3].is_empty());
        let colors = neighbor_colors(&countries, 3);
        assert_ne!(colors[0], colors[1]);
        assert_ne!(colors[1], colors[2]);
        assert!(colors.iter().all(|&c| c < 3));
    }
}
