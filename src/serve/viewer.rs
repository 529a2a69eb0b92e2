//! One screen of `recall serve`: its own `App` (help, overlays, pause of this screen, compare
//! display) and its own ratatui `Terminal` at its own size, over a buffer whose bytes go to the
//! screen's output (an SSH channel, or the host's terminal). It draws the newest snapshot when
//! its output has taken the previous frame, at most `fps` times a second and within a byte
//! budget, so a slow screen skips frames and nothing else waits for it.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, select};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::Buffer;
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event as TermEvent, KeyCode, KeyEvent, KeyEventKind,
    KeyModifiers,
};
use ratatui::crossterm::queue;
use ratatui::crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::model::ModelKind;
use crate::patterns::watch::Watcher;
use crate::pipeline::{Control, LogEntry};
use crate::stimulus::ScenarioName;
use crate::ui::app::Audience;
use crate::ui::keys::{Intent, KeyMode, intent_in};
use crate::ui::{App, Commands, Msg, Theme, carry_out};

use super::hub::{Hub, Mailbox};
use super::stage::{Frame, Stage, StageKey, Stages, frame_id, fresh_app, refresh_audience, shown};

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
    /// Who this screen is in the log ("presenter alice", "host terminal"): the simulator names the
    /// lines its controls cause, and this screen alone shows them as "you".
    pub actor: Option<Arc<str>>,
    /// Held while a screen sends its name and then its control, so that the two of two
    /// screens do not interleave.
    pub order: Arc<Mutex<()>>,
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
    pub stages: Arc<Stages>,
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
    /// How to join ("ssh -p 2222 192.168.1.5"), shown on a controlling screen's status line.
    pub join: Option<String>,
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
        stages,
        input,
        mut output,
        size,
        theme,
        fps,
        byte_budget,
        idle_timeout,
        links,
        start,
        join,
    } = setup;
    let role = mailbox.screen.role;
    let mouse = role.controls();
    let started = Instant::now();
    let mut stats = Stats::default();
    let mut screen = Screen::new(size);
    let mut view = View {
        private: None,
        stage: None,
        frozen: false,
        hide_compared: false,
        drawn: 0,
        counting_since: started,
        flash_until: None,
    };
    let audience = |hub: &Hub| Audience {
        controls: role.controls(),
        controller: hub.controller(),
        shared: hub.controllers().len() > 1,
        watching: hub.watching(),
        frozen: false,
        join: join.clone(),
    };
    // Screens that control the run always have their own App.
    if role.controls() {
        let mut own = Private::new(&hub, &start, theme, fps, audience(&hub), false);
        own.resize(screen.area);
        view.private = Some(own);
    }
    let mut budget = Budget::new(byte_budget);
    let interval = Duration::from_secs_f64(1.0 / f64::from(fps.max(1)));
    let mut last_draw: Option<Instant> = None;
    let mut last_input = Instant::now();
    // Something new to show (a snapshot, a log line, a key, a resize).
    let mut news = true;
    let mut first = enter_sequence(mouse);

    let end = loop {
        let now = Instant::now();
        if idle_timeout.is_some_and(|t| now.duration_since(last_input) >= t) {
            break End::Idle;
        }
        let due = last_draw.map_or(now, |t| t + interval);
        let want = news && (!view.frozen || screen.dirty);
        let ready = output.ready();
        if want && ready && now >= due && budget.allows(now) {
            let bytes = match view.private.as_mut() {
                Some(p) => {
                    let frame = p.frame(
                        &hub,
                        &mut view.drawn,
                        &mut view.counting_since,
                        now,
                        view.frozen,
                    );
                    match view.flash_until.filter(|&t| now < t) {
                        Some(_) => screen.draw(
                            &flashed(&frame, VIEW_ONLY),
                            None,
                            std::mem::take(&mut first),
                        ),
                        None => screen.draw(&frame, None, std::mem::take(&mut first)),
                    }
                }
                None => {
                    let key = StageKey {
                        cols: screen.area.width,
                        rows: screen.area.height,
                        theme,
                        hide_compared: view.hide_compared,
                    };
                    let stage = match &view.stage {
                        Some((k, s)) if *k == key => Arc::clone(s),
                        _ => {
                            let s = stages.get(key, || Stage::new(&hub, key, &start, fps));
                            view.stage = Some((key, Arc::clone(&s)));
                            s
                        }
                    };
                    let frame = super::stage::lock(&stage).frame(&hub, now, interval);
                    match view.flash_until.filter(|&t| now < t) {
                        Some(_) => screen.draw(
                            &flashed(&frame, VIEW_ONLY),
                            None,
                            std::mem::take(&mut first),
                        ),
                        None => screen.draw(&frame, Some(&stage), std::mem::take(&mut first)),
                    }
                }
            };
            news = false;
            last_draw = Some(now);
            if bytes.is_empty() {
                continue;
            }
            budget.spend(bytes.len());
            stats.frames += 1;
            stats.bytes += bytes.len() as u64;
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
        // The flash goes at its time.
        let timeout = match view.flash_until {
            Some(t) if t > now => timeout.min(t - now),
            Some(_) => {
                view.flash_until = None;
                news = true;
                screen.dirty = true;
                Duration::ZERO
            }
            None => timeout,
        };
        let timeout = match idle_timeout {
            Some(t) => last_input
                .checked_add(t)
                .map_or(timeout, |at| timeout.min(at.saturating_duration_since(now))),
            None => timeout,
        };
        select! {
            recv(mailbox.wake) -> _ => {
                mailbox.take_snapshot();
                news = true;
            },
            recv(mailbox.log) -> entry => {
                if let Ok((n, mut entry)) = entry {
                    // This screen's own actions are "you" here (the same name, by pointer).
                    if let (Some(who), Some(me)) = (&entry.who, links.as_ref().and_then(|l| l.actor.as_ref()))
                        && Arc::ptr_eq(who, me)
                    {
                        entry.who = None;
                    }
                    if let Some(p) = view.private.as_mut() {
                        p.log(n, entry, view.frozen);
                    }
                    news = true;
                }
            },
            recv(input) -> event => match event {
                Ok(Input::Resize(cols, rows)) => {
                    screen.resize(cols, rows);
                    if let Some(p) = view.private.as_mut() {
                        p.resize(screen.area);
                    }
                    news = true;
                }
                Ok(Input::Event(event)) => {
                    last_input = Instant::now();
                    news = true;
                    let ctx = Ctx { hub: &hub, start: &start, theme, fps, area: screen.area };
                    if let Some(end) = on_event(event, &mut view, links.as_ref(), &ctx) {
                        break end;
                    }
                    screen.dirty = true;
                }
                Err(_) => break End::Gone,
            },
            recv(mailbox.stop) -> _ => break End::Stopping,
            default(timeout) => {
                // The frame rate and the audience on the status line move on by themselves.
                news = true;
            }
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

/// Runs a remote screen on the caller's thread and frees its place in the hub however it
/// ends: a panic in the screen is caught, logged and its slot freed (its output is dropped,
/// which ends the connection), so one failing screen never fills the room.
pub fn run_and_leave(setup: ViewerSetup) {
    let hub = Arc::clone(&setup.hub);
    let stages = Arc::clone(&setup.stages);
    let id = setup.mailbox.screen.id;
    let name = setup.mailbox.screen.name.clone();
    let setup_role = setup.mailbox.screen.role;
    let links = setup.links.clone();
    let line = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(setup))) {
        Ok((end, stats)) => {
            // The presenter's line says so ("presenter alice@10.0.0.5:50122 left …").
            let who = if setup_role == super::hub::Role::Presenter {
                format!("presenter {name}")
            } else {
                name.clone()
            };
            super::leave_line(&who, end, &stats)
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            format!("{name}'s screen failed ({what}) and was closed; its place is free")
        }
    };
    hub.leave(id, line);
    if let Some(links) = links {
        resume_if_unattended(&hub, &links);
    }
    // A stage no screen shows any more is dropped now, not when the next viewer comes.
    stages.prune();
    give_back_memory();
}

/// Makes glibc serve every block of 128 KB or more (a screen's buffers) by its own mapping, so
/// that freeing it returns it at once (glibc otherwise raises this threshold to the largest block
/// freed, and the next screens' buffers come from heaps that keep the memory).
pub(crate) fn keep_large_blocks_apart() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a tuning parameter of glibc's allocator.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Returns the freed memory of every allocator arena to the system: each screen thread
/// allocates in an arena of its own, which glibc keeps when the thread ends (50 viewers at the
/// largest size left 40 MB behind without this).
pub(crate) fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's own heaps; it has no
    // preconditions and may be called from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A screen's own App (the presenter's, the host's, or a viewer's off the shared view).
struct Private {
    app: App,
    area: Rect,
    hide_compared: bool,
    log_seq: Option<u64>,
    snapshot_seq: Option<u64>,
    /// Log lines that came while the screen was paused, shown when it resumes.
    held_log: Vec<LogEntry>,
}

impl Private {
    fn new(
        hub: &Hub,
        start: &Start,
        theme: Theme,
        fps: u32,
        audience: Audience,
        hide_compared: bool,
    ) -> Self {
        let (app, log_seq, snapshot_seq) =
            fresh_app(hub, start, theme, fps, audience, hide_compared);
        Self {
            app,
            area: Rect::default(),
            hide_compared,
            log_seq,
            snapshot_seq,
            held_log: Vec::new(),
        }
    }

    fn resize(&mut self, area: Rect) {
        self.area = area;
        self.app.update(Msg::Resized);
    }

    fn log(&mut self, n: u64, entry: LogEntry, frozen: bool) {
        if self.log_seq.is_some_and(|s| n <= s) {
            return;
        }
        self.log_seq = Some(n);
        if frozen {
            self.held_log.push(entry);
        } else {
            self.app.update(Msg::Log(entry));
        }
    }

    fn unfreeze(&mut self) {
        for entry in std::mem::take(&mut self.held_log) {
            self.app.update(Msg::Log(entry));
        }
    }

    /// The view is the shared one again (no overlay, no scroll, not paused).
    fn is_plain(&self) -> bool {
        !(self.app.show_help || self.app.show_errors || self.app.memory_offset > 0)
    }

    fn frame(
        &mut self,
        hub: &Hub,
        drawn: &mut u32,
        counting_since: &mut Instant,
        now: Instant,
        frozen: bool,
    ) -> Frame {
        if !frozen
            && let Some(s) = hub.latest()
            && Some(s.seq) != self.snapshot_seq
        {
            self.snapshot_seq = Some(s.seq);
            self.app
                .update(Msg::Snapshot(shown(&s, self.hide_compared)));
        }
        let elapsed = now.saturating_duration_since(*counting_since);
        if elapsed >= Duration::from_secs(1) {
            self.app
                .update(Msg::FrameRate(f64::from(*drawn) / elapsed.as_secs_f64()));
            (*drawn, *counting_since) = (0, now);
            refresh_audience(&mut self.app, hub, frozen);
        }
        let mut buffer = Buffer::empty(self.area);
        (&self.app).render(self.area, &mut buffer);
        self.app.mark_drawn();
        *drawn += 1;
        Frame {
            id: frame_id(),
            buffer: Arc::new(buffer),
        }
    }
}

/// The screen's own view of the run.
struct View {
    /// Its own App, or (None) the shared one of its stage.
    private: Option<Private>,
    stage: Option<(StageKey, Arc<Mutex<Stage>>)>,
    frozen: bool,
    hide_compared: bool,
    /// Frames drawn by its own App since `counting_since` (its frame rate).
    drawn: u32,
    counting_since: Instant,
    /// A viewer pressed a key of the presenter's: [`VIEW_ONLY`] is shown until then.
    flash_until: Option<Instant>,
}

/// What a viewer is told when it presses a key that would change the run.
pub const VIEW_ONLY: &str = "view only: the presenter controls the run";
/// How long it is shown.
const FLASH: Duration = Duration::from_secs(2);

/// `frame` with `text` over its bottom row (the key line), centred and reversed.
fn flashed(frame: &Frame, text: &str) -> Frame {
    let mut buffer = (*frame.buffer).clone();
    let area = buffer.area;
    if area.height > 0 {
        let shown = format!(" {text} ");
        let width = shown.chars().count().min(usize::from(area.width));
        let x = area.x + (area.width - width as u16) / 2;
        let y = area.y + area.height - 1;
        let style = ratatui::style::Style::default()
            .add_modifier(ratatui::style::Modifier::REVERSED | ratatui::style::Modifier::BOLD);
        // The key line makes way for the flash (pieces of it either side read as one line:
        // "space pause this sc view only: … e").
        let blank = " ".repeat(usize::from(area.width));
        buffer.set_stringn(
            area.x,
            y,
            &blank,
            usize::from(area.width),
            ratatui::style::Style::default(),
        );
        buffer.set_stringn(x, y, &shown, width, style);
    }
    Frame {
        id: frame_id(),
        buffer: Arc::new(buffer),
    }
}

/// What a key of a viewer may need to make its own App.
struct Ctx<'a> {
    hub: &'a Hub,
    start: &'a Start,
    theme: Theme,
    fps: u32,
    area: Rect,
}

/// Ctrl-Z: the server does not stop for it (every screen would freeze).
fn is_suspend(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// One key or mouse event of a screen; `Some` ends the screen.
fn on_event(
    event: TermEvent,
    view: &mut View,
    links: Option<&ControlLinks>,
    ctx: &Ctx,
) -> Option<End> {
    match event {
        TermEvent::Key(key) if key.kind == KeyEventKind::Release || is_suspend(&key) => None,
        TermEvent::Key(key) => match links {
            Some(links) => {
                let app = &mut view.private.as_mut()?.app;
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
                // In a lesson its page keys too, so that they get the "view only" flash (→
                // did nothing, silently).
                let lesson = ctx.hub.latest().is_some_and(|s| s.lesson.is_some());
                let mode = if lesson {
                    KeyMode::Lesson
                } else {
                    KeyMode::Normal
                };
                let intent = intent_in(mode, key)?;
                viewer_intent(intent, view, ctx)
            }
        },
        TermEvent::Mouse(mouse) => {
            let links = links?;
            let app = &mut view.private.as_mut()?.app;
            if let Some(control) = app.update(Msg::Mouse(mouse)) {
                send(control, app, links);
            }
            None
        }
        _ => None,
    }
}

/// Who resumes a run that the last screen able to control it left paused.
pub const UNATTENDED_ACTOR: &str = "no presenter left:";

/// A run paused by the last screen that could control it (the presenter gone, no host
/// terminal) would stay frozen for every viewer, none of whom can resume it: it resumes, and
/// every log says why. The simulator decides whether it is paused (a pause sent just before
/// the leave, in the same packet, has not reached any snapshot yet); a second screen leaving
/// at once finds it running and says nothing.
fn resume_if_unattended(hub: &Hub, links: &ControlLinks) {
    if !hub.controllers().is_empty() {
        return;
    }
    send_as(
        Some(Arc::from(UNATTENDED_ACTOR)),
        Control::ResumeIfPaused,
        links,
    );
}

/// Sends `control` named as `actor`'s, the two in one piece (see `ControlLinks::order`).
fn send_as(actor: Option<Arc<str>>, control: Control, links: &ControlLinks) {
    let _order = super::stage::lock(&links.order);
    let wait = Duration::from_secs(1);
    let _ = links.controls.send_timeout(Control::Actor(actor), wait);
    let _ = links.controls.send_timeout(control, wait);
}

fn send(control: Control, app: &mut App, links: &ControlLinks) {
    let _order = super::stage::lock(&links.order);
    let _ = links
        .controls
        .send_timeout(Control::Actor(links.actor.clone()), Duration::from_secs(1));
    let commands = Commands {
        controls: &links.controls,
        watcher: links.watcher.as_deref(),
        patterns: links.patterns.as_deref(),
    };
    carry_out(control, app, &commands);
}

/// A viewer's key: only what changes its own screen. Overlays, scrolling and pausing give the
/// screen an App of its own; back to the plain view, it shares its stage's again.
fn viewer_intent(intent: Intent, view: &mut View, ctx: &Ctx) -> Option<End> {
    let overlay_open = view
        .private
        .as_ref()
        .is_some_and(|p| p.app.show_help || p.app.show_errors);
    match intent {
        Intent::Quit => return Some(End::Quit),
        Intent::Back if !overlay_open => return Some(End::Quit),
        Intent::ToggleCompare => {
            view.hide_compared = !view.hide_compared;
            // A private App restarts with the new choice.
            view.private = None;
        }
        Intent::Back
        | Intent::ToggleHelp
        | Intent::ToggleErrors
        | Intent::ScrollUp
        | Intent::ScrollDown
        | Intent::TogglePause => {
            let private = view.private.get_or_insert_with(|| {
                let audience = Audience {
                    controls: false,
                    controller: ctx.hub.controller(),
                    shared: ctx.hub.controllers().len() > 1,
                    watching: ctx.hub.watching(),
                    frozen: false,
                    join: None,
                };
                let mut p = Private::new(
                    ctx.hub,
                    ctx.start,
                    ctx.theme,
                    ctx.fps,
                    audience,
                    view.hide_compared,
                );
                p.resize(ctx.area);
                p
            });
            if intent == Intent::TogglePause {
                view.frozen = !view.frozen;
                if !view.frozen {
                    private.unfreeze();
                }
                refresh_audience(&mut private.app, ctx.hub, view.frozen);
            } else {
                // These change the App's own view only (they return no control).
                let _ = private.app.update(Msg::Intent(intent));
            }
            if !view.frozen && private.is_plain() {
                view.private = None;
            }
        }
        // The run's controls belong to the presenter: the status line says so, and a flash.
        _ => view.flash_until = Some(Instant::now() + FLASH),
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

/// The buffer a screen's backend writes into.
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

/// What a screen's terminal shows, and the bytes that turn it into the next frame (the cells
/// that differ, as ratatui's terminal does).
struct Screen {
    backend: CrosstermBackend<Sink>,
    sink: Sink,
    area: Rect,
    /// What the terminal shows (`None`: unknown, after a resize: repaint all).
    shown: Option<Frame>,
    /// A key or a resize asks for a frame even while the screen is paused.
    dirty: bool,
}

/// The smallest screen drawn (a client may report 0×0).
const MIN_SIDE: u16 = 1;
/// The largest screen a dashboard is rendered at (a client may report any size, up to 2³²;
/// its cells beyond are left blank). Every buffer of a screen is sized to what is drawn, so
/// this bounds what a viewer costs (the README gives the figures).
pub const MAX_COLS: u16 = 300;
pub const MAX_ROWS: u16 = 100;

fn area(cols: u16, rows: u16) -> Rect {
    Rect::new(
        0,
        0,
        cols.clamp(MIN_SIDE, MAX_COLS),
        rows.clamp(MIN_SIDE, MAX_ROWS),
    )
}

impl Screen {
    fn new((cols, rows): (u16, u16)) -> Self {
        let sink = Sink::default();
        Self {
            backend: CrosstermBackend::new(sink.clone()),
            sink,
            area: area(cols, rows),
            shown: None,
            dirty: true,
        }
    }

    /// The bytes that show `frame` (after `prefix`); a stage's frames are diffed once for all
    /// the screens that showed the same frame before.
    fn draw(&mut self, frame: &Frame, stage: Option<&Mutex<Stage>>, prefix: Vec<u8>) -> Vec<u8> {
        let mut bytes = prefix;
        self.dirty = false;
        if frame.buffer.area != self.area {
            return bytes;
        }
        let previous = self
            .shown
            .take()
            .filter(|p| p.buffer.area == frame.buffer.area);
        match &previous {
            Some(p) if p.id == frame.id => {}
            Some(p) => {
                let cached = stage.and_then(|s| super::stage::lock(s).diff(p.id, frame.id));
                match cached {
                    Some(diff) => bytes.extend_from_slice(&diff),
                    None => {
                        let _ = self.backend.draw(p.buffer.diff(&frame.buffer).into_iter());
                        let _ = Backend::flush(&mut self.backend);
                        let diff = std::mem::take(&mut *self.sink.0.borrow_mut());
                        bytes.extend_from_slice(&diff);
                        if let Some(s) = stage {
                            super::stage::lock(s).keep_diff(p.id, frame.id, Arc::new(diff));
                        }
                    }
                }
            }
            None => {
                let _ = self.backend.clear_region(ratatui::backend::ClearType::All);
                let blank = Buffer::empty(frame.buffer.area);
                let _ = self.backend.draw(blank.diff(&frame.buffer).into_iter());
                let _ = Backend::flush(&mut self.backend);
                bytes.append(&mut self.sink.0.borrow_mut());
            }
        }
        self.shown = Some(frame.clone());
        bytes
    }

    /// A new size: the next frame repaints every cell.
    fn resize(&mut self, cols: u16, rows: u16) {
        self.area = area(cols, rows);
        self.shown = None;
        self.dirty = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_only_flash_replaces_the_key_line() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 60, 3));
        buffer.set_string(
            0,
            2,
            "space pause  ? help  c compare  m model  q quit  g glitch",
            ratatui::style::Style::default(),
        );
        let frame = Frame {
            id: 1,
            buffer: Arc::new(buffer),
        };
        let shown = flashed(&frame, VIEW_ONLY);
        let line: String = (0..60)
            .map(|x| shown.buffer[(x, 2)].symbol().to_string())
            .collect();
        assert_eq!(line.trim(), VIEW_ONLY, "{line:?}");
    }

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

    /// An output whose first frame panics, as a bug in a screen would.
    struct Panics;

    impl Output for Panics {
        fn ready(&self) -> bool {
            true
        }
        fn send(&mut self, _bytes: Vec<u8>) -> bool {
            panic!("a bug in this screen");
        }
        fn finish(&mut self, _bytes: Vec<u8>) {}
    }

    #[test]
    fn a_panic_in_a_screen_frees_its_place() {
        let hub = Hub::new(1, None);
        let mailbox = hub
            .join("ann@127.0.0.1:1".into(), super::super::hub::Role::Viewer)
            .unwrap();
        // The room (one viewer) is full.
        assert!(
            hub.join("bob@127.0.0.1:2".into(), super::super::hub::Role::Viewer)
                .is_err()
        );
        let (_keys, input) = crossbeam_channel::bounded(1);
        let setup = ViewerSetup {
            mailbox,
            hub: Arc::clone(&hub),
            stages: Arc::new(Stages::default()),
            input,
            output: Box::new(Panics),
            size: (80, 24),
            theme: Theme::from_flags(false, false),
            fps: 15,
            byte_budget: 40_000,
            idle_timeout: None,
            links: None,
            start: Start {
                model: ModelKind::Idp,
                compare: None,
                scenario: ScenarioName::Tour,
                noise_std: 0.0,
                speed: 1.0,
            },
            join: None,
        };
        run_and_leave(setup);
        assert_eq!(hub.remote_screens(), 0);
        assert!(
            hub.join("bob@127.0.0.1:2".into(), super::super::hub::Role::Viewer)
                .is_ok()
        );
    }

    #[test]
    fn the_goodbye_leaves_the_alternate_screen_and_says_why() {
        let bytes = goodbye_sequence(false, "recall serve stopped: goodbye.");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("\x1b[?1049l"), "{text:?}");
        assert!(text.ends_with("goodbye.\r\n"));
    }
}
