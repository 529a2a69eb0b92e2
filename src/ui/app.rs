//! The dashboard's state and its one decision point, `App::update`: messages in (intents,
//! snapshots, log lines), commands for the simulator out. The views only read `&App`.

use std::collections::VecDeque;

use std::cell::Cell;

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use crate::model::ModelKind;
use crate::patterns::{check_name, free_name};
use crate::pipeline::{Control, DensitySettings, LogEntry, LogKind, Snapshot, Source};
use crate::stimulus::ScenarioName;
use crate::stimulus::held::HeldInput;

use super::image::Placement;
use super::keys::{HintMode, Intent, KeyMode};
use super::landscape::{HeatScale, Trail};
use super::paint::{Drawing, StorePrompt};
use super::theme::HEAT_LEVELS;
use super::theme::Theme;
use crate::model::landscape::View;

/// Snapshots of the state's path kept on the landscape panel (about a second at 15 fps).
pub const TRAIL_LEN: usize = 16;
/// Log lines kept for the event log panel.
pub const LOG_LEN: usize = 200;
/// Noise σ changes by this much per key press.
pub const NOISE_STEP: f64 = 0.5;
/// Largest σ reachable with the keys.
pub const MAX_NOISE: f64 = 20.0;
/// Image panels refresh at most this often per wall second (at the snapshot rate otherwise):
/// a noisy state image changes nearly every cell, and the terminal's bytes matter over SSH.
pub const IMAGE_HZ: u32 = 4;
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
    /// A mouse event on the terminal (painting on the input image).
    Mouse(MouseEvent),
    /// What became of a memory stored with `w`: `Ok` with a line for the log, or why not
    /// (`exists`: a file of that name is there and needs a confirmation).
    Stored(Result<String, StoreRefusal>),
}

/// Why a memory was not stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreRefusal {
    pub reason: String,
    /// A file of that name exists; Enter again replaces it.
    pub exists: bool,
}

/// What the dashboard shows and what it has asked for.
#[derive(Debug)]
pub struct App {
    pub theme: Theme,
    /// The newest snapshot (state: older ones are dropped).
    pub snapshot: Option<Box<Snapshot>>,
    /// The pixels the image panels show (refreshed every `image_every`-th snapshot, and at
    /// once after a key press).
    pub images: Option<ImageSet>,
    /// Snapshots between two image refreshes: ⌈fps / IMAGE_HZ⌉.
    pub image_every: u32,
    snapshots_since_images: u32,
    /// The newest log lines, oldest first.
    pub log: VecDeque<LogEntry>,
    pub show_help: bool,
    /// The first line of the help overlay shown (scrolled with ↑ ↓ while it is open).
    pub help_offset: usize,
    /// The last useful `help_offset` at the size last drawn (written by the overlay).
    pub help_max_offset: Cell<usize>,
    /// Where the patterns come from, for the pattern-error overlay (`e`).
    pub pattern_source: PatternSource,
    /// The overlay listing every current pattern-file error is open.
    pub show_errors: bool,
    /// The first memory row of the memory table (scrolled with ↑ ↓).
    pub memory_offset: usize,
    /// The newest pattern-file error reported in the log (the error line shows it while it is
    /// still current).
    pub newest_pattern_error: Option<String>,
    pub paused: bool,
    pub noise_std: f64,
    pub speed: f64,
    /// The primary model.
    pub model: ModelKind,
    /// The models shown beside it in compare mode (from `--compare`, else classic-pulsed).
    pub compare_with: Vec<ModelKind>,
    pub comparing: bool,
    pub scenario: ScenarioName,
    /// Measured frames drawn per second (NaN until the first second is counted).
    pub fps: f64,
    pub should_quit: bool,
    /// The newest projections of the primary model's state on its landscape plane.
    pub trail: Trail,
    /// The landscape's colour scale, held while its plane stays.
    pub heat_scale: HeatScale,
    /// The landscape drawn: the newest state and wells, but a grid point changes only at the
    /// image rate and when it moved by more than [`HEAT_HYSTERESIS`] of a colour level (noise
    /// in α would otherwise repaint the cells on every level boundary each frame).
    pub landscape: Option<View>,
    /// The user's drawing, while it is the input (the stream waits).
    pub drawing: Option<Drawing>,
    /// The name prompt of `w`, while it is open.
    pub prompt: Option<StorePrompt>,
    /// The saliencies set by hand in the `explore` scenario, and the two memories the arrows
    /// move (the walk's first and second).
    pub explore: Explore,
    /// The density view's σ and α1, α2 as this screen last asked for them or the run last
    /// changed them (the keys step from these).
    pub density: DensitySettings,
    /// The density settings of the previous snapshot (a snapshot's settings are taken only
    /// where they changed, so a key is not undone by a snapshot made before it took effect).
    density_seen: Option<DensitySettings>,
    /// Where the last frame drew the input image (written by the view, read to map the mouse
    /// onto the picture's pixels).
    pub input_placement: Cell<Option<Placement>>,
    /// On a screen of `recall serve`: who controls the run (the status line says it).
    pub audience: Option<Audience>,
    /// The run's settings as the newest snapshot had them, when this screen follows the run
    /// (several screens control it, or only watch it): noise, speed, scenario, pause and models
    /// are taken from the snapshots whenever they change there.
    followed: Option<Option<Followed>>,
    dirty: bool,
}

/// Where the memories come from, as the pattern-error overlay says it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PatternSource {
    /// Not told (a screen that does not know the run's flags).
    #[default]
    Unknown,
    /// The built-in set: no pattern directory (`--patterns` not given).
    BuiltIn,
    /// A pattern directory, by its display name.
    Directory(String),
}

/// Who may change the run a screen of `recall serve` shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Audience {
    /// This screen's keys change the run (the presenter, the host's terminal).
    pub controls: bool,
    /// Who controls the run, in words ("the presenter (alice)", "the host's terminal", "no one").
    pub controller: String,
    /// More than one screen controls the run (a second presenter, the host's terminal).
    pub shared: bool,
    /// Viewers connected now (the presenter and the host's terminal not counted).
    pub watching: usize,
    /// How to join, for the screens that control the run ("ssh -p 2222 192.168.1.5").
    pub join: Option<String>,
    /// The viewer paused this screen (the run goes on).
    pub frozen: bool,
}

/// The run's settings that the keys of one screen change and every screen shows.
#[derive(Debug, Clone, PartialEq)]
struct Followed {
    noise_std: f64,
    speed: f64,
    scenario: ScenarioName,
    paused: bool,
    models: Vec<ModelKind>,
}

impl Followed {
    fn of(s: &Snapshot) -> Self {
        Self {
            noise_std: s.status.noise_std,
            speed: s.status.speed,
            scenario: s.status.scenario,
            paused: s.status.paused,
            models: s.models.iter().map(|m| m.kind).collect(),
        }
    }
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
            images: None,
            image_every: 1,
            snapshots_since_images: 0,
            log: VecDeque::new(),
            show_help: false,
            help_offset: 0,
            help_max_offset: Cell::new(0),
            pattern_source: PatternSource::Unknown,
            show_errors: false,
            memory_offset: 0,
            newest_pattern_error: None,
            paused: false,
            noise_std,
            speed,
            model,
            compare_with,
            comparing,
            scenario,
            // Not measured yet: the first second's count comes after a second.
            fps: f64::NAN,
            should_quit: false,
            trail: Trail::new(TRAIL_LEN),
            heat_scale: HeatScale::default(),
            landscape: None,
            drawing: None,
            prompt: None,
            explore: Explore::default(),
            density: DensitySettings::default(),
            density_seen: None,
            input_placement: Cell::new(None),
            audience: None,
            followed: None,
            dirty: true,
        }
    }

    /// A screen of a shared run (`recall serve`): it shows the run's settings as the snapshots
    /// have them, whoever changed them, and says on the status line who controls the run.
    pub fn following_run(mut self, audience: Audience) -> Self {
        self.followed = Some(None);
        self.audience = Some(audience);
        self
    }

    /// Takes the run's settings from `s` where they changed since the last snapshot (so a key
    /// of this screen is not undone by a snapshot made before the simulator saw it).
    fn follow(&mut self, s: &Snapshot) {
        let Some(seen) = self.followed.as_mut() else {
            return;
        };
        let now = Followed::of(s);
        let before = seen.replace(now.clone());
        let changed = |f: &dyn Fn(&Followed) -> bool| before.as_ref().is_none_or(f);
        if changed(&|b| b.noise_std != now.noise_std) {
            self.noise_std = now.noise_std;
        }
        if changed(&|b| b.speed != now.speed) {
            self.speed = now.speed;
        }
        if changed(&|b| b.paused != now.paused) {
            self.paused = now.paused;
        }
        if changed(&|b| b.scenario != now.scenario) && self.scenario != now.scenario {
            self.scenario = now.scenario;
            self.drawing = None;
            self.explore = Explore::default();
        }
        let models_changed = before.as_ref().is_none_or(|b| b.models != now.models);
        if models_changed && let Some((&first, rest)) = now.models.split_first() {
            self.model = first;
            self.comparing = !rest.is_empty();
            if self.comparing {
                self.compare_with = rest.to_vec();
            } else if self.compare_with.contains(&first) || self.compare_with.is_empty() {
                self.compare_with = vec![default_partner(first)];
            }
        }
    }

    /// A screen whose run is driven from elsewhere too (a lesson sets it up): it shows the
    /// run's settings as the snapshots have them.
    pub fn following(mut self) -> Self {
        self.followed = Some(None);
        self
    }

    /// Refreshes the images every ⌈fps / IMAGE_HZ⌉-th snapshot (the pipeline publishes at fps).
    pub fn with_fps(mut self, fps: u32) -> Self {
        self.image_every = fps.div_ceil(IMAGE_HZ).max(1);
        self
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

    /// Says where the memories come from (for `e`'s overlay).
    pub fn with_pattern_source(mut self, source: PatternSource) -> Self {
        self.pattern_source = source;
        self
    }

    /// What the keys mean now (with an overlay open, the arrows scroll it).
    pub fn key_mode(&self) -> KeyMode {
        if self.prompt.is_some() {
            KeyMode::Prompt
        } else if self.show_help || self.show_errors {
            KeyMode::Normal
        } else if self.drawing.as_ref().is_some_and(|d| d.keyboard) {
            KeyMode::Paint
        } else if self.scenario == ScenarioName::Explore && self.drawing.is_none() {
            if self.in_lesson() {
                KeyMode::LessonExplore
            } else {
                KeyMode::Explore
            }
        } else if self.scenario == ScenarioName::Density {
            if self.in_lesson() {
                KeyMode::LessonDensity
            } else {
                KeyMode::Density
            }
        } else if self.in_lesson() {
            KeyMode::Lesson
        } else {
            KeyMode::Normal
        }
    }

    /// A lesson runs (the newest snapshot carries its caption).
    pub fn in_lesson(&self) -> bool {
        self.snapshot.as_ref().is_some_and(|s| s.lesson.is_some())
    }

    /// Which keys the key line shows: the overlay's, a viewer's, or the key mode's.
    pub fn hint_mode(&self) -> HintMode {
        if self.show_help {
            HintMode::Help
        } else if self.show_errors {
            HintMode::Errors
        } else if self.audience.as_ref().is_some_and(|a| !a.controls) {
            if self.scenario == ScenarioName::Density {
                HintMode::ViewerDensity
            } else {
                HintMode::Viewer
            }
        } else {
            match self.key_mode() {
                KeyMode::Paint => HintMode::Paint,
                KeyMode::Explore => HintMode::Explore,
                KeyMode::Density => HintMode::Density,
                KeyMode::Lesson => HintMode::Lesson,
                KeyMode::LessonExplore => HintMode::LessonExplore,
                KeyMode::LessonDensity => HintMode::LessonDensity,
                _ if self.drawing.is_some() => HintMode::Drawing,
                _ => HintMode::Normal,
            }
        }
    }

    /// The density view of the newest snapshot, when the run shows it.
    pub fn density_view(&self) -> Option<&crate::pipeline::DensityView> {
        self.snapshot.as_ref()?.density.as_deref()
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
                // The effect of a key shows in full in the next frame.
                self.snapshots_since_images = u32::MAX;
                self.on_intent(intent)
            }
            Msg::Snapshot(snapshot) => {
                self.follow(&snapshot);
                let density = snapshot.density.as_ref().map(|d| d.settings);
                if let Some(now) = density
                    && self.density_seen != Some(now)
                {
                    self.density = now;
                }
                self.density_seen = density;
                self.snapshots_since_images = self.snapshots_since_images.saturating_add(1);
                let refresh =
                    self.images.is_none() || self.snapshots_since_images >= self.image_every;
                if refresh {
                    self.images = Some(ImageSet::of(&snapshot, self.images.as_ref()));
                    self.snapshots_since_images = 0;
                }
                match &snapshot.landscape {
                    Some(view) => {
                        self.trail.record(view);
                        let before = self.heat_scale;
                        self.heat_scale.follow(view);
                        let old = self.landscape.take().filter(|_| before == self.heat_scale);
                        self.landscape =
                            Some(shown_landscape(old, view, &self.heat_scale, refresh));
                    }
                    None => {
                        self.trail.clear();
                        self.landscape = None;
                    }
                }
                self.snapshot = Some(snapshot);
                self.dirty = true;
                None
            }
            Msg::Log(entry) => {
                if entry.source == Source::Patterns && entry.kind == LogKind::Error {
                    self.newest_pattern_error = Some(entry.text.clone());
                }
                match self.log.back_mut() {
                    Some(last) if merges_into(last, &entry) => merge(last, &entry),
                    _ => self.log.push_back(entry),
                }
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
                // Only a visible change is worth a redraw (the first count is one).
                if !self.fps.is_finite() || (fps.round() - self.fps.round()).abs() >= 1.0 {
                    self.dirty = true;
                }
                self.fps = fps;
                None
            }
            Msg::Mouse(event) => self.on_mouse(event),
            Msg::Stored(outcome) => {
                self.dirty = true;
                match outcome {
                    Ok(line) => {
                        self.prompt = None;
                        if !line.is_empty() {
                            self.push_log(LogKind::Patterns, line);
                        }
                    }
                    Err(refusal) => {
                        if let Some(p) = self.prompt.as_mut() {
                            p.confirm_overwrite = refusal.exists;
                            p.refused = Some(refusal.reason);
                        }
                    }
                }
                None
            }
        }
    }

    /// A line of the user's own in the event log, at the snapshot's model time.
    fn push_log(&mut self, kind: LogKind, text: String) {
        let time_secs = self.snapshot.as_ref().map_or(0.0, |s| s.time_secs);
        self.update(Msg::Log(LogEntry {
            who: None,
            time_secs,
            source: Source::User,
            kind,
            text,
        }));
    }

    /// The drawing, started from the input image on screen when there is none yet.
    fn drawing_mut(&mut self) -> Option<&mut Drawing> {
        if self.drawing.is_none() {
            let snap = self.snapshot.as_ref()?;
            let (w, h) = (snap.memories.width(), snap.memories.height());
            let image = self.images.as_ref().map_or(&snap.input_image, |i| &i.input);
            self.drawing = Some(Drawing::from_image(w, h, image));
        }
        self.drawing.as_mut()
    }

    /// The drawing as the network's input now.
    fn hold_drawing(&self) -> Option<Control> {
        let d = self.drawing.as_ref()?;
        Some(Control::Hold(Some(HeldInput::Drawing(d.pixels.clone()))))
    }

    /// Mouse painting on the input image: left button on, right button off, a drag painted as
    /// a line between the positions reported.
    fn on_mouse(&mut self, event: MouseEvent) -> Option<Control> {
        let on =
            match event.kind {
                MouseEventKind::Down(MouseButton::Left)
                | MouseEventKind::Drag(MouseButton::Left) => true,
                MouseEventKind::Down(MouseButton::Right)
                | MouseEventKind::Drag(MouseButton::Right) => false,
                MouseEventKind::Up(_) => {
                    if let Some(d) = self.drawing.as_mut() {
                        d.last_mouse = None;
                    }
                    return None;
                }
                _ => return None,
            };
        let place = self.input_placement.get()?;
        let [top, bottom] = place.pixels_at(event.column, event.row)?;
        let dragging = matches!(event.kind, MouseEventKind::Drag(_));
        let d = self.drawing_mut()?;
        match d.last_mouse.filter(|_| dragging) {
            Some(from) => {
                d.line(from, top, on);
                d.line(from, bottom, on);
            }
            None => {
                d.set(top, on);
                d.set(bottom, on);
            }
        }
        d.last_mouse = Some(top);
        self.dirty = true;
        self.hold_drawing()
    }

    /// What `w` stores: the drawing, or else the primary model's state by sign.
    fn picture_to_store(&self) -> Option<Vec<bool>> {
        if let Some(d) = &self.drawing {
            return Some(d.bools());
        }
        let view = self.snapshot.as_ref()?.models.first()?;
        Some(view.activation.iter().map(|&v| v > 0.0).collect())
    }

    fn on_intent(&mut self, intent: Intent) -> Option<Control> {
        match intent {
            Intent::Quit => {
                self.should_quit = true;
                Some(Control::Quit)
            }
            Intent::Back if self.prompt.is_some() => {
                self.prompt = None;
                None
            }
            Intent::Back if self.show_help || self.show_errors => {
                self.show_help = false;
                self.show_errors = false;
                None
            }
            Intent::Back => self.on_intent(Intent::Quit),
            Intent::ToggleHelp => {
                self.show_help = !self.show_help;
                self.help_offset = 0;
                self.show_errors = false;
                None
            }
            Intent::ToggleErrors => {
                self.show_errors = !self.show_errors;
                self.show_help = false;
                None
            }
            Intent::ScrollUp if self.show_help => {
                self.help_offset = self.help_offset.saturating_sub(1);
                None
            }
            Intent::ScrollDown if self.show_help => {
                self.help_offset = (self.help_offset + 1).min(self.help_max_offset.get());
                None
            }
            Intent::ScrollUp => {
                self.memory_offset = self.memory_offset.saturating_sub(1);
                None
            }
            Intent::ScrollDown => {
                let p = self.snapshot.as_ref().map_or(0, |s| s.memories.p());
                self.memory_offset = (self.memory_offset + 1).min(p.saturating_sub(1));
                None
            }
            Intent::TogglePause => {
                self.paused = !self.paused;
                Some(Control::SetPaused(self.paused))
            }
            Intent::RaiseNoise | Intent::LowerNoise if self.scenario == ScenarioName::Density => {
                self.density = self.density.nudge_sigma(intent == Intent::RaiseNoise);
                Some(Control::SetDensity(self.density))
            }
            Intent::RaiseFirst | Intent::LowerFirst | Intent::RaiseSecond | Intent::LowerSecond
                if self.scenario == ScenarioName::Density =>
            {
                let k = usize::from(matches!(intent, Intent::RaiseSecond | Intent::LowerSecond));
                let up = matches!(intent, Intent::RaiseFirst | Intent::RaiseSecond);
                self.density = self.density.nudge_alpha(k, up);
                Some(Control::SetDensity(self.density))
            }
            Intent::DensityModel if self.scenario == ScenarioName::Density => {
                self.density = self.density.other_model();
                Some(Control::SetDensity(self.density))
            }
            Intent::DensityModel => None,
            Intent::DensityFig4a | Intent::DensityFig4b => {
                // The paper's σ and α, on the network shown (IDP, or idp-modern with its β).
                let panel = if intent == Intent::DensityFig4a {
                    DensitySettings::FIG4A
                } else {
                    DensitySettings::FIG4B
                };
                self.density = DensitySettings {
                    model: self.density.model,
                    beta: self.density.beta,
                    ..panel
                };
                self.scenario = ScenarioName::Density;
                self.drawing = None;
                Some(Control::SetDensity(self.density))
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
                // At an end of the ladder nothing changes, and nothing is sent (a served run
                // logged "set speed" to every screen).
                let next = step_speed(self.speed, intent == Intent::SpeedUp);
                (next != self.speed).then(|| {
                    self.speed = next;
                    Control::SetSpeed(next)
                })
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
            Intent::NextStimulus if self.drawing.is_some() => {
                self.drawing = None;
                Some(Control::Hold(None))
            }
            Intent::NextStimulus => Some(Control::SkipToNext),
            // Nothing to paint on in the density view.
            Intent::TogglePaint if self.scenario == ScenarioName::Density => None,
            Intent::TogglePaint => {
                let starting = self.drawing.is_none();
                let d = self.drawing_mut()?;
                d.keyboard = !d.keyboard || starting;
                if starting { self.hold_drawing() } else { None }
            }
            Intent::ClearDrawing | Intent::InvertDrawing => {
                let d = self.drawing_mut()?;
                if intent == Intent::ClearDrawing {
                    d.clear();
                } else {
                    d.invert();
                }
                self.hold_drawing()
            }
            Intent::CursorLeft | Intent::CursorRight | Intent::CursorUp | Intent::CursorDown => {
                let (dx, dy) = match intent {
                    Intent::CursorLeft => (-1, 0),
                    Intent::CursorRight => (1, 0),
                    Intent::CursorUp => (0, -1),
                    _ => (0, 1),
                };
                if let Some(d) = self.drawing.as_mut() {
                    d.move_cursor(dx, dy);
                }
                None
            }
            Intent::TogglePixel => {
                self.drawing.as_mut()?.toggle_at_cursor();
                self.hold_drawing()
            }
            Intent::Store => {
                let pixels = self.picture_to_store()?;
                let default = self
                    .snapshot
                    .as_ref()
                    .map_or_else(|| "drawn-1".into(), |s| free_name(&s.memories));
                self.prompt = Some(StorePrompt::new(pixels, default));
                None
            }
            Intent::Type(c) => {
                if let Some(p) = self.prompt.as_mut() {
                    p.type_char(c);
                }
                None
            }
            Intent::Erase => {
                if let Some(p) = self.prompt.as_mut() {
                    p.erase();
                }
                None
            }
            Intent::ClearLine => {
                if let Some(p) = self.prompt.as_mut() {
                    p.clear();
                }
                None
            }
            Intent::Confirm => {
                let p = self.prompt.as_mut()?;
                if let Err(reason) = check_name(&p.text) {
                    p.refused = Some(reason);
                    return None;
                }
                Some(Control::StoreMemory {
                    name: p.text.clone(),
                    pixels: p.pixels.clone(),
                    overwrite: p.confirm_overwrite,
                })
            }
            Intent::ResetState => Some(Control::ResetState),
            Intent::NextChapter => Some(Control::Lesson(crate::pipeline::LessonControl::Next)),
            Intent::PrevChapter => Some(Control::Lesson(crate::pipeline::LessonControl::Back)),
            Intent::ReloadPatterns => Some(Control::ReloadPatterns),
            Intent::ToggleFilter => {
                self.model = match self.model {
                    ModelKind::IdpFilter => ModelKind::Idp,
                    _ => ModelKind::IdpFilter,
                };
                self.compare_with.retain(|&k| k != self.model);
                if self.compare_with.is_empty() {
                    self.compare_with = vec![default_partner(self.model)];
                }
                Some(Control::SetModels(self.models()))
            }
            Intent::CycleScenario => {
                self.scenario = next_in(&ScenarioName::ALL, self.scenario);
                // A new scenario is the input again (explore starts from every α at 0).
                self.drawing = None;
                self.explore = Explore::default();
                Some(Control::SetScenario(self.scenario))
            }
            Intent::RaiseFirst
            | Intent::LowerFirst
            | Intent::RaiseSecond
            | Intent::LowerSecond
            | Intent::RaiseRest
            | Intent::LowerRest => {
                let snap = self.snapshot.as_ref()?;
                let p = snap.memories.p();
                // In a lesson the walk sets α too: the arrows go on from the α in force.
                if snap.lesson.is_some()
                    && let Some(alpha) = snap.models.first().map(|m| &m.saliencies)
                {
                    let at = |i: usize| alpha.get(i).map_or(0.0, |&a| f64::from(a));
                    self.explore = Explore {
                        first: at(Explore::FIRST),
                        second: at(Explore::SECOND),
                        rest: at(2),
                    };
                }
                // A tenth of the existence threshold (the modern models have none: 0.01).
                let step = snap
                    .models
                    .first()
                    .map(|m| m.theory.existence_threshold / 10.0)
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .unwrap_or(0.01);
                self.explore.nudge(intent, step, p);
                Some(Control::Hold(Some(HeldInput::Saliencies(
                    self.explore.alpha(p),
                ))))
            }
        }
    }
}

/// The saliencies of the `explore` scenario: the walk's two memories (the first two of the set)
/// and the level of all the others, in units of α.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Explore {
    pub first: f64,
    pub second: f64,
    pub rest: f64,
}

impl Explore {
    /// The memories the arrows move.
    pub const FIRST: usize = 0;
    pub const SECOND: usize = 1;

    /// Moves one level by `step` (α ≥ 0).
    fn nudge(&mut self, intent: Intent, step: f64, p: usize) {
        let (value, sign) = match intent {
            Intent::RaiseFirst => (&mut self.first, 1.0),
            Intent::LowerFirst => (&mut self.first, -1.0),
            Intent::RaiseSecond => (&mut self.second, 1.0),
            Intent::LowerSecond => (&mut self.second, -1.0),
            Intent::RaiseRest if p > 2 => (&mut self.rest, 1.0),
            Intent::LowerRest if p > 2 => (&mut self.rest, -1.0),
            _ => return,
        };
        // On the grid of steps, so that up then down returns exactly.
        *value = (((*value + sign * step) / step).round() * step).max(0.0);
    }

    /// α for every memory of a set of `p`.
    pub fn alpha(&self, p: usize) -> Vec<f64> {
        crate::stimulus::held::walk_saliencies(self.first, self.second, self.rest, p)
    }
}

/// A landscape grid point is redrawn once it is this many colour levels from the value shown.
pub const HEAT_HYSTERESIS: f64 = 0.75;

/// The landscape to draw for the newest `view`: its state and wells; its grid where `old` (same
/// plane, same scale) is more than [`HEAT_HYSTERESIS`] levels off, and only on a `refresh`.
fn shown_landscape(old: Option<View>, view: &View, scale: &HeatScale, refresh: bool) -> View {
    let mut shown = view.clone();
    let Some(old) = old.filter(|o| {
        o.plane == view.plane
            && o.grid.cols == view.grid.cols
            && o.grid.rows == view.grid.rows
            && o.grid.energy.len() == view.grid.energy.len()
    }) else {
        return shown;
    };
    let margin = HEAT_HYSTERESIS * (scale.hi - scale.lo) / f64::from(HEAT_LEVELS);
    for (new, &was) in shown.grid.energy.iter_mut().zip(&old.grid.energy) {
        let keep = !refresh || (new.is_finite() == was.is_finite() && (*new - was).abs() <= margin);
        if keep {
            *new = was;
        }
    }
    shown
}

/// The pixels of the image panels, copied from one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSet {
    /// The input frame's image.
    pub input: Vec<f32>,
    /// The input frame is part of a glitch.
    pub glitch: bool,
    /// Per model (in snapshot order), the mean state Ψ(x) shown.
    pub states: Vec<Vec<f32>>,
}

/// Grey levels of the state images, as values in [−1, 1] (they match the theme's levels).
const STATE_LEVEL_STEP: f32 = 2.0 / (super::theme::GREY_LEVELS - 1) as f32;
/// A state pixel changes level once it is this far from the level shown: past the boundary
/// (half a level) by a quarter level, so a value wobbling on a boundary does not flicker, and
/// every level, ±1 included, stays reachable.
const STATE_HYSTERESIS: f32 = 0.75 * STATE_LEVEL_STEP;

impl ImageSet {
    /// The images of `s`; state pixels keep their previous grey level unless they moved a
    /// level boundary by a margin (hysteresis: a noisy state would otherwise repaint every cell).
    fn of(s: &Snapshot, previous: Option<&ImageSet>) -> Self {
        let states = s
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let old = previous
                    .and_then(|p| p.states.get(i))
                    .filter(|o| o.len() == m.activation_mean.len());
                m.activation_mean
                    .iter()
                    .enumerate()
                    .map(|(k, &v)| match old {
                        Some(old) if (v - old[k]).abs() <= STATE_HYSTERESIS => old[k],
                        _ => (v / STATE_LEVEL_STEP).round() * STATE_LEVEL_STEP,
                    })
                    .collect()
            })
            .collect();
        Self {
            input: s.input_image.clone(),
            glitch: s.glitch,
            states,
        }
    }
}

/// A stimulus change writes a transition and, at the same instant, the retrieval of the memory
/// it went to: `entry` is that retrieval of `last`'s target (one line shows both).
fn merges_into(last: &LogEntry, entry: &LogEntry) -> bool {
    last.kind == LogKind::Transition
        && entry.kind == LogKind::Retrieved
        && last.source == entry.source
        && (last.time_secs - entry.time_secs).abs() < 1e-6
        && retrieval_suffix(last, entry).is_some()
}

/// " after 2.5 s" of "retrieved tree after 2.5 s" when `last` is "… → tree".
fn retrieval_suffix<'a>(last: &LogEntry, entry: &'a LogEntry) -> Option<&'a str> {
    let rest = entry.text.strip_prefix("retrieved ")?;
    let at = rest.rfind(" after ")?;
    let (memory, suffix) = rest.split_at(at);
    last.text
        .ends_with(&format!(" → {memory}"))
        .then_some(suffix)
}

/// "cat → tree" and "retrieved tree after 2.5 s" become "cat → tree after 2.5 s", a retrieval.
fn merge(last: &mut LogEntry, entry: &LogEntry) {
    if let Some(suffix) = retrieval_suffix(last, entry) {
        last.text.push_str(suffix);
        last.kind = LogKind::Retrieved;
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

/// The next speed up or down the ladder from `speed` (which may lie between two rungs, or
/// beyond its ends with `--speed`: there the key keeps it, rather than go the other way).
fn step_speed(speed: f64, up: bool) -> f64 {
    if up {
        SPEEDS.iter().copied().find(|&s| s > speed * 1.0001)
    } else {
        SPEEDS.iter().rev().copied().find(|&s| s < speed * 0.9999)
    }
    .unwrap_or(speed)
}
