//! The shell: dispatches the parsed command line to the dashboard, the headless runner, the
//! experiments or the pattern check, and turns errors into one line on stderr and an exit code.

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Exit status for usage errors (bad flags, no terminal).
pub const USAGE: u8 = 2;

/// Prints a clap error: help and version as clap formats them, a usage error as one line.
pub fn report_usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        _ => {
            let text = e.render().to_string();
            let line = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            eprintln!("{line}");
            ExitCode::from(USAGE)
        }
    }
}

/// Runs what the command line asks for.
pub fn run(cli: Cli) -> ExitCode {
    // Values clap accepts one by one can still be refused together (dt against τ_x): that is a
    // usage error too, one line and status 2, before anything starts.
    let sim = match &cli.command {
        Some(Command::Run(args)) => Some(&args.sim),
        None => Some(&cli.sim),
        _ => None,
    };
    if let Some(Err(e)) = sim.map(|s| s.params().validate()) {
        eprintln!("recall: invalid settings: {e}");
        return ExitCode::from(USAGE);
    }
    let result = match cli.command {
        Some(Command::Run(args)) => crate::runner::run_cli(&args),
        Some(Command::Experiment(args)) => crate::experiment::run_cli(&args),
        Some(Command::Check(args)) => {
            crate::patterns::check_cli(&args.dir, &mut std::io::stdout().lock()).map(|ok| {
                if ok {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            })
        }
        None => crate::ui::run_cli(&cli.sim, &cli.dashboard),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("recall: {e:#}");
            ExitCode::FAILURE
        }
    }
}
