//! Figures of runs and experiments, as SVG or PNG (chosen by the file's extension).

use std::path::Path;

use crate::experiment::capacity::CapacityConfig;
use crate::experiment::capacity_report::CapacityPoint;
use crate::experiment::{ExperimentRequest, MixedRow, TrialTrace};

/// The mixed protocol's figure, or the noise sweep's.
pub fn experiment_figure(
    _request: &ExperimentRequest,
    _rows: &[MixedRow],
    _traces: &[TrialTrace],
    _path: &Path,
) -> anyhow::Result<()> {
    anyhow::bail!("figures are not drawn yet")
}

/// The glitch protocol's figure.
pub fn glitch_figure(
    _request: &ExperimentRequest,
    _traces: &[TrialTrace],
    _path: &Path,
) -> anyhow::Result<()> {
    anyhow::bail!("figures are not drawn yet")
}

/// The capacity sweep's figure.
pub fn capacity_figure(
    _config: &CapacityConfig,
    _points: &[CapacityPoint],
    _path: &Path,
) -> anyhow::Result<()> {
    anyhow::bail!("figures are not drawn yet")
}
