//! The drawing tier: full quality on a GPU, cheaper settings on a software renderer
//! (llvmpipe, lavapipe, WARP, SwiftShader), where every pixel of every pass costs CPU time.
//!
//! The tier is chosen once, at start: `--quality` or the config's `[display] quality` when
//! they say `low` or `high`, else from the adapter the renderer picked. The low tier draws
//! the lighter outline file unless `--geometry` names one (see [`Geometry::for_tier`]), and turns
//! off what costs most per pixel in software and least to the eye at desktop sizes:
//! multisampling (four samples a pixel, resolved in an extra pass), the tone-mapping lookup
//! (a 3D texture sampled for every pixel; Reinhard, a formula, takes its place) and the
//! debanding dither, on the globe's camera and on egui's.

use bevy::core_pipeline::tonemapping::{DebandDither, Tonemapping};
use bevy::prelude::*;
use bevy::render::renderer;
use bevy::render::settings::{RenderCreation, WgpuSettings};

use crate::config::Quality;

/// The tier in use: `Low` or `High`, never `Auto` once the app has started.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier(pub Quality);

/// The tier [`start_renderer`] settled, and what it was settled from, for the log.
#[derive(Debug, Clone)]
pub(super) struct Choice {
    pub tier: Quality,
    asked: Quality,
    adapter: String,
}

/// The tier's plugin: it logs the choice (the log exists once the default plugins are in)
/// and gives new cameras the tier's settings.
pub(super) fn plugin(choice: Choice) -> impl Fn(&mut App) {
    move |app: &mut App| {
        let how = if choice.asked == Quality::Auto {
            "chosen for"
        } else {
            "asked for, on"
        };
        info!("drawing tier: {:?} ({how} {})", choice.tier, choice.adapter);
        app.insert_resource(Tier(choice.tier))
            .add_systems(PostUpdate, fit_cameras_to_tier);
    }
}

/// Starts the renderer before the app is built, as Bevy's renderer plugin would (the window
/// does not exist yet either way), so that the tier is known while the world is still to be
/// loaded: the low tier also draws the lighter outlines. `asked` is `--quality` or the
/// config's choice.
pub(super) fn start_renderer(asked: Quality) -> (RenderCreation, Choice) {
    let settings = WgpuSettings::default();
    let backends = settings
        .backends
        .expect("wgpu's default settings name the platform's backends");
    let resources = bevy::tasks::block_on(renderer::initialize_renderer(backends, None, &settings));
    let info = &resources.2;
    let choice = Choice {
        // wgpu's `DeviceType` is not re-exported by Bevy; its name is stable.
        tier: choose(
            asked,
            is_software(format!("{:?}", info.device_type) == "Cpu", &info.name),
        ),
        asked,
        // Bevy logs the adapter when it starts the renderer itself; here its log is not up yet.
        adapter: format!(
            "{} ({:?}, {:?}, driver {} {})",
            info.name, info.device_type, info.backend, info.driver, info.driver_info
        ),
    };
    (RenderCreation::Manual(resources), choice)
}

/// The tier for `asked`: itself when it names one, else low on a software renderer.
pub fn choose(asked: Quality, software: bool) -> Quality {
    match asked {
        Quality::Auto if software => Quality::Low,
        Quality::Auto => Quality::High,
        chosen => chosen,
    }
}

/// Whether an adapter draws on the CPU: wgpu says so (`cpu`) of llvmpipe and lavapipe, and
/// its name gives away the others (WARP reports itself as an integrated GPU).
pub fn is_software(cpu: bool, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    cpu || [
        "llvmpipe",
        "lavapipe",
        "softpipe",
        "swiftshader",
        "microsoft basic render",
    ]
    .iter()
    .any(|soft| name.contains(soft))
}

/// Gives each new camera the tier's settings; a high tier keeps Bevy's.
fn fit_cameras_to_tier(
    mut commands: Commands,
    tier: Res<Tier>,
    cameras: Query<Entity, Added<Camera>>,
) {
    if tier.0 != Quality::Low {
        return;
    }
    for camera in &cameras {
        commands
            .entity(camera)
            .insert((Msaa::Off, Tonemapping::Reinhard, DebandDither::Disabled));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_renderers_get_the_low_tier_unless_asked_otherwise() {
        assert!(is_software(true, "llvmpipe (LLVM 15.0.6, 256 bits)"));
        assert!(is_software(false, "Microsoft Basic Render Driver"));
        assert!(is_software(false, "SwiftShader Device (Subzero)"));
        assert!(!is_software(false, "NVIDIA GeForce RTX 3060"));
        assert!(!is_software(false, "Intel(R) UHD Graphics 620"));
        assert_eq!(choose(Quality::Auto, true), Quality::Low);
        assert_eq!(choose(Quality::Auto, false), Quality::High);
        assert_eq!(choose(Quality::High, true), Quality::High);
        assert_eq!(choose(Quality::Low, false), Quality::Low);
    }

    /// A camera spawned into an app drawing in `tier`, after one update.
    fn camera_in(tier: Quality) -> (App, Entity) {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .insert_resource(Tier(tier))
            .add_systems(PostUpdate, fit_cameras_to_tier);
        let camera = app.world_mut().spawn(Camera::default()).id();
        app.update();
        (app, camera)
    }

    #[test]
    fn a_low_tier_camera_draws_without_multisampling_or_the_tone_mapping_lookup() {
        let (app, camera) = camera_in(Quality::Low);
        let entity = app.world().entity(camera);
        assert_eq!(entity.get::<Msaa>(), Some(&Msaa::Off));
        assert_eq!(entity.get::<Tonemapping>(), Some(&Tonemapping::Reinhard));
        assert_eq!(entity.get::<DebandDither>(), Some(&DebandDither::Disabled));

        let (app, camera) = camera_in(Quality::High);
        assert_ne!(app.world().entity(camera).get::<Msaa>(), Some(&Msaa::Off));
    }
}
