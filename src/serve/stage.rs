//! Shared renders: viewers that show the same thing (same size, same theme, the compared models
//! shown or not, no overlay, not paused) share one `App` and one rendered frame, drawn at most
//! `fps` times a second whatever their number; each viewer only diffs that frame against what
//! its own terminal shows. A viewer that opens the help, scrolls or pauses its screen gets an
//! `App` of its own until it is back to the shared view.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::pipeline::Snapshot;
use crate::ui::app::Audience;
use crate::ui::{App, Msg, Theme};

use super::hub::Hub;
use super::viewer::Start;

/// What makes two viewers' screens the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StageKey {
    pub cols: u16,
    pub rows: u16,
    pub theme: Theme,
    pub hide_compared: bool,
}

/// The stages in use.
#[derive(Default)]
pub struct Stages {
    map: Mutex<HashMap<StageKey, Arc<Mutex<Stage>>>>,
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Stages {
    /// Drops the stages no screen uses.
    pub fn prune(&self) {
        lock(&self.map).retain(|_, s| Arc::strong_count(s) > 1);
    }

    /// The stage of `key` (made with `make` if there is none).
    pub fn get(&self, key: StageKey, make: impl FnOnce() -> Stage) -> Arc<Mutex<Stage>> {
        let mut map = lock(&self.map);
        map.retain(|_, s| Arc::strong_count(s) > 1);
        Arc::clone(
            map.entry(key)
                .or_insert_with(|| Arc::new(Mutex::new(make()))),
        )
    }
}

/// What `s` looks like on a screen that hides (or not) the compared models.
pub fn shown(s: &Snapshot, hide_compared: bool) -> Box<Snapshot> {
    let mut copy = s.clone();
    if hide_compared {
        copy.models.truncate(1);
    }
    Box::new(copy)
}

/// An `App` for a viewer's screen, with the recent log and the newest snapshot.
pub fn fresh_app(
    hub: &Hub,
    start: &Start,
    theme: Theme,
    fps: u32,
    audience: Audience,
    hide_compared: bool,
) -> (App, Option<u64>, Option<u64>) {
    let mut app = App::new(
        theme,
        start.model,
        start.compare.clone(),
        start.scenario,
        start.noise_std,
        start.speed,
    )
    .with_fps(fps)
    .following_run(audience);
    let mut log_seq = None;
    for (n, entry) in hub.log_since(None) {
        app.update(Msg::Log(entry));
        log_seq = Some(n);
    }
    let mut snapshot_seq = None;
    if let Some(s) = hub.latest() {
        snapshot_seq = Some(s.seq);
        app.update(Msg::Snapshot(shown(&s, hide_compared)));
    }
    (app, log_seq, snapshot_seq)
}

/// One shared view.
pub struct Stage {
    app: App,
    area: Rect,
    hide_compared: bool,
    log_seq: Option<u64>,
    snapshot_seq: Option<u64>,
    rendered: Option<(Instant, Frame)>,
    /// The bytes from one frame to another, for the screens that showed the same one before
    /// (most do): each diff is computed once, not once per screen.
    diffs: VecDeque<(u64, u64, Arc<Vec<u8>>)>,
    drawn: u32,
    counting_since: Instant,
}

/// Diffs kept per stage.
const DIFFS_KEPT: usize = 8;

/// A rendered frame and its number (unique across the server).
#[derive(Clone)]
pub struct Frame {
    pub id: u64,
    pub buffer: Arc<Buffer>,
}

static FRAME_IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A new frame number.
pub fn frame_id() -> u64 {
    FRAME_IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Stage {
    pub fn new(hub: &Hub, key: StageKey, start: &Start, fps: u32) -> Self {
        let audience = Audience {
            controls: false,
            controller: hub.controller(),
            shared: hub.controllers().len() > 1,
            watching: hub.watching(),
            frozen: false,
            join: None,
        };
        let (app, log_seq, snapshot_seq) =
            fresh_app(hub, start, key.theme, fps, audience, key.hide_compared);
        Self {
            app,
            area: Rect::new(0, 0, key.cols, key.rows),
            hide_compared: key.hide_compared,
            log_seq,
            snapshot_seq,
            rendered: None,
            diffs: VecDeque::new(),
            drawn: 0,
            counting_since: Instant::now(),
        }
    }

    /// The frame to show now: the one rendered less than `interval` ago, or a new one with the
    /// newest snapshot and log lines.
    pub fn frame(&mut self, hub: &Hub, now: Instant, interval: Duration) -> Frame {
        if let Some((at, frame)) = &self.rendered
            && now.saturating_duration_since(*at) < interval.mul_f64(0.8)
        {
            return frame.clone();
        }
        for (n, entry) in hub.log_since(self.log_seq) {
            self.app.update(Msg::Log(entry));
            self.log_seq = Some(n);
        }
        if let Some(s) = hub.latest()
            && Some(s.seq) != self.snapshot_seq
        {
            self.snapshot_seq = Some(s.seq);
            self.app
                .update(Msg::Snapshot(shown(&s, self.hide_compared)));
        }
        let elapsed = now.saturating_duration_since(self.counting_since);
        if elapsed >= Duration::from_secs(1) {
            self.app.update(Msg::FrameRate(
                f64::from(self.drawn) / elapsed.as_secs_f64(),
            ));
            (self.drawn, self.counting_since) = (0, now);
            refresh_audience(&mut self.app, hub, false);
        }
        match &self.rendered {
            Some((_, frame)) if !self.app.is_dirty() => frame.clone(),
            _ => {
                let mut buffer = Buffer::empty(self.area);
                (&self.app).render(self.area, &mut buffer);
                self.app.mark_drawn();
                self.drawn += 1;
                let frame = Frame {
                    id: frame_id(),
                    buffer: Arc::new(buffer),
                };
                self.rendered = Some((now, frame.clone()));
                frame
            }
        }
    }

    /// The bytes from frame `from` to frame `to`, if a screen asked for them already.
    pub fn diff(&self, from: u64, to: u64) -> Option<Arc<Vec<u8>>> {
        self.diffs
            .iter()
            .find(|(f, t, _)| *f == from && *t == to)
            .map(|(_, _, b)| Arc::clone(b))
    }

    /// Keeps the bytes from `from` to `to` for the next screens.
    pub fn keep_diff(&mut self, from: u64, to: u64, bytes: Arc<Vec<u8>>) {
        self.diffs.push_back((from, to, bytes));
        while self.diffs.len() > DIFFS_KEPT {
            self.diffs.pop_front();
        }
    }
}

/// Takes who controls the run, who watches and the pause of the screen into `app`.
pub fn refresh_audience(app: &mut App, hub: &Hub, frozen: bool) {
    if let Some(a) = app.audience.as_mut() {
        let controller = hub.controller();
        let shared = hub.controllers().len() > 1;
        let watching = hub.watching();
        if a.controller != controller || a.watching != watching || a.frozen != frozen {
            a.controller = controller;
            a.shared = shared;
            a.watching = watching;
            a.frozen = frozen;
            app.update(Msg::Resized);
        }
    }
}
