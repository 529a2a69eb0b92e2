//! The door before authentication: connections that have not opened a dashboard yet are
//! limited on their own, early (before any SSH work), so that sockets which send nothing or
//! stall in the handshake cannot fill the server. Per source address (an IPv6 /64 counts as
//! one) at most [`PER_SOURCE`] wait; a newcomer from a full source takes the place of that
//! source's least advanced, oldest connection (so a flood from one address churns only its own
//! sockets, and a real client, which is through its handshake in milliseconds, gets in).
//! Across all sources, from [`START`] waiting connections on, a newcomer first takes the place
//! of the oldest connection that has sent nothing for [`SILENT`] (a real client sends its SSH
//! banner within a round trip, so idle sockets from many addresses give way to it, as long as
//! they arrive more slowly than [`FULL`] per [`SILENT`], 200 a second; a client whose banner
//! takes longer than that may be the one to go); where there is none, it is dropped at random
//! with a probability rising from 30% to 100% at [`FULL`] (OpenSSH's MaxStartups). A
//! connection that offered the presenter's key is counted nowhere and never evicted: once its
//! key is offered, there is always room for the presenter. Each stage has its own short
//! deadline (see `ssh.rs`).

use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Connections from one source that may wait (not yet in a dashboard) at once.
pub const PER_SOURCE: usize = 10;
/// Waiting connections (all sources) from which newcomers are dropped at random.
pub const START: usize = 30;
/// Waiting connections (all sources) at which every newcomer is dropped.
pub const FULL: usize = 100;
/// The chance to drop a newcomer at [`START`] waiting connections.
const DROP_AT_START: f64 = 0.3;
/// A connection that has not sent its banner for this long is silent: from [`START`] waiting
/// on, a newcomer takes the place of the oldest one (a client sends its banner a round trip
/// after the connection is accepted).
pub const SILENT: std::time::Duration = std::time::Duration::from_millis(500);

/// How far a connection has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Stage {
    /// The TCP connection only: the client has not sent its SSH banner.
    Connected = 0,
    /// The banner came; key exchange or authentication is going on.
    Banner = 1,
    /// Authenticated as a viewer; the dashboard is not open yet.
    Authenticated = 2,
    /// The client offered a key the server accepts (it may be asking its user for the
    /// passphrase).
    KeyOffered = 3,
    /// It offered the presenter's key, or authenticated with it: not counted, never evicted.
    Presenter = 4,
    /// The dashboard is open: out of the gate.
    Inside = 5,
}

impl Stage {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => Stage::Connected,
            1 => Stage::Banner,
            2 => Stage::Authenticated,
            3 => Stage::KeyOffered,
            4 => Stage::Presenter,
            _ => Stage::Inside,
        }
    }

    fn counted(self) -> bool {
        self < Stage::Presenter
    }
}

/// A connection's place at the gate, shared with its task and its SSH handler.
pub struct Ticket {
    pub id: u64,
    pub since: Instant,
    stage: AtomicU8,
    pub kill: Arc<KillSwitch>,
}

impl Ticket {
    pub fn stage(&self) -> Stage {
        Stage::from_u8(self.stage.load(Ordering::Acquire))
    }

    /// Moves on to `stage` (never back).
    pub fn reach(&self, stage: Stage) {
        self.stage.fetch_max(stage as u8, Ordering::AcqRel);
    }
}

struct Waiting {
    source: IpAddr,
    ticket: Arc<Ticket>,
}

/// The connections waiting to open a dashboard.
#[derive(Default)]
pub struct Gate {
    waiting: Mutex<Vec<Waiting>>,
    next_id: std::sync::atomic::AtomicU64,
}

/// What the gate decided about a newcomer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Dropped at random (too many waiting).
    Early,
    /// Every place is taken.
    Full,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The source a connection counts under: the address, or an IPv6 address's /64.
fn source(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// The chance that a newcomer is dropped when `waiting` connections wait.
pub fn drop_probability(waiting: usize) -> f64 {
    if waiting < START {
        0.0
    } else if waiting >= FULL {
        1.0
    } else {
        DROP_AT_START + (1.0 - DROP_AT_START) * (waiting - START) as f64 / (FULL - START) as f64
    }
}

impl Gate {
    /// Lets a connection from `ip` wait, or refuses it; `draw` is a number in [0, 1) for the
    /// random early drop. A source at its limit loses its least advanced, oldest connection
    /// (killed) to the newcomer.
    pub fn admit(&self, ip: IpAddr, now: Instant, draw: f64) -> Result<Arc<Ticket>, Refusal> {
        let source = source(ip);
        let mut waiting = lock(&self.waiting);
        waiting.retain(|w| w.ticket.stage() != Stage::Inside && !w.ticket.kill.is_killed());
        let mine: Vec<usize> = (0..waiting.len())
            .filter(|&i| waiting[i].source == source && waiting[i].ticket.stage().counted())
            .collect();
        let mut made_room = false;
        if mine.len() >= PER_SOURCE
            && let Some(&victim) = mine
                .iter()
                .min_by_key(|&&i| (waiting[i].ticket.stage(), waiting[i].ticket.since))
        {
            waiting.swap_remove(victim).ticket.kill.kill();
            made_room = true;
        }
        let counted = waiting
            .iter()
            .filter(|w| w.ticket.stage().counted())
            .count();
        // Crowded: the oldest silent connection gives its place to the newcomer (unless its
        // own source's just did), else the newcomer takes its chance.
        let silent = (counted >= START && !made_room)
            .then(|| {
                (0..waiting.len())
                    .filter(|&i| {
                        let t = &waiting[i].ticket;
                        t.stage() == Stage::Connected
                            && now.saturating_duration_since(t.since) >= SILENT
                    })
                    .min_by_key(|&i| waiting[i].ticket.since)
            })
            .flatten();
        if let Some(victim) = silent {
            waiting.swap_remove(victim).ticket.kill.kill();
        } else if counted >= FULL {
            return Err(Refusal::Full);
        } else if draw < drop_probability(counted) {
            return Err(Refusal::Early);
        }
        let ticket = Arc::new(Ticket {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            since: now,
            stage: AtomicU8::new(Stage::Connected as u8),
            kill: Arc::new(KillSwitch::default()),
        });
        waiting.push(Waiting {
            source,
            ticket: Arc::clone(&ticket),
        });
        Ok(ticket)
    }

    /// Forgets a connection (it ended, or its dashboard is open).
    pub fn release(&self, id: u64) {
        lock(&self.waiting).retain(|w| w.ticket.id != id);
    }

    /// Connections waiting now that count against the limits.
    pub fn counted(&self) -> usize {
        lock(&self.waiting)
            .iter()
            .filter(|w| w.ticket.stage().counted() && !w.ticket.kill.is_killed())
            .count()
    }
}

/// Ends a connection from outside its task: its socket's next read or write fails.
#[derive(Default)]
pub struct KillSwitch {
    killed: AtomicBool,
    wakers: Mutex<[Option<Waker>; 2]>,
}

impl KillSwitch {
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        for waker in lock(&self.wakers).iter_mut() {
            if let Some(w) = waker.take() {
                w.wake();
            }
        }
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    /// Registers the task to wake on a kill (slot 0: reading, 1: writing); true if killed.
    fn watch(&self, slot: usize, cx: &Context<'_>) -> bool {
        let mut wakers = lock(&self.wakers);
        if !wakers[slot]
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            wakers[slot] = Some(cx.waker().clone());
        }
        self.is_killed()
    }
}

/// A socket that a [`KillSwitch`] can close.
pub struct Killable<S> {
    pub inner: S,
    pub kill: Arc<KillSwitch>,
}

fn killed() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "closed by the server",
    )
}

impl<S: AsyncRead + Unpin> AsyncRead for Killable<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.kill.watch(0, cx) {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Killable<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.kill.watch(1, cx) {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.kill.watch(1, cx) {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The log's notes about connections turned away at the door: at most one every `every`, and
/// none lost (what was turned away after the last note is said once `every` has passed, even
/// when nothing more comes).
#[derive(Debug)]
pub struct DoorNotes {
    every: std::time::Duration,
    /// Turned away since the last note.
    pending: u64,
    /// When the last note was said.
    noted: Option<Instant>,
}

impl DoorNotes {
    pub fn new(every: std::time::Duration) -> Self {
        Self {
            every,
            pending: 0,
            noted: None,
        }
    }

    /// One more turned away at `now`: the count to say now, if a note is due.
    pub fn turned_away(&mut self, now: Instant) -> Option<u64> {
        self.pending += 1;
        self.flush(now)
    }

    /// When the count still to say is due (None: nothing to say).
    pub fn due(&self) -> Option<Instant> {
        // Without a note yet nothing waits: the first one turned away is said at once.
        self.noted
            .filter(|_| self.pending > 0)
            .map(|t| t + self.every)
    }

    /// The count to say at `now`, if there is one and a note is due.
    pub fn flush(&mut self, now: Instant) -> Option<u64> {
        let due = self
            .noted
            .is_none_or(|t| now.duration_since(t) >= self.every);
        if self.pending == 0 || !due {
            return None;
        }
        self.noted = Some(now);
        Some(std::mem::take(&mut self.pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_full_source_gives_its_oldest_idle_place_to_a_newcomer() {
        let gate = Gate::default();
        let t0 = Instant::now();
        let mut tickets = Vec::new();
        for k in 0..PER_SOURCE {
            let t = gate
                .admit(
                    ip("10.0.0.1"),
                    t0 + std::time::Duration::from_millis(k as u64),
                    0.0,
                )
                .unwrap();
            tickets.push(t);
        }
        // The first one got as far as its banner: the second (idle, oldest) goes.
        tickets[0].reach(Stage::Banner);
        let newcomer = gate.admit(ip("10.0.0.1"), t0, 0.99).unwrap();
        assert!(!newcomer.kill.is_killed());
        assert!(tickets[1].kill.is_killed());
        assert!(!tickets[0].kill.is_killed());
        assert_eq!(gate.counted(), PER_SOURCE);
        // Another source is not touched.
        gate.admit(ip("10.0.0.2"), t0, 0.99).unwrap();
        assert_eq!(gate.counted(), PER_SOURCE + 1);
    }

    #[test]
    fn the_presenter_is_never_counted_nor_evicted() {
        let gate = Gate::default();
        let t0 = Instant::now();
        let presenter = gate.admit(ip("10.0.0.1"), t0, 0.0).unwrap();
        presenter.reach(Stage::Presenter);
        for _ in 0..3 * PER_SOURCE {
            gate.admit(ip("10.0.0.1"), t0, 0.0).unwrap();
        }
        assert!(!presenter.kill.is_killed());
        assert_eq!(gate.counted(), PER_SOURCE);
    }

    #[test]
    fn many_sources_meet_a_random_early_drop_then_a_full_gate() {
        assert_eq!(drop_probability(START - 1), 0.0);
        assert!((drop_probability(START) - 0.3).abs() < 1e-12);
        assert!(drop_probability((START + FULL) / 2) > 0.6);
        assert_eq!(drop_probability(FULL), 1.0);
        let gate = Gate::default();
        let t0 = Instant::now();
        let mut admitted = 0;
        for k in 0..FULL {
            let addr = IpAddr::V4(std::net::Ipv4Addr::new(
                10,
                1,
                (k / 250) as u8,
                (k % 250) as u8,
            ));
            if gate.admit(addr, t0, 0.999).is_ok() {
                admitted += 1;
            }
        }
        assert_eq!(admitted, FULL);
        assert!(matches!(
            gate.admit(ip("10.9.9.9"), t0, 0.999),
            Err(Refusal::Full)
        ));
        // From START on, a draw below the probability drops the newcomer.
        let gate = Gate::default();
        for k in 0..START {
            let addr = IpAddr::V4(std::net::Ipv4Addr::new(10, 2, 0, k as u8));
            gate.admit(addr, t0, 0.0).unwrap();
        }
        assert!(matches!(
            gate.admit(ip("10.9.9.9"), t0, 0.29),
            Err(Refusal::Early)
        ));
        assert!(gate.admit(ip("10.9.9.9"), t0, 0.31).is_ok());
    }

    #[test]
    fn a_crowded_gate_gives_the_oldest_silent_place_to_a_newcomer() {
        // A full gate of connections from as many addresses that never sent a banner (a
        // flood of idle sockets): a newcomer half a second later takes the oldest one's place.
        let gate = Gate::default();
        let t0 = Instant::now();
        let ms = |k: u64| t0 + std::time::Duration::from_millis(k);
        let flood: Vec<_> = (0..FULL)
            .map(|k| {
                let addr = IpAddr::V4(std::net::Ipv4Addr::new(10, 3, (k / 250) as u8, k as u8));
                gate.admit(addr, ms(k as u64), 0.999).unwrap()
            })
            .collect();
        let late = ms(FULL as u64 + SILENT.as_millis() as u64);
        let newcomer = gate.admit(ip("10.9.9.9"), late, 0.999).unwrap();
        assert!(flood[0].kill.is_killed() && !flood[1].kill.is_killed());
        assert!(!newcomer.kill.is_killed());
        assert_eq!(gate.counted(), FULL);
        // Connections that sent their banner are not silent: the gate is full for a newcomer.
        for t in &flood[1..] {
            t.reach(Stage::Banner);
        }
        newcomer.reach(Stage::Banner);
        assert!(matches!(
            gate.admit(ip("10.9.9.8"), late, 0.0),
            Err(Refusal::Full)
        ));
        // Nor is one silent for less than SILENT.
        let gate = Gate::default();
        for k in 0..FULL {
            let addr = IpAddr::V4(std::net::Ipv4Addr::new(10, 4, (k / 250) as u8, k as u8));
            gate.admit(addr, t0, 0.999).unwrap();
        }
        assert!(matches!(
            gate.admit(ip("10.9.9.9"), t0 + SILENT / 2, 0.0),
            Err(Refusal::Full)
        ));
    }

    #[test]
    fn a_newcomer_takes_one_place_not_two() {
        // A crowded gate with silent connections, and the newcomer's own source full: its
        // source's oldest gives way, and no silent connection of another source as well.
        let gate = Gate::default();
        let t0 = Instant::now();
        let others: Vec<_> = (0..START)
            .map(|k| {
                let addr = IpAddr::V4(std::net::Ipv4Addr::new(10, 5, 0, k as u8));
                gate.admit(addr, t0, 0.999).unwrap()
            })
            .collect();
        let mine: Vec<_> = (0..PER_SOURCE)
            .map(|_| gate.admit(ip("10.6.0.1"), t0, 0.999).unwrap())
            .collect();
        let late = t0 + 2 * SILENT;
        gate.admit(ip("10.6.0.1"), late, 0.999).unwrap();
        assert_eq!(mine.iter().filter(|t| t.kill.is_killed()).count(), 1);
        assert!(others.iter().all(|t| !t.kill.is_killed()));
    }

    #[test]
    fn an_ipv6_slash_64_is_one_source() {
        assert_eq!(
            source(ip("2001:db8:1:2::5")),
            source(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(source(ip("2001:db8:1:2::5")), source(ip("2001:db8:1:3::5")));
        assert_eq!(source(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
    }

    /// The first turned away is said at once; those after it within `every` wait and are said
    /// together once it has passed, also when nothing more comes (they were lost before).
    #[test]
    fn door_notes_say_every_turned_away_at_most_once_a_period() {
        let every = std::time::Duration::from_secs(10);
        let t0 = Instant::now();
        let at = |s: u64| t0 + std::time::Duration::from_secs(s);
        let mut notes = DoorNotes::new(every);
        assert_eq!(notes.due(), None);
        assert_eq!(notes.turned_away(at(0)), Some(1));
        assert_eq!(notes.due(), None);
        assert_eq!(notes.turned_away(at(1)), None);
        assert_eq!(notes.turned_away(at(2)), None);
        // The flood stops: the two are due at 10 s, not before.
        assert_eq!(notes.due(), Some(at(10)));
        assert_eq!(notes.flush(at(9)), None);
        assert_eq!(notes.flush(at(10)), Some(2));
        assert_eq!(notes.due(), None);
        assert_eq!(notes.flush(at(30)), None);
        // After a quiet spell the next one is said at once again.
        assert_eq!(notes.turned_away(at(31)), Some(1));
    }
}
