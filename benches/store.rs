//! Benchmarks of the store at a fleet's scale, the same figures for both backends side by
//! side: a million articles in a SQLite file and in a PostgreSQL database (a private server
//! started for the run), then a country's 50 newest, a full-text query, an ingest of
//! 150 feeds × 50 items from a loopback server into the full store, and 20 readers reading
//! while that ingest writes.
//!
//! Goals (PostgreSQL): a country's 50 newest ≤ 10 ms; a full-text query ≤ 50 ms; the ingest
//! ≤ 3 s; the readers' 99th percentile ≤ 50 ms. Run with `cargo bench --bench store`
//! (`NEWSGLOBE_BENCH_ARTICLES=N` for another size, `NEWSGLOBE_BENCH_BACKENDS=sqlite` or
//! `=postgres` for one backend). A plain main that prints its figures rather than criterion:
//! a percentile under concurrent writes is not a per-iteration time.

#![allow(
    clippy::unwrap_used,
    reason = "helpers of tests and benchmarks: a failed unwrap fails the run, with its line"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use newsglobe::news::fetch::FetchConfig;
use newsglobe::news::store::pg::local::LocalServer;
use newsglobe::news::store::{PgSettings, Store, StoreAt};
use newsglobe::news::{FeedItem, FeedSource, ingest};

#[path = "../tests/support/each.rs"]
mod each;
#[path = "support/synthetic.rs"]
mod synthetic;

use synthetic::{COUNTRIES, WORDS, word};

const FEEDS: usize = 150;
const ITEMS: usize = 50;
/// Articles per feed while filling: the store's feeds, like a large catalog's.
const FILL_PER_FEED: usize = 1_000;
const READERS: usize = 20;
/// How long the readers read while the ingest writes.
const READING: Duration = Duration::from_secs(20);
/// A screen's reads come from a person's taps: each reader waits this long between reads,
/// which is still far more often than a person taps.
const READER_PAUSE: Duration = Duration::from_millis(50);

/// A feed's items: `count` articles numbered from `first`, dated over the last 20 days.
fn items(feed: usize, first: usize, count: usize, now: i64) -> Vec<FeedItem> {
    (first..first + count)
        .map(|n| FeedItem {
            guid: None,
            link: Some(format!("https://outlet{feed}.example/{n}")),
            title: format!("{} {} in region {n}", word(n), word(n + 1)),
            summary: format!(
                "Officials said the {} would affect {} people.",
                word(n + 2),
                n % 9000
            ),
            published: Some(now - (n as i64 * 17) % (20 * 86_400)),
            image: None,
        })
        .collect()
}

fn source(feed: usize, url: String) -> FeedSource {
    FeedSource {
        feed_url: url,
        outlet: format!("Outlet {feed}"),
        country: COUNTRIES[feed % COUNTRIES.len()].into(),
        language: "en".into(),
    }
}

/// A loopback server of [`FEEDS`] feeds at `/feed/{f}/{run}`: each run's items are new
/// articles (their links carry the run), as a refresh brings.
fn serve_feeds() -> u16 {
    each::serve_each(|path| {
        let path = path.trim_start_matches("/feed/");
        let (feed, run) = path.split_once('/').unwrap_or((path, "0"));
        let (feed, run): (usize, usize) = (feed.parse().unwrap_or(0), run.parse().unwrap_or(0));
        let mut xml = String::from("<rss version=\"2.0\"><channel><title>Bench</title>");
        for i in 0..ITEMS {
            let n = (run * FEEDS + feed) * ITEMS + i;
            xml += &format!(
                "<item><title>{} {} in region {n}</title>\
                 <link>https://fresh{feed}.example/{run}/{i}</link>\
                 <description>Officials said the {} would affect {} people.</description>\
                 </item>",
                word(n),
                word(n + 1),
                word(n + 2),
                n % 9000,
            );
        }
        xml + "</channel></rss>"
    })
}

/// The median and the 99th percentile of `times`, in milliseconds.
fn median_p99(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.99))
}

/// `runs` timings of `work`, after one run to warm caches.
fn timed(runs: usize, mut work: impl FnMut()) -> Vec<Duration> {
    work();
    (0..runs)
        .map(|_| {
            let begun = Instant::now();
            work();
            begun.elapsed()
        })
        .collect()
}

struct Figures {
    fill_s: f64,
    latest_ms: f64,
    search_ms: f64,
    search_rare_ms: f64,
    ingest_s: f64,
    reads: usize,
    read_median_ms: f64,
    read_p99_ms: f64,
    list_p99_ms: f64,
    search_p99_ms: f64,
}

/// Fills the store at `at` with `articles` articles, then measures it. `readers_at` is where
/// the readers open their stores (a PostgreSQL reader's pool is sized for all of them).
fn measure(
    at: &StoreAt,
    readers_at: &StoreAt,
    articles: usize,
    port: u16,
    after_fill: impl Fn(),
) -> Figures {
    let now = newsglobe::news::now();
    let mut store = Store::open_at(at).unwrap();
    let begun = Instant::now();
    for feed in 0..articles.div_ceil(FILL_PER_FEED) {
        let count = FILL_PER_FEED.min(articles - feed * FILL_PER_FEED);
        let items = items(feed, feed * FILL_PER_FEED, count, now);
        let tagged: Vec<(&FeedItem, String)> = items.iter().map(|i| (i, "en".into())).collect();
        let source = source(feed, format!("https://outlet{feed}.example/rss"));
        store.insert_items(&source, &tagged, now).unwrap();
    }
    let fill_s = begun.elapsed().as_secs_f64();
    // What a live server's autovacuum does after a table grows by a tenth: word frequencies
    // for the planner. (SQLite's full-text index needs none.)
    after_fill();
    assert_eq!(store.article_count().unwrap(), articles);
    eprintln!("  filled {articles} articles in {fill_s:.0} s");

    let (latest_ms, _) = median_p99(timed(200, || {
        assert_eq!(store.latest_for_country("JPN", 50).unwrap().len(), 50);
    }));
    // One word in about a fifth of the articles: the search's worst case is a common word.
    let (search_ms, _) = median_p99(timed(50, || {
        assert_eq!(store.search("ceasefire", 50).unwrap().len(), 50);
    }));
    // And the common case: a rare word, here one region's number.
    let (search_rare_ms, _) = median_p99(timed(50, || {
        assert!(!store.search("4321", 50).unwrap().is_empty());
    }));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = FetchConfig::default();
    let run = AtomicUsize::new(0);
    let ingest_run = |store: &mut Store| {
        let run = run.fetch_add(1, Ordering::SeqCst);
        let sources: Vec<FeedSource> = (0..FEEDS)
            .map(|f| source(f, format!("http://127.0.0.1:{port}/feed/{f}/{run}")))
            .collect();
        let report = runtime
            .block_on(ingest::ingest(store, &sources, &config, None, |_| {}))
            .unwrap();
        assert_eq!(
            report.new_articles,
            FEEDS * ITEMS,
            "a run stored only part of its feeds: {:?}",
            report.failed.first()
        );
    };
    let (ingest_ms, _) = median_p99(timed(5, || ingest_run(&mut store)));

    // The readers, each with a store of its own, as screens have, while the ingest writes.
    let reading = Arc::new(AtomicBool::new(true));
    let readers: Vec<_> = (0..READERS)
        .map(|r| {
            let (at, reading) = (readers_at.clone(), reading.clone());
            thread::spawn(move || {
                let store = Store::open_at(&at).unwrap();
                let mut times = Vec::new();
                let mut n = r;
                while reading.load(Ordering::SeqCst) {
                    n += 7;
                    let begun = Instant::now();
                    // Four country lists to a search, as panels and the search box ask.
                    let search = n % 5 == 0;
                    if search {
                        store.search(WORDS[n % WORDS.len()], 50).unwrap();
                    } else {
                        store
                            .latest_for_country(COUNTRIES[n % COUNTRIES.len()], 50)
                            .unwrap();
                    }
                    times.push((search, begun.elapsed()));
                    thread::sleep(READER_PAUSE);
                }
                times
            })
        })
        .collect();
    let begun = Instant::now();
    while begun.elapsed() < READING {
        ingest_run(&mut store);
    }
    reading.store(false, Ordering::SeqCst);
    let times: Vec<(bool, Duration)> = readers
        .into_iter()
        .flat_map(|r| r.join().unwrap())
        .collect();
    let reads = times.len();
    let of = |kind: Option<bool>| -> Vec<Duration> {
        let kept = times
            .iter()
            .filter(|(search, _)| kind.is_none_or(|k| k == *search));
        kept.map(|(_, time)| *time).collect()
    };
    let (read_median_ms, read_p99_ms) = median_p99(of(None));
    let (_, list_p99_ms) = median_p99(of(Some(false)));
    let (_, search_p99_ms) = median_p99(of(Some(true)));
    Figures {
        fill_s,
        latest_ms,
        search_ms,
        search_rare_ms,
        ingest_s: ingest_ms / 1e3,
        reads,
        read_median_ms,
        read_p99_ms,
        list_p99_ms,
        search_p99_ms,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter or other flags are not ours to read.
    let articles: usize = std::env::var("NEWSGLOBE_BENCH_ARTICLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let backends = std::env::var("NEWSGLOBE_BENCH_BACKENDS").unwrap_or("sqlite,postgres".into());
    let port = serve_feeds();
    // Each backend's figures and the size of its store at the end, in bytes.
    let mut rows: Vec<(&str, Figures, u64)> = Vec::new();
    if backends.contains("sqlite") {
        eprintln!("SQLite:");
        let dir = tempfile::tempdir().unwrap();
        let at = StoreAt::File(dir.path().join("news.sqlite"));
        let figures = measure(&at, &at, articles, port, || {});
        let bytes: u64 = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().metadata().unwrap().len())
            .sum();
        rows.push(("SQLite", figures, bytes));
    }
    if backends.contains("postgres") {
        eprintln!("PostgreSQL:");
        let server = LocalServer::start().expect("PostgreSQL to benchmark (see the README)");
        let database = server.create_database("bench").unwrap();
        let settings =
            PgSettings::from_url(&server.url(&database), None, Some(server.password())).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let at = |settings: PgSettings| StoreAt::Shared {
            server: settings,
            local: dir.path().to_owned(),
        };
        // The readers' pool has a connection each, as 20 screens would.
        let readers = at(settings.clone().with_pool(READERS));
        let analyze = || {
            let mut client = server.connect(&database).unwrap();
            client.batch_execute("ANALYZE articles").unwrap();
        };
        let figures = measure(&at(settings), &readers, articles, port, analyze);
        let bytes: i64 = server
            .connect(&database)
            .unwrap()
            .query_one("SELECT pg_database_size(current_database())", &[])
            .unwrap()
            .get(0);
        rows.push(("PostgreSQL", figures, bytes as u64));
    }
    println!(
        "\n{articles} articles | fill | 50 newest of a country | search, common word | \
         search, rare word | ingest {FEEDS}×{ITEMS} | {READERS} readers during ingest: \
         reads, median, p99 (lists', searches') | size on disk"
    );
    for (name, f, bytes) in rows {
        println!(
            "{name} | {:.0} s | {:.2} ms | {:.1} ms | {:.2} ms | {:.2} s | {}, {:.2} ms, {:.1} ms \
             ({:.1}, {:.1} ms) | {:.2} GB",
            f.fill_s,
            f.latest_ms,
            f.search_ms,
            f.search_rare_ms,
            f.ingest_s,
            f.reads,
            f.read_median_ms,
            f.read_p99_ms,
            f.list_p99_ms,
            f.search_p99_ms,
            bytes as f64 / 1e9
        );
    }
}
