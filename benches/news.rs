//! Benchmarks of the news path: ingesting feeds from a loopback server into a fresh store,
//! and reading a large store the way the panel and the search box do.
//!
//! Goals: 150 feeds × 50 items into a fresh store in at most 2 s; a country's 50 newest
//! articles from a store of 100,000 in at most 10 ms; a full-text query on it in at most
//! 20 ms. Run with `cargo bench --bench news`.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use newsglobe::news::fetch::FetchConfig;
use newsglobe::news::ingest;
use newsglobe::news::store::Store;
use newsglobe::news::{FeedItem, FeedSource};

const FEEDS: usize = 150;
const ITEMS: usize = 50;
const STORE_ARTICLES: usize = 100_000;
const COUNTRIES: [&str; 10] = [
    "UKR", "BRA", "JPN", "NGA", "IND", "FRA", "USA", "EGY", "AUS", "MEX",
];
const WORDS: [&str; 16] = [
    "election",
    "drought",
    "summit",
    "ceasefire",
    "inflation",
    "vaccine",
    "earthquake",
    "football",
    "parliament",
    "protest",
    "harvest",
    "satellite",
    "border",
    "budget",
    "flood",
    "festival",
];

/// A deterministic word picker, so every run sees the same text.
fn word(n: usize) -> &'static str {
    WORDS[(n.wrapping_mul(2_654_435_761) >> 7) % WORDS.len()]
}

fn rss(feed: usize) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>"#,
    );
    for i in 0..ITEMS {
        let n = feed * ITEMS + i;
        xml += &format!(
            "<item><title>{} {} in region {n}</title><link>https://outlet{feed}.example/{i}</link>\
             <description>&lt;p&gt;Officials said the {} would affect {} people.&lt;/p&gt;</description>\
             <pubDate>Fri, 27 Nov 2026 {:02}:{:02}:00 GMT</pubDate></item>",
            word(n),
            word(n + 1),
            word(n + 2),
            n % 9000,
            i % 24,
            n % 60
        );
    }
    xml + "</channel></rss>"
}

fn serve_feeds() -> u16 {
    let bodies: Arc<Vec<String>> = Arc::new((0..FEEDS).map(rss).collect());
    let server = tiny_http::Server::http("127.0.0.1:0").expect("a loopback port");
    let port = server.server_addr().to_ip().expect("an IP address").port();
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let feed: usize = request
                .url()
                .trim_start_matches("/feed/")
                .parse()
                .unwrap_or(0);
            let body = bodies[feed % FEEDS].clone();
            let _ = request.respond(tiny_http::Response::from_string(body));
        }
    });
    port
}

fn fresh_store(name: &str) -> (PathBuf, Store) {
    let dir = std::env::temp_dir().join(format!("newsglobe-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("news.sqlite");
    let store = Store::open(&path).expect("store opens");
    (dir, store)
}

fn ingest_loopback(c: &mut Criterion) {
    let port = serve_feeds();
    let sources: Vec<FeedSource> = (0..FEEDS)
        .map(|f| FeedSource {
            feed_url: format!("http://127.0.0.1:{port}/feed/{f}"),
            outlet: format!("Outlet {f}"),
            country: COUNTRIES[f % COUNTRIES.len()].into(),
            language: "en".into(),
        })
        .collect();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let config = FetchConfig::default();
    let mut group = c.benchmark_group("ingest");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("150_feeds_x_50_items_fresh_store", |b| {
        b.iter_with_large_drop(|| {
            let (dir, mut store) = fresh_store("ingest");
            let report = runtime
                .block_on(ingest::ingest(&mut store, &sources, &config, None, |_| {}))
                .expect("ingest runs");
            assert_eq!(report.new_articles, FEEDS * ITEMS);
            (dir, store)
        });
    });
    group.finish();
}

fn large_store_reads(c: &mut Criterion) {
    let (_dir, mut store) = fresh_store("reads");
    let now = newsglobe::news::now();
    let per_feed = 500;
    for feed in 0..STORE_ARTICLES / per_feed {
        let source = FeedSource {
            feed_url: format!("https://outlet{feed}.example/rss"),
            outlet: format!("Outlet {feed}"),
            country: COUNTRIES[feed % COUNTRIES.len()].into(),
            language: "en".into(),
        };
        let items: Vec<FeedItem> = (0..per_feed)
            .map(|i| {
                let n = feed * per_feed + i;
                FeedItem {
                    guid: None,
                    link: Some(format!("https://outlet{feed}.example/{i}")),
                    title: format!("{} {} in region {n}", word(n), word(n + 1)),
                    summary: format!(
                        "Officials said the {} would affect {} people.",
                        word(n + 2),
                        n % 9000
                    ),
                    published: Some(now - (n as i64 * 17) % (20 * 86_400)),
                    image: None,
                }
            })
            .collect();
        store.insert_items(&source, &items, now).expect("insert");
    }
    assert_eq!(store.article_count().expect("count"), STORE_ARTICLES);
    let mut group = c.benchmark_group("store_100k");
    group.bench_function("latest_50_for_a_country", |b| {
        b.iter(|| black_box(store.latest_for_country("JPN", 50).expect("query")))
    });
    group.bench_function("fts_query", |b| {
        // One word in about a fifth of the articles: the search's worst case is a common word.
        b.iter(|| black_box(store.search("ceasefire", 50).expect("search")))
    });
    group.finish();
}

criterion_group!(benches, ingest_loopback, large_store_reads);
criterion_main!(benches);
