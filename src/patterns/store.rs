//! Storing a new memory: a valid name, the running set with it added, and the file written
//! atomically (a temporary file renamed into place) so the watcher never sees half of it.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::bitmap::Bitmap;
use super::error::{MAX_PATTERNS, MAX_SET_PIXELS};
use super::text::to_text;
use crate::model::Memories;

/// The longest name accepted.
pub const MAX_NAME: usize = 64;

/// Why a name cannot be a memory's (and a file's) name, or `Ok`.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a name is needed".into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!("at most {MAX_NAME} characters"));
    }
    if name.starts_with('.') || name.starts_with('-') {
        return Err("it cannot start with '.' or '-'".into());
    }
    match name.chars().find(|&c| !name_char(c)) {
        Some(c) => Err(refused_char(c)),
        None => Ok(()),
    }
}

/// A character a memory's name may hold: a letter, a digit, '-', '_' or '.'.
pub fn name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Why `c` cannot be in a name (short: the dashboard's prompt line says it beside the name).
pub fn refused_char(c: char) -> String {
    format!("{c:?} is not allowed: letters, digits, - _ .")
}

/// The first of `drawn-1`, `drawn-2`, … that `memories` does not use.
pub fn free_name(memories: &Memories) -> String {
    (1..)
        .map(|k| format!("drawn-{k}"))
        .find(|n| memories.index_of(n).is_none())
        .unwrap_or_else(|| "drawn".into())
}

/// `memories` with a memory `name` of `pixels` (on = +1) added at the end. Refused: a bad or
/// used name, a wrong size, a full set, or a picture that is (the negative of) a memory already
/// stored — a network cannot tell two such memories apart.
pub fn with_memory(memories: &Memories, name: &str, pixels: &[bool]) -> Result<Memories, String> {
    check_name(name)?;
    if memories.index_of(name).is_some() {
        return Err(format!("{name} is already a memory"));
    }
    if pixels.len() != memories.n() {
        return Err(format!(
            "the picture has {} pixels, the set {}",
            pixels.len(),
            memories.n()
        ));
    }
    if memories.p() >= MAX_PATTERNS {
        return Err(format!("the set already has {MAX_PATTERNS} memories"));
    }
    if memories.n() * (memories.p() + 1) > MAX_SET_PIXELS {
        return Err(format!(
            "a set holds at most {MAX_SET_PIXELS} pixels in all (N·P)"
        ));
    }
    let new: Vec<f32> = pixels
        .iter()
        .map(|&on| if on { 1.0 } else { -1.0 })
        .collect();
    let n = memories.n() as f32;
    for mu in 0..memories.p() {
        let overlap: f32 = memories
            .memory(mu)
            .iter()
            .zip(&new)
            .map(|(a, b)| a * b)
            .sum::<f32>()
            / n;
        if overlap.abs() > 0.999 {
            return Err(format!(
                "it is {} {}",
                if overlap > 0.0 {
                    "the same picture as"
                } else {
                    "the negative of"
                },
                memories.names()[mu]
            ));
        }
    }
    let mut patterns: Vec<(String, Vec<f32>)> = (0..memories.p())
        .map(|mu| (memories.names()[mu].clone(), memories.memory(mu).to_vec()))
        .collect();
    patterns.push((name.to_string(), new));
    Memories::new(memories.width(), memories.height(), patterns).map_err(|e| e.to_string())
}

/// What can go wrong writing a pattern file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} exists")]
    Exists(PathBuf),
    #[error("{name}: {reason}")]
    Name { name: String, reason: String },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes `bitmap` as `dir/NAME.txt` through a temporary file renamed into place (the
/// watcher sees the whole file at once). An existing file is replaced only with `overwrite`.
pub fn write_pattern(
    dir: &Path,
    name: &str,
    bitmap: &Bitmap,
    overwrite: bool,
) -> Result<PathBuf, StoreError> {
    check_name(name).map_err(|reason| StoreError::Name {
        name: name.into(),
        reason,
    })?;
    let path = dir.join(format!("{name}.txt"));
    if !overwrite && path.exists() {
        return Err(StoreError::Exists(path));
    }
    let io = |source| StoreError::Io {
        path: path.clone(),
        source,
    };
    // A hidden name, so that neither the watcher nor `recall check` reads it half-written.
    // Created 0666 less the umask (0644 typically), as an editor writes a file: tempfile's
    // own default, 0600, would leave the pattern unreadable to the user's group and others.
    let mut builder = tempfile::Builder::new();
    builder.prefix(".recall-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    let text = format!("; {name}, stored from the dashboard\n{}", to_text(bitmap));
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(&path).map_err(|e| io(e.error))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored drawing gets the mode any new file of the user gets (the umask's), not 0600.
    #[cfg(unix)]
    #[test]
    fn a_stored_pattern_honours_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let bitmap = Bitmap {
            width: 2,
            height: 2,
            pixels: vec![true, false, false, true],
        };
        let path = write_pattern(dir.path(), "drawn-1", &bitmap, false).unwrap();
        let plain = dir.path().join("plain.txt");
        std::fs::write(&plain, "#.\n.#\n").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), mode(&plain));
    }

    #[test]
    fn names_are_checked_with_the_reason() {
        assert!(check_name("owl-2_b.v1").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name(".hidden").unwrap_err().contains("start"));
        assert!(check_name("a/b").unwrap_err().contains("'/'"));
        assert!(check_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn a_memory_is_added_unless_it_repeats_one() {
        let set = crate::patterns::builtin();
        let cat = set.index_of("cat").unwrap();
        let same: Vec<bool> = set.memory(cat).iter().map(|&v| v > 0.0).collect();
        assert!(
            with_memory(&set, "copy", &same)
                .unwrap_err()
                .contains("cat")
        );
        let negative: Vec<bool> = same.iter().map(|b| !b).collect();
        assert!(
            with_memory(&set, "neg", &negative)
                .unwrap_err()
                .contains("negative")
        );
        assert!(
            with_memory(&set, "cat", &same)
                .unwrap_err()
                .contains("already")
        );
        let mut owl = same.clone();
        for px in owl.iter_mut().step_by(3) {
            *px = !*px;
        }
        let bigger = with_memory(&set, &free_name(&set), &owl).unwrap();
        assert_eq!(bigger.p(), set.p() + 1);
        assert_eq!(bigger.names().last().map(String::as_str), Some("drawn-1"));
    }
}
