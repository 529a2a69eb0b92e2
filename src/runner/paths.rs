//! The files one run reads and writes, checked before anything starts: an output that is an
//! input, another output, or a pattern file of `--patterns` would lose data silently (the
//! input overwritten, one array of two kept), so it is refused, naming both flags. Files are
//! compared after resolving links (the same device and inode when the file exists; the
//! resolved directory and the name when it does not yet), and stdout counts as an output when
//! it is redirected to a file. `--plot` is also tried for writing before the run, so that a
//! bad path costs nothing.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

use crate::patterns::display_name;

/// A file given on the command line, with the flag that names it (`--input`, `--plot`, …).
#[derive(Debug, Clone, Copy)]
pub struct Named<'a> {
    pub flag: &'static str,
    pub path: &'a Path,
}

/// What the files of one run are, for [`check_files`].
#[derive(Debug, Default)]
pub struct RunFileSet<'a> {
    /// Files read (`--input`, `--init-state`).
    pub inputs: Vec<Named<'a>>,
    /// The pattern directory (`--patterns`): its pattern files are inputs, and the watcher
    /// would read a pattern file written there.
    pub patterns: Option<&'a Path>,
    /// Files written (`--save-states`, `--save-memories`, `--plot`).
    pub outputs: Vec<Named<'a>>,
    /// Where stdout goes, when it is a regular file (see [`stdout_file`]).
    pub stdout: Option<FileId>,
}

/// A file's identity: its device and inode, both never 0 together for a real file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

/// Where a path leads: an existing file, or the file that creating the path would make.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    File(FileId),
    /// The resolved parent directory joined with the name.
    New(PathBuf),
}

/// How many symbolic links are followed before a path counts as unresolvable (the kernel's
/// own limit).
const MAX_LINKS: usize = 40;

#[cfg(unix)]
fn id_of(meta: &fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    FileId {
        dev: meta.dev(),
        ino: meta.ino(),
    }
}

#[cfg(not(unix))]
fn id_of(_: &fs::Metadata) -> FileId {
    FileId { dev: 0, ino: 0 }
}

/// Where `path` leads, links resolved; `None` when its directory cannot be resolved (creating
/// it then fails with its own message).
fn place(path: &Path) -> Option<Place> {
    if let Ok(meta) = fs::metadata(path)
        && cfg!(unix)
    {
        return Some(Place::File(id_of(&meta)));
    }
    // A dangling link creates its target: follow it to the name that would be made.
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let Ok(target) = fs::read_link(&path) else {
            break;
        };
        path = match path.parent() {
            Some(parent) if target.is_relative() => parent.join(target),
            _ => target,
        };
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(Place::New(fs::canonicalize(parent).ok()?.join(name)))
}

/// The file stdout is redirected to, if it is a regular file (a terminal, a pipe or
/// `/dev/null` are never the same as a file of the run).
pub fn stdout_file() -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
        let meta = fs::File::from(fd).metadata().ok()?;
        meta.is_file().then(|| id_of(&meta))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

fn places<'a>(list: &[Named<'a>]) -> Vec<(Named<'a>, Option<Place>)> {
    list.iter().map(|n| (*n, place(n.path))).collect()
}

/// Refuses a run whose outputs collide: an output that is an input, a file of the pattern
/// directory that would be read as a pattern, or another output (stdout included). One line
/// naming both flags and the file.
pub fn check_files(files: &RunFileSet) -> Result<(), String> {
    let inputs = places(&files.inputs);
    let outputs = places(&files.outputs);
    let patterns = files.patterns.and_then(|d| fs::canonicalize(d).ok());
    for (k, (out, at)) in outputs.iter().enumerate() {
        let Some(at) = at else { continue };
        let clash = |what: &str| {
            format!(
                "{} {} is {what}; give another file",
                out.flag,
                display_name(out.path)
            )
        };
        for (input, place) in &inputs {
            if place.as_ref() == Some(at) {
                return Err(clash(&format!(
                    "the file of {}: it would be overwritten",
                    input.flag
                )));
            }
        }
        for (other, place) in &outputs[..k] {
            if place.as_ref() == Some(at) {
                return Err(format!(
                    "{} and {} are the same file ({}): one would overwrite the other; give two \
                     files",
                    other.flag,
                    out.flag,
                    display_name(out.path)
                ));
            }
        }
        if let Some(dir) = &patterns
            && in_pattern_dir(out.path, at, dir)
        {
            return Err(clash(
                "in the directory of --patterns, where it would be read as a pattern",
            ));
        }
        if let (Place::File(id), Some(stdout)) = (at, files.stdout)
            && *id == stdout
        {
            return Err(clash(
                "where stdout is redirected: the run's output and the file would be mixed",
            ));
        }
    }
    if let Some(stdout) = files.stdout {
        for (input, place) in &inputs {
            if place == &Some(Place::File(stdout)) {
                return Err(format!(
                    "stdout is redirected to the file of {} ({}): the run would write into it; \
                     redirect stdout elsewhere",
                    input.flag,
                    display_name(input.path)
                ));
            }
        }
    }
    Ok(())
}

/// Whether the output at `path` (leading to `at`) is, or would become, a pattern file in the
/// canonical pattern directory `dir`.
fn in_pattern_dir(path: &Path, at: &Place, dir: &Path) -> bool {
    let target = match at {
        Place::New(p) => p.clone(),
        Place::File(_) => match fs::canonicalize(path) {
            Ok(p) => p,
            Err(_) => return false,
        },
    };
    target.parent() == Some(dir) && crate::patterns::Format::of(&target).is_some()
}

/// Checks that a file (a figure, the states, the memories) can be written to `path` before the
/// work that makes it: an existing regular file is opened for writing (not truncated; a FIFO
/// or a device is never opened), a new one is created and removed again. One line naming the
/// flag and the file.
pub fn check_writable(flag: &str, path: &Path) -> Result<(), String> {
    let fail =
        |e: std::io::Error| format!("{flag} {}: cannot write there: {e}", display_name(path));
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(format!(
            "{flag} {}: is a directory; give a file name",
            display_name(path)
        )),
        Ok(meta) if !meta.is_file() => Err(format!(
            "{flag} {}: is not a regular file; give a file name",
            display_name(path)
        )),
        Ok(_) => OpenOptions::new()
            .write(true)
            .open(path)
            .map(drop)
            .map_err(fail),
        Err(_) => {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(fail)?;
            fs::remove_file(path).map_err(fail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named<'a>(flag: &'static str, path: &'a Path) -> Named<'a> {
        Named { flag, path }
    }

    #[test]
    fn distinct_files_pass_and_collisions_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let u = dir.path().join("u.npy");
        fs::write(&u, b"x").unwrap();
        let a = dir.path().join("a.npy");
        let b = dir.path().join("b.npy");
        let ok = RunFileSet {
            inputs: vec![named("--input", &u)],
            outputs: vec![named("--save-states", &a), named("--save-memories", &b)],
            ..RunFileSet::default()
        };
        assert_eq!(check_files(&ok), Ok(()));
        let same = RunFileSet {
            outputs: vec![named("--save-states", &a), named("--save-memories", &a)],
            ..RunFileSet::default()
        };
        let e = check_files(&same).unwrap_err();
        assert!(e.contains("--save-states and --save-memories"), "{e}");
        let over = RunFileSet {
            inputs: vec![named("--input", &u)],
            outputs: vec![named("--save-states", &u)],
            ..RunFileSet::default()
        };
        let e = check_files(&over).unwrap_err();
        assert!(e.contains("is the file of --input"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn links_and_other_spellings_lead_to_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let u = dir.path().join("u.npy");
        fs::write(&u, b"x").unwrap();
        let link = dir.path().join("link.npy");
        std::os::unix::fs::symlink(&u, &link).unwrap();
        let dangling = dir.path().join("dangling.npy");
        std::os::unix::fs::symlink("new.npy", &dangling).unwrap();
        let new = dir.path().join("sub/../new.npy");
        fs::create_dir(dir.path().join("sub")).unwrap();
        for (x, y) in [(&u, &link), (&dangling, &new)] {
            let set = RunFileSet {
                outputs: vec![named("--save-states", x), named("--plot", y)],
                ..RunFileSet::default()
            };
            assert!(check_files(&set).is_err(), "{x:?} {y:?}");
        }
    }

    #[test]
    fn a_figure_path_is_tried_without_leaving_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let fig = dir.path().join("f.svg");
        assert_eq!(check_writable("--plot", &fig), Ok(()));
        assert!(!fig.exists());
        let e = check_writable("--plot", &dir.path().join("no/such/f.svg")).unwrap_err();
        assert!(
            e.starts_with("--plot ") && e.contains("cannot write"),
            "{e}"
        );
        assert!(check_writable("--plot", dir.path()).is_err());
        fs::write(&fig, b"kept").unwrap();
        assert_eq!(check_writable("--plot", &fig), Ok(()));
        assert_eq!(fs::read(&fig).unwrap(), b"kept");
    }
}
