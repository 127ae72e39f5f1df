//! Ingest against a real HTTP server on 127.0.0.1 serving fixture feeds: good feeds of every
//! format, bad ones of every kind, conditional GET, and a reader working beside the writer;
//! and translation at ingest against a LibreTranslate-compatible server, working or not.

#![allow(
    clippy::unwrap_used,
    reason = "helpers of tests and benchmarks: a failed unwrap fails the run, with its line"
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use newsglobe::news::catalog::Catalog;
use newsglobe::news::fetch::FetchConfig;
use newsglobe::news::ingest::{self, IngestReport};
use newsglobe::news::parse::parse_feed;
use newsglobe::news::store::Store;
use newsglobe::news::translate::{Backend, TranslateConfig, Translator};
use newsglobe::news::{FeedItem, FeedSource};
use serde_json::{Value, json};
use tiny_http::{Header, Response};

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/loopback.rs"]
mod loopback;
#[path = "support/pages.rs"]
mod pages;
use loopback::loopback_server;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/feeds");
/// The feeds that parse, with the content type each is served as.
const GOOD: [(&str, &str); 6] = [
    ("rss2.xml", "application/rss+xml"),
    ("atom.xml", "application/atom+xml; charset=utf-8"),
    ("rdf.xml", "application/rdf+xml"),
    ("feed.json", "application/feed+json"),
    ("cp1251.xml", "application/xml"),
    ("latin1.xml", "text/xml"),
];
/// Spanish feeds, served like the good ones: one outlet's, and the same agency stories as
/// another outlet carries them under its own links.
const SPANISH: [(&str, &str); 2] = [
    ("spanish.xml", "application/rss+xml"),
    ("spanish-wire.xml", "application/rss+xml"),
];
const LIMIT: usize = 64 * 1024;

/// A fixture server: each request on its own thread, so a hanging one blocks no other.
struct FixtureServer {
    port: u16,
    hits_500: Arc<AtomicUsize>,
}

impl FixtureServer {
    fn start() -> Self {
        let server = Arc::new(loopback_server());
        let port = server.server_addr().to_ip().unwrap().port();
        let hits_500 = Arc::new(AtomicUsize::new(0));
        let hits = hits_500.clone();
        thread::spawn(move || {
            for request in server.incoming_requests() {
                let hits = hits.clone();
                thread::spawn(move || respond(request, &hits));
            }
        });
        Self { port, hits_500 }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
}

fn respond(request: tiny_http::Request, hits_500: &AtomicUsize) {
    // Sources differ by query string only to look like distinct feeds; the file is the path.
    let path = request.url().trim_start_matches('/');
    let path = path.split('?').next().unwrap_or_default().to_owned();
    let etag = format!("\"{path}-v1\"");
    let sent_etag = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("If-None-Match"))
        .map(|h| h.value.to_string());
    let response = match path.as_str() {
        "404" => Response::from_string("gone").with_status_code(404),
        "500" => {
            hits_500.fetch_add(1, Ordering::SeqCst);
            Response::from_string("oops").with_status_code(500)
        }
        "hang" => {
            // Longer than the client's timeout, shorter than the test run.
            thread::sleep(Duration::from_secs(5));
            Response::from_string("late")
        }
        "huge" => Response::from_data(vec![b'x'; LIMIT + 1]),
        "loop" => Response::from_string("")
            .with_status_code(302)
            .with_header(header("Location", "/loop")),
        "garbage" => Response::from_string("Service unavailable"),
        "not-a-feed.html" => {
            Response::from_data(std::fs::read(Path::new(FIXTURES).join(&path)).unwrap())
        }
        _ => match GOOD.iter().chain(&SPANISH).find(|(file, _)| *file == path) {
            Some(_) if sent_etag.as_deref() == Some(etag.as_str()) => {
                Response::from_data(Vec::new()).with_status_code(304)
            }
            Some((file, content_type)) => {
                Response::from_data(std::fs::read(Path::new(FIXTURES).join(file)).unwrap())
                    .with_header(header("Content-Type", content_type))
                    .with_header(header("ETag", &etag))
            }
            None => Response::from_string("no such fixture").with_status_code(404),
        },
    };
    let _ = request.respond(response);
}

fn config() -> FetchConfig {
    FetchConfig {
        concurrency: 8,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(1500),
        max_body_bytes: LIMIT,
        max_redirects: 3,
        retries: 1,
        backoff: Duration::from_millis(20),
        feed_budget: Duration::from_secs(4),
        run_budget: Duration::from_secs(30),
        // Each run here tries every feed: the waits of failing feeds are ingest's own tests'.
        failing_wait: Duration::ZERO,
        ..FetchConfig::default()
    }
}

fn source(server: &FixtureServer, path: &str) -> FeedSource {
    FeedSource {
        feed_url: server.url(path),
        outlet: format!("Outlet {path}"),
        country: if path.starts_with("cp1251") {
            "RUS"
        } else {
            "UKR"
        }
        .into(),
        language: "en".into(),
    }
}

/// The fixtures carry dates from early 2025; keep them all, whenever the tests run.
const FIXTURE_RETENTION_DAYS: i64 = 100 * 365;

/// Where a store goes in a temporary folder of its own (not made yet), and the folder,
/// removed when it drops.
fn temp_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("news.sqlite");
    (dir, path)
}

fn run(store: &mut Store, sources: &[FeedSource]) -> IngestReport {
    run_translating(store, sources, None)
}

fn run_translating(
    store: &mut Store,
    sources: &[FeedSource],
    translator: Option<&Translator>,
) -> IngestReport {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(ingest::ingest(
            store,
            sources,
            &config(),
            translator,
            |_| {},
        ))
        .unwrap()
}

fn expected_good_items() -> usize {
    let base = url::Url::parse("http://127.0.0.1/").unwrap();
    GOOD.iter()
        .map(|(file, content_type)| {
            let bytes = std::fs::read(Path::new(FIXTURES).join(file)).unwrap();
            parse_feed(&bytes, Some(content_type), &base).unwrap().len()
        })
        .sum()
}

#[test]
fn good_feeds_stored_bad_feeds_recorded_and_nothing_twice() {
    let server = FixtureServer::start();
    let bad = [
        "404",
        "500",
        "hang",
        "huge",
        "loop",
        "garbage",
        "not-a-feed.html",
    ];
    let sources: Vec<FeedSource> = GOOD
        .iter()
        .map(|(file, _)| *file)
        .chain(bad)
        .map(|path| source(&server, path))
        .collect();
    let (_dir, path) = temp_store();
    let mut store = Store::open(&path).unwrap();
    store.set_retention_days(FIXTURE_RETENTION_DAYS);

    let first = run(&mut store, &sources);
    assert_eq!(first.fetched, GOOD.len(), "{first:#?}");
    assert_eq!(first.new_articles, expected_good_items());
    assert_eq!(store.article_count().unwrap(), expected_good_items());
    let reason = |path: &str| {
        first
            .failed
            .iter()
            .find(|(s, _)| s.feed_url.ends_with(&format!("/{path}")))
            .map(|(_, reason)| reason.clone())
            .unwrap_or_else(|| panic!("{path} not recorded as failed: {first:#?}"))
    };
    assert!(reason("404").contains("HTTP 404"));
    assert!(reason("500").contains("HTTP 500"));
    assert!(reason("hang").contains("no answer"), "{}", reason("hang"));
    assert!(reason("huge").contains("larger than"));
    assert!(reason("loop").contains("redirects"), "{}", reason("loop"));
    assert!(
        reason("garbage").starts_with("not a feed"),
        "{}",
        reason("garbage")
    );
    reason("not-a-feed.html");
    assert_eq!(first.failed.len(), bad.len());
    // The 500 was retried once; the 404 was not worth retrying.
    assert_eq!(server.hits_500.load(Ordering::SeqCst), 2);

    // The text came through: Cyrillic from windows-1251, tags and entities stripped.
    let russian = store.latest_for_country("RUS", 10).unwrap();
    assert!(
        russian.iter().any(|a| a.title.contains("Новости")),
        "{russian:#?}"
    );
    // The feed is declared English; each article's text says what it really is.
    let languages: Vec<(&str, &str)> = russian
        .iter()
        .map(|a| (a.title.as_str(), a.language.as_str()))
        .collect();
    assert_eq!(
        languages,
        [
            ("Новости Киева: в метро открыли новую станцию", "ru"),
            ("Київ: відкрито новий міст через Дніпро", "uk"),
        ]
    );
    let ukrainian = store.latest_for_country("UKR", 100).unwrap();
    assert!(
        ukrainian
            .iter()
            .all(|a| !a.title.contains('<') && !a.title.contains("&amp;"))
    );
    assert!(
        ukrainian.iter().all(|a| a.link.starts_with("http")),
        "links are absolute"
    );

    // Second run: every good feed answers 304 and nothing is added twice.
    let second = run(&mut store, &sources);
    assert_eq!(second.not_modified, GOOD.len(), "{second:#?}");
    assert_eq!(second.new_articles, 0);
    let health = store.feed_health().unwrap();
    let of = |path: &str| {
        health
            .iter()
            .find(|(url, _)| url.ends_with(&format!("/{path}")))
            .map(|(_, state)| state.clone())
            .unwrap()
    };
    assert_eq!(of("404").consecutive_failures, 2);
    assert!(of("404").last_error.unwrap().contains("404"));
    assert_eq!(of("rss2.xml").consecutive_failures, 0);
    assert!(of("rss2.xml").etag.is_some());

    // A fetch without validators (a fresh store would send none) still adds no duplicates.
    drop(store);
    let mut store = Store::open(&path).unwrap();
    store.set_retention_days(FIXTURE_RETENTION_DAYS);
    assert_eq!(
        store.article_count().unwrap(),
        expected_good_items(),
        "reopened"
    );
    let good: Vec<FeedSource> = GOOD
        .iter()
        .map(|(f, _)| source(&server, &format!("{f}?again")))
        .collect();
    let third = run(&mut store, &good);
    assert_eq!(third.new_articles, 0, "{third:#?}");
}

#[test]
fn a_reader_can_query_while_a_fetch_writes() {
    let server = FixtureServer::start();
    let (_dir, path) = temp_store();
    let mut store = Store::open(&path).unwrap();
    let sources: Vec<FeedSource> = (0..40)
        .flat_map(|i| GOOD.iter().map(move |(f, _)| (i, *f)))
        .map(|(i, f)| source(&server, &format!("{f}?copy={i}")))
        .collect();
    let writing = Arc::new(AtomicBool::new(true));
    let reads = {
        let (writing, path) = (writing.clone(), path.clone());
        thread::spawn(move || {
            let reader = Store::open(&path).unwrap();
            let mut reads = 0;
            while writing.load(Ordering::SeqCst) {
                reader.latest_for_country("UKR", 50).unwrap();
                reader.search("news", 10).unwrap();
                reads += 1;
            }
            reads
        })
    };
    run(&mut store, &sources);
    writing.store(false, Ordering::SeqCst);
    assert!(reads.join().unwrap() > 0);
}

#[test]
fn the_shipped_catalog_is_valid_and_broad() {
    let catalog = Catalog::load(&Catalog::default_path()).unwrap();
    let countries =
        newsglobe::geo::load_countries_file(&newsglobe::app::Geometry::Default.path()).unwrap();
    let known: std::collections::HashMap<&str, &str> = countries
        .iter()
        .map(|c| (c.id.as_str(), c.continent.as_str()))
        .collect();
    for outlet in &catalog.outlets {
        assert!(
            known.contains_key(outlet.country.as_str()),
            "{} has unknown country {}",
            outlet.name,
            outlet.country
        );
    }
    assert!(
        catalog.outlets.len() >= 150,
        "{} outlets",
        catalog.outlets.len()
    );
    let covered = catalog.countries();
    assert!(covered.len() >= 50, "{} countries", covered.len());
    let continents: std::collections::HashSet<&str> = covered.iter().map(|c| known[c]).collect();
    for continent in [
        "Africa",
        "Asia",
        "Europe",
        "North America",
        "South America",
        "Oceania",
    ] {
        assert!(continents.contains(continent), "no outlet in {continent}");
    }
    let sources = catalog.sources();
    let unique: std::collections::HashSet<&str> =
        sources.iter().map(|s| s.feed_url.as_str()).collect();
    assert_eq!(unique.len(), sources.len(), "duplicate feeds");
}

#[test]
fn a_corrupt_store_says_where_it_is() {
    let (_dir, path) = temp_store();
    std::fs::write(&path, b"this is not a database, it is a shopping list").unwrap();
    let error = Store::open(&path)
        .expect_err("a corrupt store is an error")
        .to_string();
    assert!(error.contains(&path.display().to_string()), "{error}");
}

#[test]
fn the_fetch_and_articles_commands_end_to_end() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("outlets.toml");
    let mut text = String::new();
    for (file, _) in GOOD.iter().take(2) {
        text += &format!(
            "[[outlet]]\nname = \"Outlet {file}\"\ncountry = \"UKR\"\nhomepage = \"https://example.org\"\n\
             feeds = [\"{}\"]\nlanguage = \"en\"\nenglish = true\nownership = \"private\"\n\n",
            server.url(file)
        );
    }
    text += &format!(
        "[[outlet]]\nname = \"Broken\"\ncountry = \"UKR\"\nhomepage = \"https://example.org\"\n\
         feeds = [\"{}\"]\nlanguage = \"en\"\nenglish = true\nownership = \"private\"\n",
        server.url("404")
    );
    std::fs::write(&catalog, text).unwrap();
    let newsglobe = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_newsglobe"))
            .args(args)
            .arg("--outlets")
            .arg(&catalog)
            // The user's own config must not change what the test sees.
            .args(["--translator", "none"])
            .arg("--data-dir")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let fetched = newsglobe(&["fetch"]);
    let summary = String::from_utf8_lossy(&fetched.stdout);
    assert!(
        fetched.status.success(),
        "{summary}{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    assert!(summary.contains("3 feeds: 2 ok"), "{summary}");
    assert!(summary.contains("translation is off"), "{summary}");
    assert!(
        summary.contains("failed: Broken (UKR)") && summary.contains("HTTP 404"),
        "{summary}"
    );

    let listed = newsglobe(&["articles", "--country", "UKR", "--json"]);
    let articles: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let articles = articles.as_array().unwrap();
    assert!(!articles.is_empty());
    let times: Vec<i64> = articles
        .iter()
        .map(|a| a["published"].as_i64().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
}

/// A LibreTranslate-compatible server on 127.0.0.1 (POST /translate, JSON `q` list in,
/// `translatedText` list out). It "translates" Spanish with a word list, marking each
/// translation with "EN:", or answers 500 to everything when `failing`.
struct LibreServer {
    port: u16,
    requests: Arc<AtomicUsize>,
    texts: Arc<AtomicUsize>,
}

/// Enough Spanish for the fixtures' words to be searched for in English.
const WORD_LIST: [(&str, &str); 5] = [
    ("lluvias", "rains"),
    ("gobierno", "government"),
    ("elecciones", "elections"),
    ("bomberos", "firefighters"),
    ("pensiones", "pensions"),
];

fn fake_translation(text: &str) -> String {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|word| {
            WORD_LIST
                .iter()
                .find(|(es, _)| word.eq_ignore_ascii_case(es))
                .map_or(word, |(_, en)| en)
        })
        .collect();
    format!("EN:{}", words.join(" "))
}

impl LibreServer {
    fn start(failing: bool) -> Self {
        let server = loopback_server();
        let port = server.server_addr().to_ip().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let texts = Arc::new(AtomicUsize::new(0));
        let (seen_requests, seen_texts) = (requests.clone(), texts.clone());
        thread::spawn(move || {
            for mut request in server.incoming_requests() {
                seen_requests.fetch_add(1, Ordering::SeqCst);
                let mut body = String::new();
                request.as_reader().read_to_string(&mut body).unwrap();
                let (status, reply) = translate_reply(&body, failing);
                if status == 200 {
                    let sent = reply["translatedText"].as_array().map_or(0, Vec::len);
                    seen_texts.fetch_add(sent, Ordering::SeqCst);
                }
                let response = Response::from_string(reply.to_string())
                    .with_status_code(status)
                    .with_header(header("Content-Type", "application/json"));
                let _ = request.respond(response);
            }
        });
        Self {
            port,
            requests,
            texts,
        }
    }

    fn translator(&self) -> Translator {
        translator_at(&format!("http://127.0.0.1:{}/", self.port))
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn translate_reply(body: &str, failing: bool) -> (u16, Value) {
    if failing {
        return (500, json!({"error": "the model crashed"}));
    }
    let Ok(request) = serde_json::from_str::<Value>(body) else {
        return (400, json!({"error": "not JSON"}));
    };
    let Some(q) = request["q"].as_array() else {
        return (400, json!({"error": "q must be a list"}));
    };
    if request["source"] != "es" || request["target"] != "en" || request["format"] != "text" {
        return (400, json!({"error": "only Spanish text into English"}));
    }
    let translated: Vec<String> = q
        .iter()
        .map(|text| fake_translation(text.as_str().unwrap_or_default()))
        .collect();
    (200, json!({ "translatedText": translated }))
}

fn translator_at(url: &str) -> Translator {
    let backend = Backend::LibreTranslate {
        url: url::Url::parse(url).unwrap(),
        api_key: None,
    };
    let config = TranslateConfig {
        batch_size: 50,
        max_retries: 1,
        backoff: Duration::from_millis(10),
        timeout: Duration::from_secs(5),
    };
    Translator::new(backend, config).unwrap()
}

fn found(store: &Store, query: &str) -> Vec<String> {
    store
        .search(query, 10)
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect()
}

fn spanish_source(server: &FixtureServer, file: &str) -> FeedSource {
    FeedSource {
        feed_url: server.url(file),
        outlet: format!("Outlet {file}"),
        country: "ESP".into(),
        language: "es".into(),
    }
}

/// The fixture's three stories, each title with its summary.
fn spanish_stories() -> Vec<(String, String)> {
    let bytes = std::fs::read(Path::new(FIXTURES).join("spanish.xml")).unwrap();
    let base = url::Url::parse("http://127.0.0.1/").unwrap();
    parse_feed(&bytes, Some("application/rss+xml"), &base)
        .unwrap()
        .into_iter()
        .map(|item| (item.title, item.summary))
        .collect()
}

#[test]
fn foreign_articles_are_translated_once_and_found_in_english() {
    let feeds = FixtureServer::start();
    let libre = LibreServer::start(false);
    let translator = libre.translator();
    let label = translator.label().unwrap();
    let (_dir, path) = temp_store();
    let mut store = Store::open(&path).unwrap();
    store.set_retention_days(FIXTURE_RETENTION_DAYS);
    let diario = [spanish_source(&feeds, "spanish.xml")];

    let first = run_translating(&mut store, &diario, Some(&translator));
    assert_eq!(first.new_articles, 3, "{first:#?}");
    assert_eq!(
        (
            first.translated,
            first.translation_requests,
            first.cache_hits
        ),
        (3, 6, 0),
        "{first:#?}"
    );
    assert!(first.translation_failures.is_empty(), "{first:#?}");
    // Six texts in one batch: one request.
    assert_eq!(libre.requests(), 1);
    assert_eq!(libre.texts.load(Ordering::SeqCst), 6);

    let stored = store.latest_for_country("ESP", 10).unwrap();
    let mut translated: Vec<(String, String)> = stored
        .iter()
        .map(|a| {
            assert_eq!(a.language, "es");
            assert_eq!(a.translated_by.as_deref(), Some(label.as_str()));
            (
                a.title_en.clone().unwrap_or_default(),
                a.summary_en.clone().unwrap_or_default(),
            )
        })
        .collect();
    translated.sort();
    let mut expected: Vec<(String, String)> = spanish_stories()
        .iter()
        .map(|(title, summary)| (fake_translation(title), fake_translation(summary)))
        .collect();
    expected.sort();
    assert_eq!(translated, expected);
    assert!(
        stored
            .iter()
            .any(|a| a.title == "Las lluvias torrenciales inundan el centro de Sevilla")
    );

    // Search finds an article by a word only its translation has, and by its own words.
    assert_eq!(
        found(&store, "rains"),
        ["Las lluvias torrenciales inundan el centro de Sevilla"]
    );
    assert_eq!(
        found(&store, "firefighters"),
        ["Las lluvias torrenciales inundan el centro de Sevilla"]
    );
    assert_eq!(
        found(&store, "elections"),
        ["Las elecciones municipales serán el próximo mes de mayo"]
    );
    assert_eq!(
        found(&store, "lluvias"),
        ["Las lluvias torrenciales inundan el centro de Sevilla"]
    );

    // Nothing new and nothing left to translate: no request at all.
    let second = run_translating(&mut store, &diario, Some(&translator));
    assert_eq!(
        (
            second.not_modified,
            second.translated,
            second.translation_requests
        ),
        (1, 0, 0),
        "{second:#?}"
    );
    assert_eq!(libre.requests(), 1);

    // Another outlet carries the same agency stories: new articles, every text from the
    // cache, and still no request.
    let voz = [spanish_source(&feeds, "spanish-wire.xml")];
    let third = run_translating(&mut store, &voz, Some(&translator));
    assert_eq!(third.new_articles, 3, "{third:#?}");
    assert_eq!(
        (
            third.translated,
            third.cache_hits,
            third.translation_requests
        ),
        (3, 6, 0),
        "{third:#?}"
    );
    assert_eq!(libre.requests(), 1);
    let all = store.latest_for_country("ESP", 10).unwrap();
    assert_eq!(all.len(), 6);
    assert!(
        all.iter()
            .all(|a| a.title_en.as_deref().is_some_and(|t| t.starts_with("EN:"))),
        "{all:#?}"
    );
    assert_eq!(found(&store, "rains").len(), 2);
}

#[test]
fn a_failing_translator_loses_no_article_and_the_next_run_translates() {
    let feeds = FixtureServer::start();
    let broken = LibreServer::start(true);
    let (_dir, path) = temp_store();
    let mut store = Store::open(&path).unwrap();
    store.set_retention_days(FIXTURE_RETENTION_DAYS);
    let diario = [spanish_source(&feeds, "spanish.xml")];
    let untouched = |store: &Store| {
        let stored = store.latest_for_country("ESP", 10).unwrap();
        assert_eq!(stored.len(), 3);
        let mut titles: Vec<(String, String)> = stored
            .iter()
            .map(|a| {
                assert_eq!(
                    (&a.title_en, &a.summary_en, &a.translated_by),
                    (&None, &None, &None),
                    "{a:#?}"
                );
                (a.title.clone(), a.summary.clone())
            })
            .collect();
        titles.sort();
        let mut expected = spanish_stories();
        expected.sort();
        assert_eq!(titles, expected);
    };

    // A server error, retried once, then given up on for this run.
    let first = run_translating(&mut store, &diario, Some(&broken.translator()));
    assert_eq!(first.new_articles, 3, "{first:#?}");
    assert_eq!(first.translated, 0);
    assert_eq!(broken.requests(), 2);
    let [(lang, reason)] = first.translation_failures.as_slice() else {
        panic!("one failure expected: {first:#?}");
    };
    assert_eq!(lang, "es");
    assert!(reason.contains("HTTP 500"), "{reason}");
    untouched(&store);
    assert!(store.search("rains", 10).unwrap().is_empty());

    // Nobody listening at all.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let unreachable = translator_at(&format!("http://127.0.0.1:{closed}/"));
    let second = run_translating(&mut store, &diario, Some(&unreachable));
    assert_eq!(second.translation_failures.len(), 1, "{second:#?}");
    assert!(
        second.translation_failures[0].1.contains("cannot reach"),
        "{second:#?}"
    );
    untouched(&store);

    // Translation switched off: nothing tried, nothing failed.
    let off = Translator::new(Backend::None, TranslateConfig::default()).unwrap();
    let third = run_translating(&mut store, &diario, Some(&off));
    assert_eq!(
        (third.translated, third.translation_requests),
        (0, 0),
        "{third:#?}"
    );
    assert!(third.translation_failures.is_empty());
    untouched(&store);

    // A working backend on the next run translates what was left, with no new fetch.
    let libre = LibreServer::start(false);
    let fourth = run_translating(&mut store, &diario, Some(&libre.translator()));
    assert_eq!(fourth.not_modified, 1, "{fourth:#?}");
    assert_eq!(
        (fourth.translated, fourth.translation_requests),
        (3, 6),
        "{fourth:#?}"
    );
    assert!(fourth.translation_failures.is_empty());
    let stored = store.latest_for_country("ESP", 10).unwrap();
    assert!(
        stored.iter().all(|a| a.translated_by.is_some()
            && a.title_en.as_deref() == Some(fake_translation(&a.title).as_str())),
        "{stored:#?}"
    );
    assert_eq!(store.search("rains", 10).unwrap().len(), 1);
}

#[test]
fn the_corpus_stories_are_recovered_with_their_coverage_and_blindspots() {
    use newsglobe::news::stories::quality::{bcubed_f1, pairwise_f1};
    use newsglobe::news::world::Coverage;

    let (_dir, path) = temp_store();
    let now = newsglobe::news::now();
    let ids = corpus::fill_store(&path, now);
    let store = Store::open(&path).unwrap();
    // Four days: the corpus's oldest article is 90 hours old.
    let world = Coverage::load(&store, now, 96 * 3600).unwrap();
    let articles = corpus::corpus().articles;
    assert_eq!(
        world.len(),
        articles.len(),
        "every article reads in English"
    );

    // The stories are recovered through the store (translations included) as well as from
    // the corpus directly: the same floor as the clustering's own test.
    let truth: Vec<(i64, &str)> = articles
        .iter()
        .map(|a| (ids[&a.id], a.story.as_str()))
        .collect();
    let predicted: Vec<(i64, u32)> = truth
        .iter()
        .map(|&(id, _)| (id, world.story_of(id).unwrap()))
        .collect();
    let (bcubed, pairwise) = (
        bcubed_f1(&truth, &predicted),
        pairwise_f1(&truth, &predicted),
    );
    eprintln!("through the store: B-cubed F1 {bcubed:.3}, pairwise F1 {pairwise:.3}");
    assert!(bcubed >= 0.94 && pairwise >= 0.92, "{bcubed} {pairwise}");

    // The coverage map of a story lists the countries whose outlets carry it.
    let story_of_label = |label: &str| {
        let first = articles.iter().find(|a| a.story == label).unwrap();
        world.shared_story_of(ids[&first.id]).unwrap()
    };
    let expected_countries = |label: &str| {
        let mut countries: Vec<&str> = articles
            .iter()
            .filter(|a| a.story == label)
            .map(|a| a.country.as_str())
            .collect();
        countries.sort_unstable();
        countries.dedup();
        countries
    };
    // (The Kenyan floods are not among them: the clustering merges Mumbai's monsoon into
    // them, a known miss; see `news::stories`.)
    for label in [
        "ucl-final",
        "tianwen-asteroid",
        "cannes-palme",
        "quake-japan",
    ] {
        let story = story_of_label(label);
        let mut countries: Vec<&str> = story.countries().collect();
        countries.sort_unstable();
        assert_eq!(countries, expected_countries(label), "{label}");
    }
    // Blindspots: no US outlet carries the Champions League final or the floods in Kenya; US
    // outlets do carry the Palme d'Or.
    assert!(story_of_label("ucl-final").blindspot);
    assert!(story_of_label("floods-kenya").blindspot);
    assert!(!story_of_label("cannes-palme").blindspot);
    let top = world.top(now - 96 * 3600, 2, None, 100);
    assert!(
        top.windows(2).all(|w| w[0].takes.len() >= w[1].takes.len()),
        "most countries first"
    );

    // Search finds a Turkish article by a word only its English translation has.
    let turkish = articles.iter().find(|a| a.language == "tr").unwrap();
    assert!(!turkish.title.to_lowercase().contains("earthquake"));
    let found = store.search("earthquake Malatya", 10).unwrap();
    assert!(found.iter().any(|a| a.id == ids[&turkish.id]), "{found:?}");

    // The stories command prints the same top stories, for scripts.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_newsglobe"))
        .args(["stories", "--json", "--hours", "96", "--translator", "none"])
        .arg("--data-dir")
        .arg(path.parent().unwrap())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let printed = printed.as_array().unwrap();
    let top = world.top(now - 96 * 3600, 2, None, 20);
    assert_eq!(printed.len(), top.len());
    assert_eq!(printed[0]["id"], json!(top[0].id));
    let countries: Vec<&str> = printed[0]["takes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["country"].as_str().unwrap())
        .collect();
    assert_eq!(countries, top[0].countries().collect::<Vec<_>>());
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_newsglobe"))
        .args([
            "stories",
            "--hours",
            "96",
            "--topic",
            "sport",
            "--translator",
            "none",
        ])
        .arg("--data-dir")
        .arg(path.parent().unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("blindspot (no US outlet)") && text.contains("topics: sport"),
        "{text}"
    );
    assert!(!text.contains("earthquake"), "{text}");
}

/// A deterministic stream of numbers (xorshift64*), so a failing case can be found again.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Fragments that break feeds in the ways the wild does.
const TROUBLE: [&[u8]; 14] = [
    b"<",
    b"&",
    b"&#146;",
    b"&#xD800;",
    b"]]>",
    b"<![CDATA[",
    b"</item>",
    b"<item><title>",
    b"<?xml version=\"1.0\" encoding=\"utf-16\"?>",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\x00",
    b"<!DOCTYPE rss [<!ENTITY e \"&e;&e;\">]>",
    b"<a xmlns:x=\"urn:x\" x:y='1' z=\"",
];

/// One mutation of `body`: cut short, bytes flipped, trouble inserted, a slice repeated, or
/// the whole re-encoded as UTF-16 or UTF-32 without a byte order mark.
fn mutate(body: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = body.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 => out.truncate(at),
            1 => {
                for _ in 0..=rng.below(8) {
                    if !out.is_empty() {
                        let i = rng.below(out.len());
                        out[i] ^= 1 << rng.below(8);
                    }
                }
            }
            2 => {
                let fragment = TROUBLE[rng.below(TROUBLE.len())];
                out.splice(at..at, fragment.iter().copied());
            }
            3 => {
                let end = (at + rng.below(200)).min(out.len());
                let slice = out[at..end].to_vec();
                out.splice(at..at, slice);
            }
            4 => {
                let text = String::from_utf8_lossy(&out).into_owned();
                let big_endian = rng.below(2) == 0;
                out = text
                    .encode_utf16()
                    .flat_map(|u| {
                        if big_endian {
                            u.to_be_bytes()
                        } else {
                            u.to_le_bytes()
                        }
                    })
                    .collect();
            }
            _ => {
                let text = String::from_utf8_lossy(&out).into_owned();
                out = text
                    .chars()
                    .flat_map(|c| u32::from(c).to_le_bytes())
                    .collect();
            }
        }
    }
    out
}

/// Never panic on feed bytes: every fixture (and the peer corpus's feeds, when at hand),
/// mutated many times over, read with odd headers; whatever comes out stays within the
/// parser's bounds. `NEWSGLOBE_FUZZ_CASES` sets how many
/// cases (2,000 here; `NEWSGLOBE_FUZZ_CASES=200000 cargo test --release --test news mutated`
/// for a long run).
#[test]
fn mutated_feeds_never_panic_and_stay_bounded() {
    use newsglobe::news::parse::{MAX_ITEMS, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS};
    let cases: usize = std::env::var("NEWSGLOBE_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let read = |path: PathBuf| {
        let body = std::fs::read(&path).unwrap();
        (path.display().to_string(), body)
    };
    let mut own: Vec<(String, Vec<u8>)> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|entry| read(entry.unwrap().path()))
        .collect();
    own.sort();
    // With the peer corpus at hand, its 2,200 feeds are seeds too, every other case.
    let mut corpus = Vec::new();
    if let Some(dir) = std::env::var_os("NEWSGLOBE_PEER_FEEDS").map(PathBuf::from) {
        let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
        for line in manifest.lines() {
            let feed: Value = serde_json::from_str(line).unwrap();
            corpus.push(read(dir.join("files").join(feed["path"].as_str().unwrap())));
        }
    }
    let content_types = [
        None,
        Some("application/rss+xml"),
        Some("text/xml; charset=utf-16"),
        Some("text/xml; charset=windows_1252"),
        Some("text/html; charset=bogus"),
    ];
    let base = url::Url::parse("https://fuzz.example/feed").unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut read_items, mut cases_with_items) = (0, 0);
    for case in 0..cases {
        let (name, body) = match case % 2 {
            1 if !corpus.is_empty() => &corpus[(case / 2) % corpus.len()],
            _ => &own[(case / 2) % own.len()],
        };
        let mutated = mutate(body, &mut rng);
        let content_type = content_types[rng.below(content_types.len())];
        let Ok(items) = parse_feed(&mutated, content_type, &base) else {
            continue;
        };
        read_items += items.len();
        cases_with_items += usize::from(!items.is_empty());
        assert!(items.len() <= MAX_ITEMS, "case {case} of {name}");
        for item in &items {
            assert!(
                item.title.chars().count() <= MAX_TITLE_CHARS,
                "case {case} of {name}"
            );
            assert!(
                item.summary.chars().count() <= MAX_SUMMARY_CHARS,
                "case {case} of {name}"
            );
            for link in item.link.iter().chain(&item.image) {
                assert!(link.starts_with("http"), "case {case} of {name}: {link}");
            }
        }
    }
    println!(
        "{cases} mutated feeds read without a panic; {cases_with_items} gave items ({read_items} in all)"
    );
    // Enough mutations leave a feed readable that the cases reach the parser's item code,
    // not just its error paths.
    assert!(
        cases_with_items * 20 >= cases,
        "{cases_with_items} of {cases} cases gave items"
    );
}

/// Where feedparser's reading of its own test feeds is wrong for a news reader, each
/// checked by hand: these count as kept when our reading differs from feedparser's.
const PEER_DISAGREEMENTS: [(&str, &str); 6] = [
    (
        "tests/illformed/chardet/",
        "no declared encoding: feedparser falls back to windows-1252 and gives mojibake; we \
         detect the real one (Shift_JIS, EUC-JP, EUC-KR, GB2312, KOI8-R) and read the title",
    ),
    (
        "tests/wellformed/atom10/entry_id_with_attributes.xml",
        "a relative id (\"right\") is not a page: feedparser makes it a link",
    ),
    (
        "tests/wellformed/base/http_entry_id_base_docuri.xml",
        "a relative id is not a page: feedparser makes it a link",
    ),
    (
        "tests/wellformed/lang/http_content_language_entry_title_inherit_2.xml",
        "a relative id (\"1\") is not a page: feedparser makes it a link",
    ),
    (
        "tests/wellformed/node_precedence/atom10_id.xml",
        "relative ids as links, and the second link taken from an id inside <image>",
    ),
    (
        "tests/wellformed/rss/item_category_image.xml",
        "feedparser titles the item with the title of an <image> inside its <category>",
    ),
];

/// Whether a format is one feeds are written in today.
fn current_format(format: &str) -> bool {
    matches!(format, "rss20" | "rss10" | "atom10")
}

/// Kept and total entries, overall and in current formats.
#[derive(Default, Debug)]
struct Tally {
    kept: usize,
    total: usize,
    current_kept: usize,
    current_total: usize,
}

impl Tally {
    fn add(&mut self, current: bool, kept: bool) {
        self.total += 1;
        self.kept += usize::from(kept);
        if current {
            self.current_total += 1;
            self.current_kept += usize::from(kept);
        }
    }

    fn share(kept: usize, total: usize) -> f64 {
        kept as f64 / total.max(1) as f64
    }

    fn line(&self) -> String {
        format!(
            "{}/{} = {:.3} overall, current formats {}/{} = {:.3}",
            self.kept,
            self.total,
            Self::share(self.kept, self.total),
            self.current_kept,
            self.current_total,
            Self::share(self.current_kept, self.current_total)
        )
    }
}

/// A link as compared: absolute http(s) in `url`'s normal form, or nothing.
fn comparable_link(link: &str) -> Option<String> {
    let url = url::Url::parse(link.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// The peer corpus: feedparser's ~2,200 test feeds, prepared by `scripts/peer-feeds.py DIR`
/// with what feedparser reads from each. Every entry feedparser finds with a title or a link
/// must come out of our parser with the same title (as plain text) and link. Runs when
/// NEWSGLOBE_PEER_FEEDS names the folder; `.ci/run` prepares it and sets
/// NEWSGLOBE_REQUIRE_PEER_FEEDS so there a missing corpus fails instead of skipping.
#[test]
fn peer_feed_corpus_entries_are_kept_with_their_title_and_link() {
    let Some(dir) = std::env::var_os("NEWSGLOBE_PEER_FEEDS").map(PathBuf::from) else {
        assert!(
            std::env::var_os("NEWSGLOBE_REQUIRE_PEER_FEEDS").is_none(),
            "NEWSGLOBE_REQUIRE_PEER_FEEDS is set but NEWSGLOBE_PEER_FEEDS is not"
        );
        eprintln!("skipped: set NEWSGLOBE_PEER_FEEDS (see scripts/peer-feeds.py)");
        return;
    };
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("manifest.jsonl").display()));
    let (mut raw, mut judged, mut held_out) =
        (Tally::default(), Tally::default(), Tally::default());
    let mut misses = Vec::new();
    let mut feeds = 0;
    for line in manifest.lines() {
        let feed: Value = serde_json::from_str(line).unwrap();
        let path = feed["path"].as_str().unwrap();
        let format = feed["format"].as_str().unwrap_or_default();
        let body = std::fs::read(dir.join("files").join(path)).unwrap();
        let base = url::Url::parse(feed["base"].as_str().unwrap()).unwrap();
        let items = parse_feed(&body, feed["content_type"].as_str(), &base).unwrap_or_default();
        feeds += 1;
        let mut used = vec![false; items.len()];
        for entry in feed["entries"].as_array().unwrap() {
            let title = entry["title"].as_str().unwrap();
            let link = entry["link"].as_str().unwrap();
            if title.is_empty() && link.is_empty() {
                continue;
            }
            let want_link = comparable_link(link);
            let hit = items.iter().enumerate().position(|(i, item)| {
                !used[i]
                    && item.title.split_whitespace().collect::<Vec<_>>().join(" ") == title
                    && item.link.as_deref().and_then(comparable_link) == want_link
            });
            if let Some(i) = hit {
                used[i] = true;
            }
            let current = current_format(format);
            let excused = PEER_DISAGREEMENTS.iter().any(|(p, _)| path.starts_with(p));
            raw.add(current, hit.is_some());
            judged.add(current, hit.is_some() || excused);
            if feed["split"] == "held-out" {
                held_out.add(current, hit.is_some() || excused);
            }
            if hit.is_none() && !excused {
                misses.push(format!("{path} [{format}]: {title:?} {want_link:?}"));
            }
        }
    }
    println!("peer corpus: {feeds} feeds");
    println!("  same title and link as feedparser: {}", raw.line());
    println!(
        "  counting the reviewed disagreements as ours: {}",
        judged.line()
    );
    println!("  held-out fifth (never tuned on): {}", held_out.line());
    for miss in &misses {
        println!("  missed: {miss}");
    }
    assert!(feeds > 2_000, "only {feeds} feeds in the corpus");
    assert!(
        Tally::share(judged.kept, judged.total) >= 0.95,
        "{}",
        judged.line()
    );
    assert!(
        Tally::share(judged.current_kept, judged.current_total) >= 0.99,
        "{}",
        judged.line()
    );
}

// ---- Topic tags on real labelled news -------------------------------------------------------

/// Per topic: tags given, right by the section, right by the section or a reviewer; first tags
/// given, right by the section, right by either; articles labelled with it, and tagged with it.
#[derive(Clone, Copy, Default)]
struct TopicTally {
    tagged: usize,
    tagged_right: usize,
    tagged_reviewed: usize,
    first: usize,
    first_right: usize,
    first_reviewed: usize,
    labelled: usize,
    found: usize,
}

impl TopicTally {
    fn add(&mut self, other: TopicTally) {
        self.tagged += other.tagged;
        self.tagged_right += other.tagged_right;
        self.tagged_reviewed += other.tagged_reviewed;
        self.first += other.first;
        self.first_right += other.first_right;
        self.first_reviewed += other.first_reviewed;
        self.labelled += other.labelled;
        self.found += other.found;
    }

    fn share(n: usize, of: usize) -> f64 {
        n as f64 / of.max(1) as f64
    }

    fn line(&self) -> String {
        let share = |n: usize, of: usize| {
            if of == 0 {
                "  -  ".to_owned()
            } else {
                format!("{:.3}", n as f64 / of as f64)
            }
        };
        format!(
            "first tag P {} ({}/{}) reviewed {}, every tag P {} ({}/{}) reviewed {} ({}), R {} ({}/{})",
            share(self.first_right, self.first),
            self.first_right,
            self.first,
            share(self.first_reviewed, self.first),
            share(self.tagged_right, self.tagged),
            self.tagged_right,
            self.tagged,
            share(self.tagged_reviewed, self.tagged),
            self.tagged_reviewed,
            share(self.found, self.labelled),
            self.found,
            self.labelled
        )
    }
}

/// The verdicts of a review of the tags that disagree with their article's section
/// (tests/fixtures/topic-review.tsv): (article id, topic key) to whether the topic is a fair
/// one for the article.
fn topic_review() -> std::collections::HashMap<(String, String), bool> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/topic-review.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let right = match fields.get(2) {
                Some(&"right") => true,
                Some(&"wrong") => false,
                _ => panic!(
                    "{}: not id, topic, right|wrong, why: {line:?}",
                    path.display()
                ),
            };
            ((fields[0].to_owned(), fields[1].to_owned()), right)
        })
        .collect()
}

/// The tagger against real news whose outlets filed each article under a section:
/// `scripts/topic-eval-data.py DIR` prepares two sets, "News Articles" (nine outlets, 2017;
/// a tuning part and a held-out fifth that the keyword lists were never tuned on) and the
/// BBC News set (2004-05, held out whole), with each section mapped to our taxonomy.
///
/// Prints per topic the precision of the first tag and of every tag, and the recall, two
/// ways: against the section alone, and counting also the tags that a review judged fair for
/// the article. A section is one label per article, so it cannot credit a second true topic
/// (a health-care bill filed under politics and tagged health) nor a topic the outlet has no
/// section for (no outlet here files under climate); the review (tests/fixtures/
/// topic-review.tsv) judged each tag that disagreed with its section, and any disagreement
/// it has not judged counts as wrong. With NEWSGLOBE_TOPIC_DISAGREEMENTS naming a file, the
/// unjudged disagreements are written there for review.
///
/// Runs when NEWSGLOBE_TOPIC_DATA names the folder; `.ci/run` prepares it and sets
/// NEWSGLOBE_REQUIRE_TOPIC_DATA so there a missing folder fails instead of skipping.
#[test]
fn topic_tags_on_labelled_news() {
    use newsglobe::news::topics::{Topic, ranked};

    let Some(dir) = std::env::var_os("NEWSGLOBE_TOPIC_DATA").map(PathBuf::from) else {
        assert!(
            std::env::var_os("NEWSGLOBE_REQUIRE_TOPIC_DATA").is_none(),
            "NEWSGLOBE_REQUIRE_TOPIC_DATA is set but NEWSGLOBE_TOPIC_DATA is not"
        );
        eprintln!("skipped: set NEWSGLOBE_TOPIC_DATA (see scripts/topic-eval-data.py)");
        return;
    };
    let path = dir.join("articles.jsonl");
    let lines =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let review = topic_review();
    let mut unjudged = Vec::new();
    let mut overall = Vec::new();
    for (dataset, split) in [
        ("news-articles", "tune"),
        ("news-articles", "held-out"),
        ("bbc", "held-out"),
    ] {
        let mut tallies = [TopicTally::default(); Topic::ALL.len()];
        let (mut articles, mut untagged) = (0, 0);
        for line in lines.lines() {
            let article: Value = serde_json::from_str(line).unwrap();
            if article["dataset"] != dataset || article["split"] != split {
                continue;
            }
            let id = article["id"].as_str().unwrap();
            let label = Topic::from_key(article["label"].as_str().unwrap()).unwrap();
            let tags = ranked(
                article["title"].as_str().unwrap(),
                article["summary"].as_str().unwrap(),
            );
            articles += 1;
            untagged += usize::from(tags.is_empty());
            tallies[label as usize].labelled += 1;
            tallies[label as usize].found += usize::from(tags.contains(&label));
            for (i, &tag) in tags.iter().enumerate() {
                let verdict = review.get(&(id.to_owned(), tag.key().to_owned()));
                if tag != label && verdict.is_none() {
                    unjudged.push(json!({
                        "id": id, "tag": tag.key(), "label": label.key(),
                        "title": article["title"], "summary": article["summary"],
                    }));
                }
                let right = tag == label;
                let fair = right || verdict == Some(&true);
                let tally = &mut tallies[tag as usize];
                tally.tagged += 1;
                tally.tagged_right += usize::from(right);
                tally.tagged_reviewed += usize::from(fair);
                if i == 0 {
                    tally.first += 1;
                    tally.first_right += usize::from(right);
                    tally.first_reviewed += usize::from(fair);
                }
            }
        }
        let mut total = TopicTally::default();
        println!("topic tags, {dataset} {split}: {articles} articles, {untagged} untagged");
        for topic in Topic::ALL {
            println!("  {:9} {}", topic.key(), tallies[topic as usize].line());
            total.add(tallies[topic as usize]);
        }
        println!("  {:9} {}", "overall", total.line());
        overall.push((dataset, split, articles, total));
    }
    if let Some(out) = std::env::var_os("NEWSGLOBE_TOPIC_DISAGREEMENTS") {
        let text: Vec<String> = unjudged.iter().map(Value::to_string).collect();
        std::fs::write(&out, text.join("\n")).unwrap();
    }
    println!(
        "{} disagreements not reviewed (counted as wrong)",
        unjudged.len()
    );
    let share = TopicTally::share;
    for (dataset, split, articles, total) in overall {
        let name = format!("{dataset} {split}");
        assert!(articles > 150, "{name}: only {articles} articles");
        // Against the section alone, measured 0.812 (News Articles tuning part), 0.789 (its
        // held-out fifth) and 0.779 (BBC) for the first tag; this floor, a few points under,
        // guards against lists or thresholds that get worse.
        let first = share(total.first_right, total.first);
        assert!(first >= 0.76, "{name}: first tag P {first:.3}");
        // With the review, measured 0.959, 0.930 and 0.911: the goal.
        let every = share(total.tagged_reviewed, total.tagged);
        assert!(every >= 0.85, "{name}: every tag P, reviewed, {every:.3}");
        // And recall is not given away for precision.
        let recall = share(total.found, total.labelled);
        assert!(recall >= 0.40, "{name}: recall {recall:.3}");
    }
}

// ---- Article extraction on real pages ---------------------------------------------------------

/// The words of a text for comparing extractions: lowercase runs of letters and digits, and
/// each Han, kana or Hangul character on its own (those scripts put no spaces between words).
fn extraction_words(text: &str) -> std::collections::HashMap<String, usize> {
    let mut words = std::collections::HashMap::new();
    let mut word = String::new();
    let mut flush = |word: &mut String| {
        if !word.is_empty() {
            *words.entry(std::mem::take(word)).or_insert(0) += 1;
        }
    };
    for c in text.chars() {
        let unspaced = matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF);
        if unspaced {
            flush(&mut word);
            word.push(c);
            flush(&mut word);
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word);
        }
    }
    flush(&mut word);
    words
}

/// Word-level precision, recall and F1 of one page.
type PageScore = (f64, f64, f64);

/// Word-level precision, recall and F1 of `got` against `expected`, each word counted as
/// often as it occurs.
fn extraction_score(got: &str, expected: &str) -> PageScore {
    let (got, expected) = (extraction_words(got), extraction_words(expected));
    let common: usize = got
        .iter()
        .map(|(word, &n)| n.min(expected.get(word).copied().unwrap_or(0)))
        .sum();
    let (n_got, n_expected) = (
        got.values().sum::<usize>(),
        expected.values().sum::<usize>(),
    );
    let precision = common as f64 / n_got.max(1) as f64;
    let recall = common as f64 / n_expected.max(1) as f64;
    let f1 = if common == 0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    (precision, recall, f1)
}

/// The extractor on real pages with the article text people expect of them:
/// `scripts/extract-eval-data.py DIR` prepares Mozilla Readability's test pages (the tuning
/// set), article-extractor's hand-curated 2026 pages (held out until stop 25, tuned on since),
/// newspaper4k's English pages with newspaper's extraction (held out) and Scrapinghub's
/// benchmark in a tuning and a held-out half. Prints the mean word-level precision, recall and
/// F1 per set and per kind of page, and the tuning pages that score worst; a page with no
/// article (a walled one among them) scores 0. Runs when
/// NEWSGLOBE_EXTRACT_DATA names the folder; `.ci/run` prepares it and sets
/// NEWSGLOBE_REQUIRE_EXTRACT_DATA so there a missing folder fails instead of skipping.
#[test]
fn extraction_on_real_pages() {
    use newsglobe::news::page::read_article;

    let Some(dir) = std::env::var_os("NEWSGLOBE_EXTRACT_DATA").map(PathBuf::from) else {
        assert!(
            std::env::var_os("NEWSGLOBE_REQUIRE_EXTRACT_DATA").is_none(),
            "NEWSGLOBE_REQUIRE_EXTRACT_DATA is set but NEWSGLOBE_EXTRACT_DATA is not"
        );
        eprintln!("skipped: set NEWSGLOBE_EXTRACT_DATA (see scripts/extract-eval-data.py)");
        return;
    };
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    // (set, kind or "all") -> each page's score.
    let mut by_kind: std::collections::BTreeMap<(String, String), Vec<PageScore>> =
        Default::default();
    let mut worst = Vec::new();
    for line in manifest.lines() {
        let page: Value = serde_json::from_str(line).unwrap();
        let html = std::fs::read(dir.join(page["html"].as_str().unwrap())).unwrap();
        let expected = std::fs::read_to_string(dir.join(page["text"].as_str().unwrap())).unwrap();
        let url = page["url"]
            .as_str()
            .unwrap_or("https://example.com/article");
        let got = match read_article(&html, None, url) {
            Ok(article) => article.text(),
            Err(_) => String::new(),
        };
        let score = extraction_score(&got, &expected);
        let set = page["set"].as_str().unwrap().to_owned();
        // Only the tuning sets' pages are named: the held-out ones are seen as a whole.
        if set.ends_with("tune") {
            worst.push((score.2, format!("{set} {}", page["name"].as_str().unwrap())));
        }
        for kind in [page["kind"].as_str().unwrap(), "all"] {
            by_kind
                .entry((set.clone(), kind.to_owned()))
                .or_default()
                .push(score);
        }
    }
    let mean = |scores: &[PageScore], pick: fn(&PageScore) -> f64| {
        scores.iter().map(pick).sum::<f64>() / scores.len().max(1) as f64
    };
    println!("article extraction, mean per page:");
    for ((set, kind), scores) in &by_kind {
        println!(
            "  {set:12} {kind:9} {:3} pages  P {:.3}  R {:.3}  F1 {:.3}",
            scores.len(),
            mean(scores, |s| s.0),
            mean(scores, |s| s.1),
            mean(scores, |s| s.2)
        );
    }
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (f1, name) in worst.iter().take(12) {
        println!("  worst: {f1:.3} {name}");
    }
    let all = |set: &str| {
        by_kind
            .get(&(set.to_owned(), "all".to_owned()))
            .unwrap_or_else(|| panic!("no {set} pages: rerun scripts/extract-eval-data.py"))
    };
    let f1 = |set: &str| mean(all(set), |s| s.2);
    // (set, the least pages it has, its F1 floor). Measured before the tidying rules and the
    // second look: tune 0.991, aeb-tune 0.957, ae-tune 0.886 (then held out), newspaper
    // 0.982; after: tune 0.985, aeb-tune 0.973, and held out, measured once after all choices
    // were made, aeb-held-out 0.961, newspaper 0.985. ae-tune is 0.872 with its two walled
    // pages read as walled; two more of its pages expect a sign-up form's and a style sheet's
    // text. The goal is 0.95 held out. These floors, a little under, guard against
    // changes that read worse.
    let floors = [
        ("tune", 80, 0.97),
        ("aeb-tune", 80, 0.96),
        ("aeb-held-out", 80, 0.94),
        ("ae-tune", 20, 0.86),
        ("newspaper", 10, 0.96),
    ];
    println!(
        "F1 {}",
        floors
            .map(|(set, ..)| format!("{set} {:.3}", f1(set)))
            .join(", ")
    );
    for (set, pages, floor) in floors {
        assert!(all(set).len() >= pages, "{set}: {} pages", all(set).len());
        assert!(f1(set) >= floor, "{set} F1 {:.3}", f1(set));
    }
}

// ---- Article pages over HTTP ------------------------------------------------------------------

/// A page as news sites serve them: navigation, a share bar, scripts, a related-links box
/// and a footer around a five-paragraph article.
fn article_page() -> String {
    let paragraphs = [
        "Heavy rain closed the port of Santos on Monday, stranding forty ships at anchor as the \
         river rose over the quays and into the warehouses beside them.",
        "Dock workers spent the night moving containers to higher ground, and the harbour master \
         said the port would stay shut until the water fell, which could take days.",
        "The state's governor asked for federal help and said the rain, the heaviest in thirty \
         years, had also cut two highways to the city.",
        "Exporters of coffee and soy said the closure would delay shipments already sold abroad, \
         and that buyers had begun asking about other ports.",
        "Forecasters expect the rain to ease by Thursday, though the river will take longer to \
         return to its bed.",
    ];
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Floods close the port of Santos for a week | The Courier</title>\
         <meta property=\"og:image\" content=\"/img/santos.jpg\">\
         <script>window.ads = ['<p>Buy now</p>'];</script></head><body>\
         <header><nav><a href=\"/\">Home</a><a href=\"/world\">World</a><a href=\"/sport\">Sport</a></nav></header>\
         <main><article><h1>Floods close the port of Santos for a week</h1>\
         <div class=\"share-bar\"><a href=\"#\">Share on Facebook</a><a href=\"#\">Share on X</a></div>\
         {body}</article>\
         <aside class=\"related\"><h3>Related</h3><ul><li><a href=\"/a\">Ten best beaches</a></li>\
         <li><a href=\"/b\">Markets close higher</a></li></ul></aside></main>\
         <footer>© The Courier 2026. All rights reserved. <a href=\"/privacy\">Privacy</a></footer>\
         </body></html>"
    )
}

/// Serves the page kinds a reader meets: an article, a paywall's teaser, a page built by
/// scripts, a 50 MB page sent without a length, and a redirect to `javascript:`.
fn page_server() -> String {
    let server = loopback_server();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let html = |text: String| {
                Response::from_string(text).with_header(header("Content-Type", "text/html"))
            };
            let _ = match request.url() {
                "/story" => request.respond(html(article_page())),
                "/paywall" => request.respond(html(
                    "<html><head><script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", \
                     \"isAccessibleForFree\": false}</script></head><body><article><h1>Inside the \
                     port's long night</h1><p>Heavy rain closed the port of Santos.</p>\
                     <div class=\"paywall\">Subscribe to read on.</div></article></body></html>"
                        .into(),
                )),
                "/app" => request.respond(html(
                    "<html><body><div id=\"root\"></div><script src=\"/bundle.js\"></script>\
                     </body></html>"
                        .into(),
                )),
                "/huge" => {
                    let page = std::io::repeat(b'a').take(50 * 1024 * 1024);
                    request.respond(Response::new(
                        200.into(),
                        vec![header("Content-Type", "text/html")],
                        page,
                        None,
                        None,
                    ))
                }
                "/es-story" => request.respond(html(pages::spanish_page(None))),
                "/broken.jpg" => request.respond(Response::from_data(
                    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 and then the file stops".to_vec(),
                )),
                "/to-script" => request.respond(
                    Response::empty(302).with_header(header("Location", "javascript:alert(1)")),
                ),
                _ => request.respond(Response::empty(404)),
            };
        }
    });
    base
}

#[test]
fn article_pages_are_read_or_say_why_not() {
    use newsglobe::news::extract::ExtractError;
    use newsglobe::news::page::{PageError, fetch_article, page_config};

    let base = page_server();
    let config = page_config(&FetchConfig::default());
    let client = newsglobe::news::fetch::client(&config).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let get =
        |path: &str| runtime.block_on(fetch_article(&client, &format!("{base}{path}"), &config));

    let story = get("/story").unwrap();
    assert_eq!(story.title, "Floods close the port of Santos for a week");
    assert_eq!(story.paragraphs.len(), 5, "{:#?}", story.paragraphs);
    let text = story.text();
    for chrome in [
        "Home",
        "Share on",
        "Related",
        "beaches",
        "rights reserved",
        "Buy now",
    ] {
        assert!(!text.contains(chrome), "{chrome:?} kept: {text}");
    }
    assert_eq!(story.image, Some(format!("{base}/img/santos.jpg")));

    let paywall = get("/paywall").unwrap_err();
    assert!(
        matches!(paywall, PageError::Extract(ExtractError::Paywalled { .. })),
        "{paywall}"
    );
    let app = get("/app").unwrap_err();
    assert!(
        matches!(app, PageError::Extract(ExtractError::NoText { .. })),
        "{app}"
    );
    assert!(app.to_string().contains("scripts"), "{app}");
    let huge = get("/huge").unwrap_err();
    assert!(huge.to_string().contains("larger than"), "{huge}");
    let to_script = get("/to-script").unwrap_err();
    assert!(matches!(to_script, PageError::Fetch(_)), "{to_script}");
    let not_web = runtime
        .block_on(fetch_article(&client, "javascript:alert(1)", &config))
        .unwrap_err();
    assert!(matches!(not_web, PageError::NotWeb(_)), "{not_web}");
}

#[test]
fn an_opened_article_arrives_in_english_batch_by_batch_and_opens_offline_after() {
    use newsglobe::news::page::{
        PageEvent, PageService, TRANSLATE_BATCH, open_article, page_config,
    };

    let base = page_server();
    let libre = LibreServer::start(false);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("news.sqlite");
    let mut store = Store::open(&path).unwrap();
    let source = FeedSource {
        feed_url: format!("{base}/rss"),
        outlet: "El Diario".into(),
        country: "ESP".into(),
        language: "es".into(),
    };
    let items = ["es-story", "paywall"].map(|page| FeedItem {
        guid: Some(page.into()),
        link: Some(format!("{base}/{page}")),
        title: format!("Noticia {page}"),
        summary: "Las lluvias cerraron el puerto.".into(),
        published: Some(newsglobe::news::now()),
        image: None,
    });
    ingest::store_items(&mut store, &source, &items, newsglobe::news::now()).unwrap();
    let articles = store.latest_for_country("ESP", 10).unwrap();
    let article = |page: &str| {
        articles
            .iter()
            .find(|a| a.link.ends_with(page))
            .unwrap()
            .clone()
    };
    let config = page_config(&FetchConfig::default());
    let client = newsglobe::news::fetch::client(&config).unwrap();
    let translator = libre.translator();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let open = |article: &newsglobe::news::Article, fetch_pages: bool| {
        let service = PageService {
            store: &newsglobe::news::store::StoreAt::File(path.clone()),
            client: &client,
            config: &config,
            translator: &translator,
            fetch_pages,
        };
        let mut events = Vec::new();
        runtime.block_on(open_article(&service, article, 0, |e| events.push(e)));
        events
    };

    let events = open(&article("es-story"), true);
    let PageEvent::Read(Ok(page)) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(page.paragraphs.len(), 8);
    assert!(!page.text().contains("Portada"));
    // Two batches, in order, each paragraph marked by the translator.
    let english: Vec<(usize, usize)> = events[1..]
        .iter()
        .map(|e| match e {
            PageEvent::English {
                from,
                paragraphs,
                by,
            } => {
                assert!(by.contains("LibreTranslate"));
                assert!(
                    paragraphs.iter().all(|p| p.starts_with("EN:")),
                    "{paragraphs:?}"
                );
                (*from, paragraphs.len())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        english,
        [(0, TRANSLATE_BATCH), (TRANSLATE_BATCH, 8 - TRANSLATE_BATCH)]
    );
    let requests = libre.requests();

    // Offline, with page fetching off: the page and its English come from the store.
    let again = open(&article("es-story"), false);
    assert_eq!(again[0], events[0]);
    assert_eq!(again[1..], events[1..]);
    assert_eq!(libre.requests(), requests, "the cache answered");

    // A paywalled page is kept with why, and not fetched again.
    let paywall = open(&article("paywall"), true);
    assert!(
        matches!(&paywall[..], [PageEvent::Read(Err(why))] if why.contains("paywall")),
        "{paywall:?}"
    );
    assert_eq!(open(&article("paywall"), false), paywall);

    // A page never read, with fetching off, says how to turn it on.
    let mut unread = article("es-story");
    unread.id = -1;
    let off = open(&unread, false);
    assert!(
        matches!(&off[..], [PageEvent::Read(Err(why))] if why.contains("turned off")),
        "{off:?}"
    );
}

#[test]
fn a_broken_or_missing_picture_says_why() {
    use newsglobe::news::images::{PictureError, picture, picture_config};

    let base = page_server();
    let config = picture_config(&FetchConfig::default());
    let client = newsglobe::news::fetch::client(&config).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    // A cache folder not made yet: nothing should make it.
    let cache = scratch.path().join("pictures");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let get = |url: &str| runtime.block_on(picture(&client, url, &config, &cache, (640, 400)));
    let broken = get(&format!("{base}/broken.jpg"));
    assert!(matches!(broken, Err(PictureError::Decode(_))), "{broken:?}");
    let missing = get(&format!("{base}/none.jpg"));
    assert!(
        matches!(&missing, Err(PictureError::Fetch(e)) if e.to_string().contains("404")),
        "{missing:?}"
    );
    assert_eq!(
        get("javascript:alert(1)"),
        Err(PictureError::NotWeb("javascript:alert(1)".into()))
    );
    assert!(!cache.exists(), "nothing kept of what was not shown");
}

#[test]
fn the_first_articles_pages_are_read_ahead_and_open_offline() {
    use newsglobe::news::page::{PageEvent, PageService, open_article, page_config, prefetch};

    let base = page_server();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("news.sqlite");
    let mut store = Store::open(&path).unwrap();
    let source = FeedSource {
        feed_url: format!("{base}/rss"),
        outlet: "The Courier".into(),
        country: "BRA".into(),
        language: "en".into(),
    };
    // Newest first: the story, the paywall, a missing page, then one past the read-ahead.
    let now = newsglobe::news::now();
    let items: Vec<FeedItem> = ["story", "paywall", "gone", "es-story"]
        .iter()
        .enumerate()
        .map(|(i, page)| FeedItem {
            guid: Some(page.to_string()),
            link: Some(format!("{base}/{page}")),
            title: format!("Article {page}"),
            published: Some(now - 60 * i as i64),
            ..Default::default()
        })
        .collect();
    ingest::store_items(&mut store, &source, &items, now).unwrap();
    let articles = store.latest_for_country("BRA", 10).unwrap();
    let config = page_config(&FetchConfig::default());
    let client = newsglobe::news::fetch::client(&config).unwrap();
    let translator = Translator::new(Backend::None, Default::default()).unwrap();
    let at = newsglobe::news::store::StoreAt::File(path.clone());
    let service = |fetch_pages| PageService {
        store: &at,
        client: &client,
        config: &config,
        translator: &translator,
        fetch_pages,
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    assert_eq!(
        runtime.block_on(prefetch(&service(false), &articles, now)),
        0,
        "nothing read ahead with page fetching off"
    );
    // The story, the paywall and the page that is gone are kept (an article, and why there is
    // none); the fourth is past the read-ahead.
    assert_eq!(
        runtime.block_on(prefetch(&service(true), &articles, now)),
        3
    );
    let kept: Vec<bool> = articles
        .iter()
        .map(|a| store.page(a.id).unwrap().is_some())
        .collect();
    assert_eq!(kept, [true, true, true, false]);
    let gone = store
        .page(articles[2].id)
        .unwrap()
        .unwrap()
        .read
        .unwrap_err();
    assert!(gone.contains("404"), "{gone}");
    let mut events = Vec::new();
    runtime.block_on(open_article(&service(false), &articles[0], now, |e| {
        events.push(e)
    }));
    assert!(
        matches!(&events[0], PageEvent::Read(Ok(page)) if page.paragraphs.len() == 5),
        "{events:?}"
    );
}

/// The story clustering on real headlines that a news aggregator filed under stories
/// (`tests/fixtures/stories/uci-2014`, UCI's "News Aggregator" data, March 2014): the tuning
/// half and the held-out half, never tuned on, each clustered at once, in the file's order
/// and in nine shuffled orders. The file's order keeps each story whole (the aggregator gave
/// a story's reports one crawl time), which flatters one-pass clustering; the shuffled
/// orders interleave stories as feeds do, and their mean is the figure that counts. The
/// floors sit just under the figures the README quotes, so that a change that makes real
/// news worse fails here. Measured: at once and in the file's order 0.780 on the tuning
/// half and 0.808 held out; shuffled, the mean of nine orders, 0.758 (0.746 to 0.771) and
/// 0.783 (0.757 to 0.796).
const FLOORS: [(&str, f64, f64); 2] = [("tune", 0.76, 0.74), ("heldout", 0.80, 0.77)];

/// The same with the sentence model's embeddings beside the words, as the app groups stories
/// where it has the model. Measured: at once and in the file's order 0.798 on the tuning half
/// and 0.852 held out; shuffled 0.806 (0.782 to 0.818) and 0.838 (0.815 to 0.858). Runs when
/// NEWSGLOBE_SENTENCE_MODEL names the model's folder (`scripts/sentence-model.py`); `.ci/run`
/// fetches it and sets NEWSGLOBE_REQUIRE_SENTENCE_MODEL, so that there a missing model fails.
const SENTENCE_FLOORS: [(&str, f64, f64); 2] = [("tune", 0.78, 0.79), ("heldout", 0.83, 0.82)];

#[test]
fn stories_on_real_headlines_labelled_by_an_aggregator() {
    real_headline_stories(None, FLOORS);
}

#[test]
fn stories_on_real_headlines_with_sentence_embeddings() {
    use newsglobe::news::sentences::SentenceModel;
    let Some(dir) = std::env::var_os("NEWSGLOBE_SENTENCE_MODEL").map(PathBuf::from) else {
        assert!(
            std::env::var_os("NEWSGLOBE_REQUIRE_SENTENCE_MODEL").is_none(),
            "NEWSGLOBE_REQUIRE_SENTENCE_MODEL is set but NEWSGLOBE_SENTENCE_MODEL is not"
        );
        eprintln!("skipped: set NEWSGLOBE_SENTENCE_MODEL (see scripts/sentence-model.py)");
        return;
    };
    let model = SentenceModel::load(&dir).unwrap();
    real_headline_stories(Some(&model), SENTENCE_FLOORS);
}

/// Scores both halves against their floors, `(half, at once and in order, shuffled)`.
fn real_headline_stories(
    model: Option<&newsglobe::news::sentences::SentenceModel>,
    floors: [(&str, f64, f64); 2],
) {
    use newsglobe::news::stories::ClusterConfig;
    use newsglobe::news::stories::eval::{embed, evaluate, read_labelled};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stories/uci-2014");
    for (half, in_order, shuffled) in floors {
        let text = std::fs::read_to_string(dir.join(format!("{half}.jsonl"))).unwrap();
        let articles = read_labelled(&text).unwrap();
        let embedded = model.map(|model| embed(&articles, model).unwrap());
        let evaluation = evaluate(&articles, embedded.as_deref(), &ClusterConfig::default());
        assert!(evaluation.grouped(), "{half}: {} runs", evaluation.runs);
        for (order, run, floor) in [
            ("at once", evaluation.batch, in_order),
            ("file order", evaluation.file_order, in_order),
            ("shuffled", evaluation.shuffled, shuffled),
        ] {
            eprintln!(
                "{half} {order}: B-cubed P {:.3} R {:.3} F1 {:.3}; pairwise F1 {:.3}; {} stories",
                run.bcubed.precision,
                run.bcubed.recall,
                run.bcubed.f1,
                run.pairwise.f1,
                run.stories
            );
            assert!(
                run.bcubed.f1 >= floor,
                "{half}: B-cubed F1 {order} {:.3}, under {floor}",
                run.bcubed.f1
            );
        }
    }
}

/// Real English headlines from outlets that write in English (the UCI set above: 1,948
/// outlets' headlines, no summaries) keep the language their feed declares: a short headline
/// is too little text for detection to overrule the outlet. The tuning half was looked at
/// while choosing the rule; the held-out half was not.
#[test]
fn real_english_headlines_declared_english_stay_english() {
    use newsglobe::news::language::article_language;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stories/uci-2014");
    for half in ["tune", "heldout"] {
        let text = std::fs::read_to_string(dir.join(format!("{half}.jsonl"))).unwrap();
        let titles: Vec<String> = text
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap()["title"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let lost: Vec<(&str, String)> = titles
            .iter()
            .map(|title| (title.as_str(), article_language("en", title, "")))
            .filter(|(_, language)| language != "en")
            .collect();
        eprintln!(
            "{half}: {} of {} headlines taken for another language, e.g. {:?}",
            lost.len(),
            titles.len(),
            &lost[..lost.len().min(8)]
        );
        // Before the rule, three of them were: one in the tuning half, two held out.
        assert!(lost.is_empty(), "{half}: {lost:?}");
    }
}

/// One event told by five countries at known times, each side with its own words: the dam
/// broken on the Dnipro, as Ukraine, Russia and Britain framed it, and one-article takes
/// from Germany and India.
const DAM: [(&str, &str, f64, &str, &str); 11] = [
    (
        "UKR",
        "Ukrinform",
        20.0,
        "Kakhovka dam blown up by Russian forces, Kherson flooding begins",
        "Ukraine says Russian forces blew up the Kakhovka dam in an act of ecocide; flooding in Kherson.",
    ),
    (
        "RUS",
        "TASS",
        19.0,
        "Kakhovka dam destroyed in Ukrainian sabotage, Kherson flooding",
        "Officials call the Kakhovka dam breach a terrorist attack and Ukrainian sabotage; Kherson flooding spreads.",
    ),
    (
        "UKR",
        "Kyiv Independent",
        18.5,
        "Ecocide at Kakhovka dam: Russian forces flood Kherson villages",
        "Zelensky calls the Kakhovka dam destruction ecocide by Russian forces as Kherson flooding rises.",
    ),
    (
        "RUS",
        "RIA",
        18.0,
        "Ukrainian sabotage at Kakhovka dam, terrorist attack says Kremlin",
        "The Kremlin blames Ukrainian sabotage for the Kakhovka dam breach, a terrorist attack; Kherson flooding.",
    ),
    (
        "GBR",
        "BBC",
        16.0,
        "Kakhovka dam collapse: humanitarian disaster as Kherson flooding forces evacuation",
        "Aid agencies warn of a humanitarian disaster after the Kakhovka dam collapse; evacuation from Kherson flooding.",
    ),
    (
        "UKR",
        "Ukrainska Pravda",
        15.0,
        "Russian forces shell Kherson evacuation after Kakhovka dam ecocide",
        "Russian forces shelled Kherson during the evacuation from flooding after the Kakhovka dam ecocide.",
    ),
    (
        "RUS",
        "Izvestia",
        14.0,
        "Kherson flooding after Ukrainian sabotage of Kakhovka dam, terrorist attack",
        "Moscow says Ukrainian sabotage caused the Kakhovka dam breach, a terrorist attack, and the Kherson flooding.",
    ),
    (
        "GBR",
        "The Guardian",
        13.0,
        "Humanitarian disaster in Kherson flooding after Kakhovka dam collapse",
        "The UN warns of a humanitarian disaster; evacuation continues in Kherson flooding after the Kakhovka dam collapse.",
    ),
    (
        "DEU",
        "Deutsche Welle",
        12.0,
        "Kakhovka dam: Kherson flooding, Berlin offers help",
        "Germany offers help as Kherson flooding follows the Kakhovka dam breach.",
    ),
    (
        "GBR",
        "Sky News",
        11.0,
        "Kakhovka dam collapse: Kherson evacuation as humanitarian disaster grows",
        "Evacuation from Kherson flooding as the humanitarian disaster after the Kakhovka dam collapse grows.",
    ),
    (
        "IND",
        "The Hindu",
        10.0,
        "Kakhovka dam breach: Kherson flooding, India urges restraint",
        "India urges restraint after the Kakhovka dam breach and Kherson flooding.",
    ),
];

#[test]
fn a_storys_spread_and_each_countrys_framing_come_from_the_store() {
    use newsglobe::news::framing::Framing;
    use newsglobe::news::spread::Telling;
    use newsglobe::news::world::Coverage;

    let (_dir, path) = temp_store();
    let now = newsglobe::news::now();
    let mut store = Store::open(&path).unwrap();
    for (i, &(country, outlet, hours, title, summary)) in DAM.iter().enumerate() {
        let source = FeedSource {
            feed_url: format!("https://{i}.example/rss"),
            outlet: outlet.into(),
            country: country.into(),
            language: "en".into(),
        };
        let item = FeedItem {
            guid: None,
            link: Some(format!("https://{i}.example/dam")),
            title: title.into(),
            summary: summary.into(),
            published: Some(now - (hours * 3600.0) as i64),
            image: None,
        };
        ingest::store_items(&mut store, &source, &[item], now).unwrap();
    }
    let world = Coverage::load(&store, now, 48 * 3600).unwrap();
    let first = store.latest_for_country("UKR", 10).unwrap();
    let first = first.iter().find(|a| a.outlet == "Ukrinform").unwrap();
    let story = world.story(world.story_of(first.id).unwrap()).unwrap();
    assert_eq!(story.articles, DAM.len(), "one story: {story:#?}");

    let telling = Telling::of(&story);
    let order: Vec<&str> = telling
        .spread
        .reports
        .iter()
        .map(|r| r.country.as_str())
        .collect();
    assert_eq!(order, ["UKR", "RUS", "GBR", "DEU", "IND"]);
    let reporter = telling.spread.first().unwrap();
    assert_eq!(
        (reporter.outlet.as_str(), reporter.article),
        ("Ukrinform", first.id)
    );
    let top = |country: &str| -> Vec<String> {
        let framing = telling.framing_of(country).unwrap();
        framing.terms().iter().map(|t| t.text.clone()).collect()
    };
    for (country, expected) in [
        ("UKR", ["ecocide", "Russian forces"]),
        ("RUS", ["Ukrainian sabotage", "terrorist attack"]),
        ("GBR", ["humanitarian disaster", "collapse"]),
    ] {
        let terms = top(country);
        assert!(
            expected
                .iter()
                .all(|e| terms.iter().take(3).any(|t| t == e)),
            "{country}: {terms:?}"
        );
        // What every take says is no one's framing.
        assert!(
            !terms
                .iter()
                .any(|t| t.contains("Kherson") || t.contains("dam")),
            "{terms:?}"
        );
    }
    for country in ["DEU", "IND"] {
        assert!(
            matches!(
                telling.framing_of(country),
                Some(Framing::TooLittle { articles: 1, .. })
            ),
            "{country}"
        );
    }

    // The command prints the same, by article or by the id `stories` gives.
    let story_command = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_newsglobe"))
            .args(["story", "--translator", "none"])
            .args(args)
            .arg("--data-dir")
            .arg(path.parent().unwrap())
            .output()
            .unwrap()
    };
    let output = story_command(&["--article", &first.id.to_string(), "--json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["id"], json!(story.id));
    assert_eq!(printed["spread"]["reports"][0]["outlet"], "Ukrinform");
    assert_eq!(
        printed["spread"],
        serde_json::to_value(&telling.spread).unwrap()
    );
    assert_eq!(printed["framing"][0]["framing"]["kind"], "terms");
    let output = story_command(&[&story.id.to_string()]);
    let text = String::from_utf8_lossy(&output.stdout);
    let at = |what: &str| {
        text.find(what)
            .unwrap_or_else(|| panic!("{what} in {text}"))
    };
    assert!(at("  1. ") < at("UKR  Ukrinform") && at("UKR  Ukrinform") < at("RUS  TASS"));
    assert!(at("RUS  TASS") < at("GBR  BBC") && at("GBR  BBC") < at("IND  The Hindu"));
    assert!(text.contains("+1 h  RUS"), "{text}");
    assert!(
        text.contains("IND (1 article): too little text to tell"),
        "{text}"
    );
    assert!(text.contains("RUS (3 articles): "), "{text}");
    let missing = story_command(&["99999"]);
    assert!(!missing.status.success());
    let said = String::from_utf8_lossy(&missing.stderr);
    assert!(
        said.contains("no story 99999 among the stories of the last 48 hours"),
        "{said}"
    );
}

/// The real headlines' stories, each as its sides by the outlet's country (`countries.tsv`,
/// from the host name; `None` where the host does not say).
fn uci_sides(half: &str) -> Vec<Vec<(Option<String>, Vec<String>)>> {
    use std::collections::BTreeMap;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stories/uci-2014");
    let countries: std::collections::HashMap<i64, String> =
        std::fs::read_to_string(dir.join("countries.tsv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|line| {
                let fields: Vec<&str> = line.split('\t').collect();
                (fields[0].parse().unwrap(), fields[2].to_owned())
            })
            .collect();
    let text = std::fs::read_to_string(dir.join(format!("{half}.jsonl"))).unwrap();
    let mut stories: BTreeMap<String, BTreeMap<Option<String>, Vec<String>>> = BTreeMap::new();
    for line in text.lines() {
        let item: Value = serde_json::from_str(line).unwrap();
        let country = &countries[&item["id"].as_i64().unwrap()];
        let side = (country != "-").then(|| country.clone());
        stories
            .entry(item["story"].as_str().unwrap().to_owned())
            .or_default()
            .entry(side)
            .or_default()
            .push(item["title"].as_str().unwrap().to_owned());
    }
    stories
        .into_values()
        .map(|sides| sides.into_iter().collect())
        .collect()
}

/// A country's framing terms, found without one of its headlines, turn up in that unseen
/// headline more often than in the other countries' (real headlines, countries from the
/// outlets' host names), and set it apart better than its most frequent words do. The
/// settings were chosen on the tuning half (a sweep of prior 0.01–1, z 0.25–2 and share
/// 0–0.5); the held-out half was only measured.
#[test]
fn framing_terms_hold_on_unseen_real_headlines_of_their_country() {
    use newsglobe::news::framing::FramingConfig;
    use newsglobe::news::framing::eval::{EvalSide, Measured, measure};
    for half in ["tune", "heldout"] {
        let stories = uci_sides(half);
        let sides: Vec<Vec<EvalSide>> = stories
            .iter()
            .map(|story| {
                story
                    .iter()
                    .map(|(name, texts)| EvalSide {
                        name: name.as_deref(),
                        texts: texts.iter().map(String::as_str).collect(),
                    })
                    .collect()
            })
            .collect();
        let report = |found: &Measured| {
            format!(
                "{} headlines; terms shown {:.2} of the time; framing terms in own {:.3} / \
                 others {:.3} (lift {:.2}); frequent words {:.3} / {:.3} (lift {:.2})",
                found.articles,
                found.shown as f64 / found.shown_of.max(1) as f64,
                found.framing.own_rate(),
                found.framing.other_rate(),
                found.framing.lift(),
                found.frequent.own_rate(),
                found.frequent.other_rate(),
                found.frequent.lift()
            )
        };
        let found = measure(&sides, &FramingConfig::default());
        eprintln!("{half}: {}", report(&found));
        assert!(found.articles >= 200, "{found:?}");
        // Measured: tune 1.97 against 1.52, held out 1.69 against 1.13.
        assert!(
            found.framing.lift() >= 1.5 && found.framing.lift() >= 1.25 * found.frequent.lift(),
            "{half}: {found:?}"
        );
    }
}
