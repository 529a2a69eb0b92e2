//! The pure model core: memories, the dynamics (IDP, IDP with input filter, classic variants,
//! textbook discrete; Krotov–Hopfield's dense memory for the capacity sweep), energy and
//! theory. No clocks, threads or terminals; deterministic for a seed.

pub mod banded;
pub mod dense;
pub mod density;
pub mod entropy;
pub mod equilibria;
pub mod kernels;
pub mod landscape;
pub mod memories;
pub mod network;
pub mod normal;
pub mod params;
pub mod regime;
pub mod signs;
pub mod sweep;
pub mod theory;

pub use equilibria::{
    Equilibria, EquilibriaCache, Equilibrium, Standing, TheoryInput, TheoryKey, Unsolved,
};
pub use memories::{Memories, MemoriesError};
pub use network::{ModelError, Network};
pub use params::{MAX_DT_SECS, ModelKind, ParamError, Params, Saliency};
pub use theory::{Diagonal, MemoryTheory, TheoryReport};
