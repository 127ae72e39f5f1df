//! The selection: the country picked and the one hovered, and the one message every way of
//! picking (taps, the panels, Esc, the kiosk, the command line) goes through.

use bevy::prelude::*;

use super::AppSystems;

/// The country under the pointer, if any.
#[derive(Resource, Default, Debug, PartialEq)]
pub struct Hovered(pub Option<usize>);

/// The selected country (an index into the atlas's countries), if any.
#[derive(Resource, Default, Debug, PartialEq)]
pub struct Selection(pub Option<usize>);

/// A request to select a country, or to clear the selection with `None`. Taps, the panel's
/// close button, Esc and the command line all go through this one message.
#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub struct SelectCountry(pub Option<usize>);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Hovered>()
        .init_resource::<Selection>()
        .add_message::<SelectCountry>()
        .add_systems(Update, apply_selection.in_set(AppSystems::Select));
}

/// The one place the selection changes: the last request of the frame wins.
pub(super) fn apply_selection(
    mut requests: MessageReader<SelectCountry>,
    mut selection: ResMut<Selection>,
) {
    if let Some(last) = requests.read().last() {
        selection.set_if_neq(Selection(last.0));
    }
}
