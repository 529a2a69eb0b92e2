//! What the theory (model.md §4) says of each memory now, in the dashboard's words: a stable
//! well, a saddle, or no equilibrium; the hierarchy of the wells, deepest first; and the regime
//! of the paper's Fig. 2. The dashboard's memory table and readout show it, and `recall run`
//! records it (one definition for both).

use super::{ModelKind, TheoryReport};

/// What the theory says of one memory, in the words the panel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A stable equilibrium: a well the state can rest in.
    Well,
    /// An equilibrium that is not stable: the state slides off it.
    Saddle,
    /// No equilibrium: α is below the existence threshold 1/g.
    Absent,
}

impl Standing {
    /// The standing of memory `mu` in `report` (absent when the report has no such memory).
    pub fn of(report: &TheoryReport, mu: usize) -> Self {
        match report.memories.get(mu) {
            Some(m) if m.exists && m.stable => Standing::Well,
            Some(m) if m.exists => Standing::Saddle,
            _ => Standing::Absent,
        }
    }

    /// The word the memory table and the records use.
    pub fn word(self) -> &'static str {
        match self {
            Standing::Well => "well",
            Standing::Saddle => "saddle",
            Standing::Absent => "none",
        }
    }
}

/// The stable wells, deepest first (the paper's memory hierarchy).
pub fn hierarchy(report: &TheoryReport) -> Vec<usize> {
    let mut wells: Vec<(usize, f64)> = (0..report.memories.len())
        .filter(|&mu| Standing::of(report, mu) == Standing::Well)
        .map(|mu| {
            let depth = report.memories[mu].depth_per_neuron.unwrap_or(0.0);
            (mu, if depth.is_finite() { depth } else { 0.0 })
        })
        .collect();
    wells.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    wells.into_iter().map(|(mu, _)| mu).collect()
}

/// Each memory's rank among the wells, from 1 (`None` for a memory without a well): one more
/// than the wells deeper than it as the screen shows depths (E/N to 3 decimals), so wells of
/// one depth share a rank (a classic network's memories are one depth: #1 each).
pub fn ranks(report: &TheoryReport) -> Vec<Option<usize>> {
    let wells = hierarchy(report);
    let shown = |mu: usize| shown_depth(report, mu);
    (0..report.memories.len())
        .map(|mu| {
            wells
                .contains(&mu)
                .then(|| 1 + wells.iter().filter(|&&w| shown(w) < shown(mu)).count())
        })
        .collect()
}

/// Memory `mu`'s well depth E/N as the screen shows it, to 3 decimals (in thousandths; 0
/// without a finite one).
fn shown_depth(report: &TheoryReport, mu: usize) -> i64 {
    let d = report.memories[mu].depth_per_neuron.unwrap_or(0.0);
    let d = if d.is_finite() { d } else { 0.0 };
    (d * 1000.0).round() as i64
}

/// The four regimes of the paper's Fig. 2, for the two most salient memories a (the larger α)
/// and b.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    /// Neither exists: the origin is the only, global minimum (the confusion state).
    NoMemory { a: usize },
    /// a exists and b does not: a well at ±a, and the origin becomes a saddle.
    OneMemory { a: usize },
    /// Both exist, b is unstable: a saddle pair appears beside the well of a.
    StableAndSaddle { a: usize, b: usize },
    /// Both are stable wells. In Fig. 2 (orthogonal memories) a is the deeper; with crosstalk
    /// the solved depths can order them the other way, and `depth` says how they compare as
    /// the memory table shows them (E/N to 3 decimals): `Less` when a is deeper, `Greater`
    /// when b is, `Equal` when they show one depth.
    TwoStable {
        a: usize,
        b: usize,
        depth: std::cmp::Ordering,
    },
}

impl Regime {
    /// The regime of `report` for saliencies `alpha` in a network of `kind` (`None` with fewer
    /// than two memories, and for a model whose W the input does not weight).
    pub fn of(report: &TheoryReport, alpha: &[f32], kind: ModelKind) -> Option<Self> {
        // The regimes are the tanh network's (wells at ±ξ, the origin an equilibrium): a modern
        // (softmax) landscape has none of them. They order the memories by α, the weights of
        // an IDP network's W: a classic or discrete W weighs every memory 1, and "a deeper than
        // b" is not true of it.
        if report.beta.is_some() || !kind.is_idp() {
            return None;
        }
        let mut order: Vec<usize> = (0..alpha.len().min(report.memories.len())).collect();
        order.sort_by(|&x, &y| alpha[y].total_cmp(&alpha[x]).then(x.cmp(&y)));
        let (a, b) = (*order.first()?, *order.get(1)?);
        Some(match (Standing::of(report, a), Standing::of(report, b)) {
            // "The origin is the only minimum" is the report's confusion (no well, the origin
            // stable). The most salient memory can have no equilibrium while another has a
            // well (crosstalk, or rows solved for the input of seconds ago while a new
            // memory's α rises): then none of Fig. 2's regimes describes the landscape.
            (Standing::Absent, _) if report.confusion => Regime::NoMemory { a },
            (Standing::Absent, _) => return None,
            (_, Standing::Absent) => Regime::OneMemory { a },
            (_, Standing::Saddle) => Regime::StableAndSaddle { a, b },
            _ => Regime::TwoStable {
                a,
                b,
                depth: shown_depth(report, a).cmp(&shown_depth(report, b)),
            },
        })
    }

    /// The regime's number, 1 to 4, as docs/explore.md lists them.
    pub fn number(self) -> u8 {
        match self {
            Regime::NoMemory { .. } => 1,
            Regime::OneMemory { .. } => 2,
            Regime::StableAndSaddle { .. } => 3,
            Regime::TwoStable { .. } => 4,
        }
    }

    /// The two most salient memories it is about (the second absent in regimes 1 and 2).
    pub fn memories(self) -> (usize, Option<usize>) {
        match self {
            Regime::NoMemory { a } | Regime::OneMemory { a } => (a, None),
            Regime::StableAndSaddle { a, b } | Regime::TwoStable { a, b, .. } => (a, Some(b)),
        }
    }

    /// The regime in words, with the memories' names.
    pub fn describe(self, names: &[String]) -> String {
        let name = |i: usize| names.get(i).map_or("?", String::as_str);
        match self {
            Regime::NoMemory { .. } => {
                "no memory: the origin is the only minimum (confusion)".into()
            }
            Regime::OneMemory { a } => {
                format!("one memory: a well at ±{}; the origin is a saddle", name(a))
            }
            Regime::StableAndSaddle { a, b } => format!(
                "{} stable, {} a saddle: the state slides to {}",
                name(a),
                name(b),
                name(a)
            ),
            Regime::TwoStable { a, b, depth } => match depth {
                std::cmp::Ordering::Greater => {
                    format!("two stable memories: {} deeper than {}", name(b), name(a))
                }
                std::cmp::Ordering::Less => {
                    format!("two stable memories: {} deeper than {}", name(a), name(b))
                }
                std::cmp::Ordering::Equal => {
                    format!("two stable memories: {} as deep as {}", name(a), name(b))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::theory::MemoryTheory;

    fn memory(exists: bool, stable: bool) -> MemoryTheory {
        MemoryTheory {
            gamma: exists.then_some(1.0),
            exists,
            stable,
            depth_per_neuron: exists.then_some(-1.0),
            effective_weight: 1.0,
            slides_to: None,
        }
    }

    /// A report whose confusion is the closed forms' (no memory exists; the origin stable).
    fn report(memories: Vec<MemoryTheory>) -> TheoryReport {
        TheoryReport {
            confusion: memories.iter().all(|m| !m.exists),
            memories,
            alpha_star: 0.3,
            existence_threshold: 0.1,
            self_coupling: 0.0,
            approximate: false,
            beta: None,
        }
    }

    #[test]
    fn a_network_whose_w_the_input_does_not_weight_has_no_regime() {
        let alpha = [3.0f32, 2.0, 1.0];
        let two = report(vec![memory(true, true); 3]);
        assert_eq!(
            Regime::of(&two, &alpha, ModelKind::IdpFilter),
            Some(Regime::TwoStable {
                a: 0,
                b: 1,
                depth: std::cmp::Ordering::Equal
            })
        );
        for kind in [ModelKind::ClassicPulsed, ModelKind::Discrete] {
            assert_eq!(Regime::of(&two, &alpha, kind), None);
        }
    }

    #[test]
    fn two_stable_memories_are_worded_by_their_solved_depths() {
        // Crosstalk can make the less salient memory the deeper well (the dashboard said "star
        // deeper than key" beside a table with key #1 at −3.092 and star #2 at −2.141).
        let alpha = [5.84f32, 4.45, 1.0];
        let names: Vec<String> = ["star", "key", "owl"].map(String::from).to_vec();
        let mut two = report(vec![memory(true, true); 3]);
        two.memories[0].depth_per_neuron = Some(-2.141);
        two.memories[1].depth_per_neuron = Some(-3.092);
        let r = Regime::of(&two, &alpha, ModelKind::Idp).unwrap();
        assert_eq!(r.memories(), (0, Some(1)));
        assert_eq!(
            r.describe(&names),
            "two stable memories: key deeper than star"
        );
        two.memories[1].depth_per_neuron = Some(-1.5);
        let r = Regime::of(&two, &alpha, ModelKind::Idp).unwrap();
        assert_eq!(
            r.describe(&names),
            "two stable memories: star deeper than key"
        );
        two.memories[1].depth_per_neuron = Some(-2.1414);
        let r = Regime::of(&two, &alpha, ModelKind::Idp).unwrap();
        assert_eq!(
            r.describe(&names),
            "two stable memories: star as deep as key"
        );
    }

    #[test]
    fn no_memory_only_in_the_reports_confusion() {
        let alpha = [3.0f32, 2.0, 1.0];
        // Nothing exists: the confusion regime.
        let none = report(vec![memory(false, false); 3]);
        assert_eq!(
            Regime::of(&none, &alpha, ModelKind::Idp),
            Some(Regime::NoMemory { a: 0 })
        );
        // The most salient has none but the least salient is a well (the dashboard at
        // 16384×64 said "no memory: the origin is the only minimum" beside a table whose
        // rows had a well): no regime is claimed.
        let third = report(vec![
            memory(false, false),
            memory(false, false),
            memory(true, true),
        ]);
        assert_eq!(Regime::of(&third, &alpha, ModelKind::Idp), None);
        // The regimes that hold are as before.
        let one = report(vec![
            memory(true, true),
            memory(false, false),
            memory(false, false),
        ]);
        assert_eq!(
            Regime::of(&one, &alpha, ModelKind::Idp),
            Some(Regime::OneMemory { a: 0 })
        );
    }
}
