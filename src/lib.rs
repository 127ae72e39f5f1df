//! newsglobe: a 3D globe of the world's countries; pick one and read its own press in English.
//!
//! `geo` is plain Rust (no Bevy) for the countries and the sphere math, and `news` for the
//! feeds, the store and the stories; neither imports the other or the app. `assets` finds the
//! data folder both read. `app` holds the Bevy plugins; `cli` is the command line that
//! `main.rs` parses and runs.

pub mod app;
pub mod assets;
pub mod cli;
pub mod config;
pub mod geo;
pub mod news;
