//! Opening an article's link in the system's browser, and saying so when none opens: a notice
//! with the link to copy and a QR code to scan, instead of a click that does nothing.
//!
//! egui's hyperlinks only ask for a link to be opened (an `OpenUrl` command in the pass's
//! output). bevy_egui's own opener reports a failure to the log alone, where a reader never
//! looks, so this takes those requests out of the output and opens them itself. In kiosk mode
//! nothing is opened at all: links show as QR codes there (`kiosk`).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::qr::qr_image;
use crate::app::AppMode;

/// Pixels per QR module in the notice: readable by a phone held to a desktop screen.
const QR_MODULE_PX: usize = 4;

/// Opens a link, or says why it could not.
type Open = fn(&str) -> Result<(), String>;

/// The platform's default browser: `$BROWSER`, the XDG default or a desktop's opener on
/// Linux, `open` on macOS, the shell on Windows. An error when none can be started.
fn open_in_browser(url: &str) -> Result<(), String> {
    webbrowser::open(url).map_err(|e| e.to_string())
}

/// A link that no browser opened, offered another way until the reader closes the notice.
#[derive(Resource, Default)]
pub struct UnopenedLink {
    pub url: Option<String>,
    /// Why it did not open.
    pub why: String,
    copied: bool,
    /// The link's QR code, made once per link; an error when the link cannot be one.
    qr: Option<(String, Result<egui::TextureHandle, String>)>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<UnopenedLink>();
}

/// Opens the links this pass's widgets asked for; runs after every widget that shows one.
pub(super) fn open_links(
    mut contexts: EguiContexts,
    mode: Res<State<AppMode>>,
    mut unopened: ResMut<UnopenedLink>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    // A kiosk's visitor has no browser to go to: its links show as QR codes instead.
    let opener: Option<Open> = (*mode.get() != AppMode::Kiosk).then_some(open_in_browser);
    if let Some((url, why)) = open_requested(ctx, opener) {
        warn!("cannot open {url}: {why}");
        *unopened = UnopenedLink {
            url: Some(url),
            why,
            ..default()
        };
    }
    Ok(())
}

/// Takes the links this pass asked to open out of its output and opens each with `opener`
/// (none: drops them, as a kiosk must); returns the last that failed, with why.
fn open_requested(ctx: &egui::Context, opener: Option<Open>) -> Option<(String, String)> {
    let mut urls = Vec::new();
    ctx.output_mut(|output| {
        output.commands.retain(|command| match command {
            egui::OutputCommand::OpenUrl(open) => {
                urls.push(open.url.clone());
                false
            }
            _ => true,
        });
    });
    let open = opener?;
    // A click asks for one link, and starting a browser is a process spawn, not a wait on
    // the network: done here, so that a failure shows in the same frame as the click.
    let mut failed = None;
    for url in urls {
        if let Err(why) = open(&url) {
            failed = Some((url, why));
        }
    }
    failed
}

/// The notice for a link no browser opened.
pub(super) fn unopened_notice(
    mut contexts: EguiContexts,
    mut unopened: ResMut<UnopenedLink>,
) -> Result {
    notice(contexts.ctx_mut()?, &mut unopened);
    Ok(())
}

fn notice(ctx: &egui::Context, unopened: &mut UnopenedLink) {
    let Some(url) = unopened.url.clone() else {
        unopened.qr = None;
        return;
    };
    if unopened.qr.as_ref().is_none_or(|(link, _)| *link != url) {
        let made = qr_image(&url, QR_MODULE_PX)
            .map(|image| ctx.load_texture("unopened-qr", image, egui::TextureOptions::NEAREST))
            .map_err(|e| e.to_string());
        unopened.qr = Some((url.clone(), made));
    }
    let mut close = false;
    let modal = egui::Modal::new("unopened-link".into()).show(ctx, |ui| {
        ui.set_width(420.0);
        ui.heading("Couldn't open a browser");
        ui.label(format!(
            "No web browser could be started for this article ({}). Copy its link, or scan \
             the code with a phone.",
            unopened.why
        ));
        ui.add_space(6.0);
        ui.add(egui::Label::new(egui::RichText::new(&url).monospace()).wrap());
        ui.add_space(6.0);
        match unopened.qr.as_ref().map(|(_, made)| made) {
            Some(Ok(code)) => {
                ui.vertical_centered(|ui| {
                    ui.add(egui::Image::new((code.id(), code.size_vec2())));
                });
            }
            Some(Err(e)) => {
                ui.weak(format!("No code for this link: {e}"));
            }
            None => {}
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let copy = if unopened.copied {
                "Copied"
            } else {
                "Copy link"
            };
            if ui.button(copy).clicked() {
                ui.ctx().copy_text(url.clone());
                unopened.copied = true;
            }
            close = ui.button("Close").clicked();
        });
    });
    if close || modal.should_close() {
        unopened.url = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://example.org/news/1";

    fn no_browser(_: &str) -> Result<(), String> {
        Err("No valid browsers detected".into())
    }

    fn a_browser(_: &str) -> Result<(), String> {
        Ok(())
    }

    fn screen() -> egui::RawInput {
        egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 720.0),
            )),
            ..Default::default()
        }
    }

    /// One pass in which a hyperlink is clicked and the requests are then handled with
    /// `opener`: what came back, and whether the output still asks egui's host to open it.
    fn click_link(ctx: &egui::Context, opener: Option<Open>) -> (Option<(String, String)>, bool) {
        let mut failed = None;
        let output = ctx.run_ui(screen(), |ui| {
            ui.ctx().open_url(egui::OpenUrl::same_tab(URL));
            failed = open_requested(ui.ctx(), opener);
        });
        let left = output
            .platform_output
            .commands
            .iter()
            .any(|c| matches!(c, egui::OutputCommand::OpenUrl(_)));
        output.drop_without_applying_deltas();
        (failed, left)
    }

    /// The texts a pass drew, with where.
    fn texts(output: &egui::FullOutput) -> Vec<(String, egui::Rect)> {
        output
            .shapes
            .iter()
            .filter_map(|clipped| match &clipped.shape {
                egui::Shape::Text(text) => Some((
                    text.galley.text().to_owned(),
                    text.galley.rect.translate(text.pos.to_vec2()),
                )),
                _ => None,
            })
            .collect()
    }

    /// Runs `passes` passes of the notice over `input`, returning the last pass's output.
    fn show(
        ctx: &egui::Context,
        unopened: &mut UnopenedLink,
        passes: usize,
        input: impl Fn() -> egui::RawInput,
    ) -> egui::FullOutput {
        let mut last = None;
        for _ in 0..passes {
            if let Some(output) = last.take() {
                egui::FullOutput::drop_without_applying_deltas(output);
            }
            last = Some(ctx.run_ui(input(), |ui| notice(ui.ctx(), unopened)));
        }
        last.unwrap()
    }

    #[test]
    fn a_link_no_browser_opens_is_said_and_offered_to_copy() {
        let ctx = egui::Context::default();
        let (failed, left) = click_link(&ctx, Some(no_browser));
        assert!(!left, "the request is handled here, not left to bevy_egui");
        let (url, why) = failed.expect("the failure is reported");
        assert_eq!(url, URL);
        let mut unopened = UnopenedLink {
            url: Some(url),
            why,
            ..Default::default()
        };
        let output = show(&ctx, &mut unopened, 3, screen);
        let drawn = texts(&output);
        egui::FullOutput::drop_without_applying_deltas(output);
        let shown = |wanted: &str| drawn.iter().find(|(text, _)| text.contains(wanted));
        assert!(shown("Couldn't open a browser").is_some(), "{drawn:?}");
        assert!(shown("No valid browsers detected").is_some(), "{drawn:?}");
        assert!(shown(URL).is_some(), "the link itself: {drawn:?}");
        assert!(
            matches!(&unopened.qr, Some((link, Ok(_))) if link == URL),
            "its QR code"
        );

        let (_, copy) = shown("Copy link").expect("a copy button").clone();
        let at = copy.center();
        let press = |pressed: bool| egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        };
        let click = || egui::RawInput {
            events: vec![egui::Event::PointerMoved(at), press(true), press(false)],
            ..screen()
        };
        let output = show(&ctx, &mut unopened, 1, click);
        let copied = output
            .platform_output
            .commands
            .iter()
            .any(|c| matches!(c, egui::OutputCommand::CopyText(text) if text == URL));
        egui::FullOutput::drop_without_applying_deltas(output);
        assert!(copied, "Copy link puts the link on the clipboard");
        assert!(unopened.copied);
        assert_eq!(
            unopened.url.as_deref(),
            Some(URL),
            "still shown until closed"
        );
    }

    #[test]
    fn a_link_a_browser_opens_shows_nothing_more() {
        let ctx = egui::Context::default();
        let (failed, left) = click_link(&ctx, Some(a_browser));
        assert_eq!(failed, None);
        assert!(!left, "opened once, here");
        let mut unopened = UnopenedLink::default();
        let output = show(&ctx, &mut unopened, 2, screen);
        assert!(texts(&output).is_empty());
        egui::FullOutput::drop_without_applying_deltas(output);
    }

    #[test]
    fn a_kiosk_opens_nothing() {
        let ctx = egui::Context::default();
        assert_eq!(click_link(&ctx, None), (None, false));
    }
}
