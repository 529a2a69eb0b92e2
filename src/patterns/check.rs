//! `recall check [DIR]`: validates a pattern directory and prints one line per file, the
//! overlap matrix of the valid set and its warnings; exit status 0 only if every file is valid.

use std::process::ExitCode;

use super::set::{LoadReport, load_report};
use crate::cli::CheckArgs;

/// Runs `recall check`.
pub fn check_cli(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    todo_check(args)
}

fn todo_check(_args: &CheckArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet")
}

/// The text `recall check` prints for a report.
pub fn check_report(_report: &LoadReport) -> String {
    let _ = load_report;
    String::new()
}
