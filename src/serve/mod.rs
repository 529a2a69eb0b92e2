//! `recall serve`: one shared simulation, watched over SSH. The pipeline runs once; a fan-out
//! thread hands its snapshots to every screen (newest only, per screen), and every screen —
//! each SSH connection, and the host's terminal if `recall serve` runs in one — has its own
//! `App` and its own ratatui terminal at its own size. Only the presenter (the presenter key)
//! and the host's terminal send controls to the simulator; viewers' keys change their own
//! screen. The SSH protocol is russh's; this module only decides who gets what.
//!
//! ```text
//!  pipeline ──Snapshot──▶ fan-out ──newest (slot per screen)──▶ screen thread ──bytes──▶ SSH writer task
//!      ▲                     └──LogEntry (queue per screen)──▶      (App + Terminal)       (client's window)
//!      └──Control (presenter, host terminal)──────────────────────────────┘
//! ```

pub mod access;
pub mod gate;
pub mod hub;
pub mod input;
mod ssh;
pub mod stage;
pub mod viewer;

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use crossbeam_channel::{Receiver, bounded, select};
use signal_hook::consts::signal::{SIGCONT, SIGTSTP};

use crate::patterns::watch::{WatchOptions, Watcher};
use crate::pipeline::{Pacing, Pipeline, PipelineConfig};
use crate::ui::terminal::{SignalWatch, TerminalGuard};
use crate::ui::{DashboardConfig, Theme};

use self::access::Policy;
use self::hub::{Hub, Role};
use self::viewer::{ControlLinks, End, Input, Output, Start, Stats, ViewerSetup};

/// The default address: loopback only, so nothing is exposed unless asked.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:2222";
/// The default limit on viewers.
pub const DEFAULT_MAX_VIEWERS: usize = 50;
/// The default idle time (no key) after which a viewer is disconnected.
pub const DEFAULT_IDLE_SECS: u64 = 3600;
/// The longest idle time accepted (a year): longer ones cannot be added to a clock.
pub const MAX_IDLE_SECS: u64 = 365 * 24 * 3600;
/// A screen's bytes per second at most: the dashboard's own budget (ARCHITECTURE.md, 40 KB/s).
pub const BYTE_BUDGET: usize = 40_000;
/// How long the goodbyes may take at shutdown.
const SHUTDOWN_WAIT: Duration = Duration::from_millis(1500);

/// What `recall serve` runs: plain values (the shell builds them from the command line).
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    /// Viewers' public keys (authorized_keys form); without it, anonymous viewers (on loopback,
    /// or with `allow_anonymous`).
    pub authorized_keys: Option<PathBuf>,
    /// The presenter's public key(s).
    pub presenter_key: Option<PathBuf>,
    pub allow_anonymous: bool,
    pub max_viewers: usize,
    /// Disconnect a viewer after this long without a key (`None`: never).
    pub idle_timeout: Option<Duration>,
    /// Where the host key is kept (made on first start).
    pub host_key: PathBuf,
    /// Bytes per second per screen at most.
    pub byte_budget: usize,
    /// The simulation and the screens' settings (as for the dashboard; `duration_secs` stops
    /// the server).
    pub dashboard: DashboardConfig,
}

/// How the server ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The host's terminal quit, or the duration ran out.
    Finished,
    /// A signal ended it (its number).
    Signal(i32),
}

/// The line a screen leaves the log with.
pub(crate) fn leave_line(name: &str, end: End, stats: &Stats) -> String {
    let why = match end {
        End::Quit => "left",
        End::Gone => "disconnected",
        End::Idle => "was idle and disconnected",
        End::Stopping => "was sent the goodbye",
    };
    let secs = stats.secs.max(1e-3);
    format!(
        "{name} {why} after {:.0} s connected: {} frames ({:.1}/s), {} bytes ({:.1} KB/s)",
        stats.secs,
        stats.frames,
        stats.frames as f64 / secs,
        stats.bytes,
        stats.bytes as f64 / secs / 1000.0
    )
}

/// Writes the hub's notes to stderr, one line each (when no terminal shows them).
fn echo_thread(lines: Receiver<String>) {
    let _ = std::thread::Builder::new()
        .name("recall-echo".into())
        .spawn(move || {
            for line in lines {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "recall serve: {line}");
            }
        });
}

/// `recall serve`.
pub fn run(config: &ServeConfig) -> anyhow::Result<Outcome> {
    let dash = &config.dashboard;
    if let Some(t) = config.idle_timeout {
        anyhow::ensure!(
            t.as_secs() <= MAX_IDLE_SECS,
            "--idle-timeout {} is too long: at most {MAX_IDLE_SECS} s (a year), or 0 for never",
            t.as_secs()
        );
    }
    let presenter = match &config.presenter_key {
        Some(p) => access::read_keys(p).context("cannot read the presenter key")?,
        None => Vec::new(),
    };
    let viewers = match &config.authorized_keys {
        Some(p) => Some(access::read_keys(p).context("cannot read the authorized keys")?),
        None => None,
    };
    let policy = Policy::new(presenter, viewers, config.allow_anonymous, &config.listen);
    anyhow::ensure!(
        !policy.admits_no_one(),
        "no one could connect: {} is not a loopback address, so anonymous viewers need \
         --allow-anonymous; or give --authorized-keys FILE or --presenter-key FILE",
        config.listen
    );
    let (host_key, created) = access::load_or_create_host_key(&config.host_key)?;
    viewer::keep_large_blocks_apart();
    let host_fingerprint = access::fingerprint(host_key.public_key());

    let (memories, startup_errors) = crate::ui::startup_memories(dash.patterns.as_deref())?;
    let memories = Arc::new(memories);
    // (`SimArgs::check_models` refused a --compare that repeats a model or names --model's.)
    let mut models = vec![dash.model];
    models.extend(dash.compare.iter().flatten().copied());
    let pipeline = Pipeline::start(PipelineConfig {
        memories: Arc::clone(&memories),
        scenario: dash.scenario,
        stream: dash.stream.clone(),
        params: dash.params.clone(),
        models,
        seed: dash.seed,
        speed: dash.speed,
        pacing: Pacing::WallClock {
            snapshot_hz: f64::from(dash.fps),
        },
        stop_at_secs: None,
        paused: false,
    })?;
    if let Some(plan) = &dash.lesson {
        let _ = pipeline
            .controls()
            .send(crate::pipeline::LessonControl::start(plan));
    }
    let watcher = dash.patterns.as_deref().and_then(|dir| {
        let options = WatchOptions {
            poll: dash.poll,
            ..WatchOptions::default()
        };
        Watcher::start(
            dir,
            Some(Arc::clone(&memories)),
            options,
            pipeline.pattern_sender(),
        )
        .ok()
        .map(Arc::new)
    });

    let host_terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    let echo = if host_terminal {
        None
    } else {
        let (tx, rx) = bounded(1024);
        echo_thread(rx);
        Some(tx)
    };
    let hub = Hub::new(config.max_viewers, echo);
    let started = Instant::now();
    if watcher.is_none() {
        for error in startup_errors {
            hub.note(format!("pattern error: {error}"));
        }
    }
    let fanout = hub.start_fanout(pipeline.snapshots().clone(), pipeline.log().clone())?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("recall-ssh")
        .enable_all()
        .build()
        .context("cannot start the network runtime")?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(config.listen))
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let bound = listener.local_addr().unwrap_or(config.listen);
    let join = format!("ssh -p {} {}", bound.port(), reachable_address(bound.ip()));
    {
        let mut err = std::io::stderr().lock();
        if created {
            let _ = writeln!(
                err,
                "recall serve: made a host key in {} ({host_fingerprint})",
                config.host_key.display()
            );
        }
        let _ = writeln!(
            err,
            "recall serve: listening on {bound} (host key {host_fingerprint}); watch with: {join}"
        );
        if !policy.anonymous && config.authorized_keys.is_none() {
            let _ = writeln!(
                err,
                "recall serve: only the presenter gets in: {} is not a loopback address \
                 (add --allow-anonymous to let anyone who reaches it watch, or --authorized-keys FILE)",
                config.listen
            );
        }
    }
    if host_terminal {
        hub.note(format!(
            "serving on {bound}: {join} (host key {host_fingerprint})"
        ));
    }

    let links = ControlLinks {
        controls: pipeline.controls().clone(),
        watcher: watcher.clone(),
        patterns: dash.patterns.clone(),
        actor: None,
        order: Arc::new(std::sync::Mutex::new(())),
    };
    let start = Start {
        model: dash.model,
        compare: dash.compare.clone(),
        scenario: dash.scenario,
        noise_std: dash.params.noise_std,
        speed: dash.speed,
    };
    let shared = Arc::new(ssh::Shared {
        hub: Arc::clone(&hub),
        stages: Arc::new(stage::Stages::default()),
        policy: policy.clone(),
        links: links.clone(),
        start: start.clone(),
        fps: dash.fps,
        byte_budget: config.byte_budget,
        idle_timeout: config.idle_timeout,
        ascii: dash.ascii,
        no_color: dash.no_color,
        port: bound.port(),
        join,
        gate: gate::Gate::default(),
    });
    let ssh_config = Arc::new(ssh::config(host_key, &policy));
    let stop_accepting = Arc::new(tokio::sync::Notify::new());
    let accept = runtime.spawn(ssh::accept_loop(
        listener,
        ssh_config,
        Arc::clone(&shared),
        Arc::clone(&stop_accepting),
    ));

    let signals = SignalWatch::start()?;
    let outcome = if host_terminal {
        host_screen(&hub, &shared, &signals.received, dash.duration_secs)
    } else {
        wait(&signals.received, None, dash.duration_secs)
    };

    // Goodbyes: every screen writes its line and closes its channel; then the rest goes.
    stop_accepting.notify_one();
    // The host's screen, when there is one, has stopped the hub already: the count is taken
    // when it first stops, before the screens it sends away have left.
    hub.stop();
    let sent_goodbye = hub.sent_goodbye().unwrap_or(0);
    let deadline = Instant::now() + SHUTDOWN_WAIT;
    while hub.remote_screens() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the writer tasks put the goodbyes on the wire.
    std::thread::sleep(Duration::from_millis(100));
    accept.abort();
    runtime.shutdown_timeout(Duration::from_millis(300));
    drop(signals);
    let stopped = pipeline.shutdown();
    let _ = fanout.join();
    drop(watcher);
    // The same closing line with a terminal or without (then stderr is the server's log).
    {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "recall serve: stopped after {:.0} s; {sent_goodbye} connected screen(s) were sent a \
             goodbye ({} joined in all).",
            started.elapsed().as_secs_f64(),
            hub.joined_in_all()
        );
    }
    let outcome = outcome?;
    stopped?;
    Ok(outcome)
}

/// The address others reach the server at: the one it listens on, or for an unspecified one
/// (0.0.0.0, ::) the address of the interface with the default route (a UDP socket's
/// `connect` picks it and sends nothing), else "HOST".
fn reachable_address(listen: std::net::IpAddr) -> String {
    if !listen.is_unspecified() {
        return ssh::shown_ip(listen);
    }
    std::net::UdpSocket::bind(("0.0.0.0", 0))
        .and_then(|s| {
            s.connect(("192.0.2.1", 9))?;
            s.local_addr()
        })
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_unspecified())
        .map_or_else(|| "HOST".to_string(), ssh::shown_ip)
}

/// Waits for a signal, the end of the host's screen, or the duration.
fn wait(
    signals: &Receiver<i32>,
    host_done: Option<&Receiver<()>>,
    duration_secs: Option<f64>,
) -> anyhow::Result<Outcome> {
    // A duration too long for the clock is no deadline.
    let deadline = duration_secs
        .and_then(|d| Duration::try_from_secs_f64(d).ok())
        .and_then(|d| Instant::now().checked_add(d));
    let never = crossbeam_channel::never();
    let host_done = host_done.unwrap_or(&never);
    loop {
        let timeout = deadline.map_or(Duration::from_secs(3600), |d| {
            d.saturating_duration_since(Instant::now())
        });
        select! {
            recv(signals) -> s => match s {
                // The server keeps running for its viewers: suspending it would freeze them all.
                Ok(SIGTSTP) | Ok(SIGCONT) => {}
                Ok(s) => return Ok(Outcome::Signal(s)),
                Err(_) => return Ok(Outcome::Finished),
            },
            recv(host_done) -> _ => return Ok(Outcome::Finished),
            default(timeout) => {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Ok(Outcome::Finished);
                }
            }
        }
    }
}

/// The host's terminal as one more screen, with the controls, until it quits, a signal comes
/// or the duration runs out.
fn host_screen(
    hub: &Arc<Hub>,
    shared: &Arc<ssh::Shared>,
    signals: &Receiver<i32>,
    duration_secs: Option<f64>,
) -> anyhow::Result<Outcome> {
    let mailbox = hub
        .join("host".into(), Role::Host)
        .map_err(|_| anyhow::anyhow!("cannot open the host's screen"))?;
    let guard = TerminalGuard::enter()?;
    let size = guard
        .terminal
        .size()
        .map(|s| (s.width, s.height))
        .unwrap_or((80, 24));
    let terminal_input = crate::ui::InputThread::start()?;
    let (tx, rx) = bounded(256);
    let events = terminal_input.events.clone();
    std::thread::Builder::new()
        .name("recall-host-input".into())
        .spawn(move || {
            for event in events {
                let input = match event {
                    ratatui::crossterm::event::Event::Resize(c, r) => Input::Resize(c, r),
                    other => Input::Event(other),
                };
                if tx.send(input).is_err() {
                    break;
                }
            }
        })
        .context("cannot start the input thread")?;
    let setup = ViewerSetup {
        hub: Arc::clone(hub),
        stages: Arc::clone(&shared.stages),
        mailbox,
        input: rx,
        output: Box::new(HostOutput),
        size,
        theme: Theme::from_flags(shared.ascii, shared.no_color),
        fps: shared.fps,
        byte_budget: usize::MAX / 4,
        idle_timeout: None,
        join: Some(shared.join.clone()),
        links: Some(ControlLinks {
            actor: Some(Arc::from(Role::Host.name())),
            ..shared.links.clone()
        }),
        start: shared.start.clone(),
    };
    let (done_tx, done_rx) = bounded::<()>(0);
    let screen = std::thread::Builder::new()
        .name("recall-host-screen".into())
        .spawn(move || {
            let _done = done_tx;
            viewer::run(setup)
        })
        .context("cannot start the host's screen")?;
    let outcome = wait(signals, Some(&done_rx), duration_secs);
    hub.stop();
    let _ = screen.join();
    drop(terminal_input);
    drop(guard);
    outcome
}

/// The host's terminal: frames are written to stdout as they come.
struct HostOutput;

impl Output for HostOutput {
    fn ready(&self) -> bool {
        true
    }

    fn send(&mut self, bytes: Vec<u8>) -> bool {
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes).and_then(|()| out.flush()).is_ok()
    }

    /// The host's terminal is given back by its guard (then the server says goodbye there).
    fn finish(&mut self, _bytes: Vec<u8>) {}
}
