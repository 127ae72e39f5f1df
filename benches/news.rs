//! Benchmarks of the news path: ingesting feeds from a loopback server into a fresh store,
//! and reading a large store the way the panel and the search box do.
//!
//! Goals: 150 feeds × 50 items into a fresh store in at most 2 s; a country's 50 newest
//! articles from a store of 100,000 in at most 10 ms; a full-text query on it in at most
//! 20 ms; a translated ingest of 150 Spanish feeds through a LibreTranslate-compatible
//! loopback server, after which a second run of the same texts sends no translation request;
//! clustering 10,000 articles into stories from scratch in at most 1 s, and adding one
//! article to a clusterer holding 10,000 in at most 1 ms; a run over the catalog's 224 feeds
//! of which 20 never answer, with the default timeouts, in at most 35 s; an article page:
//! the main text of a typical 200 KB news page extracted in at most 20 ms, one 1600-pixel
//! JPEG decoded and fitted to the article view in at most 30 ms, and an article whose page
//! is stored opened (its page read from the store) within a frame, 16.7 ms; a story of 200
//! articles' spread and every country's framing in at most 5 ms.
//! The sentence model embeds headlines at ingest (`-- sentences/`, with the model; no goal
//! of its own: the clustering's goals hold with its embeddings, `stories/…_sentences`).
//! Run with `cargo bench --bench news` (`-- stories` for the clustering alone, `-- article`
//! for the article page, `-- story/` for a story's spread and framing).

#![allow(
    clippy::unwrap_used,
    reason = "helpers of tests and benchmarks: a failed unwrap fails the run, with its line"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use newsglobe::news::fetch::FetchConfig;
use newsglobe::news::ingest;
use newsglobe::news::sentences::DIMENSIONS;
use newsglobe::news::store::Store;
use newsglobe::news::stories::{ClusterConfig, Clusterer, StoryText, quality};
use newsglobe::news::translate::{Backend, TranslateConfig, Translator};
use newsglobe::news::{FeedItem, FeedSource};

#[path = "../tests/support/loopback.rs"]
mod loopback;
#[path = "support/synthetic.rs"]
mod synthetic;

use synthetic::{COUNTRIES, word};

const FEEDS: usize = 150;
const ITEMS: usize = 50;
const STORE_ARTICLES: usize = 100_000;

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

const PALABRAS: [&str; 16] = [
    "elecciones",
    "sequía",
    "cumbre",
    "tregua",
    "inflación",
    "vacuna",
    "terremoto",
    "fútbol",
    "parlamento",
    "protesta",
    "cosecha",
    "satélite",
    "frontera",
    "presupuesto",
    "inundación",
    "festival",
];

/// A Spanish feed; `run` changes the links (not the text), so a second run brings new
/// articles whose texts are all in the translation cache already.
fn rss_es(feed: usize, run: &str) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Banco</title>"#,
    );
    for i in 0..ITEMS {
        let n = feed * ITEMS + i;
        let w = |k: usize| PALABRAS[(n + k).wrapping_mul(2_654_435_761) % PALABRAS.len()];
        xml += &format!(
            "<item><title>La {} y la {} marcan la semana en la región {n}</title>\
             <link>https://medio{feed}.example/{run}/{i}</link>\
             <description>Las autoridades dijeron que la {} afectaría a {} personas este año.\
             </description></item>",
            w(0),
            w(1),
            w(2),
            n % 9000
        );
    }
    xml + "</channel></rss>"
}

#[derive(serde::Deserialize)]
struct TranslateRequest {
    q: Vec<String>,
}

/// Serves the feeds and a LibreTranslate-compatible `/translate`, counting translated texts;
/// requests under `/stall/` are taken and never answered.
fn serve_feeds(translated: Arc<AtomicUsize>) -> u16 {
    let bodies: Arc<Vec<String>> = Arc::new((0..FEEDS).map(rss).collect());
    let server = loopback::loopback_server();
    let port = server.server_addr().to_ip().expect("an IP address").port();
    thread::spawn(move || {
        let mut stalled = Vec::new();
        for mut request in server.incoming_requests() {
            let url = request.url().to_owned();
            let body = if url.starts_with("/stall/") {
                stalled.push(request);
                continue;
            } else if url == "/translate" {
                let mut json = String::new();
                let _ = request.as_reader().read_to_string(&mut json);
                let texts =
                    serde_json::from_str::<TranslateRequest>(&json).map_or(Vec::new(), |r| r.q);
                translated.fetch_add(texts.len(), Ordering::SeqCst);
                let english: Vec<String> = texts.iter().map(|t| format!("EN {t}")).collect();
                serde_json::json!({ "translatedText": english }).to_string()
            } else if let Some(rest) = url.strip_prefix("/es/") {
                let (feed, run) = rest.split_once('/').unwrap_or((rest, "a"));
                rss_es(feed.parse().unwrap_or(0), run)
            } else {
                let feed: usize = url.trim_start_matches("/feed/").parse().unwrap_or(0);
                bodies[feed % FEEDS].clone()
            };
            let _ = request.respond(tiny_http::Response::from_string(body));
        }
    });
    port
}

/// A new store in a temporary folder of its own, removed when the folder drops.
fn fresh_store(name: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::Builder::new()
        .prefix(&format!("newsglobe-bench-{name}-"))
        .tempdir()
        .expect("a temporary folder");
    let path = dir.path().join("news.sqlite");
    let store = Store::open(&path).expect("store opens");
    (dir, store)
}

/// `count` feeds spread over the countries, feed `f` at `url(f)`.
fn sources(count: usize, url: impl Fn(usize) -> String) -> Vec<FeedSource> {
    (0..count)
        .map(|f| FeedSource {
            feed_url: url(f),
            outlet: format!("Outlet {f}"),
            country: COUNTRIES[f % COUNTRIES.len()].into(),
            language: "en".into(),
        })
        .collect()
}

fn ingest_loopback(c: &mut Criterion) {
    let port = serve_feeds(Arc::new(AtomicUsize::new(0)));
    let sources = sources(FEEDS, |f| format!("http://127.0.0.1:{port}/feed/{f}"));
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

/// The catalog's size, and how many of its feeds stall in [`stalled_run`].
const CATALOG_FEEDS: usize = 224;
const STALLED_FEEDS: usize = 20;

/// A whole run with the default timeouts while some feeds take the request and never answer:
/// the run's length is what those feeds cost, since the others take milliseconds here.
fn stalled_run(c: &mut Criterion) {
    let port = serve_feeds(Arc::new(AtomicUsize::new(0)));
    // Spread through the catalog, as dead feeds would be.
    let stride = CATALOG_FEEDS / STALLED_FEEDS;
    let sources = sources(CATALOG_FEEDS, |f| {
        let path = if f % stride == 0 && f / stride < STALLED_FEEDS {
            "stall"
        } else {
            "feed"
        };
        format!("http://127.0.0.1:{port}/{path}/{f}")
    });
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let config = FetchConfig::default();
    let mut group = c.benchmark_group("stalled_run");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(170));
    group.bench_function("224_feeds_20_never_answer", |b| {
        b.iter_with_large_drop(|| {
            // A fresh store each time: in a used one the stalled feeds would be waiting out
            // their back-off, and skipped.
            let (dir, mut store) = fresh_store("stalled");
            let report = runtime
                .block_on(ingest::ingest(&mut store, &sources, &config, None, |_| {}))
                .expect("ingest runs");
            assert_eq!(report.failed.len(), STALLED_FEEDS, "{:?}", report.failed);
            assert_eq!(report.fetched, CATALOG_FEEDS - STALLED_FEEDS);
            (dir, store)
        });
    });
    group.finish();
}

fn spanish_sources(port: u16, run: &str) -> Vec<FeedSource> {
    (0..FEEDS)
        .map(|f| FeedSource {
            feed_url: format!("http://127.0.0.1:{port}/es/{f}/{run}"),
            outlet: format!("Medio {f}"),
            country: "MEX".into(),
            language: "es".into(),
        })
        .collect()
}

fn translated_ingest(c: &mut Criterion) {
    let translated = Arc::new(AtomicUsize::new(0));
    let port = serve_feeds(translated.clone());
    let backend = Backend::LibreTranslate {
        url: url::Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url"),
        api_key: None,
    };
    let translator = Translator::new(backend, TranslateConfig::default()).expect("translator");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // This measures translation, not the run's time budget: on a loaded machine 30 s ran out
    // before every feed was read, and the texts of the feeds left out then missed the cache.
    let config = FetchConfig {
        run_budget: Duration::from_secs(600),
        ..FetchConfig::default()
    };
    let first = spanish_sources(port, "first");
    let mut group = c.benchmark_group("translated_ingest");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("150_spanish_feeds_fresh_store", |b| {
        b.iter_with_large_drop(|| {
            let (dir, mut store) = fresh_store("translated");
            let report = runtime
                .block_on(ingest::ingest(
                    &mut store,
                    &first,
                    &config,
                    Some(&translator),
                    |_| {},
                ))
                .expect("ingest runs");
            assert_eq!(
                report.translated,
                FEEDS * ITEMS,
                "{:?} {:?}",
                report.translation_failures,
                report.failed
            );
            (dir, store)
        });
    });
    group.finish();

    // The same texts under new links: every one comes from the cache.
    let (_dir, mut store) = fresh_store("cache");
    let run = |store: &mut Store, sources: &[FeedSource]| {
        let report = runtime
            .block_on(ingest::ingest(
                store,
                sources,
                &config,
                Some(&translator),
                |_| {},
            ))
            .expect("ingest runs");
        assert_eq!(
            (report.fetched, report.translated),
            (FEEDS, FEEDS * ITEMS),
            "{:?} {:?}",
            report.failed,
            report.translation_failures
        );
        report
    };
    run(&mut store, &first);
    let before = translated.load(Ordering::SeqCst);
    let second = run(&mut store, &spanish_sources(port, "second"));
    let sent = translated.load(Ordering::SeqCst) - before;
    let texts = second.cache_hits + second.translation_requests;
    println!(
        "translated_ingest/second_run: {} new articles, {sent} texts sent to the translator, \
         {} of {texts} texts from the cache ({:.0}%)",
        second.new_articles,
        second.cache_hits,
        100.0 * second.cache_hits as f64 / texts.max(1) as f64
    );
    assert_eq!((sent, second.translated), (0, FEEDS * ITEMS));
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
        ingest::store_items(&mut store, &source, &items, now).expect("insert");
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

/// A seeded xorshift generator: the same synthetic news on every run, without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mer", "tis", "van", "dru", "pel", "nor", "si", "bal", "cor", "fen", "gri", "hul",
    "jas", "ket", "mon", "pra", "quin", "ros", "sul", "tam", "ver", "zo",
];

/// A made-up word of two or three syllables, different for each `n` below 24³.
fn synthetic_word(n: usize) -> String {
    let s = |k: usize| SYLLABLES[(n / 24usize.pow(k as u32)) % 24];
    if n < 24 * 24 {
        format!("{}{}", s(0), s(1))
    } else {
        format!("{}{}{}", s(0), s(1), s(2))
    }
}

const STORIES: usize = 1_500;
const STORY_ARTICLES: usize = 10_000;

/// One synthetic article: id, story, country, published, title, summary.
type Synthetic = (i64, usize, &'static str, i64, String, String);

/// 10,000 articles about 1,500 stories of 1 to 40 articles over a week. A story has its own
/// names (capitalised) and subject words, drawn from 10,000 made-up words; every article mixes
/// some of them with words from a pool of 2,000 that all stories share, and each outlet picks
/// its own.
fn synthetic_news() -> Vec<Synthetic> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Most stories are small, a few are big: sizes 1 to 40, skewed small, adding to 10,000.
    let mut sizes: Vec<usize> = (0..STORIES)
        .map(|_| 1 + rng.below(8) * rng.below(6) / 2)
        .collect();
    let mut total: usize = sizes.iter().sum();
    let mut i = 0;
    while total < STORY_ARTICLES {
        sizes[i % STORIES] += 1;
        total += 1;
        i += 7;
    }
    let shared = |rng: &mut Rng| synthetic_word(rng.below(2_000));
    let mut articles = Vec::with_capacity(STORY_ARTICLES);
    for (story, &size) in sizes.iter().enumerate() {
        let pick = |rng: &mut Rng| synthetic_word(2_000 + rng.below(8_000));
        let names: Vec<String> = (0..3)
            .map(|_| {
                let mut name = pick(&mut rng);
                name[..1].make_ascii_uppercase();
                name
            })
            .collect();
        let subject: Vec<String> = (0..5).map(|_| pick(&mut rng)).collect();
        let start = rng.below(7 * 24 * 3600) as i64;
        for _ in 0..size {
            let published = start + rng.below(30 * 3600) as i64;
            let title = format!(
                "{} {} {} in {} {}",
                subject[rng.below(5)],
                subject[rng.below(5)],
                shared(&mut rng),
                names[rng.below(3)],
                subject[rng.below(5)],
            );
            let mut summary = Vec::new();
            for _ in 0..18 {
                summary.push(match rng.below(9) {
                    0 | 1 => names[rng.below(3)].clone(),
                    2..=4 => subject[rng.below(5)].clone(),
                    _ => shared(&mut rng),
                });
            }
            let country = COUNTRIES[rng.below(COUNTRIES.len())];
            let summary = format!("The {}.", summary.join(" "));
            articles.push((0, story, country, published, title, summary));
        }
    }
    articles.truncate(STORY_ARTICLES);
    // Ids in order of arrival, as the store gives them.
    articles.sort_by_key(|a| a.3);
    for (id, article) in articles.iter_mut().enumerate() {
        article.0 = id as i64;
    }
    articles
}

/// A sentence embedding for each article: its story's own direction plus as much noise, unit
/// length, so that a story's reports are alike in meaning (a cosine near 0.5) and others' not.
fn synthetic_sentences(articles: &[Synthetic]) -> Vec<Vec<f32>> {
    let mut rng = Rng(0x5eed_5e17);
    let random = |rng: &mut Rng| -> Vec<f32> {
        let v: Vec<f32> = (0..DIMENSIONS)
            .map(|_| rng.below(2_001) as f32 / 1_000.0 - 1.0)
            .collect();
        let length = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / length).collect()
    };
    let directions: Vec<Vec<f32>> = (0..STORIES).map(|_| random(&mut rng)).collect();
    articles
        .iter()
        .map(|a| {
            let noise = random(&mut rng);
            directions[a.1]
                .iter()
                .zip(noise)
                .map(|(d, n)| d + n)
                .collect()
        })
        .collect()
}

fn texts(articles: &[Synthetic]) -> Vec<StoryText<'_>> {
    articles
        .iter()
        .map(|(id, _, country, published, title, summary)| StoryText {
            id: *id,
            country,
            published: *published,
            title,
            summary,
            sentence: None,
        })
        .collect()
}

fn stories(c: &mut Criterion) {
    let articles = synthetic_news();
    let texts = texts(&articles);
    let config = ClusterConfig::default();
    let clusterer = Clusterer::cluster_all(config.clone(), &texts);
    let labels: Vec<String> = articles.iter().map(|a| format!("story {}", a.1)).collect();
    let truth: Vec<(i64, &str)> = articles
        .iter()
        .zip(&labels)
        .map(|(a, label)| (a.0, label.as_str()))
        .collect();
    let predicted: Vec<_> = articles
        .iter()
        .filter_map(|a| clusterer.story_of(a.0).map(|s| (a.0, s)))
        .collect();
    println!(
        "stories/cluster_10k: {} stories for {STORIES}, the largest of {} articles, B-cubed F1 {:.3}",
        clusterer.stories().count(),
        clusterer
            .stories()
            .map(|s| s.articles.len())
            .max()
            .unwrap_or(0),
        quality::bcubed_f1(&truth, &predicted)
    );

    let mut group = c.benchmark_group("stories");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    group.bench_function("cluster_10k", |b| {
        b.iter(|| black_box(Clusterer::cluster_all(config.clone(), &texts)))
    });
    // A new report of the latest story, the usual case in a running app: it finds its story
    // among the candidates and joins it.
    let latest = articles.last().expect("articles");
    let report = StoryText {
        id: STORY_ARTICLES as i64,
        published: latest.3 + 600,
        ..texts[texts.len() - 1]
    };
    group.bench_function("add_one_to_10k", |b| {
        b.iter_batched(
            || clusterer.clone(),
            |mut clusterer| {
                black_box(clusterer.add(&report));
                clusterer
            },
            BatchSize::LargeInput,
        )
    });
    // The same with sentence embeddings beside the words, as where the app has the model.
    let sentences = synthetic_sentences(&articles);
    let embedded: Vec<StoryText> = texts
        .iter()
        .zip(&sentences)
        .map(|(text, sentence)| StoryText {
            sentence: Some(sentence),
            ..*text
        })
        .collect();
    let clusterer = Clusterer::cluster_all(config.clone(), &embedded);
    let predicted: Vec<_> = articles
        .iter()
        .filter_map(|a| clusterer.story_of(a.0).map(|s| (a.0, s)))
        .collect();
    println!(
        "stories/cluster_10k_sentences: {} stories for {STORIES}, B-cubed F1 {:.3}",
        clusterer.stories().count(),
        quality::bcubed_f1(&truth, &predicted)
    );
    group.bench_function("cluster_10k_sentences", |b| {
        b.iter(|| black_box(Clusterer::cluster_all(config.clone(), &embedded)))
    });
    let report = StoryText {
        sentence: Some(&sentences[sentences.len() - 1]),
        ..report
    };
    group.bench_function("add_one_to_10k_sentences", |b| {
        b.iter_batched(
            || clusterer.clone(),
            |mut clusterer| {
                black_box(clusterer.add(&report));
                clusterer
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// The sentence model at ingest: real headlines (the tuning half of `tests/fixtures/stories/
/// uci-2014`) embedded one at a time and 32 at a time, as the ingest runs it. Needs the model
/// where NEWSGLOBE_SENTENCE_MODEL says (`scripts/sentence-model.py`); skipped without it.
fn sentence_model(c: &mut Criterion) {
    use newsglobe::news::sentences::SentenceModel;
    let Some(dir) = std::env::var_os("NEWSGLOBE_SENTENCE_MODEL") else {
        println!("sentences: skipped, set NEWSGLOBE_SENTENCE_MODEL");
        return;
    };
    let model = SentenceModel::load(std::path::Path::new(&dir)).unwrap();
    let tune = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/stories/uci-2014/tune.jsonl"
    ))
    .unwrap();
    let titles: Vec<String> = tune
        .lines()
        .take(64)
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["title"].as_str().unwrap().to_owned()
        })
        .collect();
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    let mut group = c.benchmark_group("sentences");
    group.sample_size(10);
    group.bench_function("embed_1_headline", |b| {
        let mut next = titles.iter().cycle();
        b.iter(|| black_box(model.embed(&[next.next().unwrap()]).unwrap()))
    });
    group.bench_function("embed_32_headlines", |b| {
        b.iter(|| black_box(model.embed(&titles[..32]).unwrap()))
    });
    group.finish();
}

/// A news page of about 200 KB as outlets serve them: a 1,200-word article in 16 paragraphs
/// amid navigation, scripts, inline styles, share bars, related-link lists and a footer.
fn news_page() -> String {
    let words: Vec<String> = (0..1_200).map(synthetic_word).collect();
    let paragraphs: String = words
        .chunks(75)
        .map(|w| format!("<p>{}.</p>", w.join(" ")))
        .collect();
    let menu: String = (0..120)
        .map(|i| format!("<li class=\"menu-item\"><a href=\"/section/{i}\">Section {i}</a></li>"))
        .collect();
    let related: String = (0..60)
        .map(|i| {
            format!(
                "<article class=\"teaser\"><a href=\"/story/{i}\"><img src=\"/img/{i}.jpg\" \
                 alt=\"\"><h3>{} {} {}</h3></a><time>2 hours ago</time></article>",
                synthetic_word(i),
                synthetic_word(i + 7),
                synthetic_word(i + 13)
            )
        })
        .collect();
    let script = format!(
        "<script>window.__STATE__ = {{\"items\": [{}]}};</script>",
        "1,".repeat(66_000)
    );
    let style = format!(
        "<style>{}</style>",
        ".c{color:#333;margin:0 auto}".repeat(1_200)
    );
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><title>A headline of the day - Outlet</title>\
         <meta property=\"og:image\" content=\"https://outlet.example/lead.jpg\">{style}{script}\
         </head><body><header><nav><ul>{menu}</ul></nav></header><main><article>\
         <h1>A headline of the day</h1><div class=\"share\"><a href=\"#\">Share</a></div>\
         {paragraphs}</article><aside class=\"related\">{related}</aside></main>\
         <footer><ul>{menu}</ul></footer></body></html>"
    );
    assert!(
        (150_000..260_000).contains(&page.len()),
        "{} bytes",
        page.len()
    );
    page
}

/// A photograph's worth of JPEG: 1600 x 1067, with the detail a photo has.
fn photo_jpeg() -> Vec<u8> {
    let photo = image::RgbImage::from_fn(1600, 1067, |x, y| {
        let n = x
            .wrapping_mul(2_654_435_761)
            .wrapping_add(y.wrapping_mul(40_503))
            >> 24;
        image::Rgb([(x / 7) as u8 ^ n as u8, (y / 5) as u8, ((x + y) / 11) as u8])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    photo
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .expect("a JPEG");
    bytes.into_inner()
}

fn article_page(c: &mut Criterion) {
    use newsglobe::news::extract::extract;
    use newsglobe::news::images::decode_fitted;
    use newsglobe::news::page::{PageService, open_article, page_config};
    use newsglobe::news::parse::html_to_text;

    let page = news_page();
    let mut group = c.benchmark_group("article");
    // The baseline: stripping the page's tags to text, which keeps all the clutter.
    group.bench_function("whole-page text (baseline)", |b| {
        b.iter(|| html_to_text(black_box(&page), usize::MAX))
    });
    group.bench_function("extract a 200 KB page", |b| {
        b.iter(|| extract(black_box(&page), Some("https://outlet.example/a")).expect("an article"))
    });
    // Real news pages of about 200 KB, where `scripts/extract-eval-data.py` has put them.
    if let Some(dir) = std::env::var_os("NEWSGLOBE_EXTRACT_DATA") {
        for name in ["tune-wapo-1", "tune-telegraph", "tune-theverge"] {
            let path = std::path::Path::new(&dir).join(format!("pages/{name}.html"));
            let Ok(page) = std::fs::read_to_string(&path) else {
                continue;
            };
            let label = format!("extract {name} ({} KB)", page.len() / 1024);
            group.bench_function(label, |b| {
                b.iter(|| extract(black_box(&page), Some("https://outlet.example/a")))
            });
        }
    }
    let jpeg = photo_jpeg();
    group.bench_function("decode a 1600 px JPEG (baseline)", |b| {
        b.iter(|| image::load_from_memory(black_box(&jpeg)).expect("decodes"))
    });
    group.bench_function("decode and fit a 1600 px JPEG", |b| {
        b.iter(|| decode_fitted(black_box(&jpeg), 640, 400).expect("decodes"))
    });

    let (dir, mut store) = fresh_store("article");
    let source = FeedSource {
        feed_url: "https://outlet.example/rss".into(),
        outlet: "Outlet".into(),
        country: "GBR".into(),
        language: "en".into(),
    };
    let item = FeedItem {
        link: Some("https://outlet.example/a".into()),
        title: "A headline of the day".into(),
        published: Some(1_700_000_000),
        ..Default::default()
    };
    ingest::store_items(&mut store, &source, &[item], 1_700_000_000).expect("stored");
    let article = store.latest_for_country("GBR", 1).expect("read")[0].clone();
    let read = extract(&page, None).map_err(|e| e.to_string());
    store.set_page(article.id, 0, &read).expect("page stored");
    let config = page_config(&FetchConfig::default());
    let client = newsglobe::news::fetch::client(&config).expect("a client");
    let translator = Translator::new(Backend::None, TranslateConfig::default()).expect("off");
    let service = PageService {
        store: &newsglobe::news::store::StoreAt::File(dir.path().join("news.sqlite")),
        client: &client,
        config: &config,
        translator: &translator,
        fetch_pages: false,
    };
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    group.bench_function("open a stored article", |b| {
        b.iter(|| {
            let mut events = 0;
            runtime.block_on(open_article(&service, &article, 0, |_| events += 1));
            events
        })
    });
    group.finish();
}

/// A story of 200 articles from the ten countries, each a headline and a two-sentence
/// summary of about 40 words, every country with words of its own among the shared ones.
fn big_story() -> newsglobe::news::world::StoryView {
    use newsglobe::news::Article;
    use newsglobe::news::world::{StoryView, Take};

    let takes: Vec<Take> = COUNTRIES
        .iter()
        .enumerate()
        .map(|(c, country)| Take {
            country: (*country).into(),
            articles: (0..20)
                .map(|i| {
                    let n = c * 20 + i;
                    Article {
                        id: n as i64,
                        feed_url: format!("https://{country}.example/rss"),
                        outlet: format!("{country} Outlet {}", i % 3),
                        country: (*country).into(),
                        language: "en".into(),
                        title: format!(
                            "Dam breach floods the valley as {} {} meets {} {}",
                            word(c),
                            word(c + 3),
                            word(n),
                            word(n + 1)
                        ),
                        summary: format!(
                            "Officials in {country} describe the {} and the {} after the dam \
                             breach, while rescuers reach villages cut off by the flood. The \
                             {} of {} {} is expected to last until {} reports on the {}.",
                            word(c + 5),
                            word(n + 2),
                            word(c + 7),
                            word(n + 3),
                            word(n + 4),
                            word(c + 9),
                            word(n + 5)
                        ),
                        title_en: None,
                        summary_en: None,
                        translated_by: None,
                        link: format!("https://{country}.example/{n}"),
                        image: None,
                        published: 1_800_000_000 + (n as i64 * 7_919) % 86_400,
                        first_seen: 1_800_000_000 + 86_400,
                    }
                })
                .collect(),
        })
        .collect();
    StoryView {
        id: 1,
        headline: takes[0].articles[0].clone(),
        articles: 200,
        first: 1_800_000_000,
        last: 1_800_086_400,
        blindspot: false,
        topics: Vec::new(),
        takes,
    }
}

/// A story's spread and every country's framing, as the story view and `story` compute them,
/// against the spread alone.
fn story_telling(c: &mut Criterion) {
    use newsglobe::news::spread::{Spread, Telling};

    let story = big_story();
    let telling = Telling::of(&story);
    let with_terms = telling
        .framing
        .iter()
        .filter(|f| !f.framing.terms().is_empty())
        .count();
    println!("story/telling: 200 articles, 10 countries, {with_terms} with distinctive terms");
    let mut group = c.benchmark_group("story");
    group.bench_function("spread of 200 (baseline)", |b| {
        b.iter(|| Spread::of(black_box(&story)))
    });
    group.bench_function("spread and framing of 200", |b| {
        b.iter(|| Telling::of(black_box(&story)))
    });
    group.finish();
}

criterion_group!(
    benches,
    story_telling,
    article_page,
    stories,
    sentence_model,
    ingest_loopback,
    stalled_run,
    translated_ingest,
    large_store_reads
);
criterion_main!(benches);
