//! The headless runner: `recall run` drives one or more models on one stream and writes samples,
//! events and a summary as JSON lines or CSV.

use std::process::ExitCode;

use crate::cli::RunArgs;

/// `recall run`.
pub fn run_cli(_args: &RunArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("recall run is not implemented yet")
}
