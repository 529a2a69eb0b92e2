//! Lessons (`recall lesson`): the paper told live, chapter by chapter. A lesson is data — a
//! sequence of chapters, each setting up the run, showing a caption whose `{placeholders}` are
//! filled from the run's own tracking events and theory, and saying what moves it on (the
//! presenter's → or a condition in the run). This module is pure: the file format
//! ([`format`]), the captions ([`caption`]) and the progress through a lesson ([`progress`]);
//! the simulator (`pipeline::lesson`) turns chapters into the same `Control`s the keys send,
//! and the dashboard only draws the [`LessonView`] a snapshot carries.

pub mod caption;
pub mod format;
pub mod progress;

use std::fmt;
use std::sync::Arc;

use crate::model::ModelKind;
use crate::stimulus::ScenarioName;

pub use caption::{DensityFacts, Field, Live, LiveModel, Template};
pub use format::{LessonError, LessonErrors, parse};
pub use progress::{Act, Facts, Progress};

/// The built-in lesson, "the paper in ten minutes", in the lesson format (`recall lesson
/// --print` shows it; `--check` passes on it).
pub const BUILTIN_TEXT: &str = include_str!("paper.toml");
/// The name `recall lesson` knows the built-in lesson by.
pub const BUILTIN_NAME: &str = "paper";

/// The built-in lesson, parsed.
pub fn builtin() -> Lesson {
    // The text is part of the program and a test parses it: an error here is a bug.
    parse(BUILTIN_TEXT, "built-in lesson").unwrap_or_else(|e| panic!("{e}"))
}

/// A lesson: a title and its chapters, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    pub title: String,
    pub chapters: Vec<Chapter>,
}

/// One chapter: how the run is set up, what the caption says, what moves it on.
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    pub title: String,
    /// The paper's figure (or section) it shows, e.g. "Fig. 2".
    pub figure: String,
    pub setup: Setup,
    /// The caption's lines, placeholders filled live.
    pub caption: Vec<Template>,
    /// Lines that depend on what the run did: `then` while `condition` has happened in this
    /// chapter, `otherwise` until then.
    pub branches: Vec<Branch>,
    /// What moves the lesson on by itself (the presenter's → always does).
    pub until: Condition,
    /// Model seconds the caption stays after `until` is met, before the next chapter.
    pub linger_secs: f64,
    /// With `recall lesson --auto`, a chapter that waits for the presenter moves on after this
    /// many model seconds.
    pub auto_secs: f64,
    /// The panels that matter (kept on screen at 80×24).
    pub panels: Vec<Panel>,
}

/// A caption line chosen by what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub condition: Condition,
    pub then: Template,
    pub otherwise: Template,
}

/// How a chapter sets up the run (each one a `Control` the keys could send).
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    pub scenario: ScenarioName,
    /// The models, primary first (two or more: compared side by side); `None`: unchanged.
    pub models: Option<Vec<ModelKind>>,
    /// Noise σ; `None`: unchanged.
    pub noise_std: Option<f64>,
    /// Model seconds per wall second; `None`: the speed the run had before a chapter set one.
    pub speed: Option<f64>,
    /// Redraw every model's state at random when the chapter begins.
    pub reset: bool,
    /// `explore`: the saliencies of the first memory, the second and the others, in units of
    /// 1/g (the existence threshold without the diagonal), held one after the other every
    /// `walk_secs` (the same input the arrows set).
    pub walk: Vec<[f64; 3]>,
    pub walk_secs: f64,
    /// Inject a glitch this many model seconds into the chapter (the `g` key's control).
    pub glitch_at_secs: Option<f64>,
}

/// Something that happens in the run, in a chapter: what moves a chapter on, and what a
/// caption's branch asks.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Only the presenter's →.
    Key,
    /// This many model seconds into the chapter.
    After(f64),
    /// The model retrieved a memory (this one, or any) since the chapter began.
    Retrieved {
        model: ModelRef,
        memory: Option<String>,
    },
    /// A glitch was judged for the model (with this outcome, or any).
    Glitch {
        model: ModelRef,
        outcome: Option<GlitchOutcome>,
    },
    /// The model moved from one retrieved memory to another.
    Transition { model: ModelRef },
    /// The model lost every memory (confusion).
    Confused { model: ModelRef },
    /// The primary model's landscape is in this regime of Fig. 2 (1 to 4).
    Regime(u8),
}

/// How a glitch went for a model (the tracker's judgement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlitchOutcome {
    Corrected,
    Followed,
    NotTracking,
}

impl GlitchOutcome {
    pub fn word(self) -> &'static str {
        match self {
            GlitchOutcome::Corrected => "corrected",
            GlitchOutcome::Followed => "followed",
            GlitchOutcome::NotTracking => "not-tracking",
        }
    }
}

/// A model named in a caption or a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelRef {
    Kind(ModelKind),
    /// The primary model (`model`).
    Primary,
    /// The first classic (non-IDP) model running (`classic`).
    Classic,
}

impl ModelRef {
    /// Parses `idp`, `classic-pulsed`, …, `model` or `classic`.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "model" => Some(ModelRef::Primary),
            "classic" => Some(ModelRef::Classic),
            other => ModelKind::parse(other).map(ModelRef::Kind),
        }
    }

    /// The running model it names, if any.
    pub fn resolve(self, running: &[ModelKind]) -> Option<ModelKind> {
        match self {
            ModelRef::Kind(k) => running.contains(&k).then_some(k),
            ModelRef::Primary => running.first().copied(),
            ModelRef::Classic => running.iter().copied().find(|k| !k.is_idp()),
        }
    }
}

impl fmt::Display for ModelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelRef::Kind(k) => f.write_str(k.name()),
            ModelRef::Primary => f.write_str("the model"),
            ModelRef::Classic => f.write_str("the classic model"),
        }
    }
}

impl fmt::Display for Condition {
    /// In words, for the caption's "moves on when …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Key => f.write_str("the presenter presses →"),
            Condition::After(s) => write!(f, "{s} s of model time"),
            Condition::Retrieved {
                model,
                memory: Some(m),
            } => write!(f, "{model} retrieves {m}"),
            Condition::Retrieved {
                model,
                memory: None,
            } => write!(f, "{model} retrieves a memory"),
            Condition::Glitch {
                model,
                outcome: None,
            } => write!(f, "{model}'s glitch is judged"),
            Condition::Glitch {
                model,
                outcome: Some(o),
            } => write!(f, "{model} has {} a glitch", o.word()),
            Condition::Transition { model } => write!(f, "{model} moves to another memory"),
            Condition::Confused { model } => write!(f, "{model} loses every memory"),
            Condition::Regime(n) => write!(f, "the landscape reaches regime {n}"),
        }
    }
}

/// The dashboard's panels, as a chapter names the ones that matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Panel {
    Images,
    Overlaps,
    Energy,
    Landscape,
    Table,
    Log,
}

impl Panel {
    pub const NAMES: &'static str = "images, overlaps, energy, landscape, table, log";
}

/// What a snapshot carries of the lesson: everything the caption panel draws, filled in by
/// the simulator, so every screen (the presenter's, each viewer's, a recording) shows the same.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonView {
    /// The lesson's title.
    pub lesson: String,
    /// 1-based chapter number, and how many there are.
    pub number: usize,
    pub total: usize,
    pub title: String,
    pub figure: String,
    /// The caption, filled from the run.
    pub lines: Vec<String>,
    /// What moves the lesson on, in words ("→ next", "moves on when idp retrieves a memory").
    pub next: String,
    pub panels: Vec<Panel>,
    /// The chapter waits for the explore arrows: the lesson's keys are PgDn / PgUp.
    pub explore: bool,
}

/// A lesson to give, and how (`recall lesson`, `recall serve --lesson`).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub lesson: Arc<Lesson>,
    /// Chapters that wait for the presenter move on after their `auto` seconds.
    pub auto: bool,
}

/// The lesson named on the command line: the built-in one for `None` or its name, else the
/// file (errors with line and column).
pub fn load(name: Option<&std::path::Path>) -> Result<Arc<Lesson>, LessonErrors> {
    match name {
        None => Ok(Arc::new(builtin())),
        Some(p) if p.as_os_str() == BUILTIN_NAME => Ok(Arc::new(builtin())),
        Some(path) => format::load_file(path).map(Arc::new),
    }
}
