//! Options typed before the subcommand (`recall --seed 5 run`): applied to the subcommand when
//! it has them, refused with one line saying where they belong when it does not. Nothing typed
//! is ever dropped.

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use super::{Cli, Command, DashboardArgs, SimArgs};

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
const CAPTURE_IDS: &[&str] = &["screenshot", "record", "at", "size"];

/// Parses the command line as `recall` does (`std::env::args_os()` in the binary).
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut cmd = Cli::command();
    let matches = cmd.try_get_matches_from_mut(args)?;
    let mut cli = Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))?;
    place(&mut cli, &matches)
        .map_err(|line| cmd.error(clap::error::ErrorKind::ArgumentConflict, line))?;
    Ok(cli)
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
    fn misplaced_options_are_refused_in_one_line() {
        for (args, says) in [
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
