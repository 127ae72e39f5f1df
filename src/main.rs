//! The newsglobe binary: parse the command line and run what it asks for.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match newsglobe::cli::run(newsglobe::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        // `newsglobe stories | head` closes the pipe early: that is the reader's choice, not
        // a failure to report.
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsglobe: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| cause.downcast_ref::<serde_json::Error>()?.io_error_kind());
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
