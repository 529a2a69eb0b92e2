//! `recall check [DIR]`: validates a pattern directory and prints one line per file, the
//! overlap matrix of the valid set and its warnings; exit status 0 only if every file is valid.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use super::error::display_name;
use super::set::{LoadReport, load_report};

/// Pairs of memories above this overlap will be confused.
pub const CONFUSION_OVERLAP: f64 = 0.5;
/// The capacity of the classic (Hebbian) Hopfield models for random patterns, in memories per
/// neuron (Amit, Gutfreund and Sompolinsky's 0.138). Retrieval degrades around it rather than
/// failing at once: at N = 1024 (discrete model, 10% of the bits flipped) 97% of random
/// patterns are retrieved at P/N = 0.12, 74–81% at 0.14, 34% at 0.16 and 6% at 0.18.
/// Correlated patterns fail earlier.
pub const CAPACITY_PER_NEURON: f64 = 0.138;

/// Runs `recall check DIR`: writes the report to `out` and returns whether every file is valid
/// (the exit status is the caller's). A write error (a closed pipe, a full disk) is returned
/// with the `std::io::Error` in its chain, never printed: the shell decides what it means.
pub fn check_cli(dir: &Path, out: &mut dyn std::io::Write) -> anyhow::Result<bool> {
    let report = load_report(dir, None)
        .with_context(|| format!("cannot read the pattern directory {}", display_name(dir)))?;
    out.write_all(check_report(&report).as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write the report of recall check")?;
    Ok(report.all_ok())
}

/// The text `recall check` prints for a report: one line per file, then a summary, the
/// overlap matrix and the warnings. Every name is escaped.
pub fn check_report(report: &LoadReport) -> String {
    let mut out = String::new();
    for file in &report.files {
        let path = display_name(&file.path);
        // Writing to a String cannot fail.
        let _ = match &file.status {
            Ok(l) => match l.converted_from {
                Some((w, h)) => writeln!(
                    out,
                    "{path}: ok ({} {w}×{h}, converted to {}×{})",
                    l.format.name(),
                    l.width,
                    l.height
                ),
                None => writeln!(
                    out,
                    "{path}: ok ({}, {}×{})",
                    l.format.name(),
                    l.width,
                    l.height
                ),
            },
            Err(e) => writeln!(out, "{e}"),
        };
    }
    let bad = report.errors().count();
    let Some(mem) = &report.memories else {
        let _ = writeln!(out, "no valid pattern: {bad} bad file(s)");
        return out;
    };
    let _ = writeln!(
        out,
        "{} valid pattern(s) of {}×{} (N = {}), {bad} bad file(s)\n",
        mem.p(),
        mem.width(),
        mem.height(),
        mem.n()
    );
    let _ = writeln!(out, "pairwise overlaps:\n{}", mem.overlap_table());
    let g = mem.overlap_matrix();
    for a in 0..mem.p() {
        for b in 0..a {
            let o = g[(a, b)];
            if o.abs() > CONFUSION_OVERLAP {
                let _ = writeln!(
                    out,
                    "warning: {} and {} overlap {o:.2} (|overlap| above {CONFUSION_OVERLAP}): they will be confused",
                    mem.names()[b],
                    mem.names()[a]
                );
            }
        }
    }
    let capacity = CAPACITY_PER_NEURON * mem.n() as f64;
    if mem.p() as f64 > capacity {
        let _ = writeln!(
            out,
            "warning: {} patterns exceed {CAPACITY_PER_NEURON}·N = {capacity:.1}, the capacity of the classic (Hebbian) models for random patterns: retrieval degrades around it, and correlated patterns fail earlier",
            mem.p()
        );
    }
    out
}
