//! Lessons (`recall lesson`): the built-in lesson driven headless through the pipeline's own
//! controls, every filled caption checked against the session's own log of events; lesson
//! files with mistakes get path:line:column errors; the caption panel at 80×24 and 120×40.

use std::sync::Arc;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use recall::lesson::{self, Lesson, Plan, Progress};
use recall::model::ModelKind;
use recall::pipeline::{
    Control, LessonControl, LogEntry, LogKind, Pacing, Pipeline, PipelineConfig, Snapshot, Source,
};
use recall::stimulus::held::HeldInput;
use recall::stimulus::{ScenarioName, StreamConfig};
use recall::tracking::Event;
use recall::ui::{App, Msg, Theme, fixture};

const WAIT: Duration = Duration::from_secs(300);

/// An unpaced IDP pipeline on the built-in memories, stopping at `stop_secs` of model time if
/// given; started paused, so that a lesson sets the run up before the first step.
fn lesson_pipeline(seed: u64, stop_secs: Option<f64>) -> Pipeline {
    Pipeline::start(PipelineConfig {
        memories: Arc::new(recall::patterns::builtin()),
        scenario: ScenarioName::Tour,
        stream: StreamConfig::default(),
        params: recall::model::Params::default(),
        models: vec![ModelKind::Idp],
        seed,
        speed: 1.0,
        pacing: Pacing::Unpaced {
            snapshot_every_steps: 10,
        },
        stop_at_secs: stop_secs,
        paused: true,
    })
    .expect("start")
}

/// Runs `lesson` with `--auto` on the built-in memories, unpaced, to `stop_secs` of model time:
/// every snapshot taken (with its caption) and the whole log.
fn run_lesson(lesson: Lesson, seed: u64, stop_secs: f64) -> (Vec<Snapshot>, Vec<LogEntry>) {
    let pipeline = lesson_pipeline(seed, Some(stop_secs));
    let plan = Plan {
        lesson: Arc::new(lesson),
        auto: true,
    };
    pipeline
        .controls()
        .send(LessonControl::start(&plan))
        .expect("start the lesson");
    pipeline
        .controls()
        .send(Control::SetPaused(false))
        .expect("go");
    let (snapshots, log) = drain(&pipeline);
    pipeline.shutdown().expect("clean shutdown");
    (snapshots, log)
}

/// Every snapshot and log line of `pipeline`'s run until it finishes, and the log's last lines.
fn drain(pipeline: &Pipeline) -> (Vec<Snapshot>, Vec<LogEntry>) {
    let mut snapshots = Vec::new();
    let mut log = Vec::new();
    loop {
        crossbeam_channel::select! {
            recv(pipeline.snapshots()) -> s => {
                let s = s.expect("a snapshot");
                let finished = s.finished;
                snapshots.push(*s);
                if finished {
                    break;
                }
            }
            recv(pipeline.log()) -> e => log.push(e.expect("a log line")),
            default(WAIT) => panic!("no snapshot in {WAIT:?}"),
        }
    }
    while let Ok(entry) = pipeline.log().recv_timeout(Duration::from_secs(5)) {
        log.push(entry);
    }
    (snapshots, log)
}

/// Model time at which each chapter began, from the log's "chapter k/N: …" lines (the
/// last time each began).
fn chapter_starts(log: &[LogEntry], total: usize) -> Vec<Option<f64>> {
    let mut starts = vec![None; total];
    for e in log {
        if let Some(rest) = e.text.strip_prefix("chapter ") {
            let k: usize = rest.split('/').next().unwrap().parse().unwrap();
            starts[k - 1] = Some(e.time_secs);
        }
    }
    starts
}

/// The log lines of model `kind` in a chapter that began at `start` and is seen at `now`.
fn events_of(log: &[LogEntry], kind: ModelKind, start: f64, now: f64) -> Vec<String> {
    log.iter()
        .filter(|e| e.source == Source::Model(kind))
        .filter(|e| e.time_secs > start + 1e-9 && e.time_secs <= now + 1e-9)
        .map(|e| untimed(e.text.split(" (×").next().unwrap()))
        .collect()
}

/// A log line without a glitch's time ("glitch to dog at 32.0 s followed" → "glitch to dog
/// followed"), as the captions name glitches.
fn untimed(text: &str) -> String {
    match text.strip_prefix("glitch to ") {
        Some(rest) => match rest.split_once(" at ") {
            Some((name, timed)) => {
                let after = timed.split_once(" s").map_or("", |(_, a)| a);
                format!("glitch to {name}{after}")
            }
            None => text.to_string(),
        },
        None => text.to_string(),
    }
}

/// What the caption must say of `field` given the model's log lines in the chapter.
fn expected(field: &str, lines: &[String], in_glitch: bool) -> Vec<String> {
    let last =
        |pred: &dyn Fn(&str) -> bool| lines.iter().rev().map(String::as_str).find(|l| pred(l));
    match field {
        "outcome" => match last(&|l| l.starts_with("retrieved ")) {
            Some(l) => vec![l.to_string()],
            None => vec!["has retrieved nothing".into()],
        },
        "memory" => match last(&|l| {
            l.starts_with("retrieved ") || l.starts_with("on ") || l.contains(" → ")
        }) {
            Some(l) if l.starts_with("retrieved ") => {
                let rest = &l["retrieved ".len()..];
                vec![rest.split(" after ").next().unwrap().to_string()]
            }
            // "on cat already as the input came to it", "on cat while the input shows dog"
            Some(l) if l.starts_with("on ") => {
                let rest = &l["on ".len()..];
                let name = [" already as ", " while the input shows "]
                    .iter()
                    .find_map(|end| rest.split_once(end))
                    .map_or(rest, |(name, _)| name);
                vec![name.to_string()]
            }
            Some(l) => vec![l.split(" → ").nth(1).unwrap().to_string()],
            None => vec!["nothing yet".into()],
        },
        "latency" => match last(&|l| l.starts_with("retrieved ")) {
            Some(l) => {
                let t = l.split(" after ").nth(1).unwrap();
                vec![t.split(" (").next().unwrap().to_string()]
            }
            None => vec!["— (nothing retrieved yet)".into()],
        },
        "glitch" => match last(&|l| l.starts_with("glitch to ")) {
            Some(l) => {
                let rest = &l["glitch to ".len()..];
                if let Some(g) = rest.strip_suffix(" corrected") {
                    vec![format!("corrected the glitch to {g}")]
                } else if let Some(g) = rest.strip_suffix(" followed") {
                    vec![format!("followed the glitch to {g}")]
                } else if let Some((g, held)) = rest.split_once(": was not tracking ") {
                    vec![format!(
                        "was not on {held} when the glitch to {g} came (neither corrected nor followed)"
                    )]
                } else {
                    let g = rest.split(':').next().unwrap();
                    vec![format!("held no memory when the glitch to {g} came")]
                }
            }
            None if in_glitch => vec![
                "is in a glitch now (not judged yet)".into(),
                "has seen no glitch yet".into(),
            ],
            None => vec!["has seen no glitch yet".into()],
        },
        other => panic!("the test does not know {other}"),
    }
}

/// A lesson whose caption lines are `MODEL FIELD: {MODEL.FIELD}`, so that the test can read
/// each filled value back and hold it against the log.
const CHECKED: &str = r#"
title = "checked"
[[chapter]]
title = "glitch"
figure = "§5"
scenario = "glitch"
models = ["idp", "classic-pulsed"]
noise = 8.0
reset = true
caption = """
idp outcome: {idp.outcome}
idp memory: {idp.memory}
idp latency: {idp.latency}
idp glitch: {idp.glitch}
classic-pulsed outcome: {classic-pulsed.outcome}
classic-pulsed glitch: {classic-pulsed.glitch}
"""
until = "idp glitch"
linger = 3
auto = 40
[[chapter]]
title = "partial"
figure = "Fig. 1"
scenario = "partial"
models = ["idp", "classic-initial"]
reset = true
noise = 0
caption = """
idp outcome: {idp.outcome}
idp memory: {idp.memory}
classic-initial outcome: {classic-initial.outcome}
classic-initial latency: {classic-initial.latency}
"""
until = "after 14 s"
linger = 0
[[chapter]]
title = "mixed"
figure = "§5"
scenario = "mixed"
models = ["idp", "classic-pulsed"]
noise = 8
caption = """
idp outcome: {idp.outcome}
idp latency: {idp.latency}
classic-pulsed memory: {classic-pulsed.memory}
classic-pulsed glitch: {classic-pulsed.glitch}
"""
auto = 25
"#;

#[test]
fn every_filled_caption_is_true_of_the_sessions_own_events() {
    let lesson = lesson::parse(CHECKED, "checked").expect("the test's lesson parses");
    let total = lesson.chapters.len();
    let (snapshots, log) = run_lesson(lesson, 7, 90.0);
    let starts = chapter_starts(&log, total);
    assert!(
        starts.iter().all(Option::is_some),
        "every chapter began: {starts:?}"
    );
    let mut checked = 0;
    let mut seen = vec![0; total];
    for snap in &snapshots {
        let Some(view) = &snap.lesson else {
            continue;
        };
        seen[view.number - 1] += 1;
        let start = starts[view.number - 1].unwrap();
        // A snapshot of a chapter shown again later would be judged against its last start.
        if start > snap.time_secs {
            continue;
        }
        for line in &view.lines {
            let (key, value) = line.split_once(": ").expect("MODEL FIELD: value");
            let (model, field) = key.split_once(' ').unwrap();
            let kind = ModelKind::parse(model).unwrap();
            if !snap.models.iter().any(|m| m.kind == kind) {
                // The chapter's first snapshot comes before its setup: true as it stands.
                assert_eq!(value, format!("({model} is not running)"));
                continue;
            }
            let lines = events_of(&log, kind, start, snap.time_secs);
            let want = expected(field, &lines, snap.glitch);
            assert!(
                want.iter().any(|w| value.starts_with(w.as_str())),
                "chapter {} at {:.2} s: {line:?}, but the log of {model} since {start:.2} s says {lines:?}",
                view.number,
                snap.time_secs
            );
            checked += 1;
        }
    }
    assert!(
        seen.iter().all(|&n| n > 10),
        "snapshots per chapter: {seen:?}"
    );
    assert!(checked > 500, "only {checked} values checked");
    // The run did something worth checking: retrievals and a judged glitch were quoted.
    let quoted = |s: &str| {
        snapshots
            .iter()
            .filter_map(|s| s.lesson.as_ref())
            .any(|v| v.lines.iter().any(|l| l.contains(s)))
    };
    assert!(quoted("outcome: retrieved "), "no retrieval was quoted");
    assert!(quoted("the glitch to "), "no glitch outcome was quoted");
}

#[test]
fn the_builtin_lesson_runs_from_start_to_end_through_the_keys_controls() {
    let lesson = lesson::builtin();
    let total = lesson.chapters.len();
    let titles: Vec<String> = lesson.chapters.iter().map(|c| c.title.clone()).collect();
    let setups: Vec<_> = lesson.chapters.iter().map(|c| c.setup.clone()).collect();
    let (snapshots, log) = run_lesson(lesson, 7, 330.0);
    let starts = chapter_starts(&log, total);
    // Every chapter, in order, each set up as it says (scenario, models, noise in the snapshots).
    let mut last = 0;
    for snap in &snapshots {
        let Some(view) = &snap.lesson else { continue };
        assert!(view.number >= last, "chapters in order");
        last = view.number;
        assert_eq!(view.title, titles[view.number - 1]);
        assert!(
            view.lines.iter().all(|l| !l.contains('{')),
            "unfilled: {:?}",
            view.lines
        );
        let start = starts[view.number - 1].expect("the chapter's line in the log");
        // Set up a frame after it began: the snapshot shows the chapter's run.
        if snap.time_secs > start + 0.5 {
            let setup = &setups[view.number - 1];
            assert_eq!(snap.status.scenario, setup.scenario, "{}", view.title);
            if let Some(models) = &setup.models {
                let kinds: Vec<ModelKind> = snap.models.iter().map(|m| m.kind).collect();
                assert_eq!(&kinds, models, "{}", view.title);
            }
            if let Some(sigma) = setup.noise_std {
                assert_eq!(snap.status.noise_std, sigma, "{}", view.title);
            }
        }
        // Every retrieval and glitch a caption quotes is in the log of that chapter.
        for line in &view.lines {
            for claim in quoted_events(line) {
                let found = log.iter().any(|e| {
                    matches!(e.source, Source::Model(_))
                        && e.time_secs > start + 1e-9
                        && e.time_secs <= snap.time_secs + 1e-9
                        && untimed(&e.text).starts_with(&claim)
                });
                assert!(
                    found,
                    "chapter {} at {:.2} s quotes {claim:?} ({line:?}), not in its log",
                    view.number, snap.time_secs
                );
            }
        }
    }
    assert_eq!(last, total, "the lesson reached its last chapter");
    // The chapters moved on by themselves (--auto, conditions), each logged as the lesson's.
    let lines: Vec<&LogEntry> = log
        .iter()
        .filter(|e| e.text.starts_with("chapter "))
        .collect();
    assert_eq!(lines.len(), total, "{lines:?}");
    assert!(lines.iter().all(|e| e.kind == LogKind::Info));
    // The lesson's own walk is not someone taking the input over.
    assert!(
        !log.iter().any(|e| e.text.contains("walk stops")),
        "the walk's own points stopped it"
    );
}

/// The events a caption line quotes, as the log writes them: "retrieved cat after 1.2 s",
/// "glitch to dog corrected", "glitch to dog followed".
fn quoted_events(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("retrieved ") {
        let tail = &rest[i..];
        if let Some(end) = tail.find(" s").filter(|_| tail.contains(" after ")) {
            let claim = &tail[..end + 2];
            if claim.contains(" after ") && !claim.contains("nothing") {
                out.push(claim.to_string());
            }
        }
        rest = &tail["retrieved ".len()..];
    }
    for (verb, word) in [("corrected", "corrected"), ("followed", "followed")] {
        let mark = format!("{verb} the glitch to ");
        if let Some(i) = line.find(&mark) {
            let name: String = line[i + mark.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            out.push(format!("glitch to {name} {word}"));
        }
    }
    out
}

#[test]
fn lesson_files_with_mistakes_get_line_and_column() {
    let text = "\
title = \"bad\"
[[chapter]]
title = \"one\"
figure = \"Fig. 1\"
scenario = \"partal\"
models = [\"idp\", \"clasic\"]
caption = \"\"\"
IDP {idp.outcom} and {regime} {foo} {foo}
\"\"\"
until = \"idp retreived cat\"
[[chapter]]
title = \"two\"
figure = \"Fig. 2\"
scenario = \"morph\"
noise = 50
walk = [[1, 2]]
caption = \"ok {regime\"
";
    let errors = lesson::parse(text, "bad.toml").expect_err("mistakes");
    let at: Vec<(usize, usize)> = errors.0.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(
        at,
        vec![
            (5, 12),
            (6, 18),
            (8, 5),
            (8, 31),
            (8, 37),
            (10, 9),
            (15, 9),
            (16, 8),
            (17, 15)
        ],
        "{errors}"
    );
    let shown = errors.to_string();
    assert!(
        shown.starts_with("bad.toml:5:12: unknown scenario \"partal\""),
        "{shown}"
    );
    assert!(
        shown.contains("bad.toml:8:5: unknown placeholder {idp.outcom}"),
        "{shown}"
    );
    // Every unknown placeholder of a line, not only its first.
    assert!(
        shown.contains("bad.toml:8:31: unknown placeholder {foo}"),
        "{shown}"
    );
    assert!(
        shown.contains("bad.toml:16:8: walk sets the saliencies of the explore"),
        "{shown}"
    );
    // TOML itself, and a key the format does not know.
    let e = lesson::parse("title = \"x\"\n[[chapter]]\ntitle = \n", "t.toml").unwrap_err();
    assert_eq!((e.0[0].line, e.0[0].column), (3, 9), "{e}");
    let e = lesson::parse(
        "title = \"x\"\n[[chapter]]\ntitle = \"a\"\nfigure = \"b\"\nscenario = \"tour\"\ncaption = \"c\"\ncolour = 1\n",
        "t.toml",
    )
    .unwrap_err();
    assert_eq!((e.0[0].line, e.0[0].column), (7, 1), "{e}");
    assert!(e.to_string().contains("unknown field `colour`"), "{e}");
}

#[test]
fn the_builtin_lesson_passes_its_own_check_and_names_a_figure_per_chapter() {
    let lesson = lesson::parse(lesson::BUILTIN_TEXT, "paper").expect("the built-in lesson");
    assert!(lesson.chapters.len() >= 6);
    for c in &lesson.chapters {
        assert!(
            c.figure.starts_with("Fig.") || c.figure.starts_with('§'),
            "{}: {}",
            c.title,
            c.figure
        );
    }
    let scenarios: Vec<ScenarioName> = lesson.chapters.iter().map(|c| c.setup.scenario).collect();
    for s in [
        ScenarioName::Partial,
        ScenarioName::Morph,
        ScenarioName::Mixed,
        ScenarioName::Glitch,
        ScenarioName::Explore,
    ] {
        assert!(scenarios.contains(&s), "{s} has no chapter");
    }
}

/// The header's keys turn the pages: where the arrows set the saliencies (or α1, α2), in an
/// explore or density scenario, it says PgDn / PgUp (it said "← back" there, and ← set α);
/// the running scenario decides, also when `s` changed it within a chapter.
#[test]
fn the_header_names_the_keys_that_turn_the_pages_in_each_chapter() {
    let lesson = lesson::builtin();
    let header = |index: usize, scenario: ScenarioName| {
        let mut app = captioned(&[ModelKind::Idp], index, &[]);
        // The scenario that runs (the lesson's controls set it, as `s` does).
        app.scenario = scenario;
        let screen = format!("{}", draw(&app, 120, 40).backend());
        let line = screen
            .lines()
            .find(|l| l.contains(&format!(" {}/", index + 1)))
            .map(str::to_string);
        line.unwrap_or_else(|| panic!("no header in:\n{screen}"))
    };
    for (index, chapter) in lesson.chapters.iter().enumerate() {
        let scenario = chapter.setup.scenario;
        let line = header(index, scenario);
        if matches!(scenario, ScenarioName::Explore | ScenarioName::Density) {
            assert!(line.contains("Pg"), "chapter {}: {line}", index + 1);
            assert!(!line.contains('→') && !line.contains('←'), "{line}");
        } else {
            assert!(!line.contains("Pg"), "chapter {}: {line}", index + 1);
        }
    }
    // `s` to explore within the glitch chapter: the arrows set saliencies now.
    let line = header(4, ScenarioName::Explore);
    assert!(line.contains("Pg") && !line.contains('→'), "{line}");
    // Painting (`p`), the arrows move the cursor: the line says to leave it first.
    let mut app = captioned(&[ModelKind::Idp], 1, &[]);
    app.update(Msg::Intent(recall::ui::Intent::TogglePaint));
    let screen = format!("{}", draw(&app, 120, 40).backend());
    let line = screen
        .lines()
        .find(|l| l.contains(" 2/"))
        .expect("a header");
    assert!(line.contains("p, then →"), "{line}");
}

/// After α moved (a step of the walk) and before the new solve, the regimes chapter does not
/// quote the landscape before: it said "α bird = 0.250 … Theory: regime 1: no memory".
#[test]
fn the_regimes_caption_waits_for_the_solve_of_the_new_alpha() {
    let caption = |stale: bool| {
        let app = captioned_with(&[ModelKind::Idp], 5, &[], |snap| {
            snap.models[0].theory_solved = true;
            snap.models[0].theory_current = !stale;
            snap.models[0].theory_time_secs = Some(snap.time_secs);
        });
        app.snapshot
            .as_ref()
            .unwrap()
            .lesson
            .as_ref()
            .unwrap()
            .lines
            .join("\n")
    };
    let stale = caption(true);
    assert!(stale.contains("Theory: (solving for these α…)"), "{stale}");
    assert!(!stale.contains("regime"), "{stale}");
    let current = caption(false);
    assert!(current.contains("Theory: regime"), "{current}");
    // Nor is the chapter's condition (regime 4, the fixture's) met by the rows before.
    // And not by rows solved before the chapter began, current as they may be: the first
    // frames of a chapter still run the landscape of the chapter before.
    let met = |stale: bool, solved_before_start: bool| {
        let mut snap = recall::ui::fixture::snapshot(&[ModelKind::Idp]);
        snap.models[0].theory_solved = true;
        snap.models[0].theory_current = !stale;
        let before = if solved_before_start { 0.5 } else { 0.0 };
        snap.models[0].theory_time_secs = Some(snap.time_secs - before);
        let mut progress = Progress::new(Arc::new(lesson::builtin()), false);
        progress.start(0.0);
        for _ in 0..5 {
            progress.next(0.0);
        }
        let live = recall::pipeline::lesson_live(&snap, 0.0);
        progress.tick(1.0, &live);
        progress.view(1.0, &live).next.starts_with("next in")
    };
    assert!(!met(true, false), "regime 4 met by stale rows");
    assert!(
        !met(false, true),
        "regime 4 met by the chapter before's rows"
    );
    assert!(met(false, false), "regime 4 not met by current rows");
}

/// The fixture's run with the built-in lesson's chapter `index` captioned after `events`.
fn captioned(models: &[ModelKind], index: usize, events: &[(ModelKind, Event)]) -> App {
    captioned_with(models, index, events, |_| {})
}

/// [`captioned`], the fixture's snapshot edited first.
fn captioned_with(
    models: &[ModelKind],
    index: usize,
    events: &[(ModelKind, Event)],
    edit: impl Fn(&mut recall::pipeline::Snapshot),
) -> App {
    let mut snap = fixture::snapshot(models);
    edit(&mut snap);
    let mut progress = Progress::new(Arc::new(lesson::builtin()), false);
    progress.start(0.0);
    for _ in 0..index {
        progress.next(0.0);
    }
    for (kind, event) in events {
        progress.record(*kind, event);
    }
    let live = recall::pipeline::lesson_live(&snap, snap.time_secs);
    let view = progress.view(snap.time_secs, &live);
    snap.lesson = Some(Arc::new(view));
    let compare = (models.len() > 1).then(|| models[1..].to_vec());
    let mut app = App::new(
        Theme {
            color: true,
            ascii: false,
        },
        models[0],
        compare,
        ScenarioName::Glitch,
        2.0,
        1.0,
    );
    app.update(Msg::Snapshot(Box::new(snap)));
    for line in fixture::log() {
        app.update(Msg::Log(line));
    }
    app.update(Msg::FrameRate(15.0));
    app
}

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| f.render_widget(app, f.area()))
        .expect("draw");
    terminal
}

#[test]
fn the_caption_panel_at_80x24_and_120x40() {
    let models = [ModelKind::IdpFilter, ModelKind::ClassicPulsed];
    // The glitch chapter (5): idp-filter corrected the glitch, the classic model followed it.
    let events = [
        (
            ModelKind::IdpFilter,
            Event::GlitchCorrected {
                time_secs: 12.0,
                glitch: 2,
                glitch_secs: 8.0,
            },
        ),
        (
            ModelKind::ClassicPulsed,
            Event::GlitchFollowed {
                time_secs: 11.0,
                glitch: 2,
                glitch_secs: 8.0,
            },
        ),
    ];
    let app = captioned(&models, 4, &events);
    insta::assert_snapshot!("lesson_glitch_80x24", draw(&app, 80, 24).backend());
    insta::assert_snapshot!("lesson_glitch_120x40", draw(&app, 120, 40).backend());
    // The same chapter before any glitch: the caption says so, and makes no claim about this
    // run (it said "in this run it did not show that" before the glitch had come).
    let before = captioned(&models, 4, &[]);
    let text = format!("{}", draw(&before, 120, 40).backend());
    assert!(text.contains("has seen no glitch yet"), "{text}");
    assert!(!text.contains("did not follow"), "{text}");
    assert!(!text.contains("in this run"), "{text}");
    // The regimes (6) at 80×24: the landscape and the table are the panels that matter.
    let regimes = captioned_with(&[ModelKind::Idp], 5, &[], |snap| {
        snap.models[0].theory_solved = true;
        snap.models[0].theory_current = true;
        snap.models[0].theory_time_secs = Some(snap.time_secs);
    });
    insta::assert_snapshot!("lesson_regimes_80x24", draw(&regimes, 80, 24).backend());
}

#[test]
fn the_commented_example_of_docs_lesson_md_is_a_valid_lesson() {
    let doc = include_str!("../docs/lesson.md");
    let start = doc.find("```toml\n").expect("a toml example") + "```toml\n".len();
    let end = start + doc[start..].find("```").expect("its end");
    let lesson =
        lesson::parse(&doc[start..end], "docs/lesson.md").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lesson.chapters.len(), 2);
    assert_eq!(lesson.chapters[0].branches.len(), 1);
    assert_eq!(lesson.chapters[1].setup.walk.len(), 4);
}

#[test]
fn paging_back_from_a_chapter_with_its_own_speed_runs_at_the_speed_before_it() {
    let lesson = lesson::builtin();
    let last = lesson.chapters.len();
    let fast = lesson.chapters[last - 1]
        .setup
        .speed
        .expect("the density chapter's speed");
    assert!(fast > 1.0);
    let pipeline = lesson_pipeline(7, None);
    let plan = Plan {
        lesson: Arc::new(lesson),
        auto: false,
    };
    let send = |c: Control| pipeline.controls().send(c).expect("a control");
    send(LessonControl::start(&plan));
    // The newest snapshot once the simulator has taken in the controls sent so far.
    let settle = || {
        let mut newest = None;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(s) = pipeline
                .snapshots()
                .recv_timeout(Duration::from_millis(200))
            {
                newest = Some(s);
            } else if newest.is_some() {
                break;
            }
        }
        newest.expect("a snapshot")
    };
    for _ in 1..last {
        send(Control::Lesson(LessonControl::Next));
    }
    let at_last = settle();
    assert_eq!(at_last.lesson.as_ref().map(|l| l.number), Some(last));
    assert_eq!(at_last.status.speed, fast);
    send(Control::Lesson(LessonControl::Back));
    let back = settle();
    assert_eq!(back.lesson.as_ref().map(|l| l.number), Some(last - 1));
    assert_eq!(
        back.status.speed,
        1.0,
        "chapter {} runs at the lesson's speed",
        last - 1
    );
    pipeline.shutdown().expect("clean shutdown");
}

#[test]
fn saliencies_set_by_hand_stop_the_regimes_walk_and_hold_the_chapter() {
    // The regimes chapter walks α through four points, 8 s each, and moves on 8 s after
    // regime 4; its caption says the arrows set α. Once someone does, what they set stays
    // (the walk stops) and the chapter waits for the page key.
    let lesson = lesson::builtin();
    let regimes = lesson
        .chapters
        .iter()
        .position(|c| !c.setup.walk.is_empty())
        .expect("a chapter with a walk");
    let (walk, walk_secs) = {
        let setup = &lesson.chapters[regimes].setup;
        (setup.walk.len(), setup.walk_secs)
    };
    assert!(walk > 2 && walk_secs > 0.0);
    let pipeline = lesson_pipeline(7, Some(walk as f64 * walk_secs + 30.0));
    let plan = Plan {
        lesson: Arc::new(lesson),
        auto: false,
    };
    let send = |c: Control| pipeline.controls().send(c).expect("a control");
    send(LessonControl::start(&plan));
    for _ in 0..regimes {
        send(Control::Lesson(LessonControl::Next));
    }
    // Paused in the chapter, the presenter sets α by hand: the first memory deep in its
    // well (regime 2), the others at 0. The walk would have reached regime 4 and left.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let p = loop {
        let s = pipeline
            .snapshots()
            .recv_timeout(Duration::from_secs(10))
            .expect("a snapshot");
        if s.lesson.as_ref().map(|l| l.number) == Some(regimes + 1) {
            break s.memories.p();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the chapter was not reached"
        );
    };
    let unit = 1.0 / recall::model::Params::default().gain;
    let mine: Vec<f64> = (0..p)
        .map(|mu| if mu == 0 { 3.5 * unit } else { 0.0 })
        .collect();
    send(Control::Hold(Some(HeldInput::Saliencies(mine.clone()))));
    send(Control::SetPaused(false));
    let (snapshots, log) = drain(&pipeline);
    // (The last snapshot, of a finished run, carries no caption.)
    let last = snapshots
        .into_iter()
        .rev()
        .find(|s| s.lesson.is_some())
        .expect("a captioned snapshot");
    pipeline.shutdown().expect("clean shutdown");
    assert!(last.time_secs > walk as f64 * walk_secs + 20.0);
    let view = last.lesson.as_ref().expect("a lesson");
    assert_eq!(
        view.number,
        regimes + 1,
        "the chapter waits for the page key"
    );
    assert!(
        view.next.contains("next") && !view.next.starts_with("next when"),
        "{}",
        view.next
    );
    let weights: Vec<f64> = last.models[0]
        .weights
        .iter()
        .map(|&w| f64::from(w))
        .collect();
    assert_eq!(weights.len(), p);
    for (got, want) in weights.iter().zip(&mine) {
        assert!((got - want).abs() < 1e-6, "α {weights:?}, set {mine:?}");
    }
    assert!(
        log.iter().any(|e| e.text.contains("walk stops")),
        "the log says the walk stopped"
    );
}
