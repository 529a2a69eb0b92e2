//! The solved theory in the record of `recall run`: each continuous model's equilibria (as the
//! dashboard solves them, `model::equilibria`), written at the start and again whenever the
//! model's landscape (its saliencies, gain or memories) has moved materially since the last
//! record.

use std::sync::Arc;

use crate::model::{Equilibria, ModelKind, TheoryInput, TheoryKey, Unsolved};
use crate::session::Session;

/// A new record when a weight has moved by this fraction of the largest weight since the last
/// one (the dashboard re-solves at 2%, for its display; a record at every flipped pixel of a
/// live stream would be most frames).
pub const RECORD_REL_TOL: f64 = 0.1;

/// One model's solved theory at a time.
pub struct TheoryRecord {
    pub time_secs: f64,
    pub model: ModelKind,
    pub equilibria: Arc<Equilibria>,
    /// The saliencies the network reads from its input (the regime is of the two largest).
    pub saliencies: Vec<f32>,
}

/// The last recorded solve of each model.
#[derive(Default)]
pub struct TheoryWatch {
    solved: Vec<(ModelKind, Arc<Equilibria>)>,
    /// The models whose theory is not solved, and why, as last said on stderr.
    unsolved: Vec<(ModelKind, Unsolved)>,
}

impl TheoryWatch {
    /// Solves again every continuous model whose landscape left [`RECORD_REL_TOL`] of its last
    /// record (or has none yet), and returns the new records.
    pub fn check(&mut self, session: &Session) -> Vec<TheoryRecord> {
        let mut records = Vec::new();
        for running in session.models() {
            let model = running.kind();
            if model == ModelKind::Discrete || running.diverged() {
                continue;
            }
            // Too many memories to solve: no record, and a note once (again if the set
            // changes why; `Unsolved`).
            if let Some(why) = Unsolved::of(running.net()) {
                if !self.unsolved.contains(&(model, why)) {
                    self.unsolved.retain(|(m, _)| *m != model);
                    self.unsolved.push((model, why));
                    eprintln!(
                        "recall: no theory records for {} from {:.2} s: {why}",
                        model.name(),
                        session.time_secs()
                    );
                }
                continue;
            }
            self.unsolved.retain(|(m, _)| *m != model);
            let key = TheoryKey::of(running.net());
            let last = self.solved.iter().position(|(m, _)| *m == model);
            if last.is_some_and(|i| self.solved[i].1.key.within(&key, RECORD_REL_TOL)) {
                continue;
            }
            let equilibria = Arc::new(TheoryInput::of(running.net()).solve());
            match last {
                Some(i) => self.solved[i].1 = Arc::clone(&equilibria),
                None => self.solved.push((model, Arc::clone(&equilibria))),
            }
            records.push(TheoryRecord {
                time_secs: session.time_secs(),
                model,
                equilibria,
                saliencies: running.net().saliencies().to_vec(),
            });
        }
        records
    }
}
