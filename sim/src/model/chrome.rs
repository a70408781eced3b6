//! Export of a [`Trace`] in the Chrome trace-event JSON format, which Perfetto
//! (<https://ui.perfetto.dev>) and `chrome://tracing` open.
//!
//! One track (thread) per task, named by its label; the time axis is *virtual* time in
//! microseconds. Polls take no virtual time, so each poll is an instant event carrying its step
//! number; sleeps are spans from the moment the task went to sleep to its deadline; log lines,
//! spawns, wakes, decisions, panics and aborts are instant events on the acting task's track
//! (executor events such as timers firing go on a track named `sim`).
//!
//! Many events share one virtual instant (everything between two clock moves happens at once),
//! but a viewer orders events by timestamp alone: each event is therefore placed 1 ns after the
//! previous one when it would not be later, so timestamps are distinct and follow the trace's
//! order, and an event is never moved earlier than its virtual time.

use std::fmt::Write as _;

use super::{EventKind, Trace};

/// The `tid` of the executor's own track (tasks use their id).
const SIM_TID: u64 = u64::MAX >> 11;

impl Trace {
    /// The trace as Chrome trace-event JSON (see the module notes). Empty at
    /// [`super::TraceLevel::Decisions`] apart from the track names.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let t = sim::spawn_named("sleeper", sim::time::sleep(Duration::from_millis(5)));
    ///     sim::log!("waiting");
    ///     t.await.unwrap();
    /// }).unwrap();
    /// let json = sim.trace().to_chrome_json();
    /// assert!(json.starts_with("{\"traceEvents\":["));
    /// assert!(json.contains("\"name\":\"sleeper#1\""));
    /// // A 5 ms span, starting a few nanoseconds after t=0 (after the events before it at t=0).
    /// assert!(json.contains("\"name\":\"sleep\",\"ph\":\"X\",\"ts\":0.0"));
    /// assert!(json.contains("\"dur\":5000,"));
    /// assert!(json.contains("\"name\":\"waiting\""));
    /// ```
    pub fn to_chrome_json(&self) -> String {
        let mut out = String::from("{\"traceEvents\":[");
        let mut first = true;
        let mut push = |out: &mut String, item: String| {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&item);
        };
        push(&mut out, metadata(SIM_TID, "sim"));
        for info in self.tasks() {
            push(&mut out, metadata(info.id.as_u64(), &info.label()));
        }
        let mut last: Option<u64> = None;
        for e in &self.events {
            let tid = e.task.map_or(SIM_TID, |t| t.as_u64());
            let at = match last {
                Some(prev) if prev >= e.time.as_nanos() => prev + 1,
                _ => e.time.as_nanos(),
            };
            last = Some(at);
            let ts = micros(at);
            let item = match &e.kind {
                EventKind::Sleep { until } => {
                    let dur = micros(until.as_nanos().saturating_sub(e.time.as_nanos()));
                    format!(
                        "{{\"name\":\"sleep\",\"ph\":\"X\",\"ts\":{ts},\"dur\":{dur},\"pid\":1,\
                         \"tid\":{tid},\"args\":{{\"step\":{}}}}}",
                        e.step
                    )
                }
                EventKind::Log(text) => instant(text, ts, tid, e.step),
                EventKind::Poll => instant("poll", ts, tid, e.step),
                other => {
                    let name = match other {
                        EventKind::Spawn { child } => format!("spawn {}", self.label(*child)),
                        EventKind::Wake { target } => format!("wake {}", self.label(*target)),
                        EventKind::AbortRequested { target } => {
                            format!("abort {}", self.label(*target))
                        }
                        k => k.to_string(),
                    };
                    instant(&name, ts, tid, e.step)
                }
            };
            push(&mut out, item);
        }
        out.push_str("],\"displayTimeUnit\":\"ns\"}");
        out
    }
}

/// Virtual nanoseconds as the format's microseconds (fractions kept, no float rounding).
fn micros(nanos: u64) -> String {
    let (whole, frac) = (nanos / 1000, nanos % 1000);
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:03}")
    }
}

fn metadata(tid: u64, name: &str) -> String {
    format!(
        "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"args\":{{\"name\":\"{}\"}}}}",
        escape(name)
    )
}

fn instant(name: &str, ts: String, tid: u64, step: u64) -> String {
    format!(
        "{{\"name\":\"{}\",\"ph\":\"i\",\"s\":\"t\",\"ts\":{ts},\"pid\":1,\"tid\":{tid},\
         \"args\":{{\"step\":{step}}}}}",
        escape(name)
    )
}

/// A JSON string body.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, micros};

    #[test]
    fn escapes_json_specials() {
        assert_eq!(escape("a\"b\\c\nd\u{1}"), "a\\\"b\\\\c\\nd\\u0001");
    }

    #[test]
    fn micros_keep_fractions() {
        assert_eq!(micros(5_000), "5");
        assert_eq!(micros(1_234), "1.234");
        assert_eq!(micros(7), "0.007");
    }
}
