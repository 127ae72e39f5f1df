//! Article pictures: fetched over http(s) with a size cap, decoded (JPEG, PNG, WebP) within
//! limits, scaled down to the size they are shown at, and kept on disk so that an article
//! opened again, or offline, shows its picture without the network.
//!
//! A picture is untrusted bytes like any feed: its dimensions are checked before its pixels
//! are decoded (a small file can claim a huge image), and the decoder's memory is capped.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageBuffer, ImageFormat, ImageReader, Limits, Pixel};

use super::fetch::{self, FetchConfig, FetchError, Fetched};
use super::http;
use super::store::FeedState;

/// The largest picture file fetched.
pub const MAX_PICTURE_BYTES: usize = 10 * 1024 * 1024;
/// The largest picture decoded, per side: a camera's full frame is about 8,000 pixels.
pub const MAX_SIDE: u32 = 12_000;
/// The most memory the decoder may take for one picture.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// A decoded picture, scaled down: RGBA, 8 bits a channel, rows top to bottom.
#[derive(Clone, PartialEq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

// By hand: a picture's pixels are no use in a log or a test's failure.
impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({}x{})", self.width, self.height)
    }
}

impl Picture {
    /// What it takes in memory once decoded.
    pub fn bytes(&self) -> usize {
        self.rgba.len()
    }
}

/// Why a picture is not shown.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PictureError {
    #[error("not a web address: {0}")]
    NotWeb(String),
    #[error("the picture could not be fetched: {0}")]
    Fetch(#[from] FetchError),
    #[error("the picture could not be decoded: {0}")]
    Decode(String),
}

/// The fetch settings for pictures: a feed's, with the body capped at
/// [`MAX_PICTURE_BYTES`] and no retries (a reader is waiting).
pub fn picture_config(feeds: &FetchConfig) -> FetchConfig {
    FetchConfig {
        max_body_bytes: MAX_PICTURE_BYTES,
        retries: 0,
        ..feeds.clone()
    }
}

/// Decodes `bytes` (JPEG, PNG or WebP, told by their content, not by a name) and scales the
/// picture down to fit within `max_width` × `max_height`, keeping its proportions; a smaller
/// picture keeps its size.
pub fn decode_fitted(
    bytes: &[u8],
    max_width: u32,
    max_height: u32,
) -> Result<Picture, PictureError> {
    let bad = |e: &dyn std::fmt::Display| PictureError::Decode(e.to_string());
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| bad(&e))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        Some(other) => return Err(PictureError::Decode(format!("{other:?} is not shown"))),
        None => return Err(PictureError::Decode("not a picture".into())),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| bad(&e))?;
    let image = if image.width() > max_width || image.height() > max_height {
        halved_toward(image, max_width, max_height).thumbnail(max_width, max_height)
    } else {
        image
    };
    let rgba = image.to_rgba8();
    Ok(Picture {
        width: rgba.width(),
        height: rgba.height(),
        rgba: rgba.into_raw(),
    })
}

/// `image` halved in both directions, a 2 × 2 block to a pixel, for as long as the half is
/// still at least as large as the picture fitted within `max_width` × `max_height`. The
/// general resampler then has a quarter or less of the pixels to fit: it reads each pixel
/// through a bounds-checked accessor, and on a 1600-pixel photo it took as long as decoding.
/// Averaging blocks first changes the result by rounding only. Pictures of 8-bit RGB or RGBA
/// (what JPEG, WebP and most PNGs decode to) are halved; others go to the resampler as they
/// are.
fn halved_toward(mut image: DynamicImage, max_width: u32, max_height: u32) -> DynamicImage {
    // The fitted size, proportions kept, as `thumbnail` works it out, give or take a pixel.
    let (width, height) = (f64::from(image.width()), f64::from(image.height()));
    let scale = f64::min(f64::from(max_width) / width, f64::from(max_height) / height);
    let (fitted_width, fitted_height) = ((scale * width).ceil(), (scale * height).ceil());
    while f64::from(image.width() / 2) >= fitted_width
        && f64::from(image.height() / 2) >= fitted_height
    {
        image = match image {
            DynamicImage::ImageRgb8(buffer) => DynamicImage::ImageRgb8(halved(&buffer)),
            DynamicImage::ImageRgba8(buffer) => DynamicImage::ImageRgba8(halved(&buffer)),
            other => return other,
        };
    }
    image
}

/// An 8-bit picture at half its width and height (an odd last row or column dropped), each
/// pixel the rounded mean of a 2 × 2 block.
fn halved<P: Pixel<Subpixel = u8>>(source: &ImageBuffer<P, Vec<u8>>) -> ImageBuffer<P, Vec<u8>> {
    let channels = usize::from(P::CHANNEL_COUNT);
    let (width, height) = (source.width() / 2, source.height() / 2);
    let stride = source.width() as usize * channels;
    let row_bytes = width as usize * channels;
    let raw = source.as_raw();
    let mut out = vec![0u8; row_bytes * height as usize];
    for (y, row) in out.chunks_exact_mut(row_bytes.max(1)).enumerate() {
        let top = raw[2 * y * stride..][..stride].chunks_exact(2 * channels);
        let bottom = raw[(2 * y + 1) * stride..][..stride].chunks_exact(2 * channels);
        for ((pixel, top), bottom) in row.chunks_exact_mut(channels).zip(top).zip(bottom) {
            for (c, value) in pixel.iter_mut().enumerate() {
                let sum = u16::from(top[c])
                    + u16::from(top[channels + c])
                    + u16::from(bottom[c])
                    + u16::from(bottom[channels + c]);
                *value = ((sum + 2) / 4) as u8;
            }
        }
    }
    ImageBuffer::from_raw(width, height, out).expect("the buffer is width × height pixels")
}

/// Where pictures are kept on disk: in `pictures/` of the local data folder (beside a SQLite
/// store; see [`StoreAt::local_folder`](super::store::StoreAt::local_folder)).
pub fn cache_dir(local_folder: &Path) -> PathBuf {
    local_folder.join("pictures")
}

/// The picture at `url` fitted in `size`, if it was fetched at that size before.
pub fn cached(url: &str, cache: &Path, (max_width, max_height): (u32, u32)) -> Option<Picture> {
    let bytes = std::fs::read(cache_file(cache, url, (max_width, max_height))).ok()?;
    decode_fitted(&bytes, max_width, max_height).ok()
}

/// [`cached`], read and decoded off the runtime's workers.
pub async fn cached_off_runtime(url: &str, cache: &Path, size: (u32, u32)) -> Option<Picture> {
    let (url, cache) = (url.to_owned(), cache.to_owned());
    tokio::task::spawn_blocking(move || cached(&url, &cache, size))
        .await
        .ok()
        .flatten()
}

fn cache_file(cache: &Path, url: &str, (max_width, max_height): (u32, u32)) -> PathBuf {
    cache.join(format!("{:016x}-{max_width}x{max_height}.jpg", fnv(url)))
}

/// The picture at `url`, fitted within `max_width` × `max_height`: from the disk cache where
/// it was fetched at that size before, else fetched, decoded, fitted and cached.
pub async fn picture(
    client: &reqwest::Client,
    url: &str,
    config: &FetchConfig,
    cache: &Path,
    (max_width, max_height): (u32, u32),
) -> Result<Picture, PictureError> {
    let parsed = http::web_url(url).ok_or_else(|| PictureError::NotWeb(url.to_owned()))?;
    if let Some(picture) = cached_off_runtime(url, cache, (max_width, max_height)).await {
        return Ok(picture);
    }
    let file = cache_file(cache, url, (max_width, max_height));
    let bytes = match fetch::fetch(client, parsed.as_str(), &FeedState::default(), config).await? {
        Fetched::Body { bytes, .. } => bytes,
        Fetched::NotModified => return Err(FetchError::Status(304).into()),
    };
    // Decoding takes tens of milliseconds of CPU: off the runtime's workers.
    let cache = cache.to_owned();
    tokio::task::spawn_blocking(move || {
        let picture = decode_fitted(&bytes, max_width, max_height)?;
        keep(&cache, &file, &picture);
        Ok(picture)
    })
    .await
    .map_err(|e| PictureError::Decode(format!("the decoder stopped: {e}")))?
}

/// Keeps a fitted picture on disk as a JPEG (a tenth of a PNG's size for a photograph); a
/// cache that cannot be written costs only the next fetch.
fn keep(cache: &Path, file: &Path, picture: &Picture) {
    let Some(image) =
        image::RgbaImage::from_raw(picture.width, picture.height, picture.rgba.clone())
    else {
        return;
    };
    let _ = std::fs::create_dir_all(cache);
    let rgb = image::DynamicImage::ImageRgba8(image).to_rgb8();
    let _ = rgb.save_with_format(file, ImageFormat::Jpeg);
}

/// Deletes the kept pictures last written before `before` (Unix seconds), as the store
/// forgets their articles; returns how many went.
pub fn prune(cache: &Path, before: i64) -> usize {
    let Ok(files) = std::fs::read_dir(cache) else {
        return 0;
    };
    let cutoff = std::time::UNIX_EPOCH + std::time::Duration::from_secs(before.max(0) as u64);
    files
        .flatten()
        .filter(|file| {
            file.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified < cutoff)
        })
        .filter(|file| std::fs::remove_file(file.path()).is_ok())
        .count()
}

/// FNV-1a 64 of a URL: a file name for its picture.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod picture_tests {
    use super::*;

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        let mut bytes = Cursor::new(Vec::new());
        image.write_to(&mut bytes, format).unwrap();
        bytes.into_inner()
    }

    #[test]
    fn a_large_picture_is_fitted_and_keeps_its_proportions() {
        for format in [ImageFormat::Jpeg, ImageFormat::Png] {
            let picture = decode_fitted(&encoded(1600, 900, format), 640, 640).unwrap();
            assert_eq!((picture.width, picture.height), (640, 360), "{format:?}");
            assert_eq!(picture.bytes(), 640 * 360 * 4);
        }
        let small = decode_fitted(&encoded(200, 100, ImageFormat::Png), 640, 640).unwrap();
        assert_eq!((small.width, small.height), (200, 100));
    }

    #[test]
    fn halving_first_fits_a_picture_as_the_resampler_alone_does() {
        // A photo-like picture: smooth shading with fine detail on it.
        let photo = image::RgbaImage::from_fn(1601, 901, |x, y| {
            let shade = (x / 7 + y / 5) as u8;
            image::Rgba([shade, shade.wrapping_mul(3), (x ^ y) as u8, (y % 200) as u8])
        });
        let image = DynamicImage::ImageRgba8(photo);
        let direct = image.thumbnail(640, 400).to_rgba8();
        let halved = halved_toward(image.clone(), 640, 400);
        assert_eq!((halved.width(), halved.height()), (800, 450));
        let fitted = halved.thumbnail(640, 400).to_rgba8();
        assert_eq!(fitted.dimensions(), direct.dimensions());
        let differences: Vec<u8> = fitted
            .as_raw()
            .iter()
            .zip(direct.as_raw())
            .map(|(a, b)| a.abs_diff(*b))
            .collect();
        let mean =
            differences.iter().map(|&d| f64::from(d)).sum::<f64>() / differences.len() as f64;
        assert!(mean < 4.0, "mean difference {mean}");
        // A picture the fitted size of the box, or just over, is not halved.
        assert_eq!(
            halved_toward(image.thumbnail(700, 700), 640, 400).width(),
            700
        );
        let grey = DynamicImage::ImageLuma8(image::GrayImage::new(1600, 900));
        assert_eq!(halved_toward(grey, 640, 400).width(), 1600);
    }

    #[test]
    fn broken_and_other_files_are_refused_with_why() {
        // A JPEG decoder fills a cut-off scan with grey, as browsers do; a PNG's checksums and
        // a JPEG with no scan at all leave nothing to show.
        let png = encoded(300, 200, ImageFormat::Png);
        let jpeg = encoded(300, 200, ImageFormat::Jpeg);
        for broken in [&png[..png.len() / 2], &jpeg[..40]] {
            let decoded = decode_fitted(broken, 640, 640);
            assert!(
                matches!(decoded, Err(PictureError::Decode(_))),
                "{decoded:?}"
            );
        }
        let html = decode_fitted(b"<html><body>Not found</body></html>", 640, 640);
        assert_eq!(html, Err(PictureError::Decode("not a picture".into())));
    }

    #[test]
    fn kept_pictures_older_than_the_store_keeps_its_articles_go() {
        let scratch = tempfile::tempdir().unwrap();
        let cache = scratch.path().join("pictures");
        let picture = decode_fitted(&encoded(64, 48, ImageFormat::Png), 640, 400).unwrap();
        let file = cache_file(&cache, "https://a.example/p.jpg", (640, 400));
        keep(&cache, &file, &picture);
        let now = crate::news::now();
        assert_eq!(prune(&cache, now - 3600), 0, "written just now");
        assert_eq!(
            cached("https://a.example/p.jpg", &cache, (640, 400)).map(|p| p.width),
            Some(64)
        );
        assert_eq!(prune(&cache, now + 3600), 1);
        assert!(cached("https://a.example/p.jpg", &cache, (640, 400)).is_none());
    }

    #[test]
    fn a_picture_claiming_a_huge_size_is_refused_before_decoding() {
        // A PNG header for 60,000 x 60,000 pixels (14 GB decoded) and nothing else.
        let mut png = encoded(1, 1, ImageFormat::Png);
        png[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        // The header's checksum made right again, so the size is what is refused.
        let crc = png[12..29].iter().fold(!0u32, |crc, &byte| {
            (0..8).fold(crc ^ u32::from(byte), |c, _| {
                if c & 1 == 1 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                }
            })
        });
        png[29..33].copy_from_slice(&(!crc).to_be_bytes());
        let refused = decode_fitted(&png, 640, 640);
        assert!(
            matches!(refused, Err(PictureError::Decode(_))),
            "{refused:?}"
        );
    }
}
