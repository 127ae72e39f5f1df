//! The status bar along the bottom: the help on the left and what the news is doing on the
//! right, each worded to fit the bar's width rather than cut off mid-word.

use bevy_egui::egui;

use super::widgets::relative_time;
use crate::app::news::NewsStatus;
use crate::news::language::language_name;

/// The feed and translation parts of the status joined, either of them possibly left out.
fn status_text(feeds: &str, translation: &str) -> String {
    [feeds, translation]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Who translates, from the fullest wording to none at all.
fn translation_status(status: &NewsStatus) -> Vec<String> {
    let mut wordings = match &status.translator {
        Some(by) if status.translation_failures.is_empty() => vec![format!("translation: {by}")],
        Some(by) => vec![
            format!(
                "translation: {by}, failing for {}",
                status
                    .translation_failures
                    .iter()
                    .map(|(language, _)| language_name(language))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!("translation: {by}, failing"),
        ],
        None => vec!["translation off".into()],
    };
    wordings.push(String::new());
    wordings
}

/// What the feeds are doing, from the fullest wording to the shortest; never empty.
fn feed_status(status: &NewsStatus, now: i64) -> Vec<String> {
    let nothing_stored = status.stored == Some(0);
    if status.store_error.is_some() && status.shared {
        vec![
            "Shared news store unreachable: showing what was read, reconnecting".into(),
            "Store unreachable: reconnecting".into(),
        ]
    } else if status.store_error.is_some() {
        vec![
            "News store unavailable (see the panel)".into(),
            "News store unavailable".into(),
        ]
    } else if status.restarting.is_some() {
        vec![
            "News updates paused after an error; retrying shortly".into(),
            "News paused; retrying".into(),
        ]
    } else if let Some((done, total)) = status.updating {
        let what = if nothing_stored {
            "Fetching the first news"
        } else {
            "Updating feeds"
        };
        vec![
            format!("{what}: {done} of {total}"),
            format!("Updating {done}/{total}"),
        ]
    } else if status.offline && nothing_stored {
        vec![
            "Offline: no news stored yet, and no feed can be reached".into(),
            "Offline: no news stored yet".into(),
            "Offline".into(),
        ]
    } else if status.offline {
        vec!["Offline: showing stored news".into(), "Offline".into()]
    } else if let Some(at) = status.last_update {
        let ago = relative_time(now - at);
        let (failing, total) = (status.failing_feeds, status.total_feeds);
        // A screen on a shared store says whose update it shows.
        let news = if status.shared {
            "Shared store"
        } else {
            "News"
        };
        match (failing, nothing_stored) {
            (0, false) => vec![format!("{news} updated {ago}"), format!("Updated {ago}")],
            (0, true) => vec![
                format!("Feeds read {ago}: no articles in them yet"),
                "No articles yet".into(),
            ],
            (n, false) => vec![
                format!("{news} updated {ago} · {n} of {total} feeds failing"),
                format!("Updated {ago} · {n} feeds failing"),
                format!("Updated {ago}"),
            ],
            (n, true) => vec![
                format!("No news stored yet: {n} of {total} feeds failing"),
                format!("No news yet: {n} feeds failing"),
            ],
        }
    } else if nothing_stored {
        vec!["No news stored yet".into()]
    } else {
        vec!["News not fetched yet".into()]
    }
}

/// The help beside the status, from the fullest wording to none at all.
fn help_wordings(kiosk: bool) -> Vec<String> {
    let wordings: &[&str] = if kiosk {
        &[
            "Drag to spin · pinch to zoom · tap a country to read its news",
            "Tap a country to read its news",
        ]
    } else {
        &[
            "Drag to spin · scroll or pinch to zoom · click a country · Ctrl+F finds one · \
             arrows, +/−, Home",
            "Drag to spin · scroll to zoom · Ctrl+F finds a country",
            "Ctrl+F finds a country",
        ]
    };
    wordings
        .iter()
        .map(|&w| w.to_owned())
        .chain([String::new()])
        .collect()
}

/// Which wording of each part to show so that they fit: `counts[i]` is how many wordings
/// part `i` has, fullest first; `fits` says whether a choice fits. Parts come most important
/// first: the last is shortened, down to its shortest, before the one before it is touched,
/// so the status keeps its words while the help gives way. If even the shortest do not fit,
/// the shortest are returned.
fn fit_wordings(counts: &[usize], fits: impl Fn(&[usize]) -> bool) -> Vec<usize> {
    let mut chosen = vec![0; counts.len()];
    while !fits(&chosen) {
        let Some(part) = (0..counts.len()).rev().find(|&i| chosen[i] + 1 < counts[i]) else {
            break;
        };
        chosen[part] += 1;
    }
    chosen
}

/// The status bar along the bottom of `root`; returns its height. Opaque, and taken from the
/// globe's viewport: text over a moving map is unreadable.
pub(super) fn status_bar(root: &mut egui::Ui, status: &NewsStatus, kiosk: bool) -> f32 {
    let frame = egui::Frame::side_top_panel(&root.ctx().global_style())
        .inner_margin(egui::Margin::symmetric(12, 6));
    let bar = egui::Panel::bottom("status")
        .frame(frame)
        .show(root, |ui| status_line(ui, status, kiosk));
    bar.response.rect.height()
}

/// The bar's line: the help on the left, the news status on the right, each worded to fit
/// the bar's width rather than cut off mid-word.
fn status_line(ui: &mut egui::Ui, status: &NewsStatus, kiosk: bool) {
    let feeds = feed_status(status, crate::news::now());
    let translation = translation_status(status);
    let help = help_wordings(kiosk);
    let gap = 24.0;
    let width = |text: &str| {
        egui::WidgetText::from(egui::RichText::new(text).weak())
            .into_galley(
                ui,
                Some(egui::TextWrapMode::Extend),
                f32::INFINITY,
                egui::TextStyle::Body,
            )
            .size()
            .x
    };
    let available = ui.available_width();
    let chosen = fit_wordings(&[feeds.len(), translation.len(), help.len()], |c| {
        let help = &help[c[2]];
        let help_width = if help.is_empty() {
            0.0
        } else {
            width(help) + gap
        };
        help_width + width(&status_text(&feeds[c[0]], &translation[c[1]])) <= available
    });
    let status = status_text(&feeds[chosen[0]], &translation[chosen[1]]);
    let help = &help[chosen[2]];
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        // Past the shortest wordings, a window too narrow for even those still elides the
        // text rather than letting it run under the panels.
        ui.add(egui::Label::new(egui::RichText::new(status).weak()).truncate());
        if !help.is_empty() {
            ui.add_space(gap - ui.spacing().item_spacing.x);
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                ui.add(egui::Label::new(egui::RichText::new(help).weak()).truncate());
            });
        }
    });
}

#[cfg(test)]
mod status_line_tests {
    use super::*;

    /// The status in its fullest wording.
    fn status_line(status: &NewsStatus, now: i64) -> String {
        status_text(&feed_status(status, now)[0], &translation_status(status)[0])
    }

    #[test]
    fn says_what_the_news_is_doing() {
        let mut status = NewsStatus {
            total_feeds: 224,
            ..Default::default()
        };
        assert_eq!(
            status_line(&status, 0),
            "News not fetched yet · translation off"
        );
        status.updating = Some((34, 224));
        status.translator = Some("Apertium".into());
        assert_eq!(
            status_line(&status, 0),
            "Updating feeds: 34 of 224 · translation: Apertium"
        );
        status.updating = None;
        status.last_update = Some(1000);
        status.failing_feeds = 12;
        assert_eq!(
            status_line(&status, 1600),
            "News updated 10 min ago · 12 of 224 feeds failing · translation: Apertium"
        );
        status.offline = true;
        status.translation_failures = vec![("ja".into(), "unsupported".into())];
        assert_eq!(
            status_line(&status, 1600),
            "Offline: showing stored news · translation: Apertium, failing for Japanese"
        );
        status.restarting = Some("feed parser bug".into());
        assert_eq!(
            status_line(&status, 1600),
            "News updates paused after an error; retrying shortly · translation: Apertium, \
             failing for Japanese"
        );
    }

    #[test]
    fn a_screen_on_a_shared_store_shows_its_update_and_says_when_it_is_unreachable() {
        let mut status = NewsStatus {
            total_feeds: 224,
            shared: true,
            stored: Some(9000),
            last_update: Some(1000),
            ..Default::default()
        };
        assert_eq!(
            feed_status(&status, 1600)[0],
            "Shared store updated 10 min ago"
        );
        status.store_error = Some("the shared news store at postgres://…: cannot connect".into());
        assert_eq!(
            feed_status(&status, 1600)[0],
            "Shared news store unreachable: showing what was read, reconnecting"
        );
    }

    #[test]
    fn an_empty_store_is_never_called_stored_news() {
        let mut status = NewsStatus {
            total_feeds: 8,
            fetching: true,
            stored: Some(0),
            ..Default::default()
        };
        assert_eq!(feed_status(&status, 0)[0], "No news stored yet");
        status.updating = Some((3, 8));
        assert_eq!(
            feed_status(&status, 0)[0],
            "Fetching the first news: 3 of 8"
        );
        status.updating = None;
        status.last_update = Some(0);
        status.failing_feeds = 8;
        status.offline = true;
        assert_eq!(
            feed_status(&status, 60)[0],
            "Offline: no news stored yet, and no feed can be reached"
        );
        status.offline = false;
        status.failing_feeds = 5;
        assert_eq!(
            feed_status(&status, 60)[0],
            "No news stored yet: 5 of 8 feeds failing"
        );
        status.failing_feeds = 0;
        assert_eq!(
            feed_status(&status, 60)[0],
            "Feeds read 1 min ago: no articles in them yet"
        );
        status.stored = Some(12);
        status.offline = true;
        assert_eq!(feed_status(&status, 60)[0], "Offline: showing stored news");
    }

    #[test]
    fn every_part_words_itself_shorter_and_only_the_extras_go() {
        let status = NewsStatus {
            total_feeds: 224,
            last_update: Some(0),
            failing_feeds: 12,
            stored: Some(500),
            translator: Some("Apertium".into()),
            translation_failures: vec![("ja".into(), "unsupported".into())],
            ..Default::default()
        };
        let feeds = feed_status(&status, 600);
        assert_eq!(
            feeds,
            [
                "News updated 10 min ago · 12 of 224 feeds failing",
                "Updated 10 min ago · 12 feeds failing",
                "Updated 10 min ago"
            ]
        );
        let translation = translation_status(&status);
        assert_eq!(translation.last().map(String::as_str), Some(""));
        for wordings in [
            feeds,
            translation,
            help_wordings(false),
            help_wordings(true),
        ] {
            let lengths: Vec<usize> = wordings.iter().map(|w| w.chars().count()).collect();
            assert!(lengths.is_sorted_by(|a, b| a > b), "{wordings:?}");
        }
        assert_eq!(status_text("Offline", ""), "Offline");
    }
}

#[cfg(test)]
mod fit_wordings_tests {
    use super::*;

    /// Fits the parts' wordings into `width` characters, a space between parts.
    fn fit<'a>(parts: &'a [&[&'a str]], width: usize) -> Vec<&'a str> {
        let counts: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        let chosen = fit_wordings(&counts, |c| {
            let words: Vec<&str> = (0..parts.len()).map(|i| parts[i][c[i]]).collect();
            words.iter().map(|w| w.len()).sum::<usize>() + words.len() - 1 <= width
        });
        (0..parts.len()).map(|i| parts[i][chosen[i]]).collect()
    }

    const PARTS: [&[&str]; 3] = [
        &["News updated 5 min ago", "Updated 5 min ago"],
        &["translation off", ""],
        &["Drag to spin · Ctrl+F finds one", "Ctrl+F finds one", ""],
    ];

    #[test]
    fn the_least_important_part_gives_way_first() {
        assert_eq!(fit(&PARTS, 200), [PARTS[0][0], PARTS[1][0], PARTS[2][0]]);
        assert_eq!(
            fit(&PARTS, 60),
            [PARTS[0][0], PARTS[1][0], "Ctrl+F finds one"]
        );
        assert_eq!(fit(&PARTS, 40), [PARTS[0][0], "translation off", ""]);
        assert_eq!(fit(&PARTS, 24), ["News updated 5 min ago", "", ""]);
        assert_eq!(fit(&PARTS, 20), ["Updated 5 min ago", "", ""]);
    }

    #[test]
    fn too_narrow_for_anything_gives_the_shortest() {
        assert_eq!(fit(&PARTS, 3), ["Updated 5 min ago", "", ""]);
    }
}
