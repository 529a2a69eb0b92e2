//! The lesson file: TOML (comments with `#`), read with spans so that every mistake is
//! reported as `path:line:column: what`, like the pattern files. Every mistake of a file is
//! listed, not only the first.
//!
//! ```toml
//! title = "my lesson"
//! [[chapter]]
//! title = "A partial cue"
//! figure = "Fig. 1"
//! scenario = "partial"            # tour, morph, partial, mixed, glitch, noise-ramp, explore, density
//! models = ["idp", "classic-initial"]
//! caption = "IDP {idp.outcome}; the classic model {classic.outcome}."
//! until = "idp retrieved"         # key, after 20 s, MODEL retrieved [MEMORY], regime 4, …
//! ```

use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use super::caption::Template;
use super::{Branch, Chapter, Condition, GlitchOutcome, Lesson, ModelRef, Panel, Setup};
use crate::model::ModelKind;
use crate::stimulus::ScenarioName;

/// Largest lesson file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// Model seconds a chapter waits in `--auto` unless it says.
pub const DEFAULT_AUTO_SECS: f64 = 20.0;
/// Model seconds the caption stays after a chapter's condition, unless it says.
pub const DEFAULT_LINGER_SECS: f64 = 4.0;
/// Model seconds each point of an explore walk is held, unless the chapter says.
pub const DEFAULT_WALK_SECS: f64 = 6.0;
/// Largest noise σ, speed and time a lesson may ask for (the keys' own limits or beyond).
const MAX_NOISE: f64 = 20.0;
const MAX_SECS: f64 = 3600.0;

/// One mistake in a lesson file, where it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}:{line}:{column}: {what}")]
pub struct LessonError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub what: String,
}

/// Every mistake found in a lesson file (at least one), one per line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct LessonErrors(pub Vec<LessonError>);

impl fmt::Display for LessonErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    title: Spanned<String>,
    #[serde(default)]
    chapter: Vec<Spanned<RawChapter>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChapter {
    title: Spanned<String>,
    figure: Spanned<String>,
    scenario: Spanned<String>,
    models: Option<Vec<Spanned<String>>>,
    noise: Option<Spanned<f64>>,
    speed: Option<Spanned<f64>>,
    #[serde(default)]
    reset: bool,
    walk: Option<Spanned<Vec<Vec<f64>>>>,
    walk_secs: Option<Spanned<f64>>,
    glitch_at: Option<Spanned<f64>>,
    panels: Option<Vec<Spanned<String>>>,
    caption: Spanned<String>,
    #[serde(default)]
    when: Vec<RawWhen>,
    until: Option<Spanned<String>>,
    linger: Option<Spanned<f64>>,
    auto: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    #[serde(rename = "if")]
    condition: Spanned<String>,
    then: Spanned<String>,
    #[serde(rename = "else")]
    otherwise: Spanned<String>,
}

/// Reads and parses a lesson file.
pub fn load_file(path: &Path) -> Result<Lesson, LessonErrors> {
    let shown = crate::patterns::display_name(path);
    let whole = |what: String| {
        LessonErrors(vec![LessonError {
            path: shown.clone(),
            line: 1,
            column: 1,
            what,
        }])
    };
    let size = std::fs::metadata(path)
        .map_err(|e| whole(format!("cannot read: {e}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(whole(format!(
            "file too large: {size} bytes, the limit is {MAX_FILE_BYTES} bytes"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let (line, column) = position(&String::from_utf8_lossy(e.as_bytes()), at);
        LessonErrors(vec![LessonError {
            path: shown.clone(),
            line,
            column,
            what: "not UTF-8: a lesson is text".into(),
        }])
    })?;
    parse(&text, &shown)
}

/// Parses the text of a lesson; `path` is how messages name it.
pub fn parse(text: &str, path: &str) -> Result<Lesson, LessonErrors> {
    let mut errors = Errors {
        text,
        path,
        list: Vec::new(),
    };
    let raw: RawLesson = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            let what = e.message().trim().replace('\n', " ");
            errors.at(at, what);
            return Err(LessonErrors(errors.list));
        }
    };
    if raw.chapter.is_empty() {
        errors.at(
            raw.title.span().start,
            "no chapter: add one or more [[chapter]] tables".into(),
        );
    }
    let mut chapters = Vec::new();
    for c in &raw.chapter {
        if let Some(chapter) = chapter(c.get_ref(), &mut errors) {
            chapters.push(chapter);
        }
    }
    if errors.list.is_empty() {
        Ok(Lesson {
            title: raw.title.into_inner(),
            chapters,
        })
    } else {
        Err(LessonErrors(errors.list))
    }
}

/// The mistakes found so far, positioned in `text`.
struct Errors<'a> {
    text: &'a str,
    path: &'a str,
    list: Vec<LessonError>,
}

impl Errors<'_> {
    fn at(&mut self, offset: usize, what: String) {
        let (line, column) = position(self.text, offset);
        self.list.push(LessonError {
            path: self.path.to_string(),
            line,
            column,
            what,
        });
    }

    /// A mistake inside a string value: at `inner` (a piece of the string) where the source
    /// shows it verbatim, else at the string's start.
    /// `inner` is looked for from byte `from` of the string's source on (so that a line's
    /// second mistake is not placed at its first); returns where the piece ends there (or
    /// `from` when the source does not show it).
    fn inside_from(
        &mut self,
        span: &Range<usize>,
        from: usize,
        inner: &str,
        what: String,
    ) -> usize {
        match self.find_in(span, from, inner) {
            Some(i) => {
                self.at(span.start + i, what);
                i + inner.len()
            }
            None => {
                self.at(span.start, what);
                from
            }
        }
    }

    /// Where `inner` first shows in the source of the string at `span`, from byte `from` of it.
    fn find_in(&self, span: &Range<usize>, from: usize, inner: &str) -> Option<usize> {
        let source = self.text.get(span.clone())?;
        source.get(from..)?.find(inner).map(|i| from + i)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn chapter(raw: &RawChapter, errors: &mut Errors) -> Option<Chapter> {
    let before = errors.list.len();
    let scenario = match ScenarioName::parse(raw.scenario.get_ref()) {
        Some(s) => s,
        None => {
            errors.at(
                raw.scenario.span().start,
                format!(
                    "unknown scenario {:?}: expected one of {}",
                    raw.scenario.get_ref(),
                    scenario_names()
                ),
            );
            ScenarioName::Tour
        }
    };
    let models = raw.models.as_ref().map(|list| {
        let mut kinds = Vec::new();
        for m in list {
            match ModelKind::parse(m.get_ref()) {
                Some(k) if kinds.contains(&k) => {
                    errors.at(m.span().start, format!("{} is listed twice", k.name()))
                }
                Some(k) => kinds.push(k),
                None => errors.at(
                    m.span().start,
                    format!(
                        "unknown model {:?}: expected one of {}",
                        m.get_ref(),
                        model_names()
                    ),
                ),
            }
        }
        if list.is_empty() {
            errors.at(
                raw.title.span().start,
                "models = [] runs nothing: name one or more".into(),
            );
        }
        kinds
    });
    let noise_std = raw
        .noise
        .as_ref()
        .map(|n| in_range(n, 0.0, MAX_NOISE, "noise σ", errors));
    let speed = raw.speed.as_ref().map(|s| {
        let v = in_range(s, 0.0, 64.0, "speed", errors);
        if v == 0.0 {
            errors.at(s.span().start, "speed 0 would stop the run: use > 0".into());
        }
        v
    });
    let walk = match &raw.walk {
        None => Vec::new(),
        Some(w) => {
            if scenario != ScenarioName::Explore {
                errors.at(
                    w.span().start,
                    "walk sets the saliencies of the explore scenario: add scenario = \"explore\""
                        .into(),
                );
            }
            let mut points = Vec::new();
            for p in w.get_ref() {
                match p.as_slice() {
                    &[a, b] | &[a, b, _] if a < 0.0 || b < 0.0 => {
                        errors.at(w.span().start, "a saliency is ≥ 0".into())
                    }
                    &[a, b] => points.push([a, b, 0.0]),
                    &[a, b, r] if r >= 0.0 => points.push([a, b, r]),
                    _ => errors.at(
                        w.span().start,
                        "each point of walk is [first, second] or [first, second, others], \
                         in units of 1/g, ≥ 0"
                            .into(),
                    ),
                }
            }
            points
        }
    };
    let walk_secs = raw
        .walk_secs
        .as_ref()
        .map_or(DEFAULT_WALK_SECS, |s| positive(s, "walk_secs", errors));
    let glitch_at_secs = raw
        .glitch_at
        .as_ref()
        .map(|s| in_range(s, 0.0, MAX_SECS, "glitch_at", errors));
    let panels = raw
        .panels
        .iter()
        .flatten()
        .filter_map(|p| match p.get_ref().parse::<Panel>() {
            Ok(panel) => Some(panel),
            Err(_) => {
                errors.at(
                    p.span().start,
                    format!(
                        "unknown panel {:?}: expected one of {}",
                        p.get_ref(),
                        Panel::NAMES
                    ),
                );
                None
            }
        })
        .collect();
    let caption = template_lines(&raw.caption, errors);
    let branches = raw
        .when
        .iter()
        .filter_map(|w| {
            let condition = condition(&w.condition, errors)?;
            if condition == Condition::Key {
                errors.at(
                    w.condition.span().start,
                    "\"key\" is not something the run does: use an event, a time or a regime"
                        .into(),
                );
            }
            let then = template(&w.then, errors)?;
            let otherwise = template(&w.otherwise, errors)?;
            Some(Branch {
                condition,
                then,
                otherwise,
            })
        })
        .collect();
    let until = raw
        .until
        .as_ref()
        .map_or(Some(Condition::Key), |u| condition(u, errors));
    let linger_secs = raw.linger.as_ref().map_or(DEFAULT_LINGER_SECS, |s| {
        in_range(s, 0.0, MAX_SECS, "linger", errors)
    });
    let auto_secs = raw
        .auto
        .as_ref()
        .map_or(DEFAULT_AUTO_SECS, |s| positive(s, "auto", errors));
    if errors.list.len() > before {
        return None;
    }
    Some(Chapter {
        title: raw.title.get_ref().clone(),
        figure: raw.figure.get_ref().clone(),
        setup: Setup {
            scenario,
            models,
            noise_std,
            speed,
            reset: raw.reset,
            walk,
            walk_secs,
            glitch_at_secs,
        },
        caption: caption?,
        branches,
        until: until?,
        linger_secs,
        auto_secs,
        panels,
    })
}

fn in_range(v: &Spanned<f64>, lo: f64, hi: f64, what: &str, errors: &mut Errors) -> f64 {
    let x = *v.get_ref();
    if !(lo..=hi).contains(&x) {
        errors.at(
            v.span().start,
            format!("{what} {x} is out of range: {lo} to {hi}"),
        );
        return lo;
    }
    x
}

fn positive(v: &Spanned<f64>, what: &str, errors: &mut Errors) -> f64 {
    let x = *v.get_ref();
    if !(x > 0.0 && x <= MAX_SECS) {
        errors.at(
            v.span().start,
            format!("{what} {x} is out of range: more than 0, at most {MAX_SECS} s"),
        );
        return 1.0;
    }
    x
}

/// The caption: its lines, each a template (blank lines dropped).
fn template_lines(raw: &Spanned<String>, errors: &mut Errors) -> Option<Vec<Template>> {
    let mut out = Vec::new();
    let mut ok = true;
    // How far into the string's source the lines so far reach: each line's mistakes are
    // looked for from its own start on.
    let mut from = 0;
    for line in raw
        .get_ref()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let start = errors.find_in(&raw.span(), from, line);
        let mut at = start.unwrap_or(from);
        match Template::parse(line) {
            Ok(t) => out.push(t),
            Err(found) => {
                for e in found {
                    at = errors.inside_from(&raw.span(), at, &e.piece, e.what);
                }
                ok = false;
            }
        }
        if let Some(start) = start {
            from = start + line.len();
        }
    }
    ok.then_some(out)
}

fn template(raw: &Spanned<String>, errors: &mut Errors) -> Option<Template> {
    match Template::parse(raw.get_ref().trim()) {
        Ok(t) => Some(t),
        Err(found) => {
            let mut at = 0;
            for e in found {
                at = errors.inside_from(&raw.span(), at, &e.piece, e.what);
            }
            None
        }
    }
}

/// What `until` and `if` say, e.g. `idp retrieved cat`, `after 20 s`, `regime 4`, `key`.
fn condition(raw: &Spanned<String>, errors: &mut Errors) -> Option<Condition> {
    match parse_condition(raw.get_ref()) {
        Ok(c) => Some(c),
        Err(what) => {
            errors.at(raw.span().start, what);
            None
        }
    }
}

/// The grammar of conditions, in words.
pub const CONDITIONS: &str = "key | after SECS s | MODEL retrieved [MEMORY] | MODEL glitch \
     [corrected|followed|not-tracking] | MODEL transition | MODEL confused | regime 1-4 \
     (MODEL: idp, classic-pulsed, …, model, classic)";

/// Parses a condition.
pub fn parse_condition(text: &str) -> Result<Condition, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let bad = || format!("cannot read the condition {text:?}: expected {CONDITIONS}");
    match words.as_slice() {
        ["key"] => Ok(Condition::Key),
        ["after", secs] | ["after", secs, "s"] => {
            let s: f64 = secs.trim_end_matches('s').parse().map_err(|_| bad())?;
            if !(s > 0.0 && s <= MAX_SECS) {
                return Err(format!(
                    "after {s} s: expected more than 0, at most {MAX_SECS}"
                ));
            }
            Ok(Condition::After(s))
        }
        ["regime", n] => match n.parse::<u8>() {
            Ok(n @ 1..=4) => Ok(Condition::Regime(n)),
            _ => Err(format!(
                "regime {n}: the regimes of Fig. 2 are numbered 1 to 4"
            )),
        },
        [model, rest @ ..] => {
            let model = ModelRef::parse(model).ok_or_else(|| {
                format!(
                    "unknown model {model:?} in {text:?}: expected one of {}, model, classic",
                    model_names()
                )
            })?;
            match rest {
                ["retrieved"] | ["retrieved", "any"] => Ok(Condition::Retrieved {
                    model,
                    memory: None,
                }),
                ["retrieved", memory] => Ok(Condition::Retrieved {
                    model,
                    memory: Some((*memory).to_string()),
                }),
                ["glitch"] | ["glitch", "any"] => Ok(Condition::Glitch {
                    model,
                    outcome: None,
                }),
                ["glitch", outcome] => {
                    let outcome = match *outcome {
                        "corrected" => GlitchOutcome::Corrected,
                        "followed" => GlitchOutcome::Followed,
                        "not-tracking" => GlitchOutcome::NotTracking,
                        _ => return Err(bad()),
                    };
                    Ok(Condition::Glitch {
                        model,
                        outcome: Some(outcome),
                    })
                }
                ["transition"] => Ok(Condition::Transition { model }),
                ["confused"] => Ok(Condition::Confused { model }),
                _ => Err(bad()),
            }
        }
        [] => Err(bad()),
    }
}

fn scenario_names() -> String {
    ScenarioName::ALL.map(ScenarioName::name).join(", ")
}

fn model_names() -> String {
    ModelKind::ALL.map(ModelKind::name).join(", ")
}
