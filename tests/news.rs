//! Ingest against a real HTTP server on 127.0.0.1 serving fixture feeds: good feeds of every
//! format, bad ones of every kind, conditional GET, and a reader working beside the writer.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use newsglobe::news::FeedSource;
use newsglobe::news::catalog::Catalog;
use newsglobe::news::fetch::FetchConfig;
use newsglobe::news::ingest::{self, IngestReport};
use newsglobe::news::parse::parse_feed;
use newsglobe::news::store::Store;
use tiny_http::{Header, Response, Server};

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
const LIMIT: usize = 64 * 1024;

/// A fixture server: each request on its own thread, so a hanging one blocks no other.
struct FixtureServer {
    port: u16,
    hits_500: Arc<AtomicUsize>,
}

impl FixtureServer {
    fn start() -> Self {
        let server = Arc::new(Server::http("127.0.0.1:0").unwrap());
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
        "malformed.xml" | "not-a-feed.html" => {
            Response::from_data(std::fs::read(Path::new(FIXTURES).join(&path)).unwrap())
        }
        _ => match GOOD.iter().find(|(file, _)| *file == path) {
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

fn temp_store(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("newsglobe-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("news.sqlite")
}

fn run(store: &mut Store, sources: &[FeedSource]) -> IngestReport {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(ingest::ingest(store, sources, &config(), |_| {}))
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
        "malformed.xml",
        "not-a-feed.html",
    ];
    let sources: Vec<FeedSource> = GOOD
        .iter()
        .map(|(file, _)| *file)
        .chain(bad)
        .map(|path| source(&server, path))
        .collect();
    let path = temp_store("ingest");
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
    reason("malformed.xml");
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
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}

#[test]
fn a_reader_can_query_while_a_fetch_writes() {
    let server = FixtureServer::start();
    let path = temp_store("reader");
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
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
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
    let path = temp_store("corrupt");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"this is not a database, it is a shopping list").unwrap();
    let error = Store::open(&path)
        .expect_err("a corrupt store is an error")
        .to_string();
    assert!(error.contains(&path.display().to_string()), "{error}");
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}

#[test]
fn the_fetch_and_articles_commands_end_to_end() {
    let server = FixtureServer::start();
    let dir = temp_store("cli").parent().unwrap().to_owned();
    std::fs::create_dir_all(&dir).unwrap();
    let catalog = dir.join("outlets.toml");
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
            .arg("--data-dir")
            .arg(&dir)
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
    std::fs::remove_dir_all(&dir).ok();
}
