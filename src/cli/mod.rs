//! The command line's shape: the app by default, and the headless `locate`, `screenshot`,
//! `bench-render`, `bench-idle`, `fetch`, `feeds`, `articles`, `stories`, `story` and
//! `extract` commands, with the flags they share and how those become settings. What each
//! command does is in [`commands`].

mod commands;

use std::path::PathBuf;

use anyhow::Context;
use bevy::math::UVec2;
use clap::{Args, Parser, Subcommand};

pub use commands::{feeds, locate, run, stories, story, summary};

use crate::app::{Geometry, ScreenshotOptions};
use crate::config::{self, BackendKind, Config, Quality};
use crate::news::catalog::Catalog;
use crate::news::sentences;
use crate::news::store::{PgSettings, Store, StoreAt};
use crate::news::topics::Topic;
use crate::news::translate::{TranslateConfig, Translator};

#[derive(Parser, Debug)]
#[command(version, about = "A 3D globe of the world's countries and their news")]
pub struct Cli {
    #[command(flatten)]
    pub geometry: GeometryArg,
    #[command(flatten)]
    pub news: NewsArgs,
    #[command(flatten)]
    pub translation: TranslationArgs,
    /// Kiosk mode: fullscreen, touch-first, unattended; settings in the config's [kiosk].
    #[arg(long, global = true)]
    pub kiosk: bool,
    /// How the globe is drawn: `low` for software rendering, `high` for a GPU; by default
    /// the config's [display] quality, `auto` unless set there.
    #[arg(long, value_enum, global = true)]
    pub quality: Option<Quality>,
    /// Minutes between background refreshes of the feeds while the app runs.
    #[arg(long, value_name = "N", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    pub refresh_minutes: u64,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone, Copy)]
pub struct GeometryArg {
    /// Country outline detail: `default` (~90k vertices), `low` (~11k), or `auto`: `low` when
    /// drawing in the low tier (a software renderer's, or `--quality low`), else `default`.
    #[arg(long, value_enum, default_value_t = Geometry::Auto, global = true)]
    pub geometry: Geometry,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read `LAT LON` lines on stdin; print `ADM0_A3<TAB>name`, or `-` for open sea.
    Locate {
        /// A point at sea takes the nearest country within this many kilometres.
        #[arg(long, value_name = "K")]
        snap_km: Option<f64>,
    },
    /// Render the app once, save the picture and exit.
    Screenshot {
        #[command(flatten)]
        shot: ScreenshotOptions,
        #[arg(long, value_name = "WxH", default_value = "1280x720", value_parser = parse_size)]
        size: UVec2,
    },
    /// Fetch the outlets' feeds into the news store and print a summary. Feeds that keep
    /// failing wait longer and longer between tries (see `feeds`).
    Fetch {
        /// Only this country's outlets (ADM0_A3, e.g. UKR).
        #[arg(long, value_name = "ADM0_A3")]
        country: Option<String>,
        /// Try the failing feeds too, whatever their wait.
        #[arg(long)]
        all: bool,
    },
    /// Run the ingest for a shared store (--store or the config's [store] url): fetch,
    /// translate and group the world's stories for every screen, again every few minutes,
    /// until SIGTERM or Ctrl+C; a line a run.
    Ingest {
        /// Minutes between refreshes (default: the config's [store] refresh_minutes, 15).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        refresh_minutes: Option<u64>,
    },
    /// Print each feed's health: its last success and error, its failures in a row, its
    /// articles of the last 7 days, and when a failing one is tried next.
    Feeds {
        /// Only the feeds whose last try failed.
        #[arg(long)]
        failing: bool,
        /// One JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the stored articles of a country, newest first.
    Articles {
        #[arg(long, value_name = "ADM0_A3")]
        country: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Search the stored articles' titles and summaries, in their own language and in
    /// English, best matches first: every word must match, the last also as a word's start.
    Search {
        /// The words to find.
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the stories most countries are covering now, with the countries covering each.
    Stories {
        /// Stories with articles from the last N hours.
        #[arg(long, value_name = "N", default_value_t = 48, value_parser = clap::value_parser!(u32).range(1..=720))]
        hours: u32,
        /// Only stories covered by at least this many countries.
        #[arg(long, value_name = "N", default_value_t = 2)]
        min_countries: usize,
        /// Only stories with this topic (conflict, politics, economy, climate, science,
        /// health, society, sport, culture).
        #[arg(long, value_parser = parse_topic)]
        topic: Option<Topic>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON array instead of text.
        #[arg(long)]
        json: bool,
        /// Score the clustering on labelled articles instead: FILE holds JSON lines of
        /// title, summary, published (Unix seconds), outlet, country and story (the label);
        /// prints B-cubed and pairwise precision, recall and F1, clustered at once, one by
        /// one in the file's order, and the mean of nine shuffled orders.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["hours", "min_countries", "topic", "limit"])]
        eval: Option<PathBuf>,
        /// With --eval: group by the words alone, as without a sentence model, even where
        /// there is one.
        #[arg(long, requires = "eval")]
        words_only: bool,
    },
    /// Print how one story spread (each country's first report, in order) and what sets each
    /// country's take apart: the story whose id `stories` printed ("story N") with the same
    /// --hours, or the story of an article.
    Story {
        /// The story's id, as `stories` gives it.
        #[arg(required_unless_present = "article", conflicts_with = "article")]
        id: Option<u32>,
        /// The story holding this article (an id from `articles`, `search` or `stories --json`).
        #[arg(long, value_name = "ID")]
        article: Option<i64>,
        /// Read the stories of the last N hours, as `stories` did.
        #[arg(long, value_name = "N", default_value_t = 48, value_parser = clap::value_parser!(u32).range(1..=720))]
        hours: u32,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print an article page's main text: the page's HTML read on stdin, or fetched from
    /// --url. The headline comes first, then a blank line, then a paragraph a line.
    Extract {
        /// Fetch this page (http or https) instead of reading stdin.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// One JSON object: title, byline, published, image, language, direction, paragraphs.
        #[arg(long)]
        json: bool,
        /// Print it in English through the configured translator.
        #[arg(long)]
        translate: bool,
    },
    /// Spin the globe for a number of frames and print frame times and peak memory.
    BenchRender {
        #[arg(long, default_value_t = 300)]
        frames: u32,
        /// Draw a bare lit sphere and an egui panel instead of the globe, as the baseline.
        #[arg(long)]
        bare: bool,
        /// Play the top story's spread on the globe, again and again, while measuring.
        #[arg(long, conflicts_with = "bare")]
        spread: bool,
        #[arg(long, value_name = "WxH", default_value = "1280x720", value_parser = parse_size)]
        size: UVec2,
    },
    /// Print the CPU the app takes at rest with a country selected, then with the idle spin.
    BenchIdle {
        /// The country to select (its ADM0_A3 code).
        #[arg(long, value_name = "ADM0_A3", default_value = "FRA")]
        select: String,
        /// Seconds of each sample.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        #[arg(long, value_name = "WxH", default_value = "1280x720", value_parser = parse_size)]
        size: UVec2,
    },
}

#[derive(Args, Debug, Clone)]
pub struct NewsArgs {
    /// The outlet catalog (default: the one in assets/outlets.toml).
    #[arg(long, value_name = "FILE", global = true)]
    pub outlets: Option<PathBuf>,
    /// Where the news store and local caches live (default: the platform's data folder).
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// A shared PostgreSQL store instead of the local one: postgres://[role@]host/database
    /// (or the config's [store] url). The password comes from the config or the environment
    /// (NEWSGLOBE_STORE_PASSWORD, PGPASSWORD), never from here.
    #[arg(long, value_name = "URL", global = true)]
    pub store: Option<String>,
    /// The sentence model's folder, which story grouping reads beside the words (default:
    /// sentence-model in the data folder, where scripts/sentence-model.py puts it).
    #[arg(long, value_name = "DIR", global = true)]
    pub sentence_model: Option<PathBuf>,
}

impl NewsArgs {
    pub fn store_path(&self) -> anyhow::Result<PathBuf> {
        match &self.data_dir {
            Some(dir) => Ok(dir.join(Store::FILE_NAME)),
            None => Store::default_path()
                .context("no data folder for this user; give one with --data-dir"),
        }
    }

    /// Where the store is: the shared one that `--store` or the config (with the environment
    /// applied) names, else the SQLite file in the data folder.
    pub fn store_at(&self, config: &Config) -> anyhow::Result<StoreAt> {
        let mut config = config.clone();
        config.apply_env(|name| std::env::var(name).ok())?;
        let local = self.store_path()?;
        let Some(url) = self.store.clone().or(config.store.url.clone()) else {
            return Ok(StoreAt::File(local));
        };
        let server = PgSettings::from_url(
            &url,
            config.store.user.as_deref(),
            config.store.password.as_deref(),
        )?
        .with_ca_file(config.store.ca_file.clone())
        .with_pool(config.store.pool);
        Ok(StoreAt::Shared {
            server,
            local: local.parent().map(PathBuf::from).unwrap_or_default(),
        })
    }

    /// The sentence model's folder: the one given, else the data folder's when it holds one;
    /// `None` when there is none, and stories are grouped by their words alone.
    pub fn sentence_model(&self) -> Option<PathBuf> {
        self.sentence_model.clone().or_else(|| {
            let dir = self.store_path().ok()?.parent()?.join(sentences::FOLDER);
            dir.is_dir().then_some(dir)
        })
    }

    pub fn catalog(&self) -> anyhow::Result<Catalog> {
        let path = self.outlets.clone().unwrap_or_else(Catalog::default_path);
        Ok(Catalog::load(&path)?)
    }
}

/// Translation settings on the command line; they override the config file and the
/// environment. Keys are never flags: see `config`.
#[derive(Args, Debug, Clone)]
pub struct TranslationArgs {
    /// The config file (default: config.toml in the platform's config folder).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// The machine translation to use.
    #[arg(long, value_enum, global = true)]
    pub translator: Option<BackendKind>,
    /// The root of a LibreTranslate-compatible API, e.g. http://localhost:5000.
    #[arg(long, value_name = "URL", global = true)]
    pub translate_url: Option<String>,
}

impl TranslationArgs {
    /// The config file's settings (the defaults when there is none).
    pub fn config(&self) -> anyhow::Result<Config> {
        Ok(match self.config.clone().or_else(config::default_path) {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        })
    }

    /// The translator that `config` (the file's settings), the environment and the flags
    /// choose, in that order of precedence.
    pub fn translator(&self, config: &Config) -> anyhow::Result<Translator> {
        let mut config = config.clone();
        config.apply_env(|name| std::env::var(name).ok())?;
        if let Some(kind) = self.translator {
            config.translation.backend = kind;
        }
        if let Some(url) = &self.translate_url {
            config.translation.libretranslate_url = Some(url.clone());
        }
        let backend = config.backend(config::apertium_installed)?;
        Ok(Translator::new(backend, TranslateConfig::default())?)
    }
}

fn parse_size(text: &str) -> Result<UVec2, String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("{text:?} is not WIDTHxHEIGHT"))?;
    let parse = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|&v| (64..=8192).contains(&v))
            .ok_or_else(|| format!("{s:?} is not a size between 64 and 8192 pixels"))
    };
    Ok(UVec2::new(parse(w)?, parse(h)?))
}

fn parse_topic(text: &str) -> Result<Topic, String> {
    Topic::from_key(&text.to_lowercase()).ok_or_else(|| {
        let keys: Vec<&str> = Topic::ALL.iter().map(|t| t.key()).collect();
        format!("{text:?} is not a topic; one of {}", keys.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("640x360"), Ok(UVec2::new(640, 360)));
        assert!(parse_size("640").is_err());
        assert!(parse_size("0x360").is_err());
    }
}
