//! The outlet catalog: which news outlets the app follows, where their feeds are, and the
//! facts a reader needs about each (country, language, ownership).
//!
//! The catalog is a TOML file (`assets/outlets.toml`, documented in `assets/OUTLETS.md`);
//! a user can point the app at their own with `--outlets FILE`. Loading checks what can be
//! checked without the network and names the outlet at fault.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::FeedSource;

/// Who owns an outlet, as far as the catalog knows.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Ownership {
    /// Controlled by a government.
    State,
    /// A public-service broadcaster with editorial independence in law.
    Public,
    Private,
    Unknown,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Outlet {
    pub name: String,
    /// Natural Earth `ADM0_A3` code of the outlet's country.
    pub country: String,
    pub homepage: String,
    pub feeds: Vec<String>,
    /// ISO 639-1 code of the feeds' language.
    pub language: String,
    /// Whether the feeds are an English edition.
    pub english: bool,
    pub ownership: Ownership,
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    outlet: Vec<Outlet>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the outlet catalog {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the outlet catalog {path} is not valid: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("the outlet catalog {path}, outlet {index} ({name}): {problem}")]
    Outlet {
        path: PathBuf,
        index: usize,
        name: String,
        problem: String,
    },
}

/// The outlets of a catalog, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Catalog {
    pub outlets: Vec<Outlet>,
}

impl Catalog {
    /// The catalog that ships with the app.
    pub fn default_path() -> PathBuf {
        crate::assets::dir().join("outlets.toml")
    }

    pub fn load(path: &Path) -> Result<Self, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|e| e.at(path))
    }

    /// Parses catalog text; errors carry an empty path until `load` fills it in.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| CatalogError::Syntax {
            path: PathBuf::new(),
            message: e.to_string(),
        })?;
        let mut feeds = HashSet::new();
        for (index, outlet) in file.outlet.iter().enumerate() {
            check_outlet(outlet, &mut feeds).map_err(|problem| CatalogError::Outlet {
                path: PathBuf::new(),
                index,
                name: outlet.name.clone(),
                problem,
            })?;
        }
        Ok(Self {
            outlets: file.outlet,
        })
    }

    /// Every feed with its outlet's facts, in catalog order.
    pub fn sources(&self) -> Vec<FeedSource> {
        self.outlets
            .iter()
            .flat_map(|outlet| {
                outlet.feeds.iter().map(|feed| FeedSource {
                    feed_url: feed.clone(),
                    outlet: outlet.name.clone(),
                    country: outlet.country.clone(),
                    language: outlet.language.clone(),
                })
            })
            .collect()
    }

    /// The countries (ADM0_A3) that have at least one outlet.
    pub fn countries(&self) -> HashSet<&str> {
        self.outlets.iter().map(|o| o.country.as_str()).collect()
    }
}

impl CatalogError {
    fn at(self, file: &Path) -> Self {
        match self {
            CatalogError::Syntax { message, .. } => CatalogError::Syntax {
                path: file.to_owned(),
                message,
            },
            CatalogError::Outlet {
                index,
                name,
                problem,
                ..
            } => CatalogError::Outlet {
                path: file.to_owned(),
                index,
                name,
                problem,
            },
            io => io,
        }
    }
}

fn check_outlet(outlet: &Outlet, feeds: &mut HashSet<String>) -> Result<(), String> {
    if outlet.name.trim().is_empty() {
        return Err("the name is empty".into());
    }
    let code = &outlet.country;
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "country {code:?} is not a three-letter ADM0_A3 code"
        ));
    }
    let language = &outlet.language;
    if language.len() != 2 || !language.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(format!("language {language:?} is not an ISO 639-1 code"));
    }
    check_url(&outlet.homepage).map_err(|e| format!("homepage: {e}"))?;
    if outlet.feeds.is_empty() {
        return Err("it has no feeds".into());
    }
    for feed in &outlet.feeds {
        check_url(feed).map_err(|e| format!("feed {feed:?}: {e}"))?;
        if !feeds.insert(feed.clone()) {
            return Err(format!("feed {feed:?} is listed twice"));
        }
    }
    Ok(())
}

fn check_url(text: &str) -> Result<(), String> {
    let url = url::Url::parse(text).map_err(|e| e.to_string())?;
    match (url.scheme(), url.host_str()) {
        ("http" | "https", Some(_)) => Ok(()),
        (scheme, _) => Err(format!("not an http(s) address with a host ({scheme})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[outlet]]
name = "The Kyiv Independent"
country = "UKR"
homepage = "https://kyivindependent.com"
feeds = ["https://kyivindependent.com/news-archive/rss/"]
language = "en"
english = true
ownership = "private"
"#;

    #[test]
    fn reads_an_outlet_and_its_sources() {
        let catalog = Catalog::parse(ONE).unwrap();
        assert_eq!(catalog.outlets[0].ownership, Ownership::Private);
        let sources = catalog.sources();
        assert_eq!(sources.len(), 1);
        assert_eq!(sources[0].country, "UKR");
        assert_eq!(sources[0].outlet, "The Kyiv Independent");
    }

    fn problem(text: &str) -> String {
        Catalog::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn names_the_outlet_at_fault() {
        let e = problem(&ONE.replace("\"UKR\"", "\"Ukraine\""));
        assert!(
            e.contains("outlet 0 (The Kyiv Independent)") && e.contains("ADM0_A3"),
            "{e}"
        );
        let e = problem(&ONE.replace("https://kyivindependent.com/news", "kyiv/news"));
        assert!(e.contains("feed \"kyiv/news-archive/rss/\""), "{e}");
        let e = problem(&ONE.replace("\"en\"", "\"english\""));
        assert!(e.contains("ISO 639-1"), "{e}");
    }

    #[test]
    fn rejects_duplicate_feeds_and_unknown_fields() {
        let twice = format!("{ONE}{}", ONE.replace("The Kyiv Independent", "Copy"));
        assert!(problem(&twice).contains("listed twice"));
        let e = problem(&ONE.replace("ownership = \"private\"", "owner = \"x\""));
        assert!(e.contains("not valid"), "{e}");
    }

    #[test]
    fn load_names_the_file() {
        let e = Catalog::load(Path::new("/nonexistent/outlets.toml")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/outlets.toml"));
    }
}
