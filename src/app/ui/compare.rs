//! Two countries' takes on the story in focus side by side: each column a country chosen
//! from the story's, when it first reported, what sets its take apart, and its articles in
//! English.

use bevy_egui::egui;

use super::palette;
use super::state::{SideBySide, StoryFocus, Timeline, UiActions};
use super::widgets::{article_link, count, country_name, framing_line, relative_time};
use crate::app::atlas::Atlas;
use crate::news::spread::{Telling, delay};
use crate::news::world::{StoryView, english};

/// The side-by-side view over everything, while the reader compares; closing it (the button,
/// Esc, a tap beside it), opening one of its articles or leaving the story ends it.
pub(super) fn side_by_side(
    ctx: &egui::Context,
    compare: &mut SideBySide,
    focus: &StoryFocus,
    timeline: &Timeline,
    atlas: &Atlas,
    out: &mut UiActions,
) {
    let Some(countries) = &mut compare.0 else {
        return;
    };
    let Some(story) = focus.0.clone() else {
        compare.0 = None;
        return;
    };
    let telling = timeline.telling_of(&story);
    let width = (ctx.content_rect().width() - 96.0).clamp(320.0, 960.0);
    let height = (ctx.content_rect().height() - 260.0).max(160.0);
    let mut close = false;
    let modal = egui::Modal::new("side-by-side".into())
        .backdrop_color(palette::MODAL_BACKDROP)
        .show(ctx, |ui| {
            ui.set_width(width);
            let (title, _) = english(&story.headline);
            ui.label(egui::RichText::new(title).strong().size(18.0));
            ui.weak("Two countries' takes on this story, side by side.");
            ui.add_space(6.0);
            ui.columns(2, |columns| {
                for (side, column) in columns.iter_mut().enumerate() {
                    let code = &mut countries[side];
                    // Columns come justified; text reads better ragged.
                    let ragged = egui::Layout::top_down(egui::Align::Min);
                    column.with_layout(ragged, |column| {
                        egui::ComboBox::from_id_salt(("compare", side))
                            .selected_text(country_name(atlas, code))
                            .width(column.available_width().min(260.0))
                            .show_ui(column, |ui| {
                                for take in &story.takes {
                                    let name = country_name(atlas, &take.country);
                                    ui.selectable_value(code, take.country.clone(), name);
                                }
                            });
                        let view = Column {
                            story: &story,
                            telling,
                            side,
                            height,
                        };
                        view.show(column, code, out);
                    });
                }
            });
            ui.add_space(6.0);
            ui.vertical_centered(|ui| close = ui.button("Close").clicked());
        });
    if close || modal.should_close() || out.read.is_some() {
        compare.0 = None;
    }
}

/// What one column shows from: the story, its telling, which column it is and how tall its
/// list may be.
struct Column<'a> {
    story: &'a StoryView,
    telling: Option<&'a Telling>,
    side: usize,
    height: f32,
}

impl Column<'_> {
    /// One country's take: its first report, its framing, its articles.
    fn show(&self, ui: &mut egui::Ui, country: &str, out: &mut UiActions) {
        let Some(take) = self.story.take(country) else {
            ui.weak("This country no longer covers the story.");
            return;
        };
        if let Some(telling) = self.telling {
            let reports = &telling.spread.reports;
            let start = reports.first().map_or(0, |r| r.published);
            if let Some(report) = reports.iter().find(|r| r.country == country) {
                let after = report.published - start;
                let when = if report.country == reports[0].country {
                    egui::RichText::new(format!("Reported it first, in {}", report.outlet))
                        .color(palette::FIRST_REPORTER)
                } else if after < 60 {
                    egui::RichText::new(format!(
                        "Reported it as the first did, in {}",
                        report.outlet
                    ))
                } else {
                    egui::RichText::new(format!(
                        "Picked it up {} after the first report, in {}",
                        delay(after).trim_start_matches('+'),
                        report.outlet
                    ))
                };
                ui.label(when);
            }
            framing_line(ui, telling.framing_of(country));
        }
        ui.weak(count(take.articles.len(), "article", "articles"));
        let now = crate::news::now();
        egui::ScrollArea::vertical()
            .id_salt(("compare-articles", self.side))
            .max_height(self.height)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                for article in &take.articles {
                    let (title, summary) = english(article);
                    article_link(ui, title, true, article, out);
                    ui.weak(format!(
                        "{} · {}",
                        article.outlet,
                        relative_time(now - article.published)
                    ));
                    if !summary.is_empty() {
                        ui.label(summary);
                    }
                    ui.separator();
                }
            });
    }
}
