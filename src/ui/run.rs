//! The dashboard's shell: checks for a terminal, starts the pipeline, runs the UI loop (one
//! `select!` over keys, snapshots, log lines and signals; draws only when something changed, at
//! most `--fps` times a second), and takes everything down in order on every exit path.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;
use crossbeam_channel::{Receiver, TrySendError, bounded, select};
use ratatui::crossterm::event::{self, Event as TermEvent};

use crate::model::{ModelKind, Params};
use crate::patterns::watch::{WatchOptions, Watcher};
use crate::pipeline::{Control, LogEntry, LogKind, Pacing, Pipeline, PipelineConfig, Source};
use crate::stimulus::{ScenarioName, StreamConfig};

use super::app::{App, Msg, StoreRefusal};
use super::keys::intent_in;
use super::terminal::{SignalWatch, TerminalGuard};
use super::theme::Theme;
use signal_hook::consts::signal::{SIGCONT, SIGTERM, SIGTSTP};

/// How often the input thread checks whether it should stop.
const INPUT_POLL: Duration = Duration::from_millis(50);
/// How soon the input thread retries a resize the full queue did not take.
const INPUT_RETRY: Duration = Duration::from_millis(10);
/// How long the loop sleeps when nothing at all is going on.
const IDLE: Duration = Duration::from_secs(1);

/// Why the loop ended.
enum Exit {
    Quit,
    Duration,
    Signal(i32),
}

/// What the dashboard runs: plain values (the shell builds them from the command line).
#[derive(Debug, Clone)]
pub struct DashboardConfig {
    /// The pattern directory to load and watch (`None`: the built-in set).
    pub patterns: Option<PathBuf>,
    /// Watch the directory by polling at this interval instead of change events.
    pub poll: Option<Duration>,
    pub model: ModelKind,
    /// Models to compare the primary with, if asked.
    pub compare: Option<Vec<ModelKind>>,
    pub scenario: ScenarioName,
    pub stream: StreamConfig,
    pub params: Params,
    pub seed: u64,
    /// Model seconds per wall second.
    pub speed: f64,
    /// Frames drawn per second at most.
    pub fps: u32,
    pub ascii: bool,
    pub no_color: bool,
    /// Quit by itself after this many wall seconds.
    pub duration_secs: Option<f64>,
    /// Record the session as an asciicast v2 file.
    pub record: Option<PathBuf>,
    /// The lesson to give (`recall lesson`, `recall serve --lesson`).
    pub lesson: Option<crate::lesson::Plan>,
}

/// How the dashboard ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// stdout is not a terminal: nothing was started.
    NoTerminal,
    /// The user quit, or the duration ran out.
    Finished,
    /// A signal ended it (its number).
    Signal(i32),
}

/// The memories a live view starts with: the directory's valid patterns (its bad files come
/// back to be reported in the event log, like a bad save later), or the built-in set. Only a
/// directory with no valid pattern at all is an error.
pub fn startup_memories(
    patterns: Option<&std::path::Path>,
) -> anyhow::Result<(crate::model::Memories, Vec<crate::patterns::FileError>)> {
    match patterns {
        Some(dir) => crate::patterns::load_lenient(dir).with_context(|| {
            format!(
                "cannot load the patterns in {}",
                crate::patterns::display_name(dir)
            )
        }),
        None => Ok((crate::patterns::builtin(), Vec::new())),
    }
}

/// The dashboard's `App` for `config`, before any snapshot (the live view and `--screenshot`).
pub(crate) fn dashboard_app(config: &DashboardConfig) -> App {
    let app = App::new(
        Theme::from_flags(config.ascii, config.no_color),
        config.model,
        config.compare.clone(),
        config.scenario,
        config.params.noise_std,
        config.speed,
    )
    .with_fps(config.fps)
    .with_pattern_source(match config.patterns.as_deref() {
        Some(dir) => super::app::PatternSource::Directory(crate::patterns::display_name(dir)),
        None => super::app::PatternSource::BuiltIn,
    });
    // A lesson changes the run from the simulator: the screen follows the snapshots.
    if config.lesson.is_some() {
        app.following()
    } else {
        app
    }
}

/// `recall` with no subcommand.
pub fn run(config: &DashboardConfig) -> anyhow::Result<Outcome> {
    if !std::io::stdout().is_terminal() {
        return Ok(Outcome::NoTerminal);
    }
    // A bad file at start-up is reported in the event log like one saved later; only a
    // directory with no valid pattern at all stops the program.
    let (memories, startup_errors) = startup_memories(config.patterns.as_deref())?;
    let mut app = dashboard_app(config);
    let memories = Arc::new(memories);
    let pipeline = Pipeline::start(PipelineConfig {
        memories: Arc::clone(&memories),
        scenario: config.scenario,
        stream: config.stream.clone(),
        params: config.params.clone(),
        models: app.models(),
        seed: config.seed,
        speed: config.speed,
        pacing: Pacing::WallClock {
            snapshot_hz: f64::from(config.fps),
        },
        stop_at_secs: None,
        paused: false,
    })?;
    if let Some(plan) = &config.lesson {
        let _ = pipeline
            .controls()
            .send(crate::pipeline::LessonControl::start(plan));
    }
    let watcher = config
        .patterns
        .as_deref()
        .and_then(|dir| start_watcher(dir, memories, config.poll, &pipeline, &mut app));
    // The watcher's first scan reports the bad files; without a watcher, report them here.
    if watcher.is_none() {
        for error in startup_errors {
            app.update(Msg::Log(LogEntry {
                who: None,
                time_secs: 0.0,
                source: Source::Patterns,
                kind: LogKind::Error,
                text: error.to_string(),
            }));
        }
    }
    let links = Links {
        pipeline: &pipeline,
        watcher: watcher.as_ref(),
        patterns: config.patterns.as_deref(),
    };
    let outcome = run_ui(
        &mut app,
        &links,
        config.fps,
        config.duration_secs,
        config.record.as_deref(),
    );
    // The terminal is restored by now (the guard lives in run_ui); stop the threads. The
    // simulator goes first: a watcher blocked on a full channel then sees it closed.
    let stopped = pipeline.shutdown();
    drop(watcher);
    let exit = outcome?;
    stopped?;
    Ok(match exit {
        Exit::Quit | Exit::Duration => Outcome::Finished,
        Exit::Signal(s) => Outcome::Signal(s),
    })
}

/// Watches the pattern directory (live reload into the simulator). If the watcher cannot start,
/// the dashboard runs on without live reload and says so in the event log.
fn start_watcher(
    dir: &std::path::Path,
    memories: Arc<crate::model::Memories>,
    poll: Option<Duration>,
    pipeline: &Pipeline,
    app: &mut App,
) -> Option<Watcher> {
    let options = WatchOptions {
        poll,
        ..WatchOptions::default()
    };
    match Watcher::start(dir, Some(memories), options, pipeline.pattern_sender()) {
        Ok(watcher) => Some(watcher),
        Err(e) => {
            app.update(Msg::Log(LogEntry {
                who: None,
                time_secs: 0.0,
                source: Source::Patterns,
                kind: LogKind::Error,
                text: e.to_string(),
            }));
            None
        }
    }
}

/// What the UI loop hands the App's commands to.
struct Links<'a> {
    pipeline: &'a Pipeline,
    watcher: Option<&'a Watcher>,
    /// The pattern directory, where `w` writes.
    patterns: Option<&'a std::path::Path>,
}

/// Owns the terminal for the duration of the loop; restores it on return (and on panic).
fn run_ui(
    app: &mut App,
    links: &Links,
    fps: u32,
    duration: Option<f64>,
    record: Option<&std::path::Path>,
) -> anyhow::Result<Exit> {
    let signals = SignalWatch::start()?;
    let mut guard = TerminalGuard::enter_recording(record)?;
    let input = InputThread::start()?;
    let result = event_loop(
        &mut guard,
        app,
        links,
        &input.events,
        &signals.received,
        fps,
        duration,
    );
    drop(input);
    let recording = guard.recording_error();
    drop(guard);
    drop(signals);
    if let (Some(e), Some(path)) = (recording, record) {
        eprintln!(
            "recall: the recording {} stopped early: {e} (what was recorded until then is a valid cast)",
            path.display()
        );
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn event_loop(
    guard: &mut TerminalGuard,
    app: &mut App,
    links: &Links,
    input: &Receiver<TermEvent>,
    signals: &Receiver<i32>,
    fps: u32,
    duration: Option<f64>,
) -> anyhow::Result<Exit> {
    let interval = Duration::from_secs_f64(1.0 / f64::from(fps.max(1)));
    let start = Instant::now();
    let deadline = duration.map(|d| start + Duration::from_secs_f64(d));
    let mut last_draw: Option<Instant> = None;
    // After a resize (or a suspension) the screen may hold anything: the next draw repaints
    // every cell of the new size.
    let mut repaint = false;
    let (mut drawn, mut counting_since) = (0u32, start);
    loop {
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return Ok(Exit::Duration);
        }
        if now.duration_since(counting_since) >= Duration::from_secs(1) {
            let rate = f64::from(drawn) / now.duration_since(counting_since).as_secs_f64();
            app.update(Msg::FrameRate(rate));
            (drawn, counting_since) = (0, now);
        }
        let due = last_draw.map_or(now, |t| t + interval);
        if app.is_dirty() && now >= due {
            if std::mem::take(&mut repaint) {
                guard.repaint()?;
            }
            guard
                .terminal
                .draw(|frame| frame.render_widget(&*app, frame.area()))
                .context("cannot draw")?;
            app.mark_drawn();
            last_draw = Some(now);
            drawn += 1;
        }
        let mut timeout = if app.is_dirty() {
            due.saturating_duration_since(now)
                .max(Duration::from_millis(1))
        } else {
            IDLE
        };
        if let Some(d) = deadline {
            timeout = timeout.min(d.saturating_duration_since(now));
        }
        select! {
            recv(input) -> ev => match ev {
                Ok(TermEvent::Key(key)) if is_suspend(&key) => {
                    guard.suspend()?;
                    app.update(Msg::Resized);
                }
                Ok(TermEvent::Key(key)) => {
                    let intent = intent_in(app.key_mode(), key);
                    if let Some(control) = intent.and_then(|i| app.update(Msg::Intent(i))) {
                        dispatch(control, app, links);
                    }
                }
                Ok(TermEvent::Mouse(mouse)) => {
                    if let Some(control) = app.update(Msg::Mouse(mouse)) {
                        dispatch(control, app, links);
                    }
                }
                Ok(TermEvent::Resize(..)) => {
                    repaint = true;
                    app.update(Msg::Resized);
                }
                Ok(_) => {}
                Err(_) => anyhow::bail!("the terminal's input closed"),
            },
            recv(links.pipeline.snapshots()) -> snapshot => match snapshot {
                Ok(s) => {
                    app.update(Msg::Snapshot(s));
                }
                Err(_) => anyhow::bail!("the simulation stopped unexpectedly"),
            },
            recv(links.pipeline.log()) -> entry => {
                if let Ok(entry) = entry {
                    app.update(Msg::Log(entry));
                }
            },
            recv(signals) -> signal => match signal {
                Ok(SIGTSTP) => {
                    guard.suspend()?;
                    app.update(Msg::Resized);
                }
                Ok(SIGCONT) => {
                    guard.resume()?;
                    app.update(Msg::Resized);
                }
                other => return Ok(Exit::Signal(other.unwrap_or(SIGTERM))),
            },
            default(timeout) => {}
        }
        if app.should_quit {
            return Ok(Exit::Quit);
        }
    }
}

/// Carries out a command of the App: the pattern directory's (reload, store) here, the rest
/// by the simulator.
fn dispatch(control: Control, app: &mut App, links: &Links) {
    let commands = Commands {
        controls: links.pipeline.controls(),
        watcher: links.watcher,
        patterns: links.patterns,
    };
    carry_out(control, app, &commands);
}

/// Where a screen that controls the run sends the App's commands (the local dashboard, and the
/// presenter and host terminal of `recall serve`).
pub(crate) struct Commands<'a> {
    pub controls: &'a crossbeam_channel::Sender<Control>,
    pub watcher: Option<&'a Watcher>,
    /// The pattern directory, where `w` writes.
    pub patterns: Option<&'a std::path::Path>,
}

/// Carries out a command of the App: the pattern directory's (reload, store) here, the rest
/// by the simulator.
pub(crate) fn carry_out(control: Control, app: &mut App, links: &Commands) {
    let control = match control {
        Control::ReloadPatterns => {
            match links.watcher {
                Some(w) => w.reload(),
                None => {
                    app.update(Msg::Log(LogEntry {
                        who: None,
                        time_secs: app.snapshot.as_ref().map_or(0.0, |s| s.time_secs),
                        source: Source::Patterns,
                        kind: LogKind::Info,
                        text: "no pattern directory to reload (use --patterns DIR)".into(),
                    }));
                }
            }
            return;
        }
        Control::StoreMemory {
            name,
            pixels,
            overwrite,
        } => match links.patterns {
            Some(dir) => {
                app.update(Msg::Stored(store_file(app, dir, &name, pixels, overwrite)));
                return;
            }
            None => {
                let in_use = app
                    .snapshot
                    .as_ref()
                    .is_some_and(|s| s.memories.index_of(&name).is_some());
                if in_use {
                    app.update(Msg::Stored(Err(StoreRefusal {
                        reason: format!("{name} is already a memory"),
                        exists: false,
                    })));
                    return;
                }
                // The simulator says when it is in the set.
                app.update(Msg::Stored(Ok(String::new())));
                Control::AddMemory { name, pixels }
            }
        },
        other => other,
    };
    // The simulator drains its controls every few milliseconds.
    let _ = links.controls.send_timeout(control, Duration::from_secs(1));
}

/// Writes the memory to `dir/NAME.txt` (the watcher then loads it like any edit).
fn store_file(
    app: &App,
    dir: &std::path::Path,
    name: &str,
    pixels: Vec<bool>,
    overwrite: bool,
) -> Result<String, StoreRefusal> {
    let Some(mem) = app.snapshot.as_ref().map(|s| &s.memories) else {
        return Err(StoreRefusal {
            reason: "nothing to store yet".into(),
            exists: false,
        });
    };
    let bitmap = crate::patterns::Bitmap {
        width: mem.width(),
        height: mem.height(),
        pixels,
    };
    match crate::patterns::write_pattern(dir, name, &bitmap, overwrite) {
        Ok(path) => Ok(format!(
            "stored {name} as {}: it joins the set when the watcher reads it",
            crate::patterns::display_name(&path)
        )),
        Err(crate::patterns::StoreError::Exists(path)) => Err(StoreRefusal {
            reason: format!(
                "{} exists: Enter replaces it, Esc keeps it",
                crate::patterns::display_name(&path)
            ),
            exists: true,
        }),
        Err(e) => Err(StoreRefusal {
            reason: e.to_string(),
            exists: false,
        }),
    }
}

/// Ctrl-Z: in raw mode the terminal sends it as a key, not as SIGTSTP.
fn is_suspend(key: &ratatui::crossterm::event::KeyEvent) -> bool {
    use ratatui::crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
    key.code == KeyCode::Char('z')
        && key.modifiers.contains(KeyModifiers::CONTROL)
        && key.kind == KeyEventKind::Press
}

/// Reads terminal events on its own thread (crossterm's read blocks) into a bounded channel.
pub(crate) struct InputThread {
    pub(crate) events: Receiver<TermEvent>,
    stop: Arc<AtomicBool>,
    /// Closed by the thread when it ends.
    ended: Receiver<()>,
    thread: Option<JoinHandle<()>>,
}

/// How long shutdown waits for the input thread before leaving it behind (it looks at its stop
/// flag every INPUT_POLL, unless the terminal is gone).
const INPUT_JOIN: Duration = Duration::from_millis(80);

impl InputThread {
    pub(crate) fn start() -> anyhow::Result<Self> {
        let (tx, rx) = bounded(64);
        let (ended_tx, ended_rx) = bounded::<()>(0);
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("recall-input".into())
            .spawn(move || {
                let _ended = ended_tx;
                // The newest resize that did not fit in the queue: never dropped, since the
                // screen is repainted after the last one.
                let mut resize: Option<TermEvent> = None;
                while !flag.load(Ordering::Relaxed) {
                    if let Some(ev) = resize.take() {
                        match tx.try_send(ev) {
                            Err(TrySendError::Full(ev)) => resize = Some(ev),
                            Err(TrySendError::Disconnected(_)) => break,
                            Ok(()) => {}
                        }
                    }
                    let wait = if resize.is_some() {
                        INPUT_RETRY
                    } else {
                        INPUT_POLL
                    };
                    match event::poll(wait) {
                        Ok(true) => match event::read() {
                            // Never block: a full queue (64 unread events) drops the newest
                            // key, and the thread can always see its stop flag.
                            Ok(ev) => match tx.try_send(ev) {
                                Err(TrySendError::Full(ev @ TermEvent::Resize(..))) => {
                                    resize = Some(ev)
                                }
                                Err(TrySendError::Disconnected(_)) => break,
                                _ => {}
                            },
                            Err(_) => break,
                        },
                        Ok(false) => {}
                        Err(_) => break,
                    }
                }
            })
            .context("cannot start the input thread")?;
        Ok(Self {
            events: rx,
            stop,
            ended: ended_rx,
            thread: Some(thread),
        })
    }
}

impl Drop for InputThread {
    /// Joins the thread if it ends in time. When the terminal is gone (an SSH disconnect)
    /// crossterm can spin inside `poll` on end-of-file and never look at the stop flag: the
    /// thread is then left behind, and ends with the process.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let ended = matches!(
            self.ended.recv_timeout(INPUT_JOIN),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected)
        );
        if let Some(t) = self.thread.take()
            && ended
        {
            let _ = t.join();
        }
    }
}
