//! The simulator's outgoing log lines: a line that repeats the one before (the same source,
//! kind and text, e.g. a model diverging at every step) is counted instead of sent again, and
//! the backlog held for a slow UI is bounded. What is counted or dropped is said in a line.

use std::collections::VecDeque;

use super::{LogEntry, LogKind};

/// Lines held for a UI that does not keep up; older ones beyond this are dropped and counted.
pub const MAX_BACKLOG: usize = 4096;

/// Log lines on their way to the UI.
#[derive(Debug, Default)]
pub struct Outbox {
    backlog: VecDeque<LogEntry>,
    /// The last line queued and how many identical lines came after it since.
    last: Option<(LogEntry, u64)>,
    /// Lines dropped from the front of a full backlog, not yet reported.
    dropped: u64,
}

impl Outbox {
    /// Queues `entry`, or counts it if it repeats the line before.
    pub fn push(&mut self, entry: LogEntry) {
        if let Some((last, repeats)) = self.last.as_mut()
            && last.source == entry.source
            && last.kind == entry.kind
            && last.text == entry.text
        {
            *repeats += 1;
            last.time_secs = entry.time_secs;
            return;
        }
        self.flush_repeats();
        self.queue(entry.clone());
        self.last = Some((entry, 0));
    }

    /// Reports the repeats counted so far (one line, "… ×N more"), so that a condition that
    /// goes on is seen while it lasts.
    pub fn flush_repeats(&mut self) {
        if let Some((last, repeats)) = self.last.as_mut()
            && *repeats > 0
        {
            let line = LogEntry {
                who: None,
                text: format!("{} (×{} more)", last.text, *repeats),
                ..last.clone()
            };
            *repeats = 0;
            self.queue(line);
        }
    }

    fn queue(&mut self, entry: LogEntry) {
        if self.backlog.len() >= MAX_BACKLOG {
            self.backlog.pop_front();
            self.dropped += 1;
        }
        self.backlog.push_back(entry);
    }

    /// The next line to send (with a note first when lines had to be dropped).
    pub fn front(&mut self) -> Option<&LogEntry> {
        if self.dropped > 0
            && let Some(next) = self.backlog.front()
        {
            let note = LogEntry {
                who: None,
                time_secs: next.time_secs,
                source: next.source,
                kind: LogKind::Error,
                text: format!(
                    "{} older log lines dropped: the display fell behind",
                    self.dropped
                ),
            };
            self.dropped = 0;
            self.backlog.push_front(note);
        }
        self.backlog.front()
    }

    /// Removes the line [`Self::front`] returned.
    pub fn pop(&mut self) -> Option<LogEntry> {
        self.backlog.pop_front()
    }

    /// Nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.backlog.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelKind;
    use crate::pipeline::Source;

    fn line(text: &str, t: f64) -> LogEntry {
        LogEntry {
            who: None,
            time_secs: t,
            source: Source::Model(ModelKind::Idp),
            kind: LogKind::Error,
            text: text.into(),
        }
    }

    fn drain(out: &mut Outbox) -> Vec<String> {
        let mut texts = Vec::new();
        while out.front().is_some() {
            texts.extend(out.pop().map(|e| e.text));
        }
        texts
    }

    #[test]
    fn repeats_are_counted_not_sent() {
        let mut out = Outbox::default();
        for k in 0..1000 {
            out.push(line("diverged", k as f64 * 0.01));
        }
        out.push(line("retrieved cat", 10.0));
        assert_eq!(
            drain(&mut out),
            ["diverged", "diverged (×999 more)", "retrieved cat"]
        );
    }

    #[test]
    fn a_condition_that_goes_on_is_reported_as_it_lasts() {
        let mut out = Outbox::default();
        out.push(line("diverged", 0.0));
        out.push(line("diverged", 0.01));
        out.flush_repeats();
        out.push(line("diverged", 0.02));
        out.flush_repeats();
        assert_eq!(
            drain(&mut out),
            ["diverged", "diverged (×1 more)", "diverged (×1 more)"]
        );
    }

    #[test]
    fn the_backlog_is_bounded_and_says_what_it_dropped() {
        let mut out = Outbox::default();
        for k in 0..MAX_BACKLOG + 10 {
            out.push(line(&format!("line {k}"), k as f64));
        }
        let texts = drain(&mut out);
        assert_eq!(texts.len(), MAX_BACKLOG + 1);
        assert_eq!(
            texts[0],
            "10 older log lines dropped: the display fell behind"
        );
        assert_eq!(texts[1], "line 10");
    }
}
