//! Articles' pictures on screen: asked for by the panels as they draw, fetched and decoded on
//! the news thread, turned into egui textures when they arrive, and dropped least recently
//! used first once they take more than [`PICTURE_BUDGET`] of memory.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// How long a picture that failed waits before it is asked for again: a kiosk that was
/// offline for a while should get its pictures back.
const RETRY_AFTER: Duration = Duration::from_secs(300);

/// A picture at the size it is shown.
type Key = (String, (u32, u32));

enum Entry {
    /// Asked of the news thread; nothing yet. `last_used` is the pass that last wanted it.
    Asked { last_used: u64 },
    /// Decoded, waiting for the next UI pass that wants it to make it a texture; `last_used`
    /// is the pass that last asked for it.
    Decoded {
        picture: Arc<Picture>,
        last_used: u64,
    },
    Shown {
        texture: egui::TextureHandle,
        bytes: usize,
        last_used: u64,
    },
    /// Why there is none, and when that was known; asked for again after [`RETRY_AFTER`].
    Failed(String, Instant),
}

impl Entry {
    /// Decoded bytes held, and the pass that last used them; `None` for an entry holding none.
    fn held(&self) -> Option<(usize, u64)> {
        match self {
            Entry::Decoded { picture, last_used } => Some((picture.bytes(), *last_used)),
            Entry::Shown {
                bytes, last_used, ..
            } => Some((*bytes, *last_used)),
            Entry::Asked { .. } | Entry::Failed(..) => None,
        }
    }
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
        let retry = matches!(self.entries.get(&key), Some(Entry::Failed(_, at)) if at.elapsed() > RETRY_AFTER);
        let entry = match self.entries.get_mut(&key) {
            Some(entry) if !retry => entry,
            _ => {
                self.entries
                    .insert(key.clone(), Entry::Asked { last_used: clock });
                self.wanted.push(key);
                return Shown::Loading;
            }
        };
        if let Entry::Decoded { picture, .. } = entry {
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
            Entry::Asked { last_used } | Entry::Decoded { last_used, .. } => {
                *last_used = clock;
                Shown::Loading
            }
            Entry::Shown {
                texture, last_used, ..
            } => {
                *last_used = clock;
                Shown::Ready(texture.id(), texture.size_vec2())
            }
            Entry::Failed(why, _) => Shown::Failed(why.clone()),
        }
    }

    /// Ends a UI pass: the pictures not used for longest, shown or waiting to be, go while
    /// the rest take more than the budget; never one this pass used.
    pub fn end_pass(&mut self) {
        let this_pass = self.clock;
        self.clock += 1;
        let mut used = self.bytes();
        if used <= PICTURE_BUDGET {
            return;
        }
        let mut held: Vec<(u64, usize, Key)> = self
            .entries
            .iter()
            .filter_map(|(key, entry)| {
                let (bytes, last_used) = entry.held()?;
                (last_used < this_pass).then(|| (last_used, bytes, key.clone()))
            })
            .collect();
        held.sort_by_key(|(last_used, ..)| *last_used);
        for (_, bytes, key) in held {
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
            .filter_map(|entry| Some(entry.held()?.0))
            .sum()
    }

    /// How many pictures are on screen as textures.
    pub fn textures(&self) -> usize {
        self.entries
            .values()
            .filter(|entry| matches!(entry, Entry::Shown { .. }))
            .count()
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
            let last_used = match entry {
                Entry::Asked { last_used }
                | Entry::Decoded { last_used, .. }
                | Entry::Shown { last_used, .. } => *last_used,
                Entry::Failed(..) => 0,
            };
            *entry = match picture {
                Ok(picture) => Entry::Decoded { picture, last_used },
                Err(why) => Entry::Failed(why, Instant::now()),
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

    #[test]
    fn pictures_that_arrive_after_their_panel_closed_go_too() {
        let ctx = egui::Context::default();
        let mut pictures = Pictures::default();
        // Asked for, then the reader moved on before any arrived: nothing draws them again.
        for i in 0..20 {
            pictures.get(&ctx, &format!("https://a/{i}.jpg"), ARTICLE_PICTURE);
            pictures.end_pass();
        }
        for i in 0..20 {
            pictures.arrived(
                format!("https://a/{i}.jpg"),
                ARTICLE_PICTURE,
                Ok(picture(1024)),
            );
        }
        // The one picture on screen now stays, and the budget holds.
        pictures.get(&ctx, "https://a/shown.jpg", ARTICLE_PICTURE);
        pictures.arrived(
            "https://a/shown.jpg".into(),
            ARTICLE_PICTURE,
            Ok(picture(1024)),
        );
        pictures.get(&ctx, "https://a/shown.jpg", ARTICLE_PICTURE);
        pictures.end_pass();
        assert!(pictures.bytes() <= PICTURE_BUDGET, "{}", pictures.bytes());
        assert_eq!(pictures.textures(), 1);
    }
}
