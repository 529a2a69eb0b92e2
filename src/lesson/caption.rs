//! Captions: text with `{placeholders}` filled from the run, so that the words on screen are
//! true of what just happened. Each placeholder renders what did happen — a retrieval, its
//! latency, a glitch's outcome, the regime — or says that it has not happened yet; none of
//! them is a fixed claim.
//!
//! | placeholder | renders |
//! |---|---|
//! | `{M.memory}` | the memory M last retrieved or moved to in this chapter (or "nothing yet") |
//! | `{M.latency}` `{M.outcome}` | M's last retrieval in this chapter and its latency, or what M does instead |
//! | `{M.glitch}` `{glitch.outcome}` | how M (the primary model) took the last glitch, or that none came |
//! | `{M.overlap}` `{M.accuracy}` | the largest \|m\| now and its memory; the tracking accuracy |
//! | `{regime}` `{deepest}` `{alpha}` | the primary model's regime of Fig. 2, deepest well, top saliencies |
//! | `{input}` `{noise}` `{time}` | what the input shows, σ, model seconds into the chapter |
//!
//! M is a model (`idp`, `classic-pulsed`, …), `model` (the primary) or `classic` (the first
//! classic model running). `{{` and `}}` are braces.

use crate::model::density::shown_mass;
use crate::model::regime::{Regime, hierarchy};
use crate::model::{ModelKind, TheoryReport};

use super::progress::{Facts, ModelFacts};
use super::{GlitchOutcome, ModelRef};

/// A caption line: text and placeholders.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Field(Field),
}

/// What a placeholder quotes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field {
    Memory(ModelRef),
    Latency(ModelRef),
    Outcome(ModelRef),
    Glitch(ModelRef),
    Overlap(ModelRef),
    Accuracy(ModelRef),
    GlitchOutcome,
    Regime,
    Deepest,
    Alpha,
    Input,
    Noise,
    Time,
    /// The density view's masses against the theory (the paper's Fig. 4).
    Density,
}

/// A placeholder the format does not know, or a brace left open.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    /// The offending piece of the text (to find it in the file).
    pub piece: String,
    pub what: String,
}

/// Every placeholder, for messages.
pub const PLACEHOLDERS: &str = "{M.memory} {M.latency} {M.outcome} {M.glitch} {M.overlap} \
     {M.accuracy} {glitch.outcome} {regime} {deepest} {alpha} {input} {noise} {time} {density} \
     (M: idp, classic-pulsed, …, model, classic)";

impl Template {
    /// Parses a line of caption text; every unknown placeholder is an error (a brace left
    /// open or unmatched ends the line's errors there: what follows cannot be read).
    pub fn parse(text: &str) -> Result<Self, Vec<TemplateError>> {
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            literal.push_str(&rest[..i]);
            let tail = &rest[i..];
            if let Some(after) = tail.strip_prefix("{{") {
                literal.push('{');
                rest = after;
            } else if let Some(after) = tail.strip_prefix("}}") {
                literal.push('}');
                rest = after;
            } else if tail.starts_with('}') {
                errors.push(TemplateError {
                    piece: "}".into(),
                    what: "a } without its {: write }} for a brace".into(),
                });
                return Err(errors);
            } else {
                let Some(end) = tail.find('}') else {
                    errors.push(TemplateError {
                        piece: tail.chars().take(12).collect(),
                        what: "a { is not closed: write {{ for a brace".into(),
                    });
                    return Err(errors);
                };
                let name = &tail[1..end];
                match Field::parse(name.trim()) {
                    Some(field) => {
                        if !literal.is_empty() {
                            parts.push(Part::Text(std::mem::take(&mut literal)));
                        }
                        parts.push(Part::Field(field));
                    }
                    None => errors.push(TemplateError {
                        piece: tail[..=end].to_string(),
                        what: format!("unknown placeholder {{{name}}}: expected {PLACEHOLDERS}"),
                    }),
                }
                rest = &tail[end + 1..];
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Self { parts })
    }

    /// The placeholders of the line.
    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.parts.iter().filter_map(|p| match p {
            Part::Field(f) => Some(*f),
            Part::Text(_) => None,
        })
    }

    /// The line with every placeholder filled from the chapter's `facts` and the `live` run.
    pub fn fill(&self, facts: &Facts, live: &Live) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Field(f) => out.push_str(&f.render(facts, live)),
            }
        }
        out
    }
}

impl Field {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "glitch.outcome" => Field::GlitchOutcome,
            "regime" => Field::Regime,
            "deepest" => Field::Deepest,
            "alpha" => Field::Alpha,
            "input" => Field::Input,
            "noise" => Field::Noise,
            "time" => Field::Time,
            "density" => Field::Density,
            _ => {
                let (model, what) = name.split_once('.')?;
                let m = ModelRef::parse(model)?;
                match what {
                    "memory" => Field::Memory(m),
                    "latency" => Field::Latency(m),
                    "outcome" => Field::Outcome(m),
                    "glitch" => Field::Glitch(m),
                    "overlap" => Field::Overlap(m),
                    "accuracy" => Field::Accuracy(m),
                    _ => return None,
                }
            }
        })
    }

    /// What the placeholder says now.
    pub fn render(self, facts: &Facts, live: &Live) -> String {
        let running: Vec<ModelKind> = live.models.iter().map(|m| m.kind).collect();
        let model = |r: ModelRef| {
            r.resolve(&running).and_then(|k| {
                let view = live.models.iter().find(|m| m.kind == k)?;
                Some((view, facts.of(k)))
            })
        };
        let absent = |r: ModelRef| match r {
            ModelRef::Kind(k) => format!("({} is not running)", k.name()),
            ModelRef::Primary => "(no model is running)".into(),
            ModelRef::Classic => "(no classic model is running)".into(),
        };
        let name = |mu: usize| live.name(mu);
        match self {
            Field::Memory(r) => match model(r) {
                None => absent(r),
                Some((_, f)) => f
                    .retrieved
                    .last()
                    .map_or("nothing yet".into(), |&mu| name(mu)),
            },
            Field::Latency(r) => match model(r) {
                None => absent(r),
                Some((_, f)) => f.retrieval.map_or("— (nothing retrieved yet)".into(), |x| {
                    format!("{:.1} s", x.latency_secs)
                }),
            },
            Field::Outcome(r) => match model(r) {
                None => absent(r),
                Some((view, f)) => outcome(view, f, live),
            },
            Field::Glitch(r) => match model(r) {
                None => absent(r),
                Some((_, f)) => glitch(f, live),
            },
            Field::GlitchOutcome => match model(ModelRef::Primary) {
                None => absent(ModelRef::Primary),
                Some((view, f)) => format!("{} {}", view.kind.name(), glitch(f, live)),
            },
            Field::Overlap(r) => match model(r) {
                None => absent(r),
                Some((view, _)) => match strongest(view.overlaps) {
                    Some((mu, m)) => format!("|m| = {m:.2} with {}", name(mu)),
                    None => "no overlap".into(),
                },
            },
            Field::Accuracy(r) => match model(r) {
                None => absent(r),
                Some((view, _)) => view
                    .accuracy
                    .map_or("not measured yet".into(), |a| format!("{:.0}%", a * 100.0)),
            },
            Field::Regime | Field::Deepest
                if live.models.first().is_some_and(|v| v.theory_stale) =>
            {
                // Right after α moved the rows are still the landscape's before: saying its
                // regime beside the new α contradicted them for a second or two.
                "(solving for these α…)".into()
            }
            Field::Regime => match live.models.first() {
                None => absent(ModelRef::Primary),
                Some(view) => match Regime::of(view.theory, view.weights, view.kind) {
                    Some(r) => format!("regime {}: {}", r.number(), r.describe(live.names)),
                    None => "no regime (fewer than two memories)".into(),
                },
            },
            Field::Deepest => match live.models.first() {
                None => absent(ModelRef::Primary),
                Some(view) => match hierarchy(view.theory).first() {
                    Some(&mu) => {
                        let depth = view.theory.memories[mu].depth_per_neuron;
                        match depth {
                            Some(d) => format!(
                                "{} (E/N {})",
                                name(mu),
                                format!("{d:.3}").replace('-', "−")
                            ),
                            None => name(mu),
                        }
                    }
                    None => "no well at all (the confusion state)".into(),
                },
            },
            Field::Alpha => match live.models.first() {
                None => absent(ModelRef::Primary),
                Some(view) => alpha(view, live),
            },
            Field::Input => live.truth.map_or("no single memory".into(), name),
            Field::Noise => format!("σ = {}", live.noise_std),
            Field::Time => format!("{:.0} s", live.chapter_secs),
            Field::Density => density(live.density.as_ref()),
        }
    }
}

/// "retrieved cat after 1.2 s", and where the model is now when that is elsewhere ("…, and is
/// now on dog"), so that a caption read later is not taken for the present; or what the model
/// is doing instead.
fn outcome(view: &LiveModel, f: &ModelFacts, live: &Live) -> String {
    if let Some(x) = f.retrieval {
        let mirror = if x.mirror { " (mirror −ξ)" } else { "" };
        let now = match view.retrieved {
            Some(mu) if mu == x.memory => String::new(),
            Some(mu) => format!(", and is now on {}", live.name(mu)),
            None => ", and has left it since".into(),
        };
        return format!(
            "retrieved {} after {:.1} s{mirror}{now}",
            live.name(x.memory),
            x.latency_secs
        );
    }
    match view.retrieved {
        Some(mu) => format!(
            "has retrieved nothing new in this chapter (it is on {})",
            live.name(mu)
        ),
        None => "has retrieved nothing yet (no |m| above 0.5)".into(),
    }
}

/// "corrected the glitch to dog", "followed …", or that no glitch was judged.
fn glitch(f: &ModelFacts, live: &Live) -> String {
    match f.glitch {
        Some((GlitchOutcome::Corrected, g, _)) => {
            format!("corrected the glitch to {}", live.name(g))
        }
        Some((GlitchOutcome::Followed, g, _)) => {
            format!("followed the glitch to {}", live.name(g))
        }
        Some((GlitchOutcome::NotTracking, g, Some(held))) => format!(
            "was not on {} when the glitch to {} came (neither corrected nor followed)",
            live.name(held),
            live.name(g)
        ),
        Some((GlitchOutcome::NotTracking, g, None)) => {
            format!("held no memory when the glitch to {} came", live.name(g))
        }
        None if live.glitch => "is in a glitch now (not judged yet)".into(),
        None => "has seen no glitch yet".into(),
    }
}

/// The two most salient memories and the existence threshold.
fn alpha(view: &LiveModel, live: &Live) -> String {
    let mut order: Vec<usize> = (0..view.weights.len()).collect();
    order.sort_by(|&a, &b| view.weights[b].total_cmp(&view.weights[a]).then(a.cmp(&b)));
    let shown: Vec<String> = order
        .iter()
        .take(2)
        .map(|&mu| format!("α {} = {:.3}", live.name(mu), view.weights[mu]))
        .collect();
    format!(
        "{} (existence threshold {:.3})",
        shown.join(", "),
        view.theory.existence_threshold
    )
}

/// The memory with the largest |m| and that |m|.
fn strongest(overlaps: &[f32]) -> Option<(usize, f32)> {
    overlaps
        .iter()
        .map(|m| m.abs())
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// The run as it is now, borrowed from a snapshot.
#[derive(Debug, Clone)]
pub struct Live<'a> {
    pub names: &'a [String],
    /// The density view (`--scenario density`), while it runs.
    pub density: Option<DensityFacts>,
    /// Model seconds since the chapter began.
    pub chapter_secs: f64,
    pub noise_std: f64,
    /// What the input shows (ground truth).
    pub truth: Option<usize>,
    /// The input is in a glitch.
    pub glitch: bool,
    /// The running models, primary first.
    pub models: Vec<LiveModel<'a>>,
}

impl Live<'_> {
    /// A memory's name ("#3" if the set changed under it).
    pub fn name(&self, mu: usize) -> String {
        self.names
            .get(mu)
            .cloned()
            .unwrap_or_else(|| format!("#{mu}"))
    }
}

/// One running model as it is now.
#[derive(Debug, Clone)]
pub struct LiveModel<'a> {
    pub kind: ModelKind,
    pub overlaps: &'a [f32],
    pub retrieved: Option<usize>,
    pub accuracy: Option<f64>,
    pub theory: &'a TheoryReport,
    /// The weights of W (α, filtered α̃, or 1 for the classic models).
    pub weights: &'a [f32],
    /// The theory's rows are not of the landscape that runs in this chapter (not solved yet,
    /// solved for weights that have moved since, or before the chapter began): its regime
    /// and wells are of another landscape.
    pub theory_stale: bool,
}

/// What a caption may say of the density view: its settings, where the sampling is, and the
/// mass in each memory's basins (both wells, ±ξ), measured against the grid solve.
#[derive(Debug, Clone, PartialEq)]
pub struct DensityFacts {
    pub sigma: f64,
    pub alphas: [f64; 2],
    /// Model seconds since the last change, and the burn-in before sampling starts.
    pub since_secs: f64,
    pub burn_in_secs: f64,
    /// Per memory (ξ1, ξ2): the measured basin mass with its standard error, and the solve's
    /// (`None` while it runs). `None` for the measured part until the basins are known.
    pub basins: [Option<BasinMass>; 2],
}

/// A memory's basins: the measured mass, its standard error, and the grid solve's mass.
pub type BasinMass = (f64, Option<f64>, Option<f64>);

/// `{density}`: the basins' masses, measured against the theory, or what is not known yet.
fn density(facts: Option<&DensityFacts>) -> String {
    let Some(d) = facts else {
        return "(the density view is not running)".into();
    };
    let head = format!("σ = {}, α = {}, {}", d.sigma, d.alphas[0], d.alphas[1]);
    if d.since_secs < d.burn_in_secs {
        return format!(
            "{head}: burning in ({:.0} s of {:.0}), no averaged masses yet",
            d.since_secs, d.burn_in_secs
        );
    }
    let mut parts = Vec::new();
    for (i, b) in d.basins.iter().enumerate() {
        match b {
            Some((m, se, fp)) => {
                let se = se.map_or(String::new(), |e| format!(" ± {e:.3}"));
                let fp = fp.map_or("theory solving…".into(), |f| {
                    format!("theory {:.3}", shown_mass(f))
                });
                parts.push(format!(
                    "ξ{}'s basins hold {:.3}{se} ({fp})",
                    i + 1,
                    shown_mass(*m)
                ));
            }
            None => parts.push(format!("ξ{}'s basins: waiting for the solve", i + 1)),
        }
    }
    format!("{head}: {}", parts.join("; "))
}

#[cfg(test)]
mod density_tests {
    use super::{DensityFacts, density};

    fn facts(since_secs: f64) -> DensityFacts {
        DensityFacts {
            sigma: 0.8,
            alphas: [1.5, 2.25],
            since_secs,
            burn_in_secs: 20.0,
            basins: [
                Some((0.086, Some(0.004), Some(0.085))),
                Some((0.914, Some(0.004), None)),
            ],
        }
    }

    #[test]
    fn the_density_placeholder_says_what_is_measured_and_what_is_not_yet() {
        assert_eq!(density(None), "(the density view is not running)");
        assert_eq!(
            density(Some(&facts(8.0))),
            "σ = 0.8, α = 1.5, 2.25: burning in (8 s of 20), no averaged masses yet"
        );
        assert_eq!(
            density(Some(&facts(30.0))),
            "σ = 0.8, α = 1.5, 2.25: ξ1's basins hold 0.086 ± 0.004 (theory 0.085); \
             ξ2's basins hold 0.914 ± 0.004 (theory solving…)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::progress::Retrieval;
    use crate::model::theory::{Diagonal, analyse_orthogonal};

    /// A caption read while the model is elsewhere must not read as the present: a user saw
    /// "it retrieved star after 0.9 s" beside a readout on key.
    #[test]
    fn an_outcome_says_where_the_model_is_now_when_it_moved_on() {
        let names: Vec<String> = ["star", "key", "fish"].map(String::from).into();
        let theory = analyse_orthogonal(&[1.0; 3], 10.0, Diagonal::new(true, 1024));
        let live = |now: Option<usize>| LiveModel {
            kind: ModelKind::Idp,
            overlaps: &[],
            retrieved: now,
            accuracy: None,
            theory: &theory,
            weights: &[],
            theory_stale: false,
        };
        let world = Live {
            names: &names,
            density: None,
            chapter_secs: 10.0,
            noise_std: 0.0,
            truth: None,
            glitch: false,
            models: Vec::new(),
        };
        let facts = |mirror| ModelFacts {
            retrieval: Some(Retrieval {
                memory: 0,
                latency_secs: 0.9,
                mirror,
                time_secs: 3.0,
            }),
            ..ModelFacts::default()
        };
        let said = |now, mirror| outcome(&live(now), &facts(mirror), &world);
        assert_eq!(said(Some(0), false), "retrieved star after 0.9 s");
        assert_eq!(
            said(Some(1), false),
            "retrieved star after 0.9 s, and is now on key"
        );
        assert_eq!(
            said(None, false),
            "retrieved star after 0.9 s, and has left it since"
        );
        // As the event log says it.
        assert_eq!(
            said(Some(0), true),
            "retrieved star after 0.9 s (mirror −ξ)"
        );
    }
}
