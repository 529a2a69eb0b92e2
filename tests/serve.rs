//! `recall serve` on loopback with real OpenSSH clients, in tmux panes of their own sizes.
//! Every test starts its own server on a random port with a fresh host key and presenter key,
//! and runs its clients on a private tmux server. Without `ssh`, `ssh-keygen`, `sftp` or `tmux`
//! on the PATH the tests say so and pass (install Debian's openssh-client and tmux to run
//! them). The tests run one at a time (a lock), so the measurements do not share the machine
//! with each other.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn on_path(bin: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(bin).is_file()))
}

/// The client tools, or a line saying which one is missing.
fn tools() -> Option<()> {
    for bin in ["ssh", "ssh-keygen", "sftp", "tmux"] {
        if !on_path(bin) {
            eprintln!(
                "skipped: `{bin}` is not installed (apt-get install -y openssh-client tmux runs these tests)"
            );
            return None;
        }
    }
    Some(())
}

struct Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    /// stderr lines so far.
    log: Arc<Mutex<Vec<String>>>,
    tmux: PathBuf,
}

impl Server {
    fn start(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("presenter");
        let made = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "presenter", "-f"])
            .arg(&key)
            .status()
            .unwrap();
        assert!(made.success());
        Self::start_in(dir, extra)
    }

    fn start_in(dir: tempfile::TempDir, extra: &[&str]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_recall"));
        cmd.arg("serve");
        if !extra.contains(&"--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        cmd.arg("--host-key")
            .arg(dir.path().join("host_key"))
            .arg("--presenter-key")
            .arg(dir.path().join("presenter.pub"))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("recall serve starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let tmux = dir.path().join("tmux.sock");
        let mut server = Self {
            child,
            port: 0,
            dir,
            log,
            tmux,
        };
        let line = server.wait_for_log("listening on", Duration::from_secs(10));
        server.port = listening_port(&line).unwrap();
        server
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn wait_for_log(&self, needle: &str, patience: Duration) -> String {
        let start = Instant::now();
        loop {
            if let Some(l) = self.log.lock().unwrap().iter().find(|l| l.contains(needle)) {
                return l.clone();
            }
            assert!(
                start.elapsed() < patience,
                "no {needle:?} in the server's log: {:?}",
                self.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_lines(&self, needle: &str) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(needle))
            .cloned()
            .collect()
    }

    /// ssh options: no host key prompts, no agent, no config of the machine.
    fn ssh_opts(&self) -> Vec<String> {
        let kh = self.dir.path().join("known_hosts");
        [
            "-F",
            "/dev/null",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
            &format!("UserKnownHostsFile={}", kh.display()),
            "-o",
            "LogLevel=ERROR",
            "-o",
            "IdentityAgent=none",
            "-o",
            "ConnectTimeout=10",
            // One name for the server whatever its port, so a restart can be checked strictly.
            "-o",
            "HostKeyAlias=recall-serve-test",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// The ssh command of a viewer (anonymous) or of the presenter (its key).
    fn ssh_command(&self, user: &str, presenter: bool) -> String {
        let mut parts = vec!["ssh".to_string(), "-p".into(), self.port.to_string()];
        parts.extend(self.ssh_opts());
        if presenter {
            parts.extend([
                "-i".into(),
                self.dir.path().join("presenter").display().to_string(),
                "-o".into(),
                "IdentitiesOnly=yes".into(),
            ]);
        } else {
            parts.extend(["-o".into(), "PubkeyAuthentication=no".into()]);
        }
        parts.push(format!("{user}@127.0.0.1"));
        parts.join(" ")
    }

    /// Runs a client to its end (stdin closed), with its output.
    fn client(&self, program: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new("timeout");
        cmd.arg("20").arg(program);
        if program == "sftp" {
            cmd.args(["-P", &self.port.to_string()]);
        } else {
            cmd.args(["-p", &self.port.to_string()]);
        }
        cmd.args(self.ssh_opts())
            .args(["-o", "PubkeyAuthentication=no"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.tmux)
            .args(["-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    }

    /// A pane running `command` at cols × rows (then a shell that waits, so that tmux reads
    /// everything the client wrote before it ended).
    fn pane(&self, name: &str, cols: u16, rows: u16, command: &str) {
        let command = format!("{command}; sleep 600");
        let command = command.as_str();
        let out = self.tmux(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
            command,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Keep the pane (and what it shows) when its client ends.
        let kept = self.tmux(&["set-option", "-w", "-t", name, "remain-on-exit", "on"]);
        assert!(
            kept.status.success(),
            "{}",
            String::from_utf8_lossy(&kept.stderr)
        );
    }

    fn screen(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", name]).stdout).into_owned()
    }

    fn keys(&self, name: &str, keys: &str) {
        self.tmux(&["send-keys", "-t", name, "-l", keys]);
    }

    fn wait_screen(&self, name: &str, needle: &str, patience: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen(name);
            if s.contains(needle) {
                return s;
            }
            assert!(
                start.elapsed() < patience,
                "pane {name} never showed {needle:?}; it shows:\n{s}\npanes: {}\nserver log: {:?}",
                String::from_utf8_lossy(
                    &self
                        .tmux(&[
                            "list-panes",
                            "-a",
                            "-F",
                            "#{session_name} #{pane_dead} #{pane_dead_status}"
                        ])
                        .stdout
                ),
                self.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The pid of the client in a pane (the child of the pane's shell).
    fn client_pid(&self, name: &str) -> i32 {
        let out = self.tmux(&["display-message", "-p", "-t", name, "#{pane_pid}"]);
        let shell: i32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        let children =
            std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
        children.split_whitespace().next().unwrap().parse().unwrap()
    }

    /// CPU seconds the server used so far (user + system).
    fn cpu_secs(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        ticks / 100.0
    }

    fn signal(&self, sig: &str) {
        Command::new("kill")
            .args([sig, &self.pid().to_string()])
            .status()
            .unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status_line(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

/// "15fps" and "100st/s" (or "15 fps", "100 steps/s") of a status line.
fn number_before(line: &str, unit: &str) -> Option<f64> {
    let at = line.find(unit)?;
    let head = line[..at].trim_end();
    let start = head
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(0, |i| i + 1);
    head[start..].parse().ok()
}

fn sigma(line: &str) -> Option<f64> {
    let rest = &line[line.find('σ')? + 'σ'.len_utf8()..];
    rest.split_whitespace()
        .next()?
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()
}

/// frames/s and KB/s of a leave line of the server's log.
fn leave_figures(line: &str) -> (f64, f64) {
    let fps = line
        .split(" frames (")
        .nth(1)
        .and_then(|r| r.split("/s)").next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    let kbs = line
        .split(" bytes (")
        .nth(1)
        .and_then(|r| r.split(" KB/s)").next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    (fps, kbs)
}

const PATIENCE: Duration = Duration::from_secs(15);

#[test]
fn viewers_see_the_dashboard_at_their_own_sizes_and_a_resize_is_followed() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = Server::start(&[]);
    server.pane("wide", 120, 40, &server.ssh_command("ann", false));
    server.pane("small", 90, 28, &server.ssh_command("bob", false));
    // The wide screen's event log is below its images: waiting for it, not for the images, so
    // that a frame caught half drawn on a busy machine is not read as one without it.
    let wide = server.wait_screen("wide", "events (model time)", PATIENCE);
    let small = server.wait_screen("small", "state Ψ(x)", PATIENCE);
    for (screen, rows) in [(&wide, 40), (&small, 28)] {
        assert_eq!(screen.lines().count(), rows, "{screen}");
        assert!(status_line(screen).contains("view only"), "{screen}");
        assert!(screen.contains("input u"), "{screen}");
    }
    // The layouts of the two sizes: the event log from 100×30 only (the wide one's is waited
    // for above).
    assert!(!small.contains("events (model time)"), "{small}");
    assert!(wide.lines().all(|l| l.chars().count() <= 120), "{wide}");
    // A resize of the small one: its screen is redrawn at the new size.
    server.tmux(&["resize-window", "-t", "small", "-x", "130", "-y", "45"]);
    let resized = server.wait_screen("small", "events (model time)", PATIENCE);
    assert_eq!(resized.lines().count(), 45, "{resized}");
    assert!(
        resized.lines().any(|l| l.chars().count() > 120),
        "{resized}"
    );
}

#[test]
fn the_presenter_controls_the_run_and_a_viewers_keys_change_nothing_shared() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = Server::start(&[]);
    server.pane("presenter", 120, 40, &server.ssh_command("alice", true));
    server.pane("viewer", 100, 30, &server.ssh_command("bob", false));
    let p = server.wait_screen("presenter", "you control", PATIENCE);
    let v = server.wait_screen("viewer", "view only · presenter alice", PATIENCE);
    assert_eq!(sigma(status_line(&p)), Some(2.0), "{p}");
    assert_eq!(sigma(status_line(&v)), Some(2.0), "{v}");

    // The viewer presses every key that changes the run: noise, speed, model, compare, filter,
    // glitch, next, reset, scenario, paint, and pauses and resumes its own screen.
    server.keys("viewer", "+++]]mfgnrspx");
    server.keys("viewer", " ");
    let frozen = server.wait_screen("viewer", "SCREEN PAUSED", PATIENCE);
    assert!(frozen.contains("view only"), "{frozen}");
    std::thread::sleep(Duration::from_millis(1500));
    server.keys("viewer", " ");
    std::thread::sleep(Duration::from_millis(1000));
    let p = server.screen("presenter");
    let line = status_line(&p);
    assert_eq!(sigma(line), Some(2.0), "a viewer changed the noise: {line}");
    assert!(line.contains(" idp ") && line.contains("tour"), "{line}");
    assert!(!line.contains("PAUSED") && !line.contains("vs"), "{line}");
    assert!(!p.contains("drawing"), "{p}");
    let v = server.screen("viewer");
    assert!(!status_line(&v).contains("PAUSED"), "{v}");

    // The presenter raises the noise twice: both screens show σ 3.0.
    server.keys("presenter", "++");
    server.wait_screen("presenter", "σ3.0", PATIENCE);
    server.wait_screen("viewer", "σ3.0", PATIENCE);
    // The presenter's join is in the screens' log; the viewer's only on the server's stderr.
    server.wait_for_log("joined as presenter", PATIENCE);
    server.wait_for_log("bob@127.0.0.1", PATIENCE);
}

#[test]
fn shell_exec_port_forwarding_and_sftp_are_refused() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = Server::start(&[]);
    let text = |o: &Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };

    let exec = server.client("ssh", &["127.0.0.1", "id"]);
    assert_eq!(exec.status.code(), Some(255), "{}", text(&exec));
    assert!(
        text(&exec).contains("exec request failed"),
        "{}",
        text(&exec)
    );
    assert!(!text(&exec).contains("uid="), "{}", text(&exec));

    // A shell without a terminal: no shell, one line saying so, status 1, stdin never run.
    let mut shell = Command::new("timeout");
    shell
        .args(["20", "ssh", "-T", "-p", &server.port.to_string()])
        .args(server.ssh_opts())
        .args(["-o", "PubkeyAuthentication=no", "127.0.0.1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = shell.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(b"id\necho pwned\n");
    }
    let shell = child.wait_with_output().unwrap();
    assert_eq!(shell.status.code(), Some(1), "{}", text(&shell));
    assert!(
        text(&shell).contains("needs a terminal"),
        "{}",
        text(&shell)
    );
    assert!(!text(&shell).contains("uid=") && !text(&shell).contains("pwned"));

    let sftp = server.client("sftp", &["127.0.0.1"]);
    assert!(!sftp.status.success(), "{}", text(&sftp));
    assert!(
        text(&sftp).contains("subsystem request failed"),
        "{}",
        text(&sftp)
    );

    // Local forwarding (-W is -L's stdio form): the channel is refused.
    let direct = server.client("ssh", &["-W", "127.0.0.1:22", "127.0.0.1"]);
    assert!(!direct.status.success());
    assert!(
        text(&direct).contains("administratively prohibited")
            || text(&direct).contains("stdio forwarding failed"),
        "{}",
        text(&direct)
    );
    // Remote forwarding: the request is refused.
    let remote = server.client(
        "ssh",
        &[
            "-N",
            "-o",
            "ExitOnForwardFailure=yes",
            "-R",
            "127.0.0.1:0:127.0.0.1:22",
            "127.0.0.1",
        ],
    );
    assert!(!remote.status.success());
    assert!(
        text(&remote).contains("forwarding failed"),
        "{}",
        text(&remote)
    );
    // Agent and X11 forwarding with a command: the command is refused all the same.
    let agent = server.client("ssh", &["-A", "-X", "127.0.0.1", "true"]);
    assert_eq!(agent.status.code(), Some(255), "{}", text(&agent));
}

#[test]
fn the_host_key_is_kept_anonymous_viewers_need_loopback_and_limits_hold() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = Server::start(&["--max-viewers", "1", "--idle-timeout", "3"]);
    let key = server.dir.path().join("host_key");
    let mode = std::fs::metadata(&key).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);
    // A first viewer takes the only place; the second is told the room is full.
    server.pane("first", 100, 30, &server.ssh_command("ann", false));
    server.wait_screen("first", "view only", PATIENCE);
    let full = server.client("ssh", &["-tt", "127.0.0.1"]);
    let text =
        String::from_utf8_lossy(&full.stdout).into_owned() + &String::from_utf8_lossy(&full.stderr);
    assert!(text.contains("the room is full"), "{text}");
    // The first viewer types nothing: after the idle time it is sent off with a line.
    let gone = server.wait_screen("first", "without a key: goodbye", PATIENCE);
    assert!(
        !gone.contains("state Ψ(x)"),
        "the alternate screen is left: {gone}"
    );

    // A restart on the same key: known_hosts stays valid (strict checking passes).
    let ServerParts { dir } = server_into_parts(server);
    let again = Server::start_in(dir, &[]);
    let mut strict = again.ssh_opts();
    strict[3] = "StrictHostKeyChecking=yes".into();
    let out = Command::new("timeout")
        .args(["20", "ssh", "-T", "-p", &again.port.to_string()])
        .args(&strict)
        .args(["-o", "PubkeyAuthentication=no", "127.0.0.1"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("needs a terminal"), "{text}");
    drop(again);

    // On an address that is not loopback, no anonymous viewer without --allow-anonymous (the
    // server still listens on every address, so loopback reaches it).
    let lan = Server::start(&["--listen", "0.0.0.0:0"]);
    lan.wait_for_log("only the presenter gets in", PATIENCE);
    let refused = lan.client(
        "ssh",
        &["-T", "-o", "NumberOfPasswordPrompts=0", "127.0.0.1"],
    );
    let text = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert_eq!(refused.status.code(), Some(255), "{text}");
    assert!(text.contains("Permission denied"), "{text}");
}

/// Stops the server but keeps its folder (host key, presenter key) for a restart.
fn server_into_parts(mut server: Server) -> ServerParts {
    server.tmux(&["kill-server"]);
    let _ = server.child.kill();
    let _ = server.child.wait();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    ServerParts { dir }
}

struct ServerParts {
    dir: tempfile::TempDir,
}

#[test]
fn sigterm_sends_every_viewer_a_goodbye_and_ends_the_server() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let mut server = Server::start(&[]);
    server.pane("a", 100, 30, &server.ssh_command("ann", false));
    server.pane("b", 120, 40, &server.ssh_command("alice", true));
    server.wait_screen("a", "view only", PATIENCE);
    server.wait_screen("b", "you control", PATIENCE);
    server.signal("-TERM");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "still running");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(128 + 15));
    for pane in ["a", "b"] {
        let s = server.wait_screen(pane, "recall serve stopped: goodbye.", PATIENCE);
        assert!(!s.contains("state Ψ(x)"), "{s}");
    }
}

#[test]
fn a_stopped_viewer_slows_neither_the_run_nor_the_other_viewers() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = Server::start(&[]);
    let window = Duration::from_secs(12);
    // A viewer that will stop reading, and a watcher whose frame rate is measured: first with
    // the other reading, then with it stopped.
    server.pane("stalled", 120, 40, &server.ssh_command("stalled", false));
    server.wait_screen("stalled", "view only", PATIENCE);
    let measure = |name: &str, user: &str| -> (f64, f64) {
        server.pane(name, 120, 40, &server.ssh_command(user, false));
        server.wait_screen(name, "view only", PATIENCE);
        std::thread::sleep(window);
        let steps = number_before(status_line(&server.screen(name)), "st/s").unwrap();
        server.keys(name, "q");
        let start = Instant::now();
        let leave = loop {
            if let Some(l) = server
                .log_lines(&format!("{user}@"))
                .into_iter()
                .find(|l| l.contains(" left after "))
            {
                break l;
            }
            assert!(start.elapsed() < PATIENCE, "{user} never left");
            std::thread::sleep(Duration::from_millis(50));
        };
        (leave_figures(&leave).0, steps)
    };
    let (fps_before, steps_before) = measure("before", "before");
    let pid = server.client_pid("stalled");
    Command::new("kill")
        .args(["-STOP", &pid.to_string()])
        .status()
        .unwrap();
    let (fps_stalled, steps_stalled) = measure("during", "during");
    Command::new("kill")
        .args(["-CONT", &pid.to_string()])
        .status()
        .unwrap();
    eprintln!(
        "watcher: {fps_before:.1} frames/s and {steps_before:.0} steps/s with the other viewer reading, \
         {fps_stalled:.1} frames/s and {steps_stalled:.0} steps/s with it stopped (SIGSTOP)"
    );
    // A frame rate to compare (15 fps asked; a loaded machine may draw fewer).
    assert!(fps_before >= 5.0, "{fps_before}");
    assert!(
        fps_stalled >= 0.85 * fps_before,
        "{fps_stalled} < {fps_before}"
    );
    assert!(
        steps_stalled >= 0.9 * steps_before,
        "{steps_stalled} < {steps_before}"
    );
    // The stopped viewer, continued, is shown the run again.
    let t_before = server.screen("stalled");
    std::thread::sleep(Duration::from_secs(2));
    let t_after = server.screen("stalled");
    assert_ne!(status_line(&t_before), status_line(&t_after));
}

#[test]
fn twenty_viewers_stay_within_the_byte_budget() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = Server::start(&[]);
    let names: Vec<String> = (0..20).map(|i| format!("v{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        // Two sizes, as a room has.
        let (cols, rows) = if i % 2 == 0 { (120, 40) } else { (100, 30) };
        server.pane(name, cols, rows, &server.ssh_command(name, false));
    }
    for name in &names {
        server.wait_screen(name, "view only", Duration::from_secs(30));
    }
    std::thread::sleep(Duration::from_secs(3));
    let (cpu0, t0) = (server.cpu_secs(), Instant::now());
    std::thread::sleep(Duration::from_secs(10));
    let core = (server.cpu_secs() - cpu0) / t0.elapsed().as_secs_f64();
    for name in &names {
        server.keys(name, "q");
    }
    let start = Instant::now();
    while server.log_lines(" left after ").len() < names.len() {
        assert!(start.elapsed() < PATIENCE, "{:?}", server.log_lines(""));
        std::thread::sleep(Duration::from_millis(100));
    }
    let rates: Vec<f64> = server
        .log_lines(" left after ")
        .iter()
        .map(|l| leave_figures(l).1)
        .collect();
    let most = rates.iter().cloned().fold(0.0, f64::max);
    eprintln!(
        "20 viewers: the server used {:.1}% of a core; per viewer {:.1}–{most:.1} KB/s",
        core * 100.0,
        rates.iter().cloned().fold(f64::INFINITY, f64::min)
    );
    assert!(most <= 40.0, "a viewer was sent {most} KB/s");
    // The CPU is a measurement (printed above; the README has the figures), not a timing
    // assertion: a busy test machine would make it fail for nothing the code did.
    assert!(core > 0.0, "the server's CPU time was not measured");
}

/// `recall serve` with these flags, expected to refuse to start: its status and stderr (a
/// server still running after 10 s is killed, and says so).
fn refused_start(dir: &std::path::Path, extra: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recall"))
        .args(["serve", "--listen", "127.0.0.1:0", "--presenter-key"])
        .arg(dir.join("presenter.pub"))
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            return (
                None,
                format!(
                    "still running after 10 s: {}",
                    String::from_utf8_lossy(&out.stderr)
                ),
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn presenter_key_in(dir: &std::path::Path) {
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "presenter", "-f"])
        .arg(dir.join("presenter"))
        .status()
        .unwrap();
    assert!(made.success());
}

#[test]
fn an_idle_timeout_that_overflows_is_refused() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    presenter_key_in(dir.path());
    let host_key = dir.path().join("host_key");
    let (status, err) = refused_start(
        dir.path(),
        &[
            "--host-key".as_ref(),
            host_key.as_os_str(),
            "--idle-timeout".as_ref(),
            "18446744073709551615".as_ref(),
        ],
    );
    assert_eq!(status, Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--idle-timeout 18446744073709551615"), "{err}");
    assert!(err.contains("at most"), "{err}");
}

#[test]
fn host_keys_that_cannot_serve_are_refused_in_one_line_that_says_what_the_file_is() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    presenter_key_in(dir.path());
    // A key with a passphrase: the server cannot ask for it.
    let locked = dir.path().join("locked_key");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "secret words", "-f"])
        .arg(&locked)
        .status()
        .unwrap();
    assert!(made.success());
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "these are my notes\n").unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    let public = dir.path().join("presenter.pub");
    for path in [&text, &empty, &public] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let cases = [
        (&locked, "protected by a passphrase"),
        (&text, "is text but not a key"),
        (&empty, "is empty"),
        (&public, "is a public key"),
        (&folder, "is a directory"),
    ];
    for (path, says) in cases {
        let (status, err) = refused_start(dir.path(), &["--host-key".as_ref(), path.as_os_str()]);
        assert_eq!(status, Some(1), "{}: {err}", path.display());
        assert_eq!(err.lines().count(), 1, "{}: {err}", path.display());
        assert!(err.contains(says), "{}: {err}", path.display());
        assert!(!err.contains("listening"), "{err}");
        if path != &locked {
            assert!(err.contains("expected an OpenSSH private key"), "{err}");
        }
    }
    // Readable by others, what the file is comes first: a public key was told to chmod 600,
    // and only after that that it was not a private key. A private key readable by others is
    // told to chmod.
    std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_, err) = refused_start(dir.path(), &["--host-key".as_ref(), public.as_os_str()]);
    assert!(
        err.contains("is a public key") && !err.contains("chmod"),
        "{err}"
    );
    let open = dir.path().join("open_key");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&open)
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (status, err) = refused_start(dir.path(), &["--host-key".as_ref(), open.as_os_str()]);
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("chmod 600"), "{err}");
}

#[test]
fn the_presenter_gets_in_when_viewers_fill_the_room() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = Server::start(&["--max-viewers", "1"]);
    server.pane("viewer", 100, 30, &server.ssh_command("ann", false));
    server.wait_screen("viewer", "view only", PATIENCE);
    server.pane("presenter", 120, 40, &server.ssh_command("alice", true));
    let p = server.wait_screen("presenter", "you control", PATIENCE);
    assert!(!p.contains("the room is full"), "{p}");
    // A second viewer still finds the room full.
    let full = server.client("ssh", &["-tt", "127.0.0.1"]);
    let text =
        String::from_utf8_lossy(&full.stdout).into_owned() + &String::from_utf8_lossy(&full.stderr);
    assert!(text.contains("the room is full"), "{text}");
}

/// The socket was closed by the server (what it sent before is read and dropped).
fn closed_by_server(socket: &mut std::net::TcpStream) -> bool {
    use std::io::Read;
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match socket.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn sockets_that_never_log_in_lock_no_one_out() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    use std::io::Write;
    use std::net::TcpStream;
    let server = Server::start(&[]);
    let addr = ("127.0.0.1", server.port);
    // 10 sockets that send a bare banner and stop, then 70 that send nothing: more than the
    // 50 viewers and the 8 logging in that used to fill every place.
    let mut flood = Vec::new();
    for _ in 0..10 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"SSH-2.0-stalling\r\n").unwrap();
        flood.push(s);
    }
    for _ in 0..70 {
        flood.push(TcpStream::connect(addr).unwrap());
    }
    let opened = Instant::now();
    // The presenter and a viewer get in all the same.
    server.pane("presenter", 120, 40, &server.ssh_command("alice", true));
    server.wait_screen("presenter", "you control", PATIENCE);
    server.pane("viewer", 100, 30, &server.ssh_command("bob", false));
    server.wait_screen("viewer", "view only", PATIENCE);
    // The silent ones are closed after the 5 s banner grace.
    std::thread::sleep(Duration::from_secs(7).saturating_sub(opened.elapsed()));
    let (banners, silent) = flood.split_at_mut(10);
    let open = silent
        .iter_mut()
        .map(closed_by_server)
        .filter(|c| !c)
        .count();
    assert_eq!(open, 0, "{open} of 70 silent sockets still open after 7 s");
    // A bare banner that never authenticates is closed after the 20 s authentication grace
    // (newcomers from the same address took the place of some of them already).
    std::thread::sleep(Duration::from_secs(22).saturating_sub(opened.elapsed()));
    let open = banners
        .iter_mut()
        .map(closed_by_server)
        .filter(|c| !c)
        .count();
    assert_eq!(
        open, 0,
        "{open} of 10 stalled handshakes still open after 22 s"
    );
    // The presenter's and the viewer's dashboards are still there.
    assert!(status_line(&server.screen("presenter")).contains("you control"));
    assert!(status_line(&server.screen("viewer")).contains("view only"));
}

/// A server with presenter alice and viewer bob, both at 120×40, each seeing its role.
fn classroom() -> Server {
    let server = Server::start(&[]);
    server.pane("presenter", 120, 40, &server.ssh_command("alice", true));
    server.wait_screen("presenter", "you control", PATIENCE);
    server.pane("viewer", 120, 40, &server.ssh_command("bob", false));
    server.wait_screen("viewer", "view only · presenter alice", PATIENCE);
    server
}

/// A presenter who pauses and leaves would leave every viewer frozen, with no one able to
/// resume: the run resumes, and the log says why.
#[test]
fn a_run_the_last_presenter_left_paused_resumes() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = classroom();
    server.keys("presenter", " ");
    let v = server.wait_screen("viewer", "PAUSED", PATIENCE);
    assert!(status_line(&v).contains("PAUSED"), "{v}");
    server.keys("presenter", "q");
    server.wait_screen("viewer", "view only · no one", PATIENCE);
    let v = server.wait_screen("viewer", "no presenter left: resumed", PATIENCE);
    let start = Instant::now();
    let mut v = v;
    while status_line(&v).contains("PAUSED") {
        assert!(start.elapsed() < PATIENCE, "still paused: {v}");
        std::thread::sleep(Duration::from_millis(100));
        v = server.screen("viewer");
    }
}

/// The pause and the leave in one packet (a script, a fast hand): the pause has reached no
/// snapshot when the presenter leaves, and is undone all the same.
#[test]
fn a_pause_sent_with_the_leave_is_undone_too() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = classroom();
    server.keys("presenter", " q");
    server.wait_screen("viewer", "no presenter left: resumed", PATIENCE);
    let start = Instant::now();
    while status_line(&server.screen("viewer")).contains("PAUSED") {
        assert!(start.elapsed() < PATIENCE, "still paused");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_classroom_knows_who_acted_how_to_join_and_how_many_watch() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = classroom();
    // The presenter's status line: how to join, and how many watch (the viewer).
    let join = format!("ssh -p {} 127.0.0.1 · 1 watching", server.port);
    let p = server.wait_screen("presenter", &join, PATIENCE);
    assert!(status_line(&p).contains(&join), "{p}");

    // A viewer's key of the presenter's: a flash says why nothing happened.
    server.keys("viewer", "g");
    let v = server.wait_screen(
        "viewer",
        "view only: the presenter controls the run",
        PATIENCE,
    );
    assert!(!v.contains("glitch injected"), "{v}");

    // The presenter injects a glitch: "you" on the presenter's screen, the name elsewhere.
    server.keys("presenter", "g");
    // (The events panel wraps the line after "glitch".)
    let v = server.wait_screen("viewer", "presenter alice glitch", PATIENCE);
    assert!(!v.contains("you glitch injected"), "{v}");
    let p = server.wait_screen("presenter", "you glitch injected", PATIENCE);
    assert!(!p.contains("presenter alice glitch"), "{p}");
    // σ and speed changes name who made them too (a user trial could not tell who raised σ).
    server.keys("presenter", "+");
    server.wait_screen("viewer", "presenter alice set σ 2.5", PATIENCE);
    server.wait_screen("presenter", "you set σ 2.5", PATIENCE);
    // A second presenter: each presenter's status line says the control is shared, and with
    // whom.
    server.pane("second", 120, 40, &server.ssh_command("carol", true));
    let p = server.wait_screen("presenter", "shared control · ssh -p", PATIENCE);
    assert!(status_line(&p).contains("1 watching"), "{p}");
    // Where the line has room, with whom.
    server.tmux(&["resize-window", "-t", "second", "-x", "220", "-y", "40"]);
    server.wait_screen(
        "second",
        "you share control: presenter alice + presenter carol",
        PATIENCE,
    );
    // The flash goes after its two seconds.
    let start = Instant::now();
    while server
        .screen("viewer")
        .contains("view only: the presenter controls")
    {
        assert!(start.elapsed() < Duration::from_secs(5), "the flash stays");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_student_refused_by_a_presenter_only_server_is_told_why() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let lan = Server::start(&["--listen", "0.0.0.0:0"]);
    // OpenSSH shows a server's banner at its default log level (INFO).
    let mut opts = lan.ssh_opts();
    let level = opts.iter().position(|o| o == "LogLevel=ERROR").unwrap();
    opts[level] = "LogLevel=INFO".into();
    let refused = Command::new("timeout")
        .args(["20", "ssh", "-T", "-p", &lan.port.to_string()])
        .args(&opts)
        .args([
            "-o",
            "PubkeyAuthentication=no",
            "-o",
            "NumberOfPasswordPrompts=0",
        ])
        .arg("127.0.0.1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert_eq!(refused.status.code(), Some(255), "{text}");
    assert!(text.contains("admits only the presenter"), "{text}");
    assert!(text.contains("--allow-anonymous"), "{text}");
}

#[test]
fn a_headless_server_killed_says_goodbye_on_stderr() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let mut server = Server::start(&[]);
    server.pane("a", 100, 30, &server.ssh_command("ann", false));
    server.wait_screen("a", "view only", PATIENCE);
    server.signal("-TERM");
    let start = Instant::now();
    while server.child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(5), "still running");
        std::thread::sleep(Duration::from_millis(50));
    }
    let line = server.wait_for_log("recall serve: stopped after", PATIENCE);
    assert!(
        line.contains("1 connected screen(s) were sent a goodbye"),
        "{line}"
    );
    assert!(line.contains("1 joined in all"), "{line}");
}

/// The first line of the file at `path` that contains `needle`, waiting for it.
fn line_in(path: &std::path::Path, needle: &str) -> String {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains(needle)) {
            return line.to_string();
        }
        assert!(start.elapsed() < PATIENCE, "no {needle:?} line: {text:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The port in a server's "listening on 127.0.0.1:PORT …" line.
fn listening_port(line: &str) -> Option<u16> {
    let addr = line
        .split("listening on ")
        .nth(1)?
        .split_whitespace()
        .next()?;
    addr.rsplit(':').next()?.parse().ok()
}

#[test]
fn a_host_terminals_closing_line_counts_the_screens_it_sent_away() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    // A server with a terminal of its own, in a pane: `q` there stops it. It shares the
    // test server's host key (so the clients' known host holds) on a port of its own.
    let server = Server::start(&[]);
    let dir = server.dir.path();
    let log = dir.join("host.log");
    server.pane(
        "host",
        120,
        40,
        &format!(
            "{} serve --listen 127.0.0.1:0 --host-key {} --presenter-key {} 2>{}",
            env!("CARGO_BIN_EXE_recall"),
            dir.join("host_key").display(),
            dir.join("presenter.pub").display(),
            log.display()
        ),
    );
    // The port the system gave it (binding one first and handing it over could race).
    let port = listening_port(&line_in(&log, "listening on")).unwrap();
    let on_port =
        |cmd: String| cmd.replace(&format!("-p {} ", server.port), &format!("-p {port} "));
    server.wait_screen("host", "watching", PATIENCE);
    server.pane("a", 100, 30, &on_port(server.ssh_command("ann", false)));
    server.pane("b", 100, 30, &on_port(server.ssh_command("bob", false)));
    server.wait_screen("a", "view only", PATIENCE);
    server.wait_screen("b", "view only", PATIENCE);
    server.wait_screen("host", "2 watching", PATIENCE);
    server.keys("host", "q");
    for pane in ["a", "b"] {
        server.wait_screen(pane, "recall serve stopped: goodbye.", PATIENCE);
    }
    let closing = line_in(&log, "stopped after");
    assert!(
        closing.contains("; 2 connected screen(s) were sent a goodbye (2 joined in all)"),
        "{closing}"
    );
}

/// Linux answers on every address of 127.0.0.0/8; other systems on 127.0.0.1 alone.
#[cfg(target_os = "linux")]
#[test]
fn idle_sockets_from_many_addresses_lock_out_neither_presenter_nor_viewer() {
    let Some(()) = tools() else { return };
    let _serial = serial();
    let server = Server::start(&[]);
    // 400 sockets that send nothing, each from a loopback address of its own (127.0.1.1 …):
    // with the random early drop from 30 waiting on, about 98 of them wait, and a newcomer was
    // turned away 98 times in 100.
    let target: std::net::SocketAddr = ([127, 0, 0, 1], server.port).into();
    let mut flood = Vec::new();
    for k in 0..400u32 {
        let from: std::net::SocketAddr =
            ([127, 0, 1 + (k / 250) as u8, (k % 250) as u8 + 1], 0).into();
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        s.bind(&from.into()).unwrap();
        if s.connect(&target.into()).is_ok() {
            flood.push(s);
        }
    }
    assert!(flood.len() >= 300, "{} sockets connected", flood.len());
    // A real client sends its banner at once: the oldest silent socket gives way to it.
    std::thread::sleep(Duration::from_millis(600));
    server.pane("presenter", 120, 40, &server.ssh_command("alice", true));
    server.wait_screen("presenter", "you control", PATIENCE);
    server.pane("viewer", 100, 30, &server.ssh_command("bob", false));
    server.wait_screen("viewer", "view only", PATIENCE);
    // The log says that connections were turned away, and why one may try again.
    server.wait_for_log("connection(s) away at the door", PATIENCE);
    drop(flood);
}
