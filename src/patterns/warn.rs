//! What is worth a warning about a valid set: a pattern that duplicates another (or is its
//! negative), pairs so alike they will be confused, more patterns than the classic capacity.
//! `recall check` prints them all; a live reload reports those its changes brought.

use crate::model::Memories;

/// Pairs of memories above this overlap will be confused.
pub const CONFUSION_OVERLAP: f64 = 0.5;
/// The capacity of the classic (Hebbian) Hopfield models for random patterns, in memories per
/// neuron (Amit, Gutfreund and Sompolinsky's 0.138). Retrieval degrades around it rather than
/// failing at once: at N = 1024 (discrete model, 10% of the bits flipped) 97% of random
/// patterns are retrieved at P/N = 0.12, 74–81% at 0.14, 34% at 0.16 and 6% at 0.18.
/// Correlated patterns fail earlier.
pub const CAPACITY_PER_NEURON: f64 = 0.138;

/// One warning about a valid set. `Display` gives the text after "warning: ".
#[derive(Debug, Clone, PartialEq)]
pub enum SetWarning {
    /// `name` has the same pixels as `of`, or every pixel flipped (`negated`): a Hopfield
    /// network stores a pattern and its negative alike, so either way they are one memory.
    Duplicate {
        name: String,
        of: String,
        negated: bool,
    },
    /// `a` and `b` overlap by more than [`CONFUSION_OVERLAP`] (in absolute value).
    Similar { a: String, b: String, overlap: f64 },
    /// More patterns than [`CAPACITY_PER_NEURON`]·N.
    OverCapacity { patterns: usize, capacity: f64 },
}

impl SetWarning {
    /// The pattern names the warning is about (none for the capacity).
    pub fn names(&self) -> Vec<&str> {
        match self {
            SetWarning::Duplicate { name, of, .. } => vec![name, of],
            SetWarning::Similar { a, b, .. } => vec![a, b],
            SetWarning::OverCapacity { .. } => Vec::new(),
        }
    }
}

impl std::fmt::Display for SetWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetWarning::Duplicate {
                name,
                of,
                negated: false,
            } => write!(
                f,
                "{name} has the same pixels as {of}: they are one memory, and will be confused"
            ),
            SetWarning::Duplicate {
                name,
                of,
                negated: true,
            } => write!(
                f,
                "{name} is {of} with every pixel flipped: a Hopfield network stores a pattern and its negative alike, so they are one memory and will be confused"
            ),
            SetWarning::Similar { a, b, overlap } => write!(
                f,
                "{a} and {b} overlap {overlap:.2} (|overlap| above {CONFUSION_OVERLAP}): they will be confused"
            ),
            SetWarning::OverCapacity { patterns, capacity } => write!(
                f,
                "{patterns} {} {CAPACITY_PER_NEURON}·N = {capacity:.1}, the capacity of the classic (Hebbian) models for random patterns: retrieval degrades around it, and correlated patterns fail earlier",
                if *patterns == 1 {
                    "pattern exceeds"
                } else {
                    "patterns exceed"
                }
            ),
        }
    }
}

/// Every warning about `mem`: pairs in set order (each pair once, the later pattern named
/// first for a duplicate), then the capacity.
pub fn set_warnings(mem: &Memories) -> Vec<SetWarning> {
    let names = mem.names();
    let g = mem.overlap_matrix();
    let mut warnings = Vec::new();
    for a in 0..mem.p() {
        for b in 0..a {
            let overlap = g[(a, b)];
            if overlap.abs() <= CONFUSION_OVERLAP {
                continue;
            }
            let (xa, xb) = (mem.memory(a), mem.memory(b));
            let same = xa == xb;
            let negated = !same && xa.iter().zip(xb).all(|(u, v)| *u == -*v);
            warnings.push(if same || negated {
                SetWarning::Duplicate {
                    name: names[a].clone(),
                    of: names[b].clone(),
                    negated,
                }
            } else {
                SetWarning::Similar {
                    a: names[b].clone(),
                    b: names[a].clone(),
                    overlap,
                }
            });
        }
    }
    if let Some(w) = over_capacity(mem) {
        warnings.push(w);
    }
    warnings
}

/// The warning about `mem`'s size, if it holds more than the capacity.
fn over_capacity(mem: &Memories) -> Option<SetWarning> {
    let capacity = CAPACITY_PER_NEURON * mem.n() as f64;
    (mem.p() as f64 > capacity).then_some(SetWarning::OverCapacity {
        patterns: mem.p(),
        capacity,
    })
}

/// The warnings a change of set brings: those about a pattern in `names` (added or changed),
/// and the capacity when `new` exceeds it and `old` did not.
pub fn new_warnings(old: Option<&Memories>, new: &Memories, names: &[&str]) -> Vec<SetWarning> {
    let mut warnings: Vec<SetWarning> = set_warnings(new)
        .into_iter()
        .filter(|w| match w {
            SetWarning::OverCapacity { .. } => old.is_none_or(|o| over_capacity(o).is_none()),
            _ => w.names().iter().any(|n| names.contains(n)),
        })
        .map(|w| match w {
            // Named after the newcomer: "antidog is dog with every pixel flipped".
            SetWarning::Duplicate { name, of, negated }
                if names.contains(&of.as_str()) && !names.contains(&name.as_str()) =>
            {
                SetWarning::Duplicate {
                    name: of,
                    of: name,
                    negated,
                }
            }
            w => w,
        })
        .collect();
    warnings.dedup();
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(patterns: &[(&str, [bool; 4])]) -> Memories {
        let named = patterns
            .iter()
            .map(|(n, px)| (n.to_string(), px.to_vec()))
            .collect();
        Memories::from_bools(2, 2, named).unwrap()
    }

    #[test]
    fn duplicates_negatives_and_look_alikes_are_told_apart() {
        let mem = set(&[
            ("a", [true, false, false, false]),
            ("b", [true, false, false, false]),
            ("c", [false, true, true, true]),
            ("d", [true, true, false, true]),
        ]);
        let said: Vec<String> = set_warnings(&mem).iter().map(|w| w.to_string()).collect();
        let flipped = "with every pixel flipped: a Hopfield network stores a pattern and its \
                       negative alike, so they are one memory and will be confused";
        assert_eq!(
            said,
            vec![
                "b has the same pixels as a: they are one memory, and will be confused".to_string(),
                format!("c is a {flipped}"),
                format!("c is b {flipped}"),
                "4 patterns exceed 0.138·N = 0.6, the capacity of the classic (Hebbian) models \
                 for random patterns: retrieval degrades around it, and correlated patterns fail \
                 earlier"
                    .to_string(),
            ]
        );
        // d overlaps every other pattern by 0: no warning about it.
        // One pattern over the capacity (0.138·4 < 1) is one, not "1 patterns".
        let one = set(&[("a", [true, false, false, false])]);
        let said: Vec<String> = set_warnings(&one).iter().map(|w| w.to_string()).collect();
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with("1 pattern exceeds 0.138·N"), "{said:?}");
    }

    #[test]
    fn a_reload_reports_only_what_its_changes_brought() {
        let old = set(&[
            ("a", [true, false, false, false]),
            ("x", [true, true, false, false]),
        ]);
        let new = set(&[
            ("a", [true, false, false, false]),
            ("x", [true, true, false, false]),
            ("y", [true, true, false, false]),
        ]);
        let w = new_warnings(Some(&old), &new, &["y"]);
        assert_eq!(
            w,
            vec![SetWarning::Duplicate {
                name: "y".into(),
                of: "x".into(),
                negated: false
            }]
        );
        // The newcomer is the one named, whatever the order of the set.
        let with_a = set(&[
            ("a", [true, false, false, false]),
            ("x", [true, true, false, false]),
        ]);
        let w = new_warnings(Some(&old), &with_a, &["a"]);
        assert!(w.is_empty(), "{w:?}");
        let newer = set(&[
            ("a", [true, true, false, false]),
            ("x", [true, true, false, false]),
        ]);
        let w = new_warnings(Some(&old), &newer, &["a"]);
        assert_eq!(
            w,
            vec![SetWarning::Duplicate {
                name: "a".into(),
                of: "x".into(),
                negated: false
            }]
        );
        // Nothing added or changed: nothing new (the capacity was already exceeded).
        assert_eq!(new_warnings(Some(&new), &new, &[]), vec![]);
    }
}
