//! The default memory set, compiled into the binary from `patterns/*.txt` so that recall
//! works with no files at all.

use std::path::Path;

use super::file::{Format, parse_pattern};
use super::set::assemble;
use crate::model::Memories;

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../patterns/", $name, ".txt")))),*]
    };
}

/// The embedded pattern files: (name, text), in the order of the default set: the order of
/// their names, the order in which `--patterns patterns/` loads the same files, so the two are
/// one set with the same memory ids (and the same run for a seed).
pub const BUILTIN: &[(&str, &str)] = embed![
    "bird", "cat", "dog", "fish", "heart", "house", "key", "star", "sun", "tree",
];

/// The built-in default memory set: ten 32×32 pictures (N = 1024) with small pairwise
/// overlaps, so that each is retrieved cleanly from its own cue.
pub fn builtin() -> Memories {
    let parsed = BUILTIN
        .iter()
        .map(|(name, text)| {
            let path = Path::new(name).with_extension("txt");
            let pattern = parse_pattern(&path, Format::Text, text.as_bytes());
            (path, pattern)
        })
        .collect();
    // The embedded files are valid (tested); a broken build still runs on orthogonal images.
    assemble(parsed, None)
        .memories
        .or_else(|| Memories::hadamard(32, 32, BUILTIN.len()).ok())
        .unwrap_or_else(|| unreachable!("32×32 Hadamard memories always exist"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_is_valid_and_32_by_32() {
        for (name, text) in BUILTIN {
            let p = parse_pattern(Path::new(name), Format::Text, text.as_bytes()).unwrap();
            assert_eq!(p.exact_size(), Some((32, 32)), "{name}");
        }
        let m = builtin();
        assert_eq!((m.width(), m.height(), m.p()), (32, 32, BUILTIN.len()));
        assert_eq!(m.names()[0], "bird");
        assert_eq!(m.names()[1], "cat");
    }

    /// The built-in set is `patterns/` loaded as a directory: the same names in the same
    /// order, the same pixels, so the same memory ids and the same run.
    #[test]
    fn the_builtin_set_is_the_patterns_directory_in_its_order() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
        let loaded = crate::patterns::load_report(&dir, None)
            .unwrap()
            .memories
            .unwrap();
        let builtin = builtin();
        assert_eq!(loaded.names(), builtin.names());
        for mu in 0..builtin.p() {
            assert_eq!(
                loaded.memory(mu),
                builtin.memory(mu),
                "{}",
                builtin.names()[mu]
            );
        }
    }
}
