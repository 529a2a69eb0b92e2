//! Pattern I/O: the text format, validation with precise errors, and the built-in set.
//!
//! CONTRACT (skeleton written before the implementation; keep these names, extend freely).

use std::path::Path;

use crate::model::Memories;

/// The built-in default memory set (compiled into the binary). Skeleton: random 32×32 images.
pub fn builtin() -> Memories {
    use rand::SeedableRng;
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0);
    Memories::random(32, 32, 8, &mut rng)
}

/// Loads every pattern file of `dir` as one set; the first bad file is an error.
pub fn load_dir(dir: &Path) -> anyhow::Result<Memories> {
    anyhow::bail!("loading {} is not implemented yet", dir.display())
}

/// `recall check DIR`.
pub fn check_cli(_args: &crate::cli::CheckArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("recall check is not implemented yet")
}
