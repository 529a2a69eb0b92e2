//! What the theory (model.md §4) says of each memory now, in the dashboard's words: a stable
//! well, a saddle, or no equilibrium; and the hierarchy of the wells, deepest first. The memory
//! table (`memories.rs`) shows it.

use crate::model::TheoryReport;

/// What the theory says of one memory, in the words the panel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A stable equilibrium: a well the state can rest in.
    Well,
    /// An equilibrium that is not stable: the state slides off it.
    Saddle,
    /// No equilibrium: α is below the existence threshold 1/g.
    Absent,
}

impl Standing {
    /// The standing of memory `mu` in `report` (absent when the report has no such memory).
    pub fn of(report: &TheoryReport, mu: usize) -> Self {
        match report.memories.get(mu) {
            Some(m) if m.exists && m.stable => Standing::Well,
            Some(m) if m.exists => Standing::Saddle,
            _ => Standing::Absent,
        }
    }

    pub(crate) fn word(self) -> &'static str {
        match self {
            Standing::Well => "well",
            Standing::Saddle => "saddle",
            Standing::Absent => "none",
        }
    }
}

/// The stable wells, deepest first (the paper's memory hierarchy).
pub fn hierarchy(report: &TheoryReport) -> Vec<usize> {
    let mut wells: Vec<(usize, f64)> = (0..report.memories.len())
        .filter(|&mu| Standing::of(report, mu) == Standing::Well)
        .map(|mu| {
            let depth = report.memories[mu].depth_per_neuron.unwrap_or(0.0);
            (mu, if depth.is_finite() { depth } else { 0.0 })
        })
        .collect();
    wells.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    wells.into_iter().map(|(mu, _)| mu).collect()
}
