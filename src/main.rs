//! The `recall` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match recall::cli::parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => return recall::app::report_usage_error(e),
    };
    recall::app::run(cli)
}
