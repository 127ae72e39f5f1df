//! Fonts for every script the outlets write in, so a headline in Thai or Chinese shows its own
//! letters rather than empty boxes.
//!
//! egui's default fonts (Ubuntu-Light, Hack and two emoji fonts) cover Latin, Greek and
//! Cyrillic only. Once, on the first egui pass, this adds fallbacks behind them in both font
//! families: the bundled subsets of Noto in `assets/fonts` (made by `scripts/make-fonts.sh`,
//! see its README), and, for Chinese, Japanese and Korean, the system's full font where a
//! well-known one is installed, since the bundled CJK font keeps only the common characters.
//! Which font a character comes from, and text layout itself, are egui's business.
//!
//! The glyphs reach the screen through egui's font atlas, which grows as new text needs new
//! glyphs (each letter at each subpixel offset is one). Here the atlas's growth is made to
//! reach the GPU in the frame that first draws the new glyphs, not the frame after.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bevy::asset::AssetEventSystems;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPostUpdateSet, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, install.run_if(run_once));
    atlas_in_time(app);
}

/// bevy_egui writes the atlas's new glyphs into its texture (an `Image` asset) in
/// `PostProcessOutput`, and the renderer hears of a changed asset through the events that
/// `AssetEventSystems` sends, also in `PostUpdate` and with no order between the two. Where
/// the events went first, the change waited a frame to be sent, and the frame that first
/// showed "Updating feeds: 3 of 8" drew its new digits from the atlas as it was before them:
/// "Updating feeds:  of  8". Updating the texture first sends the change the same frame.
fn atlas_in_time(app: &mut App) {
    app.configure_sets(
        PostUpdate,
        EguiPostUpdateSet::PostProcessOutput.before(AssetEventSystems),
    );
}

/// The bundled subsets for the scripts besides CJK. Each keeps its script's whole Unicode
/// blocks, so a system copy of these would add nothing.
const BUNDLED_SCRIPTS: [&str; 9] = [
    "NotoSans-Regular-subset.ttf",
    "NotoSansArabic-Regular-subset.ttf",
    "NotoSansHebrew-Regular-subset.ttf",
    "NotoSansDevanagari-Regular-subset.ttf",
    "NotoSansBengali-Regular-subset.ttf",
    "NotoSansThai-Regular-subset.ttf",
    "NotoSansKhmer-Regular-subset.ttf",
    "NotoSansGeorgian-Regular-subset.ttf",
    "NotoSansEthiopic-Regular-subset.ttf",
];

/// The bundled CJK font: every Hangul syllable and kana, but only the 7,174 hanzi and kanji
/// that Chinese, Taiwanese and Japanese standards call common.
const BUNDLED_CJK: &str = "NotoSansCJKsc-Regular-subset.otf";

/// Full CJK fonts as the system installs them, with the face to use in each collection. Noto
/// Sans CJK's collections hold JP, KR, SC, TC and HK in that order; face 2, Simplified
/// Chinese, matches the bundled font. Each covers Chinese and kana; Korean needs a font of
/// its own on macOS and Windows.
#[cfg(target_os = "linux")]
const SYSTEM_CJK: &[(&str, u32)] = &[
    // Debian and Ubuntu (fonts-noto-cjk), then Arch (noto-fonts-cjk).
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
];
#[cfg(target_os = "macos")]
const SYSTEM_CJK: &[(&str, u32)] = &[
    ("/System/Library/Fonts/Hiragino Sans GB.ttc", 0),
    ("/System/Library/Fonts/AppleSDGothicNeo.ttc", 0),
];
#[cfg(target_os = "windows")]
const SYSTEM_CJK: &[(&str, u32)] = &[
    // Microsoft YaHei, then Malgun Gothic for Hangul.
    ("C:\\Windows\\Fonts\\msyh.ttc", 0),
    ("C:\\Windows\\Fonts\\malgun.ttf", 0),
];
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
const SYSTEM_CJK: &[(&str, u32)] = &[];

/// Where a font file comes from, which decides what its absence means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// Shipped in `assets/fonts`: missing means a broken install, worth a warning.
    Bundled,
    /// Installed by the system: most machines have only some of these, if any.
    System,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct FontFile {
    path: PathBuf,
    /// Which face of a collection (`.ttc`); 0 for a single font.
    face: u32,
    source: Source,
}

/// The font files to try, in the order egui should fall back on them after its own: the
/// bundled script fonts, then the system's CJK fonts, then the bundled CJK subset for what
/// those lack. System CJK fonts go after the script fonts so that these keep their scripts:
/// Noto Sans CJK, for one, has Vietnamese letters too, in a design unlike its other Latin.
fn font_files(bundled_dir: &Path) -> Vec<FontFile> {
    let bundled = |name: &str| FontFile {
        path: bundled_dir.join(name),
        face: 0,
        source: Source::Bundled,
    };
    let system = SYSTEM_CJK.iter().map(|&(path, face)| FontFile {
        path: PathBuf::from(path),
        face,
        source: Source::System,
    });
    BUNDLED_SCRIPTS
        .into_iter()
        .map(bundled)
        .chain(system)
        .chain([bundled(BUNDLED_CJK)])
        .collect()
}

fn install(mut contexts: EguiContexts) -> Result {
    contexts.ctx_mut()?.set_fonts(definitions());
    Ok(())
}

/// egui's fonts with the bundled and system fallbacks behind them.
pub(super) fn definitions() -> egui::FontDefinitions {
    let fonts = load(&font_files(&crate::assets::dir().join("fonts")));
    debug!(
        "font fallbacks: {:?}",
        fonts.iter().map(|(name, _)| name).collect::<Vec<_>>()
    );
    with_fallbacks(egui::FontDefinitions::default(), fonts)
}

/// The fonts among `files` that are there and that egui can open, each named by its path.
/// A few megabytes, read once.
fn load(files: &[FontFile]) -> Vec<(String, egui::FontData)> {
    files
        .iter()
        .filter_map(|file| {
            let data = match std::fs::read(&file.path) {
                Ok(data) => data,
                Err(err) => {
                    if file.source == Source::Bundled {
                        warn!("no bundled font {}: {err}", file.path.display());
                    }
                    return None;
                }
            };
            if face_offset(&data, file.face).is_none() {
                warn!(
                    "{} has no font face {} that egui can read; skipped",
                    file.path.display(),
                    file.face
                );
                return None;
            }
            let mut font = egui::FontData::from_owned(data);
            font.index = file.face;
            Some((file.path.display().to_string(), font))
        })
        .collect()
}

/// Where face `index` of an OpenType file or collection starts, if its header is sound.
///
/// egui panics on a font its parser (read-fonts) cannot open, so a file from the system is
/// checked first as that parser does: the collection header, if any, then the face's version
/// tag and table directory. Tables themselves are read lazily, and a bad one costs glyphs,
/// not the app.
fn face_offset(data: &[u8], index: u32) -> Option<usize> {
    let be_u32 = |at: usize| {
        let bytes = data.get(at..at.checked_add(4)?)?;
        Some(u32::from_be_bytes(bytes.try_into().ok()?))
    };
    // Offsets come from the file: checked arithmetic, so a hostile one cannot overflow.
    let face = if data.get(..4)? == b"ttcf" {
        let faces = be_u32(8)?;
        let offsets_end = usize::try_from(faces)
            .ok()?
            .checked_mul(4)?
            .checked_add(12)?;
        if index >= faces || offsets_end > data.len() {
            return None;
        }
        let offset_at = usize::try_from(index)
            .ok()?
            .checked_mul(4)?
            .checked_add(12)?;
        usize::try_from(be_u32(offset_at)?).ok()?
    } else if index == 0 {
        0
    } else {
        return None;
    };
    // TrueType outlines, CFF outlines ("OTTO"), or Apple's TrueType ("true").
    let known = matches!(be_u32(face)?, 0x0001_0000 | 0x4F54_544F | 0x7472_7565);
    let tables_at = face.checked_add(4)?;
    let tables = u16::from_be_bytes(data.get(tables_at..tables_at + 2)?.try_into().ok()?);
    let directory_end = face.checked_add(12 + 16 * usize::from(tables))?;
    (known && directory_end <= data.len()).then_some(face)
}

/// `definitions` with `fonts` added behind the fonts already there, in order, in both the
/// proportional and the monospace family: a fallback only draws what those before it lack.
fn with_fallbacks(
    mut definitions: egui::FontDefinitions,
    fonts: Vec<(String, egui::FontData)>,
) -> egui::FontDefinitions {
    for (name, font) in fonts {
        for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
            definitions
                .families
                .entry(family)
                .or_default()
                .push(name.clone());
        }
        definitions.font_data.insert(name, Arc::new(font));
    }
    definitions
}

#[cfg(test)]
mod atlas_in_time_tests {
    use bevy::ecs::schedule::Schedules;
    use bevy_egui::EguiPlugin;

    use super::*;

    /// Pairs of `PostUpdate` systems that write the egui atlas's texture and send the
    /// events that tell the renderer of it, with no order between them. Bevy lets every
    /// system touching an asset collection run in either order, so that allowance is lifted
    /// to see them.
    fn unordered(order: bool) -> Vec<(String, String)> {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, AssetPlugin::default()))
            .init_asset::<Image>()
            .init_asset::<bevy::shader::Shader>()
            .add_plugins(EguiPlugin::default());
        if order {
            atlas_in_time(&mut app);
        }
        let mut schedule = app
            .world_mut()
            .resource_mut::<Schedules>()
            .remove(PostUpdate)
            .unwrap();
        app.world_mut()
            .resource_mut::<Schedules>()
            .ignored_scheduling_ambiguities
            .clear();
        // Building the schedule moves its systems out of the graph: name them first.
        let names: std::collections::HashMap<_, String> = schedule
            .graph()
            .systems
            .iter()
            .map(|(key, system, _)| (key, system.name().to_string()))
            .collect();
        schedule.initialize(app.world_mut()).unwrap();
        schedule
            .graph()
            .conflicting_systems()
            .0
            .iter()
            .map(|(a, b, _)| (names[a].clone(), names[b].clone()))
            .filter(|(a, b)| {
                let pair = format!("{a} {b}");
                pair.contains("update_egui_textures_system")
                    && pair.contains("Image>::asset_events")
            })
            .collect()
    }

    #[test]
    fn the_atlas_texture_is_written_before_its_change_is_sent() {
        assert_ne!(
            unordered(false),
            [],
            "bevy_egui alone leaves them unordered"
        );
        assert_eq!(unordered(true), []);
    }
}

#[cfg(test)]
mod font_files_tests {
    use super::*;

    fn bundled_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/fonts")
    }

    #[test]
    fn every_bundled_font_is_in_assets() {
        for file in font_files(&bundled_dir()) {
            if file.source == Source::Bundled {
                assert!(file.path.is_file(), "missing {}", file.path.display());
            }
        }
    }

    #[test]
    fn every_font_in_assets_is_listed() {
        let listed = font_files(&bundled_dir());
        for entry in std::fs::read_dir(bundled_dir()).unwrap() {
            let path = entry.unwrap().path();
            let is_font = matches!(
                path.extension().and_then(|ext| ext.to_str()),
                Some("ttf" | "otf" | "ttc")
            );
            if is_font {
                assert!(
                    listed.iter().any(|file| file.path == path),
                    "{} is bundled but never loaded",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn system_cjk_comes_after_the_script_fonts_and_before_the_cjk_subset() {
        let files = font_files(Path::new("fonts"));
        let sources: Vec<Source> = files.iter().map(|file| file.source).collect();
        let scripts = BUNDLED_SCRIPTS.len();
        assert!(sources[..scripts].iter().all(|&s| s == Source::Bundled));
        assert!(
            sources[scripts..files.len() - 1]
                .iter()
                .all(|&s| s == Source::System)
        );
        assert_eq!(
            files.last().unwrap().path,
            Path::new("fonts").join(BUNDLED_CJK)
        );
    }
}

#[cfg(test)]
mod face_offset_tests {
    use super::*;

    fn thai() -> Vec<u8> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("assets/fonts")
            .join("NotoSansThai-Regular-subset.ttf");
        std::fs::read(path).unwrap()
    }

    /// A collection holding `font` as its only face.
    fn collection(font: &[u8]) -> Vec<u8> {
        let mut data = b"ttcf".to_vec();
        data.extend(0x0001_0000_u32.to_be_bytes());
        data.extend(1_u32.to_be_bytes());
        data.extend(16_u32.to_be_bytes());
        data.extend(font);
        data
    }

    #[test]
    fn a_font_has_face_zero_only() {
        let data = thai();
        assert_eq!(face_offset(&data, 0), Some(0));
        assert_eq!(face_offset(&data, 1), None);
    }

    #[test]
    fn a_collection_face_starts_where_its_header_says() {
        let data = collection(&thai());
        assert_eq!(face_offset(&data, 0), Some(16));
        assert_eq!(face_offset(&data, 1), None);
    }

    #[test]
    fn truncated_or_foreign_data_is_refused() {
        let data = thai();
        assert_eq!(face_offset(&data[..20], 0), None);
        assert_eq!(face_offset(&collection(&data)[..18], 0), None);
        assert_eq!(face_offset(b"\x89PNG\r\n\x1a\n and more bytes", 0), None);
        assert_eq!(face_offset(&[], 0), None);
    }
}

#[cfg(test)]
mod with_fallbacks_tests {
    use bevy_egui::egui::epaint::text::{Fonts, TextOptions};

    use super::*;

    /// A headline word or two in each script of the catalog's languages beyond Latin, and in
    /// the Latin, Greek and Cyrillic ones egui's defaults should keep covering.
    const SAMPLES: [(&str, &str); 22] = [
        ("Arabic", "الأخبار"),
        ("Persian", "اخبار ایران، می‌خواهد"),
        ("Urdu", "تازہ ترین خبریں"),
        ("Hebrew", "חדשות"),
        ("Hindi", "समाचार।"),
        ("Bengali", "সংবাদ।"),
        ("Thai", "ข่าว"),
        ("Khmer", "ព័ត៌មាន"),
        ("Georgian", "ახალი ამბები"),
        ("Amharic", "ዜና።"),
        ("Chinese", "新闻：中国经济“稳中有进”"),
        ("Chinese (Taiwan)", "新聞：臺灣總統選舉"),
        ("Japanese", "ニュース 新聞、東京"),
        ("Korean", "뉴스 속보: 똠얌꿍"),
        ("Greek", "Ειδήσεις"),
        ("Russian", "Новости"),
        ("Ukrainian", "Новини України, ґ"),
        ("Kazakh", "Жаңалықтар"),
        ("Vietnamese", "Tin tức thời sự"),
        ("Romanian", "Știri și ţări"),
        ("Turkish", "Haberler: İstanbul'da ğ ı ş"),
        ("Currencies", "₫ ₩ ₺ ₽ ₹"),
    ];

    fn bundled_definitions() -> egui::FontDefinitions {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/fonts");
        let bundled: Vec<FontFile> = font_files(&dir)
            .into_iter()
            .filter(|file| file.source == Source::Bundled)
            .collect();
        let fonts = load(&bundled);
        assert_eq!(fonts.len(), bundled.len(), "a bundled font did not load");
        with_fallbacks(egui::FontDefinitions::default(), fonts)
    }

    /// The samples egui cannot draw with `definitions`' proportional fonts.
    ///
    /// egui's `has_glyph` calls a character missing when the font that has it is also the one
    /// holding the replacement glyph '◻'. In the proportional family that is an emoji font,
    /// after Ubuntu-Light and before the fallbacks, so the check is exact there; in the
    /// monospace family it is Hack, the first font. Monospace is checked by having the same
    /// fonts (`both_families_fall_back_on_the_same_fonts`).
    fn uncovered(definitions: egui::FontDefinitions) -> Vec<&'static str> {
        // Building egui's fonts parses every file: it panics on one it cannot read.
        let mut fonts = Fonts::new(TextOptions::default(), definitions);
        let mut view = fonts.with_pixels_per_point(1.0);
        let font = egui::FontId::proportional(15.0);
        SAMPLES
            .iter()
            .filter(|(_, text)| !view.has_glyphs(&font, text))
            .map(|&(script, _)| script)
            .collect()
    }

    #[test]
    fn every_script_has_a_font() {
        assert_eq!(uncovered(bundled_definitions()), Vec::<&str>::new());
    }

    #[test]
    fn egui_alone_lacks_them() {
        let expected = [
            "Arabic",
            "Persian",
            "Urdu",
            "Hebrew",
            "Hindi",
            "Bengali",
            "Thai",
            "Khmer",
            "Georgian",
            "Amharic",
            "Chinese",
            "Chinese (Taiwan)",
            "Japanese",
            "Korean",
            "Vietnamese",
            "Currencies",
        ];
        assert_eq!(uncovered(egui::FontDefinitions::default()), expected);
    }

    #[test]
    fn both_families_fall_back_on_the_same_fonts() {
        let defaults = egui::FontDefinitions::default();
        let definitions = bundled_definitions();
        let proportional = &definitions.families[&egui::FontFamily::Proportional];
        let monospace = &definitions.families[&egui::FontFamily::Monospace];
        let fallbacks = &proportional[defaults.families[&egui::FontFamily::Proportional].len()..];
        assert_eq!(fallbacks.len(), BUNDLED_SCRIPTS.len() + 1);
        assert!(monospace.ends_with(fallbacks));
        // Every font of the proportional family is in the monospace one, so what the first
        // can draw the second can too.
        assert!(proportional.iter().all(|name| monospace.contains(name)));
    }
}
