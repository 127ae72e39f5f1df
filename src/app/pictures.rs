//! Articles' pictures on screen: asked for by the panels as they draw, fetched and decoded on
//! the news thread, turned into egui textures when they arrive, and dropped least recently
//! used first once they take more than [`PICTURE_BUDGET`] of memory.

use std::collections::HashMap;
use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::egui;

use crate::news::images::Picture;

/// The most memory the decoded pictures shown take together (RGBA, 4 bytes a pixel): about
/// 60 article pictures at 640 × 400, or 1,700 thumbnails.
pub const PICTURE_BUDGET: usize = 64 * 1024 * 1024;
/// The box an article view's picture is fitted in.
pub const ARTICLE_PICTURE: (u32, u32) = (640, 400);
/// The box a list's thumbnail is fitted in.
pub const THUMBNAIL: (u32, u32) = (96, 64);

/// A picture at the size it is shown.
type Key = (String, (u32, u32));

enum Entry {
    /// Asked of the news thread; nothing yet.
    Asked,
    /// Decoded, waiting for the next UI pass to make it a texture.
    Decoded(Arc<Picture>),
    Shown {
        texture: egui::TextureHandle,
        bytes: usize,
        last_used: u64,
    },
    /// Why there is none; not asked for again this run.
    Failed(String),
}

/// What a panel can draw of a picture now.
#[derive(Clone, Debug, PartialEq)]
pub enum Shown {
    /// Being fetched.
    Loading,
    Ready(egui::TextureId, egui::Vec2),
    Failed(String),
}

/// The pictures asked for, arrived or shown.
#[derive(Resource, Default)]
pub struct Pictures {
    entries: HashMap<Key, Entry>,
    /// Asked for since the news bridge last sent its requests.
    wanted: Vec<Key>,
    /// Counts UI passes, for least recently used.
    clock: u64,
}

impl Pictures {
    /// The picture at `url` fitted in `size`, as far as it has come: asked for the first time
    /// it is wanted, made a texture the first pass after it arrives.
    pub fn get(&mut self, ctx: &egui::Context, url: &str, size: (u32, u32)) -> Shown {
        let key = (url.to_owned(), size);
        let clock = self.clock;
        let entry = match self.entries.get_mut(&key) {
            Some(entry) => entry,
            None => {
                self.entries.insert(key.clone(), Entry::Asked);
                self.wanted.push(key);
                return Shown::Loading;
            }
        };
        if let Entry::Decoded(picture) = entry {
            let image = egui::ColorImage::from_rgba_unmultiplied(
                [picture.width as usize, picture.height as usize],
                &picture.rgba,
            );
            *entry = Entry::Shown {
                texture: ctx.load_texture(format!("picture-{url}"), image, Default::default()),
                bytes: picture.bytes(),
                last_used: clock,
            };
        }
        match entry {
            Entry::Asked | Entry::Decoded(_) => Shown::Loading,
            Entry::Shown {
                texture, last_used, ..
            } => {
                *last_used = clock;
                Shown::Ready(texture.id(), texture.size_vec2())
            }
            Entry::Failed(why) => Shown::Failed(why.clone()),
        }
    }

    /// Ends a UI pass: the pictures not used for longest go while the rest take more than
    /// the budget.
    pub fn end_pass(&mut self) {
        self.clock += 1;
        let mut used = self.bytes();
        if used <= PICTURE_BUDGET {
            return;
        }
        let mut shown: Vec<(u64, usize, Key)> = self
            .entries
            .iter()
            .filter_map(|(key, entry)| match entry {
                Entry::Shown {
                    bytes, last_used, ..
                } => Some((*last_used, *bytes, key.clone())),
                _ => None,
            })
            .collect();
        shown.sort_by_key(|(last_used, ..)| *last_used);
        for (_, bytes, key) in shown {
            if used <= PICTURE_BUDGET {
                break;
            }
            // Forgotten entirely: wanted again, it comes back from the disk cache.
            self.entries.remove(&key);
            used -= bytes;
        }
    }

    /// What the decoded pictures take in memory, shown or waiting to be.
    pub fn bytes(&self) -> usize {
        self.entries
            .values()
            .map(|entry| match entry {
                Entry::Decoded(picture) => picture.bytes(),
                Entry::Shown { bytes, .. } => *bytes,
                Entry::Asked | Entry::Failed(_) => 0,
            })
            .sum()
    }

    /// The pictures asked for since the last call, to fetch.
    pub fn take_wanted(&mut self) -> Vec<(String, (u32, u32))> {
        std::mem::take(&mut self.wanted)
    }

    /// Takes in a picture the news thread fetched, or why it could not.
    pub fn arrived(
        &mut self,
        url: String,
        size: (u32, u32),
        picture: Result<Arc<Picture>, String>,
    ) {
        let key = (url, size);
        // One forgotten meanwhile is not wanted any more.
        if let Some(entry) = self.entries.get_mut(&key) {
            *entry = match picture {
                Ok(picture) => Entry::Decoded(picture),
                Err(why) => Entry::Failed(why),
            };
        }
    }
}

#[cfg(test)]
mod pictures_tests {
    use super::*;

    fn picture(side: u32) -> Arc<Picture> {
        Arc::new(Picture {
            width: side,
            height: side,
            rgba: vec![128; (side * side * 4) as usize],
        })
    }

    #[test]
    fn a_picture_is_asked_for_once_and_shown_when_it_arrives() {
        let ctx = egui::Context::default();
        let mut pictures = Pictures::default();
        assert_eq!(
            pictures.get(&ctx, "https://a/1.jpg", THUMBNAIL),
            Shown::Loading
        );
        assert_eq!(
            pictures.get(&ctx, "https://a/1.jpg", THUMBNAIL),
            Shown::Loading
        );
        assert_eq!(
            pictures.take_wanted(),
            [("https://a/1.jpg".to_owned(), THUMBNAIL)]
        );
        assert!(pictures.take_wanted().is_empty());
        pictures.arrived("https://a/1.jpg".into(), THUMBNAIL, Ok(picture(64)));
        assert!(matches!(
            pictures.get(&ctx, "https://a/1.jpg", THUMBNAIL),
            Shown::Ready(_, size) if size == egui::vec2(64.0, 64.0)
        ));
        pictures.get(&ctx, "https://a/2.jpg", THUMBNAIL);
        pictures.arrived("https://a/2.jpg".into(), THUMBNAIL, Err("HTTP 404".into()));
        assert_eq!(
            pictures.get(&ctx, "https://a/2.jpg", THUMBNAIL),
            Shown::Failed("HTTP 404".into())
        );
        assert!(pictures.take_wanted().len() == 1, "only the second, once");
    }

    #[test]
    fn the_least_recently_used_go_first_once_over_the_budget() {
        let ctx = egui::Context::default();
        let mut pictures = Pictures::default();
        // 1024 x 1024 x 4 = 4 MiB each: 20 of them are over the 64 MiB budget.
        let side = 1024;
        for i in 0..20 {
            let url = format!("https://a/{i}.jpg");
            pictures.get(&ctx, &url, ARTICLE_PICTURE);
            pictures.arrived(url.clone(), ARTICLE_PICTURE, Ok(picture(side)));
            pictures.get(&ctx, &url, ARTICLE_PICTURE);
            // The first is looked at on every pass: it stays however old.
            pictures.get(&ctx, "https://a/0.jpg", ARTICLE_PICTURE);
            pictures.end_pass();
        }
        assert!(pictures.bytes() <= PICTURE_BUDGET, "{}", pictures.bytes());
        assert!(matches!(
            pictures.get(&ctx, "https://a/0.jpg", ARTICLE_PICTURE),
            Shown::Ready(..)
        ));
        assert!(matches!(
            pictures.get(&ctx, "https://a/19.jpg", ARTICLE_PICTURE),
            Shown::Ready(..)
        ));
        // The oldest of the rest was forgotten, and is asked for again when wanted.
        pictures.take_wanted();
        assert_eq!(
            pictures.get(&ctx, "https://a/1.jpg", ARTICLE_PICTURE),
            Shown::Loading
        );
        assert_eq!(pictures.take_wanted().len(), 1);
    }
}
