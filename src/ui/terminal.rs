//! Terminal hygiene: raw mode and the alternate screen on entry, restored on every exit path —
//! normal quit (a guard's `Drop`), panic (a hook), and SIGINT/SIGTERM/SIGHUP (a signal thread
//! that asks the loop to quit).

use std::io::{self, Stdout, Write};
use std::sync::Once;
use std::thread::JoinHandle;

use anyhow::Context;
use crossbeam_channel::{Receiver, TrySendError, bounded};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};

/// The dashboard's terminal: restored when dropped.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

/// Puts the terminal back: main screen, cooked mode, visible cursor. Idempotent, never fails
/// loudly (it runs on the way out, possibly from a panic).
pub fn restore() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(out, LeaveAlternateScreen, Show);
    let _ = out.flush();
}

/// Installs, once, a panic hook that restores the terminal before the default report.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen (with the panic hook in place first).
    pub fn enter() -> anyhow::Result<Self> {
        install_panic_hook();
        enable_raw_mode().context("cannot put the terminal in raw mode")?;
        let mut out = io::stdout();
        if let Err(e) = execute!(out, EnterAlternateScreen, Hide) {
            restore();
            return Err(e).context("cannot enter the alternate screen");
        }
        let terminal = match Terminal::new(CrosstermBackend::new(out)) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e).context("cannot set up the terminal");
            }
        };
        Ok(Self { terminal })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// A thread that turns SIGINT, SIGTERM and SIGHUP into messages for the UI loop.
pub struct SignalWatch {
    pub received: Receiver<i32>,
    handle: Handle,
    thread: Option<JoinHandle<()>>,
}

impl SignalWatch {
    pub fn start() -> anyhow::Result<Self> {
        let mut signals =
            Signals::new([SIGINT, SIGTERM, SIGHUP]).context("cannot install signal handlers")?;
        let handle = signals.handle();
        let (tx, rx) = bounded(4);
        let thread = std::thread::Builder::new()
            .name("recall-signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    // A full channel already holds a request to quit.
                    if let Err(TrySendError::Disconnected(_)) = tx.try_send(signal) {
                        break;
                    }
                }
            })
            .context("cannot start the signal thread")?;
        Ok(Self {
            received: rx,
            handle,
            thread: Some(thread),
        })
    }
}

impl Drop for SignalWatch {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
