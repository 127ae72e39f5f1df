//! The app's systems without a window or renderer: `App` + `MinimalPlugins` + `update()`.
//!
//! A tap arrives as a world-space ray (what the pointer layer makes of a click); the test
//! follows it through the globe's rotation to a country, the selection, the fly-to and back.

use std::sync::Arc;
use std::time::Duration;

use bevy::input::ButtonState;
use bevy::input::InputPlugin;
use bevy::input::mouse::MouseButtonInput;
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use bevy::window::{CursorMoved, ExitCondition, WindowEvent, WindowPlugin};
use newsglobe::app::{
    self, Atlas, Geometry, Globe, GlobeTap, GlobeView, Hovered, News, NewsOptions, PointerRay,
    RecentCounts, SelectCountry, Selection,
};
use newsglobe::geo::LatLon;
use newsglobe::news::catalog::Catalog;
use newsglobe::news::store::Store;
use newsglobe::news::translate::{Backend, Translator};
use newsglobe::news::{FeedItem, FeedSource};

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
    let dir = std::env::temp_dir().join(format!("newsglobe-app-news-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("news.sqlite");
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
    store.insert_items(&source, &items, now).unwrap();
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
            store: path,
            catalog,
            refresh_every: Duration::from_secs(3600),
            translator: Arc::new(Translator::new(Backend::None, Default::default()).unwrap()),
            fetch: false,
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
            .is_some_and(|(c, _)| c == "UKR")
    });
    assert!(listed, "selecting Ukraine lists its articles");
    let news = app.world().resource::<News>();
    let titles: Vec<&str> = news
        .articles
        .as_ref()
        .unwrap()
        .1
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    assert_eq!(titles, ["Story 0", "Story 1", "Story 2"], "newest first");
    std::fs::remove_dir_all(&dir).ok();
}
