//! The binary end to end: `locate` on stdin, `fetch` and `feeds` against a feed server on
//! 127.0.0.1, and `screenshot` rendered under Xvfb with Mesa's software Vulkan, checked pixel
//! by pixel.

#![allow(
    clippy::unwrap_used,
    reason = "helpers of tests and benchmarks: a failed unwrap fails the run, with its line"
)]

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde_json::Value;

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/each.rs"]
mod each;
#[path = "support/loopback.rs"]
mod loopback;

fn newsglobe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsglobe"))
}

fn locate(args: &[&str], input: &str) -> (bool, String, String) {
    let args: Vec<&str> = ["locate"].into_iter().chain(args.iter().copied()).collect();
    with_stdin(&args, input)
}

/// Runs the binary with `args` and `input` on stdin: whether it succeeded, its stdout and its
/// stderr.
fn with_stdin(args: &[&str], input: &str) -> (bool, String, String) {
    let mut child = newsglobe()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn locate_prints_a_line_per_point() {
    let input = "50.4501 30.5234\n-29.3167 27.4833\n43.9356 12.4473\n30 -40\n-89.5 0\n";
    let (ok, out, err) = locate(&[], input);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "UKR\tUkraine",
            "LSO\tLesotho",
            "SMR\tSan Marino",
            "-",
            "ATA\tAntarctica"
        ]
    );
}

#[test]
fn locate_snaps_to_a_coast_within_the_distance_given() {
    let suva = "-18.1416 178.4419\n";
    let (_, exact, _) = locate(&[], suva);
    let (ok, snapped, err) = locate(&["--snap-km", "25"], suva);
    assert!(ok, "{err}");
    assert_eq!(exact.trim(), "-", "Suva lies just off the simplified coast");
    assert_eq!(snapped.trim(), "FJI\tFiji");
}

#[test]
fn locate_names_the_bad_line() {
    let (ok, _, err) = locate(&[], "10 20\nten 20\n");
    assert!(!ok);
    assert!(err.contains("line 2") && err.contains("\"ten\""), "{err}");
}

/// An outlet of the test catalog.
fn outlet(name: &str, country: &str, feed: &str) -> String {
    format!(
        "[[outlet]]\nname = \"{name}\"\ncountry = \"{country}\"\nhomepage = \"https://example.org\"\n\
         feeds = [\"{feed}\"]\nlanguage = \"en\"\nenglish = true\nownership = \"private\"\n\n"
    )
}

/// The binary with `args` over the catalog, store and config in `dir`, translating nothing.
fn newsglobe_in(dir: &Path, args: &[&str]) -> Command {
    let mut command = newsglobe();
    command
        .args(args)
        .arg("--outlets")
        .arg(dir.join("outlets.toml"))
        .arg("--data-dir")
        .arg(dir)
        // A config of the test's own: the user's must not change what the test sees.
        .arg("--config")
        .arg(dir.join("config.toml"))
        .args(["--translator", "none"]);
    command
}

/// Runs `args` over the catalog, store and config in `dir`; returns what it printed.
fn run_in(dir: &Path, args: &[&str]) -> String {
    let output = newsglobe_in(dir, args).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// `feeds --json`'s entry for the outlet called `name`.
fn health(dir: &Path, name: &str) -> Value {
    let feeds: Value = serde_json::from_str(&run_in(dir, &["feeds", "--json"])).unwrap();
    feeds
        .as_array()
        .unwrap()
        .iter()
        .find(|feed| feed["outlet"] == name)
        .unwrap_or_else(|| panic!("{name} not listed: {feeds:#}"))
        .clone()
}

#[test]
fn a_failing_feed_waits_longer_after_each_failure_and_recovers_once_fixed() {
    let server = loopback::loopback_server();
    let port = server.server_addr().to_ip().unwrap().port();
    let fixed = Arc::new(AtomicBool::new(false));
    let flaky_hits = Arc::new(AtomicUsize::new(0));
    {
        let (fixed, flaky_hits) = (fixed.clone(), flaky_hits.clone());
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let flaky = request.url() == "/flaky";
                if flaky {
                    flaky_hits.fetch_add(1, Ordering::SeqCst);
                }
                let items: String = (0..3)
                    .map(|i| format!("<item><title>Story {i}</title><link>http://127.0.0.1{}/{i}</link></item>", request.url()))
                    .collect();
                let feed = format!(
                    "<rss version=\"2.0\"><channel><title>T</title>{items}</channel></rss>"
                );
                let response = match flaky && !fixed.load(Ordering::SeqCst) {
                    true => tiny_http::Response::from_string("down").with_status_code(500),
                    false => tiny_http::Response::from_string(feed),
                };
                let _ = request.respond(response);
            }
        });
    }
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let url = |path: &str| format!("http://127.0.0.1:{port}/{path}");
    let catalog = outlet("Good", "KEN", &url("good")) + &outlet("Flaky", "UGA", &url("flaky"));
    std::fs::write(dir.join("outlets.toml"), catalog).unwrap();
    let hits = || flaky_hits.load(Ordering::SeqCst);

    let first = run_in(dir, &["fetch"]);
    assert!(first.contains("2 feeds: 1 ok"), "{first}");
    assert!(
        first.contains("failed: Flaky (UGA)") && first.contains("HTTP 500"),
        "{first}"
    );
    let retried = hits();

    // Its 15 minutes are not over: not asked again.
    let second = run_in(dir, &["fetch"]);
    assert!(second.contains("1 failing feeds not tried"), "{second}");
    assert_eq!(hits(), retried);
    let flaky = health(dir, "Flaky");
    assert_eq!(flaky["country"], "UGA");
    assert_eq!(flaky["url"], url("flaky"));
    assert_eq!(flaky["consecutive_failures"], 1);
    assert_eq!(flaky["backed_off"], true);
    assert!(flaky["last_success"].is_null());
    assert_eq!(flaky["last_error"], "HTTP 500");
    let last_attempt = flaky["last_attempt"].as_i64().unwrap();
    assert_eq!(flaky["next_attempt"], last_attempt + 15 * 60);
    let good = health(dir, "Good");
    assert_eq!(good["consecutive_failures"], 0);
    assert_eq!(good["articles_last_7_days"], 3);
    assert!(good["next_attempt"].is_null() && good["last_error"].is_null());

    // Tried regardless, failing again: the wait doubles.
    let forced = run_in(dir, &["fetch", "--all"]);
    assert!(forced.contains("failed: Flaky"), "{forced}");
    assert_eq!(hits(), 2 * retried);
    let flaky = health(dir, "Flaky");
    assert_eq!(flaky["consecutive_failures"], 2);
    let last_attempt = flaky["last_attempt"].as_i64().unwrap();
    assert_eq!(flaky["next_attempt"], last_attempt + 30 * 60);

    let failing = run_in(dir, &["feeds", "--failing"]);
    assert!(
        failing.starts_with("1 feeds: 1 failing, 1 of them waiting"),
        "{failing}"
    );
    assert!(failing.contains("UGA  Flaky  "), "{failing}");
    assert!(failing.contains("failed 2 times in a row"), "{failing}");
    assert!(failing.contains("next try after"), "{failing}");
    assert!(!failing.contains("Good"), "{failing}");

    // Fixed, but its wait is not over: still not asked.
    fixed.store(true, Ordering::SeqCst);
    run_in(dir, &["fetch"]);
    assert_eq!(hits(), 2 * retried);

    // With a one-second wait (two after two failures) it is due once that has passed.
    std::fs::write(
        dir.join("config.toml"),
        "[fetch]\nfailing_wait_seconds = 1\n",
    )
    .unwrap();
    let due = health(dir, "Flaky")["next_attempt"].as_i64().unwrap();
    assert_eq!(due, last_attempt + 2);
    while newsglobe::news::now() < due {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let recovered = run_in(dir, &["fetch"]);
    assert!(recovered.contains("2 feeds: 2 ok"), "{recovered}");
    assert_eq!(hits(), 2 * retried + 1);
    let flaky = health(dir, "Flaky");
    assert_eq!(flaky["consecutive_failures"], 0);
    assert!(flaky["last_error"].is_null() && flaky["next_attempt"].is_null());
    assert_eq!(flaky["backed_off"], false);
    assert_eq!(flaky["articles_last_7_days"], 3);
    assert_eq!(run_in(dir, &["feeds", "--failing", "--json"]).trim(), "[]");
}

/// Whether this machine can render: an X display and a Vulkan driver. `.ci/run` provides
/// both and sets NEWSGLOBE_REQUIRE_RENDER=1, so there a missing one fails instead of skipping.
fn can_render() -> bool {
    let required = std::env::var_os("NEWSGLOBE_REQUIRE_RENDER").is_some();
    let display = std::env::var_os("DISPLAY").is_some();
    let vulkan = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"]
        .iter()
        .any(|dir| std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()));
    if display && vulkan {
        return true;
    }
    let why = if display {
        "no Vulkan driver (install mesa-vulkan-drivers)"
    } else {
        "no X display (run under xvfb-run)"
    };
    assert!(
        !required,
        "NEWSGLOBE_REQUIRE_RENDER is set but there is {why}"
    );
    eprintln!("skipping the screenshot test: {why}");
    false
}

fn pixel_share(
    img: &image::RgbImage,
    area: (u32, u32, u32, u32),
    test: impl Fn([u8; 3]) -> bool,
) -> f64 {
    let (x0, y0, x1, y1) = area;
    let mut hits = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            hits += test(img.get_pixel(x, y).0) as u32;
        }
    }
    hits as f64 / ((x1 - x0) * (y1 - y0)) as f64
}

#[test]
fn screenshot_of_brazil_selected() {
    if !can_render() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("bra.png");
    // An empty store of its own, in a folder not made yet.
    let data = scratch.path().join("data");
    let status = newsglobe()
        .args([
            "screenshot",
            "--select",
            "BRA",
            "--size",
            "960x540",
            "--out",
        ])
        .arg(&out)
        // An empty store of its own: the test must not read or write the user's news.
        .arg("--data-dir")
        .arg(&data)
        .args(["--translator", "none"])
        .status()
        .unwrap();
    assert!(status.success());
    let img = image::open(&out).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (960, 540));
    // The panel is 340 px wide on the right; the globe's viewport is the 620 px left of it.
    let amber = |[r, g, b]: [u8; 3]| r > 190 && (100..200).contains(&g) && b < 90;
    let ocean = |[r, g, b]: [u8; 3]| b > 60 && b as i32 > r as i32 + 30 && b >= g;
    let land =
        |[r, g, b]: [u8; 3]| r > 70 && g > 70 && b > 40 && !amber([r, g, b]) && !ocean([r, g, b]);
    let space = |[r, g, b]: [u8; 3]| r < 25 && g < 25 && b < 35;
    let panel = |[r, g, b]: [u8; 3]| (20..40).contains(&r) && r == g && g == b;

    let centre = (300, 260, 320, 280);
    assert!(
        pixel_share(&img, centre, amber) > 0.9,
        "Brazil, highlighted, at the centre"
    );
    let viewport = (0, 0, 620, 500);
    assert!(
        pixel_share(&img, viewport, ocean) > 0.15,
        "ocean around Brazil"
    );
    assert!(
        pixel_share(&img, viewport, land) > 0.03,
        "neighbouring land in its own colours"
    );
    assert!(
        pixel_share(&img, (0, 440, 40, 490), space) > 0.9,
        "space in the corner"
    );
    assert!(
        pixel_share(&img, (640, 200, 950, 500), panel) > 0.8,
        "the side panel"
    );
    let text = |[r, g, b]: [u8; 3]| r > 110 && g > 110 && b > 110;
    assert!(
        pixel_share(&img, (630, 10, 800, 50), text) > 0.02,
        "the panel's heading"
    );
}

/// Renders `args` (a screenshot command) over the corpus store and returns the picture.
fn capture(data: &std::path::Path, name: &str, args: &[&str]) -> image::RgbImage {
    let out = data.join(format!("{name}.png"));
    let output = newsglobe()
        .args(args)
        .args(["--size", "1280x720", "--translator", "none", "--out"])
        .arg(&out)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    image::open(&out).unwrap().to_rgb8()
}

#[test]
fn screenshots_of_a_story_the_attract_card_and_a_qr_code() {
    if !can_render() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let data = scratch.path();
    corpus::fill_store(&data.join("news.sqlite"), newsglobe::news::now());
    let config = data.join("config.toml");
    std::fs::write(&config, "[kiosk]\nfeatured = [\"KEN\"]\n").unwrap();
    let config = config.to_str().unwrap();

    // The world panel on the left, its top story's coverage lit on the globe.
    let story = capture(data, "story", &["screenshot", "--story"]);
    let panel = |[r, g, b]: [u8; 3]| (20..40).contains(&r) && r == g && g == b;
    assert!(
        pixel_share(&story, (0, 300, 370, 700), panel) > 0.6,
        "the world panel"
    );
    let lit = |[r, g, b]: [u8; 3]| b > 150 && g > 130 && (r as i32) < b as i32 - 40;
    // Above the timeline bar, whose pink "first" label must not count.
    let globe = (400, 0, 1280, 560);
    let lit_share = pixel_share(&story, globe, lit);
    assert!(lit_share > 0.01, "countries lit");
    // The country that reported it first, marked apart among them.
    let first = |[r, g, b]: [u8; 3]| r > 110 && r > g + 50 && b > g + 30;
    assert!(
        pixel_share(&story, globe, first) > 0.0002,
        "the first reporter"
    );
    // At the start of its spread: the first reporter alone.
    let start = capture(data, "spread", &["screenshot", "--story", "--spread", "0"]);
    assert!(
        pixel_share(&start, globe, first) > 0.0002,
        "the first reporter, at the start"
    );
    assert!(
        pixel_share(&start, globe, lit) < lit_share / 3.0,
        "no other country lit yet: {} against {lit_share}",
        pixel_share(&start, globe, lit)
    );

    // The attract loop's card over the bottom of the screen, on Kenya.
    let attract = capture(
        data,
        "attract",
        &["--kiosk", "--config", config, "screenshot", "--attract"],
    );
    let dark = |[r, g, b]: [u8; 3]| r < 45 && g < 45 && b < 45;
    let white = |[r, g, b]: [u8; 3]| r > 200 && g > 200 && b > 200;
    let card = (200, 360, 1080, 620);
    assert!(
        pixel_share(&attract, card, dark) > 0.4,
        "the card's backdrop"
    );
    assert!(pixel_share(&attract, card, white) > 0.01, "its headlines");
    let kenya_green = |[r, g, b]: [u8; 3]| r < 40 && g > 80 && g < 140 && b < 60;
    assert!(
        pixel_share(&attract, card, kenya_green) > 0.0005,
        "Kenya's flag"
    );

    // An article's link as a QR code a phone can read.
    let qr = capture(
        data,
        "qr",
        &[
            "--kiosk",
            "--config",
            config,
            "screenshot",
            "--select",
            "KEN",
            "--qr",
        ],
    );
    let (width, height) = qr.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
            let [r, g, b] = qr.get_pixel(x as u32, y as u32).0;
            ((r as u32 + g as u32 + b as u32) / 3) as u8
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on screen");
    let (_, link) = grids[0].decode().unwrap();
    let kenyan: Vec<String> = corpus::corpus()
        .articles
        .iter()
        .filter(|a| a.country == "KEN")
        .map(|a| a.link())
        .collect();
    assert!(kenyan.contains(&link), "{link} is a Kenyan article's link");
}

/// Short headlines in Hebrew and Arabic, untranslated (the translator is off), for Israel.
fn right_to_left_store(path: &Path) {
    let mut store = newsglobe::news::store::Store::open(path).unwrap();
    let now = newsglobe::news::now();
    let titles = [
        ("he", "Haaretz", "הכנסת אישרה את התקציב"),
        ("he", "Haaretz", "גשם כבד בצפון (עדכון)"),
        ("ar", "Panet", "الكنيست يقر الميزانية"),
        ("ar", "Panet", "أمطار غزيرة في الشمال"),
    ];
    for (i, (language, outlet, title)) in titles.into_iter().enumerate() {
        let source = newsglobe::news::FeedSource {
            feed_url: format!("https://{}.example/rss", outlet.to_lowercase()),
            outlet: outlet.into(),
            country: "ISR".into(),
            language: language.into(),
        };
        let item = newsglobe::news::FeedItem {
            guid: None,
            link: Some(format!("https://{}.example/{i}", outlet.to_lowercase())),
            title: title.into(),
            summary: String::new(),
            published: Some(now - 600 * (i as i64 + 1)),
            image: None,
        };
        newsglobe::news::ingest::store_items(&mut store, &source, &[item], now).unwrap();
    }
}

#[test]
fn screenshot_of_hebrew_and_arabic_headlines_read_right_to_left() {
    if !can_render() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let data = scratch.path();
    right_to_left_store(&data.join("news.sqlite"));
    let img = capture(data, "rtl", &["screenshot", "--select", "ISR"]);
    // The headlines are the bright text below the panel's "Articles" line (the outlets and
    // times are grey). Short right-to-left headlines end at the panel's right margin and
    // start well right of its left one; laid out left to right they would hug the left one.
    let bright = |[r, g, b]: [u8; 3]| r > 200 && g > 200 && b > 200;
    let (panel_left, panel_right) = (940, 1280);
    let mut columns = (u32::MAX, 0);
    let mut ink = 0;
    for y in 108..470 {
        for x in panel_left..panel_right {
            if bright(img.get_pixel(x, y).0) {
                columns = (columns.0.min(x), columns.1.max(x));
                ink += 1;
            }
        }
    }
    assert!(ink > 200, "the headlines drawn ({ink} pixels)");
    assert!(columns.1 > panel_right - 40, "flush right: {columns:?}");
    assert!(columns.0 > panel_left + 60, "not flush left: {columns:?}");
}

/// A Spanish article page as outlets serve it, with a menu and a footer around it.
const SPANISH_PAGE: &str = "<html lang=\"es\"><head><title>Las lluvias cierran el puerto de \
    Santos durante una semana - El Diario</title></head><body><nav><a href=\"/\">Portada</a>\
    <a href=\"/mundo\">Mundo</a></nav><article><h1>Las lluvias cierran el puerto de Santos \
    durante una semana</h1><p>Las fuertes lluvias cerraron el puerto de Santos el lunes y \
    dejaron a cuarenta barcos anclados mientras el río subía sobre los muelles.</p><p>Los \
    trabajadores pasaron la noche moviendo contenedores a zonas más altas, y el capitán del \
    puerto dijo que seguiría cerrado hasta que bajara el agua.</p><p>El gobernador pidió ayuda \
    federal y dijo que la lluvia, la más fuerte en treinta años, también cortó dos carreteras.\
    </p></article><footer>Todos los derechos reservados.</footer></body></html>";

#[test]
fn extract_prints_a_pages_article_as_text_or_json() {
    let (ok, out, err) = with_stdin(&["extract"], SPANISH_PAGE);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "Las lluvias cierran el puerto de Santos durante una semana"
    );
    assert_eq!(lines[1], "");
    assert_eq!(lines.len(), 5, "{out}");
    assert!(lines[2].starts_with("Las fuertes lluvias cerraron"));
    assert!(
        !out.contains("Portada") && !out.contains("derechos"),
        "{out}"
    );

    let (ok, out, err) = with_stdin(&["extract", "--json"], SPANISH_PAGE);
    assert!(ok, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["language"], "es");
    assert_eq!(json["paragraphs"].as_array().unwrap().len(), 3);

    let (ok, _, err) = with_stdin(
        &["extract"],
        "<html><body><div id=\"app\"></div><script src=\"/app.js\"></script></body></html>",
    );
    assert!(!ok);
    assert!(err.contains("no article text"), "{err}");
}

#[test]
fn extract_translates_the_article_through_the_configured_translator() {
    // A LibreTranslate-compatible server that marks what it translated.
    let server = loopback::loopback_server();
    let url = format!("http://{}/", server.server_addr().to_ip().unwrap());
    let asked = Arc::new(AtomicUsize::new(0));
    let seen = asked.clone();
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let mut body = String::new();
            std::io::Read::read_to_string(request.as_reader(), &mut body).unwrap();
            let q: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(q["source"], "es");
            let texts = q["q"].as_array().unwrap();
            seen.fetch_add(texts.len(), Ordering::SeqCst);
            let english: Vec<String> = texts
                .iter()
                .map(|t| format!("EN {}", t.as_str().unwrap()))
                .collect();
            let reply = serde_json::json!({ "translatedText": english }).to_string();
            let _ = request.respond(tiny_http::Response::from_string(reply));
        }
    });
    let args = [
        "--config",
        "/nonexistent/newsglobe.toml",
        "--translator",
        "libretranslate",
        "--translate-url",
        &url,
        "extract",
        "--translate",
    ];
    let (ok, out, err) = with_stdin(&args, SPANISH_PAGE);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "EN Las lluvias cierran el puerto de Santos durante una semana"
    );
    assert!(lines[2..].iter().all(|l| l.starts_with("EN ")), "{out}");
    assert_eq!(
        asked.load(Ordering::SeqCst),
        4,
        "the headline and three paragraphs"
    );
}

const HEADLINES: [&str; 10] = [
    "Port workers strike in Mombasa over wages",
    "Volcano erupts near Reykjavik, flights grounded",
    "Central bank raises interest rates to curb inflation",
    "Floods displace thousands along the Nile delta",
    "Marathon record falls in Berlin as Kiptum wins",
    "Parliament passes sweeping data privacy law",
    "Measles outbreak prompts vaccination drive in Lagos",
    "Wildfire forces evacuations across Attica",
    "Telescope spots water vapour on distant exoplanet",
    "Film festival opens with tribute to Ousmane Sembene",
];

/// A feed server of `feeds` feeds (`/f0`, `/f1`, …) of ten items each, feed `i` answering
/// after `i` times `step`: a run's feeds are stored one by one over a while.
fn staggered_feeds(feeds: usize, step: std::time::Duration) -> u16 {
    assert!(feeds <= 20);
    each::serve_each(move |path| {
        let n: u32 = path.trim_start_matches("/f").parse().unwrap_or(0);
        std::thread::sleep(step * n);
        // Ten stories, each told by every feed.
        let items: String = HEADLINES
            .iter()
            .enumerate()
            .map(|(i, title)| {
                format!(
                    "<item><title>{title}</title>\
                     <link>https://feed{n}.example/{i}</link></item>"
                )
            })
            .collect();
        format!("<rss version=\"2.0\"><channel><title>T</title>{items}</channel></rss>")
    })
}

#[test]
fn the_ingest_daemon_keeps_what_it_committed_when_killed_and_stops_cleanly_on_sigterm() {
    use newsglobe::news::store::pg::local::LocalServer;
    use newsglobe::news::store::{PgSettings, Store, StoreAt};
    let server = match LocalServer::shared() {
        Ok(Some(server)) => server,
        Ok(None) => return eprintln!("PostgreSQL is not installed: skipped"),
        Err(e) => panic!("{e}"),
    };
    let database = server.create_database("ingest_daemon").unwrap();
    let url = server.url(&database);
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let port = staggered_feeds(20, std::time::Duration::from_millis(150));
    let countries = ["KEN", "TZA", "UGA", "RWA", "ETH"];
    let catalog: String = (0..20)
        .map(|i| {
            let feed = format!("http://127.0.0.1:{port}/f{i}");
            outlet(&format!("Outlet {i}"), countries[i % 5], &feed)
        })
        .collect();
    std::fs::write(dir.join("outlets.toml"), catalog).unwrap();
    let daemon = || {
        newsglobe_in(dir, &["ingest", "--store", &url, "--refresh-minutes", "60"])
            // The password from the environment, as the README says: never a flag.
            .env("NEWSGLOBE_STORE_PASSWORD", server.password())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let at = StoreAt::Shared {
        server: PgSettings::from_url(&url, None, Some(server.password())).unwrap(),
        local: dir.to_owned(),
    };
    let count = || {
        Store::open_at(&at)
            .ok()
            .and_then(|store| store.article_count().ok())
    };

    // Killed halfway through its first run: what it committed stays, a feed whole or not at all.
    let mut first = daemon();
    let seen = loop {
        match count() {
            Some(n) if n >= 30 => break n,
            _ => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    first.kill().unwrap();
    first.wait().unwrap();
    let store = Store::open_at(&at).unwrap();
    let kept = store.article_count().unwrap();
    assert!(kept >= seen && kept < 200, "{seen} seen, {kept} kept");
    for (feed, n) in store.counts_per_feed_since(0).unwrap() {
        assert_eq!(n, 10, "{feed} was stored whole");
    }

    // Started again it goes on: every feed, the stories, a line for the run.
    let mut second = daemon();
    let mut lines = std::io::BufReader::new(second.stdout.take().unwrap()).lines();
    let started = lines.next().unwrap().unwrap();
    assert!(
        started.contains("ingest into postgres://newsglobe@127.0.0.1"),
        "{started}"
    );
    assert!(!started.contains(server.password()), "{started}");
    let run = lines.next().unwrap().unwrap();
    if !run.contains("refreshed: 20 feeds: 20 ok") {
        // The failing feeds' lines follow; the next run's would come only in an hour.
        second.kill().unwrap();
        let why: Vec<String> = lines.map_while(Result::ok).collect();
        panic!("{run} {why:?}");
    }
    assert!(run.contains("stories written"), "{run}");
    assert_eq!(store.article_count().unwrap(), 200);
    assert!(store.stories_written().unwrap().is_some());

    // Screens read it through the same flag: articles and the ingest's stories.
    let read = |args: &[&str]| {
        let output = newsglobe_in(dir, args)
            .args(["--store", &url])
            .env("PGPASSWORD", server.password())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let listed = read(&["articles", "--country", "KEN", "--limit", "10"]);
    assert!(listed.contains("Port workers strike"), "{listed}");
    // The database's own search, accents folded and the last word a prefix.
    let found = read(&["search", "réykjav", "--limit", "50"]);
    assert_eq!(
        found.matches("Volcano erupts near Reykjavik").count(),
        20,
        "{found}"
    );
    let stories: Value = serde_json::from_str(&read(&["stories", "--json"])).unwrap();
    assert!(
        stories
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["takes"].as_array().unwrap().len() == 5),
        "{stories:#}"
    );

    // SIGTERM: it says so and exits well.
    let pid = second.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = second.wait().unwrap();
    assert!(status.success(), "{status}");
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(
        rest.last().unwrap().contains("stopped by SIGTERM"),
        "{rest:?}"
    );

    // A password on the command line is refused, and not repeated.
    let output = newsglobe()
        .args(["articles", "--country", "KEN"])
        .args(["--store", "postgres://newsglobe:hunter2@127.0.0.1/news"])
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap();
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success());
    assert!(
        error.contains("PGPASSWORD") && !error.contains("hunter2"),
        "{error}"
    );
}

#[test]
fn stories_eval_scores_labelled_articles_and_names_a_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("labelled.jsonl");
    let line = |title: &str, hour: i64, story: &str| {
        serde_json::json!({ "title": title, "published": 1_700_000_000 + hour * 3600, "story": story })
            .to_string()
    };
    let lines = [
        line("Volcano erupts near Reykjavik, flights grounded", 0, "v"),
        line("Reykjavik volcano eruption grounds Iceland flights", 1, "v"),
        line(
            "Central bank raises interest rates to curb inflation",
            0,
            "r",
        ),
        line(
            "Interest rates raised by central bank amid inflation",
            1,
            "r",
        ),
    ];
    // A data folder of its own, without a sentence model.
    let eval = || {
        newsglobe()
            .args(["stories", "--eval"])
            .arg(&file)
            .arg("--data-dir")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    std::fs::write(&file, lines.join("\n")).unwrap();
    let output = eval();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{text}");
    assert!(
        text.starts_with("by the words alone\n4 articles, 2 labelled stories of two or more"),
        "{text}"
    );
    for order in ["at once", "file order", "shuffled "] {
        let line = text.lines().find(|l| l.starts_with(order)).unwrap();
        assert_eq!(line.matches("1.000").count(), 6, "{text}");
    }
    // v v r r: each story whole in the file, which the command says.
    assert!(
        text.contains("keeps stories together (2 runs of 2 stories)"),
        "{text}"
    );
    assert!(
        text.contains("the mean of 9 orders; B-cubed F1 1.000 to 1.000"),
        "{text}"
    );
    // With a sentence model that is not there, the command says which file it missed.
    let output = newsglobe()
        .args(["stories", "--eval"])
        .arg(&file)
        .args(["--sentence-model", "/nowhere/model"])
        .output()
        .unwrap();
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success());
    assert!(error.contains("/nowhere/model/config.json"), "{error}");
    // With the model, where the tests have it, the same two stories.
    if let Some(model) = std::env::var_os("NEWSGLOBE_SENTENCE_MODEL") {
        let output = newsglobe()
            .args(["stories", "--eval"])
            .arg(&file)
            .arg("--sentence-model")
            .arg(&model)
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.starts_with("with sentence embeddings"), "{text}");
        assert!(text.contains("B-cubed F1 1.000 to 1.000"), "{text}");
    }

    std::fs::write(&file, format!("{}\nnot json\n", lines[0])).unwrap();
    let output = eval();
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success());
    assert!(
        error.contains("labelled.jsonl") && error.contains("line 2"),
        "{error}"
    );
}
