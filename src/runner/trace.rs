//! What `recall run --plot` draws: every model's overlaps, the memory the input holds and the
//! glitch flag, once per frame.

use crate::model::ModelKind;
use crate::session::Session;

/// Overlaps over time, one point per frame.
#[derive(Debug, Clone, Default)]
pub struct RunTrace {
    /// The memories' names (of the set the run started with).
    pub names: Vec<String>,
    pub times_secs: Vec<f64>,
    /// The memory the input holds at each point (during a glitch, the glitch's memory).
    pub truth: Vec<Option<usize>>,
    pub glitch: Vec<bool>,
    /// Per model: m_μ at point k at `[k * P + μ]`.
    pub models: Vec<(ModelKind, Vec<f32>)>,
    /// The memory set changed (a reload): the trace stops there.
    pub cut_at_secs: Option<f64>,
}

impl RunTrace {
    /// An empty trace of the session's models.
    pub fn new(session: &Session) -> Self {
        Self {
            names: session.memories().names().to_vec(),
            models: session
                .kinds()
                .into_iter()
                .map(|k| (k, Vec::new()))
                .collect(),
            ..Self::default()
        }
    }

    /// Memories per point.
    pub fn p(&self) -> usize {
        self.names.len()
    }

    /// Appends the session's state now (nothing once the memory set has changed).
    pub fn record(&mut self, session: &Session) {
        if self.cut_at_secs.is_some() {
            return;
        }
        if session.memories().names() != self.names.as_slice() {
            self.cut_at_secs = Some(session.time_secs());
            return;
        }
        let frame = session.frame();
        self.times_secs.push(session.time_secs());
        self.truth.push(frame.and_then(|f| f.truth));
        self.glitch.push(frame.is_some_and(|f| f.glitch));
        for ((_, m), running) in self.models.iter_mut().zip(session.models()) {
            m.extend(running.net().overlaps());
        }
    }
}
