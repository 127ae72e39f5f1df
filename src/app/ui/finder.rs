//! The country finder in the top-left corner: type a name, pick a match, fly there; and beside
//! it the buttons that open the world panel and leave the story in focus.

use bevy_egui::egui;

use super::state::{Finder, StoryFocus, UiActions, WorldPanel};
use crate::app::atlas::Atlas;
use crate::geo::find_countries;

/// How many matches the country finder offers.
const FIND_MATCHES: usize = 8;

/// The country finder: a text box in the top-left corner and, while it has text, the
/// matches below it. Up and Down choose, Enter flies there, Esc clears.
/// Beside it, the button that opens the world panel and, while a story is in focus and that
/// panel is closed, one that leaves the story: a touch screen has no Esc.
pub(super) fn finder_ui(
    ctx: &egui::Context,
    finder: &mut Finder,
    panel: &mut WorldPanel,
    focus: &mut StoryFocus,
    atlas: &Atlas,
    out: &mut UiActions,
) {
    if out.kiosk && panel.open {
        return;
    }
    egui::Area::new("finder".into())
        .order(egui::Order::Foreground)
        .fixed_pos(egui::pos2(12.0, 12.0))
        .show(ctx, |ui| {
            egui::Frame::popup(&ctx.global_style()).show(ui, |ui| {
                ui.set_width(260.0);
                if !panel.open
                    && ui
                        .button("🌐 The World's Current Take")
                        .on_hover_text("Top stories, blindspots and search")
                        .clicked()
                {
                    panel.open = true;
                }
                if !panel.open
                    && focus.0.is_some()
                    && ui
                        .button("✖ Leave the story")
                        .on_hover_text("Light up the news again instead of one story")
                        .clicked()
                {
                    focus.0 = None;
                }
                if out.kiosk {
                    return;
                }
                let edit = ui.add(
                    egui::TextEdit::singleline(&mut finder.text)
                        .hint_text("Find a country (Ctrl+F)")
                        .desired_width(f32::INFINITY),
                );
                if std::mem::take(&mut finder.focus) {
                    edit.request_focus();
                }
                if edit.changed() {
                    finder.chosen = 0;
                }
                let matches = find_countries(&atlas.countries, &finder.text);
                let matches = &matches[..matches.len().min(FIND_MATCHES)];
                if finder.text.trim().is_empty() {
                    return;
                }
                if matches.is_empty() {
                    ui.weak("No country by that name");
                    return;
                }
                let (down, up, enter, escape) = ui.input(|i| {
                    (
                        i.key_pressed(egui::Key::ArrowDown),
                        i.key_pressed(egui::Key::ArrowUp),
                        i.key_pressed(egui::Key::Enter),
                        i.key_pressed(egui::Key::Escape),
                    )
                });
                let focused = edit.has_focus() || edit.lost_focus();
                if focused && down {
                    finder.chosen = (finder.chosen + 1).min(matches.len() - 1);
                }
                if focused && up {
                    finder.chosen = finder.chosen.saturating_sub(1);
                }
                finder.chosen = finder.chosen.min(matches.len() - 1);
                let mut picked = (edit.lost_focus() && enter).then(|| matches[finder.chosen]);
                for (n, &country) in matches.iter().enumerate() {
                    let label =
                        ui.selectable_label(n == finder.chosen, &atlas.countries[country].name);
                    if label.clicked() {
                        picked = Some(country);
                    }
                }
                if let Some(country) = picked {
                    out.select = Some(Some(country));
                    finder.text.clear();
                    finder.chosen = 0;
                    edit.surrender_focus();
                } else if escape && focused {
                    finder.text.clear();
                }
            });
        });
}
