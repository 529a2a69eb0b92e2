//! The two output formats of `recall run`: JSON lines (one object per sample, event and
//! summary, each tagged with `"type"`) and CSV (one header, one row per sample and model, per
//! event and per summary, told apart by the `record` column).

use std::io::Write;

use serde::Serialize;
use serde_json::{Value, json};

use super::{PatternsRecord, Record, Sample};
use crate::model::ModelKind;
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
                    "energy" => Some(3),
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
    fn patterns(&mut self, p: &PatternsRecord) -> std::io::Result<()> {
        self.names = p.names.to_vec();
        self.line(&json!({
            "type": "patterns",
            "time_secs": p.time_secs,
            "memories": p.names,
            "changes": p.changes,
            "errors": p.errors,
            "kept_last_good_set": p.kept_last_good_set,
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
            for key in ["memory", "from", "to", "glitch_memory", "held_memory"] {
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

/// Writes CSV: `record,time_secs,model,truth,retrieved,glitch,energy,text`, then one
/// `m_<name>` (overlap) and one `a_<name>` (saliency) column per memory. Event rows carry
/// their description in `text`; summary rows carry `key=value` pairs separated by `;`.
pub struct Csv<W: Write> {
    out: W,
    names: Vec<String>,
}

impl<W: Write> Csv<W> {
    pub fn new(out: W, names: Vec<String>) -> Self {
        Self { out, names }
    }

    /// Writes the header line.
    pub fn header(&mut self) -> std::io::Result<()> {
        let mut cols: Vec<String> = [
            "record",
            "time_secs",
            "model",
            "truth",
            "retrieved",
            "glitch",
            "energy",
            "text",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        cols.extend(self.names.iter().map(|n| format!("m_{n}")));
        cols.extend(self.names.iter().map(|n| format!("a_{n}")));
        let cols: Vec<String> = cols.iter().map(|c| field(c)).collect();
        writeln!(self.out, "{}", cols.join(","))?;
        self.out.flush()
    }

    fn row(&mut self, head: [String; 8], tail: &[String]) -> std::io::Result<()> {
        let mut cells: Vec<String> = head.iter().map(|c| field(c)).collect();
        cells.extend(tail.iter().cloned());
        cells.resize(8 + 2 * self.names.len(), String::new());
        writeln!(self.out, "{}", cells.join(","))?;
        self.out.flush()
    }

    fn name(&self, i: Option<usize>) -> String {
        i.and_then(|i| self.names.get(i))
            .cloned()
            .unwrap_or_default()
    }
}

impl<W: Write> Record for Csv<W> {
    fn sample(&mut self, s: &Sample) -> std::io::Result<()> {
        for m in &s.models {
            let head = [
                "sample".into(),
                format!("{:.3}", s.time_secs),
                m.model.name().into(),
                self.name(s.truth),
                self.name(m.retrieved),
                s.glitch.to_string(),
                m.energy.map(|e| format!("{e:.4}")).unwrap_or_default(),
                s.label.clone(),
            ];
            let tail: Vec<String> = m
                .overlaps
                .iter()
                .chain(&m.saliencies)
                .map(|v| format!("{v:.4}"))
                .collect();
            self.row(head, &tail)?;
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
            format!("{:.3}", event_time(event)),
            model.name().into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            labelled(&kind, event.describe(&self.names)),
        ];
        self.row(head, &[])
    }

    fn summary(&mut self, model: ModelKind, summary: &Summary) -> std::io::Result<()> {
        let v = serde_json::to_value(summary).map_err(std::io::Error::other)?;
        let pairs: Vec<String> = v
            .as_object()
            .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
            .unwrap_or_default();
        let head = [
            "summary".into(),
            format!("{:.3}", summary.duration_secs),
            model.name().into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            pairs.join(";"),
        ];
        self.row(head, &[])
    }
}

/// "transition: cat → dog"; a description that starts with its kind's word as it is
/// ("retrieved cat after 1.2 s", "diverged: non-finite state").
fn labelled(kind: &str, text: String) -> String {
    let word = kind.split('-').next().unwrap_or(kind);
    if text.starts_with(word) {
        text
    } else {
        format!("{kind}: {text}")
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
