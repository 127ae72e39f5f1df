//! The user's settings: a TOML file in the platform's config folder, overridden by
//! environment variables, overridden by command-line flags.
//!
//! Today it chooses the machine-translation backend. API keys come from the file or the
//! environment only, never from flags, where other users of the machine could read them in
//! the process list.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::news::translate::Backend;

/// The file the app reads, `config.toml` in the platform's config folder for newsglobe
/// (`~/.config/newsglobe/config.toml` on Linux).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "newsglobe").map(|d| d.config_dir().join("config.toml"))
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub translation: Translation,
}

/// `[translation]`: which backend turns other languages into English.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Translation {
    pub backend: BackendKind,
    /// Root of a LibreTranslate-compatible API, e.g. `http://localhost:5000`.
    pub libretranslate_url: Option<String>,
    pub libretranslate_key: Option<String>,
    pub deepl_key: Option<String>,
    /// A DeepL Pro key (free keys end in `:fx` and use the free endpoint).
    pub deepl_pro: bool,
    /// The `apertium` command: a name on the PATH or a path.
    pub apertium: PathBuf,
}

impl Default for Translation {
    fn default() -> Self {
        Self {
            backend: BackendKind::Auto,
            libretranslate_url: None,
            libretranslate_key: None,
            deepl_key: None,
            deepl_pro: false,
            apertium: PathBuf::from("apertium"),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// Apertium when it is installed, else none: works offline with nothing to set up.
    #[default]
    Auto,
    None,
    #[value(name = "libretranslate")]
    LibreTranslate,
    #[value(name = "deepl")]
    DeepL,
    Apertium,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{variable}={value:?} is not valid: {message}")]
    Env {
        variable: &'static str,
        value: String,
        message: String,
    },
    #[error("translation backend {backend}: {message}")]
    Backend {
        backend: &'static str,
        message: String,
    },
}

/// The environment variables that override the file, with what each sets.
pub const ENV_BACKEND: &str = "NEWSGLOBE_TRANSLATOR";
pub const ENV_LIBRETRANSLATE_URL: &str = "NEWSGLOBE_LIBRETRANSLATE_URL";
pub const ENV_LIBRETRANSLATE_KEY: &str = "NEWSGLOBE_LIBRETRANSLATE_KEY";
pub const ENV_DEEPL_KEY: &str = "NEWSGLOBE_DEEPL_KEY";
pub const ENV_APERTIUM: &str = "NEWSGLOBE_APERTIUM";

impl Config {
    /// Reads the file; a missing file is the defaults, a broken one an error naming it.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| ConfigError::Syntax {
                path: path.to_owned(),
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(ConfigError::Io {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Applies the `NEWSGLOBE_*` variables found by `var` (in the app, `std::env::var`).
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let t = &mut self.translation;
        if let Some(value) = var(ENV_BACKEND) {
            t.backend =
                <BackendKind as clap::ValueEnum>::from_str(&value, true).map_err(|message| {
                    ConfigError::Env {
                        variable: ENV_BACKEND,
                        value,
                        message,
                    }
                })?;
        }
        t.libretranslate_url = var(ENV_LIBRETRANSLATE_URL).or(t.libretranslate_url.take());
        t.libretranslate_key = var(ENV_LIBRETRANSLATE_KEY).or(t.libretranslate_key.take());
        t.deepl_key = var(ENV_DEEPL_KEY).or(t.deepl_key.take());
        if let Some(command) = var(ENV_APERTIUM) {
            t.apertium = PathBuf::from(command);
        }
        Ok(())
    }

    /// The backend these settings choose; `apertium_installed` answers for `auto`.
    pub fn backend(
        &self,
        apertium_installed: impl Fn(&Path) -> bool,
    ) -> Result<Backend, ConfigError> {
        let t = &self.translation;
        Ok(match t.backend {
            BackendKind::None => Backend::None,
            BackendKind::Auto if apertium_installed(&t.apertium) => Backend::Apertium {
                command: t.apertium.clone(),
            },
            BackendKind::Auto => Backend::None,
            BackendKind::Apertium => Backend::Apertium {
                command: t.apertium.clone(),
            },
            BackendKind::LibreTranslate => {
                let missing = || ConfigError::Backend {
                    backend: "libretranslate",
                    message: format!(
                        "needs libretranslate_url in the config or {ENV_LIBRETRANSLATE_URL}"
                    ),
                };
                let url = t.libretranslate_url.as_deref().ok_or_else(missing)?;
                Backend::LibreTranslate {
                    url: url::Url::parse(url).map_err(|e| ConfigError::Backend {
                        backend: "libretranslate",
                        message: format!("libretranslate_url {url:?}: {e}"),
                    })?,
                    api_key: t.libretranslate_key.clone(),
                }
            }
            BackendKind::DeepL => Backend::DeepL {
                auth_key: t.deepl_key.clone().ok_or(ConfigError::Backend {
                    backend: "deepl",
                    message: format!("needs deepl_key in the config or {ENV_DEEPL_KEY}"),
                })?,
                pro: t.deepl_pro,
                base: None,
            },
        })
    }
}

/// Whether an `apertium` command runs here (it lists its installed pairs with `-l`).
pub fn apertium_installed(command: &Path) -> bool {
    std::process::Command::new(command)
        .arg("-l")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Config {
        toml::from_str(text).unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_missing_file_is_the_defaults() {
        let config = Config::load(Path::new("/nonexistent/newsglobe/config.toml")).unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.translation.backend, BackendKind::Auto);
    }

    #[test]
    fn auto_takes_apertium_only_when_installed() {
        let config = Config::default();
        assert!(matches!(
            config.backend(|_| true).unwrap(),
            Backend::Apertium { .. }
        ));
        assert_eq!(config.backend(|_| false).unwrap(), Backend::None);
    }

    #[test]
    fn the_file_chooses_libretranslate() {
        let config = parse(
            "[translation]\nbackend = \"libretranslate\"\nlibretranslate_url = \"http://localhost:5000\"\n",
        );
        let Backend::LibreTranslate { url, api_key } = config.backend(|_| true).unwrap() else {
            panic!("not LibreTranslate");
        };
        assert_eq!((url.as_str(), api_key), ("http://localhost:5000/", None));
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let mut config = parse("[translation]\nbackend = \"none\"\n");
        config
            .apply_env(|name| match name {
                ENV_BACKEND => Some("DeepL".into()),
                ENV_DEEPL_KEY => Some("abc:fx".into()),
                _ => None,
            })
            .unwrap();
        assert!(matches!(
            config.backend(|_| false).unwrap(),
            Backend::DeepL { .. }
        ));
        config.apply_env(no_env).unwrap();
        assert_eq!(
            config.translation.deepl_key.as_deref(),
            Some("abc:fx"),
            "kept"
        );
    }

    #[test]
    fn errors_say_what_is_missing_or_wrong() {
        let e = parse("[translation]\nbackend = \"deepl\"\n")
            .backend(|_| true)
            .unwrap_err();
        assert!(e.to_string().contains(ENV_DEEPL_KEY), "{e}");
        let e =
            parse("[translation]\nbackend = \"libretranslate\"\nlibretranslate_url = \"nope\"\n")
                .backend(|_| true)
                .unwrap_err();
        assert!(e.to_string().contains("\"nope\""), "{e}");
        let e = Config::default()
            .apply_env(|name| (name == ENV_BACKEND).then(|| "babelfish".into()))
            .unwrap_err();
        assert!(
            e.to_string().contains("NEWSGLOBE_TRANSLATOR=\"babelfish\""),
            "{e}"
        );
        assert!(toml::from_str::<Config>("[translation]\nbackend = \"x\"\n").is_err());
        assert!(
            toml::from_str::<Config>("[translaton]\n").is_err(),
            "unknown sections are typos"
        );
    }

    #[test]
    fn a_broken_file_is_named() {
        let dir = std::env::temp_dir().join(format!("newsglobe-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, "[translation\n").unwrap();
        let e = Config::load(&path).unwrap_err().to_string();
        assert!(e.contains(&path.display().to_string()), "{e}");
        std::fs::remove_dir_all(dir).ok();
    }
}
