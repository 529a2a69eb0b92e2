//! The `recall` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;
use recall::cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return recall::app::report_usage_error(e),
    };
    recall::app::run(cli)
}
