//! The models of the capacity sweep: the engine's kinds that it knows how to cue, and
//! Krotov–Hopfield's dense associative memory with F(z) = z³ (`dense3`, `model::dense`),
//! which only the sweep runs. It is capacity-only because a new `ModelKind` must run everywhere
//! the others do (the dashboard's energy, landscape and theory panels, `--model`, `--compare`,
//! `recall run`, the engine's step), and the engine's one sweep is built for continuous
//! states: the dense model's exact integer updates share nothing with it but the memories.

use serde::Serialize;

use crate::model::ModelKind;

/// A model of the capacity sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CapacityModel {
    /// One of the engine's models.
    Kind(ModelKind),
    /// The dense associative memory with F(z) = z³ (Krotov & Hopfield 2016): ±1 neurons,
    /// asynchronous updates s_i ← sign(Σ_μ ξ_μi (3z'_μ² + 1)); the cue is the initial state.
    Dense3,
}

/// The command-line name of [`CapacityModel::Dense3`].
pub const DENSE3_NAME: &str = "dense3";

impl CapacityModel {
    /// The name used on the command line and in output.
    pub fn name(self) -> &'static str {
        match self {
            CapacityModel::Kind(kind) => kind.name(),
            CapacityModel::Dense3 => DENSE3_NAME,
        }
    }

    /// The engine's model, or `None` for the dense model.
    pub fn kind(self) -> Option<ModelKind> {
        match self {
            CapacityModel::Kind(kind) => Some(kind),
            CapacityModel::Dense3 => None,
        }
    }

    /// The softmax models (their own retrieval rules and exponential fits).
    pub fn is_modern(self) -> bool {
        self.kind().is_some_and(ModelKind::is_modern)
    }
}

impl From<ModelKind> for CapacityModel {
    fn from(kind: ModelKind) -> Self {
        CapacityModel::Kind(kind)
    }
}

impl From<CapacityModel> for &'static str {
    fn from(model: CapacityModel) -> Self {
        model.name()
    }
}

impl std::fmt::Display for CapacityModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq<ModelKind> for CapacityModel {
    fn eq(&self, other: &ModelKind) -> bool {
        *self == CapacityModel::Kind(*other)
    }
}

impl Serialize for CapacityModel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_kinds() {
        assert_eq!(CapacityModel::Dense3.name(), "dense3");
        assert_eq!(CapacityModel::from(ModelKind::Idp).name(), "idp");
        assert!(CapacityModel::from(ModelKind::Idp) == ModelKind::Idp);
        assert!(CapacityModel::Dense3 != ModelKind::Discrete);
        assert!(!CapacityModel::Dense3.is_modern());
        assert!(CapacityModel::from(ModelKind::Modern).is_modern());
        // No engine model has the dense model's name.
        assert!(ModelKind::parse(DENSE3_NAME).is_none());
    }
}
