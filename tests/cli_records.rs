//! What `recall run` writes is ready to use (issue 24): CSV with the summary in its own columns
//! (rounded as JSON lines), events with their kind and samples with the mirror flag; the solved
//! theory in the JSON lines; the explore figure in colour for every memory with a saliency.

use std::process::Command;

use serde_json::Value;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_recall"))
        .arg("run")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json_lines(args: &[&str]) -> Vec<Value> {
    run(args)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The rows of a CSV (no quoted commas in these runs' cells), each as column → cell.
fn csv_rows(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), header.len(), "{l}");
            header
                .iter()
                .cloned()
                .zip(cells.iter().map(|c| c.to_string()))
                .collect()
        })
        .collect()
}

/// A JSON value as the CSV writes it.
fn as_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn csv_has_the_summary_in_columns_events_with_a_kind_and_samples_with_the_mirror() {
    let args = ["--duration", "30", "--compare", "classic-pulsed"];
    let json = json_lines(&args);
    let mut csv_args = args.to_vec();
    csv_args.extend(["--format", "csv"]);
    let rows = csv_rows(&run(&csv_args));
    // Summaries: every field of the JSON line, the same (rounded) value, in its own column.
    let summaries: Vec<&Value> = json.iter().filter(|v| v["type"] == "summary").collect();
    let csv_summaries: Vec<_> = rows.iter().filter(|r| r["record"] == "summary").collect();
    assert_eq!(summaries.len(), csv_summaries.len());
    for (j, c) in summaries.iter().zip(&csv_summaries) {
        assert_eq!(c["model"], j["model"].as_str().unwrap());
        for (key, value) in j.as_object().unwrap() {
            if key != "type" && key != "model" {
                assert_eq!(c[key], as_cell(value), "{key}");
            }
        }
        assert!(!c.contains_key("text") || c["text"].is_empty());
    }
    // Events: the kind in `event`, as the JSON line's.
    let kinds: Vec<String> = json
        .iter()
        .filter(|v| v["type"] == "event")
        .map(|v| v["event"].as_str().unwrap().to_string())
        .collect();
    let csv_kinds: Vec<String> = rows
        .iter()
        .filter(|r| r["record"] == "event")
        .map(|r| r["event"].clone())
        .collect();
    assert!(!kinds.is_empty());
    assert_eq!(kinds, csv_kinds);
    // Samples: the mirror flag, and the same rounding of energies.
    let mirrors: Vec<(String, String)> = json
        .iter()
        .filter(|v| v["type"] == "sample")
        .flat_map(|v| v["models"].as_array().unwrap().clone())
        .map(|m| (as_cell(&m["mirror"]), as_cell(&m["energy"])))
        .collect();
    let csv_mirrors: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r["record"] == "sample")
        .map(|r| (r["mirror"].clone(), r["energy"].clone()))
        .collect();
    assert!(mirrors.iter().any(|(m, _)| m == "true"));
    assert_eq!(mirrors, csv_mirrors);
}

/// The regime each explore walk of the README names, from the record of the run itself.
#[test]
fn the_readme_explore_walks_record_the_regimes_they_name() {
    for (saliencies, regime) in [("0.05", 1), ("0.15", 2), ("0.5,0.3", 4), ("5,4", 4)] {
        let lines = json_lines(&[
            "--scenario",
            "explore",
            "--saliencies",
            saliencies,
            "--noise",
            "0",
            "--duration",
            "2",
        ]);
        let theory: Vec<&Value> = lines.iter().filter(|v| v["type"] == "theory").collect();
        // Held saliencies: one record, at the start.
        assert_eq!(theory.len(), 1, "{saliencies}");
        let t = theory[0];
        assert_eq!(t["time_secs"], 0.0);
        assert_eq!(t["regime"]["number"], regime, "{saliencies}: {t}");
        assert_eq!(t["memories"].as_array().unwrap().len(), 10);
        assert_eq!(
            t["memories"][0]["saliency"].as_f64().unwrap().to_string(),
            saliencies.split(',').next().unwrap()
        );
    }
}

/// A stream records the theory at the start and again as its input changes, for every
/// continuous model (the discrete one has no such theory).
#[test]
fn a_stream_records_the_theory_as_the_input_changes() {
    let lines = json_lines(&["--duration", "30", "--compare", "discrete"]);
    let theory: Vec<&Value> = lines.iter().filter(|v| v["type"] == "theory").collect();
    assert!(theory.iter().all(|t| t["model"] == "idp"));
    assert_eq!(theory[0]["time_secs"], 0.0);
    assert!(theory.len() > 3, "{}", theory.len());
    let well = theory.iter().any(|t| {
        t["memories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["standing"] == "well" && m["rank"] == 1)
    });
    assert!(well);
}

#[test]
fn the_explore_figure_colours_every_memory_with_a_saliency() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.svg");
    run(&[
        "--scenario",
        "explore",
        "--saliencies",
        "5,4",
        "--duration",
        "2",
        "--format",
        "table",
        "--plot",
        path.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(&path).unwrap();
    for text in [
        "\nbird\n",
        "\ncat\n",
        "bird 5, cat 4, others 0",
        "memories with α = 0",
    ] {
        assert!(svg.contains(text), "{text}");
    }
    assert!(!svg.contains("glitch"), "no glitch in explore");
}
