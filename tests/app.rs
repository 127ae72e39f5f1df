//! The app's systems without a window or renderer: `App` + `MinimalPlugins` + `update()`.
//!
//! A tap arrives as a world-space ray (what the pointer layer makes of a click); the test
//! follows it through the globe's rotation to a country, the selection, the fly-to and back.

#![allow(
    clippy::unwrap_used,
    reason = "helpers of tests and benchmarks: a failed unwrap fails the run, with its line"
)]

use std::sync::Arc;
use std::time::Duration;

use bevy::camera::{CameraProjection, ComputedCameraValues, RenderTargetInfo};
use bevy::input::ButtonState;
use bevy::input::InputPlugin;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input::mouse::{MouseButtonInput, MouseScrollUnit, MouseWheel};
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use bevy::window::{CursorMoved, ExitCondition, WindowEvent, WindowPlugin};
use newsglobe::app::{
    self, ArticleFilters, Atlas, Finder, Geometry, Globe, GlobeTap, GlobeView, Highlight, Hovered,
    KioskState, News, NewsOptions, OpenSearchHit, PLAY_SECONDS, PageTranslation, Phase, PointerRay,
    ReadArticle, RecentCounts, Refresh, Rest, SearchHit, SearchNews, SelectCountry, Selection,
    ShowCoverage, StoryFocus, Timeline, TimelineControl, UiCover, UiKeyboard, WorldPanel, WorldTab,
};
use newsglobe::config;
use newsglobe::geo::{LatLon, arc_between, to_unit};
use newsglobe::news::catalog::Catalog;
use newsglobe::news::fetch::FetchConfig;
use newsglobe::news::service::Stories;
use newsglobe::news::store::{Store, StoreAt};
use newsglobe::news::topics::Topic;
use newsglobe::news::translate::{Backend, Translator};
use newsglobe::news::world::StoryView;
use newsglobe::news::{Article, FeedItem, FeedSource};

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/loopback.rs"]
mod loopback;
#[path = "support/pages.rs"]
mod pages;

fn app() -> App {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        TransformPlugin,
        InputPlugin,
        WindowPlugin {
            primary_window: None,
            exit_condition: ExitCondition::DontExit,
            ..default()
        },
    ))
    // A steady 60 Hz clock, so animations advance the same however fast the test runs.
    .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        16,
    )))
    .insert_resource(Atlas::load(Geometry::Low).unwrap())
    .add_plugins(app::core_plugin);
    app.world_mut().spawn((Globe, Transform::default()));
    app
}

/// Turns the globe so that `center` faces the camera, ending any flight, as a drag would.
fn look_at(app: &mut App, lat: f64, lon: f64) {
    let mut view = app.world_mut().resource_mut::<GlobeView>();
    view.land();
    view.center = LatLon::new(lat, lon);
    app.update();
}

/// A ray from the camera's side straight at the middle of the screen.
fn centre_ray() -> Ray3d {
    Ray3d::new(Vec3::new(0.0, 0.0, 4.0), Dir3::NEG_Z)
}

fn selected_id(app: &App) -> Option<String> {
    let atlas = app.world().resource::<Atlas>();
    app.world()
        .resource::<Selection>()
        .0
        .map(|c| atlas.countries[c].id.clone())
}

#[test]
fn a_tap_selects_the_country_under_it_whatever_the_rotation() {
    let mut app = app();
    for (lat, lon, id) in [
        (50.45, 30.52, "UKR"),
        (-15.8, -47.9, "BRA"),
        (35.7, 139.7, "JPN"),
    ] {
        look_at(&mut app, lat, lon);
        app.world_mut().write_message(GlobeTap(centre_ray()));
        app.update();
        assert_eq!(
            selected_id(&app).as_deref(),
            Some(id),
            "tap at {lat}, {lon}"
        );
    }
}

#[test]
fn selecting_flies_to_the_country_and_clearing_keeps_the_view() {
    let mut app = app();
    look_at(&mut app, 50.45, 30.52);
    app.world_mut().write_message(GlobeTap(centre_ray()));
    app.update();
    let atlas = app.world().resource::<Atlas>();
    let ukraine = atlas.countries[atlas.find("UKR").unwrap()].label;
    let target = app.world().resource::<GlobeView>().flight_target();
    assert_eq!(target, Some(ukraine));

    app.world_mut().write_message(SelectCountry(None));
    app.update();
    assert_eq!(selected_id(&app), None);
}

#[test]
fn a_tap_on_open_sea_keeps_the_selection() {
    let mut app = app();
    look_at(&mut app, -15.8, -47.9);
    app.world_mut().write_message(GlobeTap(centre_ray()));
    app.update();
    look_at(&mut app, 30.0, -40.0);
    app.world_mut().write_message(GlobeTap(centre_ray()));
    app.update();
    assert_eq!(selected_id(&app).as_deref(), Some("BRA"));
}

#[test]
fn a_tap_past_the_globe_selects_nothing() {
    let mut app = app();
    look_at(&mut app, 50.45, 30.52);
    let beside = Ray3d::new(Vec3::new(1.5, 0.0, 4.0), Dir3::NEG_Z);
    app.world_mut().write_message(GlobeTap(beside));
    app.update();
    assert_eq!(selected_id(&app), None);
}

#[test]
fn hovering_marks_the_country_under_the_pointer() {
    let mut app = app();
    look_at(&mut app, 48.86, 2.35);
    app.world_mut().resource_mut::<PointerRay>().0 = Some(centre_ray());
    app.update();
    let atlas = app.world().resource::<Atlas>();
    let france = atlas.find("FRA");
    assert_eq!(app.world().resource::<Hovered>().0, france);

    app.world_mut().resource_mut::<PointerRay>().0 = None;
    app.update();
    assert_eq!(app.world().resource::<Hovered>().0, None);
}

fn cursor(at: Vec2) -> WindowEvent {
    WindowEvent::CursorMoved(CursorMoved {
        window: Entity::PLACEHOLDER,
        position: at,
        delta: None,
    })
}

fn button(state: ButtonState) -> WindowEvent {
    WindowEvent::MouseButtonInput(MouseButtonInput {
        button: MouseButton::Left,
        state,
        window: Entity::PLACEHOLDER,
    })
}

fn touch(id: u64, phase: TouchPhase, at: Vec2) -> WindowEvent {
    WindowEvent::TouchInput(TouchInput {
        phase,
        position: at,
        window: Entity::PLACEHOLDER,
        force: None,
        id,
    })
}

#[test]
fn a_whole_drag_within_one_frame_still_turns_the_globe() {
    // On a slow frame the press, the moves and the release all arrive together.
    let mut app = app();
    look_at(&mut app, 0.0, 0.0);
    for event in [
        cursor(Vec2::new(400.0, 300.0)),
        button(ButtonState::Pressed),
        cursor(Vec2::new(450.0, 300.0)),
        cursor(Vec2::new(500.0, 300.0)),
        button(ButtonState::Released),
    ] {
        app.world_mut().write_message(event);
    }
    app.update();
    let center = app.world().resource::<GlobeView>().center;
    // Dragging right brings the west into view: the centre moves west.
    assert!(center.lon < -1.0, "{center:?}");
    assert_eq!(selected_id(&app), None);
}

/// A wheel turned by `lines` notches (negative scrolls down), as the window reports it: both
/// as a message of its own and in the window's ordered event stream.
fn wheel(app: &mut App, lines: f32) {
    let wheel = MouseWheel {
        unit: MouseScrollUnit::Line,
        x: 0.0,
        y: lines,
        window: Entity::PLACEHOLDER,
        phase: TouchPhase::Moved,
    };
    app.world_mut().write_message(wheel);
    app.world_mut()
        .write_message(WindowEvent::MouseWheel(wheel));
}

#[test]
fn the_wheel_over_a_panel_leaves_the_globe_and_over_the_globe_zooms() {
    let mut app = app();
    // A 340-pixel panel on the right of a 1280 x 720 window, as the last UI pass left it.
    app.world_mut().resource_mut::<UiCover>().free = Some(Rect::new(0.0, 0.0, 940.0, 720.0));
    app.update();
    let before = app.world().resource::<GlobeView>().distance;

    app.world_mut()
        .write_message(cursor(Vec2::new(1100.0, 300.0)));
    wheel(&mut app, -3.0);
    for _ in 0..30 {
        app.update();
    }
    let over_panel = app.world().resource::<GlobeView>().distance;
    assert_eq!(
        over_panel, before,
        "scrolling the panel's list leaves the globe"
    );

    app.world_mut()
        .write_message(cursor(Vec2::new(400.0, 300.0)));
    wheel(&mut app, -3.0);
    for _ in 0..30 {
        app.update();
    }
    let over_globe = app.world().resource::<GlobeView>().distance;
    assert!(
        over_globe > before * 1.2,
        "scrolling down over the globe zooms out: {before} -> {over_globe}"
    );
}

/// `key` going down then up, both before the next update, as on a slow frame.
fn tap_key(app: &mut App, held: &[KeyCode], key: KeyCode) {
    key_taps(app, Entity::PLACEHOLDER, held, key);
}

/// Presses `held` then `key`, and lets all go, before the next frame: a quick tap in a slow
/// frame, in `window`.
fn key_taps(app: &mut App, window: Entity, held: &[KeyCode], key: KeyCode) {
    let event = |key_code, state| KeyboardInput {
        key_code,
        logical_key: Key::Unidentified(bevy::input::keyboard::NativeKey::Unidentified),
        state,
        text: None,
        repeat: false,
        window,
    };
    for &k in held.iter().chain([&key]) {
        app.world_mut()
            .write_message(event(k, ButtonState::Pressed));
    }
    for &k in held.iter().chain([&key]) {
        app.world_mut()
            .write_message(event(k, ButtonState::Released));
    }
}

#[test]
fn keys_tapped_within_one_frame_still_act() {
    let (mut app, _dir) = corpus_app("keys");
    look_at(&mut app, 0.0, 0.0);

    tap_key(&mut app, &[KeyCode::ControlLeft], KeyCode::KeyF);
    app.update();
    assert!(
        app.world().resource::<Finder>().focus,
        "Ctrl+F puts the cursor in the finder"
    );

    tap_key(&mut app, &[], KeyCode::ArrowLeft);
    app.update();
    let center = app.world().resource::<GlobeView>().center;
    assert!(center.lon < -1.0, "Left moves the view west: {center:?}");

    let before = app.world().resource::<GlobeView>().distance;
    tap_key(&mut app, &[], KeyCode::Equal);
    for _ in 0..30 {
        app.update();
    }
    let after = app.world().resource::<GlobeView>().distance;
    assert!(after < before * 0.9, "+ zooms in: {before} -> {after}");
}

#[test]
fn one_escape_closes_the_panel_unless_a_text_field_has_the_keys() {
    let (mut app, _dir) = corpus_app("escape");
    let brazil = app.world().resource::<Atlas>().find("BRA").unwrap();
    // A text field (the finder) has the keys: Esc is the field's, the panel stays.
    app.insert_resource(UiKeyboard(true));
    app.world_mut().write_message(SelectCountry(Some(brazil)));
    app.update();
    tap_key(&mut app, &[], KeyCode::Escape);
    app.update();
    app.update();
    assert_eq!(selected_id(&app).as_deref(), Some("BRA"));

    // A link or the topic filter kept egui's focus after a click: still the first Esc closes.
    app.insert_resource(UiKeyboard(false));
    tap_key(&mut app, &[], KeyCode::Escape);
    app.update();
    app.update();
    assert_eq!(selected_id(&app), None, "one Esc closes the panel");
}

#[test]
fn a_two_finger_pinch_zooms_in() {
    let mut app = app();
    app.update();
    let before = app.world().resource::<GlobeView>().distance;
    for event in [
        touch(1, TouchPhase::Started, Vec2::new(300.0, 300.0)),
        touch(2, TouchPhase::Started, Vec2::new(400.0, 300.0)),
        touch(2, TouchPhase::Moved, Vec2::new(500.0, 300.0)),
        touch(2, TouchPhase::Ended, Vec2::new(500.0, 300.0)),
        touch(1, TouchPhase::Ended, Vec2::new(300.0, 300.0)),
    ] {
        app.world_mut().write_message(event);
    }
    for _ in 0..30 {
        app.update();
    }
    let after = app.world().resource::<GlobeView>().distance;
    assert!(after < before * 0.8, "{before} -> {after}");
}

/// Updates until `done` holds, giving the news thread real time to answer.
/// The newest of the articles the news bridge has listed for `country`, once they are in.
fn newest_listed(app: &App, country: &str) -> Option<newsglobe::news::Article> {
    app.world()
        .resource::<News>()
        .articles
        .as_ref()
        .filter(|listed| listed.country == country)
        .and_then(|listed| listed.articles.first().cloned())
}

fn update_until(app: &mut App, done: impl Fn(&App) -> bool) -> bool {
    for _ in 0..200 {
        app.update();
        if done(app) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn the_news_bridge_shows_what_the_store_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("news.sqlite");
    let now = newsglobe::news::now();
    let mut store = Store::open(&path).unwrap();
    let source = FeedSource {
        feed_url: "https://kyiv.example/rss".into(),
        outlet: "Kyiv Daily".into(),
        country: "UKR".into(),
        language: "en".into(),
    };
    let items: Vec<FeedItem> = (0..3)
        .map(|i| FeedItem {
            link: Some(format!("https://kyiv.example/{i}")),
            title: format!("Story {i}"),
            published: Some(now - 3600 * (i + 1)),
            ..Default::default()
        })
        .collect();
    newsglobe::news::ingest::store_items(&mut store, &source, &items, now).unwrap();
    store
        .record_success(&source.feed_url, None, None, false, now)
        .unwrap();
    drop(store);

    let mut app = app();
    let catalog = Catalog::parse(
        r#"[[outlet]]
name = "Kyiv Daily"
country = "UKR"
homepage = "https://kyiv.example"
feeds = ["https://kyiv.example/rss"]
language = "en"
english = true
ownership = "private"
"#,
    )
    .unwrap();
    app::add_news(
        &mut app,
        NewsOptions {
            store: StoreAt::File(path),
            catalog,
            refresh: Refresh::Never,
            translator: Arc::new(Translator::new(Backend::None, Default::default()).unwrap()),
            fetch_config: FetchConfig::default(),
            fetch_pages: false,
            stories: Stories::Clustered,
            sentence_model: None,
        },
    );
    let counted = update_until(&mut app, |app| {
        app.world().resource::<RecentCounts>().0.get("UKR") == Some(&3)
    });
    assert!(counted, "the globe learns Ukraine has 3 recent articles");
    assert_eq!(app.world().resource::<News>().status.last_update, Some(now));

    look_at(&mut app, 50.45, 30.52);
    app.world_mut().write_message(GlobeTap(centre_ray()));
    let listed = update_until(&mut app, |app| {
        app.world()
            .resource::<News>()
            .articles
            .as_ref()
            .is_some_and(|listed| listed.country == "UKR")
    });
    assert!(listed, "selecting Ukraine lists its articles");
    let news = app.world().resource::<News>();
    let titles: Vec<&str> = news
        .articles
        .as_ref()
        .unwrap()
        .articles
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    assert_eq!(titles, ["Story 0", "Story 1", "Story 2"], "newest first");
}

/// The news bridge over a store filled with the story corpus, with no fetching.
fn corpus_app(name: &str) -> (App, tempfile::TempDir) {
    news_app(name, |path| {
        corpus::fill_store(path, newsglobe::news::now());
    })
}

/// The news bridge over a store that `fill` writes, with no fetching.
fn news_app(name: &str, fill: impl FnOnce(&std::path::Path)) -> (App, tempfile::TempDir) {
    let dir = tempfile::Builder::new()
        .prefix(&format!("newsglobe-app-{name}-"))
        .tempdir()
        .unwrap();
    let path = dir.path().join("news.sqlite");
    fill(&path);
    let mut app = app();
    app::add_news(
        &mut app,
        NewsOptions {
            store: StoreAt::File(path),
            catalog: Catalog::load(&Catalog::default_path()).unwrap(),
            refresh: Refresh::Never,
            translator: Arc::new(Translator::new(Backend::None, Default::default()).unwrap()),
            fetch_config: FetchConfig::default(),
            fetch_pages: false,
            stories: Stories::Clustered,
            sentence_model: None,
        },
    );
    (app, dir)
}

fn lit(app: &App) -> Vec<String> {
    let atlas = app.world().resource::<Atlas>();
    let mut ids: Vec<String> = app
        .world()
        .resource::<Highlight>()
        .countries
        .iter()
        .map(|&c| atlas.countries[c].id.clone())
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_picked_story_lights_up_its_coverage_and_a_search_its_matches() {
    let (mut app, _dir) = corpus_app("stories");
    let arrived = update_until(&mut app, |app| {
        !app.world().resource::<News>().world_stories.top.is_empty()
    });
    assert!(arrived, "the news thread sends the world's top stories");
    let news = app.world().resource::<News>();
    let top = news.world_stories.top[0].clone();
    assert!(top.takes.len() >= 5, "the top story is covered widely");
    assert!(
        news.world_stories.blindspots.iter().all(|s| s.blindspot)
            && news
                .world_stories
                .blindspots
                .iter()
                .any(|s| s.countries().any(|c| c == "KEN")),
        "the Kenyan floods, which no US outlet carries, are a blindspot"
    );
    assert!(lit(&app).is_empty(), "nothing lit before a story is picked");

    app.world_mut().resource_mut::<StoryFocus>().0 = Some(top.clone());
    app.update();
    let mut covering: Vec<String> = top.countries().map(String::from).collect();
    covering.sort();
    assert_eq!(lit(&app), covering, "the coverage map");

    // Picking one country's take flies there and lists its articles with their stories.
    let country = covering[0].clone();
    let index = app.world().resource::<Atlas>().find(&country).unwrap();
    app.world_mut().write_message(SelectCountry(Some(index)));
    let listed = update_until(&mut app, |app| {
        app.world()
            .resource::<News>()
            .articles
            .as_ref()
            .is_some_and(|listed| listed.country == country)
    });
    assert!(listed);
    let news = app.world().resource::<News>();
    let listed = news.articles.as_ref().unwrap();
    assert!(
        listed
            .articles
            .iter()
            .any(|a| listed.stories.get(&a.id).is_some_and(|s| s.id == top.id)),
        "{country}'s take on the story is among its articles"
    );
    assert_eq!(listed.topics.len(), listed.articles.len());

    // Searching lights up the countries with matches, once the search list is open.
    app.world_mut().resource_mut::<StoryFocus>().0 = None;
    {
        let mut panel = app.world_mut().resource_mut::<WorldPanel>();
        panel.open = true;
        panel.tab = WorldTab::Search;
        panel.search = "Nairobi".into();
    }
    app.world_mut().write_message(SearchNews("Nairobi".into()));
    let found = update_until(&mut app, |app| {
        app.world()
            .resource::<News>()
            .search
            .as_ref()
            .is_some_and(|r| r.query == "Nairobi")
    });
    assert!(found);
    app.update();
    let lit = lit(&app);
    assert!(
        lit.contains(&"KEN".to_string()) && lit.contains(&"GBR".to_string()),
        "{lit:?}"
    );
    assert!(!lit.contains(&"JPN".to_string()), "{lit:?}");
}

/// The corpus app once the news thread has sent the world's stories.
fn corpus_app_with_stories(name: &str) -> (App, tempfile::TempDir) {
    let (mut app, dir) = corpus_app(name);
    let arrived = update_until(&mut app, |app| {
        !app.world().resource::<News>().world_stories.top.is_empty()
    });
    assert!(arrived, "the news thread sends the world's top stories");
    (app, dir)
}

/// Searches as the search box does, and waits for the results.
fn search(app: &mut App, query: &str) -> Vec<newsglobe::news::Article> {
    {
        let mut panel = app.world_mut().resource_mut::<WorldPanel>();
        panel.open = true;
        panel.tab = WorldTab::Search;
        panel.search = query.into();
    }
    app.world_mut().write_message(SearchNews(query.into()));
    let found = update_until(app, |app| {
        app.world()
            .resource::<News>()
            .search
            .as_ref()
            .is_some_and(|r| r.query == query)
    });
    assert!(found, "the search for {query:?} is answered");
    app.update();
    app.world()
        .resource::<News>()
        .search
        .clone()
        .unwrap()
        .articles
}

#[test]
fn a_search_replaces_the_picked_story_and_its_result_opens_its_country() {
    let (mut app, _dir) = corpus_app_with_stories("search-focus");
    let top = app.world().resource::<News>().world_stories.top[0].clone();
    app.world_mut().resource_mut::<StoryFocus>().0 = Some(top.clone());
    app.update();
    assert_eq!(lit(&app).len(), top.takes.len(), "the story's coverage");

    let results = search(&mut app, "Nairobi");
    let mut matching: Vec<String> = results.iter().map(|a| a.country.clone()).collect();
    matching.sort();
    matching.dedup();
    assert!(matching.contains(&"KEN".to_string()), "{matching:?}");
    assert_eq!(
        app.world()
            .resource::<StoryFocus>()
            .0
            .as_ref()
            .map(|s| s.id),
        None,
        "the search leaves the story"
    );
    assert_eq!(
        lit(&app),
        matching,
        "the globe lights what the search found"
    );

    // The result's country opens on the result, not on a take on the old story.
    let hit = results.iter().find(|a| a.country == "KEN").unwrap().clone();
    app.world_mut().write_message(OpenSearchHit(hit.clone()));
    app.update();
    assert_eq!(selected_id(&app).as_deref(), Some("KEN"));
    assert!(app.world().resource::<StoryFocus>().0.is_none());
    assert_eq!(app.world().resource::<SearchHit>().0.as_ref(), Some(&hit));

    // Another country has nothing to do with that hit.
    let japan = app.world().resource::<Atlas>().find("JPN").unwrap();
    app.world_mut().write_message(SelectCountry(Some(japan)));
    app.update();
    assert_eq!(app.world().resource::<SearchHit>().0, None);
}

#[test]
fn another_country_starts_without_the_last_ones_topic_filter() {
    let (mut app, _dir) = corpus_app("topic-reset");
    let atlas = app.world().resource::<Atlas>();
    let (kenya, japan) = (atlas.find("KEN").unwrap(), atlas.find("JPN").unwrap());
    app.world_mut().write_message(SelectCountry(Some(kenya)));
    app.update();
    app.world_mut().resource_mut::<ArticleFilters>().topic = Some(Topic::Climate);
    app.world_mut()
        .resource_mut::<ArticleFilters>()
        .show_original = true;
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(
        app.world().resource::<ArticleFilters>().topic,
        Some(Topic::Climate),
        "the filter holds while the country does"
    );

    app.world_mut().write_message(SelectCountry(Some(japan)));
    app.update();
    assert_eq!(selected_id(&app).as_deref(), Some("JPN"));
    let filters = app.world().resource::<ArticleFilters>();
    assert_eq!(filters.topic, None, "Japan's list starts unfiltered");
    assert!(
        filters.show_original,
        "the reading language is the reader's, not the country's"
    );
}

#[test]
fn showing_a_storys_coverage_frames_every_country_covering_it() {
    let (mut app, _dir) = corpus_app_with_stories("frame");
    let top = app.world().resource::<News>().world_stories.top[0].clone();
    // Up close on the first country covering it, as after opening that country's take.
    let first = app.world().resource::<Atlas>().find(&top.takes[0].country);
    app.world_mut().write_message(SelectCountry(first));
    for _ in 0..120 {
        app.update();
    }
    let close = app.world().resource::<GlobeView>().distance;

    app.world_mut().write_message(ShowCoverage(top.clone()));
    for _ in 0..120 {
        app.update();
    }
    assert!(app.world().resource::<StoryFocus>().is(&top));
    let view = app.world().resource::<GlobeView>();
    assert!(view.distance > close, "{close} -> {}", view.distance);
    // Every covering country's middle faces the camera and lies within the view's height
    // (the narrower side of a 16:9 view), 35° in all.
    let half_fov = 17.5f64.to_radians();
    let atlas = app.world().resource::<Atlas>();
    for country in top.countries() {
        let label = atlas.countries[atlas.find(country).unwrap()].label;
        let arc = arc_between(to_unit(view.center), to_unit(label));
        let seen_at = arc.sin().atan2(view.distance - arc.cos());
        assert!(
            arc.cos() > 1.0 / view.distance && seen_at < half_fov,
            "{country} at {:.1}° of arc, {:.1}° off the view's axis, from {:.2} radii",
            arc.to_degrees(),
            seen_at.to_degrees(),
            view.distance
        );
    }
}

/// Kiosk settings with short times, so a test runs through them in a few hundred updates.
fn kiosk_config(featured: &[&str]) -> config::KioskConfig {
    config::KioskConfig {
        idle_reset_seconds: 5.0,
        attract_after_seconds: 10.0,
        attract_dwell_seconds: 4.0,
        featured: featured.iter().map(|c| c.to_string()).collect(),
        ..Default::default()
    }
}

/// A kiosk over the corpus, on a clock of a quarter second an update.
fn kiosk_app(name: &str, featured: &[&str]) -> (App, tempfile::TempDir) {
    let (mut app, dir) = corpus_app(name);
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        250,
    )));
    app::add_kiosk(&mut app, &kiosk_config(featured)).unwrap();
    app.update();
    (app, dir)
}

fn phase(app: &App) -> Phase {
    app.world().resource::<KioskState>().phase()
}

fn card(app: &App) -> Option<String> {
    let atlas = app.world().resource::<Atlas>();
    app.world()
        .resource::<KioskState>()
        .card
        .map(|c| atlas.countries[c].id.clone())
}

/// Updates for `seconds` of the test clock.
fn run_for(app: &mut App, seconds: f32) {
    for _ in 0..(seconds * 4.0).round() as usize {
        app.update();
    }
}

#[test]
fn the_kiosk_resets_then_attracts_and_a_touch_hands_it_back() {
    let (mut app, _dir) = kiosk_app("kiosk", &["KEN", "JPN"]);
    // A visitor picks a country and opens the world panel, then walks away.
    let brazil = app.world().resource::<Atlas>().find("BRA").unwrap();
    app.world_mut().write_message(SelectCountry(Some(brazil)));
    app.world_mut().resource_mut::<WorldPanel>().open = true;
    app.world_mut().resource_mut::<WorldPanel>().tab = WorldTab::Blindspot;
    app.world_mut().resource_mut::<ArticleFilters>().topic = Some(Topic::Sport);
    app.world_mut()
        .write_message(touch(7, TouchPhase::Started, Vec2::new(10.0, 10.0)));
    app.update();
    assert_eq!(selected_id(&app).as_deref(), Some("BRA"));
    assert_eq!(phase(&app), Phase::Active);

    run_for(&mut app, 4.0);
    assert_eq!(
        selected_id(&app).as_deref(),
        Some("BRA"),
        "not idle long enough yet"
    );
    run_for(&mut app, 1.5);
    assert_eq!(phase(&app), Phase::Rested);
    assert_eq!(selected_id(&app), None, "the idle reset closes the panel");
    assert!(!app.world().resource::<WorldPanel>().open);
    assert_eq!(app.world().resource::<WorldPanel>().tab, WorldTab::Top);
    assert_eq!(
        app.world().resource::<ArticleFilters>().topic,
        None,
        "the next visitor starts unfiltered"
    );
    let home = newsglobe::app::GlobeView::default().center;
    let view = app.world().resource::<GlobeView>();
    assert!(
        view.flight_target() == Some(home) || view.center == home,
        "the view goes home"
    );
    assert_eq!(card(&app), None);

    run_for(&mut app, 5.0);
    assert_eq!(phase(&app), Phase::Attract { stop: 0 });
    run_for(&mut app, 1.5);
    assert_eq!(
        card(&app).as_deref(),
        Some("KEN"),
        "the first featured country"
    );
    let shown = update_until(&mut app, |app| newest_listed(app, "KEN").is_some());
    assert!(shown, "the card gets Kenya's headlines");
    run_for(&mut app, 4.0);
    assert_eq!(
        card(&app).as_deref(),
        Some("JPN"),
        "on to the next after a dwell"
    );
    run_for(&mut app, 4.0);
    assert_eq!(card(&app).as_deref(), Some("KEN"), "and round again");

    // A resting mouse reporting where it is (a window opening under it) is nobody there.
    app.world_mut()
        .write_message(cursor(Vec2::new(300.0, 300.0)));
    app.world_mut()
        .write_message(cursor(Vec2::new(301.0, 300.0)));
    app.update();
    assert_eq!(card(&app).as_deref(), Some("KEN"), "the loop goes on");

    // Any touch ends the loop at once, and nothing is picked by it ending.
    app.world_mut()
        .write_message(touch(8, TouchPhase::Started, Vec2::new(10.0, 10.0)));
    app.update();
    assert_eq!(phase(&app), Phase::Active);
    assert_eq!(card(&app), None);
    assert_eq!(selected_id(&app), None);
    // A key counts as input too, and postpones the next reset.
    run_for(&mut app, 4.0);
    app.world_mut()
        .write_message(WindowEvent::KeyboardInput(KeyboardInput {
            key_code: KeyCode::KeyA,
            logical_key: Key::Character("a".into()),
            state: ButtonState::Pressed,
            text: None,
            repeat: false,
            window: Entity::PLACEHOLDER,
        }));
    run_for(&mut app, 4.0);
    assert_eq!(phase(&app), Phase::Active);
    run_for(&mut app, 1.5);
    assert_eq!(phase(&app), Phase::Rested);
}

fn stop(app: &App) -> Option<String> {
    let atlas = app.world().resource::<Atlas>();
    app.world()
        .resource::<KioskState>()
        .stop
        .map(|c| atlas.countries[c].id.clone())
}

#[test]
fn each_attract_card_comes_when_its_flight_lands() {
    let (mut app, _dir) = kiosk_app("kiosk-cards", &["KEN", "JPN"]);
    let mut updates = 0;
    while stop(&app).as_deref() != Some("KEN") && updates < 100 {
        app.update();
        updates += 1;
        assert_eq!(
            card(&app),
            None,
            "no card before the loop's first flight lands"
        );
    }
    let mut seen = Vec::new();
    for _ in 0..40 {
        app.update();
        let flying = app
            .world()
            .resource::<GlobeView>()
            .flight_target()
            .is_some();
        let (stop, card) = (stop(&app), card(&app));
        assert!(
            card.is_none() || (card == stop && !flying),
            "a card shows its stop's country, and only once the view is there: {card:?} \
             over {stop:?}, flying {flying}"
        );
        if card.is_some() && seen.last() != Some(&card) {
            seen.push(card);
        }
    }
    assert_eq!(
        seen[..2],
        [Some("KEN".to_string()), Some("JPN".to_string())],
        "both stops get their card"
    );
}

#[test]
fn a_tap_on_the_card_acts_on_the_card_it_went_down_on() {
    let (mut app, _dir) = kiosk_app("kiosk-tap", &["KEN", "JPN"]);
    let kenya = update_until(&mut app, |app| {
        card(app).as_deref() == Some("KEN") && newest_listed(app, "KEN").is_some()
    });
    assert!(kenya, "the loop shows Kenya's card with its headlines");
    let headline = newest_listed(&app, "KEN").unwrap();
    let atlas = app.world().resource::<Atlas>();
    let (ken, jpn) = (atlas.find("KEN").unwrap(), atlas.find("JPN").unwrap());
    // The card as the UI pass lays it out, its first headline across its top.
    let lay_out = |app: &mut App, country: usize| {
        let rect = Rect::new(200.0, 300.0, 1080.0, 680.0);
        app.world_mut().resource_mut::<UiCover>().card = Some(rect);
        app.world_mut().resource_mut::<KioskState>().card_layout = Some(app::CardLayout {
            country,
            rect,
            headlines: vec![(Rect::new(220.0, 340.0, 1060.0, 400.0), headline.clone())],
        });
    };
    lay_out(&mut app, ken);
    let finger = Vec2::new(640.0, 370.0);
    app.world_mut()
        .write_message(touch(5, TouchPhase::Started, finger));
    app.update();
    // Before the finger lifts, the card under it changes to the next stop's.
    lay_out(&mut app, jpn);
    app.world_mut()
        .write_message(touch(5, TouchPhase::Ended, finger + Vec2::new(3.0, 0.0)));
    app.update();
    app.update();
    assert_eq!(
        selected_id(&app).as_deref(),
        Some("KEN"),
        "Kenya's panel opens"
    );
    assert_eq!(
        app.world()
            .resource::<News>()
            .page
            .as_ref()
            .map(|page| &page.article),
        Some(&headline),
        "with the tapped headline open to read"
    );
}

#[test]
fn thousands_of_attract_cycles_keep_the_app_flat() {
    let (mut app, _dir) = kiosk_app("soak", &[]);
    // Two seconds an update: with the reset at 5 s, the loop at 10 s and a dwell of 4 s, a
    // touch every 8 updates makes each cycle reset, attract, move on a stop and be ended.
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs(2)));
    // One fixed step an update: the (empty) fixed-step schedule would otherwise run several
    // times in each long update.
    app.world_mut()
        .resource_mut::<Time<Fixed>>()
        .set_timestep(Duration::from_secs(2));
    // And the whole two seconds for the camera, so that each stop's flight lands and its card
    // shows (virtual time takes at most a quarter second an update by default).
    app.world_mut()
        .resource_mut::<Time<Virtual>>()
        .set_max_delta(Duration::from_secs(2));
    let cycle = |app: &mut App| -> (bool, bool, usize) {
        let (mut reset, mut attracted, mut stops) = (false, false, 0);
        let mut last_card = None;
        for _ in 0..8 {
            app.update();
            reset |= phase(app) == Phase::Rested;
            attracted |= matches!(phase(app), Phase::Attract { .. });
            let now = card(app);
            stops += (now.is_some() && now != last_card) as usize;
            last_card = now;
        }
        app.world_mut()
            .write_message(touch(1, TouchPhase::Started, Vec2::ZERO));
        app.world_mut()
            .write_message(touch(1, TouchPhase::Ended, Vec2::new(50.0, 0.0)));
        (reset, attracted, stops)
    };
    // Warm up: a few cycles, so that everything made once exists.
    for _ in 0..5 {
        cycle(&mut app);
    }
    let entities = app.world().entities().count_spawned();
    let resources = app.world().iter_resources().count();
    let mut stops = 0;
    for n in 0..2_000 {
        let (reset, attracted, shown) = cycle(&mut app);
        assert!(
            reset && attracted && shown >= 2,
            "cycle {n}: {reset} {attracted} {shown}"
        );
        stops += shown;
    }
    assert!(stops >= 4_000, "{stops} stops");
    assert_eq!(
        app.world().entities().count_spawned(),
        entities,
        "no entity leaks"
    );
    assert_eq!(
        app.world().iter_resources().count(),
        resources,
        "no resource leaks"
    );
}

/// A camera looking at the globe from the home distance through a 1280x720 target, as the
/// renderer would set it up, so that touches become rays in a headless app.
fn spawn_camera(app: &mut App) {
    let size = UVec2::new(1280, 720);
    let projection = PerspectiveProjection {
        fov: 35f32.to_radians(),
        aspect_ratio: size.x as f32 / size.y as f32,
        ..default()
    };
    let camera = Camera {
        computed: ComputedCameraValues {
            clip_from_view: projection.get_clip_from_view(),
            target_info: Some(RenderTargetInfo {
                physical_size: size,
                scale_factor: 1.0,
            }),
            ..default()
        },
        ..default()
    };
    app.world_mut().spawn((
        camera,
        Transform::from_xyz(0.0, 0.0, 4.2).looking_at(Vec3::ZERO, Vec3::Y),
        GlobalTransform::from(Transform::from_xyz(0.0, 0.0, 4.2).looking_at(Vec3::ZERO, Vec3::Y)),
    ));
}

#[test]
fn touch_gestures_drag_pinch_and_tap_and_a_pinch_never_picks() {
    let mut app = app();
    spawn_camera(&mut app);
    let centre = Vec2::new(640.0, 360.0);
    look_at(&mut app, -10.0, -52.0);

    // A tap on Brazil, at the centre of the screen, picks it.
    for event in [
        touch(1, TouchPhase::Started, centre),
        touch(1, TouchPhase::Ended, centre),
    ] {
        app.world_mut().write_message(event);
    }
    app.update();
    assert_eq!(selected_id(&app).as_deref(), Some("BRA"), "a tap picks");
    app.world_mut().write_message(SelectCountry(None));
    look_at(&mut app, -10.0, -52.0);

    // A pinch whose last finger lifts over Brazil zooms and picks nothing.
    let before = app.world().resource::<GlobeView>().distance;
    for event in [
        touch(2, TouchPhase::Started, centre),
        touch(3, TouchPhase::Started, centre + Vec2::new(100.0, 0.0)),
        touch(3, TouchPhase::Moved, centre + Vec2::new(200.0, 0.0)),
        touch(3, TouchPhase::Ended, centre + Vec2::new(200.0, 0.0)),
        touch(2, TouchPhase::Ended, centre),
    ] {
        app.world_mut().write_message(event);
    }
    for _ in 0..30 {
        app.update();
    }
    assert_eq!(selected_id(&app), None, "the end of a pinch never picks");
    let after = app.world().resource::<GlobeView>().distance;
    assert!(
        after < before * 0.8,
        "the pinch zooms in: {before} -> {after}"
    );

    // A one-finger drag turns the globe, and lifting the finger picks nothing.
    look_at(&mut app, -10.0, -52.0);
    for event in [
        touch(4, TouchPhase::Started, centre),
        touch(4, TouchPhase::Moved, centre + Vec2::new(60.0, 0.0)),
        touch(4, TouchPhase::Moved, centre + Vec2::new(120.0, 0.0)),
        touch(4, TouchPhase::Ended, centre + Vec2::new(120.0, 0.0)),
    ] {
        app.world_mut().write_message(event);
    }
    app.update();
    let center = app.world().resource::<GlobeView>().center;
    assert!(
        center.lon < -55.0,
        "dragging right turns the globe: {center:?}"
    );
    assert_eq!(selected_id(&app), None, "the end of a drag never picks");
}

/// Adds the egui panels to a headless app as the window shows them: egui lays them out on a
/// 1280 x 720 primary window over the globe's camera, and reads the input the window sends.
/// Call before the app's first update, which spawns the panels' camera. Returns the window,
/// which input events must name for egui to take them.
fn with_panels(app: &mut App) -> Entity {
    app.add_plugins((
        bevy::asset::AssetPlugin::default(),
        bevy::image::ImagePlugin::default(),
        bevy::mesh::MeshPlugin,
        bevy::camera::CameraPlugin,
    ));
    app.init_asset::<bevy::shader::Shader>();
    app.add_plugins(bevy_egui::EguiPlugin::default());
    let window = app
        .world_mut()
        .spawn((
            Window {
                resolution: bevy::window::WindowResolution::new(1280, 720),
                ..default()
            },
            bevy::window::PrimaryWindow,
        ))
        .id();
    app::add_panels(app);
    // After the panels' own camera has taken egui's context, as the globe's camera does.
    app.update();
    app.world_mut()
        .spawn((app::GlobeCamera, Camera3d::default()));
    // What the renderer's camera system would compute for both cameras: the window's size.
    let mut cameras = app.world_mut().query::<&mut Camera>();
    for mut camera in cameras.iter_mut(app.world_mut()) {
        camera.computed.target_info = Some(RenderTargetInfo {
            physical_size: UVec2::new(1280, 720),
            scale_factor: 1.0,
        });
    }
    window
}

/// The pointer moved to `at` in `window`, as the window reports it to egui and to the globe.
fn pointer_in(app: &mut App, window: Entity, at: Vec2) {
    let moved = CursorMoved {
        window,
        position: at,
        delta: None,
    };
    app.world_mut().write_message(moved.clone());
    app.world_mut()
        .write_message(WindowEvent::CursorMoved(moved));
}

/// The wheel turned `lines` in `window`.
fn wheel_in(app: &mut App, window: Entity, lines: f32) {
    let wheel = MouseWheel {
        unit: MouseScrollUnit::Line,
        x: 0.0,
        y: lines,
        window,
        phase: TouchPhase::Moved,
    };
    app.world_mut().write_message(wheel);
    app.world_mut()
        .write_message(WindowEvent::MouseWheel(wheel));
}

/// The newcomer's walk of issue 17, end to end on one app over the corpus store, with the egui
/// panels laid out as on screen and input as the window delivers it: each step is one a user
/// took and a defect they met. (The kiosk's steps have their own walk:
/// `the_kiosk_resets_then_attracts_and_a_touch_hands_it_back`,
/// `each_attract_card_comes_when_its_flight_lands`, `a_tap_on_the_card_acts_on_the_card_it_went_down_on`.)
#[test]
fn a_newcomer_walks_through_the_app() {
    let (mut app, _dir) = corpus_app("walk");
    let window = with_panels(&mut app);
    let arrived = update_until(&mut app, |app| {
        !app.world().resource::<News>().world_stories.top.is_empty()
    });
    assert!(arrived, "the news thread sends the world's top stories");
    let atlas = app.world().resource::<Atlas>();
    let (kenya, japan) = (atlas.find("KEN").unwrap(), atlas.find("JPN").unwrap());

    // Kenya's panel opens on the right, and egui leaves the globe the rest of the window.
    app.world_mut().write_message(SelectCountry(Some(kenya)));
    for _ in 0..120 {
        app.update();
    }
    assert_eq!(selected_id(&app).as_deref(), Some("KEN"));
    let free = app
        .world()
        .resource::<UiCover>()
        .free
        .expect("egui laid out the panels");
    assert!(
        free.min.x == 0.0 && (800.0..1000.0).contains(&free.max.x),
        "the globe keeps the window left of the panel: {free:?}"
    );

    // 1. Scrolling the panel's list leaves the globe where it is; over the globe, it zooms.
    let distance = app.world().resource::<GlobeView>().distance;
    pointer_in(&mut app, window, Vec2::new(1100.0, 400.0));
    wheel_in(&mut app, window, -5.0);
    for _ in 0..30 {
        app.update();
    }
    assert_eq!(app.world().resource::<GlobeView>().distance, distance);
    pointer_in(&mut app, window, Vec2::new(400.0, 400.0));
    wheel_in(&mut app, window, -5.0);
    for _ in 0..30 {
        app.update();
    }
    assert!(app.world().resource::<GlobeView>().distance > distance);

    // 14. A topic picked for Kenya does not follow the reader to Japan.
    app.world_mut().resource_mut::<ArticleFilters>().topic = Some(Topic::Climate);
    app.update();
    app.world_mut().write_message(SelectCountry(Some(japan)));
    app.update();
    assert_eq!(app.world().resource::<ArticleFilters>().topic, None);

    // 11. Ctrl+F pressed and let go within one slow frame still opens the finder, whose text
    // field then has the keys.
    key_taps(&mut app, window, &[KeyCode::ControlLeft], KeyCode::KeyF);
    app.update();
    app.update();
    assert!(
        app.world().resource::<UiKeyboard>().0,
        "the finder's field has the keys"
    );

    // 10. Esc in the field is the field's: it lets go of the keys and the panel stays. Then
    // one Esc closes the panel.
    key_taps(&mut app, window, &[], KeyCode::Escape);
    app.update();
    app.update();
    assert_eq!(selected_id(&app).as_deref(), Some("JPN"));
    assert!(
        !app.world().resource::<UiKeyboard>().0,
        "Esc left the field"
    );
    key_taps(&mut app, window, &[], KeyCode::Escape);
    app.update();
    app.update();
    assert_eq!(selected_id(&app), None, "one Esc closes the panel");

    // 2. A story is picked, then a search: the globe lights the search's countries, and the
    // result's country opens on the result.
    let top = app.world().resource::<News>().world_stories.top[0].clone();
    app.world_mut().write_message(ShowCoverage(top.clone()));
    for _ in 0..60 {
        app.update();
    }
    assert_eq!(lit(&app).len(), top.takes.len());
    let results = search(&mut app, "Nairobi");
    let mut found: Vec<String> = results.iter().map(|a| a.country.clone()).collect();
    found.sort();
    found.dedup();
    assert_eq!(lit(&app), found, "the globe lights what the search found");
    let hit = results.iter().find(|a| a.country == "KEN").unwrap().clone();
    app.world_mut().write_message(OpenSearchHit(hit.clone()));
    app.update();
    assert_eq!(selected_id(&app).as_deref(), Some("KEN"));
    assert!(app.world().resource::<StoryFocus>().0.is_none());
    assert_eq!(app.world().resource::<SearchHit>().0.as_ref(), Some(&hit));
}

#[test]
fn an_article_opens_in_the_app_beside_the_globe_and_esc_goes_back() {
    let server = loopback::loopback_server();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    // A 1600 x 900 photograph as outlets publish them.
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(1600, 900, |x, y| {
        image::Rgb([(x / 7) as u8, (y / 4) as u8, 90])
    })
    .write_to(&mut jpeg, image::ImageFormat::Jpeg)
    .unwrap();
    let jpeg = jpeg.into_inner();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let response = match request.url() {
                "/puerto.jpg" => tiny_http::Response::from_data(jpeg.clone()),
                _ => tiny_http::Response::from_string(pages::spanish_page(Some("/puerto.jpg")))
                    .with_header(
                        tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"text/html"[..])
                            .unwrap(),
                    ),
            };
            let _ = request.respond(response);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("news.sqlite");
    let now = newsglobe::news::now();
    let source = FeedSource {
        feed_url: format!("{base}/rss"),
        outlet: "El Diario".into(),
        country: "ESP".into(),
        language: "es".into(),
    };
    let item = FeedItem {
        link: Some(format!("{base}/puerto")),
        title: "Las lluvias cierran el puerto".into(),
        summary: "Los barcos esperan en el mar.".into(),
        published: Some(now - 600),
        ..Default::default()
    };
    let mut store = Store::open(&path).unwrap();
    newsglobe::news::ingest::store_items(&mut store, &source, &[item], now).unwrap();

    let mut app = app();
    app::add_news(
        &mut app,
        NewsOptions {
            store: StoreAt::File(path),
            catalog: Catalog::load(&Catalog::default_path()).unwrap(),
            refresh: Refresh::Never,
            translator: Arc::new(Translator::new(Backend::None, Default::default()).unwrap()),
            fetch_config: FetchConfig::default(),
            fetch_pages: true,
            stories: Stories::Clustered,
            sentence_model: None,
        },
    );
    let window = with_panels(&mut app);
    let spain = app.world().resource::<Atlas>().find("ESP").unwrap();
    app.world_mut().write_message(SelectCountry(Some(spain)));
    let listed = update_until(&mut app, |app| newest_listed(app, "ESP").is_some());
    assert!(listed, "Spain's article is listed");
    let article = newest_listed(&app, "ESP").unwrap();

    // What a click on its headline sends: the article opens, fetched from the outlet's page.
    app.world_mut().write_message(ReadArticle(article.clone()));
    let opened = update_until(&mut app, |app| {
        let page = app.world().resource::<News>().page.as_ref();
        page.is_some_and(|p| p.is_complete())
    });
    assert!(opened, "the page arrives");
    let page = app.world().resource::<News>().page.clone().unwrap();
    assert_eq!(page.article.id, article.id);
    let read = page.read.clone().unwrap().unwrap();
    assert_eq!(read.paragraphs.len(), 8, "{:?}", read.paragraphs);
    assert!(!read.text().contains("Portada"));
    // Translation is off here: the view says so and shows the Spanish as written.
    assert!(
        matches!(&page.translation, PageTranslation::Failed(why) if why.contains("off")),
        "{:?}",
        page.translation
    );
    // Its picture arrives, fitted to the view and kept on disk for the next time.
    let pictured = update_until(&mut app, |app| {
        let pictures = app.world().resource::<newsglobe::app::Pictures>();
        pictures.textures() == 1 && pictures.bytes() == 640 * 360 * 4
    });
    assert!(pictured, "the page's picture is shown");
    let kept = std::fs::read_dir(dir.path().join("pictures"))
        .unwrap()
        .count();
    assert_eq!(kept, 1, "one picture in the disk cache");
    // The view takes the right-hand side, wider than the country panel, and the globe keeps
    // the rest.
    for _ in 0..3 {
        app.update();
    }
    let free = app.world().resource::<UiCover>().free.unwrap();
    assert!(
        (560.0..720.0).contains(&free.max.x),
        "the article view beside the globe: {free:?}"
    );

    // Esc goes back to Spain's panel, not past it.
    key_taps(&mut app, window, &[], KeyCode::Escape);
    app.update();
    app.update();
    assert!(app.world().resource::<News>().page.is_none());
    assert_eq!(selected_id(&app).as_deref(), Some("ESP"));
    for _ in 0..3 {
        app.update();
    }
    let free = app.world().resource::<UiCover>().free.unwrap();
    assert!(free.max.x > 900.0, "the country panel again: {free:?}");

    // Opened again, it comes from the store; picking the country already selected (a search
    // hit, the finder) closes it too.
    app.world_mut().write_message(ReadArticle(article.clone()));
    let reopened = update_until(&mut app, |app| {
        let page = app.world().resource::<News>().page.as_ref();
        page.is_some_and(|p| matches!(&p.read, Some(Ok(read)) if read.paragraphs.len() == 8))
    });
    assert!(reopened, "the article opens again");
    app.world_mut().write_message(SelectCountry(Some(spain)));
    app.update();
    assert!(app.world().resource::<News>().page.is_none());
}

/// The globe's projection has the shape of its viewport in every frame, the one a panel
/// opens or closes in included: the frame between drew the globe squashed (issue 12).
#[test]
fn the_globe_is_never_drawn_squashed_as_panels_open_and_close() {
    let (mut app, _dir) = corpus_app("squash");
    with_panels(&mut app);
    let kenya = app.world().resource::<Atlas>().find("KEN").unwrap();
    let check = |app: &mut App, step: &str| {
        let mut cameras = app
            .world_mut()
            .query_filtered::<&Camera, With<newsglobe::app::GlobeCamera>>();
        let camera = cameras.single(app.world()).unwrap();
        let Some(viewport) = &camera.viewport else {
            return false;
        };
        let clip = camera.computed.clip_from_view;
        let drawn = clip.y_axis.y / clip.x_axis.x;
        let shape = viewport.physical_size.x as f32 / viewport.physical_size.y as f32;
        assert!(
            (drawn - shape).abs() < 0.01,
            "{step}: drawn {drawn:.3} wide to its height in a viewport of {shape:.3}"
        );
        true
    };
    let mut checked = 0;
    for _ in 0..10 {
        app.update();
        checked += usize::from(check(&mut app, "at rest"));
    }
    app.world_mut().write_message(SelectCountry(Some(kenya)));
    for _ in 0..90 {
        app.update();
        checked += usize::from(check(&mut app, "the panel opens, the globe flies"));
    }
    app.world_mut().write_message(SelectCountry(None));
    for _ in 0..30 {
        app.update();
        checked += usize::from(check(&mut app, "the panel closes"));
    }
    assert!(checked > 120, "only {checked} frames had a viewport");
}

fn rest(app: &App) -> Rest {
    *app.world().resource::<Rest>()
}

#[test]
fn the_app_draws_only_while_something_moves_and_wakes_for_the_idle_spin() {
    let mut app = app();
    app.update();
    let ukraine = app.world().resource::<Atlas>().find("UKR").unwrap();
    app.world_mut().write_message(SelectCountry(Some(ukraine)));
    // The flight starts where the view is: the frame after a rest spans the rest, not a step.
    let before = app.world().resource::<GlobeView>().center;
    app.update();
    assert!(!rest(&app).after_rest, "a flight asks for the next frame");
    assert_eq!(app.world().resource::<GlobeView>().center, before);
    app.update();
    assert_ne!(app.world().resource::<GlobeView>().center, before);
    let mut frames = 2;
    while !rest(&app).after_rest {
        app.update();
        frames += 1;
        assert!(frames < 400, "the flight never came to rest");
    }
    // Landed with a country picked: no spin, nothing to wake for but input and news.
    assert_eq!(rest(&app).wake_in, None);
    let landed = app.world().resource::<GlobeView>().center;
    for _ in 0..30 {
        app.update();
        assert_eq!(
            rest(&app),
            Rest {
                after_rest: true,
                wake_in: None
            }
        );
    }
    assert_eq!(app.world().resource::<GlobeView>().center, landed);

    // Nothing picked: the app sleeps until the idle spin is due, then draws it at 30 frames
    // a second.
    app.world_mut().write_message(SelectCountry(None));
    app.update();
    let wake_in = rest(&app).wake_in.expect("an alarm for the spin");
    assert!(rest(&app).after_rest);
    assert!(wake_in > 0.0 && wake_in <= 6.0, "{wake_in}");
    let spin_frame = Some(1.0 / 30.0);
    let mut waited = 0.0;
    while rest(&app).wake_in != spin_frame {
        app.update();
        waited += 0.016;
        assert!(waited < 7.0, "the spin never started");
    }
    let turning = app.world().resource::<GlobeView>().center;
    app.update();
    assert_ne!(app.world().resource::<GlobeView>().center, turning);
    assert_eq!(rest(&app).wake_in, spin_frame);
    assert!(
        !rest(&app).after_rest,
        "a spin's frames are its steps, not rests"
    );
}

#[test]
fn a_resting_kiosk_wakes_when_its_idle_clock_acts() {
    let (mut app, _dir) = kiosk_app("kiosk-rest", &["KEN"]);
    // Nobody there: the next thing to happen is the reset, 5 s after the last input (the
    // kiosk started an update, a quarter second, ago).
    app.update();
    let wake_in = rest(&app).wake_in.expect("an alarm for the reset");
    assert!((wake_in - 4.75).abs() < 0.01, "{wake_in}");
    run_for(&mut app, 5.0);
    assert_eq!(phase(&app), Phase::Rested);
}

#[test]
fn the_panels_let_the_app_rest_once_the_view_is_still() {
    let (mut app, _dir) = corpus_app("rest-panels");
    let window = with_panels(&mut app);
    pointer_in(&mut app, window, Vec2::new(300.0, 300.0));
    let kenya = app.world().resource::<Atlas>().find("KEN").unwrap();
    app.world_mut().write_message(SelectCountry(Some(kenya)));
    // The flight, the list's arrival and egui's own settling take a few hundred frames at
    // most; an egui that repaints on every frame's modifier report never rests.
    let mut frames = 0;
    while !(rest(&app).after_rest && app.world().resource::<News>().articles.is_some()) {
        app.update();
        frames += 1;
        assert!(
            frames < 600,
            "the app never came to rest with the panels open"
        );
    }
    for _ in 0..10 {
        app.update();
        assert!(
            rest(&app).after_rest,
            "a still app with its panels keeps resting"
        );
    }
    // The pass stores the UI's state only where a panel changed it, so what follows that
    // state (the globe's lit countries) does not run for a still frame.
    let ticks = |app: &App| {
        let world = app.world();
        (
            world.resource_ref::<WorldPanel>().last_changed(),
            world.resource_ref::<StoryFocus>().last_changed(),
            world.resource_ref::<Finder>().last_changed(),
            world.resource_ref::<ArticleFilters>().last_changed(),
        )
    };
    let before = ticks(&app);
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(
        ticks(&app),
        before,
        "a still pass leaves the UI's state unchanged"
    );
}

/// A story of five countries' takes whose first reports came at known hours: Kenya first,
/// then Uganda 2 h later, Tanzania at 6 h, Britain at 8 h and Japan at 20 h.
fn spreading_story(version_of: Option<&StoryView>) -> Arc<StoryView> {
    use newsglobe::news::world::Take;
    let start = 1_800_000_000;
    let firsts = [("KEN", 0), ("UGA", 2), ("TZA", 6), ("GBR", 8), ("JPN", 20)];
    let takes: Vec<Take> = firsts
        .iter()
        .enumerate()
        .map(|(i, &(country, hours))| Take {
            country: country.into(),
            articles: (0..2)
                .map(|j| Article {
                    id: (i * 10 + j) as i64,
                    feed_url: format!("https://{country}.example/rss"),
                    outlet: format!("{country} Times"),
                    country: country.into(),
                    language: "en".into(),
                    title: format!("Floods in the Rift Valley, report {j}"),
                    summary: String::new(),
                    title_en: None,
                    summary_en: None,
                    translated_by: None,
                    link: format!("https://{country}.example/{j}"),
                    image: None,
                    published: start + hours * 3600 + j as i64 * 7200,
                    first_seen: start + hours * 3600 + j as i64 * 7200,
                })
                .collect(),
        })
        .collect();
    let story = StoryView {
        id: 3,
        headline: takes[0].articles[0].clone(),
        articles: 10,
        first: start,
        last: start + 22 * 3600,
        blindspot: true,
        topics: Vec::new(),
        takes,
    };
    match version_of {
        // A newer version: the same story with another headline, and South Africa's take.
        Some(old) => {
            let mut newer = old.clone();
            newer.headline = newer.takes[1].articles[0].clone();
            let mut late = newer.takes[0].clone();
            late.country = "ZAF".into();
            for (n, article) in late.articles.iter_mut().enumerate() {
                article.id = 90 + n as i64;
                article.country = "ZAF".into();
                article.published = start + 21 * 3600;
                article.first_seen = article.published;
            }
            newer.takes.push(late);
            newer.articles += 2;
            Arc::new(newer)
        }
        None => Arc::new(story),
    }
}

fn first_lit(app: &App) -> Option<String> {
    let atlas = app.world().resource::<Atlas>();
    let first = app.world().resource::<Highlight>().first?;
    Some(atlas.countries[first].id.clone())
}

#[test]
fn a_storys_spread_plays_on_the_globe_country_by_country_and_the_scrubber_holds() {
    let (mut app, _dir) = news_app("spread", |_| {});
    // The idle spin would draw frames of its own.
    app.world_mut().resource_mut::<GlobeView>().idle_spin = 0.0;
    let story = spreading_story(None);
    app.world_mut().resource_mut::<StoryFocus>().0 = Some(story.clone());
    app.update();
    // Focused, the whole spread shows, still, the first reporter marked apart.
    let timeline = app.world().resource::<Timeline>().clone();
    assert_eq!((timeline.position, timeline.playing), (1.0, false));
    assert_eq!(lit(&app), ["GBR", "JPN", "KEN", "TZA", "UGA"]);
    assert_eq!(first_lit(&app).as_deref(), Some("KEN"));
    let still = |app: &App| rest(app).wake_in.is_none();
    assert!(still(&app), "a still timeline asks for no frames");

    // Play: from the start, Kenya alone, then each country at its share of the 20 hours.
    app.world_mut().write_message(TimelineControl::Play);
    app.update();
    assert_eq!(lit(&app), ["KEN"]);
    assert!(app.world().resource::<Timeline>().playing);
    let next = rest(&app).wake_in.expect("playing asks for its next frame");
    assert!(next > 0.0 && next <= 0.05, "{next}");
    let frame = 0.016;
    let mut order: Vec<(String, f32)> = Vec::new();
    let mut frames = 1;
    while app.world().resource::<Timeline>().playing {
        app.update();
        frames += 1;
        for country in lit(&app) {
            if !order.iter().any(|(c, _)| *c == country) && country != "KEN" {
                order.push((country, frames as f32 * frame));
            }
        }
        assert!(frames < 2_000, "the play ends");
    }
    let countries: Vec<&str> = order.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        countries,
        ["UGA", "TZA", "GBR", "JPN"],
        "in the order they reported"
    );
    for ((_, at), hours) in order.iter().zip([2.0, 6.0, 8.0, 20.0]) {
        let expected = hours / 20.0 * PLAY_SECONDS;
        assert!(
            (at - expected).abs() <= 2.0 * frame,
            "{at} s against {expected} s"
        );
    }
    assert_eq!(app.world().resource::<Timeline>().position, 1.0);
    assert_eq!(lit(&app).len(), 5);
    app.update();
    assert!(still(&app), "played through, it rests");

    // A drag to the middle (10 h) stops there; pausing holds a playing spread.
    app.world_mut().write_message(TimelineControl::Seek(0.5));
    app.update();
    assert_eq!(lit(&app), ["GBR", "KEN", "TZA", "UGA"]);
    app.world_mut().write_message(TimelineControl::Play);
    for _ in 0..10 {
        app.update();
    }
    app.world_mut().write_message(TimelineControl::Pause);
    app.update();
    let paused = app.world().resource::<Timeline>().position;
    assert!(paused > 0.5 && paused < 0.6, "{paused}");
    for _ in 0..10 {
        app.update();
    }
    assert_eq!(app.world().resource::<Timeline>().position, paused);
    // Nonsense from a slider is clamped, never a panic.
    app.world_mut()
        .write_message(TimelineControl::Seek(f32::NAN));
    app.update();
    assert_eq!(app.world().resource::<Timeline>().position, 1.0);
    app.world_mut().write_message(TimelineControl::Seek(-3.0));
    app.update();
    assert_eq!(lit(&app), ["KEN"]);

    // A newer version of the same story, with another headline and one more country, keeps
    // the scrubber where it was, and its timeline gains the country; another story starts
    // whole.
    let newer = spreading_story(Some(&story));
    app.world_mut().resource_mut::<StoryFocus>().0 = Some(newer.clone());
    app.update();
    assert_eq!(lit(&app), ["KEN"]);
    let timeline = app.world().resource::<Timeline>().clone();
    assert_eq!(timeline.position, 0.0);
    let reports = &timeline.telling.as_ref().unwrap().spread.reports;
    assert_eq!(reports.last().unwrap().country, "ZAF");
    let mut other = (*newer).clone();
    other.id = 4;
    other.takes.truncate(2);
    app.world_mut().resource_mut::<StoryFocus>().0 = Some(Arc::new(other));
    app.update();
    assert_eq!(lit(&app), ["KEN", "UGA"]);
    assert_eq!(app.world().resource::<Timeline>().position, 1.0);

    // Leaving the story lets the globe go back to its news.
    app.world_mut().resource_mut::<StoryFocus>().0 = None;
    app.update();
    assert!(lit(&app).is_empty());
    assert_eq!(first_lit(&app), None);
    assert!(app.world().resource::<Timeline>().telling.is_none());
    // With no story, the controls do nothing.
    app.world_mut().write_message(TimelineControl::Play);
    app.update();
    assert!(!app.world().resource::<Timeline>().playing);
}
