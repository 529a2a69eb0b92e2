//! `recall man [SUBCOMMAND]` and `recall completions SHELL`: the manual pages (clap_mangen, one
//! per subcommand, the main page with KEYS, EXAMPLES, FILES and ENVIRONMENT) and the completion
//! scripts (clap_complete), which offer the names of experiments, models and scenarios.

use clap::CommandFactory;

use super::Cli;

/// The subcommands that have a page of their own (`recall-NAME(1)`).
pub const PAGES: &[&str] = &[
    "run",
    "experiment",
    "check",
    "completions",
    "man",
    "serve",
    "lesson",
];

/// The main page's examples: (command, what it does).
const EXAMPLES: &[(&str, &str)] = &[
    ("recall", "the dashboard on the built-in memories"),
    (
        "recall --patterns mine/ --compare",
        "the dashboard on the pictures of mine/ (watched), IDP beside the classic pulsed model",
    ),
    (
        "recall run --duration 30 --format csv > run.csv",
        "30 s of model time headless, as CSV",
    ),
    (
        "recall run --scenario explore --saliencies 5,4 --noise 1 --plot f.png",
        "hold α = 5 and 4 on the first two memories and draw the overlaps",
    ),
    (
        "recall experiment glitch --plot glitch.png",
        "the paper's glitch protocol, 20 trials, and its figure",
    ),
    (
        "recall check patterns/ --save-memories xi.npy",
        "validate a pattern directory and write its memories as NumPy",
    ),
    (
        "recall lesson",
        "the paper told live, chapter by chapter (→ next, ← back); see docs/lesson.md",
    ),
    (
        "recall serve --presenter-key ~/.ssh/id_ed25519.pub",
        "serve the dashboard over SSH on 127.0.0.1:2222",
    ),
];

/// Escapes text for roff: backslashes, and a leading dot or quote that would start a request.
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with(['.', '\'']) {
        format!("\\&{s}")
    } else {
        s
    }
}

/// A `.TP` list item: a bold tag and its text.
fn item(out: &mut String, tag: &str, text: &str) {
    out.push_str(&format!(
        ".TP\n\\fB{}\\fR\n{}\n",
        roff_text(tag),
        roff_text(text)
    ));
}

/// The sections clap does not know of, for the main page.
fn extra_sections() -> String {
    let mut out = String::from(
        ".SH KEYS\nThe dashboard (and the presenter of recall serve, where Ctrl-Z does nothing):\n",
    );
    for (keys, does) in crate::ui::keys::HELP {
        item(&mut out, keys, does);
    }
    out.push_str(".PP\nA viewer of recall serve:\n");
    for (keys, does) in crate::ui::keys::VIEWER_HELP {
        item(&mut out, keys, does);
    }
    out.push_str(".SH EXAMPLES\n");
    for (command, does) in EXAMPLES {
        item(&mut out, command, does);
    }
    out.push_str(".SH FILES\n");
    item(
        &mut out,
        "$XDG_STATE_HOME/recall/ssh_host_ed25519_key",
        "the host key of recall serve, made on first start (mode 0600); without XDG_STATE_HOME, \
         in ~/.local/state/recall/ (the state directory); --host-key chooses another",
    );
    item(
        &mut out,
        "DIR/NAME.txt, NAME.pbm, NAME.png",
        "the pattern files of --patterns DIR, loaded in the order of their names (as the \
         built-in set); w in the dashboard stores a drawing as DIR/NAME.txt",
    );
    out.push_str(".SH ENVIRONMENT\n");
    item(
        &mut out,
        "NO_COLOR",
        "set and not empty: no colour, as --no-color",
    );
    item(
        &mut out,
        "XDG_STATE_HOME",
        "where recall serve keeps its host key (default ~/.local/state)",
    );
    item(&mut out, "HOME", "the default state directory's parent");
    out
}

/// The manual page of `recall` (`None`) or of one subcommand, as roff.
pub fn man_page(page: Option<&str>) -> std::io::Result<String> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut text = Vec::new();
    match page {
        Some(name) => {
            let sub = cmd
                .find_subcommand(name)
                .cloned()
                .ok_or_else(|| std::io::Error::other(format!("no page for {name:?}")))?;
            clap_mangen::Man::new(sub)
                .source(format!("recall {}", env!("CARGO_PKG_VERSION")))
                .render(&mut text)?;
        }
        None => {
            let man = clap_mangen::Man::new(cmd);
            man.render_title(&mut text)?;
            man.render_name_section(&mut text)?;
            man.render_synopsis_section(&mut text)?;
            man.render_description_section(&mut text)?;
            man.render_options_section(&mut text)?;
            man.render_subcommands_section(&mut text)?;
            text.extend_from_slice(extra_sections().as_bytes());
            man.render_version_section(&mut text)?;
        }
    }
    String::from_utf8(text).map_err(std::io::Error::other)
}

/// The completion script of `shell`. Fish's generator leaves out positional arguments, so the
/// experiments' names are added for it here.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut cmd = Cli::command();
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut cmd, "recall", &mut text);
    let mut text = String::from_utf8_lossy(&text).into_owned();
    if shell == clap_complete::Shell::Fish {
        cmd.build();
        for sub in cmd.get_subcommands() {
            for pos in sub.get_positionals() {
                let values: Vec<String> = pos
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_string())
                    .collect();
                if !values.is_empty() {
                    text.push_str(&format!(
                        "complete -c recall -n \"__fish_recall_using_subcommand {}\" -f -a \"{}\"\n",
                        sub.get_name(),
                        values.join(" ")
                    ));
                }
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_has_a_page() {
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        assert_eq!(names, PAGES);
        for page in PAGES {
            let text = man_page(Some(page)).unwrap();
            assert!(
                text.contains(&format!(".TH recall-{page} 1")),
                "{page}: {}",
                &text[..80]
            );
        }
    }
}
