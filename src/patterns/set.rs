//! A pattern directory as one memory set: every file's outcome (ok or a precise error), the
//! common grid size, and the resulting [`Memories`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::error::{ErrorKind, FileError, MAX_PATTERNS, MAX_SET_PIXELS};
use super::file::{Format, Image, Pattern, pattern_name, read_stamped};
use super::probe::{Probe, probe};
use crate::model::Memories;

/// The grid of a set whose patterns are all converted images (nothing fixes the size).
pub const DEFAULT_GRID: (usize, usize) = (32, 32);

/// How one file of a set was taken in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub format: Format,
    /// The pattern's size in the set.
    pub width: usize,
    pub height: usize,
    /// `Some(source size)` when the image was resized and thresholded to the set's grid (PNG);
    /// the UI marks such patterns as converted.
    pub converted_from: Option<(usize, usize)>,
}

/// One file's line in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub path: PathBuf,
    /// The pattern's name (the file stem, escaped).
    pub name: String,
    pub status: Result<Loaded, FileError>,
}

/// The outcome of loading a directory: one entry per pattern file, sorted by path, and the set
/// built from the valid ones (`None` when no file is valid).
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub files: Vec<FileReport>,
    pub memories: Option<Memories>,
}

impl LoadReport {
    /// The errors of the report, in file order.
    pub fn errors(&self) -> impl Iterator<Item = &FileError> {
        self.files.iter().filter_map(|f| f.status.as_ref().err())
    }

    /// True when every file is valid and the set is not empty.
    pub fn all_ok(&self) -> bool {
        self.memories.is_some() && self.errors().next().is_none()
    }
}

/// The pattern paths of `dir`, sorted: every entry whose name has a pattern extension (see
/// [`Format::of`]), whatever it is. What is not a regular file is an error when read, so a
/// FIFO or a directory named `d.txt` is reported, never skipped in silence.
pub fn pattern_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if Format::of(&path).is_some() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads every pattern file of `dir` and builds the set (see [`assemble`]). A file deleted
/// while the directory is read is left out.
pub fn load_report(dir: &Path, prefer: Option<(usize, usize)>) -> std::io::Result<LoadReport> {
    let parsed = pattern_files(dir)?
        .into_iter()
        .filter_map(|path| match probe(&path) {
            Ok(Probe::Gone) => None,
            Ok(Probe::File(_)) => Some((path.clone(), read_stamped(&path).0)),
            Err(e) => Some((path, Err(e))),
        })
        .collect();
    Ok(assemble(parsed, prefer))
}

/// Builds a set from parsed files (in the order given). The grid is `prefer` when some exact
/// pattern has that size, else the size most exact patterns share (the first on a tie), else
/// `prefer` or [`DEFAULT_GRID`]. Exact patterns of another size are errors naming both sizes;
/// grey images are converted to the grid; a name already taken and files past
/// [`MAX_PATTERNS`] or [`MAX_SET_PIXELS`] are errors.
pub fn assemble(parsed: Vec<Parsed>, prefer: Option<(usize, usize)>) -> LoadReport {
    assemble_keeping(parsed, prefer, |_| false).build()
}

/// A set decided but not built yet: building the memories costs O(N·P²) (their overlaps), so
/// a rescan that finds the set in use again keeps that one instead (see [`Assembled::is`]).
#[derive(Debug)]
pub(crate) struct Assembled {
    /// Every file's outcome, in the order given.
    pub files: Vec<FileReport>,
    width: usize,
    height: usize,
    /// The patterns of the set, by name, in the order given.
    patterns: Vec<(String, Vec<bool>)>,
}

impl Assembled {
    /// True when the set would be `mem`: the same grid, names, order and pixels.
    pub fn is(&self, mem: &Memories) -> bool {
        (self.width, self.height) == (mem.width(), mem.height())
            && self.patterns.len() == mem.p()
            && self
                .patterns
                .iter()
                .enumerate()
                .all(|(mu, (name, pixels))| {
                    mem.names()[mu] == *name
                        && pixels
                            .iter()
                            .zip(mem.memory(mu))
                            .all(|(&on, &v)| on == (v > 0.0))
                })
    }

    /// True when no pattern made it into the set.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The report, with the memories built.
    pub fn build(self) -> LoadReport {
        let memories = if self.patterns.is_empty() {
            None
        } else {
            // Sizes and names were checked, so this cannot fail; stay total anyway.
            Memories::from_bools(self.width, self.height, self.patterns).ok()
        };
        LoadReport {
            files: self.files,
            memories,
        }
    }
}

/// One file as [`assemble`] takes it: the path and what reading it gave.
type Parsed = (PathBuf, Result<Pattern, FileError>);

/// One file's outcome in [`assemble_keeping`], and its memory if it is in the set.
struct Taken {
    file: FileReport,
    memory: Option<(String, Vec<bool>)>,
}

/// [`assemble`], but the files for which `in_use` is true are taken in first: a name already
/// taken or the pattern limit refuses the newcomers, never the memories in use. The set and
/// the report keep the order given.
pub(crate) fn assemble_keeping(
    parsed: Vec<Parsed>,
    prefer: Option<(usize, usize)>,
    in_use: impl Fn(&Path) -> bool,
) -> Assembled {
    let (width, height) = choose_grid(&parsed, prefer);
    // Decide in admission order (memories in use first), report in the order given.
    let mut order: Vec<usize> = (0..parsed.len()).collect();
    order.sort_by_key(|&i| !in_use(&parsed[i].0));
    let mut parsed: Vec<Option<Parsed>> = parsed.into_iter().map(Some).collect();
    let mut slots: Vec<Option<Taken>> = (0..parsed.len()).map(|_| None).collect();
    let mut taken = 0;
    // How many patterns of the grid's size fit in MAX_SET_PIXELS (at least one).
    let fit = (MAX_SET_PIXELS / (width * height).max(1)).max(1);
    let mut names: HashMap<String, PathBuf> = HashMap::new();
    for i in order {
        let Some((path, result)) = parsed[i].take() else {
            continue;
        };
        let name = pattern_name(&path);
        let mut memory = None;
        let status = result.and_then(|pattern| {
            if let Some(first) = names.get(&pattern.name) {
                let kind = ErrorKind::DuplicateName {
                    name: pattern.name.clone(),
                    other: super::display_name(first),
                };
                return Err(FileError::new(&path, kind));
            }
            if taken >= MAX_PATTERNS {
                let kind = ErrorKind::TooManyPatterns {
                    limit: MAX_PATTERNS,
                };
                return Err(FileError::new(&path, kind));
            }
            if taken >= fit {
                let kind = ErrorKind::TooManyPixels {
                    limit: fit,
                    width,
                    height,
                    max_pixels: MAX_SET_PIXELS,
                };
                return Err(FileError::new(&path, kind));
            }
            let (bitmap, converted_from) = match pattern.image {
                Image::Binary(b) if (b.width, b.height) == (width, height) => (b, None),
                Image::Binary(b) => {
                    let kind = ErrorKind::WrongSize {
                        width: b.width,
                        height: b.height,
                        set_width: width,
                        set_height: height,
                    };
                    return Err(FileError::new(&path, kind));
                }
                Image::Gray(g) => (
                    g.to_bitmap(width, height),
                    Some((g.source_width, g.source_height)),
                ),
            };
            names.insert(pattern.name.clone(), path.clone());
            taken += 1;
            memory = Some((pattern.name, bitmap.pixels));
            Ok(Loaded {
                format: pattern.format,
                width,
                height,
                converted_from,
            })
        });
        let file = FileReport { path, name, status };
        slots[i] = Some(Taken { file, memory });
    }
    let mut files = Vec::with_capacity(slots.len());
    let mut patterns = Vec::new();
    for slot in slots.into_iter().flatten() {
        files.push(slot.file);
        patterns.extend(slot.memory);
    }
    Assembled {
        files,
        width,
        height,
        patterns,
    }
}

/// The size of the set: `prefer` (the set in use) while a file has it, else the most common
/// exact size (the first of the commonest on a tie).
pub(crate) fn choose_grid(
    parsed: &[(PathBuf, Result<Pattern, FileError>)],
    prefer: Option<(usize, usize)>,
) -> (usize, usize) {
    let sizes: Vec<(usize, usize)> = parsed
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().and_then(Pattern::exact_size))
        .collect();
    if let Some(p) = prefer.filter(|p| sizes.contains(p)) {
        return p;
    }
    let mut counts: HashMap<(usize, usize), usize> = HashMap::new();
    for s in &sizes {
        *counts.entry(*s).or_default() += 1;
    }
    let mut seen = HashSet::new();
    let mut best: Option<((usize, usize), usize)> = None;
    for s in sizes.iter().filter(|s| seen.insert(**s)) {
        let c = counts[s];
        if best.is_none_or(|(_, bc)| c > bc) {
            best = Some((*s, c));
        }
    }
    best.map(|(s, _)| s).or(prefer).unwrap_or(DEFAULT_GRID)
}

/// Reads `dir` into a report, naming the directory when it cannot be read.
fn read_report(dir: &Path) -> anyhow::Result<LoadReport> {
    use anyhow::Context;
    load_report(dir, None).with_context(|| {
        format!(
            "cannot read the pattern directory {}",
            super::display_name(dir)
        )
    })
}

/// The error for a directory that holds no pattern file at all.
fn no_pattern_files(dir: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "no pattern files (.txt, .pbm, .png) in {}",
        super::display_name(dir)
    )
}

/// Loads `dir` as one set, strictly: the first bad file (or an empty directory) is an error.
pub fn load_dir(dir: &Path) -> anyhow::Result<Memories> {
    let report = read_report(dir)?;
    if let Some(e) = report.errors().next() {
        return Err(anyhow::Error::new(e.clone()));
    }
    report.memories.ok_or_else(|| no_pattern_files(dir))
}

/// Loads `dir` leniently, as a running program starts: the valid files make the set and the bad
/// ones come back as errors to report (a bad file never stops the program). Fails only when the
/// directory cannot be read or holds no valid pattern.
pub fn load_lenient(dir: &Path) -> anyhow::Result<(Memories, Vec<FileError>)> {
    use anyhow::Context;
    let report = read_report(dir)?;
    let errors: Vec<FileError> = report.errors().cloned().collect();
    match (report.memories, errors.as_slice()) {
        (Some(memories), _) => Ok((memories, errors)),
        (None, [only]) => Err(anyhow::Error::new(only.clone()))
            .with_context(|| format!("no valid pattern in {}", super::display_name(dir))),
        // Every bad file, as `recall check` lists them.
        (None, [_, ..]) => Err(anyhow::anyhow!(
            "no valid pattern in {}: {}",
            super::display_name(dir),
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )),
        (None, []) => Err(no_pattern_files(dir)),
    }
}
