//! Options typed before the subcommand (`recall --seed 5 run`): applied to the subcommand when
//! it has them, refused with one line saying where they belong when it does not. Nothing typed
//! is ever dropped.

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use super::{Cli, Command, DashboardArgs, ExperimentName, SimArgs};

/// Lists the fields of a flattened group once: their ids (clap's id is the field name) and a
/// copy of one field, by id, from one value of the group to another.
macro_rules! group {
    ($ids:ident, $copy:ident, $ty:ty, [$($field:ident),* $(,)?]) => {
        /// The ids of the group's options.
        pub(super) const $ids: &[&str] = &[$(stringify!($field)),*];
        /// Copies the option `id` from `from` into `to`.
        fn $copy(to: &mut $ty, from: &$ty, id: &str) {
            match id {
                $(stringify!($field) => to.$field = from.$field.clone(),)*
                _ => {}
            }
        }
    };
}

group!(
    SIM_IDS,
    copy_sim,
    SimArgs,
    [
        scenario,
        model,
        compare,
        duration,
        dt,
        noise,
        gain,
        activation_gain,
        tau_alpha,
        beta,
        seed,
        patterns,
        poll,
    ]
);
group!(
    DASHBOARD_IDS,
    copy_dashboard,
    DashboardArgs,
    [fps, speed, ascii, no_color]
);

/// The options of the dashboard alone (pictures and recordings): refused before any subcommand.
const CAPTURE_IDS: &[&str] = &["screenshot", "record", "overwrite", "at", "size"];

/// Parses the command line as `recall` does (`std::env::args_os()` in the binary).
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut cmd = Cli::command();
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let matches = cmd
        .try_get_matches_from_mut(args.iter().cloned())
        .map_err(|e| belongs_elsewhere(&mut cmd, &args, e))?;
    let mut cli = Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))?;
    place(&mut cli, &matches)
        .and_then(|()| experiment_options(&cli, &matches))
        .and_then(|()| sim_options(&cli))
        .and_then(|()| run_options(&cli, &matches))
        .map_err(|line| cmd.error(clap::error::ErrorKind::ArgumentConflict, line))?;
    Ok(cli)
}

/// An option clap does not know where it was typed, but another command has: one line saying
/// whose it is (`recall run --speed 2` got clap's "a similar argument exists: '--seed'").
/// Any other error is clap's own.
fn belongs_elsewhere(
    cmd: &mut clap::Command,
    args: &[std::ffi::OsString],
    e: clap::Error,
) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return e;
    }
    let Some(ContextValue::String(typed)) = e.get(ContextKind::InvalidArg) else {
        return e;
    };
    let Some(long) = typed
        .strip_prefix("--")
        .map(|t| t.split('=').next().unwrap_or(t))
    else {
        return e;
    };
    let has = |c: &clap::Command| c.get_arguments().any(|a| a.get_long() == Some(long));
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    // The command the flag was typed for: the last word before it that names a subcommand,
    // else the dashboard (a word after it is not its command: `recall --plot f.svg run`).
    let words: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
    let at = words
        .iter()
        .position(|w| *w == typed || w.split('=').next() == Some(typed.as_str()))
        .unwrap_or(words.len());
    let here = words[..at]
        .iter()
        .rev()
        .find(|w| subcommands.iter().any(|s| s == *w))
        .copied();
    let mut owners = Vec::new();
    if here.is_some() && has(cmd) {
        owners.push("the dashboard (`recall` with no subcommand)".to_string());
    }
    for sub in cmd.get_subcommands() {
        if Some(sub.get_name()) != here && has(sub) {
            owners.push(format!("`recall {}`", sub.get_name()));
        }
    }
    let Some((last, rest)) = owners.split_last() else {
        return e; // not an option anywhere: clap's "a similar argument exists" helps more
    };
    let owners = if rest.is_empty() {
        last.clone()
    } else {
        format!("{} and {last}", rest.join(", "))
    };
    let here = here.map_or(
        "the dashboard (`recall` with no subcommand)".to_string(),
        |h| format!("`recall {h}`"),
    );
    // Clap's "a similar argument exists" stays: `--models` after `run` is likely `--model`.
    let similar = match e.get(ContextKind::SuggestedArg) {
        Some(ContextValue::String(arg)) => format!(" (a similar one here: {arg})"),
        Some(ContextValue::Strings(args)) if !args.is_empty() => {
            format!(" (a similar one here: {})", args.join(", "))
        }
        _ => String::new(),
    };
    cmd.error(
        ErrorKind::ArgumentConflict,
        format!("--{long} is an option of {owners}, not of {here}{similar}"),
    )
}

/// `--poll` watches the directory of `--patterns`: alone it would be ignored.
fn sim_options(cli: &Cli) -> Result<(), String> {
    let sim = match &cli.command {
        None => &cli.sim,
        Some(Command::Run(run)) => &run.sim,
        Some(Command::Serve(serve)) => &serve.sim,
        Some(Command::Lesson(lesson)) => &lesson.sim,
        Some(_) => return Ok(()),
    };
    if sim.poll.is_some() && sim.patterns.is_none() {
        return Err(
            "--poll sets how the directory of --patterns is watched: give --patterns DIR too (the built-in set never changes)"
                .into(),
        );
    }
    Ok(())
}

/// `recall run` runs only the models it is given (the dashboard's `m` cycles through them
/// all, so there every model's option has a use): a model's own option typed for a run
/// without that model is refused, as are the stream's `--scenario`, `--gain` and
/// `--flip-rate` with `--input`, whose constant input replaces the stream as given
/// (`recall run --beta 5` ran IDP and dropped β).
fn run_options(cli: &Cli, matches: &ArgMatches) -> Result<(), String> {
    use crate::model::ModelKind;
    let (Some(Command::Run(run)), Some(("run", sub))) =
        (cli.command.as_ref(), matches.subcommand())
    else {
        return Ok(());
    };
    // Typed after `run`, or before it (then `place` has moved it in); only the simulation's
    // options (SIM_IDS) exist before it.
    let given = |id: &str| typed(sub, id) || (SIM_IDS.contains(&id) && typed(matches, id));
    let sim = &run.sim;
    let runs = |reads: fn(ModelKind) -> bool| {
        reads(sim.model) || sim.compare.iter().flatten().any(|&k| reads(k))
    };
    // The models with an input gain and a tanh: discrete reads the input's signs and has ±1
    // neurons; the modern models read its direction û, have Ψ(x) = x and no matrix W.
    fn scaled(k: ModelKind) -> bool {
        !k.is_modern() && k != ModelKind::Discrete
    }
    const CLASSIC: &str = "idp, idp-filter or a classic model";
    /// Whether a model reads the option.
    type Reads = fn(ModelKind) -> bool;
    let owned: [(&str, Reads, &str, &str); 5] = [
        ("tau_alpha", |k| k == ModelKind::IdpFilter, "idp-filter", ""),
        ("beta", ModelKind::is_modern, "modern or idp-modern", ""),
        (
            "gain",
            scaled,
            CLASSIC,
            "; discrete reads the input's signs and the modern models its direction, so no \
             gain changes what they do",
        ),
        (
            "activation_gain",
            scaled,
            CLASSIC,
            "; discrete has ±1 neurons and the modern models Ψ(x) = x, no tanh",
        ),
        (
            "no_zero_diagonal",
            |k| !k.is_modern(),
            "a model with a matrix W (any but modern and idp-modern)",
            "; the modern models' field is Ξ(α ⊙ softmax), with no matrix W to have a diagonal",
        ),
    ];
    for (id, kinds, names, why) in owned {
        if given(id) && !runs(kinds) {
            let running: Vec<&str> = std::iter::once(sim.model)
                .chain(sim.compare.iter().flatten().copied())
                .map(|k| k.name())
                .collect();
            return Err(format!(
                "{} is an option of {names}, which this run does not run ({}){why}: give \
                 --model or --compare with {names} too",
                flag(id),
                running.join(", ")
            ));
        }
    }
    // With --saliencies too, app.rs says that both set the input.
    if run.input.is_some()
        && run.saliencies.is_none()
        && let Some(id) = ["scenario", "gain", "flip_rate"]
            .into_iter()
            .find(|id| given(id))
    {
        return Err(format!(
            "--input replaces the scenario's stream with a constant input, used as given: give \
             {} or --input, not both",
            flag(id)
        ));
    }
    Ok(())
}

/// The options of `recall experiment` that only some experiments read, with those
/// experiments; every other option applies to all of them.
const EXPERIMENT_ONLY: &[(&str, &[ExperimentName])] = {
    use ExperimentName::{Capacity, Density, Glitch, Mixed, NoiseSweep};
    &[
        ("sigmas", &[Mixed, Glitch, NoiseSweep, Density]),
        ("plot_trial", &[Mixed, Glitch]),
        ("loads", &[Capacity]),
        ("sizes", &[Capacity]),
        ("flip", &[Capacity]),
        ("flips", &[Capacity]),
        ("models", &[Capacity]),
        ("cues", &[Capacity]),
        ("threshold", &[Capacity]),
        ("cue_secs", &[Capacity]),
        ("preset", &[Density]),
        ("alphas", &[Density]),
        ("gain", &[Density]),
        ("grid", &[Density]),
        ("particles", &[Density]),
        ("model", &[Density]),
        ("beta", &[Density]),
    ]
};

/// An experiment's option typed for an experiment that does not read it is refused in one
/// line naming the ones that do (`recall experiment mixed --models idp` ran every model: the
/// protocols have no choice of model), and so is `--plot-trial` without `--plot`.
fn experiment_options(cli: &Cli, matches: &ArgMatches) -> Result<(), String> {
    let (Some(Command::Experiment(args)), Some(("experiment", sub))) =
        (cli.command.as_ref(), matches.subcommand())
    else {
        return Ok(());
    };
    for (id, owners) in EXPERIMENT_ONLY {
        if typed(sub, id) && !owners.contains(&args.name) {
            let names: Vec<&str> = owners.iter().map(|o| o.name()).collect();
            let why = match (*id, args.name) {
                ("sigmas", ExperimentName::Capacity) => {
                    " (its networks run without noise, as retrieval from a cue is defined)"
                }
                ("models", ExperimentName::Density) => " (it runs the two-neuron IDP network)",
                ("models", _) => " (the protocols always run their fixed list of models)",
                _ => "",
            };
            return Err(format!(
                "{} is an option of `recall experiment {}`, not of `recall experiment {}`{why}",
                flag(id),
                names.join("|"),
                args.name.name()
            ));
        }
    }
    if typed(sub, "beta") && args.model != Some(crate::model::density::DensityModel::IdpModern) {
        return Err(
            "--beta is the softmax's β of idp-modern: give --model idp-modern too (the paper's \
             network, idp, has none)"
                .into(),
        );
    }
    if typed(sub, "plot_trial") && !typed(sub, "plot") {
        return Err("--plot-trial picks the trial --plot draws: give --plot FILE too".into());
    }
    Ok(())
}

fn typed(m: &ArgMatches, id: &str) -> bool {
    m.value_source(id) == Some(ValueSource::CommandLine)
}

/// `--noise-level` as the user types it.
fn flag(id: &str) -> String {
    format!("--{}", id.replace('_', "-"))
}

/// Moves the options typed before the subcommand into it, or says where they belong.
fn place(cli: &mut Cli, matches: &ArgMatches) -> Result<(), String> {
    let Some((name, sub)) = matches.subcommand() else {
        return Ok(()); // the dashboard: the options are its own
    };
    let before = |ids: &'static [&'static str]| -> Vec<&'static str> {
        ids.iter()
            .copied()
            .filter(|id| typed(matches, id))
            .collect()
    };
    if let Some(id) = before(CAPTURE_IDS).first() {
        return Err(format!(
            "{} is an option of the dashboard (`recall` with no subcommand), not of `recall {name}`",
            flag(id)
        ));
    }
    let (sim, dash) = (before(SIM_IDS), before(DASHBOARD_IDS));
    if sim.is_empty() && dash.is_empty() {
        return Ok(());
    }
    let twice = |id: &str| {
        typed(sub, id).then(|| {
            format!(
                "{} is given both before and after `{name}`: give it once",
                flag(id)
            )
        })
    };
    match cli.command.as_mut() {
        Some(Command::Run(run)) => {
            if let Some(id) = dash.first() {
                return Err(format!(
                    "{} is an option of the dashboard and `recall serve`; `recall run` draws nothing",
                    flag(id)
                ));
            }
            for id in sim {
                if let Some(e) = twice(id) {
                    return Err(e);
                }
                copy_sim(&mut run.sim, &cli.sim, id);
            }
        }
        Some(Command::Serve(serve)) => {
            for id in sim {
                if let Some(e) = twice(id) {
                    return Err(e);
                }
                copy_sim(&mut serve.sim, &cli.sim, id);
            }
            for id in dash {
                if let Some(e) = twice(id) {
                    return Err(e);
                }
                copy_dashboard(&mut serve.dashboard, &cli.dashboard, id);
            }
        }
        Some(Command::Lesson(lesson)) => {
            for id in sim {
                if let Some(e) = twice(id) {
                    return Err(e);
                }
                copy_sim(&mut lesson.sim, &cli.sim, id);
            }
            for id in dash {
                if let Some(e) = twice(id) {
                    return Err(e);
                }
                copy_dashboard(&mut lesson.dashboard, &cli.dashboard, id);
            }
        }
        Some(Command::Experiment(_)) if sim.contains(&"seed") => {
            return Err(
                "--seed before `experiment` is refused: the experiment's own --seed (the seed \
                 of trial 0) goes after its name: recall experiment NAME --seed N"
                    .into(),
            );
        }
        Some(Command::Experiment(_)) if sim.iter().any(|&id| id == "model" || id == "beta") => {
            let id = if sim.contains(&"model") {
                "model"
            } else {
                "beta"
            };
            return Err(format!(
                "{} before `experiment` is refused: the density experiment's own {} goes after \
                 its name: recall experiment density {} …",
                flag(id),
                flag(id),
                flag(id)
            ));
        }
        _ => {
            let id = sim.first().or(dash.first()).copied().unwrap_or_default();
            let owners = if sim.contains(&id) {
                "the dashboard, `recall run` and `recall serve`"
            } else {
                "the dashboard and `recall serve`"
            };
            return Err(format!(
                "{} is an option of {owners}, not of `recall {name}`",
                flag(id)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::CaptureArgs;
    use super::*;
    use clap::Args;

    fn ids_of(cmd: clap::Command) -> Vec<String> {
        cmd.get_arguments()
            .map(|a| a.get_id().to_string())
            .collect()
    }

    /// A new option of either group cannot be forgotten here (it would be dropped again).
    #[test]
    fn every_option_of_the_groups_is_placed() {
        assert_eq!(
            ids_of(CaptureArgs::augment_args(clap::Command::new("t"))),
            CAPTURE_IDS
        );
        assert_eq!(
            ids_of(SimArgs::augment_args(clap::Command::new("t"))),
            SIM_IDS
        );
        assert_eq!(
            ids_of(DashboardArgs::augment_args(clap::Command::new("t"))),
            DASHBOARD_IDS
        );
    }

    fn parse(args: &[&str]) -> Result<Cli, String> {
        parse_from(args).map_err(|e| e.to_string())
    }

    #[test]
    fn options_before_run_and_serve_take_effect() {
        let Some(Command::Run(run)) = parse(&["recall", "--noise", "0", "--seed", "5", "run"])
            .unwrap()
            .command
        else {
            panic!("not run")
        };
        assert_eq!((run.sim.noise, run.sim.seed), (0.0, 5));
        let cli = parse(&[
            "recall",
            "--noise",
            "0",
            "--fps",
            "30",
            "--patterns",
            "p",
            "serve",
        ])
        .unwrap();
        let Some(Command::Serve(serve)) = &cli.command else {
            panic!("not serve")
        };
        let config = serve.serve_config().dashboard;
        assert_eq!(config.params.noise_std, 0.0);
        assert_eq!(config.fps, 30);
        assert_eq!(config.patterns.as_deref(), Some(std::path::Path::new("p")));
    }

    #[test]
    fn a_models_option_is_taken_when_one_model_of_the_run_reads_it() {
        for args in [
            &[
                "recall",
                "run",
                "--model",
                "discrete",
                "--compare",
                "idp",
                "--gain",
                "3",
            ][..],
            &[
                "recall",
                "--activation-gain",
                "3",
                "run",
                "--compare",
                "modern",
            ],
            &["recall", "run", "--model", "discrete", "--no-zero-diagonal"],
            &["recall", "run", "--model", "classic-initial", "--gain", "3"],
        ] {
            assert!(parse(args).is_ok(), "{args:?}: {:?}", parse(args).err());
        }
    }

    #[test]
    fn misplaced_options_are_refused_in_one_line() {
        for (args, says) in [
            (
                &["recall", "run", "--speed", "2"][..],
                "--speed is an option of the dashboard (`recall` with no subcommand), `recall \
                 serve` and `recall lesson`, not of `recall run`",
            ),
            (
                &["recall", "run", "--fps=3"],
                "--fps is an option of the dashboard",
            ),
            (
                &["recall", "--plot", "f.svg", "run"],
                "--plot is an option of `recall run` and `recall experiment`, not of the \
                 dashboard",
            ),
            (
                &["recall", "run", "--models", "idp"],
                "--models is an option of `recall experiment`, not of `recall run` (a similar \
                 one here: --model)",
            ),
            (
                &["recall", "--saliencies", "1,2"],
                "--saliencies is an option of `recall run`, not of the dashboard",
            ),
            (
                &["recall", "check", "--seed", "3"],
                "--seed is an option of the dashboard (`recall` with no subcommand), `recall \
                 run`",
            ),
            (
                &["recall", "--fps", "30", "run"][..],
                "--fps is an option of the dashboard",
            ),
            (
                &["recall", "--seed", "5", "run", "--seed", "6"],
                "given both before and after `run`",
            ),
            (
                &["recall", "--seed", "5", "experiment", "mixed"],
                "recall experiment NAME --seed N",
            ),
            (
                &["recall", "--noise", "1", "experiment", "mixed"],
                "not of `recall experiment`",
            ),
            (
                &["recall", "--model", "idp-modern", "experiment", "density"],
                "recall experiment density --model",
            ),
            (
                &["recall", "--beta", "3", "experiment", "density"],
                "recall experiment density --beta",
            ),
            (
                &["recall", "--noise", "1", "check"],
                "not of `recall check`",
            ),
            (&["recall", "--ascii", "man"], "not of `recall man`"),
            (
                &["recall", "--model", "idp", "completions", "bash"],
                "not of `recall completions`",
            ),
        ] {
            let e = parse(args)
                .err()
                .unwrap_or_else(|| panic!("{args:?} accepted"));
            assert!(e.lines().next().unwrap().contains(says), "{args:?}: {e}");
        }
    }
}
