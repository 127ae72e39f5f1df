//! Where the app's data files are: the `assets/` folder, found without Bevy so that the news
//! and geography code can read their files from it too.

use std::path::PathBuf;

/// The `assets/` folder: beside the executable when installed, else the source tree's.
pub fn dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("assets")))
        .filter(|dir| dir.join("countries").is_dir())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets"))
}
