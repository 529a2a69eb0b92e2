//! The progress through a lesson: which chapter, since when, what the run did in it (the
//! tracking events, as [`Facts`]), whether its condition is met, and what to do next ([`Act`]:
//! set a chapter up, hold the next point of a walk, inject a glitch). Pure: the caller feeds it
//! the events and the model time and carries out the acts with the run's controls.

use std::sync::Arc;

use crate::model::ModelKind;
use crate::model::regime::Regime;
use crate::tracking::Event;

use super::caption::Live;
use super::{Condition, GlitchOutcome, Lesson, LessonView};

/// What the caller should do to the run.
#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    /// Set chapter `index` up (its scenario, models, noise, …).
    Enter(usize),
    /// Hold these explore saliencies (first, second, others; in units of 1/g).
    Walk([f64; 3]),
    /// Inject a glitch now.
    Glitch,
}

/// A retrieval the tracker reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retrieval {
    pub memory: usize,
    pub latency_secs: f64,
    pub mirror: bool,
    pub time_secs: f64,
}

/// What one model did in the chapter, from its tracking events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelFacts {
    /// The last retrieval.
    pub retrieval: Option<Retrieval>,
    /// Every memory retrieved (by a retrieval or a transition), in order.
    pub retrieved: Vec<usize>,
    /// The last glitch judged: outcome, the glitch's memory, the memory held beneath it.
    pub glitch: Option<(GlitchOutcome, usize, Option<usize>)>,
    /// Every glitch outcome, in order.
    pub glitches: Vec<GlitchOutcome>,
    pub transitions: usize,
    pub confusions: usize,
}

/// What every model did in the chapter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    models: Vec<(ModelKind, ModelFacts)>,
}

static NOTHING: ModelFacts = ModelFacts {
    retrieval: None,
    retrieved: Vec::new(),
    glitch: None,
    glitches: Vec::new(),
    transitions: 0,
    confusions: 0,
};

impl Facts {
    /// What `kind` did (nothing, if it reported nothing).
    pub fn of(&self, kind: ModelKind) -> &ModelFacts {
        self.models
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&NOTHING, |(_, f)| f)
    }

    /// Takes in one tracking event of model `kind`.
    pub fn record(&mut self, kind: ModelKind, event: &Event) {
        let i = match self.models.iter().position(|(k, _)| *k == kind) {
            Some(i) => i,
            None => {
                self.models.push((kind, ModelFacts::default()));
                self.models.len() - 1
            }
        };
        let f = &mut self.models[i].1;
        match *event {
            Event::Retrieved {
                time_secs,
                memory,
                latency_secs,
                mirror,
                already,
                input_memory,
            } => {
                // On the memory already when the input came to it, or on one the input does
                // not show: the model holds it, but there was no retrieval (and no latency) to
                // quote, nor is an earlier one its latest.
                f.retrieval = (!already && input_memory.is_none()).then_some(Retrieval {
                    memory,
                    latency_secs,
                    mirror,
                    time_secs,
                });
                f.retrieved.push(memory);
            }
            Event::Transition { to, .. } => {
                f.transitions += 1;
                f.retrieved.push(to);
            }
            Event::Confusion { .. } => f.confusions += 1,
            Event::GlitchCorrected { glitch, .. } => {
                f.glitch = Some((GlitchOutcome::Corrected, glitch, None));
                f.glitches.push(GlitchOutcome::Corrected);
            }
            Event::GlitchFollowed { glitch, .. } => {
                f.glitch = Some((GlitchOutcome::Followed, glitch, None));
                f.glitches.push(GlitchOutcome::Followed);
            }
            Event::GlitchNotTracking { glitch, held, .. } => {
                f.glitch = Some((GlitchOutcome::NotTracking, glitch, held));
                f.glitches.push(GlitchOutcome::NotTracking);
            }
            Event::Diverged { .. } => {}
        }
    }

    /// Whether `condition` has happened (the presenter's key never "happens" in the run).
    pub fn met(&self, condition: &Condition, live: &Live) -> bool {
        let running: Vec<ModelKind> = live.models.iter().map(|m| m.kind).collect();
        match condition {
            Condition::Key => false,
            Condition::After(secs) => live.chapter_secs >= *secs,
            Condition::Retrieved { model, memory } => model.resolve(&running).is_some_and(|k| {
                let f = self.of(k);
                match memory {
                    None => !f.retrieved.is_empty(),
                    Some(name) => f
                        .retrieved
                        .iter()
                        .any(|&mu| live.names.get(mu).is_some_and(|n| n == name)),
                }
            }),
            Condition::Glitch { model, outcome } => model.resolve(&running).is_some_and(|k| {
                let g = &self.of(k).glitches;
                match outcome {
                    None => !g.is_empty(),
                    Some(o) => g.contains(o),
                }
            }),
            Condition::Transition { model } => model
                .resolve(&running)
                .is_some_and(|k| self.of(k).transitions > 0),
            Condition::Confused { model } => model
                .resolve(&running)
                .is_some_and(|k| self.of(k).confusions > 0),
            // Not by rows solved for weights that have moved since: at the regimes chapter's
            // start the glitch chapter's landscape was in regime 4, and the chapter ended
            // before its walk began.
            Condition::Regime(n) => live.models.first().is_some_and(|v| {
                !v.theory_stale
                    && Regime::of(v.theory, v.weights, v.kind).is_some_and(|r| r.number() == *n)
            }),
        }
    }
}

/// Where a lesson stands.
#[derive(Debug, Clone)]
pub struct Progress {
    lesson: Arc<Lesson>,
    /// `--auto`: chapters that wait for the presenter move on after their `auto` seconds.
    auto: bool,
    index: usize,
    started_secs: f64,
    /// When the chapter's condition was met (it then moves on after `linger`).
    met_secs: Option<f64>,
    facts: Facts,
    /// Points of the chapter's walk held so far.
    walked: usize,
    glitched: bool,
    /// Someone set the saliencies by hand in this chapter: its walk has stopped, and it waits
    /// for the page key.
    taken_over: bool,
}

impl Progress {
    /// At the first chapter, which the caller sets up with the acts of [`Progress::start`].
    pub fn new(lesson: Arc<Lesson>, auto: bool) -> Self {
        Self {
            lesson,
            auto,
            index: 0,
            started_secs: 0.0,
            met_secs: None,
            facts: Facts::default(),
            walked: 0,
            glitched: false,
            taken_over: false,
        }
    }

    pub fn lesson(&self) -> &Arc<Lesson> {
        &self.lesson
    }

    /// The chapter shown (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// What the models did in this chapter.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// Model time at which the chapter began.
    pub fn started_secs(&self) -> f64 {
        self.started_secs
    }

    /// Begins the first chapter at model time `now_secs`.
    pub fn start(&mut self, now_secs: f64) -> Vec<Act> {
        self.go(0, now_secs)
    }

    /// The presenter's →: the next chapter (none after the last).
    pub fn next(&mut self, now_secs: f64) -> Vec<Act> {
        if self.index + 1 < self.lesson.chapters.len() {
            self.go(self.index + 1, now_secs)
        } else {
            Vec::new()
        }
    }

    /// The presenter's ←: the chapter before, set up afresh (the first one again at the start).
    pub fn back(&mut self, now_secs: f64) -> Vec<Act> {
        self.go(self.index.saturating_sub(1), now_secs)
    }

    fn go(&mut self, index: usize, now_secs: f64) -> Vec<Act> {
        self.index = index;
        self.started_secs = now_secs;
        self.met_secs = None;
        self.facts = Facts::default();
        self.walked = 0;
        self.glitched = false;
        self.taken_over = false;
        vec![Act::Enter(index)]
    }

    /// Someone held an input by hand (the arrows' saliencies, a drawing): in a chapter with
    /// a walk, the walk stops where it is and the chapter no longer moves on by its condition
    /// but waits for the page key (in `--auto`, until its `auto` seconds), so that what they
    /// set stays. When this stopped a walk, what moves the chapter on now, in words.
    pub fn take_over(&mut self) -> Option<String> {
        let chapter = &self.lesson.chapters[self.index];
        let walk = chapter.setup.walk.len();
        if walk == 0 || self.taken_over {
            return None;
        }
        self.taken_over = true;
        self.walked = walk;
        self.met_secs = None;
        Some(if self.auto {
            format!(
                "--auto: the chapter moves on {:.0} s after it began",
                chapter.auto_secs
            )
        } else {
            "PgDn for the next chapter".into()
        })
    }

    /// Takes in a tracking event of model `kind` (from the session, as it happens).
    pub fn record(&mut self, kind: ModelKind, event: &Event) {
        self.facts.record(kind, event);
    }

    /// What moves this chapter on: its `until`, or in `--auto` its `auto` seconds for a chapter
    /// that waits for the presenter.
    fn until(&self) -> Condition {
        let chapter = &self.lesson.chapters[self.index];
        let until = if self.taken_over {
            &Condition::Key
        } else {
            &chapter.until
        };
        match until {
            Condition::Key if self.auto => Condition::After(chapter.auto_secs),
            c => c.clone(),
        }
    }

    /// Looks at the run (`live.chapter_secs` from [`Progress::chapter_secs`]): the walk's next
    /// point, a glitch due, the chapter's condition; after it and its linger, the next chapter.
    pub fn tick(&mut self, now_secs: f64, live: &Live) -> Vec<Act> {
        let chapter = &self.lesson.chapters[self.index];
        let secs = now_secs - self.started_secs;
        let mut acts = Vec::new();
        let setup = &chapter.setup;
        let mut point = None;
        while self.walked < setup.walk.len() && secs >= self.walked as f64 * setup.walk_secs {
            point = Some(setup.walk[self.walked]);
            self.walked += 1;
        }
        if let Some(p) = point {
            acts.push(Act::Walk(p));
        }
        if !self.glitched && setup.glitch_at_secs.is_some_and(|at| secs >= at) {
            self.glitched = true;
            acts.push(Act::Glitch);
        }
        if self.met_secs.is_none() && self.facts.met(&self.until(), live) {
            self.met_secs = Some(now_secs);
        }
        let linger = chapter.linger_secs;
        let last = self.index + 1 >= self.lesson.chapters.len();
        if !last && self.met_secs.is_some_and(|t| now_secs - t >= linger) {
            acts.extend(self.next(now_secs));
        }
        acts
    }

    /// Model seconds since the chapter began.
    pub fn chapter_secs(&self, now_secs: f64) -> f64 {
        (now_secs - self.started_secs).max(0.0)
    }

    /// The caption panel's contents, filled from the chapter's facts and the live run.
    pub fn view(&self, now_secs: f64, live: &Live) -> LessonView {
        let chapter = &self.lesson.chapters[self.index];
        let mut lines: Vec<String> = chapter
            .caption
            .iter()
            .map(|t| t.fill(&self.facts, live))
            .collect();
        for b in &chapter.branches {
            let t = if self.facts.met(&b.condition, live) {
                &b.then
            } else {
                &b.otherwise
            };
            lines.push(t.fill(&self.facts, live));
        }
        let last = self.index + 1 >= self.lesson.chapters.len();
        let next = match (self.met_secs, self.until()) {
            _ if last => "last chapter · ← back".to_string(),
            (Some(t), _) => {
                let left = (chapter.linger_secs - (now_secs - t)).max(0.0);
                format!("next in {left:.0} s · →")
            }
            (None, Condition::Key) => "→ next · ← back".to_string(),
            (None, Condition::After(s)) => format!(
                "next at {s:.0} s (now {:.0} s) · →",
                self.chapter_secs(now_secs)
            ),
            (None, c) => format!("next when {c} · →"),
        };
        LessonView {
            lesson: self.lesson.title.clone(),
            number: self.index + 1,
            total: self.lesson.chapters.len(),
            title: chapter.title.clone(),
            figure: chapter.figure.clone(),
            lines,
            next,
            panels: chapter.panels.clone(),
            explore: chapter.setup.scenario == crate::stimulus::ScenarioName::Explore,
        }
    }
}
