//! The pages check themselves: every command shown in a `console` block of the README or of a
//! page under `docs/` runs here, from the repository's root, and must print what the page shows
//! (`...` on a line of its own stands for lines left out, `[..]` for part of a line: timings and
//! other figures of the machine). Commands that need a terminal, a network or minutes are shown in
//! indented blocks instead, which nothing runs.

#[test]
fn every_command_in_the_docs_prints_what_the_page_shows() {
    trycmd::TestCases::new().case("README.md").case("docs/*.md");
}
