//! Terminal hygiene: raw mode and the alternate screen on entry, restored on every exit path —
//! normal quit (a guard's `Drop`), panic (a hook), and SIGINT/SIGTERM/SIGHUP (a signal thread
//! that asks the loop to quit) — and around a suspension (Ctrl-Z or SIGTSTP: restored, then
//! stopped; SIGCONT: raw mode, the alternate screen and a full redraw again).

use std::io::{self, Write};
use std::mem::ManuallyDrop;
use std::path::Path;
use std::sync::{Arc, Mutex, Once};
use std::thread::JoinHandle;

use super::cast::{CastWriter, Recording, Screen, lock};
use anyhow::Context;
use crossbeam_channel::{Receiver, TrySendError, bounded};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use signal_hook::consts::signal::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGTSTP};
use signal_hook::iterator::{Handle, Signals};

/// The dashboard's terminal: restored when dropped.
pub struct TerminalGuard {
    /// Never dropped: ratatui's `Drop` reports a failure to show the cursor with `eprintln!`,
    /// which panics when stderr is gone too (an SSH disconnect); [`restore`] does its work.
    pub terminal: ManuallyDrop<Terminal<CrosstermBackend<Screen>>>,
    /// The recording of what is drawn, if one was asked for.
    recording: Option<Arc<Mutex<Recording>>>,
}

/// Puts the terminal back: main screen, cooked mode, visible cursor. Idempotent, never fails
/// loudly (it runs on the way out, possibly from a panic).
pub fn restore() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, Show);
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

/// Raw mode and the alternate screen, cursor hidden.
fn take_over() -> anyhow::Result<()> {
    enable_raw_mode().context("cannot put the terminal in raw mode")?;
    // Mouse reports paint on the input image; terminals without them still work (keyboard).
    if let Err(e) = execute!(io::stdout(), EnterAlternateScreen, Hide, EnableMouseCapture) {
        restore();
        return Err(e).context("cannot enter the alternate screen");
    }
    Ok(())
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen (with the panic hook in place first).
    pub fn enter() -> anyhow::Result<Self> {
        Self::enter_recording(None)
    }

    /// As [`TerminalGuard::enter`], and every byte drawn is also recorded as an asciicast in
    /// `record` (created first, so that a path that cannot be written stops nothing else).
    pub fn enter_recording(record: Option<&Path>) -> anyhow::Result<Self> {
        let cast = match record {
            Some(path) => {
                let (cols, rows) = ratatui::crossterm::terminal::size()
                    .context("cannot read the terminal size")?;
                let cast = CastWriter::create(path, cols, rows)
                    .with_context(|| format!("cannot write the recording {}", path.display()))?;
                Some(Recording::shared(cast))
            }
            None => None,
        };
        install_panic_hook();
        take_over()?;
        let terminal = match Terminal::new(CrosstermBackend::new(Screen::new(cast.clone()))) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e).context("cannot set up the terminal");
            }
        };
        Ok(Self {
            terminal: ManuallyDrop::new(terminal),
            recording: cast,
        })
    }
}

impl TerminalGuard {
    /// Gives the terminal back to the shell and stops the process (as Ctrl-Z does to any
    /// program); returns once it is continued (`fg`), with the terminal taken over again and the
    /// screen to be drawn afresh.
    pub fn suspend(&mut self) -> anyhow::Result<()> {
        restore();
        // Stops the whole process until SIGCONT.
        let _ = signal_hook::low_level::emulate_default_handler(SIGTSTP);
        self.resume()
    }

    /// Takes the terminal over again after the process was continued (idempotent), and
    /// forgets what is on screen so that the next draw repaints every cell.
    pub fn resume(&mut self) -> anyhow::Result<()> {
        take_over()?;
        self.repaint()
    }

    /// Clears the screen at its current size and forgets what was drawn, so that the next
    /// draw repaints every cell. (Not `Terminal::clear`: it asks the terminal for the cursor
    /// position and fails when no answer comes, as over a slow link.)
    pub fn repaint(&mut self) -> anyhow::Result<()> {
        let size = self
            .terminal
            .size()
            .context("cannot read the terminal size")?;
        let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
        if let Some(recording) = &self.recording {
            lock(recording).resized(size.width, size.height);
        }
        self.terminal
            .resize(area)
            .context("cannot clear the screen")
    }
}

impl TerminalGuard {
    /// Ends the recording (the cursor shown again) and says why it stopped early, if it did.
    pub fn recording_error(&mut self) -> Option<io::Error> {
        self.recording.as_ref().and_then(|r| {
            let mut recording = lock(r);
            recording.finish();
            recording.take_error()
        })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if let Some(recording) = &self.recording {
            lock(recording).finish();
        }
        restore();
    }
}

/// A thread that turns SIGINT, SIGTERM, SIGHUP (quit), SIGTSTP (suspend) and SIGCONT (resume)
/// into messages for the UI loop.
pub struct SignalWatch {
    pub received: Receiver<i32>,
    handle: Handle,
    thread: Option<JoinHandle<()>>,
}

impl SignalWatch {
    pub fn start() -> anyhow::Result<Self> {
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT])
            .context("cannot install signal handlers")?;
        let handle = signals.handle();
        let (tx, rx) = bounded(8);
        let thread = std::thread::Builder::new()
            .name("recall-signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    // A full channel already holds a request to quit (or eight suspensions).
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
