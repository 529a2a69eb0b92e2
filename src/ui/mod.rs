//! The live dashboard (ratatui): renders snapshots of the pipeline, turns keys into intents.

use std::process::ExitCode;

use crate::cli::{DashboardArgs, SimArgs};

/// `recall` with no subcommand.
pub fn run_cli(_sim: &SimArgs, _dash: &DashboardArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the dashboard is not implemented yet")
}
