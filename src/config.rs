//! The user's settings: a TOML file in the platform's config folder, overridden by
//! environment variables, overridden by command-line flags.
//!
//! It chooses the machine-translation backend, how patiently failing feeds are retried, and
//! sets up kiosk mode (its times, the tour, the way out). It only reads and checks settings: acting on them is the app's. API keys come from
//! the file or the environment only, never from flags, where other users of the machine could
//! read them in the process list.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::news::fetch::FetchConfig;
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
    pub fetch: Fetch,
    pub pages: Pages,
    pub kiosk: KioskConfig,
    pub display: Display,
    pub store: StoreConfig,
}

/// `[store]`: a shared PostgreSQL store that one `ingest` fills for a fleet of screens. Unset,
/// the store is the SQLite file in the data folder. The password is better kept in the
/// environment (`NEWSGLOBE_STORE_PASSWORD` or `PGPASSWORD`) than here; never on a command line.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// `postgres://[role@]host[:port]/database[?sslmode=require]`, without a password.
    pub url: Option<String>,
    /// The role, where the address names none.
    pub user: Option<String>,
    pub password: Option<String>,
    /// A PEM file of certificates to trust besides the system's (a private CA).
    pub ca_file: Option<PathBuf>,
    /// How many connections a process opens at most (default 4).
    pub pool: usize,
    /// Minutes between the `ingest` daemon's refreshes of the feeds (default 15).
    pub refresh_minutes: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            url: None,
            user: None,
            password: None,
            ca_file: None,
            pool: crate::news::store::pg::DEFAULT_POOL,
            refresh_minutes: 15,
        }
    }
}

/// `[display]`: how the globe is drawn and whether it moves by itself.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Display {
    /// Whether the globe turns slowly by itself when nobody has touched it for a few seconds
    /// and no country is picked (default true). The kiosk's attract loop turns it regardless.
    pub idle_spin: bool,
    /// How the globe is drawn (default `auto`): `high` with multisampling and full lighting,
    /// `low` with the cheaper settings that keep software rendering (no GPU) responsive, or
    /// `auto`, `low` on a software renderer and `high` on a GPU. `--quality` overrides it.
    pub quality: Quality,
}

impl Default for Display {
    fn default() -> Self {
        Self {
            idle_spin: true,
            quality: Quality::Auto,
        }
    }
}

/// The drawing tier: see [`Display::quality`].
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    #[default]
    Auto,
    Low,
    High,
}

/// `[pages]`: whether the app fetches an article's page to show its whole text. Off, it
/// reads the feeds only, and an article shows its feed's summary and a link.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Pages {
    /// Default true.
    pub fetch: bool,
}

impl Default for Pages {
    fn default() -> Self {
        Self { fetch: true }
    }
}

/// `[fetch]`: how long a failing feed waits before it is tried again.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Fetch {
    /// After one failure (default 900, the app's refresh interval); each further failure in
    /// a row doubles it. 0 tries every feed on every run.
    pub failing_wait_seconds: u64,
    /// The longest wait, however many failures (default 86400, a day).
    pub failing_wait_max_seconds: u64,
}

impl Default for Fetch {
    fn default() -> Self {
        let defaults = FetchConfig::default();
        Self {
            failing_wait_seconds: defaults.failing_wait.as_secs(),
            failing_wait_max_seconds: defaults.failing_wait_max.as_secs(),
        }
    }
}

impl Fetch {
    /// The fetch settings these make: the defaults with these waits.
    pub fn fetch_config(&self) -> FetchConfig {
        FetchConfig {
            failing_wait: Duration::from_secs(self.failing_wait_seconds),
            failing_wait_max: Duration::from_secs(self.failing_wait_max_seconds),
            ..FetchConfig::default()
        }
    }
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

/// `[kiosk]`: how `newsglobe --kiosk` behaves, unattended for days on a touch screen in a
/// public place. Times are seconds without any touch, click, key or wheel.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    /// After this long (default 60), open panels close and the view flies home, so the next
    /// visitor does not start inside the last one's reading.
    pub idle_reset_seconds: f32,
    /// After this long (default 90) the attract loop starts touring the featured countries.
    /// When it is not longer than `idle_reset_seconds`, the reset happens as the loop starts.
    pub attract_after_seconds: f32,
    /// How long the loop stays on each country, the flight there included (default 12).
    pub attract_dwell_seconds: f32,
    /// How fast the globe turns during the attract loop, in degrees a second (default 2): a
    /// toured country drifts a little while its card is shown, enough to show the globe is
    /// alive; 0 holds it still.
    pub attract_spin_degrees_per_second: f32,
    /// Natural Earth ADM0_A3 codes the loop visits, in order; empty (the default) means the
    /// countries with the most articles in the last 24 hours.
    pub featured: Vec<String>,
    /// egui's scale factor (default 1.5): text readable from a step back, touch targets of
    /// 48 px and more.
    pub text_scale: f32,
    /// The only way out of kiosk mode (default `Ctrl+Alt+Shift+Q`); see [`Chord`].
    pub quit_chord: String,
}

impl Default for KioskConfig {
    fn default() -> Self {
        Self {
            idle_reset_seconds: 60.0,
            attract_after_seconds: 90.0,
            attract_dwell_seconds: 12.0,
            attract_spin_degrees_per_second: 2.0,
            featured: Vec::new(),
            text_scale: 1.5,
            quit_chord: "Ctrl+Alt+Shift+Q".into(),
        }
    }
}

impl KioskConfig {
    /// Checks what TOML's types cannot: positive times, a sane scale, well-formed country
    /// codes and a chord that parses. Whether a code names a country is the atlas's to say.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (field, value) in [
            ("idle_reset_seconds", self.idle_reset_seconds),
            ("attract_after_seconds", self.attract_after_seconds),
            ("attract_dwell_seconds", self.attract_dwell_seconds),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(ConfigError::Kiosk {
                    field,
                    message: format!("{value} is not a positive number of seconds"),
                });
            }
        }
        let spin = self.attract_spin_degrees_per_second;
        if !(spin.is_finite() && spin >= 0.0) {
            return Err(ConfigError::Kiosk {
                field: "attract_spin_degrees_per_second",
                message: format!("{spin} is not a speed of 0 degrees a second or more"),
            });
        }
        if !(0.5..=4.0).contains(&self.text_scale) {
            return Err(ConfigError::Kiosk {
                field: "text_scale",
                message: format!("{} is outside 0.5 to 4", self.text_scale),
            });
        }
        if let Some((i, code)) =
            self.featured.iter().enumerate().find(|(_, code)| {
                !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
            })
        {
            return Err(ConfigError::Kiosk {
                field: "featured",
                message: format!(
                    "entry {i}, {code:?}, is not an ADM0_A3 code: \
                     three capital letters, like \"FRA\""
                ),
            });
        }
        self.chord()?;
        Ok(())
    }

    /// The parsed `quit_chord`.
    pub fn chord(&self) -> Result<Chord, ConfigError> {
        self.quit_chord
            .parse()
            .map_err(|e: ChordError| ConfigError::Kiosk {
                field: "quit_chord",
                message: e.to_string(),
            })
    }
}

/// A key combination such as `Ctrl+Alt+Shift+Q`: the modifiers that must be held and one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chord {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    /// The Windows, Command or Meta key.
    pub super_key: bool,
    pub key: ChordKey,
}

/// The one key of a [`Chord`] that is not a modifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChordKey {
    /// `'A'..='Z'`, always upper case.
    Letter(char),
    /// `'0'..='9'`, the main row's.
    Digit(char),
    /// F1 to F12.
    F(u8),
    Escape,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChordError {
    #[error("{chord:?} has no key")]
    NoKey { chord: String },
    #[error(
        "{chord:?} needs at least one modifier (Ctrl, Alt, Shift or Super): \
         a lone key would let a visitor quit"
    )]
    NoModifier { chord: String },
    #[error("{chord:?} has an empty part: names go between single '+' signs")]
    EmptyPart { chord: String },
    #[error("unknown key {name:?} in {chord:?}: use A-Z, 0-9, F1-F12 or Escape")]
    UnknownKey { chord: String, name: String },
    #[error("{chord:?} has two keys, {first:?} and {second:?}: a chord has one")]
    TwoKeys {
        chord: String,
        first: String,
        second: String,
    },
    #[error("{chord:?} names {name:?} twice")]
    Repeated { chord: String, name: String },
}

impl std::str::FromStr for Chord {
    type Err = ChordError;

    /// Names separated by `+`, in any case and order: `Ctrl`/`Control`, `Alt`, `Shift`,
    /// `Super`/`Meta`/`Win`, and one key.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let chord = || text.to_owned();
        let (mut ctrl, mut alt, mut shift, mut super_key) = (false, false, false, false);
        let mut key: Option<(ChordKey, &str)> = None;
        if text.trim().is_empty() {
            return Err(ChordError::NoKey { chord: chord() });
        }
        for name in text.split('+').map(str::trim) {
            if name.is_empty() {
                return Err(ChordError::EmptyPart { chord: chord() });
            }
            let modifier = match name.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => Some(&mut ctrl),
                "alt" => Some(&mut alt),
                "shift" => Some(&mut shift),
                "super" | "meta" | "win" => Some(&mut super_key),
                _ => None,
            };
            if let Some(held) = modifier {
                if *held {
                    return Err(ChordError::Repeated {
                        chord: chord(),
                        name: name.to_owned(),
                    });
                }
                *held = true;
                continue;
            }
            let parsed = chord_key(name).ok_or_else(|| ChordError::UnknownKey {
                chord: chord(),
                name: name.to_owned(),
            })?;
            if let Some((_, first)) = key {
                return Err(ChordError::TwoKeys {
                    chord: chord(),
                    first: first.to_owned(),
                    second: name.to_owned(),
                });
            }
            key = Some((parsed, name));
        }
        let Some((key, _)) = key else {
            return Err(ChordError::NoKey { chord: chord() });
        };
        if !(ctrl || alt || shift || super_key) {
            return Err(ChordError::NoModifier { chord: chord() });
        }
        Ok(Chord {
            ctrl,
            alt,
            shift,
            super_key,
            key,
        })
    }
}

/// One key's name: a letter, a digit, `F1`..`F12`, or `Esc`/`Escape`.
fn chord_key(name: &str) -> Option<ChordKey> {
    let lower = name.to_ascii_lowercase();
    match lower.as_bytes() {
        [c] if c.is_ascii_alphabetic() => Some(ChordKey::Letter(c.to_ascii_uppercase().into())),
        [c] if c.is_ascii_digit() => Some(ChordKey::Digit((*c).into())),
        _ if lower == "esc" || lower == "escape" => Some(ChordKey::Escape),
        // No leading zeros, so "F01" is not quietly F1.
        [b'f', b'1'..=b'9', ..] => match lower[1..].parse() {
            Ok(n @ 1..=12) => Some(ChordKey::F(n)),
            _ => None,
        },
        _ => None,
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
    /// Not TOML, not the settings' shape, or a value out of range.
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
    #[error("[kiosk] {field}: {message}")]
    Kiosk {
        field: &'static str,
        message: String,
    },
}

/// The environment variables that override the file, with what each sets.
pub const ENV_BACKEND: &str = "NEWSGLOBE_TRANSLATOR";
pub const ENV_LIBRETRANSLATE_URL: &str = "NEWSGLOBE_LIBRETRANSLATE_URL";
pub const ENV_LIBRETRANSLATE_KEY: &str = "NEWSGLOBE_LIBRETRANSLATE_KEY";
pub const ENV_DEEPL_KEY: &str = "NEWSGLOBE_DEEPL_KEY";
pub const ENV_APERTIUM: &str = "NEWSGLOBE_APERTIUM";
pub const ENV_STORE_URL: &str = "NEWSGLOBE_STORE_URL";
/// The shared store's role and password: ours first, then libpq's usual names.
pub const ENV_STORE_USER: [&str; 2] = ["NEWSGLOBE_STORE_USER", "PGUSER"];
pub const ENV_STORE_PASSWORD: [&str; 2] = ["NEWSGLOBE_STORE_PASSWORD", "PGPASSWORD"];

impl Config {
    /// Reads the file; a missing file is the defaults, a broken one an error naming it.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Syntax {
            path: path.to_owned(),
            message,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let config: Self = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
                config
                    .kiosk
                    .validate()
                    .map_err(|e| invalid(e.to_string()))?;
                Ok(config)
            }
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
        let store = &mut self.store;
        store.url = var(ENV_STORE_URL).or(store.url.take());
        let first = |names: [&str; 2]| names.iter().find_map(|name| var(name));
        store.user = first(ENV_STORE_USER).or(store.user.take());
        store.password = first(ENV_STORE_PASSWORD).or(store.password.take());
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
    fn the_fetch_table_sets_the_failing_feeds_waits() {
        let defaults = Config::default().fetch.fetch_config();
        assert_eq!(defaults.failing_wait, FetchConfig::default().failing_wait);
        let fetch = parse("[fetch]\nfailing_wait_seconds = 60\n").fetch;
        let config = fetch.fetch_config();
        assert_eq!(config.failing_wait, Duration::from_secs(60));
        assert_eq!(config.failing_wait_max, defaults.failing_wait_max);
        assert!(toml::from_str::<Config>("[fetch]\nwait = 1\n").is_err());
    }

    #[test]
    fn the_display_table_sets_the_spin_and_the_tier() {
        let defaults = Config::default().display;
        assert!(defaults.idle_spin);
        assert_eq!(defaults.quality, Quality::Auto);
        let display = parse("[display]\nidle_spin = false\nquality = \"low\"\n").display;
        assert!(!display.idle_spin);
        assert_eq!(display.quality, Quality::Low);
        let error = toml::from_str::<Config>("[display]\nquality = \"medium\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("medium") && error.contains("quality"),
            "{error}"
        );
    }

    #[test]
    fn the_pages_table_turns_page_fetching_off() {
        assert!(Config::default().pages.fetch);
        assert!(!parse("[pages]\nfetch = false\n").pages.fetch);
        assert!(toml::from_str::<Config>("[pages]\nfetch = \"no\"\n").is_err());
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
    fn kiosk_defaults() {
        let kiosk = Config::default().kiosk;
        assert_eq!(
            (
                kiosk.idle_reset_seconds,
                kiosk.attract_after_seconds,
                kiosk.attract_dwell_seconds,
                kiosk.attract_spin_degrees_per_second,
                kiosk.text_scale,
            ),
            (60.0, 90.0, 12.0, 2.0, 1.5)
        );
        assert!(kiosk.featured.is_empty());
        assert_eq!(kiosk.quit_chord, "Ctrl+Alt+Shift+Q");
        kiosk.validate().unwrap();
        assert_eq!(
            kiosk.chord().unwrap(),
            Chord {
                ctrl: true,
                alt: true,
                shift: true,
                super_key: false,
                key: ChordKey::Letter('Q'),
            }
        );
        assert_eq!(
            parse("[kiosk]\n").kiosk,
            kiosk,
            "an empty table is the defaults"
        );
    }

    #[test]
    fn a_full_kiosk_table() {
        let kiosk = parse(
            "[kiosk]\n\
             idle_reset_seconds = 30\n\
             attract_after_seconds = 45.5\n\
             attract_dwell_seconds = 8\n\
             attract_spin_degrees_per_second = 0\n\
             featured = [\"FRA\", \"JPN\", \"BRA\"]\n\
             text_scale = 2.0\n\
             quit_chord = \"super+f12\"\n",
        )
        .kiosk;
        assert_eq!(
            kiosk,
            KioskConfig {
                idle_reset_seconds: 30.0,
                attract_after_seconds: 45.5,
                attract_dwell_seconds: 8.0,
                attract_spin_degrees_per_second: 0.0,
                featured: vec!["FRA".into(), "JPN".into(), "BRA".into()],
                text_scale: 2.0,
                quit_chord: "super+f12".into(),
            }
        );
        kiosk.validate().unwrap();
        assert_eq!(kiosk.chord().unwrap().key, ChordKey::F(12));
        assert!(
            toml::from_str::<Config>("[kiosk]\nidle_seconds = 5\n").is_err(),
            "unknown keys are typos"
        );
    }

    /// The message `validate` gives for a default table changed by `change`.
    fn kiosk_error(change: impl FnOnce(&mut KioskConfig)) -> String {
        let mut kiosk = KioskConfig::default();
        change(&mut kiosk);
        kiosk.validate().unwrap_err().to_string()
    }

    #[test]
    fn kiosk_errors_name_the_field_and_the_value() {
        let e = kiosk_error(|k| k.idle_reset_seconds = 0.0);
        assert_eq!(
            e,
            "[kiosk] idle_reset_seconds: 0 is not a positive number of seconds"
        );
        let e = kiosk_error(|k| k.attract_after_seconds = -5.0);
        assert!(e.contains("attract_after_seconds: -5 "), "{e}");
        let e = kiosk_error(|k| k.attract_dwell_seconds = f32::NAN);
        assert!(e.contains("attract_dwell_seconds: NaN "), "{e}");
        let e = kiosk_error(|k| k.attract_dwell_seconds = f32::INFINITY);
        assert!(e.contains("attract_dwell_seconds: inf "), "{e}");
        let e = kiosk_error(|k| k.attract_spin_degrees_per_second = -1.0);
        assert!(e.contains("attract_spin_degrees_per_second: -1 "), "{e}");
        let e = kiosk_error(|k| k.text_scale = 4.5);
        assert_eq!(e, "[kiosk] text_scale: 4.5 is outside 0.5 to 4");
        assert!(kiosk_error(|k| k.text_scale = 0.25).contains("0.25"));
        assert!(kiosk_error(|k| k.text_scale = f32::NAN).contains("text_scale: NaN"));
        for bad in ["fra", "FR", "FRAN", "F1A", "ÉTA"] {
            let e = kiosk_error(|k| k.featured = vec!["DEU".into(), bad.into()]);
            assert!(
                e.starts_with("[kiosk] featured: entry 1, ") && e.contains(&format!("{bad:?}")),
                "{e}"
            );
        }
        let e = kiosk_error(|k| k.quit_chord = "Q".into());
        assert!(
            e.starts_with("[kiosk] quit_chord: \"Q\" needs at least one modifier"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_kiosk_value_names_the_file_and_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[kiosk]\ntext_scale = 9\n").unwrap();
        let e = Config::load(&path).unwrap_err().to_string();
        assert!(e.contains(&path.display().to_string()), "{e}");
        assert!(e.contains("text_scale: 9 is outside"), "{e}");
    }

    fn chord(text: &str) -> Result<Chord, String> {
        text.parse::<Chord>().map_err(|e| e.to_string())
    }

    #[test]
    fn chords_parse_in_any_case_and_order() {
        let all = chord(" shift + CONTROL+meta+alt+esc").unwrap();
        assert_eq!(
            all,
            Chord {
                ctrl: true,
                alt: true,
                shift: true,
                super_key: true,
                key: ChordKey::Escape,
            }
        );
        let win = chord("Win+7").unwrap();
        assert_eq!(
            (win.super_key, win.ctrl, win.key),
            (true, false, ChordKey::Digit('7'))
        );
        assert_eq!(chord("Ctrl+q").unwrap().key, ChordKey::Letter('Q'));
        assert_eq!(chord("Alt+F").unwrap().key, ChordKey::Letter('F'));
        assert_eq!(chord("Alt+F1").unwrap().key, ChordKey::F(1));
        assert_eq!(chord("Ctrl+Super+Escape").unwrap().key, ChordKey::Escape);
    }

    #[test]
    fn chord_errors_say_what_is_wrong() {
        assert_eq!(chord("Ctrl+Alt").unwrap_err(), "\"Ctrl+Alt\" has no key");
        assert_eq!(chord("").unwrap_err(), "\"\" has no key");
        assert!(
            chord("Q")
                .unwrap_err()
                .starts_with("\"Q\" needs at least one modifier"),
            "a lone key would let a visitor quit"
        );
        assert!(
            chord("Ctrl+Foo")
                .unwrap_err()
                .starts_with("unknown key \"Foo\"")
        );
        for bad in ["Ctrl+F13", "Ctrl+F0", "Ctrl+F01", "Ctrl+Ä", "Ctrl+Space"] {
            assert!(chord(bad).unwrap_err().starts_with("unknown key"), "{bad}");
        }
        assert_eq!(
            chord("Ctrl+A+B").unwrap_err(),
            "\"Ctrl+A+B\" has two keys, \"A\" and \"B\": a chord has one"
        );
        assert!(chord("Ctrl++Q").unwrap_err().contains("empty part"));
        assert!(chord("Ctrl+Q+").unwrap_err().contains("empty part"));
        assert_eq!(
            chord("Ctrl+control+Q").unwrap_err(),
            "\"Ctrl+control+Q\" names \"control\" twice"
        );
    }

    #[test]
    fn a_broken_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[translation\n").unwrap();
        let e = Config::load(&path).unwrap_err().to_string();
        assert!(e.contains(&path.display().to_string()), "{e}");
    }
}
