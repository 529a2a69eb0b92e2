//! The headless runner through the library: its output parses, its events agree with its
//! samples, it is reproducible, and with the default settings the science is visible.

use std::collections::HashMap;
use std::sync::Arc;

use recall::cli::Format;
use recall::model::{Memories, ModelKind, Params};
use recall::runner::{RunConfig, simulate, write_run};
use recall::stimulus::{ScenarioName, StreamConfig};
use recall::tracking::TrackerConfig;
use serde_json::Value;

fn config(scenario: ScenarioName, models: &[ModelKind], secs: f64, seed: u64) -> RunConfig {
    RunConfig {
        scenario,
        models: models.to_vec(),
        params: Params::default(),
        stream: StreamConfig::default(),
        tracker: TrackerConfig::default(),
        duration_secs: secs,
        every_secs: 0.5,
        seed,
        fixed: Default::default(),
        files: Default::default(),
        patterns: None,
        stop: None,
    }
}

fn builtin() -> Arc<Memories> {
    Arc::new(recall::patterns::builtin())
}

fn run_to_string(config: &RunConfig, format: Format) -> String {
    let mut out = Vec::new();
    write_run(config, builtin(), format, &mut out, None).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn json_lines_parse_and_events_agree_with_samples() {
    let models = [ModelKind::Idp, ModelKind::ClassicPulsed];
    let text = run_to_string(&config(ScenarioName::Tour, &models, 40.0, 3), Format::Jsonl);
    let p = builtin().p();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines[0]["type"], "run");
    assert_eq!(lines[0]["memories"].as_array().unwrap().len(), p);
    // Replaying the events in order must give every sample's retrieved memory.
    let mut state: HashMap<String, Option<u64>> = HashMap::new();
    let (mut samples, mut events, mut summaries) = (0, 0, 0);
    for line in &lines[1..] {
        match line["type"].as_str().unwrap() {
            "sample" => {
                samples += 1;
                assert!(line["time_secs"].as_f64().unwrap() >= 0.0);
                for m in line["models"].as_array().unwrap() {
                    let name = m["model"].as_str().unwrap().to_string();
                    assert_eq!(m["overlaps"].as_array().unwrap().len(), p);
                    assert_eq!(m["saliencies"].as_array().unwrap().len(), p);
                    assert!(m["energy"].is_f64());
                    let want = state.get(&name).copied().flatten();
                    assert_eq!(
                        m["retrieved"].as_u64(),
                        want,
                        "{name} at {}",
                        line["time_secs"]
                    );
                }
            }
            "event" => {
                events += 1;
                let model = line["model"].as_str().unwrap().to_string();
                assert!(!line["text"].as_str().unwrap().is_empty());
                match line["event"].as_str().unwrap() {
                    "retrieved" => {
                        state.insert(model, line["memory"].as_u64());
                        assert!(line["latency_secs"].as_f64().unwrap() >= 0.0);
                    }
                    "transition" => {
                        assert_eq!(state.get(&model).copied().flatten(), line["from"].as_u64());
                        state.insert(model, line["to"].as_u64());
                    }
                    "confusion" => {
                        state.insert(model, None);
                    }
                    "glitch-corrected" | "glitch-followed" => {
                        assert!(line["glitch_memory"].as_u64().unwrap() < p as u64)
                    }
                    other => panic!("unexpected event {other}"),
                }
            }
            // The solved theory of each continuous model, as the input changes.
            "theory" => assert_eq!(line["memories"].as_array().unwrap().len(), p),
            "summary" => {
                summaries += 1;
                assert!(line["accuracy"].as_f64().is_some());
                assert!(line["glitches_seen"].as_u64().unwrap() >= 1);
            }
            other => panic!("unexpected record {other}"),
        }
    }
    assert_eq!(samples, 81);
    assert!(events >= 4);
    assert_eq!(summaries, 2);
    assert_eq!(lines.last().unwrap()["type"], "summary");
}

/// Splits one CSV line, honouring quotes.
fn cells(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[test]
fn csv_has_a_header_and_rectangular_rows() {
    let models = [ModelKind::Idp, ModelKind::IdpFilter];
    let text = run_to_string(&config(ScenarioName::Mixed, &models, 12.0, 1), Format::Csv);
    let mut lines = text.lines();
    let header = cells(lines.next().unwrap());
    let p = builtin().p();
    assert_eq!(&header[..3], ["record", "time_secs", "model"]);
    // The samples' and events' columns, the summary's fields, then m_ and a_ per memory.
    let summary_fields = header.iter().position(|c| c.starts_with("m_")).unwrap() - 10;
    assert!(header[10..10 + summary_fields].contains(&"accuracy".to_string()));
    assert_eq!(header.len(), 10 + summary_fields + 2 * p);
    let mut kinds = HashMap::new();
    for line in lines {
        let row = cells(line);
        assert_eq!(row.len(), header.len(), "{line}");
        *kinds.entry(row[0].clone()).or_insert(0) += 1;
        if row[0] == "sample" {
            for v in &row[10 + summary_fields..] {
                v.parse::<f64>().unwrap();
            }
        }
    }
    assert_eq!(kinds["sample"], 2 * 25);
    assert_eq!(kinds["summary"], 2);
}

#[test]
fn a_run_is_reproducible_for_a_seed() {
    let models = [ModelKind::Idp, ModelKind::Discrete];
    let a = run_to_string(
        &config(ScenarioName::Glitch, &models, 10.0, 8),
        Format::Jsonl,
    );
    let b = run_to_string(
        &config(ScenarioName::Glitch, &models, 10.0, 8),
        Format::Jsonl,
    );
    let c = run_to_string(
        &config(ScenarioName::Glitch, &models, 10.0, 9),
        Format::Jsonl,
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
}

/// The product's promise: on the default tour, IDP tracks and corrects glitches, the classic
/// pulsed model does measurably worse.
#[test]
fn defaults_make_the_science_visible_on_the_tour() {
    struct Null;
    impl recall::runner::Record for Null {
        fn sample(&mut self, _: &recall::runner::Sample) -> std::io::Result<()> {
            Ok(())
        }
        fn event(&mut self, _: ModelKind, _: &recall::tracking::Event) -> std::io::Result<()> {
            Ok(())
        }
        fn summary(&mut self, _: ModelKind, _: &recall::tracking::Summary) -> std::io::Result<()> {
            Ok(())
        }
    }
    for seed in [1, 2, 3] {
        let models = [ModelKind::Idp, ModelKind::ClassicPulsed];
        let cfg = config(ScenarioName::Tour, &models, 120.0, seed);
        let out = simulate(&cfg, builtin(), &mut Null, None).unwrap();
        let (idp, pulsed) = (&out[0].1, &out[1].1);
        let acc = idp.accuracy.unwrap();
        assert!(acc >= 0.9, "seed {seed}: IDP accuracy {acc}");
        assert!(idp.glitches_seen >= 4, "seed {seed}: {idp:?}");
        assert!(
            idp.glitches_corrected * 5 >= idp.glitches_seen * 4,
            "seed {seed}: {idp:?}"
        );
        let worse = pulsed.accuracy.unwrap();
        assert!(
            worse < acc - 0.2,
            "seed {seed}: pulsed {worse} vs IDP {acc}"
        );
        assert!(pulsed.glitches_corrected < idp.glitches_corrected);
    }
}

/// A reload's warnings (what `recall check` would say about the new set) reach the JSON lines.
#[test]
fn a_reload_writes_its_warnings_in_the_patterns_record() {
    use recall::patterns::Change;
    use recall::patterns::watch::{PatternEvent, PatternsReloaded};
    let old = builtin();
    let dog = old.index_of("dog").unwrap();
    // dog with 30 pixels flipped: too like dog to be told apart.
    let like_dog: Vec<bool> = old
        .memory(dog)
        .iter()
        .enumerate()
        .map(|(i, &v)| (v > 0.0) != (i % 34 == 0 && i < 34 * 30))
        .collect();
    let new = Arc::new(recall::patterns::with_memory(&old, "dogish", &like_dog).unwrap());
    let warnings = recall::patterns::new_warnings(Some(&old), &new, &["dogish"]);
    assert!(
        !warnings.is_empty(),
        "a near copy of dog must be warned about"
    );
    let (tx, rx) = crossbeam_channel::unbounded();
    tx.send(PatternEvent::Reloaded(PatternsReloaded {
        memories: new,
        changes: vec![Change::Added("dogish".into())],
        files: Vec::new(),
        errors: Vec::new(),
        warnings: warnings.clone(),
    }))
    .unwrap();
    let mut out = Vec::new();
    let config = config(ScenarioName::Tour, &[ModelKind::Idp], 2.0, 1);
    write_run(&config, old, Format::Jsonl, &mut out, Some(&rx)).unwrap();
    let text = String::from_utf8(out).unwrap();
    let record: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["type"] == "patterns")
        .expect("a patterns record");
    let written: Vec<String> = record["warnings"]
        .as_array()
        .expect("a warnings array")
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    let want: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(written, want);
    assert!(written[0].contains("dogish"), "{written:?}");
}

/// `--scenario explore` as flags: the input holds exactly the saliencies given, and a
/// noise-free network settles on the most salient memory.
#[test]
fn explore_holds_the_given_saliencies() {
    let mut config = config(ScenarioName::Explore, &[ModelKind::Idp], 15.0, 3);
    config.params.noise_std = 0.0;
    let mut alpha = vec![0.0; 10];
    alpha[0] = 0.6;
    alpha[1] = 0.3;
    config.fixed.saliencies = Some(alpha.clone());
    let text = run_to_string(&config, Format::Jsonl);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let header = &lines[0];
    assert_eq!(header["saliencies"][0].as_f64(), Some(0.6), "{header}");
    let last = lines.iter().rev().find(|v| v["type"] == "sample").unwrap();
    assert_eq!(last["truth_name"], "bird");
    let model = &last["models"][0];
    for (mu, want) in alpha.iter().enumerate() {
        let got = model["saliencies"][mu].as_f64().unwrap();
        assert!((got - want).abs() < 1e-3, "α_{mu} = {got}, want {want}");
    }
    assert_eq!(model["retrieved_name"], "bird", "{model}");
}

/// A sink that records no samples is not handed any (a sample costs each model's energy), and
/// the run's summaries are the same as with one that does.
#[test]
fn a_sink_without_samples_gets_none_and_the_same_summaries() {
    struct Counting {
        wants: bool,
        samples: usize,
    }
    impl recall::runner::Record for Counting {
        fn wants_samples(&self) -> bool {
            self.wants
        }
        fn sample(&mut self, _: &recall::runner::Sample) -> std::io::Result<()> {
            self.samples += 1;
            Ok(())
        }
        fn event(&mut self, _: ModelKind, _: &recall::tracking::Event) -> std::io::Result<()> {
            Ok(())
        }
        fn summary(&mut self, _: ModelKind, _: &recall::tracking::Summary) -> std::io::Result<()> {
            Ok(())
        }
    }
    let cfg = config(ScenarioName::Tour, &[ModelKind::Idp], 20.0, 4);
    let mut with = Counting {
        wants: true,
        samples: 0,
    };
    let mut without = Counting {
        wants: false,
        samples: 0,
    };
    let a = simulate(&cfg, builtin(), &mut with, None).unwrap();
    let b = simulate(&cfg, builtin(), &mut without, None).unwrap();
    assert!(with.samples > 0);
    assert_eq!(without.samples, 0);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

/// A burst of reloads in the middle of a run (the stream's thread well ahead, waiting to hand
/// over a batch) does not stall the run.
#[test]
fn a_burst_of_reloads_mid_run_does_not_stall_it() {
    use recall::patterns::watch::{PatternEvent, PatternsReloaded};
    let (tx, rx) = crossbeam_channel::unbounded();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let config = config(ScenarioName::Tour, &[ModelKind::Idp], 3000.0, 1);
        let mut out = Vec::new();
        let result = write_run(&config, builtin(), Format::Table, &mut out, Some(&rx));
        let _ = done_tx.send(result.is_ok());
    });
    std::thread::sleep(std::time::Duration::from_millis(150));
    for _ in 0..12 {
        tx.send(PatternEvent::Reloaded(PatternsReloaded {
            memories: builtin(),
            changes: Vec::new(),
            files: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
        }))
        .unwrap();
    }
    let finished = done_rx.recv_timeout(std::time::Duration::from_secs(60));
    assert_eq!(finished, Ok(true), "the run did not finish within 60 s");
}
