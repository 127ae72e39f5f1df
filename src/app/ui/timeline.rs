//! The story's timeline, under the globe while a story is in focus: play its spread or drag
//! through it, and the globe lights each country as it picked the story up, the first
//! reporter marked; every country in the order it reported, those not reached yet dimmed, and
//! a way to read two countries' takes side by side.

use bevy_egui::egui;

use super::palette;
use super::state::{SideBySide, StoryFocus, Timeline, TimelineControl, UiActions};
use super::widgets::{count, country_name};
use crate::app::atlas::Atlas;
use crate::news::spread::{FirstReport, delay};

/// How many rows of countries show before the list scrolls: the bar keeps one height while
/// a story plays, so the globe above it never resizes.
const REPORT_ROWS: f32 = 2.0;

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
    let bar = egui::Panel::bottom("timeline")
        .frame(frame)
        .show(root, |ui| {
            let reports = &telling.spread.reports;
            let reached = timeline.reached().len();
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
                if reports.len() >= 2
                    && ui
                        .button("Side by side")
                        .on_hover_text("Read two countries' takes next to each other")
                        .clicked()
                {
                    let mut takes = story.takes.iter().map(|t| t.country.clone());
                    if let (Some(a), Some(b)) = (takes.next(), takes.next()) {
                        compare.0 = Some([a, b]);
                    }
                }
                let when = timeline.time().unwrap_or(end);
                let said = format!(
                    "{} · {} of {}",
                    delay(when - start),
                    reached,
                    count(reports.len(), "country", "countries")
                );
                // The label first, from the right, so the slider takes what it leaves.
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(said);
                    ui.spacing_mut().slider_width = (ui.available_width() - 8.0).max(80.0);
                    let mut position = timeline.position;
                    let slider =
                        ui.add(egui::Slider::new(&mut position, 0.0..=1.0).show_value(false));
                    if slider.changed() {
                        out.timeline = Some(TimelineControl::Seek(position));
                    }
                });
            });
            // A wrapped row is as tall as the text or the touch target, whichever is taller.
            let text = ui.text_style_height(&egui::TextStyle::Body);
            let row = text.max(ui.spacing().interact_size.y) + ui.spacing().item_spacing.y;
            egui::ScrollArea::vertical()
                .id_salt("timeline-reports")
                .max_height(REPORT_ROWS * row)
                .show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.spacing_mut().item_spacing.x = 4.0;
                        for (rank, report) in reports.iter().enumerate() {
                            let name = country_name(atlas, &report.country);
                            reported(ui, rank, report, start, &name, rank < reached);
                        }
                    });
                });
        });
    bar.response.rect.height()
}

/// One country's first report, in the order of the spread: the first in the globe's mark for
/// it, the others with how long after it they reported, dimmed until the timeline reaches
/// them. The outlet and headline show on hover.
fn reported(
    ui: &mut egui::Ui,
    rank: usize,
    report: &FirstReport,
    start: i64,
    name: &str,
    reached: bool,
) {
    let shown = if rank == 0 {
        egui::RichText::new(format!("★ {name} first"))
            .color(palette::FIRST_REPORTER)
            .strong()
    } else {
        let text = egui::RichText::new(format!("· {name} {}", delay(report.published - start)));
        if reached { text } else { text.weak() }
    };
    ui.label(shown)
        .on_hover_text(format!("{}: {}", report.outlet, report.title));
}
