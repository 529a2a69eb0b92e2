//! The paper's experiments (model.md §5): mixed inputs, glitch, noise sweep.

use std::process::ExitCode;

use crate::cli::ExperimentArgs;

/// `recall experiment NAME`.
pub fn run_cli(_args: &ExperimentArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("recall experiment is not implemented yet")
}
