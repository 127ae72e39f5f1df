//! What each command does: the app, the captures and benchmarks, and the headless news and
//! geography commands.

use std::collections::HashMap;
use std::io::{BufRead, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bevy::math::UVec2;
use indicatif::{ProgressBar, ProgressStyle};

use super::{Cli, Command, NewsArgs, TranslationArgs};
use crate::app::{self, AppOptions, Mode, NewsOptions, Refresh};
use crate::geo::{self, CountryIndex, LatLon};
use crate::news::extract;
use crate::news::fetch::FetchConfig;
use crate::news::framing::Framing;
use crate::news::ingest::IngestReport;
use crate::news::language::page_language;
use crate::news::page;
use crate::news::sentences::SentenceModel;
use crate::news::service::{NewsService, Reply, Stories};
use crate::news::spread::{Telling, delay};
use crate::news::store::{FeedState, Store};
use crate::news::stories::eval::{Evaluation, SHUFFLES, embed, evaluate, read_labelled};
use crate::news::stories::{ClusterConfig, StoryId};
use crate::news::topics::Topic;
use crate::news::translate::Translator;
use crate::news::world::{Coverage, english};
use crate::news::{Article, FeedSource};

/// Runs what the command line asks for.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let launched = Instant::now();
    let geometry = cli.geometry.geometry;
    let news = &cli.news;
    let translation = &cli.translation;
    let app = |mode: Mode, size| -> anyhow::Result<()> {
        let config = translation.config()?;
        let store = news.store_at(&config)?;
        // A screen on a shared store shows what the ingest wrote: it neither fetches nor
        // groups stories of its own.
        let shared = store.is_shared();
        let options = NewsOptions {
            store,
            catalog: news.catalog()?,
            translator: Arc::new(translation.translator(&config)?),
            // The capture modes show what is stored and leave the network alone.
            refresh: match mode {
                Mode::Interactive if !shared => {
                    Refresh::Every(Duration::from_secs(cli.refresh_minutes * 60))
                }
                _ => Refresh::Never,
            },
            fetch_config: config.fetch.fetch_config(),
            fetch_pages: mode == Mode::Interactive && config.pages.fetch,
            stories: if shared {
                Stories::Followed
            } else {
                Stories::Clustered
            },
            sentence_model: news.sentence_model(),
        };
        let kiosk = cli.kiosk.then(|| config.kiosk.clone());
        let mut display = config.display.clone();
        display.quality = cli.quality.unwrap_or(display.quality);
        app::run(AppOptions {
            geometry,
            mode,
            size,
            launched,
            news: options,
            kiosk,
            display,
        })
    };
    match cli.command {
        None => app(Mode::Interactive, UVec2::new(1280, 800)),
        Some(Command::Locate { snap_km }) => {
            let countries = geo::load_countries_file(&geometry.path())?;
            let index = CountryIndex::new(&countries, geo::MAX_EDGE_DEG);
            let stdin = std::io::stdin().lock();
            let mut stdout = std::io::stdout().lock();
            locate(stdin, &mut stdout, &countries, &index, snap_km)
        }
        Some(Command::Screenshot { shot, size }) => app(Mode::Screenshot(shot), size),
        Some(Command::BenchRender {
            frames,
            bare,
            spread,
            size,
        }) => app(
            Mode::BenchRender {
                frames,
                bare,
                spread,
            },
            size,
        ),
        Some(Command::BenchIdle {
            select,
            seconds,
            size,
        }) => app(Mode::BenchIdle { select, seconds }, size),
        Some(Command::Fetch { country, all }) => fetch(country.as_deref(), all, news, translation),
        Some(Command::Ingest { refresh_minutes }) => ingest(refresh_minutes, news, translation),
        Some(Command::Feeds { failing, json }) => {
            let store = Store::open_at(&news.store_at(&translation.config()?)?)?;
            let sources = news.catalog()?.sources();
            let config = translation.config()?.fetch.fetch_config();
            let mut out = std::io::stdout().lock();
            let query = FeedsQuery { failing, json };
            feeds(
                &store,
                &sources,
                &config,
                crate::news::now(),
                query,
                &mut out,
            )
        }
        Some(Command::Extract {
            url,
            json,
            translate,
        }) => {
            let mut out = std::io::stdout().lock();
            let config = translation.config()?;
            let translator = translate
                .then(|| translation.translator(&config))
                .transpose()?;
            let fetch_config = config.fetch.fetch_config();
            let source = match url {
                Some(url) => PageSource::Url(url),
                None => PageSource::Stdin,
            };
            extract(source, &fetch_config, translator.as_ref(), json, &mut out)
        }
        Some(Command::Articles {
            country,
            limit,
            json,
        }) => {
            let store = Store::open_at(&news.store_at(&translation.config()?)?)?;
            let listed = store.latest_for_country(&country, limit)?;
            let none = format!("no stored articles for {country}; run `newsglobe fetch` first");
            print_articles(&listed, json, &none)
        }
        Some(Command::Search { query, limit, json }) => {
            let store = Store::open_at(&news.store_at(&translation.config()?)?)?;
            let found = store.search(&query, limit)?;
            print_articles(
                &found,
                json,
                &format!("no stored article matches {query:?}"),
            )
        }
        Some(Command::Stories {
            json,
            eval: Some(file),
            words_only,
            ..
        }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let articles = read_labelled(&text).with_context(|| file.display().to_string())?;
            let dir = news.sentence_model().filter(|_| !words_only);
            let embedded = match &dir {
                Some(dir) => Some(embed(&articles, &SentenceModel::load(dir)?)?),
                None => None,
            };
            if !json {
                match &dir {
                    Some(dir) => println!("with sentence embeddings ({})", dir.display()),
                    None => println!("by the words alone"),
                }
            }
            let evaluation = evaluate(&articles, embedded.as_deref(), &ClusterConfig::default());
            print_evaluation(&evaluation, json, &mut std::io::stdout().lock())
        }
        Some(Command::Story {
            id,
            article,
            hours,
            json,
        }) => {
            let store = Store::open_at(&news.store_at(&translation.config()?)?)?;
            let which = match (id, article) {
                (_, Some(article)) => StoryOf::Article(article),
                (Some(id), None) => StoryOf::Id(id),
                (None, None) => bail!("give a story id or --article"),
            };
            let mut out = std::io::stdout().lock();
            story(&store, crate::news::now(), hours, which, json, &mut out)
        }
        Some(Command::Stories {
            hours,
            min_countries,
            topic,
            limit,
            json,
            eval: None,
            ..
        }) => {
            let store = Store::open_at(&news.store_at(&translation.config()?)?)?;
            let mut out = std::io::stdout().lock();
            let query = StoriesQuery {
                hours,
                min_countries,
                topic,
                limit,
            };
            stories(&store, crate::news::now(), &query, json, &mut out)
        }
    }
}

/// The `fetch` command: one refresh through the news service, with a progress bar.
fn fetch(
    country: Option<&str>,
    all: bool,
    news: &NewsArgs,
    translation: &TranslationArgs,
) -> anyhow::Result<()> {
    let mut catalog = news.catalog()?;
    if let Some(code) = country {
        catalog.outlets.retain(|outlet| outlet.country == code);
        if catalog.sources().is_empty() {
            bail!("the catalog has no outlets in {code:?}");
        }
    }
    let feeds = catalog.sources().len();
    let config = translation.config()?;
    let translator = Arc::new(translation.translator(&config)?);
    let mut fetch_config = config.fetch.fetch_config();
    if all {
        fetch_config.failing_wait = Duration::ZERO;
    }
    let options = NewsOptions {
        store: news.store_at(&config)?,
        catalog,
        refresh: Refresh::Once,
        translator: translator.clone(),
        fetch_config,
        fetch_pages: false,
        stories: Stories::Off,
        sentence_model: news.sentence_model(),
    };
    let bar = ProgressBar::new(feeds as u64).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} feeds  {wide_msg}")
            .context("progress bar template")?,
    );
    let mut service =
        NewsService::start(options, Arc::new(|| ())).context("cannot start the news service")?;
    let report = loop {
        match service.recv_blocking() {
            Some(Reply::Progress {
                done,
                outlet: Some(outlet),
                ..
            }) => {
                bar.set_message(outlet);
                bar.set_position(done as u64);
            }
            Some(Reply::Refreshed(report)) => break report.map_err(anyhow::Error::msg)?,
            // A store that cannot be opened is tried again by a service that runs for long;
            // one refresh has nobody to wait for it.
            Some(Reply::StoreError(e) | Reply::Failed(e)) => bail!(e),
            Some(_) => {}
            None => bail!("the news service stopped before the refresh ended"),
        }
    };
    bar.finish_and_clear();
    print!("{}", summary(&report, feeds, translator.label().as_deref()));
    Ok(())
}

/// The `ingest` daemon: fetches, translates and groups the world's stories into the store
/// (shared or local) again and again, a line a run, until SIGTERM or Ctrl+C.
fn ingest(
    refresh_minutes: Option<u64>,
    news: &NewsArgs,
    translation: &TranslationArgs,
) -> anyhow::Result<()> {
    let config = translation.config()?;
    let store = news.store_at(&config)?;
    // Opened once here, so that a wrong address, a refused role or a schema newer than this
    // build stops the daemon with its reason instead of being retried forever.
    Store::open_at(&store)?;
    let catalog = news.catalog()?;
    let feeds = catalog.sources().len();
    let translator = Arc::new(translation.translator(&config)?);
    let minutes = refresh_minutes
        .unwrap_or(config.store.refresh_minutes)
        .max(1);
    let sentence_model = news.sentence_model();
    let options = NewsOptions {
        store: store.clone(),
        catalog,
        refresh: Refresh::Every(Duration::from_secs(minutes * 60)),
        translator: translator.clone(),
        fetch_config: config.fetch.fetch_config(),
        fetch_pages: false,
        stories: Stories::Shared,
        sentence_model: sentence_model.clone(),
    };
    let label = translator.label();
    let log = |line: &str| println!("{} {line}", format_time(crate::news::now()));
    log(&format!(
        "ingest into {store}: {feeds} feeds every {minutes} min, translation {}, sentence \
         model {}",
        label.as_deref().unwrap_or("off"),
        sentence_model.map_or("none (stories by their words)".into(), |dir| dir
            .display()
            .to_string())
    ));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the signal watcher")?;
    let mut service =
        NewsService::start(options, Arc::new(|| ())).context("cannot start the news service")?;
    let stopped_by = runtime.block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
        loop {
            tokio::select! {
                _ = term.recv() => return anyhow::Ok("SIGTERM"),
                _ = interrupt.recv() => return Ok("SIGINT"),
                reply = service.recv() => match reply {
                    Some(Reply::Refreshed(Ok(report))) => {
                        // The counts on the run's line; what failed, each on a line below.
                        let text = summary(&report, feeds, label.as_deref());
                        let mut lines = text.lines();
                        let counts = lines.next().unwrap_or_default();
                        log(&format!("refreshed: {counts}; stories written"));
                        for line in lines.filter(|line| line.starts_with("  ")) {
                            println!("{line}");
                        }
                    }
                    Some(Reply::Refreshed(Err(e))) => log(&format!("refresh failed: {e}")),
                    Some(Reply::StoreError(e)) => log(&format!("store: {e}")),
                    Some(Reply::Failed(e)) => log(&format!("restarting after an error: {e}")),
                    Some(_) => {}
                    None => bail!("the news service stopped"),
                },
            }
        }
    })?;
    service.stop();
    log(&format!("stopped by {stopped_by}"));
    Ok(())
}

/// The end-of-fetch summary: counts, then each failed feed with its reason.
pub fn summary(report: &IngestReport, feeds: usize, translator: Option<&str>) -> String {
    let mut text = format!(
        "{feeds} feeds: {} ok ({} unchanged), {} failed; {} new articles\n",
        report.fetched + report.not_modified,
        report.not_modified,
        report.failed.len(),
        report.new_articles,
    );
    text += &match translator {
        Some(by) => format!(
            "translation by {by}: {} articles translated, {} texts sent, {} from the cache\n",
            report.translated, report.translation_requests, report.cache_hits
        ),
        None => "translation is off (see --translator)\n".into(),
    };
    if report.backed_off > 0 {
        text += &format!(
            "{} failing feeds not tried: their wait is not over (`newsglobe feeds --failing`; \
             `newsglobe fetch --all` tries them now)\n",
            report.backed_off
        );
    }
    if report.not_reached > 0 {
        text += &format!(
            "{} feeds not started before the run's time was up; the next run tries them\n",
            report.not_reached
        );
    }
    if report.embedded > 0 {
        text += &format!("{} articles embedded for story grouping\n", report.embedded);
    }
    if let Some(reason) = &report.sentence_failure {
        text += &format!("  stories grouped by their words alone: {reason}\n");
    }
    for (language, reason) in &report.translation_failures {
        text += &format!("  not translated from {language}: {reason}\n");
    }
    for (source, reason) in &report.failed {
        text += &format!(
            "  failed: {} ({}) {}: {reason}\n",
            source.outlet, source.country, source.feed_url
        );
    }
    text
}

/// Where `extract` reads its page.
enum PageSource {
    Stdin,
    Url(String),
}

/// The `extract` command: the page's article, translated where asked, as text or JSON.
fn extract(
    source: PageSource,
    fetch_config: &FetchConfig,
    translator: Option<&Translator>,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut article = match source {
        PageSource::Url(url) => {
            let config = page::page_config(fetch_config);
            let client = crate::news::fetch::client(&config)?;
            runtime
                .block_on(page::fetch_article(&client, &url, &config))
                .with_context(|| url.clone())?
        }
        PageSource::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(extract::MAX_PAGE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .context("reading the page on stdin")?;
            page::read_article(&bytes, None, "").context("the page on stdin")?
        }
    };
    let text = article.text();
    article.language = page_language(article.language.as_deref(), &article.title, &text);
    if let Some(translator) = translator {
        let source = article
            .language
            .clone()
            .context("the page's language is unknown, so it cannot be translated")?;
        let mut texts = vec![article.title.clone()];
        texts.extend(article.paragraphs.iter().cloned());
        let mut english = runtime
            .block_on(translator.translate(&texts, &source))
            .with_context(|| format!("translating from {source:?}"))?
            .into_iter();
        article.title = english.next().unwrap_or_default();
        article.paragraphs = english.collect();
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &article)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}\n", article.title)?;
        for paragraph in &article.paragraphs {
            writeln!(out, "{paragraph}")?;
        }
    }
    Ok(())
}

/// A clustering's scores on labelled articles: a table, or one JSON object.
fn print_evaluation(
    evaluation: &Evaluation,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, evaluation)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} articles, {} labelled stories of two or more",
        evaluation.articles, evaluation.labelled_stories
    )?;
    if evaluation.grouped() {
        writeln!(
            out,
            "the file's order keeps stories together ({} runs of {} stories): \
             only the shuffled orders interleave them as feeds do",
            evaluation.runs, evaluation.labelled_stories
        )?;
    }
    writeln!(
        out,
        "order       B-cubed P  R     F1    pairwise P  R     F1    stories"
    )?;
    for (order, run) in [
        ("at once", &evaluation.batch),
        ("file order", &evaluation.file_order),
        ("shuffled", &evaluation.shuffled),
    ] {
        let (b, p) = (run.bcubed, run.pairwise);
        writeln!(
            out,
            "{order:<11} {:.3}  {:.3} {:.3}   {:.3}  {:.3} {:.3}   {}",
            b.precision, b.recall, b.f1, p.precision, p.recall, p.f1, run.stories
        )?;
    }
    let (least, most) = evaluation.shuffled_range;
    writeln!(
        out,
        "shuffled: the mean of {SHUFFLES} orders; B-cubed F1 {least:.3} to {most:.3}"
    )?;
    Ok(())
}

/// Articles a paragraph each (date, title, outlet, link), `none` when there are none; or one
/// JSON array.
fn print_articles(articles: &[Article], json: bool, none: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, articles)?;
        writeln!(out)?;
        return Ok(());
    }
    if articles.is_empty() {
        writeln!(out, "{none}")?;
    }
    for a in articles {
        writeln!(
            out,
            "{}  {}  [{}]\n    {}",
            format_time(a.published),
            a.title,
            a.outlet,
            a.link
        )?;
    }
    Ok(())
}

/// How far back `feeds` counts a feed's articles.
const FEED_ARTICLES_DAYS: i64 = 7;

/// What the `feeds` command lists, and how.
#[derive(Clone, Copy, Debug)]
pub struct FeedsQuery {
    /// Only the feeds whose last try failed.
    pub failing: bool,
    pub json: bool,
}

/// One feed's health as `feeds` prints it. Times are Unix seconds.
#[derive(Debug, serde::Serialize)]
pub struct FeedHealth<'a> {
    pub outlet: &'a str,
    pub country: &'a str,
    pub url: &'a str,
    pub last_success: Option<i64>,
    pub last_attempt: Option<i64>,
    /// Why the last try failed; `None` when it worked.
    pub last_error: Option<&'a str>,
    pub consecutive_failures: u32,
    pub articles_last_7_days: usize,
    /// When a failing feed is next tried; `None` for one that is not failing.
    pub next_attempt: Option<i64>,
    /// Whether the next fetch skips it, its wait not being over.
    pub backed_off: bool,
}

/// The `feeds` command: the health of the catalog's feeds (`sources`) in `store`, as of
/// `now`, in catalog order. Feeds stored but no longer in the catalog are not fetched, and
/// not listed.
pub fn feeds(
    store: &Store,
    sources: &[FeedSource],
    config: &FetchConfig,
    now: i64,
    query: FeedsQuery,
    mut out: impl Write,
) -> anyhow::Result<()> {
    let states: HashMap<String, FeedState> = store.feed_health()?.into_iter().collect();
    let articles = store.counts_per_feed_since(now - FEED_ARTICLES_DAYS * 86_400)?;
    let latest_success = store.latest_success()?;
    let never = FeedState::default();
    let listed: Vec<FeedHealth> = sources
        .iter()
        .map(|source| {
            let state = states.get(&source.feed_url).unwrap_or(&never);
            let next_attempt = config.next_attempt(state, latest_success);
            FeedHealth {
                outlet: &source.outlet,
                country: &source.country,
                url: &source.feed_url,
                last_success: state.last_success,
                last_attempt: state.last_attempt,
                last_error: state.last_error.as_deref(),
                consecutive_failures: state.consecutive_failures,
                articles_last_7_days: articles.get(&source.feed_url).copied().unwrap_or(0),
                next_attempt,
                backed_off: next_attempt.is_some_and(|due| due > now),
            }
        })
        .filter(|feed| !query.failing || feed.consecutive_failures > 0)
        .collect();
    if query.json {
        serde_json::to_writer_pretty(&mut out, &listed)?;
        writeln!(out)?;
        return Ok(());
    }
    let failing = listed.iter().filter(|f| f.consecutive_failures > 0).count();
    let waiting = listed.iter().filter(|f| f.backed_off).count();
    writeln!(
        out,
        "{} feeds: {failing} failing, {waiting} of them waiting before the next try",
        listed.len()
    )?;
    for feed in &listed {
        writeln!(out, "{}  {}  {}", feed.country, feed.outlet, feed.url)?;
        let last_success = feed.last_success.map_or("never".into(), format_time);
        let status = match (feed.last_attempt, feed.last_error) {
            (None, _) => "never fetched".to_owned(),
            (Some(at), Some(error)) => format!(
                "failed {} in a row, last at {}: {error}\n    \
                 last success {last_success}; {}",
                match feed.consecutive_failures {
                    1 => "once".to_owned(),
                    n => format!("{n} times"),
                },
                format_time(at),
                match feed.next_attempt {
                    Some(due) if feed.backed_off => format!("next try after {}", format_time(due)),
                    _ => "tried on the next fetch".into(),
                }
            ),
            (Some(_), None) => format!("ok, last success {last_success}"),
        };
        writeln!(
            out,
            "    {status}\n    {} articles in the last {FEED_ARTICLES_DAYS} days",
            feed.articles_last_7_days
        )?;
    }
    Ok(())
}

/// What the `stories` command lists.
pub struct StoriesQuery {
    pub hours: u32,
    pub min_countries: usize,
    pub topic: Option<Topic>,
    pub limit: usize,
}

/// The `stories` command against a store, as of `now`.
pub fn stories(
    store: &Store,
    now: i64,
    query: &StoriesQuery,
    json: bool,
    mut out: impl Write,
) -> anyhow::Result<()> {
    let window = i64::from(query.hours) * 3600;
    let world = load_world(store, now, window)?;
    let top = world.top(now - window, query.min_countries, query.topic, query.limit);
    if json {
        serde_json::to_writer_pretty(&mut out, &top)?;
        writeln!(out)?;
        return Ok(());
    }
    if top.is_empty() {
        writeln!(
            out,
            "no story covered by {} or more countries in the last {} hours{}",
            query.min_countries,
            query.hours,
            if world.is_empty() {
                "; the store has no articles to read in English yet (run `newsglobe fetch`)"
            } else {
                ""
            }
        )?;
    }
    for (rank, story) in top.iter().enumerate() {
        let (title, _) = english(&story.headline);
        let topics: Vec<&str> = story.topics.iter().map(|t| t.key()).collect();
        writeln!(
            out,
            "{:>2}. {title}\n    story {}: {} countries, {} articles, {} to {}{}{}",
            rank + 1,
            story.id,
            story.takes.len(),
            story.articles,
            format_time(story.first),
            format_time(story.last),
            if story.blindspot {
                ", blindspot (no US outlet)"
            } else {
                ""
            },
            if topics.is_empty() {
                String::new()
            } else {
                format!(", topics: {}", topics.join(" "))
            }
        )?;
        let countries: Vec<String> = story
            .takes
            .iter()
            .map(|t| format!("{} {}", t.country, t.articles.len()))
            .collect();
        writeln!(out, "    {}", countries.join(", "))?;
    }
    Ok(())
}

/// The stories of the last `window` seconds: on a shared store the ones its ingest wrote,
/// which every screen shows, else the store's articles clustered here.
fn load_world(store: &Store, now: i64, window: i64) -> anyhow::Result<Coverage> {
    let shared = if store.at().is_shared() {
        Coverage::load_shared(store, now, window)?.map(|(_, world)| world)
    } else {
        None
    };
    Ok(match shared {
        Some(world) => world,
        None => Coverage::load(store, now, window)?,
    })
}

/// Which story the `story` command shows.
#[derive(Clone, Copy, Debug)]
pub enum StoryOf {
    Id(StoryId),
    Article(i64),
}

/// What `story --json` prints.
#[derive(serde::Serialize)]
struct StoryReport<'a> {
    id: StoryId,
    title: &'a str,
    articles: usize,
    first: i64,
    last: i64,
    #[serde(flatten)]
    telling: &'a Telling,
}

/// The `story` command against a store, as of `now`: the story read as `stories` with the
/// same `hours` reads it.
pub fn story(
    store: &Store,
    now: i64,
    hours: u32,
    which: StoryOf,
    json: bool,
    mut out: impl Write,
) -> anyhow::Result<()> {
    let world = load_world(store, now, i64::from(hours) * 3600)?;
    let id = match which {
        StoryOf::Id(id) => Some(id),
        StoryOf::Article(article) => world.story_of(article),
    };
    let Some(story) = id.and_then(|id| world.story(id)) else {
        bail!(
            "no {} among the stories of the last {hours} hours{}",
            match which {
                StoryOf::Id(id) => format!("story {id}"),
                StoryOf::Article(article) => format!("story holding article {article}"),
            },
            ", read in English; see `newsglobe stories`"
        );
    };
    let telling = Telling::of(&story);
    let (title, _) = english(&story.headline);
    if json {
        let report = StoryReport {
            id: story.id,
            title,
            articles: story.articles,
            first: story.first,
            last: story.last,
            telling: &telling,
        };
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Story {}: {title}\n  {} countries, {} articles, {} to {}\n\nHow it spread, each \
         country's first report:",
        story.id,
        story.takes.len(),
        story.articles,
        format_time(story.first),
        format_time(story.last)
    )?;
    let start = telling.spread.span().map_or(0, |(start, _)| start);
    for (rank, report) in telling.spread.reports.iter().enumerate() {
        writeln!(
            out,
            "{:>3}. {}  {:>9}  {}  {}: {}",
            rank + 1,
            format_time(report.published),
            delay(report.published - start),
            report.country,
            report.outlet,
            report.title
        )?;
    }
    writeln!(out, "\nWhat sets each country's take apart:")?;
    for take in &telling.framing {
        let articles = story.take(&take.country).map_or(0, |t| t.articles.len());
        let what = match &take.framing {
            Framing::Terms { terms } => terms
                .iter()
                .map(|t| format!("{} ({:.1})", t.text, t.z))
                .collect::<Vec<_>>()
                .join(", "),
            Framing::TooLittle { .. } => "too little text to tell".into(),
            Framing::Alike => "told much like the others".into(),
        };
        let noun = if articles == 1 { "article" } else { "articles" };
        writeln!(out, "  {} ({articles} {noun}): {what}", take.country)?;
    }
    Ok(())
}

/// A Unix time as `YYYY-MM-DD HH:MM` UTC (civil-from-days, after Howard Hinnant).
fn format_time(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + (month <= 2) as i64;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// The `locate` command over any reader and writer.
pub fn locate(
    input: impl BufRead,
    mut output: impl Write,
    countries: &[geo::Country],
    index: &CountryIndex,
    snap_km: Option<f64>,
) -> anyhow::Result<()> {
    if let Some(km) = snap_km
        && !(km >= 0.0 && km.is_finite())
    {
        bail!("--snap-km must be a distance of 0 km or more, not {km}");
    }
    for (n, line) in input.lines().enumerate() {
        let line = line.context("cannot read standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let point = parse_point(&line).with_context(|| format!("line {}: {line:?}", n + 1))?;
        let found = match snap_km {
            Some(km) => index.nearest(point, km).map(|hit| hit.country),
            None => index.locate(point),
        };
        match found {
            Some(c) => writeln!(output, "{}\t{}", countries[c].id, countries[c].name)?,
            None => writeln!(output, "-")?,
        }
    }
    Ok(())
}

fn parse_point(line: &str) -> anyhow::Result<LatLon> {
    let mut fields = line.split([' ', '\t', ',']).filter(|f| !f.is_empty());
    let mut number = |what: &str, range: std::ops::RangeInclusive<f64>| -> anyhow::Result<f64> {
        let text = fields
            .next()
            .with_context(|| format!("expected LAT LON, {what} is missing"))?;
        let value: f64 = text
            .parse()
            .with_context(|| format!("{what} {text:?} is not a number"))?;
        if !range.contains(&value) {
            bail!(
                "{what} {value} is outside {}..={}",
                range.start(),
                range.end()
            );
        }
        Ok(value)
    };
    let lat = number("latitude", -90.0..=90.0)?;
    let lon = number("longitude", -180.0..=180.0)?;
    if fields.next().is_some() {
        bail!("expected two numbers, LAT LON");
    }
    Ok(LatLon::new(lat, lon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(format_time(0), "1970-01-01 00:00");
        assert_eq!(format_time(1_795_000_000), "2026-11-18 11:06");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00");
    }

    #[test]
    fn points() {
        let p = parse_point("50.45 30.52").unwrap();
        assert_eq!((p.lat, p.lon), (50.45, 30.52));
        assert!(
            parse_point("50.45")
                .unwrap_err()
                .to_string()
                .contains("longitude")
        );
        assert!(
            parse_point("95 0")
                .unwrap_err()
                .to_string()
                .contains("latitude 95")
        );
        assert!(parse_point("1 2 3").is_err());
    }
}
