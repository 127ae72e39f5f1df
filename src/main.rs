//! The newsglobe binary: parse the command line and run what it asks for.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match newsglobe::cli::run(newsglobe::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsglobe: {e:#}");
            ExitCode::FAILURE
        }
    }
}
