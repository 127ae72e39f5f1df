//! The binary end to end: `locate` on stdin, and `screenshot` rendered under Xvfb with Mesa's
//! software Vulkan, checked pixel by pixel.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn newsglobe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsglobe"))
}

fn locate(args: &[&str], input: &str) -> (bool, String, String) {
    let mut child = newsglobe()
        .arg("locate")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn locate_prints_a_line_per_point() {
    let input = "50.4501 30.5234\n-29.3167 27.4833\n43.9356 12.4473\n30 -40\n-89.5 0\n";
    let (ok, out, err) = locate(&[], input);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "UKR\tUkraine",
            "LSO\tLesotho",
            "SMR\tSan Marino",
            "-",
            "ATA\tAntarctica"
        ]
    );
}

#[test]
fn locate_snaps_to_a_coast_within_the_distance_given() {
    let suva = "-18.1416 178.4419\n";
    let (_, exact, _) = locate(&[], suva);
    let (ok, snapped, err) = locate(&["--snap-km", "25"], suva);
    assert!(ok, "{err}");
    assert_eq!(exact.trim(), "-", "Suva lies just off the simplified coast");
    assert_eq!(snapped.trim(), "FJI\tFiji");
}

#[test]
fn locate_names_the_bad_line() {
    let (ok, _, err) = locate(&[], "10 20\nten 20\n");
    assert!(!ok);
    assert!(err.contains("line 2") && err.contains("\"ten\""), "{err}");
}

/// Whether this machine can render: an X display and a Vulkan driver. `.ci/run` provides
/// both and sets NEWSGLOBE_REQUIRE_RENDER=1, so there a missing one fails instead of skipping.
fn can_render() -> bool {
    let required = std::env::var_os("NEWSGLOBE_REQUIRE_RENDER").is_some();
    let display = std::env::var_os("DISPLAY").is_some();
    let vulkan = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"]
        .iter()
        .any(|dir| std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()));
    if display && vulkan {
        return true;
    }
    let why = if display {
        "no Vulkan driver (install mesa-vulkan-drivers)"
    } else {
        "no X display (run under xvfb-run)"
    };
    assert!(
        !required,
        "NEWSGLOBE_REQUIRE_RENDER is set but there is {why}"
    );
    eprintln!("skipping the screenshot test: {why}");
    false
}

fn pixel_share(
    img: &image::RgbImage,
    area: (u32, u32, u32, u32),
    test: impl Fn([u8; 3]) -> bool,
) -> f64 {
    let (x0, y0, x1, y1) = area;
    let mut hits = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            hits += test(img.get_pixel(x, y).0) as u32;
        }
    }
    hits as f64 / ((x1 - x0) * (y1 - y0)) as f64
}

#[test]
fn screenshot_of_brazil_selected() {
    if !can_render() {
        return;
    }
    let out: PathBuf =
        std::env::temp_dir().join(format!("newsglobe-bra-{}.png", std::process::id()));
    let data = std::env::temp_dir().join(format!("newsglobe-shot-{}", std::process::id()));
    let status = newsglobe()
        .args([
            "screenshot",
            "--select",
            "BRA",
            "--size",
            "960x540",
            "--out",
        ])
        .arg(&out)
        // An empty store of its own: the test must not read or write the user's news.
        .arg("--data-dir")
        .arg(&data)
        .args(["--translator", "none"])
        .status()
        .unwrap();
    std::fs::remove_dir_all(&data).ok();
    assert!(status.success());
    let img = image::open(&out).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (960, 540));
    // The panel is 340 px wide on the right; the globe's viewport is the 620 px left of it.
    let amber = |[r, g, b]: [u8; 3]| r > 190 && (100..200).contains(&g) && b < 90;
    let ocean = |[r, g, b]: [u8; 3]| b > 60 && b as i32 > r as i32 + 30 && b >= g;
    let land =
        |[r, g, b]: [u8; 3]| r > 70 && g > 70 && b > 40 && !amber([r, g, b]) && !ocean([r, g, b]);
    let space = |[r, g, b]: [u8; 3]| r < 25 && g < 25 && b < 35;
    let panel = |[r, g, b]: [u8; 3]| (20..40).contains(&r) && r == g && g == b;

    let centre = (300, 260, 320, 280);
    assert!(
        pixel_share(&img, centre, amber) > 0.9,
        "Brazil, highlighted, at the centre"
    );
    let viewport = (0, 0, 620, 500);
    assert!(
        pixel_share(&img, viewport, ocean) > 0.15,
        "ocean around Brazil"
    );
    assert!(
        pixel_share(&img, viewport, land) > 0.03,
        "neighbouring land in its own colours"
    );
    assert!(
        pixel_share(&img, (0, 0, 40, 40), space) > 0.9,
        "space in the corner"
    );
    assert!(
        pixel_share(&img, (640, 200, 950, 500), panel) > 0.8,
        "the side panel"
    );
    let text = |[r, g, b]: [u8; 3]| r > 110 && g > 110 && b > 110;
    assert!(
        pixel_share(&img, (630, 10, 800, 50), text) > 0.02,
        "the panel's heading"
    );
    std::fs::remove_file(out).ok();
}
