//! The dashboard's state and its one decision point, `App::update`: messages in (intents,
//! snapshots, log lines), commands for the simulator out. The views only read `&App`.

use std::collections::VecDeque;

use crate::model::ModelKind;
use crate::pipeline::{Control, LogEntry, Snapshot};
use crate::stimulus::ScenarioName;

use super::keys::Intent;
use super::theme::Theme;

/// Log lines kept for the event log panel.
pub const LOG_LEN: usize = 200;
/// Noise σ changes by this much per key press.
pub const NOISE_STEP: f64 = 0.5;
/// Largest σ reachable with the keys.
pub const MAX_NOISE: f64 = 20.0;
/// The speeds `[` and `]` step through (model seconds per wall second).
pub const SPEEDS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// Something that happened to the dashboard.
#[derive(Debug, Clone)]
pub enum Msg {
    Intent(Intent),
    Snapshot(Box<Snapshot>),
    Log(LogEntry),
    /// The terminal changed size.
    Resized,
    /// Frames drawn per wall second, measured.
    FrameRate(f64),
}

/// What the dashboard shows and what it has asked for.
#[derive(Debug)]
pub struct App {
    pub theme: Theme,
    /// The newest snapshot (state: older ones are dropped).
    pub snapshot: Option<Box<Snapshot>>,
    /// The newest log lines, oldest first.
    pub log: VecDeque<LogEntry>,
    pub show_help: bool,
    pub paused: bool,
    pub noise_std: f64,
    pub speed: f64,
    /// The primary model.
    pub model: ModelKind,
    /// The models shown beside it in compare mode (from `--compare`, else classic-pulsed).
    pub compare_with: Vec<ModelKind>,
    pub comparing: bool,
    pub scenario: ScenarioName,
    /// Measured frames drawn per second.
    pub fps: f64,
    pub should_quit: bool,
    dirty: bool,
}

impl App {
    /// A dashboard for these settings (the same ones the pipeline was started with).
    pub fn new(
        theme: Theme,
        model: ModelKind,
        compare: Option<Vec<ModelKind>>,
        scenario: ScenarioName,
        noise_std: f64,
        speed: f64,
    ) -> Self {
        let comparing = compare.is_some();
        let mut compare_with: Vec<ModelKind> = compare
            .unwrap_or_default()
            .into_iter()
            .filter(|&k| k != model)
            .collect();
        if compare_with.is_empty() {
            compare_with.push(default_partner(model));
        }
        Self {
            theme,
            snapshot: None,
            log: VecDeque::new(),
            show_help: false,
            paused: false,
            noise_std,
            speed,
            model,
            compare_with,
            comparing,
            scenario,
            fps: 0.0,
            should_quit: false,
            dirty: true,
        }
    }

    /// The models the simulator should run, primary first.
    pub fn models(&self) -> Vec<ModelKind> {
        let mut models = vec![self.model];
        if self.comparing {
            models.extend(
                self.compare_with
                    .iter()
                    .copied()
                    .filter(|&k| k != self.model),
            );
        }
        models
    }

    /// Something changed since the last draw.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The screen now shows the current state.
    pub fn mark_drawn(&mut self) {
        self.dirty = false;
    }

    /// Applies one message; returns the command for the simulator, if any.
    pub fn update(&mut self, msg: Msg) -> Option<Control> {
        match msg {
            Msg::Intent(intent) => {
                self.dirty = true;
                self.on_intent(intent)
            }
            Msg::Snapshot(snapshot) => {
                self.snapshot = Some(snapshot);
                self.dirty = true;
                None
            }
            Msg::Log(entry) => {
                self.log.push_back(entry);
                while self.log.len() > LOG_LEN {
                    self.log.pop_front();
                }
                self.dirty = true;
                None
            }
            Msg::Resized => {
                self.dirty = true;
                None
            }
            Msg::FrameRate(fps) => {
                // Only a visible change is worth a redraw.
                if (fps.round() - self.fps.round()).abs() >= 1.0 {
                    self.dirty = true;
                }
                self.fps = fps;
                None
            }
        }
    }

    fn on_intent(&mut self, intent: Intent) -> Option<Control> {
        match intent {
            Intent::Quit => {
                self.should_quit = true;
                Some(Control::Quit)
            }
            Intent::Back if self.show_help => {
                self.show_help = false;
                None
            }
            Intent::Back => self.on_intent(Intent::Quit),
            Intent::ToggleHelp => {
                self.show_help = !self.show_help;
                None
            }
            Intent::TogglePause => {
                self.paused = !self.paused;
                Some(Control::SetPaused(self.paused))
            }
            Intent::RaiseNoise | Intent::LowerNoise => {
                let step = if intent == Intent::RaiseNoise {
                    NOISE_STEP
                } else {
                    -NOISE_STEP
                };
                // Snap to the grid of steps so that + then − returns exactly.
                let next = ((self.noise_std + step) / NOISE_STEP).round() * NOISE_STEP;
                self.noise_std = next.clamp(0.0, MAX_NOISE);
                Some(Control::SetNoise(self.noise_std))
            }
            Intent::SpeedUp | Intent::SlowDown => {
                self.speed = step_speed(self.speed, intent == Intent::SpeedUp);
                Some(Control::SetSpeed(self.speed))
            }
            Intent::CycleModel => {
                self.model = next_in(&ModelKind::ALL, self.model);
                if self.compare_with.contains(&self.model) || self.compare_with.is_empty() {
                    self.compare_with = vec![default_partner(self.model)];
                }
                Some(Control::SetModels(self.models()))
            }
            Intent::ToggleCompare => {
                self.comparing = !self.comparing;
                Some(Control::SetModels(self.models()))
            }
            Intent::InjectGlitch => Some(Control::InjectGlitch),
            Intent::NextStimulus => Some(Control::SkipToNext),
            Intent::ResetState => Some(Control::ResetState),
            Intent::CycleScenario => {
                self.scenario = next_in(&ScenarioName::ALL, self.scenario);
                Some(Control::SetScenario(self.scenario))
            }
        }
    }
}

/// The classic model compared with an IDP one, or IDP for any other.
fn default_partner(model: ModelKind) -> ModelKind {
    if model.is_idp() {
        ModelKind::ClassicPulsed
    } else {
        ModelKind::Idp
    }
}

fn next_in<T: Copy + PartialEq>(all: &[T], current: T) -> T {
    let i = all.iter().position(|&x| x == current).unwrap_or(0);
    all[(i + 1) % all.len()]
}

/// The next speed up or down the ladder from `speed` (which may lie between two rungs).
fn step_speed(speed: f64, up: bool) -> f64 {
    if up {
        SPEEDS
            .iter()
            .copied()
            .find(|&s| s > speed * 1.0001)
            .unwrap_or(SPEEDS[SPEEDS.len() - 1])
    } else {
        SPEEDS
            .iter()
            .rev()
            .copied()
            .find(|&s| s < speed * 0.9999)
            .unwrap_or(SPEEDS[0])
    }
}
