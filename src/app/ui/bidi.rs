//! Right-to-left text (Arabic, Hebrew, Persian, Urdu) for egui, which lays every line out
//! left to right: lines are broken in reading order and each is put in display order by the
//! Unicode bidirectional algorithm (UAX #9).
//!
//! egui 0.36 shapes text with harfrust, run by run, a run being the characters one font
//! draws: it joins Arabic letters and draws each Hebrew or Arabic run right to left, but it
//! knows nothing of the paragraph, so a sentence's words came out in their reading order
//! from left to right, the reverse of how they read. So a text with right-to-left letters
//! is wrapped here at the width available, in reading order (the first words on the first
//! line), and each line is reordered: runs in display order, right-to-left runs reversed
//! with their brackets mirrored, Latin names and numbers in their own order. Last, each run
//! of Hebrew or Arabic letters is turned back to reading order, for the shaper to reverse
//! and join. Text without right-to-left letters is left to egui as it is.

use std::ops::Range;

use bevy_egui::egui;
use unicode_bidi::{BidiClass, ParagraphBidiInfo, bidi_class};

/// Whether `text` holds letters written right to left, and so needs [`display_lines`].
pub fn has_rtl(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(bidi_class(c), BidiClass::R | BidiClass::AL))
}

/// Whether a paragraph runs right to left: its first letter with a strong direction is a
/// right-to-left one (UAX #9, rules P2 and P3).
pub fn is_rtl(text: &str) -> bool {
    text.chars()
        .map(bidi_class)
        .find(|class| matches!(class, BidiClass::L | BidiClass::R | BidiClass::AL))
        .is_some_and(|class| class != BidiClass::L)
}

/// `text` as lines in display order (left to right, as they appear on screen), each no
/// wider than `width` by `advance` (a character's width) where its words allow, and whether
/// its first paragraph runs right to left (and so wants its lines aligned right). Each `\n`
/// starts a paragraph.
pub fn display_lines(
    text: &str,
    width: f32,
    mut advance: impl FnMut(char) -> f32,
) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let bidi = ParagraphBidiInfo::new(paragraph, None);
        for line in wrap(paragraph, width, &mut advance) {
            lines.push(visual(paragraph, &bidi, line));
        }
    }
    (lines, is_rtl(text))
}

/// Breaks `text` into lines at spaces, greedily; a word wider than a line is cut where the
/// line is full. Ranges are in bytes and leave the breaking spaces out.
fn wrap(text: &str, width: f32, advance: &mut impl FnMut(char) -> f32) -> Vec<Range<usize>> {
    let space = advance(' ');
    let mut lines = Vec::new();
    let (mut start, mut end, mut used, mut filled) = (0, 0, 0.0, false);
    let mut word_start = 0;
    for word in text.split(' ') {
        let word_end = word_start + word.len();
        let word_width: f32 = word.chars().map(&mut *advance).sum();
        if filled && used + space + word_width <= width {
            (end, used) = (word_end, used + space + word_width);
        } else {
            if filled {
                lines.push(start..end);
            }
            (start, used) = (word_start, 0.0);
            for (i, c) in word.char_indices() {
                let w = advance(c);
                if used + w > width && word_start + i > start {
                    lines.push(start..word_start + i);
                    (start, used) = (word_start + i, 0.0);
                }
                used += w;
            }
            (end, filled) = (word_end, true);
        }
        word_start = word_end + 1;
    }
    if filled {
        lines.push(start..end);
    }
    lines
}

/// One line in display order: its level runs in visual order, right-to-left runs reversed
/// with their paired brackets mirrored.
fn visual(text: &str, bidi: &ParagraphBidiInfo, line: Range<usize>) -> String {
    if line.is_empty() {
        return String::new();
    }
    let (levels, runs) = bidi.visual_runs(line);
    let mut out = String::with_capacity(text.len());
    for run in runs {
        let piece = text[run.clone()].chars().filter(|&c| !is_control(c));
        if levels[run.start].is_rtl() {
            out.extend(piece.rev().map(mirror));
        } else {
            out.extend(piece);
        }
    }
    out
}

/// A display-order line as egui's shaper wants it: each run of Hebrew or Arabic script
/// (letters, their marks, Arabic digits) back in reading order, since the shaper reverses
/// such runs itself, joining Arabic letters as it goes.
pub fn for_shaper(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut run: Vec<char> = Vec::new();
    for c in line.chars() {
        let class = bidi_class(c);
        let rtl_script = matches!(class, BidiClass::R | BidiClass::AL | BidiClass::AN);
        if rtl_script || (class == BidiClass::NSM && !run.is_empty()) {
            run.push(c);
        } else {
            out.extend(run.drain(..).rev());
            out.push(c);
        }
    }
    out.extend(run.drain(..).rev());
    out
}

/// Direction marks and embeddings steer the algorithm and have no glyph of their own.
fn is_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The mirrored glyph of a paired bracket, which reads the other way in right-to-left runs.
fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        other => other,
    }
}

/// `text`'s lines as egui's shaper wants them, fitting `ui`'s width less `reserve` in `font`,
/// and the alignment their direction wants; `None` without right-to-left letters, for egui
/// to lay out itself.
fn laid_out(
    ui: &egui::Ui,
    text: &str,
    font: &egui::FontId,
    reserve: f32,
) -> Option<(Vec<String>, egui::Align)> {
    if !has_rtl(text) {
        return None;
    }
    // A hair narrower than the space, so that egui's own wrapping never breaks a line again
    // where its measure and ours differ by rounding.
    let width = (ui.available_width() - 2.0 - reserve).max(40.0);
    let (lines, rtl) =
        ui.fonts_mut(|fonts| display_lines(text, width, |c| fonts.glyph_width(font, c)));
    let align = if rtl {
        egui::Align::Max
    } else {
        egui::Align::Min
    };
    Some((lines.iter().map(|line| for_shaper(line)).collect(), align))
}

/// Text ready for an egui label in `font` within `ui`'s width: unchanged (egui wraps it)
/// without right-to-left letters; otherwise its display lines, joined by newlines, and the
/// alignment its direction wants.
pub fn for_ui(ui: &egui::Ui, text: &str, font: &egui::FontId) -> (String, Option<egui::Align>) {
    match laid_out(ui, text, font, 0.0) {
        None => (text.to_owned(), None),
        Some((lines, align)) => (lines.join("\n"), Some(align)),
    }
}

/// The first line of [`for_ui`]'s layout, with an ellipsis at its end (the left, for a
/// right-to-left line) when the text goes on: a one-line label that cuts right-to-left text
/// where its reading ends, not where it begins. `None` for text egui can truncate itself.
pub fn first_line(ui: &egui::Ui, text: &str, font: &egui::FontId) -> Option<(String, egui::Align)> {
    let ellipsis = ui.fonts_mut(|fonts| fonts.glyph_width(font, '…'));
    let (mut lines, align) = laid_out(ui, text, font, ellipsis)?;
    let more = lines.len() > 1;
    let mut line = lines.swap_remove(0);
    match (more, align) {
        (false, _) => {}
        (true, egui::Align::Max) => line.insert(0, '…'),
        (true, _) => line.push('…'),
    }
    Some((line, align))
}

/// Adds what `add` makes in a column whose rows sit flush to `align`'s side.
pub fn aligned<R>(
    ui: &mut egui::Ui,
    align: egui::Align,
    add: impl FnOnce(&mut egui::Ui) -> R,
) -> R {
    ui.with_layout(egui::Layout::top_down(align), add).inner
}

/// A wrapped label of `text` in `font`, styled by `style`, that reads right whatever its
/// direction: right-to-left paragraphs are laid out by [`for_ui`] and aligned right.
pub fn label(
    ui: &mut egui::Ui,
    text: &str,
    font: egui::FontId,
    style: impl FnOnce(egui::RichText) -> egui::RichText,
) -> egui::Response {
    let (shown, align) = for_ui(ui, text, &font);
    let rich = style(egui::RichText::new(shown).font(font));
    match align {
        None => ui.add(egui::Label::new(rich).wrap()),
        Some(align) => aligned(ui, align, |ui| {
            ui.add(egui::Label::new(rich).halign(align).extend())
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one unit wide.
    fn lines(text: &str, width: f32) -> Vec<String> {
        display_lines(text, width, |_| 1.0).0
    }

    fn reversed(word: &str) -> String {
        word.chars().rev().collect()
    }

    #[test]
    fn hebrew_reads_right_to_left_with_latin_and_numbers_kept_in_order() {
        // "The meeting in Paris in 2024 ended", with a Latin name and a number inside.
        let text = "הפגישה ב-Paris בשנת 2024 הסתיימה";
        assert!(is_rtl(text));
        let shown = lines(text, 100.0);
        assert_eq!(shown.len(), 1);
        let line = &shown[0];
        // The first word stands at the right end, the last at the left, each reversed for
        // drawing left to right; "Paris" and "2024" read left to right where they stand,
        // the later one further left.
        assert!(line.ends_with(&reversed("הפגישה")), "{line}");
        assert!(line.starts_with(&reversed("הסתיימה")), "{line}");
        let (paris, year) = (line.find("Paris").unwrap(), line.find("2024").unwrap());
        assert!(year < paris, "{line}");
    }

    #[test]
    fn a_right_to_left_paragraph_wraps_in_reading_order() {
        let text = "אחת שתיים שלוש ארבע";
        // Room for two words a line: the first two words make the first line.
        let shown = lines(text, 10.0);
        assert_eq!(shown, ["םייתש תחא", "עברא שולש"]);
    }

    #[test]
    fn arabic_words_and_its_digits_take_their_places() {
        // "The Knesset approves the 2024 budget" with Arabic-Indic digits.
        let text = "الكنيست يقر ميزانية ٢٠٢٤";
        let shown = lines(text, 100.0);
        // Display order: the last word (the year) on the left, its digits still reading
        // left to right; the first word on the right.
        assert!(shown[0].starts_with("٢٠٢٤ "), "{shown:?}");
        assert!(shown[0].ends_with(&reversed("الكنيست")), "{shown:?}");
    }

    #[test]
    fn the_shaper_gets_each_right_to_left_run_back_in_reading_order() {
        // It reverses Hebrew and Arabic runs (and Arabic digits) itself; Latin, spaces and
        // brackets stay where display order put them.
        assert_eq!(for_shaper("םולש (Paris) ٤٢٠٢"), "שלום (Paris) ٢٠٢٤");
        let line = &lines("שלום עולם", 100.0)[0];
        assert_eq!(for_shaper(line), "עולם שלום");
        assert_eq!(for_shaper("Talks resume"), "Talks resume");
    }

    #[test]
    fn brackets_in_right_to_left_text_are_mirrored() {
        let shown = lines("שלום (עולם)", 100.0);
        assert_eq!(shown, ["(םלוע) םולש"]);
    }

    #[test]
    fn left_to_right_text_with_a_hebrew_name_keeps_its_order() {
        let text = "Talks with ישראל resume";
        assert!(has_rtl(text) && !is_rtl(text));
        assert_eq!(lines(text, 100.0), ["Talks with לארשי resume"]);
    }

    #[test]
    fn a_word_longer_than_the_line_is_cut_and_nothing_is_lost() {
        let text = "אבגדהוזחטי קצר";
        let shown = lines(text, 4.0);
        let letters: usize = shown
            .iter()
            .map(|l| l.chars().filter(|c| *c != ' ').count())
            .sum();
        assert_eq!(letters, 13, "{shown:?}");
        assert!(shown.iter().all(|l| l.chars().count() <= 4), "{shown:?}");
    }

    /// Where egui draws each character of `text` in a label `width` points wide: (row, left
    /// edge, character), in drawing order.
    fn drawn(text: &str, width: f32) -> Vec<(usize, f32, char)> {
        let ctx = egui::Context::default();
        ctx.set_fonts(crate::app::ui::fonts::definitions());
        let mut glyphs = Vec::new();
        // Fonts set now take effect in the next pass.
        for _ in 0..2 {
            let input = crate::app::ui::egui_input(width, 400.0, Vec::new());
            let mut output = ctx.run_ui(input, |ui| {
                label(ui, text, egui::FontId::proportional(15.0), |t| t);
            });
            output.textures_delta.clear();
            glyphs.clear();
            for clipped in &output.shapes {
                if let egui::epaint::Shape::Text(shape) = &clipped.shape {
                    for (r, row) in shape.galley.rows.iter().enumerate() {
                        for glyph in &row.glyphs {
                            let x = shape.pos.x + row.pos.x + glyph.pos.x;
                            glyphs.push((r, x, glyph.chr));
                        }
                    }
                }
            }
        }
        glyphs
    }

    fn at(glyphs: &[(usize, f32, char)], c: char) -> (usize, f32) {
        let found = glyphs.iter().find(|g| g.2 == c);
        found
            .map(|g| (g.0, g.1))
            .unwrap_or_else(|| panic!("{c} drawn: {glyphs:?}"))
    }

    #[test]
    fn egui_draws_hebrew_words_right_to_left_flush_right_and_wrapped_in_reading_order() {
        // Each letter once, so that where it lands says which word went where: "peace",
        // "home", "fence", then words to fill a second line.
        let text = "שלום בית גדר צפע זך קט חנה אמץ סכן";
        let glyphs = drawn(text, 150.0);
        let (shin, final_mem, bet, tav) = (
            at(&glyphs, 'ש'),
            at(&glyphs, 'ם'),
            at(&glyphs, 'ב'),
            at(&glyphs, 'ת'),
        );
        assert_eq!(
            (shin.0, final_mem.0, bet.0),
            (0, 0, 0),
            "the first words on the first row"
        );
        assert!(shin.1 > final_mem.1, "a word reads from the right");
        assert!(
            final_mem.1 > bet.1 && bet.1 > tav.1,
            "the first word is the rightmost"
        );
        let rows = glyphs.iter().map(|g| g.0).max().unwrap();
        assert!(rows >= 1, "wrapped: {glyphs:?}");
        // Flush right: each row's last glyph ends near the label's right edge.
        let right = glyphs.iter().map(|g| g.1).fold(f32::MIN, f32::max);
        for row in 0..=rows {
            let last = glyphs
                .iter()
                .filter(|g| g.0 == row)
                .map(|g| g.1)
                .fold(f32::MIN, f32::max);
            assert!(right - last < 12.0, "row {row} flush right: {glyphs:?}");
        }
    }

    #[test]
    fn egui_draws_an_arabic_sentence_right_to_left() {
        // "The Knesset approves the budget": the first word rightmost.
        let glyphs = drawn("الكنيست يقر الميزانية", 300.0);
        let (kaf, qaf, zain) = (at(&glyphs, 'ك'), at(&glyphs, 'ق'), at(&glyphs, 'ز'));
        assert!(kaf.1 > qaf.1 && qaf.1 > zain.1, "{glyphs:?}");
    }

    #[test]
    fn untrusted_text_never_panics() {
        for text in [
            "",
            " ",
            "\n\n",
            "  א  ",
            "\u{202e}abc\u{202c}",
            "א\u{0}ב",
            "(((",
            "ب",
        ] {
            for width in [0.0, 1.0, 3.0, 1000.0] {
                let _ = display_lines(text, width, |_| 1.0);
            }
        }
        assert_eq!(lines("", 10.0), [""]);
        assert_eq!(lines("\u{202e}שלום\u{202c}", 10.0), ["םולש"]);
    }
}
