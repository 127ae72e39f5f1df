//! An article's link as a QR code in an egui image, so a kiosk visitor can take the story away
//! on a phone.
//!
//! It only makes the pixels: which link to show, the texture and where it is drawn are its
//! callers' (the kiosk's QR view, the notice for a link no browser opened).

use bevy_egui::egui::{Color32, ColorImage};
use qrcode::{EcLevel, QrCode};

/// The longest link encoded, in bytes. A QR code at level M holds at most 2,331 bytes, and
/// one that full is too dense to read off a screen from arm's length; feed links past this are
/// tracking noise more often than not.
pub const MAX_URL_BYTES: usize = 2000;

/// The biggest module accepted: 32 px makes even the densest code about 6,000 px square, and
/// anything larger is a mistake that would cost hundreds of megabytes.
pub const MAX_MODULE_PX: usize = 32;

/// The white margin around the code, in modules: the standard's minimum, which phones need to
/// find the code's edges against whatever is drawn around it.
const QUIET_ZONE: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the link is {len} bytes long; a QR code takes at most {MAX_URL_BYTES}")]
    TooLong { len: usize },
    #[error("a QR module of {module_px} px is outside 1..={MAX_MODULE_PX}")]
    ModuleSize { module_px: usize },
    #[error("the link of {len} bytes cannot be encoded as a QR code: {source}")]
    Encode {
        len: usize,
        source: qrcode::types::QrError,
    },
}

/// `url` as black modules on white, each `module_px` pixels square, inside the 4-module quiet
/// zone: an image `(modules + 8) × module_px` pixels on a side. Error correction is level M,
/// which survives the glare and smudges of a public touch screen without making the code much
/// denser.
pub fn qr_image(url: &str, module_px: usize) -> Result<ColorImage, QrError> {
    let len = url.len();
    if len > MAX_URL_BYTES {
        return Err(QrError::TooLong { len });
    }
    if !(1..=MAX_MODULE_PX).contains(&module_px) {
        return Err(QrError::ModuleSize { module_px });
    }
    let code = QrCode::with_error_correction_level(url, EcLevel::M)
        .map_err(|source| QrError::Encode { len, source })?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * module_px;
    let code_area = QUIET_ZONE..QUIET_ZONE + modules;
    let pixel = |x: usize, y: usize| {
        let (mx, my) = (x / module_px, y / module_px);
        let dark = code_area.contains(&mx)
            && code_area.contains(&my)
            && colors[(my - QUIET_ZONE) * modules + (mx - QUIET_ZONE)] == qrcode::Color::Dark;
        if dark { Color32::BLACK } else { Color32::WHITE }
    };
    let pixels = (0..side * side)
        .map(|i| pixel(i % side, i / side))
        .collect();
    Ok(ColorImage::new([side, side], pixels))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the one QR code in `image` back, as a phone would, checking it is level M.
    fn decode(image: &ColorImage) -> String {
        let [width, height] = image.size;
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
            image.pixels[y * width + x].r()
        });
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one code in the image");
        let (meta, text) = grids[0].decode().unwrap();
        // The format bits' value for M (L is 1, H 2, Q 3).
        assert_eq!(meta.ecc_level, 0, "error correction level M");
        text
    }

    fn modules(url: &str) -> usize {
        QrCode::with_error_correction_level(url, EcLevel::M)
            .unwrap()
            .width()
    }

    #[test]
    fn a_short_link_round_trips() {
        let url = "https://example.org/a";
        let image = qr_image(url, 4).unwrap();
        assert_eq!(image.size, [(modules(url) + 8) * 4; 2]);
        assert_eq!(decode(&image), url);
    }

    #[test]
    fn a_long_link_with_a_query_round_trips() {
        let base = "https://www.lemonde.fr/international/article/2026/01/15/\
                    l-%C3%A9t%C3%A9-%C3%A0-s%C3%A3o-paulo_6612345_3210.html\
                    ?utm_source=rss&utm_medium=feed&lang=fr&q=%E6%9D%B1%E4%BA%AC&ref=";
        let url = format!("{base}{}", "x".repeat(300 - base.len()));
        assert_eq!(url.len(), 300);
        for module_px in [3, 6] {
            let image = qr_image(&url, module_px).unwrap();
            assert_eq!(image.size, [(modules(&url) + 8) * module_px; 2]);
            assert_eq!(decode(&image), url, "{module_px} px modules");
        }
    }

    #[test]
    fn a_link_with_raw_non_ascii_round_trips() {
        let url = "https://de.wikipedia.org/wiki/Köln?ausgabe=München";
        assert_eq!(decode(&qr_image(url, 4).unwrap()), url);
    }

    #[test]
    fn black_on_white_inside_a_quiet_zone() {
        let module_px = 5;
        let image = qr_image("https://example.org/", module_px).unwrap();
        let side = image.size[0];
        let margin = QUIET_ZONE * module_px;
        for (i, p) in image.pixels.iter().enumerate() {
            assert!(*p == Color32::BLACK || *p == Color32::WHITE, "pixel {i}");
            let (x, y) = (i % side, i / side);
            let edge = |v: usize| v < margin || v >= side - margin;
            if edge(x) || edge(y) {
                assert_eq!(*p, Color32::WHITE, "quiet zone at ({x}, {y})");
            }
        }
        // The top-left finder pattern's corner module, just inside the quiet zone.
        assert_eq!(image.pixels[margin * side + margin], Color32::BLACK);
    }

    #[test]
    fn the_longest_link_still_encodes() {
        let url = format!("https://example.org/?q={}", "a".repeat(MAX_URL_BYTES - 23));
        assert_eq!(url.len(), MAX_URL_BYTES);
        let image = qr_image(&url, 2).unwrap();
        assert_eq!(decode(&image), url);
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let long = "a".repeat(MAX_URL_BYTES + 1);
        let e = qr_image(&long, 4).unwrap_err();
        assert!(matches!(e, QrError::TooLong { len: 2001 }), "{e:?}");
        assert_eq!(
            e.to_string(),
            "the link is 2001 bytes long; a QR code takes at most 2000"
        );
        let e = qr_image("https://example.org/", 0).unwrap_err();
        assert!(matches!(e, QrError::ModuleSize { module_px: 0 }), "{e:?}");
        assert!(qr_image("https://example.org/", MAX_MODULE_PX + 1).is_err());
        assert!(
            qr_image("", 4).is_ok(),
            "an empty link is odd but encodable"
        );
    }
}
