//! Finding a country by the name a reader types: its name, long name or ISO code, with case
//! and accents ignored, best matches first.
//!
//! Not this module's concern: how many matches to offer or how to show them (the app's finder).

use super::Country;

/// Countries whose name, long name or ISO code matches `query`, best first: a name that
/// starts with it, then a word in the name that does, then a name that contains it; within
/// each, alphabetical. Case and accents are ignored ("cote" finds Côte d'Ivoire).
pub fn find_countries(countries: &[Country], query: &str) -> Vec<usize> {
    let query = fold(query.trim());
    if query.is_empty() {
        return Vec::new();
    }
    let mut ranked: Vec<(u8, &str, usize)> = countries
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let name = fold(&c.name);
            let long = fold(&c.long_name);
            let code = |code: &Option<String>| code.as_deref().is_some_and(|k| fold(k) == query);
            let rank = if name.starts_with(&query) || code(&c.iso_a3) || code(&c.iso_a2) {
                0
            } else if name
                .split(|ch: char| !ch.is_alphanumeric())
                .chain(long.split(|ch: char| !ch.is_alphanumeric()))
                .any(|word| word.starts_with(&query))
            {
                1
            } else if name.contains(&query) || long.contains(&query) {
                2
            } else {
                return None;
            };
            Some((rank, c.name.as_str(), i))
        })
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, _, i)| i).collect()
}

/// Lower case without the accents of Latin letters, for matching what a reader types.
fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'ç' | 'č' | 'ć' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
            'ý' | 'ÿ' => 'y',
            'š' | 'ś' => 's',
            'ž' | 'ź' | 'ż' => 'z',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod find_countries_tests {
    use super::*;
    use crate::geo::{BBox, LatLon};

    fn country(id: &str, name: &str, long_name: &str, a2: &str) -> Country {
        Country {
            id: id.into(),
            name: name.into(),
            long_name: long_name.into(),
            iso_a2: Some(a2.into()),
            iso_a3: Some(id.into()),
            continent: String::new(),
            polygons: Vec::new(),
            bbox: BBox {
                min: LatLon::new(0.0, 0.0),
                max: LatLon::new(0.0, 0.0),
            },
            label: LatLon::new(0.0, 0.0),
        }
    }

    fn names(countries: &[Country], query: &str) -> Vec<String> {
        find_countries(countries, query)
            .into_iter()
            .map(|i| countries[i].name.clone())
            .collect()
    }

    #[test]
    fn names_that_start_with_it_come_first_then_words_then_anywhere() {
        let countries = [
            country("NER", "Niger", "Republic of Niger", "NE"),
            country("NGA", "Nigeria", "Federal Republic of Nigeria", "NG"),
            country("CIV", "Côte d'Ivoire", "Republic of Côte d'Ivoire", "CI"),
            country(
                "PNG",
                "Papua New Guinea",
                "Independent State of Papua New Guinea",
                "PG",
            ),
            country("GIN", "Guinea", "Republic of Guinea", "GN"),
        ];
        assert_eq!(names(&countries, "nig"), ["Niger", "Nigeria"]);
        assert_eq!(names(&countries, "GUI"), ["Guinea", "Papua New Guinea"]);
        assert_eq!(names(&countries, "cote"), ["Côte d'Ivoire"]);
        assert_eq!(names(&countries, "ivo"), ["Côte d'Ivoire"]);
        assert_eq!(
            names(&countries, "ng"),
            ["Nigeria"],
            "an ISO code finds its country"
        );
        assert_eq!(names(&countries, "eria"), ["Nigeria"], "inside a name");
        assert!(names(&countries, "  ").is_empty());
        assert!(names(&countries, "atlantis").is_empty());
    }
}
