//! `recall --screenshot FILE.svg`: the dashboard as it stands after a given model time, drawn
//! from the same buffer the terminal would get, with no terminal and no clock. The run is the
//! live one at speed 1 (the same `SimCore`, frames, snapshots at the frame rate, the theory
//! re-solved every half second of model time when the landscape moved), so a seed gives the
//! same picture on every machine.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::pipeline::{LogEntry, LogKind, RunStatus, SimCore, Source, THEORY_EVERY_SECS};
use crate::stimulus::held::Held;
use crate::stimulus::{ScenarioName, Stream, StreamConfig};

use super::app::{App, Msg};
use super::run::{DashboardConfig, dashboard_app, startup_memories};
use super::status::{MIN_HEIGHT, MIN_WIDTH};

/// The largest screen drawn, in cells (a 4K terminal at a small font).
pub const MAX_COLS: u16 = 400;
pub const MAX_ROWS: u16 = 150;
/// The longest run before the picture, in model seconds.
pub const MAX_AT_SECS: f64 = 3600.0;

/// What to draw: the dashboard of `config` after `at_secs` of model time, on a screen of
/// `cols` × `rows` cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shot {
    pub at_secs: f64,
    pub cols: u16,
    pub rows: u16,
}

/// Parses a screen size written `COLSxROWS` (e.g. `120x40`), from the dashboard's least size
/// (80×24) up to the maxima.
pub fn parse_size(text: &str) -> Result<(u16, u16), String> {
    let (c, r) = text
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("'{text}' is not a size: write COLSxROWS, e.g. 120x40"))?;
    let parse = |s: &str, what: &str, lo: u16, hi: u16| -> Result<u16, String> {
        // Read as a wide integer, so that a number too large for the screen is out of range
        // rather than "not a number".
        let v: u64 = s
            .trim()
            .parse()
            .map_err(|_| format!("'{s}' is not a number of {what} (in '{text}')"))?;
        if v < u64::from(lo) {
            // Below the dashboard's least size the picture would only say "too small".
            return Err(format!(
                "{v} {what} is out of range: {lo} to {hi} (the dashboard needs at least \
                 {MIN_WIDTH}×{MIN_HEIGHT})"
            ));
        }
        match u16::try_from(v) {
            Ok(v) if v <= hi => Ok(v),
            _ => Err(format!("{v} {what} is out of range: {lo} to {hi}")),
        }
    };
    Ok((
        parse(c, "columns", MIN_WIDTH, MAX_COLS)?,
        parse(r, "rows", MIN_HEIGHT, MAX_ROWS)?,
    ))
}

/// Runs the dashboard's simulation of `config` headless to `shot.at_secs` and renders the
/// screen into a buffer.
pub fn render(config: &DashboardConfig, shot: Shot) -> anyhow::Result<Buffer> {
    anyhow::ensure!(
        shot.at_secs.is_finite() && (0.0..=MAX_AT_SECS).contains(&shot.at_secs),
        "--at {} is out of range: 0 to {MAX_AT_SECS} model seconds",
        shot.at_secs
    );
    let (memories, startup_errors) = startup_memories(config.patterns.as_deref())?;
    let memories = Arc::new(memories);
    let fps = f64::from(config.fps.max(1));
    let mut app = dashboard_app(config);
    for error in startup_errors {
        app.update(Msg::Log(LogEntry {
            time_secs: 0.0,
            source: Source::Patterns,
            kind: LogKind::Error,
            text: error.to_string(),
            who: None,
        }));
    }
    let mut core = SimCore::new(
        Arc::clone(&memories),
        config.params.clone(),
        &app.models(),
        config.seed,
        config.stream.frame_secs,
    )
    .context("cannot build the models")?;
    // The state image's mean as the dashboard samples it at speed 1.
    core.set_display_speed(1.0);
    // As the pipeline does: the stream's clock follows the session's.
    let stream_config = StreamConfig {
        frame_secs: core.session().frame_secs(),
        ..config.stream.clone()
    };
    let mut held = (config.scenario == ScenarioName::Explore).then(|| {
        Held::new(
            crate::pipeline::explore_start(memories.p()),
            config.stream.clone(),
            config.seed,
        )
    });
    let mut stream = Stream::new(config.scenario, memories, stream_config, config.seed);
    let dt = core.params().dt_secs;
    let total_steps = (shot.at_secs / dt).round() as u64;
    // A snapshot per drawn frame at speed 1, and the theory checked every half second.
    let snapshot_every = ((1.0 / fps) / dt).round().max(1.0) as u64;
    let theory_every = (THEORY_EVERY_SECS / dt).round().max(1.0) as u64;
    let mut log = Vec::new();
    let deliver = |core: &mut SimCore, app: &mut App, log: &mut Vec<LogEntry>| {
        let status = RunStatus {
            pattern_errors: Vec::new(),
            steps_per_sec: config.speed / dt,
            paused: false,
            speed_reached: None,
            finished: false,
        };
        for entry in log.drain(..) {
            app.update(Msg::Log(entry));
        }
        let snapshot = core.snapshot(config.scenario, config.speed, status);
        app.update(Msg::Snapshot(Box::new(snapshot)));
    };
    // The density view does not run the network.
    let total_steps = if config.scenario == ScenarioName::Density {
        0
    } else {
        total_steps
    };
    while core.steps() < total_steps {
        if core.needs_frame() {
            let frame = match held.as_mut() {
                Some(held) => held.frame(core.memories(), core.time_secs()),
                None => stream.next_frame(),
            };
            core.feed(frame, &mut log);
            continue;
        }
        core.step(&mut log);
        let steps = core.steps();
        if steps.is_multiple_of(theory_every) {
            core.solve_theory_here();
        }
        if steps.is_multiple_of(snapshot_every) {
            deliver(&mut core, &mut app, &mut log);
        }
    }
    // As live: a last check, so the rows are as fresh as the dashboard's would be (the table
    // says how old they are).
    core.solve_theory_here();
    deliver(&mut core, &mut app, &mut log);
    if config.scenario == ScenarioName::Density {
        // The density view: its particles instead of the network, the solve in line.
        use crate::pipeline::density::{DT_SECS, DensityLive, DensitySettings, density_seed};
        let mut live = DensityLive::new(DensitySettings::default(), density_seed(config.seed, 0))
            .map_err(anyhow::Error::msg)?;
        live.solve_now();
        for _ in 0..(shot.at_secs / DT_SECS).round() as u64 {
            live.step();
        }
        let status = RunStatus {
            steps_per_sec: config.speed / DT_SECS,
            ..RunStatus::default()
        };
        let mut snapshot = core.snapshot(config.scenario, config.speed, status);
        // The same picture on every run: no wall-clock solve time.
        let mut view = live.view();
        view.solve = view.solve.untimed();
        snapshot.density = Some(Arc::new(view));
        app.update(Msg::Snapshot(Box::new(snapshot)));
    }
    app.update(Msg::FrameRate(fps));
    let mut buf = Buffer::empty(Rect::new(0, 0, shot.cols, shot.rows));
    (&app).render(buf.area, &mut buf);
    Ok(buf)
}

/// Solves, on this thread, every model whose landscape moved since its last solve.
/// Renders and writes the picture to `path` as SVG.
pub fn write(config: &DashboardConfig, shot: Shot, path: &Path) -> anyhow::Result<()> {
    let buf = render(config, shot)?;
    std::fs::write(path, super::svg::to_svg(&buf))
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_refuse_what_they_cannot_draw() {
        assert_eq!(parse_size("120x40"), Ok((120, 40)));
        assert_eq!(parse_size("80×24"), Ok((80, 24)));
        for bad in [
            "120", "x40", "0x0", "120x5", "5000x40", "ax b", "40x10", "79x24", "80x23",
        ] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
        // Too large for a u16 is out of range too, not "not a number".
        for (big, says) in [
            ("70000x60", "70000 columns is out of range"),
            ("120x99999999999", "99999999999 rows is out of range"),
        ] {
            let e = parse_size(big).unwrap_err();
            assert!(e.starts_with(says), "{big}: {e}");
        }
    }
}
