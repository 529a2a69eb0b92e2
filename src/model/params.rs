//! The model's kinds and parameters, with their defaults and their validation.

use serde::Serialize;
use thiserror::Error;

/// Which dynamics a [`super::Network`] integrates (model.md §2, plus the textbook network).
/// Displayed and parsed by its command-line name (`idp`, `classic-pulsed`, …).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::Display,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum ModelKind {
    /// IDP Hopfield: the input sets the synapses, W(u) = (1/N) Ξ diag(α(u)) Ξᵀ.
    Idp,
    /// IDP with the three-layer input filter (τ_α, τ_y, τ_x).
    IdpFilter,
    /// Classic continuous Hopfield; the input is the initial condition at each change.
    ClassicInitial,
    /// Classic continuous Hopfield; the input is a current for `pulse_secs` after each change.
    ClassicPulsed,
    /// Classic continuous Hopfield; the input is a current all the time.
    ClassicConstant,
    /// Textbook discrete Hopfield: ±1 neurons, asynchronous sign updates in random order.
    Discrete,
    /// Modern (dense, softmax) Hopfield: ẋ = −x + Ξ softmax(β Ξᵀx/√N); the input is the initial
    /// condition at each change, as for `classic-initial`.
    Modern,
    /// IDP meets modern Hopfield: ẋ = −x + Ξ[α ⊙ softmax(β α ⊙ Ξᵀx/√N)], the input sets α.
    IdpModern,
}

impl ModelKind {
    /// Every kind, in the order the UI cycles through them.
    /// The modern models come last: a model's seed in a session is its place here.
    pub const ALL: [ModelKind; 8] = [
        ModelKind::Idp,
        ModelKind::IdpFilter,
        ModelKind::ClassicPulsed,
        ModelKind::ClassicConstant,
        ModelKind::ClassicInitial,
        ModelKind::Discrete,
        ModelKind::Modern,
        ModelKind::IdpModern,
    ];

    /// The name used on the command line and in output.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Parses a command-line name (see [`ModelKind::name`]).
    pub fn parse(name: &str) -> Option<Self> {
        name.parse().ok()
    }

    /// True for the models whose synapses depend on the input (IDP, IDP with filter and
    /// IDP-modern).
    pub fn is_idp(self) -> bool {
        matches!(
            self,
            ModelKind::Idp | ModelKind::IdpFilter | ModelKind::IdpModern
        )
    }

    /// True for the softmax (modern Hopfield) models: a linear state (Ψ(x) = x), the energy
    /// E_β of model.md §8 and the inverse temperature β.
    pub fn is_modern(self) -> bool {
        matches!(self, ModelKind::Modern | ModelKind::IdpModern)
    }
}

/// How the saliencies α are read from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Saliency {
    /// α = (1/N) Ξᵀu, the paper's definition.
    Plain,
    /// α = (ΞᵀΞ/N)⁻¹ (1/N) Ξᵀu: removes the cross-talk of correlated memories, so that a clean
    /// memory as input gives α = e_μ exactly.
    Gram,
}

/// Parameters of the dynamics. Times are in seconds of model time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    /// Activation gain g of ψ(x) = tanh(g·x). The authors' code uses 10.
    pub gain: f64,
    /// Integration step in model seconds.
    pub dt_secs: f64,
    /// σ of the additive noise σ·dB on every neuron.
    pub noise_std: f64,
    /// Remove the diagonal of W (the authors' convention). The theory of model.md §4 is exact
    /// with the diagonal kept.
    pub zero_diagonal: bool,
    /// How long the classic pulsed model feeds the input as a current after each change.
    pub pulse_secs: f64,
    /// τ_α of the input filter (IdpFilter). 0 means no filtering.
    pub tau_alpha_secs: f64,
    /// τ_y of the memory layer (IdpFilter). 0 means instantaneous.
    pub tau_y_secs: f64,
    /// τ_x of the feature layer (IdpFilter); the other models use τ_x = 1.
    pub tau_x_secs: f64,
    /// How saliencies are computed from the input.
    pub saliency: Saliency,
    /// |m| below which no memory counts as retrieved.
    pub retrieval_threshold: f64,
    /// Inverse temperature β of the modern models' softmax, on the scale of a logit
    /// β·α_μ·ξ_μᵀx/√N (x of order 1 a neuron): a state unrelated to the memories gives logits
    /// of spread β·|α| at every N, the attention's 1/√d (Ramsauer et al.'s β = 1/√d is β = 1).
    pub beta: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            gain: 10.0,
            dt_secs: 0.01,
            // σ = 2: enough to free IDP from the previous memory within ~2 s (noise-assisted
            // transitions) while its wells (depth ∝ input gain 10) hold; the classic wells do not.
            noise_std: 2.0,
            zero_diagonal: true,
            pulse_secs: 1.0,
            // 1 s: a 2-s glitch moves α̃ only part way (the paper's glitch is ignored), yet a
            // genuine change is followed about 1 s later than by plain IDP.
            tau_alpha_secs: 1.0,
            tau_y_secs: 0.0,
            tau_x_secs: 1.0,
            saliency: Saliency::Plain,
            retrieval_threshold: 0.5,
            // β = 2: a retrieved memory's logit leads the others' by about β√N against a
            // spread of β, so P_max grows like e^{β√N}; at N = 64, β = 1 (the attention's
            // scaling) holds only tens of memories, β = 2 a thousand cued with 20% flipped.
            beta: 2.0,
        }
    }
}

/// The largest dt accepted: Euler on ẋ = −x/τ_x + … is stable for dt < 2τ_x, and accurate only
/// well below that.
pub const MAX_DT_SECS: f64 = 0.1;

/// A number as a message shows it: its shortest form when that is short, else in scientific
/// notation to 5 digits (`1e308`, which `{}` writes in 309 digits; `3e-1` for
/// 0.30000000000000004).
pub fn shown(v: &f64) -> String {
    let plain = v.to_string();
    if plain.len() <= 12 {
        return plain;
    }
    let e = format!("{v:.4e}");
    match e.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => {
            format!(
                "{}e{exponent}",
                mantissa.trim_end_matches('0').trim_end_matches('.')
            )
        }
        _ => e,
    }
}

/// A parameter value the model cannot run with.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum ParamError {
    #[error("{name} must be a finite number, got {}", shown(.value))]
    NotFinite { name: &'static str, value: f64 },
    #[error("{name} must be greater than 0, got {}", shown(.value))]
    NotPositive { name: &'static str, value: f64 },
    #[error("{name} must be 0 or more, got {}", shown(.value))]
    Negative { name: &'static str, value: f64 },
    #[error(
        "dt = {} s is too large for a stable integration: use at most {max} s (and at most τ_x/10 = {tau_limit} s)",
        shown(.value)
    )]
    DtTooLarge {
        value: f64,
        max: f64,
        tau_limit: f64,
    },
    #[error("retrieval threshold must be in (0, 1], got {}", shown(.value))]
    Threshold { value: f64 },
}

impl Params {
    /// Checks every value; the model refuses to run with parameters that fail this.
    pub fn validate(&self) -> Result<(), ParamError> {
        let finite = [
            ("gain", self.gain),
            ("dt", self.dt_secs),
            ("noise", self.noise_std),
            ("pulse", self.pulse_secs),
            ("tau_alpha", self.tau_alpha_secs),
            ("tau_y", self.tau_y_secs),
            ("tau_x", self.tau_x_secs),
            ("retrieval threshold", self.retrieval_threshold),
            ("beta", self.beta),
        ];
        for (name, value) in finite {
            if !value.is_finite() {
                return Err(ParamError::NotFinite { name, value });
            }
        }
        for (name, value) in [
            ("gain", self.gain),
            ("dt", self.dt_secs),
            ("tau_x", self.tau_x_secs),
            ("beta", self.beta),
        ] {
            if value <= 0.0 {
                return Err(ParamError::NotPositive { name, value });
            }
        }
        for (name, value) in [
            ("noise", self.noise_std),
            ("pulse", self.pulse_secs),
            ("tau_alpha", self.tau_alpha_secs),
            ("tau_y", self.tau_y_secs),
        ] {
            if value < 0.0 {
                return Err(ParamError::Negative { name, value });
            }
        }
        let tau_limit = self.tau_x_secs / 10.0;
        if self.dt_secs > MAX_DT_SECS || self.dt_secs > tau_limit {
            return Err(ParamError::DtTooLarge {
                value: self.dt_secs,
                max: MAX_DT_SECS,
                tau_limit,
            });
        }
        if !(self.retrieval_threshold > 0.0 && self.retrieval_threshold <= 1.0) {
            return Err(ParamError::Threshold {
                value: self.retrieval_threshold,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Params::default().validate(), Ok(()));
    }

    #[test]
    fn bad_values_are_rejected_with_a_message() {
        let bad = |f: fn(&mut Params)| {
            let mut p = Params::default();
            f(&mut p);
            p.validate().unwrap_err().to_string()
        };
        assert_eq!(bad(|p| p.dt_secs = 0.0), "dt must be greater than 0, got 0");
        assert_eq!(
            bad(|p| p.dt_secs = -1.0),
            "dt must be greater than 0, got -1"
        );
        assert_eq!(
            bad(|p| p.dt_secs = 0.5),
            "dt = 0.5 s is too large for a stable integration: use at most 0.1 s (and at most τ_x/10 = 0.1 s)"
        );
        assert_eq!(
            bad(|p| p.noise_std = -0.1),
            "noise must be 0 or more, got -0.1"
        );
        assert_eq!(bad(|p| p.gain = 0.0), "gain must be greater than 0, got 0");
        assert_eq!(
            bad(|p| p.gain = f64::NAN),
            "gain must be a finite number, got NaN"
        );
        assert_eq!(
            bad(|p| p.noise_std = f64::INFINITY),
            "noise must be a finite number, got inf"
        );
        assert_eq!(
            bad(|p| p.tau_alpha_secs = -1.0),
            "tau_alpha must be 0 or more, got -1"
        );
        assert_eq!(bad(|p| p.beta = 0.0), "beta must be greater than 0, got 0");
        assert_eq!(
            bad(|p| p.beta = f64::NAN),
            "beta must be a finite number, got NaN"
        );
        assert_eq!(
            bad(|p| p.retrieval_threshold = 0.0),
            "retrieval threshold must be in (0, 1], got 0"
        );
    }

    #[test]
    fn model_names_round_trip() {
        for k in ModelKind::ALL {
            assert_eq!(ModelKind::parse(k.name()), Some(k));
        }
        assert_eq!(ModelKind::parse("hopfield"), None);
    }
}
