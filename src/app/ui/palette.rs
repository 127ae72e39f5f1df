//! The UI's few colours of its own, named once; egui's dark theme gives the rest (text,
//! panels, buttons, the placeholders of pictures still coming).

use bevy_egui::egui::Color32;

/// Light blue for small text beside the body: topic tags, and the kiosk card's invitation
/// to touch the globe.
pub const ACCENT: Color32 = Color32::from_rgb(150, 200, 230);
/// Amber for what the reader should notice: an article not translated yet, a page or a
/// translation that failed, a story no US outlet carries.
pub const ATTENTION: Color32 = Color32::from_rgb(230, 180, 90);
/// The kiosk's attract card: dark enough to read white headlines over the globe.
pub const CARD_FILL: Color32 = Color32::from_black_alpha(215);
/// Behind the kiosk's QR code: the view dimmed, so the code stands out.
pub const MODAL_BACKDROP: Color32 = Color32::from_black_alpha(170);
/// The country that reported a story first: the globe's mark for it, so the timeline's name
/// and the globe's country read as one.
pub const FIRST_REPORTER: Color32 = {
    let first = crate::app::globe::FIRST;
    Color32::from_rgb(
        (first.red * 255.0) as u8,
        (first.green * 255.0) as u8,
        (first.blue * 255.0) as u8,
    )
};
