//! The shell: dispatches the parsed command line to the dashboard, the headless runner, the
//! experiments or the pattern check, and turns their outcomes and errors into one line on
//! stderr and an exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use std::sync::Arc;

use crate::cli::{Cli, Command, Format, RunArgs};
use crate::patterns::watch::{WatchOptions, Watcher};
use crate::stimulus::ScenarioName;
use crate::ui::Outcome;

/// Exit status for usage errors (bad flags, no terminal).
pub const USAGE: u8 = 2;

/// Prints a clap error: help and version as clap formats them, a usage error as one line.
pub fn report_usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => match e.print() {
            Err(io) if io.kind() != std::io::ErrorKind::BrokenPipe => {
                warn(format_args!("recall: cannot write the help: {io}"));
                ExitCode::FAILURE
            }
            _ => ExitCode::SUCCESS,
        },
        _ => {
            let text = e.render().to_string();
            warn(format_args!("{}", one_line(&text)));
            ExitCode::from(USAGE)
        }
    }
}

/// The first line of a clap error; one that ends in a colon (a list follows, as for missing
/// arguments) takes the list's items on the same line, so that the line says what is meant.
/// The values a flag takes and clap's "did you mean" follow it on the line.
fn one_line(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("invalid arguments");
    if !first.ends_with(':') {
        let hints: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| {
                l.starts_with("[possible values:")
                    || l.starts_with("tip: a similar")
                    || l.starts_with("tip: some similar")
            })
            .collect();
        return std::iter::once(first)
            .chain(hints)
            .collect::<Vec<_>>()
            .join("; ");
    }
    let items: Vec<&str> = lines
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .collect();
    format!("{first} {}", items.join(", "))
}

/// Runs what the command line asks for.
pub fn run(cli: Cli) -> ExitCode {
    // Values clap accepts one by one can still be refused together (dt against τ_x): that is a
    // usage error too, one line and status 2, before anything starts.
    let sim = match &cli.command {
        Some(Command::Run(args)) => Some(&args.sim),
        Some(Command::Serve(args)) => Some(&args.sim),
        Some(Command::Lesson(args)) => Some(&args.sim),
        None => Some(&cli.sim),
        _ => None,
    };
    if let Some(Err(e)) = sim.map(|s| {
        s.check_models()
            .and_then(|()| s.params().validate().map_err(|e| e.to_string()))
    }) {
        warn(format_args!("recall: invalid settings: {e}"));
        return ExitCode::from(USAGE);
    }
    if let Some(Command::Run(args)) = &cli.command
        && let config = args.run_config()
        && let Err(e) = config.total_steps().and_then(|_| config.sample_steps())
    {
        warn(format_args!("recall: invalid settings: {e}"));
        return ExitCode::from(USAGE);
    }
    if let Some(Command::Experiment(args)) = &cli.command
        && let Err(e) = args.check().and_then(|()| experiment_checks(args))
    {
        warn(format_args!("recall: {e}"));
        return ExitCode::from(USAGE);
    }
    let result = match &cli.command {
        Some(Command::Run(args)) => run_headless(args),
        Some(Command::Experiment(args)) => experiment(args),
        Some(Command::Check(args)) => check(args),
        Some(Command::Completions(args)) => print(&crate::cli::manual::completions(args.shell)),
        Some(Command::Man(args)) => crate::cli::manual::man_page(args.page.as_deref())
            .context("cannot render the manual page")
            .and_then(|text| print(&text)),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Lesson(args)) => lesson(args),
        None => dashboard(&cli),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            warn(format_args!("recall: {e:#}"));
            ExitCode::FAILURE
        }
    }
}

/// The dashboard; without a terminal it says what to use instead.
fn dashboard(cli: &Cli) -> anyhow::Result<ExitCode> {
    if let Some(path) = &cli.capture.screenshot {
        // Refused now, not after the run it pictures (a missing directory failed after the
        // whole simulation: 37 s at --at 2000).
        if let Err(line) = crate::runner::paths::check_writable("--screenshot", path) {
            return Ok(usage(&line));
        }
        let (cols, rows) = cli.capture.size;
        let shot = crate::ui::screenshot::Shot {
            at_secs: cli.capture.at,
            cols,
            rows,
        };
        crate::ui::screenshot::write(&cli.dashboard_config(), shot, path)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(path) = &cli.capture.record
        && let Err(e) = crate::cli::check_record(path, cli.capture.overwrite)
    {
        return Ok(usage(&e));
    }
    Ok(match crate::ui::run(&cli.dashboard_config())? {
        Outcome::NoTerminal => {
            warn(format_args!(
                "recall: the dashboard needs a terminal (stdout is not one); use `recall run` for headless output"
            ));
            ExitCode::from(USAGE)
        }
        Outcome::Finished => ExitCode::SUCCESS,
        Outcome::Signal(s) => ExitCode::from((128 + s).clamp(0, 255) as u8),
    })
}

/// `recall serve`: until a signal, the host terminal's quit or `--duration`.
fn serve(args: &crate::cli::ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = args.serve_config();
    if let Some(file) = &args.lesson {
        match crate::lesson::load(Some(file)) {
            Ok(lesson) => {
                config.dashboard = with_lesson(
                    config.dashboard,
                    crate::lesson::Plan {
                        lesson,
                        auto: false,
                    },
                )
            }
            Err(errors) => return Ok(lesson_errors(&errors)),
        }
    }
    Ok(match crate::serve::run(&config)? {
        crate::serve::Outcome::Finished => ExitCode::SUCCESS,
        crate::serve::Outcome::Signal(s) => ExitCode::from((128 + s).clamp(0, 255) as u8),
    })
}

/// The dashboard giving `plan`: it starts as the first chapter sets the run up (scenario,
/// models, noise), so the first frame is already the lesson's.
fn with_lesson(
    mut config: crate::ui::DashboardConfig,
    plan: crate::lesson::Plan,
) -> crate::ui::DashboardConfig {
    if let Some(first) = plan.lesson.chapters.first().map(|c| &c.setup) {
        config.scenario = first.scenario;
        if let Some((&model, rest)) = first.models.as_deref().and_then(|m| m.split_first()) {
            config.model = model;
            config.compare = (!rest.is_empty()).then(|| rest.to_vec());
        }
        if let Some(sigma) = first.noise_std {
            config.params.noise_std = sigma;
        }
    }
    config.lesson = Some(plan);
    config
}

/// Every mistake of a lesson file on stderr, one per line; status 1.
fn lesson_errors(errors: &crate::lesson::LessonErrors) -> ExitCode {
    for e in &errors.0 {
        warn(format_args!("recall: {e}"));
    }
    ExitCode::FAILURE
}

/// `recall lesson`: the list, a check, the built-in file, or the lesson on the dashboard.
fn lesson(args: &crate::cli::LessonArgs) -> anyhow::Result<ExitCode> {
    use crate::lesson;
    if args.list {
        let builtin = lesson::builtin();
        let mut text = format!(
            "{}  {} ({} chapters; recall lesson, or recall lesson FILE for your own)\n",
            lesson::BUILTIN_NAME,
            builtin.title,
            builtin.chapters.len()
        );
        for (i, c) in builtin.chapters.iter().enumerate() {
            text.push_str(&format!("  {:>2}. {} ({})\n", i + 1, c.title, c.figure));
        }
        return print(&text);
    }
    if args.print {
        return print(lesson::BUILTIN_TEXT);
    }
    if let Some(file) = &args.check {
        return match lesson::load(Some(file)) {
            Ok(l) => print(&format!(
                "{}: {}, {} chapters, no mistakes\n",
                crate::patterns::display_name(file),
                l.title,
                l.chapters.len()
            )),
            Err(errors) => Ok(lesson_errors(&errors)),
        };
    }
    if let Some(path) = &args.record
        && let Err(e) = crate::cli::check_record(path, args.overwrite)
    {
        return Ok(usage(&e));
    }
    let lesson = match lesson::load(args.file.as_deref()) {
        Ok(l) => l,
        Err(errors) => return Ok(lesson_errors(&errors)),
    };
    let config = with_lesson(
        args.dashboard_config(),
        lesson::Plan {
            lesson,
            auto: args.auto,
        },
    );
    Ok(match crate::ui::run(&config)? {
        Outcome::NoTerminal => {
            warn(format_args!(
                "recall: a lesson needs a terminal (stdout is not one); `recall lesson --check FILE` checks a file"
            ));
            ExitCode::from(USAGE)
        }
        Outcome::Finished => ExitCode::SUCCESS,
        Outcome::Signal(s) => ExitCode::from((128 + s).clamp(0, 255) as u8),
    })
}

/// `recall experiment`: the output as trials finish; on Ctrl-C the trials that finished, a line
/// saying how many, and status 130 (a second Ctrl-C ends at once).
fn experiment(args: &crate::cli::ExperimentArgs) -> anyhow::Result<ExitCode> {
    use signal_hook::consts::SIGINT;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register_conditional_shutdown(SIGINT, 128 + SIGINT, Arc::clone(&stop))
        .and_then(|_| signal_hook::flag::register(SIGINT, Arc::clone(&stop)))
        .context("cannot handle Ctrl-C")?;
    let request = args.request();
    let mut out = std::io::stdout().lock();
    match crate::experiment::run_to(&request, &mut out, &stop)? {
        crate::experiment::Ending::Finished => Ok(ExitCode::SUCCESS),
        crate::experiment::Ending::Interrupted { done, total, unit } => {
            let kept = if request.csv {
                "their rows are written"
            } else {
                "the table counts those only"
            };
            let figure = match (&request.plot, done) {
                (None, _) => "",
                (Some(_), 0) => "; no figure drawn",
                (Some(_), _) => "; the figure draws those only",
            };
            warn(format_args!(
                "recall: interrupted: {done} of {total} {unit} finished; {kept}{figure}"
            ));
            Ok(ExitCode::from(128 + SIGINT as u8))
        }
    }
}

/// `recall run`: loads the memories, watches them if asked, and writes the run to stdout.
fn run_headless(args: &RunArgs) -> anyhow::Result<ExitCode> {
    if let Err(e) = run_files_check(args) {
        return Ok(usage(&e));
    }
    if args.sim.scenario == ScenarioName::Density {
        return Ok(usage(
            "--scenario density is the dashboard's live view of the paper's Fig. 4 (no network \
             runs); `recall experiment density` prints its table",
        ));
    }
    // (clap refuses --input with --scenario.)
    if args.sim.scenario == ScenarioName::Explore && args.saliencies.is_none() {
        warn(format_args!(
            "recall: warning: --scenario explore holds the saliencies you give it; without \
             --saliencies every α is 0 and the input holds no memory (try --saliencies 0.5,0.3)"
        ));
    }
    if let Some(line) = args.sim.patterns.as_deref().and_then(missing_pattern_dir) {
        return Ok(usage(&line));
    }
    let mut config = args.run_config();
    let memories = match &args.sim.patterns {
        Some(dir) => {
            let (memories, errors) = crate::patterns::load_lenient(dir)?;
            for e in errors {
                warn(format_args!("recall: skipped {e}"));
            }
            // What `recall check` warns of (duplicates, mirror images, a set past capacity),
            // on stderr: the run goes on with the set as given.
            for w in crate::patterns::set_warnings(&memories) {
                warn(format_args!("recall: warning: {w}"));
            }
            memories
        }
        None => crate::patterns::builtin(),
    };
    // The given arrays: a bad file is a usage error, one line naming it.
    let n = memories.n();
    let read = |path: &std::path::Path| crate::runner::npy::read_vector(path, n);
    if let Some(path) = &args.input {
        match read(path).and_then(|u| saliencies_finite(&u, &memories, path).map(|()| u)) {
            Ok(u) => config.fixed.input = Some((u, path.display().to_string())),
            Err(e) => return Ok(usage(&e)),
        }
    }
    if let Some(path) = &args.init_state {
        match read(path) {
            Ok(x) => config.fixed.init_state = Some(x),
            Err(e) => return Ok(usage(&e)),
        }
    }
    if let Some(saliencies) = &args.saliencies {
        if args.sim.scenario != ScenarioName::Explore {
            return Ok(usage(&format!(
                "--saliencies sets the input of --scenario explore (the scenario is {})",
                args.sim.scenario.name()
            )));
        }
        if args.input.is_some() {
            return Ok(usage(
                "--saliencies and --input both set the input: give one",
            ));
        }
        match saliencies.per_memory(memories.p()) {
            Ok(alpha) => config.fixed.saliencies = Some(alpha),
            Err(e) => return Ok(usage(&e)),
        }
    }
    let memories = Arc::new(memories);
    // CSV has one column per memory, fixed by its header, so only JSON lines follow reloads.
    if args.sim.patterns.is_some() && args.format == Format::Csv {
        warn(format_args!(
            "recall: note: CSV has one column per memory, so changes to the pattern files are \
             not followed while running; use --format jsonl to follow them"
        ));
    }
    // A constant input has the length of the set it was read for, and saliencies one α per
    // memory of the set they were given for: no reloads then, and JSON lines say so.
    let held = match (&args.input, &args.saliencies) {
        (Some(_), _) => Some("--input"),
        (None, Some(_)) => Some("--saliencies"),
        (None, None) => None,
    };
    if let Some(flag) = held.filter(|_| args.sim.patterns.is_some() && args.format == Format::Jsonl)
    {
        warn(format_args!(
            "recall: note: {flag} was given for the set loaded at the start, so changes to \
             the pattern files are not followed while running"
        ));
    }
    let (tx, reloads) = crossbeam_channel::bounded(16);
    let _watcher = match (&args.sim.patterns, args.format) {
        (Some(dir), Format::Jsonl) if held.is_none() => {
            let options = WatchOptions {
                poll: args.sim.poll.map(std::time::Duration::from_millis),
                ..WatchOptions::default()
            };
            Watcher::start(dir, Some(Arc::clone(&memories)), options, tx)
                .map_err(|e| warn(format_args!("recall: {e}")))
                .ok()
        }
        _ => None,
    };
    // Ctrl-C ends the run at the next frame with each model's summary of what ran, and
    // status 130 (a second Ctrl-C ends at once).
    use signal_hook::consts::SIGINT;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register_conditional_shutdown(SIGINT, 128 + SIGINT, Arc::clone(&stop))
        .and_then(|_| signal_hook::flag::register(SIGINT, Arc::clone(&stop)))
        .context("cannot handle Ctrl-C")?;
    config.stop = Some(Arc::clone(&stop));
    let to_terminal = std::io::stdout().is_terminal();
    let out = std::io::BufWriter::new(std::io::stdout().lock());
    let summaries = crate::runner::write_run(&config, memories, args.format, out, Some(&reloads))
        .context("cannot write the run")?;
    // A person watching the records scroll by gets the summary as a table at the end.
    if to_terminal && args.format != Format::Table {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(crate::runner::table::summary_table(&summaries).as_bytes());
    }
    // A Ctrl-C after the last step (while the figure was drawn) ended nothing early.
    let ran = summaries.first().map_or(0.0, |(_, s)| s.duration_secs);
    let short = ran < config.duration_secs - 0.5 * config.params.dt_secs;
    if stop.load(std::sync::atomic::Ordering::Relaxed) && short {
        warn(format_args!(
            "recall: interrupted at {} s of the {} s asked (model time); the summary counts \
             the run up to there",
            crate::runner::table::shown_secs(ran),
            config.duration_secs
        ));
        return Ok(ExitCode::from(128 + SIGINT as u8));
    }
    Ok(ExitCode::SUCCESS)
}

/// A pattern directory given that is not there, or is a file: a usage error (status 2), as a
/// bad flag value is, not a failure of the run (status 1).
fn missing_pattern_dir(dir: &std::path::Path) -> Option<String> {
    let shown = dir.display();
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(format!(
            "the pattern directory {shown} does not exist (recall check --builtin checks the \
             built-in set; without --patterns recall runs it)"
        )),
        Ok(m) if m.is_file() => Some(format!(
            "the pattern directory {shown} is a file: give the directory that holds it"
        )),
        Ok(m) if !m.is_dir() => Some(format!(
            "the pattern directory {shown} is not a directory (a device or a pipe)"
        )),
        _ => None,
    }
}

/// An input whose saliencies α = (1/N) Ξᵀu overflow float32 would make the run diverge at its
/// first step: refused, naming the file.
fn saliencies_finite(
    u: &[f32],
    memories: &crate::model::Memories,
    path: &std::path::Path,
) -> Result<(), String> {
    let mut alpha = vec![0.0f32; memories.p()];
    memories.project(u, &mut alpha);
    if alpha.iter().all(|a| a.is_finite()) {
        return Ok(());
    }
    let largest = u.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    Err(format!(
        "{}: its saliencies (1/N)·Ξᵀu overflow float32 (largest |u_i| is {largest:e}); scale \
         the input down",
        path.display()
    ))
}

/// `recall run`'s files, before anything is read or written: no output may be an input or
/// another output, and the figure must be writable.
fn run_files_check(args: &RunArgs) -> Result<(), String> {
    use crate::runner::paths::{Named, RunFileSet, check_files, check_writable, stdout_file};
    fn named<'a>(flag: &'static str, path: &'a Option<std::path::PathBuf>) -> Option<Named<'a>> {
        path.as_deref().map(|path| Named { flag, path })
    }
    let files = RunFileSet {
        inputs: [
            named("--input", &args.input),
            named("--init-state", &args.init_state),
        ]
        .into_iter()
        .flatten()
        .collect(),
        patterns: args.sim.patterns.as_deref(),
        outputs: [
            named("--save-states", &args.save_states),
            named("--save-memories", &args.save_memories),
            named("--plot", &args.plot),
        ]
        .into_iter()
        .flatten()
        .collect(),
        stdout: stdout_file(),
    };
    check_files(&files)?;
    // Every output, so that a directory or a path that cannot be made is a usage error before
    // the run (it was found only when the run began to write: status 1).
    for (flag, path) in [
        ("--save-states", &args.save_states),
        ("--save-memories", &args.save_memories),
        ("--plot", &args.plot),
    ] {
        let Some(path) = path else { continue };
        // A device such as /dev/null takes the arrays (their writer seeks there); a figure
        // goes to a file.
        let device = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        if !(device && flag != "--plot") {
            check_writable(flag, path)?;
        }
    }
    Ok(())
}

/// `recall experiment`, before it starts: the capacity sweep's networks fit the memory bound;
/// the figure is not where stdout goes, and can be written.
fn experiment_checks(args: &crate::cli::ExperimentArgs) -> Result<(), String> {
    use crate::runner::paths::{Named, RunFileSet, check_files, check_writable, stdout_file};
    if args.name == crate::cli::ExperimentName::Capacity {
        for part in &args.request().capacity {
            crate::experiment::capacity::check_memory(part)?;
        }
    }
    let Some(path) = &args.plot else {
        return Ok(());
    };
    let request = args.request();
    if let Some(k) = args.plot_trial
        && !request.trial_range().contains(&k)
    {
        return Err(format!(
            "--plot-trial {k} is not among the trials run ({}..{})",
            request.first_trial,
            request.trial_range().end - 1
        ));
    }
    check_files(&RunFileSet {
        outputs: vec![Named {
            flag: "--plot",
            path,
        }],
        stdout: stdout_file(),
        ..RunFileSet::default()
    })?;
    check_writable("--plot", path)
}

/// A usage error found after parsing (a bad input file): one line, status 2.
fn usage(line: &str) -> ExitCode {
    warn(format_args!("recall: {line}"));
    ExitCode::from(USAGE)
}

/// `recall check [DIR | --builtin] [--save-memories FILE.npy]`: the report on stdout, then Ξ
/// of the valid set written if asked; status 0 only if every file is valid.
fn check(args: &crate::cli::CheckArgs) -> anyhow::Result<ExitCode> {
    // The file for the memories can be written (a directory, a missing one are refused), before
    // the report, as `recall run` checks its outputs.
    if let Some(path) = &args.save_memories
        && !std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
        && let Err(line) = crate::runner::paths::check_writable("--save-memories", path)
    {
        return Ok(usage(&line));
    }
    if !args.builtin
        && let Some(line) = missing_pattern_dir(&args.dir)
    {
        return Ok(usage(&line));
    }
    let mut out = std::io::stdout().lock();
    let (ok, memories) = if args.builtin {
        let memories = crate::patterns::builtin();
        out.write_all(crate::patterns::builtin_report(&memories).as_bytes())
            .context("cannot write the report of recall check")?;
        (true, Some(memories))
    } else {
        crate::patterns::check_dir(&args.dir, &mut out)?
    };
    if let Some(path) = &args.save_memories {
        let Some(memories) = memories else {
            return Ok(usage(&format!(
                "no valid pattern: nothing to write to {}",
                path.display()
            )));
        };
        crate::runner::npy::save_memories(path, &memories)?;
        writeln!(
            out,
            "wrote the memories to {} (float32, {} × {}, rows in the order above)",
            path.display(),
            memories.p(),
            memories.n()
        )
        .and_then(|()| out.flush())
        .context("cannot write the report of recall check")?;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Writes `text` to stdout.
fn print(text: &str) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// The reader went away (e.g. `| head`): not an error of ours.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// One line on stderr; if stderr itself is closed or full there is nowhere left to say it, and
/// the exit status tells.
pub fn warn(line: std::fmt::Arguments) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}
