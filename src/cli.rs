//! The command line: the app by default, and the headless `locate`, `screenshot` and
//! `bench-render` commands.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use bevy::math::UVec2;
use clap::{Args, Parser, Subcommand};

use crate::app::{self, AppOptions, Geometry, Mode};
use crate::geo::{self, CountryIndex, LatLon};

#[derive(Parser, Debug)]
#[command(version, about = "A 3D globe of the world's countries and their news")]
pub struct Cli {
    #[command(flatten)]
    pub geometry: GeometryArg,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone, Copy)]
pub struct GeometryArg {
    /// Country outline detail: `default` (~90k vertices) or `low` (~11k).
    #[arg(long, value_enum, default_value_t = Geometry::Default, global = true)]
    pub geometry: Geometry,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read `LAT LON` lines on stdin; print `ADM0_A3<TAB>name`, or `-` for open sea.
    Locate {
        /// A point at sea takes the nearest country within this many kilometres.
        #[arg(long, value_name = "K")]
        snap_km: Option<f64>,
    },
    /// Render the app once, save the picture and exit.
    Screenshot {
        #[arg(long, value_name = "FILE.png")]
        out: PathBuf,
        /// Select this country (its ADM0_A3 code, e.g. BRA) before the picture is taken.
        #[arg(long, value_name = "ADM0_A3")]
        select: Option<String>,
        #[arg(long, value_name = "WxH", default_value = "1280x720", value_parser = parse_size)]
        size: UVec2,
    },
    /// Spin the globe for a number of frames and print frame times and peak memory.
    BenchRender {
        #[arg(long, default_value_t = 300)]
        frames: u32,
        #[arg(long, value_name = "WxH", default_value = "1280x720", value_parser = parse_size)]
        size: UVec2,
    },
}

fn parse_size(text: &str) -> Result<UVec2, String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("{text:?} is not WIDTHxHEIGHT"))?;
    let parse = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|&v| (64..=8192).contains(&v))
            .ok_or_else(|| format!("{s:?} is not a size between 64 and 8192 pixels"))
    };
    Ok(UVec2::new(parse(w)?, parse(h)?))
}

/// Runs what the command line asks for.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let launched = Instant::now();
    let geometry = cli.geometry.geometry;
    let app = |mode, size| {
        app::run(AppOptions {
            geometry,
            mode,
            size,
            launched,
        })
    };
    match cli.command {
        None => app(Mode::Interactive, UVec2::new(1280, 800)),
        Some(Command::Locate { snap_km }) => {
            let countries = geo::load_countries_file(&geometry.path())?;
            let index = CountryIndex::new(&countries, geo::MAX_EDGE_DEG);
            let stdin = std::io::stdin().lock();
            let mut stdout = std::io::stdout().lock();
            locate(stdin, &mut stdout, &countries, &index, snap_km)
        }
        Some(Command::Screenshot { out, select, size }) => {
            app(Mode::Screenshot { out, select }, size)
        }
        Some(Command::BenchRender { frames, size }) => app(Mode::BenchRender { frames }, size),
    }
}

/// The `locate` command over any reader and writer.
pub fn locate(
    input: impl BufRead,
    mut output: impl Write,
    countries: &[geo::Country],
    index: &CountryIndex,
    snap_km: Option<f64>,
) -> anyhow::Result<()> {
    if let Some(km) = snap_km
        && !(km >= 0.0 && km.is_finite())
    {
        bail!("--snap-km must be a distance of 0 km or more, not {km}");
    }
    for (n, line) in input.lines().enumerate() {
        let line = line.context("cannot read standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let point = parse_point(&line).with_context(|| format!("line {}: {line:?}", n + 1))?;
        let found = match snap_km {
            Some(km) => index.nearest(point, km).map(|hit| hit.country),
            None => index.locate(point),
        };
        match found {
            Some(c) => writeln!(output, "{}\t{}", countries[c].id, countries[c].name)?,
            None => writeln!(output, "-")?,
        }
    }
    Ok(())
}

fn parse_point(line: &str) -> anyhow::Result<LatLon> {
    let mut fields = line.split([' ', '\t', ',']).filter(|f| !f.is_empty());
    let mut number = |what: &str, range: std::ops::RangeInclusive<f64>| -> anyhow::Result<f64> {
        let text = fields
            .next()
            .with_context(|| format!("expected LAT LON, {what} is missing"))?;
        let value: f64 = text
            .parse()
            .with_context(|| format!("{what} {text:?} is not a number"))?;
        if !range.contains(&value) {
            bail!(
                "{what} {value} is outside {}..={}",
                range.start(),
                range.end()
            );
        }
        Ok(value)
    };
    let lat = number("latitude", -90.0..=90.0)?;
    let lon = number("longitude", -180.0..=180.0)?;
    if fields.next().is_some() {
        bail!("expected two numbers, LAT LON");
    }
    Ok(LatLon::new(lat, lon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("640x360"), Ok(UVec2::new(640, 360)));
        assert!(parse_size("640").is_err());
        assert!(parse_size("0x360").is_err());
    }

    #[test]
    fn points() {
        let p = parse_point("50.45 30.52").unwrap();
        assert_eq!((p.lat, p.lon), (50.45, 30.52));
        assert!(
            parse_point("50.45")
                .unwrap_err()
                .to_string()
                .contains("longitude")
        );
        assert!(
            parse_point("95 0")
                .unwrap_err()
                .to_string()
                .contains("latitude 95")
        );
        assert!(parse_point("1 2 3").is_err());
    }
}
