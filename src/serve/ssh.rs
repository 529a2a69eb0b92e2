//! The SSH side (russh): authentication by the access policy, one session channel per
//! connection with a pseudo-terminal, whose shell request opens the dashboard; every other
//! channel and request is refused. A connection's bytes go out through the channel's write half,
//! which waits for the client's window, so a client that stops reading holds up only its own
//! writer task (and its screen, which then skips frames).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, bounded};
use russh::keys::ssh_key::PublicKey;
use russh::server::{Auth, ChannelOpenHandle, Config, Handle, Handler, Msg, Session};
use russh::{Channel, ChannelId, ChannelOpenFailure, ChannelWriteHalf, MethodKind, MethodSet, Pty};
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc};

use super::access::{KeyRole, Policy, fingerprint};
use super::gate::{DoorNotes, Gate, Killable, Stage, Ticket};
use super::hub::{Hub, Role};
use super::input::InputParser;
use super::viewer::{self, ControlLinks, Input, Output, Start, ViewerSetup};
use crate::ui::Theme;

/// How long a client may take to send its SSH banner (OpenSSH clients send it at once).
pub const BANNER_GRACE: Duration = Duration::from_secs(5);
/// How long a connection may take to authenticate (OpenSSH's LoginGraceTime is 120 s).
pub const AUTH_GRACE: Duration = Duration::from_secs(20);
/// How long, once it offered a key the server accepts, a client may take to authenticate
/// (its user may be typing the key's passphrase).
pub const KEY_GRACE: Duration = Duration::from_secs(60);
/// How long an authenticated connection may take to open its dashboard.
pub const OPEN_GRACE: Duration = Duration::from_secs(10);
/// Authentication attempts per connection.
pub const MAX_AUTH_ATTEMPTS: usize = 6;
/// Key and resize events queued for a screen (more are dropped: no one types that fast).
const INPUT_QUEUE: usize = 256;
/// How long a goodbye may take to reach a client.
const GOODBYE_WAIT: Duration = Duration::from_secs(1);
/// How long a connection may stay open after its dashboard closed.
const AFTER_CLOSE: Duration = Duration::from_secs(5);

/// What every connection shares.
pub struct Shared {
    pub hub: Arc<Hub>,
    pub stages: Arc<super::stage::Stages>,
    pub policy: Policy,
    pub links: ControlLinks,
    pub start: Start,
    pub fps: u32,
    pub byte_budget: usize,
    pub idle_timeout: Option<Duration>,
    pub ascii: bool,
    pub no_color: bool,
    /// The port, for the messages that say how to connect.
    pub port: u16,
    /// How to join ("ssh -p 2222 192.168.1.5"), for the host's status line.
    pub join: String,
    /// The connections that have not opened a dashboard yet.
    pub gate: Gate,
}

/// The russh configuration: the host key, the methods the policy allows, keepalives that drop a
/// dead client, and the attempt limit.
pub fn config(host_key: russh::keys::PrivateKey, policy: &Policy) -> Config {
    let mut methods = vec![MethodKind::PublicKey];
    if policy.anonymous {
        methods.push(MethodKind::KeyboardInteractive);
    }
    Config {
        server_id: russh::SshId::Standard("SSH-2.0-recall_serve".into()),
        methods: MethodSet::from(methods.as_slice()),
        auth_rejection_time: Duration::from_millis(500),
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![host_key],
        max_auth_attempts: MAX_AUTH_ATTEMPTS,
        inactivity_timeout: None,
        keepalive_interval: Some(Duration::from_secs(15)),
        keepalive_max: 3,
        nodelay: true,
        ..Config::default()
    }
}

/// How often at most the log says that connections are being turned away at the door.
const TURNED_AWAY_NOTE: Duration = Duration::from_secs(10);

/// Sleeps until `at` (a `select!` branch runs it only when there is an `at`).
async fn sleep_until(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at.into()).await;
    }
}

/// Accepts connections until `stop` is notified; the gate decides at once, before any SSH
/// work, whether a newcomer may wait for its dashboard.
pub async fn accept_loop(
    listener: TcpListener,
    config: Arc<Config>,
    shared: Arc<Shared>,
    stop: Arc<Notify>,
) {
    // Connections turned away at the door are said in the log (at most every
    // TURNED_AWAY_NOTE, none left unsaid), so that a host whose class cannot get in sees why.
    let mut notes = DoorNotes::new(TURNED_AWAY_NOTE);
    let say = |n: u64| {
        shared.hub.note(format!(
            "turned {n} connection(s) away at the door (a flood?): {} wait to log in now; \
             whoever was turned away may try again",
            shared.gate.counted()
        ));
    };
    loop {
        let due = notes.due();
        tokio::select! {
            () = stop.notified() => return,
            () = sleep_until(due), if due.is_some() => {
                if let Some(n) = notes.flush(Instant::now()) {
                    say(n);
                }
            }
            accepted = listener.accept() => {
                let Ok((socket, peer)) = accepted else {
                    // Out of descriptors or the like: try again shortly.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let now = Instant::now();
                let Ok(ticket) = shared.gate.admit(peer.ip(), now, rand::random::<f64>()) else {
                    drop(socket);
                    if let Some(n) = notes.turned_away(now) {
                        say(n);
                    }
                    continue;
                };
                let (config, shared) = (Arc::clone(&config), Arc::clone(&shared));
                tokio::spawn(async move {
                    let id = ticket.id;
                    connection(socket, peer, config, Arc::clone(&shared), ticket).await;
                    shared.gate.release(id);
                    // The connection's buffers are freed now: give the memory back.
                    viewer::give_back_memory();
                });
            }
        }
    }
}

/// One connection, from the SSH handshake to its end: the banner, the authentication and the
/// dashboard each within their grace time (else the socket is closed), then a limit on how
/// long it stays once its dashboard closed.
async fn connection(
    socket: tokio::net::TcpStream,
    peer: SocketAddr,
    config: Arc<Config>,
    shared: Arc<Shared>,
    ticket: Arc<Ticket>,
) {
    let state = Arc::new(ConnState {
        ticket: Arc::clone(&ticket),
        authenticated_at: Mutex::new(None),
        closed: Notify::new(),
    });
    let local = socket.local_addr().ok();
    let socket = Killable {
        inner: socket,
        kill: Arc::clone(&ticket.kill),
    };
    let handler = Connection::new(Arc::clone(&shared), peer, local, Arc::clone(&state));
    // run_stream returns once the client's banner is read.
    let session = match tokio::time::timeout(
        BANNER_GRACE,
        russh::server::run_stream(config, socket, handler),
    )
    .await
    {
        Ok(Ok(s)) => s,
        _ => return,
    };
    ticket.reach(Stage::Banner);
    let handle = session.handle();
    let mut session = std::pin::pin!(session);
    loop {
        let authenticated = *lock(&state.authenticated_at);
        let stage = ticket.stage();
        if stage == Stage::Inside {
            break;
        }
        let deadline = match authenticated {
            Some(at) => at + OPEN_GRACE,
            None if stage >= Stage::KeyOffered => ticket.since + KEY_GRACE,
            None => ticket.since + AUTH_GRACE,
        };
        if Instant::now() >= deadline {
            if authenticated.is_some() {
                let _ = tokio::time::timeout(
                    Duration::from_secs(1),
                    disconnect(&handle, "no dashboard opened in time"),
                )
                .await;
            }
            ticket.kill.kill();
            return;
        }
        tokio::select! {
            _ = &mut session => return,
            () = tokio::time::sleep_until(deadline.into()) => {}
        }
    }
    tokio::select! {
        _ = &mut session => return,
        () = state.closed.notified() => {}
    }
    tokio::select! {
        _ = &mut session => {}
        () = tokio::time::sleep(AFTER_CLOSE) => disconnect(&handle, "goodbye").await,
    }
}

async fn disconnect(handle: &Handle, why: &str) {
    let _ = handle
        .disconnect(
            russh::Disconnect::ByApplication,
            why.to_string(),
            String::new(),
        )
        .await;
}

/// What the connection task and its handler share.
struct ConnState {
    /// Its place at the gate.
    ticket: Arc<Ticket>,
    /// When it authenticated.
    authenticated_at: Mutex<Option<Instant>>,
    /// The dashboard's channel was closed by the server.
    closed: Notify,
}

/// The handler of one connection.
struct Connection {
    shared: Arc<Shared>,
    peer: SocketAddr,
    /// The server's address this client reached (how others reach it too).
    local: Option<SocketAddr>,
    state: Arc<ConnState>,
    role: Option<Role>,
    /// "user@address" (with the key's fingerprint for a presenter), for the log.
    name: String,
    channel: Option<ChannelId>,
    writer: Option<ChannelWriteHalf<Msg>>,
    /// TERM, columns, rows.
    pty: Option<(String, u16, u16)>,
    input: Option<Sender<Input>>,
    parser: InputParser,
}

fn clamp_u16(v: u32) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

impl Connection {
    fn new(
        shared: Arc<Shared>,
        peer: SocketAddr,
        local: Option<SocketAddr>,
        state: Arc<ConnState>,
    ) -> Self {
        Self {
            shared,
            peer,
            local,
            state,
            role: None,
            name: String::new(),
            channel: None,
            writer: None,
            pty: None,
            input: None,
            parser: InputParser::new(),
        }
    }

    fn set_name(&mut self, user: &str) {
        // The user name is the client's to choose: keep it short and printable.
        let user: String = user
            .chars()
            .filter(|c| c.is_alphanumeric() || "-_.".contains(*c))
            .take(32)
            .collect();
        let user = if user.is_empty() { "anonymous" } else { &user };
        self.name = format!("{user}@{}", self.peer);
    }

    /// Refuses a request on the session channel with one line on the client's stderr, and
    /// closes the channel.
    fn refuse(&mut self, channel: ChannelId, line: &str, session: &mut Session) {
        let _ = session.extended_data(channel, 1, format!("recall serve: {line}\r\n").into_bytes());
        let _ = session.channel_failure(channel);
        let _ = session.exit_status_request(channel, 1);
        let _ = session.eof(channel);
        let _ = session.close(channel);
    }

    fn how_to_connect(&self) -> String {
        match self.local {
            Some(a) => format!("ssh -p {} {}", a.port(), shown_ip(a.ip())),
            None => format!("ssh -p {} HOST", self.shared.port),
        }
    }

    /// Opens the dashboard on the session channel.
    fn start_dashboard(&mut self, channel: ChannelId, session: &mut Session) {
        let Some((term, cols, rows)) = self.pty.clone() else {
            // No shell either way: say why (a failed request would end the client before it
            // shows the line) and close.
            let _ = session.channel_success(channel);
            let line = format!(
                "this server shows a live dashboard and needs a terminal: connect with `{}` (or add -t); there is no shell here",
                self.how_to_connect()
            );
            self.refuse(channel, &line, session);
            return;
        };
        let (Some(role), Some(writer)) = (self.role, self.writer.take()) else {
            self.refuse(channel, "no dashboard on this channel", session);
            return;
        };
        let shared = Arc::clone(&self.shared);
        let mailbox = match shared.hub.join(self.name.clone(), role) {
            Ok(m) => m,
            Err(full) => {
                // Said on the channel (a failed request would end the client before the line).
                let _ = session.channel_success(channel);
                let line = format!("the room is full ({} viewers): try again later", full.max);
                self.refuse(channel, &line, session);
                return;
            }
        };
        let _ = session.channel_success(channel);
        self.state.ticket.reach(Stage::Inside);
        self.shared.gate.release(self.state.ticket.id);
        let (tx, rx) = bounded(INPUT_QUEUE);
        self.input = Some(tx);
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        let busy = Arc::new(AtomicBool::new(false));
        tokio::spawn(write_out(
            writer,
            out_rx,
            Arc::clone(&busy),
            Arc::clone(&self.state),
        ));
        let no_color = shared.no_color || !term_has_color(&term);
        let setup = ViewerSetup {
            hub: Arc::clone(&shared.hub),
            stages: Arc::clone(&shared.stages),
            mailbox,
            input: rx,
            output: Box::new(SshOutput { busy, tx: out_tx }),
            size: (cols, rows),
            theme: Theme::from_flags(shared.ascii, no_color),
            fps: shared.fps,
            byte_budget: shared.byte_budget,
            idle_timeout: shared.idle_timeout,
            join: self
                .local
                .map(|a| format!("ssh -p {} {}", a.port(), shown_ip(a.ip()))),
            links: role.controls().then(|| ControlLinks {
                actor: Some(Arc::from(format!(
                    "presenter {}",
                    self.name.split('@').next().unwrap_or("")
                ))),
                ..shared.links.clone()
            }),
            start: shared.start.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name("recall-screen".into())
            .spawn(move || viewer::run_and_leave(setup));
        if spawned.is_err() {
            self.input = None;
        }
    }
}

/// An address as `ssh` takes it (an IPv4 address mapped into IPv6 as IPv4).
pub fn shown_ip(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        v4 => v4.to_string(),
    }
}

/// A terminal type that shows colour (all but `dumb` and the monochrome ones).
fn term_has_color(term: &str) -> bool {
    !(term.is_empty() || term == "dumb" || term.ends_with("-m") || term.contains("mono"))
}

impl Handler for Connection {
    type Error = russh::Error;

    /// A server that admits only the presenter says so before anyone tries (OpenSSH shows it,
    /// at its default log level), so a student refused knows why.
    async fn authentication_banner(&mut self) -> Result<Option<String>, Self::Error> {
        Ok(self.shared.policy.presenter_only().then(|| {
            "recall serve: this server admits only the presenter (by key); to watch, ask for \
             --allow-anonymous (or your key in --authorized-keys)\r\n"
                .to_string()
        }))
    }

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        // Even anonymous viewers go through a method, so that the presenter's key is tried.
        Ok(Auth::Reject {
            proceed_with_methods: Some(self.methods()),
            partial_success: false,
        })
    }

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        key: &PublicKey,
    ) -> Result<Auth, Self::Error> {
        Ok(match self.shared.policy.key_role(key) {
            KeyRole::Refused => self.reject(),
            KeyRole::Presenter => {
                // Counted nowhere from now on: there is always room for the presenter.
                self.state.ticket.reach(Stage::Presenter);
                Auth::Accept
            }
            KeyRole::Viewer => {
                self.state.ticket.reach(Stage::KeyOffered);
                Auth::Accept
            }
        })
    }

    async fn auth_publickey(&mut self, user: &str, key: &PublicKey) -> Result<Auth, Self::Error> {
        let role = match self.shared.policy.key_role(key) {
            KeyRole::Presenter => Role::Presenter,
            KeyRole::Viewer => Role::Viewer,
            KeyRole::Refused => return Ok(self.reject()),
        };
        self.set_name(user);
        if role == Role::Presenter {
            self.shared.hub.echo(format!(
                "{} authenticated with the presenter key {}",
                self.name,
                fingerprint(key)
            ));
        }
        self.role = Some(role);
        self.authenticated(role);
        Ok(Auth::Accept)
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        _response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        if !self.shared.policy.anonymous {
            return Ok(self.reject());
        }
        // Anonymous viewers: no question asked.
        self.set_name(user);
        self.role = Some(Role::Viewer);
        self.authenticated(Role::Viewer);
        Ok(Auth::Accept)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel.is_some() || self.role.is_none() {
            refuse(reply).await;
            return Ok(());
        }
        self.channel = Some(channel.id());
        // The read half is dropped: what the client sends reaches the handler's callbacks.
        let (_read, write) = channel.split();
        self.writer = Some(write);
        reply.accept().await;
        Ok(())
    }

    async fn channel_open_x11(
        &mut self,
        _channel: Channel<Msg>,
        _originator_address: &str,
        _originator_port: u32,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        refuse(reply).await;
        Ok(())
    }

    async fn channel_open_direct_tcpip(
        &mut self,
        _channel: Channel<Msg>,
        _host_to_connect: &str,
        _port_to_connect: u32,
        _originator_address: &str,
        _originator_port: u32,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        refuse(reply).await;
        Ok(())
    }

    async fn channel_open_forwarded_tcpip(
        &mut self,
        _channel: Channel<Msg>,
        _host_to_connect: &str,
        _port_to_connect: u32,
        _originator_address: &str,
        _originator_port: u32,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        refuse(reply).await;
        Ok(())
    }

    async fn channel_open_direct_streamlocal(
        &mut self,
        _channel: Channel<Msg>,
        _socket_path: &str,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        refuse(reply).await;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel != Some(channel) || self.input.is_some() {
            session.channel_failure(channel)?;
            return Ok(());
        }
        let term: String = term
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        self.pty = Some((term, clamp_u16(col_width), clamp_u16(row_height)));
        session.channel_success(channel)?;
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel != Some(channel) || self.input.is_some() {
            session.channel_failure(channel)?;
            return Ok(());
        }
        self.start_dashboard(channel, session);
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let line = format!(
            "no commands here (no shell, no exec): connect with `{}` to watch",
            self.how_to_connect()
        );
        self.refuse(channel, &line, session);
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(32)
            .collect();
        let line = format!("no subsystems here ({name} refused: no file transfer)");
        self.refuse(channel, &line, session);
        Ok(())
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single_connection: bool,
        _x11_auth_protocol: &str,
        _x11_auth_cookie: &str,
        _x11_screen_number: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)?;
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        _variable_name: &str,
        _variable_value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)?;
        Ok(())
    }

    async fn agent_request(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        Ok(false)
    }

    async fn tcpip_forward(
        &mut self,
        _address: &str,
        _port: &mut u32,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        Ok(false)
    }

    async fn streamlocal_forward(
        &mut self,
        _socket_path: &str,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        Ok(false)
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel == Some(channel) {
            let size = (clamp_u16(col_width), clamp_u16(row_height));
            match &self.input {
                Some(tx) => self.send_input(tx.clone(), Input::Resize(size.0, size.1)),
                None => {
                    if let Some(pty) = self.pty.as_mut() {
                        (pty.1, pty.2) = size;
                    }
                }
            }
        }
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel == Some(channel)
            && let Some(tx) = self.input.clone()
        {
            for event in self.parser.feed(data) {
                self.send_input(tx.clone(), Input::Event(event));
            }
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel == Some(channel) {
            self.input = None;
        }
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Connection {
    /// Authenticated: the dashboard must be opened within [`OPEN_GRACE`].
    fn authenticated(&self, role: Role) {
        *lock(&self.state.authenticated_at) = Some(Instant::now());
        self.state.ticket.reach(if role == Role::Presenter {
            Stage::Presenter
        } else {
            Stage::Authenticated
        });
    }

    fn methods(&self) -> MethodSet {
        let mut methods = vec![MethodKind::PublicKey];
        if self.shared.policy.anonymous {
            methods.push(MethodKind::KeyboardInteractive);
        }
        MethodSet::from(methods.as_slice())
    }

    fn reject(&self) -> Auth {
        Auth::Reject {
            proceed_with_methods: Some(self.methods()),
            partial_success: false,
        }
    }

    /// Queues an event for the screen; a full queue drops it (a resize is retried by the next).
    fn send_input(&self, tx: Sender<Input>, input: Input) {
        let _ = tx.try_send(input);
    }
}

/// What the screen's thread hands the writer task.
enum Out {
    Frame(Vec<u8>),
    /// The goodbye; then the channel is closed.
    Finish(Vec<u8>),
}

/// A screen's output over SSH: one frame in flight at most.
struct SshOutput {
    busy: Arc<AtomicBool>,
    tx: mpsc::UnboundedSender<Out>,
}

impl Output for SshOutput {
    fn ready(&self) -> bool {
        !self.busy.load(Ordering::Acquire)
    }

    fn send(&mut self, bytes: Vec<u8>) -> bool {
        self.busy.store(true, Ordering::Release);
        self.tx.send(Out::Frame(bytes)).is_ok()
    }

    fn finish(&mut self, bytes: Vec<u8>) {
        let _ = self.tx.send(Out::Finish(bytes));
    }
}

/// Writes a screen's frames within the client's window; after the goodbye, closes the channel.
async fn write_out(
    writer: ChannelWriteHalf<Msg>,
    mut frames: mpsc::UnboundedReceiver<Out>,
    busy: Arc<AtomicBool>,
    state: Arc<ConnState>,
) {
    while let Some(out) = frames.recv().await {
        match out {
            Out::Frame(bytes) => {
                if writer.data_bytes(bytes).await.is_err() {
                    break;
                }
                busy.store(false, Ordering::Release);
            }
            Out::Finish(bytes) => {
                let _ = tokio::time::timeout(GOODBYE_WAIT, writer.data_bytes(bytes)).await;
                let _ = writer.exit_status(0).await;
                let _ = writer.eof().await;
                let _ = writer.close().await;
                break;
            }
        }
    }
    state.closed.notify_one();
}

/// Refuses a channel: only the one session channel of the dashboard is ever opened.
async fn refuse(reply: ChannelOpenHandle) {
    reply
        .reject(ChannelOpenFailure::AdministrativelyProhibited)
        .await;
}
