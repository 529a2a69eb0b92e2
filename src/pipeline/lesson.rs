//! The simulator's side of a lesson: it keeps the [`Progress`], feeds it the session's
//! tracking events as they happen, and at every snapshot looks at the run (the chapter's
//! condition, its walk, a glitch due) and fills the caption into the snapshot, so every screen
//! shows the same words. Chapters become the same [`Control`]s the keys send, carried out by the
//! simulator's own `apply_control`.

use std::sync::Arc;

use crate::lesson::{Act, Lesson, Live, LiveModel, Plan, Progress};
use crate::model::ModelKind;
use crate::stimulus::held::{HeldInput, walk_saliencies};
use crate::tracking::Event;

use super::Control;
use super::core::SimCore;
use super::snapshot::Snapshot;

/// What the presenter (or the shell starting a lesson) asks of the lesson.
#[derive(Debug, Clone, PartialEq)]
pub enum LessonControl {
    /// Begin `lesson` at its first chapter; with `auto`, chapters that wait for the presenter
    /// move on after their `auto` seconds (a recording, a demo, a test).
    Start { lesson: Arc<Lesson>, auto: bool },
    /// The presenter's →: the next chapter.
    Next,
    /// The presenter's ←: the chapter before.
    Back,
}

impl LessonControl {
    /// The control that starts `plan` in a running pipeline.
    pub fn start(plan: &Plan) -> Control {
        Control::Lesson(LessonControl::Start {
            lesson: Arc::clone(&plan.lesson),
            auto: plan.auto,
        })
    }
}

/// The lesson a simulator runs.
pub(super) struct Host {
    progress: Progress,
    /// The speed the run had before a chapter set its own: a chapter that sets none begins at
    /// it again (paging back from the density chapter's ×8 to the regimes runs at ×1).
    speed_before: Option<f64>,
}

impl Host {
    pub fn new(lesson: Arc<Lesson>, auto: bool) -> Self {
        Self {
            progress: Progress::new(lesson, auto),
            speed_before: None,
        }
    }

    /// The controls of a lesson control, at model time `now_secs`, on a run going at `speed`.
    pub fn command(&mut self, control: &LessonControl, core: &SimCore, speed: f64) -> Vec<Control> {
        let now = core.time_secs();
        let acts = match control {
            LessonControl::Start { .. } => self.progress.start(now),
            LessonControl::Next => self.progress.next(now),
            LessonControl::Back => self.progress.back(now),
        };
        self.controls(acts, core, speed)
    }

    /// Takes in a tracking event of the session.
    pub fn record(&mut self, kind: ModelKind, event: &Event) {
        self.progress.record(kind, event);
    }

    /// Looks at the run as `snapshot` shows it (the chapter may move on), then writes the
    /// caption into it. Returns the controls to carry out, and whether a chapter begins.
    pub fn on_snapshot(
        &mut self,
        snapshot: &mut Snapshot,
        core: &SimCore,
        speed: f64,
    ) -> (Vec<Control>, bool) {
        let now = snapshot.time_secs;
        let acts = self.progress.tick(now, &live(snapshot, &self.progress));
        let view = self.progress.view(now, &live(snapshot, &self.progress));
        snapshot.lesson = Some(Arc::new(view));
        let entered = acts.iter().any(|a| matches!(a, Act::Enter(_)));
        (self.controls(acts, core, speed), entered)
    }

    /// The line the event log gets when a chapter begins.
    pub fn chapter_line(&self) -> String {
        let lesson = self.progress.lesson();
        let i = self.progress.index();
        format!(
            "chapter {}/{}: {} ({})",
            i + 1,
            lesson.chapters.len(),
            lesson.chapters[i].title,
            lesson.chapters[i].figure
        )
    }

    /// Someone held an input by hand: a chapter's walk stops and the chapter waits for the
    /// page key ([`Progress::take_over`]). When a walk stopped, what moves the chapter on now.
    pub fn take_over(&mut self) -> Option<String> {
        self.progress.take_over()
    }

    /// The acts as controls: a chapter's setup, a walk's point, a glitch.
    fn controls(&mut self, acts: Vec<Act>, core: &SimCore, speed: f64) -> Vec<Control> {
        let mut out = Vec::new();
        for act in acts {
            match act {
                Act::Enter(i) => {
                    let lesson = Arc::clone(self.progress.lesson());
                    let setup = &lesson.chapters[i].setup;
                    if let Some(models) = &setup.models {
                        out.push(Control::SetModels(models.clone()));
                    }
                    out.push(Control::SetScenario(setup.scenario));
                    if let Some(sigma) = setup.noise_std {
                        out.push(Control::SetNoise(sigma));
                    }
                    match setup.speed {
                        Some(own) => {
                            self.speed_before.get_or_insert(speed);
                            out.push(Control::SetSpeed(own));
                        }
                        None => {
                            if let Some(before) = self.speed_before.take() {
                                out.push(Control::SetSpeed(before));
                            }
                        }
                    }
                    if setup.reset {
                        out.push(Control::ResetState);
                    }
                }
                Act::Walk([first, second, rest]) => {
                    let unit = 1.0 / core.params().gain;
                    let alpha = walk_saliencies(
                        first * unit,
                        second * unit,
                        rest * unit,
                        core.memories().p(),
                    );
                    out.push(Control::Hold(Some(HeldInput::Saliencies(alpha))));
                }
                Act::Glitch => out.push(Control::InjectGlitch),
            }
        }
        out
    }
}

/// The run as the snapshot shows it, for the captions and conditions.
fn live<'a>(s: &'a Snapshot, progress: &Progress) -> Live<'a> {
    live_at(s, progress.chapter_secs(s.time_secs))
}

/// The run as the snapshot shows it, `chapter_secs` into the chapter (which began at model
/// time `s.time_secs − chapter_secs`).
pub fn live_at(s: &Snapshot, chapter_secs: f64) -> Live<'_> {
    Live {
        names: s.memories.names(),
        density: s.density.as_deref().map(density_facts),
        chapter_secs,
        noise_std: s.status.noise_std,
        truth: s.truth,
        glitch: s.glitch,
        models: s
            .models
            .iter()
            .map(|m| LiveModel {
                kind: m.kind,
                overlaps: &m.overlaps,
                retrieved: m.retrieved,
                accuracy: m.accuracy,
                theory: &m.theory,
                weights: &m.weights,
                theory_stale: theory_stale(m, s.time_secs - chapter_secs),
            })
            .collect(),
    }
}

/// Whether `m`'s theory rows are not (yet) of the landscape that runs in this chapter, which
/// began at model time `chapter_start`: not solved, solved for weights that have moved since,
/// or solved before the chapter began (its first frames still show the chapter before, whose
/// rows are current for it: the regimes chapter found regime 4 there and ended at once).
fn theory_stale(m: &super::ModelView, chapter_start: f64) -> bool {
    !(m.theory_solved && m.theory_current && m.theory_time_secs.is_some_and(|t| t >= chapter_start))
}

/// The density view as the captions see it: each memory's two basins (±ξ) together.
fn density_facts(v: &super::DensityView) -> crate::lesson::DensityFacts {
    let basin = |memory: usize| {
        let measured = v.memory_basins[memory]?;
        let fp: Option<f64> = v
            .wells
            .iter()
            .zip(&v.masses)
            .filter(|(w, _)| w.memory == memory)
            .map(|(_, m)| m.basin_fp)
            .sum();
        Some((measured.mean, measured.se, fp))
    };
    crate::lesson::DensityFacts {
        sigma: v.settings.sigma,
        alphas: v.settings.alphas,
        since_secs: v.since_secs,
        burn_in_secs: v.burn_in_secs,
        basins: [basin(0), basin(1)],
    }
}
