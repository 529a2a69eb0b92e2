//! The theory's words for the dashboard: one definition, in `model::regime`, shared with the
//! records of `recall run`.

pub use crate::model::regime::{Regime, Standing, hierarchy, ranks};
