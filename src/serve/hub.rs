//! The fan-out: one thread takes every snapshot and log line of the shared pipeline and hands
//! them to every screen. A screen holds only the newest snapshot (its slot is overwritten, never
//! queued), so a screen that cannot keep up skips snapshots and nothing upstream ever waits for
//! it. The hub also knows who is connected and who controls the run.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use anyhow::Context;
use crossbeam_channel::{Receiver, Sender, bounded, select};

use crate::pipeline::{LOG_QUEUE, LogEntry, LogKind, Snapshot, Source};
use crate::ui::app::LOG_LEN;

/// What a screen may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Watches; its keys change only its own screen.
    Viewer,
    /// Connected with the presenter key: controls the run.
    Presenter,
    /// The terminal `recall serve` runs in: controls the run.
    Host,
}

impl Role {
    pub fn controls(self) -> bool {
        self != Role::Viewer
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Presenter => "presenter",
            Role::Host => "host terminal",
        }
    }
}

/// One screen's mailbox.
pub struct Screen {
    pub id: u64,
    /// Who it is, for the log ("alice@127.0.0.1:50312").
    pub name: String,
    pub role: Role,
    newest: Mutex<Option<Arc<Snapshot>>>,
    wake: Sender<()>,
    log: Sender<(u64, LogEntry)>,
}

/// The receiving ends of a screen's mailbox, for its thread.
pub struct Mailbox {
    pub screen: Arc<Screen>,
    /// A new snapshot is in the slot.
    pub wake: Receiver<()>,
    /// Log lines with their numbers (a screen that starts from the hub's tail skips those it
    /// has).
    pub log: Receiver<(u64, LogEntry)>,
    /// Disconnected when the server stops.
    pub stop: Receiver<()>,
}

impl Mailbox {
    /// The newest snapshot, if one came since the last call.
    pub fn take_snapshot(&self) -> Option<Arc<Snapshot>> {
        lock(&self.screen.newest).take()
    }
}

/// Why a screen was not let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Full {
    pub max: usize,
}

struct State {
    screens: Vec<Arc<Screen>>,
    /// The newest log lines with their numbers, for screens that join later.
    tail: VecDeque<(u64, LogEntry)>,
    /// The number of the next log line.
    log_seq: u64,
    /// The newest snapshot.
    latest: Option<Arc<Snapshot>>,
    /// Model time of the newest snapshot (for the hub's own log lines).
    time_secs: f64,
    /// Set by [`Hub::stop`], with the remote screens connected at that moment (each is sent
    /// the goodbye).
    stopped_with: Option<usize>,
}

/// Everything the screens share.
pub struct Hub {
    state: Mutex<State>,
    next_id: AtomicU64,
    /// Remote screens that joined since the start.
    joined: AtomicU64,
    max_viewers: usize,
    stop_tx: Mutex<Option<Sender<()>>>,
    stop_rx: Receiver<()>,
    /// The hub's notes (joins, leaves) also go here, e.g. to stderr when no terminal shows them.
    echo: Option<Sender<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Hub {
    /// A hub for at most `max_viewers` viewers (the presenter and the host terminal do not
    /// count).
    pub fn new(max_viewers: usize, echo: Option<Sender<String>>) -> Arc<Self> {
        let (stop_tx, stop_rx) = bounded(0);
        Arc::new(Self {
            state: Mutex::new(State {
                screens: Vec::new(),
                tail: VecDeque::new(),
                log_seq: 0,
                latest: None,
                time_secs: 0.0,
                stopped_with: None,
            }),
            next_id: AtomicU64::new(1),
            joined: AtomicU64::new(0),
            max_viewers,
            stop_tx: Mutex::new(Some(stop_tx)),
            stop_rx,
            echo,
        })
    }

    /// Registers a screen; it gets the recent log lines and, with the next snapshot, the run.
    pub fn join(&self, name: String, role: Role) -> Result<Mailbox, Full> {
        let mut st = lock(&self.state);
        // Only viewers count: the presenter and the host always get in.
        let viewers = st.screens.iter().filter(|s| s.role == Role::Viewer).count();
        if st.stopped_with.is_some() || (role == Role::Viewer && viewers >= self.max_viewers) {
            return Err(Full {
                max: self.max_viewers,
            });
        }
        let (wake_tx, wake) = bounded(1);
        let (log_tx, log) = bounded(LOG_QUEUE.max(LOG_LEN));
        let screen = Arc::new(Screen {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            name,
            role,
            newest: Mutex::new(None),
            wake: wake_tx,
            log: log_tx,
        });
        st.screens.push(Arc::clone(&screen));
        drop(st);
        if role != Role::Host {
            self.joined.fetch_add(1, Ordering::Relaxed);
            let line = format!("{} joined as {}", screen.name, role.name());
            if role == Role::Presenter {
                self.note(line);
            } else {
                self.note_host(line);
            }
        }
        Ok(Mailbox {
            screen,
            wake,
            log,
            stop: self.stop_rx.clone(),
        })
    }

    /// Forgets a screen, with a line for the log.
    pub fn leave(&self, id: u64, line: String) {
        let mut st = lock(&self.state);
        let before = st.screens.len();
        let presenter = st
            .screens
            .iter()
            .any(|s| s.id == id && s.role == Role::Presenter);
        st.screens.retain(|s| s.id != id);
        let left = before != st.screens.len();
        drop(st);
        // Viewers coming and going would fill every screen's log: only the host's screen and
        // the server's own log (stderr) have them.
        if left && presenter {
            self.note(line);
        } else if left {
            self.note_host(line);
        }
    }

    /// Viewers connected now (the presenter and the host terminal not counted).
    pub fn watching(&self) -> usize {
        lock(&self.state)
            .screens
            .iter()
            .filter(|s| s.role == Role::Viewer)
            .count()
    }

    /// Remote screens that joined since the start.
    pub fn joined_in_all(&self) -> u64 {
        self.joined.load(Ordering::Relaxed)
    }

    /// Remote screens connected now.
    pub fn remote_screens(&self) -> usize {
        lock(&self.state)
            .screens
            .iter()
            .filter(|s| s.role != Role::Host)
            .count()
    }

    /// Who controls the run, in a few words ("presenter alice", "host terminal", "no one").
    pub fn controller(&self) -> String {
        let who = self.controllers();
        if who.is_empty() {
            "no one".into()
        } else {
            who.join(" + ")
        }
    }

    /// The screens whose keys change the run, named ("presenter alice", "host terminal").
    pub fn controllers(&self) -> Vec<String> {
        let st = lock(&self.state);
        let mut who: Vec<String> = st
            .screens
            .iter()
            .filter(|s| s.role == Role::Presenter)
            .map(|s| {
                let user = s.name.split('@').next().unwrap_or(&s.name);
                format!("presenter {user}")
            })
            .collect();
        who.dedup();
        if st.screens.iter().any(|s| s.role == Role::Host) {
            who.push("host terminal".into());
        }
        who
    }

    /// A line for the server's own log only (stderr, when no terminal shows the screens).
    pub fn echo(&self, text: String) {
        if let Some(echo) = &self.echo {
            let _ = echo.try_send(text);
        }
    }

    /// A line of the server's own in every screen's log (and echoed, if asked).
    pub fn note(&self, text: String) {
        self.echo(text.clone());
        let mut st = lock(&self.state);
        let entry = LogEntry {
            who: None,
            time_secs: st.time_secs,
            source: Source::Server,
            kind: LogKind::Info,
            text,
        };
        deliver(&mut st, entry);
    }

    /// A line for the host terminal's log only (and echoed, if asked): viewers' joins and
    /// leaves. It is not kept for screens that join later.
    pub fn note_host(&self, text: String) {
        self.echo(text.clone());
        let mut st = lock(&self.state);
        let entry = LogEntry {
            time_secs: st.time_secs,
            source: Source::Server,
            kind: LogKind::Info,
            text,
            who: None,
        };
        let n = st.log_seq;
        st.log_seq += 1;
        for screen in st.screens.iter().filter(|s| s.role == Role::Host) {
            let _ = screen.log.try_send((n, entry.clone()));
        }
    }

    /// Tells every screen to say goodbye and lets no one in any more.
    pub fn stop(&self) {
        let mut st = lock(&self.state);
        if st.stopped_with.is_none() {
            let remote = st.screens.iter().filter(|s| s.role != Role::Host).count();
            st.stopped_with = Some(remote);
        }
        drop(st);
        lock(&self.stop_tx).take();
    }

    /// The remote screens connected when the hub was first stopped: those sent the goodbye
    /// (`None` before [`Hub::stop`]).
    pub fn sent_goodbye(&self) -> Option<usize> {
        lock(&self.state).stopped_with
    }

    /// Starts the fan-out thread over the pipeline's snapshots and log lines; it ends when the
    /// pipeline's channels close or the hub stops.
    pub fn start_fanout(
        self: &Arc<Self>,
        snapshots: Receiver<Box<Snapshot>>,
        log: Receiver<LogEntry>,
    ) -> anyhow::Result<JoinHandle<()>> {
        let hub = Arc::clone(self);
        std::thread::Builder::new()
            .name("recall-fanout".into())
            .spawn(move || hub.fanout(&snapshots, &log))
            .context("cannot start the fan-out thread")
    }

    fn fanout(&self, snapshots: &Receiver<Box<Snapshot>>, log: &Receiver<LogEntry>) {
        loop {
            select! {
                recv(snapshots) -> s => match s {
                    Ok(s) => self.publish(Arc::from(s)),
                    Err(_) => return,
                },
                recv(log) -> entry => match entry {
                    Ok(entry) => deliver(&mut lock(&self.state), entry),
                    Err(_) => return,
                },
                recv(self.stop_rx) -> _ => return,
            }
        }
    }

    /// The newest snapshot.
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        lock(&self.state).latest.clone()
    }

    /// The log lines numbered above `after`, oldest first.
    pub fn log_since(&self, after: Option<u64>) -> Vec<(u64, LogEntry)> {
        lock(&self.state)
            .tail
            .iter()
            .filter(|(n, _)| after.is_none_or(|a| *n > a))
            .cloned()
            .collect()
    }

    /// Puts `s` in every screen's slot (replacing one it has not taken) and wakes it.
    pub fn publish(&self, s: Arc<Snapshot>) {
        let mut st = lock(&self.state);
        st.time_secs = s.time_secs;
        st.latest = Some(Arc::clone(&s));
        for screen in &st.screens {
            *lock(&screen.newest) = Some(Arc::clone(&s));
            let _ = screen.wake.try_send(());
        }
    }
}

/// A log line for every screen (a screen whose queue is full misses it: its thread is stuck,
/// and the run does not wait) and for the tail.
fn deliver(st: &mut State, entry: LogEntry) {
    let n = st.log_seq;
    st.log_seq += 1;
    for screen in &st.screens {
        let _ = screen.log.try_send((n, entry.clone()));
    }
    st.tail.push_back((n, entry));
    while st.tail.len() > LOG_LEN {
        st.tail.pop_front();
    }
}
