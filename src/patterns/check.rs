//! `recall check [DIR]`: validates a pattern directory and prints one line per file, the
//! overlap matrix of the valid set and its warnings; exit status 0 only if every file is valid.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use super::error::display_name;
use super::set::{LoadReport, load_report};
use super::warn::set_warnings;
use crate::model::Memories;

/// Runs `recall check DIR`: writes the report to `out` and returns whether every file is valid
/// (the exit status is the caller's). A write error (a closed pipe, a full disk) is returned
/// with the `std::io::Error` in its chain, never printed: the shell decides what it means.
pub fn check_cli(dir: &Path, out: &mut dyn std::io::Write) -> anyhow::Result<bool> {
    check_dir(dir, out).map(|(ok, _)| ok)
}

/// [`check_cli`], also returning the valid set (the memories a run would load).
pub fn check_dir(
    dir: &Path,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<(bool, Option<Memories>)> {
    let report = load_report(dir, None).with_context(|| {
        let hint = if dir.is_file() {
            " (recall check reads a directory: give the one that holds this file)"
        } else if !dir.exists() {
            " (recall check --builtin checks the built-in set)"
        } else {
            ""
        };
        format!(
            "cannot read the pattern directory {}{hint}",
            display_name(dir)
        )
    })?;
    out.write_all(check_report(&report).as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write the report of recall check")?;
    Ok((report.all_ok(), report.memories))
}

/// What `recall check --builtin` prints: the set's names in their order, the overlap matrix
/// and the warnings.
pub fn builtin_report(mem: &Memories) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "built-in set: {} pattern(s) of {}×{} (N = {}), in this order: {}\n",
        mem.p(),
        mem.width(),
        mem.height(),
        mem.n(),
        mem.names().join(", ")
    );
    let _ = writeln!(out, "pairwise overlaps:\n{}", mem.overlap_table());
    for warning in set_warnings(mem) {
        let _ = writeln!(out, "warning: {warning}");
    }
    out
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
        let _ = if report.files.is_empty() {
            writeln!(
                out,
                "no valid pattern: the directory has no pattern file (.txt, .pbm or .png)"
            )
        } else {
            writeln!(out, "no valid pattern: {bad} bad file(s)")
        };
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
    for warning in set_warnings(mem) {
        let _ = writeln!(out, "warning: {warning}");
    }
    out
}
