//! The story's timeline, under the globe while a story is in focus: play its spread or drag
//! through it, and the globe lights each country as it picked the story up, the first
//! reporter marked; the countries reached so far in order, and a way to read two countries'
//! takes side by side.

use bevy_egui::egui;

use super::palette;
use super::state::{SideBySide, StoryFocus, Timeline, TimelineControl, UiActions};
use super::widgets::count;
use crate::app::atlas::Atlas;
use crate::news::spread::FirstReport;

/// The timeline bar, when a story is in focus; returns its height, for the globe's viewport.
pub(super) fn timeline_bar(
    root: &mut egui::Ui,
    focus: &StoryFocus,
    timeline: &Timeline,
    compare: &mut SideBySide,
    atlas: &Atlas,
    out: &mut UiActions,
) -> f32 {
    let Some(story) = &focus.0 else {
        return 0.0;
    };
    let Some(telling) = timeline.telling_of(story) else {
        return 0.0;
    };
    let Some((start, end)) = telling.spread.span() else {
        return 0.0;
    };
    let frame = egui::Frame::side_top_panel(&root.ctx().global_style())
        .inner_margin(egui::Margin::symmetric(12, 8));
    let name = |code: &str| {
        atlas
            .find(code)
            .map_or(code.to_owned(), |c| atlas.countries[c].name.clone())
    };
    let bar = egui::Panel::bottom("timeline")
        .frame(frame)
        .show(root, |ui| {
            let reached = timeline.reached();
            let all = telling.spread.reports.len();
            ui.horizontal(|ui| {
                let (label, control) = if timeline.playing {
                    ("⏸ Pause", TimelineControl::Pause)
                } else if timeline.position >= 1.0 {
                    ("▶ Play the spread", TimelineControl::Play)
                } else {
                    ("▶ Play", TimelineControl::Play)
                };
                if ui
                    .button(label)
                    .on_hover_text("Light up the countries in the order they picked the story up")
                    .clicked()
                {
                    out.timeline = Some(control);
                }
                let when = timeline.time().unwrap_or(end);
                let said = format!(
                    "{} · {} of {}",
                    since_first(when - start),
                    reached.len(),
                    count(all, "country", "countries")
                );
                let said_width = 190.0;
                let mut position = timeline.position;
                ui.spacing_mut().slider_width = (ui.available_width() - said_width).max(80.0);
                let slider = ui.add(egui::Slider::new(&mut position, 0.0..=1.0).show_value(false));
                if slider.changed() {
                    out.timeline = Some(TimelineControl::Seek(position));
                }
                ui.label(said);
            });
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing.x = 4.0;
                for (rank, report) in reached.iter().enumerate() {
                    reached_country(ui, rank, report, start, &name(&report.country));
                }
                if reached.len() < all {
                    ui.weak(format!("… {} to come", all - reached.len()));
                }
                if all >= 2 {
                    ui.add_space(8.0);
                    if ui
                        .small_button("Side by side")
                        .on_hover_text("Read two countries' takes next to each other")
                        .clicked()
                    {
                        let first_two = [0, 1].map(|i| story.takes[i].country.clone());
                        compare.0 = Some((story.clone(), first_two));
                    }
                }
            });
        });
    bar.response.rect.height()
}

/// One country reached, in the order of the spread: the first in the globe's mark for it,
/// the others with how long after it they reported.
fn reached_country(ui: &mut egui::Ui, rank: usize, report: &FirstReport, start: i64, name: &str) {
    let shown = if rank == 0 {
        egui::RichText::new(format!("★ {name} first"))
            .color(palette::FIRST_REPORTER)
            .strong()
    } else {
        egui::RichText::new(format!(
            "· {name} {}",
            since_first(report.published - start)
        ))
    };
    ui.label(shown)
        .on_hover_text(format!("{}: {}", report.outlet, report.title));
}

/// Time since the first report: "at first", "+45 min", "+3 h", "+2 d 4 h".
pub(super) fn since_first(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    match minutes {
        0 => "at first".into(),
        1..60 => format!("+{minutes} min"),
        60..1440 => format!("+{} h", minutes / 60),
        _ if minutes % 1440 / 60 == 0 => format!("+{} d", minutes / 1440),
        _ => format!("+{} d {} h", minutes / 1440, minutes % 1440 / 60),
    }
}

#[cfg(test)]
mod since_first_tests {
    use super::*;

    #[test]
    fn says_the_delay_in_the_largest_unit_that_fits() {
        let said = [
            0,
            59,
            60,
            45 * 60,
            3 * 3600 + 59 * 60,
            48 * 3600,
            52 * 3600,
            -1,
        ]
        .map(since_first);
        assert_eq!(
            said,
            [
                "at first", "at first", "+1 min", "+45 min", "+3 h", "+2 d", "+2 d 4 h", "at first"
            ]
        );
    }
}
