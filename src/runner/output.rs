//! The two output formats of `recall run`: JSON lines (one object per sample, event and
//! summary, each tagged with `"type"`) and CSV (one header, one row per sample and model, per
//! event and per summary, told apart by the `record` column, each kind with its own columns).

use std::io::Write;

use serde::Serialize;
use serde_json::{Value, json};

use super::theory::TheoryRecord;
use super::{PatternsRecord, Record, Sample};
use crate::model::ModelKind;
use crate::model::regime::{Regime, Standing, ranks};
use crate::tracking::{Event, Summary};

/// Writes JSON lines, flushing after every record so a reader sees events as they happen.
/// Numbers are rounded to what they mean: times to the step's decimals (at least 1 ms),
/// overlaps, saliencies and fractions to 4 decimals, energies to 3.
pub struct JsonLines<W: Write> {
    out: W,
    names: Vec<String>,
    time_digits: i32,
}

/// The decimals that show `dt` exactly (at least 3, at most 9).
fn time_digits(dt_secs: f64) -> i32 {
    (3..9)
        .find(|&d| {
            let scaled = dt_secs * 10f64.powi(d);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(9)
}

fn round_to(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    let r = (x * scale).round() / scale;
    if r == 0.0 { 0.0 } else { r }
}

/// Rounds the numbers of `v` by their field's name, recursively.
fn round_fields(v: &mut Value, time_digits: i32) {
    let round = |v: &mut Value, digits: i32| {
        if let Some(x) = v.as_f64()
            && !v.is_i64()
            && !v.is_u64()
        {
            *v = json!(round_to(x, digits));
        }
    };
    match v {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let digits = match key.as_str() {
                    k if k.ends_with("_secs") => Some(time_digits),
                    "energy" | "depth_per_neuron" => Some(3),
                    "gamma"
                    | "existence_threshold"
                    | "alpha_star"
                    | "self_coupling"
                    | "saliency" => Some(4),
                    "overlaps" | "saliencies" | "accuracy" | "mean_overlap" | "mirror_fraction" => {
                        Some(4)
                    }
                    _ => None,
                };
                match (digits, value) {
                    (Some(d), Value::Array(items)) => items.iter_mut().for_each(|x| round(x, d)),
                    (Some(d), value @ Value::Number(_)) => round(value, d),
                    (_, value) => round_fields(value, time_digits),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| round_fields(x, time_digits)),
        _ => {}
    }
}

impl<W: Write> JsonLines<W> {
    /// JSON lines of a run over memories `names` integrated with step `dt_secs`.
    pub fn new(out: W, names: Vec<String>, dt_secs: f64) -> Self {
        Self {
            out,
            names,
            time_digits: time_digits(dt_secs),
        }
    }

    /// Writes a first line describing the run (`"type": "run"`).
    pub fn header(&mut self, info: &impl Serialize) -> std::io::Result<()> {
        let mut v = serde_json::to_value(info).map_err(std::io::Error::other)?;
        if let Value::Object(map) = &mut v {
            map.insert("type".into(), "run".into());
            map.insert("memories".into(), json!(self.names));
        }
        self.line(&v)
    }

    fn line(&mut self, v: &Value) -> std::io::Result<()> {
        let mut v = v.clone();
        if v.get("type").and_then(Value::as_str) != Some("run") {
            round_fields(&mut v, self.time_digits);
        }
        serde_json::to_writer(&mut self.out, &v).map_err(std::io::Error::other)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }

    fn name(&self, i: Option<usize>) -> Value {
        i.and_then(|i| self.names.get(i))
            .map_or(Value::Null, |n| json!(n))
    }
}

impl<W: Write> Record for JsonLines<W> {
    fn wants_theory(&self) -> bool {
        true
    }

    /// `"type": "theory"`: what the dashboard's memory table and readout show, solved for the
    /// running network: the regime of the two most salient memories, the thresholds, and per
    /// memory its α, standing (well, saddle, none), γ, E/N, rank among the wells and where a
    /// state started on it slides to.
    fn theory(&mut self, r: &TheoryRecord) -> std::io::Result<()> {
        let Some(report) = r.equilibria.report() else {
            return Ok(());
        };
        let regime = Regime::of(&report, &r.saliencies, r.model);
        let ranks = ranks(&report);
        let memories: Vec<Value> = report
            .memories
            .iter()
            .enumerate()
            .map(|(mu, m)| {
                json!({
                    "memory": mu,
                    "memory_name": self.name(Some(mu)),
                    "saliency": r.saliencies.get(mu).map(|&a| f64::from(a)),
                    "standing": Standing::of(&report, mu).word(),
                    "gamma": m.gamma,
                    "depth_per_neuron": m.depth_per_neuron,
                    "rank": ranks[mu],
                    "slides_to": m.slides_to,
                    "slides_to_name": self.name(m.slides_to),
                })
            })
            .collect();
        let regime_json = regime.map(|g| {
            let (a, b) = g.memories();
            json!({
                "number": g.number(),
                "text": g.describe(&self.names),
                "a": a,
                "a_name": self.name(Some(a)),
                "b": b,
                "b_name": self.name(b),
            })
        });
        self.line(&json!({
            "type": "theory",
            "time_secs": r.time_secs,
            "model": r.model.name(),
            "regime": regime_json,
            "confusion": report.confusion,
            "existence_threshold": report.existence_threshold,
            "alpha_star": report.alpha_star,
            "self_coupling": report.self_coupling,
            "thresholds_approximate": report.approximate,
            "beta": report.beta,
            "memories": memories,
        }))
    }
    fn patterns(&mut self, p: &PatternsRecord) -> std::io::Result<()> {
        self.names = p.names.to_vec();
        self.line(&json!({
            "type": "patterns",
            "time_secs": p.time_secs,
            "memories": p.names,
            "changes": p.changes,
            "errors": p.errors,
            "kept_last_good_set": p.kept_last_good_set,
            "warnings": p.warnings,
        }))
    }

    fn sample(&mut self, s: &Sample) -> std::io::Result<()> {
        let models: Vec<Value> = s
            .models
            .iter()
            .map(|m| {
                json!({
                    "model": m.model.name(),
                    "retrieved": m.retrieved,
                    "retrieved_name": self.name(m.retrieved),
                    // On the mirror −ξ of the retrieved memory (its overlap is negative).
                    "mirror": m.retrieved.and_then(|r| m.overlaps.get(r)).map(|&o| o < 0.0),
                    "overlaps": m.overlaps,
                    "saliencies": m.saliencies,
                    "energy": m.energy,
                })
            })
            .collect();
        let v = json!({
            "type": "sample",
            "time_secs": s.time_secs,
            "truth": s.truth,
            "truth_name": self.name(s.truth),
            "glitch": s.glitch,
            "label": s.label,
            "models": models,
        });
        self.line(&v)
    }

    fn event(&mut self, model: ModelKind, event: &Event) -> std::io::Result<()> {
        let mut v = serde_json::to_value(event).map_err(std::io::Error::other)?;
        if let Value::Object(map) = &mut v {
            // One meaning per name: `glitch` is the samples' flag; here the memories are ids,
            // each with its name beside it.
            for (old, new) in [("glitch", "glitch_memory"), ("held", "held_memory")] {
                if let Some(id) = map.remove(old) {
                    map.insert(new.into(), id);
                }
            }
            for key in [
                "memory",
                "from",
                "to",
                "glitch_memory",
                "held_memory",
                "input_memory",
            ] {
                if let Some(id) = map.get(key) {
                    let name = self.name(id.as_u64().map(|i| i as usize));
                    map.insert(format!("{key}_name"), name);
                }
            }
            map.insert("type".into(), "event".into());
            map.insert("model".into(), model.name().into());
            map.insert("text".into(), event.describe(&self.names).into());
        }
        self.line(&v)
    }

    fn summary(&mut self, model: ModelKind, summary: &Summary) -> std::io::Result<()> {
        let mut v = serde_json::to_value(summary).map_err(std::io::Error::other)?;
        if let Value::Object(map) = &mut v {
            map.insert("type".into(), "summary".into());
            map.insert("model".into(), model.name().into());
        }
        self.line(&v)
    }
}

/// The columns every CSV row has, before the summary's and the memories'.
const CSV_HEAD: [&str; 10] = [
    "record",
    "time_secs",
    "model",
    "truth",
    "retrieved",
    "mirror",
    "glitch",
    "energy",
    "event",
    "text",
];

/// The summary's fields, in the order of its JSON line (the CSV's summary columns).
fn summary_columns() -> Vec<String> {
    serde_json::to_value(Summary::default())
        .ok()
        .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
        .unwrap_or_default()
}

/// Writes CSV: one header, then one row per sample and model, per event and per summary, told
/// apart by `record`. The columns: `record,time_secs,model,truth,retrieved,mirror,glitch,
/// energy,event,text`, then the summary's fields (the names of its JSON line: `accuracy`,
/// `changes`, … filled on summary rows), then one `m_<name>` (overlap) and one `a_<name>`
/// (saliency) column per memory (sample rows). Samples carry `mirror` (on −ξ of the retrieved
/// memory), events their kind in `event` and their description in `text`. Numbers are rounded
/// as in JSON lines: times to the step's decimals, overlaps, saliencies and fractions to 4
/// decimals, energies to 3.
pub struct Csv<W: Write> {
    out: W,
    names: Vec<String>,
    summary: Vec<String>,
    time_digits: i32,
}

impl<W: Write> Csv<W> {
    /// CSV of a run over memories `names` integrated with step `dt_secs`.
    pub fn new(out: W, names: Vec<String>, dt_secs: f64) -> Self {
        Self {
            out,
            names,
            summary: summary_columns(),
            time_digits: time_digits(dt_secs),
        }
    }

    /// Writes the header line.
    pub fn header(&mut self) -> std::io::Result<()> {
        let mut cols: Vec<String> = CSV_HEAD.iter().map(|s| (*s).to_string()).collect();
        cols.extend(self.summary.iter().cloned());
        cols.extend(self.names.iter().map(|n| format!("m_{n}")));
        cols.extend(self.names.iter().map(|n| format!("a_{n}")));
        let cols: Vec<String> = cols.iter().map(|c| field(c)).collect();
        writeln!(self.out, "{}", cols.join(","))?;
        self.out.flush()
    }

    /// One row: the head cells, the summary's cells (or none) and the memories' (or none).
    fn row(
        &mut self,
        head: [String; 10],
        summary: &[String],
        memories: &[String],
    ) -> std::io::Result<()> {
        let mut cells: Vec<String> = head.iter().map(|c| field(c)).collect();
        let mut summary = summary.to_vec();
        summary.resize(self.summary.len(), String::new());
        cells.extend(summary.iter().map(|c| field(c)));
        cells.extend(memories.iter().cloned());
        cells.resize(
            CSV_HEAD.len() + self.summary.len() + 2 * self.names.len(),
            String::new(),
        );
        writeln!(self.out, "{}", cells.join(","))?;
        self.out.flush()
    }

    fn name(&self, i: Option<usize>) -> String {
        i.and_then(|i| self.names.get(i))
            .cloned()
            .unwrap_or_default()
    }

    fn time(&self, secs: f64) -> String {
        number(round_to(secs, self.time_digits))
    }
}

/// A JSON number as CSV writes it (as the JSON line does).
fn number(x: f64) -> String {
    json!(x).to_string()
}

/// A rounded JSON value as one CSV cell: null is empty, a string is itself.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<W: Write> Record for Csv<W> {
    fn sample(&mut self, s: &Sample) -> std::io::Result<()> {
        for m in &s.models {
            let mirror = m
                .retrieved
                .and_then(|r| m.overlaps.get(r))
                .map_or(String::new(), |&o| (o < 0.0).to_string());
            let head = [
                "sample".into(),
                self.time(s.time_secs),
                m.model.name().into(),
                self.name(s.truth),
                self.name(m.retrieved),
                mirror,
                s.glitch.to_string(),
                m.energy.map(|e| number(round_to(e, 3))).unwrap_or_default(),
                String::new(),
                s.label.clone(),
            ];
            let tail: Vec<String> = m
                .overlaps
                .iter()
                .chain(&m.saliencies)
                .map(|&v| number(round_to(f64::from(v), 4)))
                .collect();
            self.row(head, &[], &tail)?;
        }
        Ok(())
    }

    fn event(&mut self, model: ModelKind, event: &Event) -> std::io::Result<()> {
        let kind = serde_json::to_value(event)
            .ok()
            .and_then(|v| v.get("event").and_then(|e| e.as_str()).map(String::from))
            .unwrap_or_default();
        let head = [
            "event".into(),
            self.time(event_time(event)),
            model.name().into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            kind,
            event.describe(&self.names),
        ];
        self.row(head, &[], &[])
    }

    fn summary(&mut self, model: ModelKind, summary: &Summary) -> std::io::Result<()> {
        let mut v = serde_json::to_value(summary).map_err(std::io::Error::other)?;
        round_fields(&mut v, self.time_digits);
        let cells: Vec<String> = self
            .summary
            .iter()
            .map(|k| v.get(k).map(cell).unwrap_or_default())
            .collect();
        let head = [
            "summary".into(),
            self.time(summary.duration_secs),
            model.name().into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ];
        self.row(head, &cells, &[])
    }
}

/// The time an event happened.
pub fn event_time(e: &Event) -> f64 {
    match *e {
        Event::Retrieved { time_secs, .. }
        | Event::Transition { time_secs, .. }
        | Event::Confusion { time_secs }
        | Event::GlitchCorrected { time_secs, .. }
        | Event::GlitchFollowed { time_secs, .. }
        | Event::GlitchNotTracking { time_secs, .. }
        | Event::Diverged { time_secs } => time_secs,
    }
}

/// Quotes a CSV cell when it holds a comma, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
