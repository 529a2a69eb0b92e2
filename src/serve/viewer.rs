//! One screen of `recall serve`: its own `App` (help, overlays, pause of this screen, compare
//! display) and its own ratatui `Terminal` at its own size, over a buffer whose bytes go to the
//! screen's output (an SSH channel, or the host's terminal). It draws the newest snapshot when
//! its output has taken the previous frame, at most `fps` times a second and within a byte
//! budget, so a slow screen skips frames and nothing else waits for it.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use crossbeam_channel::{Receiver, Sender, select};
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event as TermEvent, KeyCode, KeyEvent, KeyEventKind,
    KeyModifiers,
};
use ratatui::crossterm::queue;
use ratatui::crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::layout::Rect;
use ratatui::prelude::CrosstermBackend;
use ratatui::{Terminal, TerminalOptions, Viewport};

use crate::model::ModelKind;
use crate::patterns::watch::Watcher;
use crate::pipeline::{Control, LogEntry, LogKind, Snapshot, Source};
use crate::stimulus::ScenarioName;
use crate::ui::app::Audience;
use crate::ui::keys::{Intent, KeyMode, intent_in};
use crate::ui::{App, Commands, Msg, Theme, carry_out};

use super::hub::{Hub, Mailbox};

/// What a screen's terminal sends it.
#[derive(Debug, Clone)]
pub enum Input {
    Event(TermEvent),
    /// Columns, rows.
    Resize(u16, u16),
}

/// Where a screen's bytes go.
pub trait Output: Send {
    /// The previous frame has been taken (an SSH channel: written within the client's window).
    fn ready(&self) -> bool;
    /// Hands over one frame; false when the other end is gone.
    fn send(&mut self, bytes: Vec<u8>) -> bool;
    /// The last bytes (the goodbye), then the end of the connection.
    fn finish(&mut self, bytes: Vec<u8>);
}

/// What the screens that control the run send their commands to.
#[derive(Clone)]
pub struct ControlLinks {
    pub controls: Sender<Control>,
    pub watcher: Option<Arc<Watcher>>,
    pub patterns: Option<PathBuf>,
}

/// The run's settings a new screen starts from (the snapshots correct them at once).
#[derive(Debug, Clone)]
pub struct Start {
    pub model: ModelKind,
    pub compare: Option<Vec<ModelKind>>,
    pub scenario: ScenarioName,
    pub noise_std: f64,
    pub speed: f64,
}

/// Everything one screen needs.
pub struct ViewerSetup {
    pub mailbox: Mailbox,
    pub hub: Arc<Hub>,
    pub input: Receiver<Input>,
    pub output: Box<dyn Output>,
    /// Columns, rows.
    pub size: (u16, u16),
    pub theme: Theme,
    pub fps: u32,
    /// Bytes per second this screen may be sent on average.
    pub byte_budget: usize,
    /// Disconnect after this long without a key from the screen.
    pub idle_timeout: Option<Duration>,
    /// Some for the screens that control the run.
    pub links: Option<ControlLinks>,
    pub start: Start,
}

/// Why a screen ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Its user quit (q, Esc, Ctrl-C).
    Quit,
    /// The connection went away.
    Gone,
    /// No key for the idle time.
    Idle,
    /// The server stops.
    Stopping,
}

/// What a screen did, for the log line when it leaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub frames: u64,
    pub bytes: u64,
    pub secs: f64,
}

/// How long the loop sleeps when nothing is going on.
const IDLE_WAKE: Duration = Duration::from_secs(1);
/// How often a busy output is looked at again.
const BUSY_POLL: Duration = Duration::from_millis(5);
/// How often a viewer pressing a key of the presenter is told so (not on every key).
const REFUSAL_EVERY: Duration = Duration::from_secs(10);

/// The escape sequences that give a screen its dashboard: the alternate screen, no cursor and,
/// for a screen that can paint, mouse reports.
pub fn enter_sequence(mouse: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = queue!(out, EnterAlternateScreen, Hide, Clear(ClearType::All));
    if mouse {
        let _ = queue!(out, EnableMouseCapture);
    }
    out
}

/// The way back: the main screen, the cursor, and one line saying why.
pub fn goodbye_sequence(mouse: bool, line: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if mouse {
        let _ = queue!(out, DisableMouseCapture);
    }
    let _ = queue!(out, LeaveAlternateScreen, Show);
    out.extend_from_slice(line.as_bytes());
    out.extend_from_slice(b"\r\n");
    out
}

/// Runs a screen until it ends; the caller's thread is the screen's.
pub fn run(setup: ViewerSetup) -> (End, Stats) {
    let ViewerSetup {
        mailbox,
        hub,
        input,
        mut output,
        size,
        theme,
        fps,
        byte_budget,
        idle_timeout,
        links,
        start,
    } = setup;
    let role = mailbox.screen.role;
    let mouse = role.controls();
    let started = Instant::now();
    let mut stats = Stats::default();
    let mut screen = match Screen::new(size) {
        Ok(s) => s,
        Err(_) => return (End::Gone, stats),
    };
    let mut app = App::new(
        theme,
        start.model,
        start.compare,
        start.scenario,
        start.noise_std,
        start.speed,
    )
    .with_fps(fps)
    .following_run(Audience {
        controls: role.controls(),
        controller: hub.controller(),
        watching: hub.watching(),
        frozen: false,
    });
    let mut view = View::default();
    let mut budget = Budget::new(byte_budget);
    let interval = Duration::from_secs_f64(1.0 / f64::from(fps.max(1)));
    let mut last_draw: Option<Instant> = None;
    let mut last_input = Instant::now();
    let (mut drawn, mut counting_since) = (0u32, started);
    let mut pending: Option<Arc<Snapshot>> = None;
    let mut first = enter_sequence(mouse);

    let end = loop {
        let now = Instant::now();
        if idle_timeout.is_some_and(|t| now.duration_since(last_input) >= t) {
            break End::Idle;
        }
        if now.duration_since(counting_since) >= Duration::from_secs(1) {
            let rate = f64::from(drawn) / now.duration_since(counting_since).as_secs_f64();
            app.update(Msg::FrameRate(rate));
            (drawn, counting_since) = (0, now);
            refresh_audience(&mut app, &hub, view.frozen);
        }
        let due = last_draw.map_or(now, |t| t + interval);
        let want = app.is_dirty() || (pending.is_some() && !view.frozen);
        let ready = output.ready();
        if want && ready && now >= due && budget.allows(now) {
            if !view.frozen
                && let Some(s) = pending.take()
            {
                app.update(Msg::Snapshot(view.shown(&s)));
            }
            let bytes = match screen.draw(&app, std::mem::take(&mut first)) {
                Ok(b) => b,
                Err(_) => break End::Gone,
            };
            app.mark_drawn();
            budget.spend(bytes.len());
            stats.frames += 1;
            stats.bytes += bytes.len() as u64;
            last_draw = Some(now);
            drawn += 1;
            if !output.send(bytes) {
                break End::Gone;
            }
        }
        let timeout = if !want {
            IDLE_WAKE
        } else if !ready {
            BUSY_POLL
        } else {
            due.saturating_duration_since(now)
                .max(budget.wait(now))
                .max(Duration::from_millis(1))
        };
        let timeout = match idle_timeout {
            Some(t) => timeout.min((last_input + t).saturating_duration_since(now)),
            None => timeout,
        };
        select! {
            recv(mailbox.wake) -> _ => {
                if let Some(s) = mailbox.take_snapshot() {
                    pending = Some(s);
                }
            },
            recv(mailbox.log) -> entry => {
                if let Ok(entry) = entry {
                    if view.frozen {
                        view.held_log.push(entry);
                    } else {
                        app.update(Msg::Log(entry));
                    }
                }
            },
            recv(input) -> event => match event {
                Ok(Input::Resize(cols, rows)) => {
                    if screen.resize(cols, rows).is_err() {
                        break End::Gone;
                    }
                    app.update(Msg::Resized);
                }
                Ok(Input::Event(event)) => {
                    last_input = Instant::now();
                    if let Some(end) = on_event(event, &mut app, &mut view, links.as_ref(), &hub) {
                        break end;
                    }
                }
                Err(_) => break End::Gone,
            },
            recv(mailbox.stop) -> _ => break End::Stopping,
            default(timeout) => {}
        }
    };
    stats.secs = started.elapsed().as_secs_f64();
    let line = match end {
        End::Quit => "recall: goodbye.".to_string(),
        End::Idle => format!(
            "recall serve: disconnected after {} s without a key: goodbye.",
            idle_timeout.map_or(0, |t| t.as_secs())
        ),
        End::Stopping => "recall serve stopped: goodbye.".to_string(),
        End::Gone => String::new(),
    };
    if end != End::Gone {
        output.finish(goodbye_sequence(mouse, &line));
    }
    (end, stats)
}

/// The screen's own view of the run: paused (frozen) or not, the compared models shown or not.
#[derive(Default)]
struct View {
    frozen: bool,
    hide_compared: bool,
    /// Log lines that came while frozen, shown when it resumes.
    held_log: Vec<LogEntry>,
    /// When the viewer was last told that a key belongs to the presenter.
    refused_at: Option<Instant>,
}

impl View {
    /// What the App is given of `s`: all of it, or only the primary model.
    fn shown(&self, s: &Snapshot) -> Box<Snapshot> {
        let mut copy = s.clone();
        if self.hide_compared {
            copy.models.truncate(1);
        }
        Box::new(copy)
    }
}

fn refresh_audience(app: &mut App, hub: &Hub, frozen: bool) {
    if let Some(a) = app.audience.as_mut() {
        let controller = hub.controller();
        let watching = hub.watching();
        if a.controller != controller || a.watching != watching || a.frozen != frozen {
            a.controller = controller;
            a.watching = watching;
            a.frozen = frozen;
            app.update(Msg::Resized);
        }
    }
}

/// Ctrl-Z: the server does not stop for it (every screen would freeze).
fn is_suspend(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// One key or mouse event of a screen; `Some` ends the screen.
fn on_event(
    event: TermEvent,
    app: &mut App,
    view: &mut View,
    links: Option<&ControlLinks>,
    hub: &Hub,
) -> Option<End> {
    match event {
        TermEvent::Key(key) if key.kind != KeyEventKind::Release && is_suspend(&key) => None,
        TermEvent::Key(key) => match links {
            Some(links) => {
                let intent = intent_in(app.key_mode(), key)?;
                match app.update(Msg::Intent(intent)) {
                    Some(Control::Quit) => Some(End::Quit),
                    Some(control) => {
                        send(control, app, links);
                        None
                    }
                    None => None,
                }
            }
            None => {
                let intent = intent_in(KeyMode::Normal, key)?;
                viewer_intent(intent, app, view, hub)
            }
        },
        TermEvent::Mouse(mouse) => {
            let links = links?;
            if let Some(control) = app.update(Msg::Mouse(mouse)) {
                send(control, app, links);
            }
            None
        }
        _ => None,
    }
}

fn send(control: Control, app: &mut App, links: &ControlLinks) {
    let commands = Commands {
        controls: &links.controls,
        watcher: links.watcher.as_deref(),
        patterns: links.patterns.as_deref(),
    };
    carry_out(control, app, &commands);
}

/// A viewer's key: only what changes its own screen.
fn viewer_intent(intent: Intent, app: &mut App, view: &mut View, hub: &Hub) -> Option<End> {
    match intent {
        Intent::Quit => return Some(End::Quit),
        Intent::Back if !(app.show_help || app.show_errors) => return Some(End::Quit),
        Intent::Back
        | Intent::ToggleHelp
        | Intent::ToggleErrors
        | Intent::ScrollUp
        | Intent::ScrollDown => {
            // These change the App's own view only (they return no control).
            let _ = app.update(Msg::Intent(intent));
        }
        Intent::TogglePause => {
            view.frozen = !view.frozen;
            if !view.frozen {
                for entry in std::mem::take(&mut view.held_log) {
                    app.update(Msg::Log(entry));
                }
            }
            refresh_audience(app, hub, view.frozen);
        }
        Intent::ToggleCompare => {
            view.hide_compared = !view.hide_compared;
            app.update(Msg::Resized);
        }
        _ => {
            let now = Instant::now();
            if view
                .refused_at
                .is_none_or(|t| now.duration_since(t) >= REFUSAL_EVERY)
            {
                view.refused_at = Some(now);
                let time_secs = app.snapshot.as_ref().map_or(0.0, |s| s.time_secs);
                app.update(Msg::Log(LogEntry {
                    time_secs,
                    source: Source::User,
                    kind: LogKind::Info,
                    text: format!(
                        "view only: the run is controlled by {} (your keys: space ? c ↑ ↓ q)",
                        hub.controller()
                    ),
                }));
            }
        }
    }
    None
}

/// A token bucket of bytes: `rate` per second, at most a second's worth saved up. A frame is
/// drawn while the bucket is not empty and its bytes are taken after, so the average stays at
/// the rate whatever the frame sizes.
struct Budget {
    rate: f64,
    tokens: f64,
    at: Instant,
}

impl Budget {
    fn new(rate: usize) -> Self {
        Self {
            rate: rate as f64,
            tokens: rate as f64,
            at: Instant::now(),
        }
    }

    fn refill(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * self.rate).min(self.rate);
        self.at = now;
    }

    fn allows(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens > 0.0
    }

    fn spend(&mut self, bytes: usize) {
        self.tokens -= bytes as f64;
    }

    /// How long until a frame may be drawn again.
    fn wait(&self, now: Instant) -> Duration {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        let tokens = self.tokens + dt * self.rate;
        if tokens > 0.0 || self.rate <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-tokens / self.rate + 1e-3)
        }
    }
}

/// The buffer a screen's terminal writes into (shared with the screen, which takes the bytes
/// of each frame out of it).
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A ratatui terminal at the screen's size, over a buffer.
struct Screen {
    terminal: Terminal<CrosstermBackend<Sink>>,
    sink: Sink,
}

/// The smallest screen drawn (a client may report 0×0).
const MIN_SIDE: u16 = 1;
/// The largest (cells beyond are never drawn: a client may report any size).
const MAX_COLS: u16 = 1000;
const MAX_ROWS: u16 = 500;

fn area(cols: u16, rows: u16) -> Rect {
    Rect::new(
        0,
        0,
        cols.clamp(MIN_SIDE, MAX_COLS),
        rows.clamp(MIN_SIDE, MAX_ROWS),
    )
}

impl Screen {
    fn new((cols, rows): (u16, u16)) -> anyhow::Result<Self> {
        let sink = Sink::default();
        let terminal = Terminal::with_options(
            CrosstermBackend::new(sink.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(area(cols, rows)),
            },
        )
        .context("cannot set up a screen")?;
        Ok(Self { terminal, sink })
    }

    /// Draws `app`; returns the bytes of the frame (after `prefix`).
    fn draw(&mut self, app: &App, prefix: Vec<u8>) -> anyhow::Result<Vec<u8>> {
        self.terminal
            .draw(|frame| frame.render_widget(app, frame.area()))
            .context("cannot draw")?;
        let mut bytes = prefix;
        bytes.append(&mut self.sink.0.borrow_mut());
        Ok(bytes)
    }

    /// A new size: the next frame repaints every cell.
    fn resize(&mut self, cols: u16, rows: u16) -> anyhow::Result<()> {
        self.terminal
            .resize(area(cols, rows))
            .context("cannot resize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_holds_the_average_rate() {
        let mut b = Budget::new(1000);
        let t0 = Instant::now();
        let mut spent = 0usize;
        // Frames of 300 bytes tried every 10 ms for 10 s of simulated time.
        for i in 0..1000 {
            let now = t0 + Duration::from_millis(10 * i);
            if b.allows(now) {
                b.spend(300);
                spent += 300;
            }
        }
        // At most a second's saving plus one frame over 10 s at 1000 B/s.
        assert!(spent <= 10_000 + 1000 + 300, "{spent}");
        assert!(spent >= 9_000, "{spent}");
    }

    #[test]
    fn the_goodbye_leaves_the_alternate_screen_and_says_why() {
        let bytes = goodbye_sequence(false, "recall serve stopped: goodbye.");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("\x1b[?1049l"), "{text:?}");
        assert!(text.ends_with("goodbye.\r\n"));
    }
}
