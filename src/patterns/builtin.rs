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

/// The embedded pattern files: (name, text), in the order of the default set.
pub const BUILTIN: &[(&str, &str)] = embed![
    "cat", "dog", "house", "tree", "fish", "bird", "star", "heart", "sun", "key",
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
        assert_eq!(m.names()[0], "cat");
        assert_eq!(m.names()[1], "dog");
    }
}
