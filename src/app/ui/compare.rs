//! Two countries' takes on one story side by side: each column a country chosen from the
//! story's, what sets its take apart, when it first reported, and its articles in English.

use bevy_egui::egui;

use super::palette;
use super::state::{SideBySide, Timeline, UiActions};
use super::widgets::{article_link, count, framing_line, relative_time};
use crate::app::atlas::Atlas;
use crate::news::world::{StoryView, english};

/// The side-by-side view over everything, while the reader compares; closing it (the button,
/// Esc, a tap beside it) or opening one of its articles ends it.
pub(super) fn side_by_side(
    ctx: &egui::Context,
    compare: &mut SideBySide,
    timeline: &Timeline,
    atlas: &Atlas,
    out: &mut UiActions,
) {
    let Some((story, countries)) = &mut compare.0 else {
        return;
    };
    let story = story.clone();
    let name = |code: &str| {
        atlas
            .find(code)
            .map_or(code.to_owned(), |c| atlas.countries[c].name.clone())
    };
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
                            .selected_text(name(code))
                            .width(column.available_width().min(260.0))
                            .show_ui(column, |ui| {
                                for take in &story.takes {
                                    let country = take.country.clone();
                                    ui.selectable_value(code, country, name(&take.country));
                                }
                            });
                        take_column(column, &story, code, timeline, height, out);
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

/// One country's take: its first report, its framing, its articles.
fn take_column(
    ui: &mut egui::Ui,
    story: &StoryView,
    country: &str,
    timeline: &Timeline,
    height: f32,
    out: &mut UiActions,
) {
    let Some(take) = story.take(country) else {
        ui.weak("This country no longer covers the story.");
        return;
    };
    let telling = timeline.telling_of(story);
    if let Some(telling) = telling {
        let start = telling.spread.span().map_or(0, |(start, _)| start);
        let rank = telling
            .spread
            .reports
            .iter()
            .position(|r| r.country == country);
        if let Some(rank) = rank {
            let report = &telling.spread.reports[rank];
            let when = if rank == 0 {
                egui::RichText::new(format!("Reported it first, in {}", report.outlet))
                    .color(palette::FIRST_REPORTER)
            } else {
                egui::RichText::new(format!(
                    "Picked it up {} after the first report, in {}",
                    super::timeline::since_first(report.published - start).trim_start_matches('+'),
                    report.outlet
                ))
            };
            ui.label(when);
        }
    }
    framing_line(ui, telling.and_then(|t| t.framing_of(country)));
    ui.weak(count(take.articles.len(), "article", "articles"));
    let now = crate::news::now();
    egui::ScrollArea::vertical()
        .id_salt(("compare-articles", country))
        .max_height(height)
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
