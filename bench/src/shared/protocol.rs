//! The line protocol between the bench and a peer process (madsim, shuttle, or the bench binary
//! itself for a fresh-process memory peak): one request per line on the peer's stdin, one reply
//! per line on its stdout.
//!
//! ```text
//! > time spawn_join 1000000      run the workload until MIN_CPU; reply: ok <ns per run> <checksum>
//! > bytes parked 1000000         live heap bytes per parked task;  reply: ok <bytes> <checksum>
//! > peak stream 10000000         resident-memory growth of one run; reply: ok <bytes> <checksum>
//! < none <why>                   this system has no equivalent of the workload
//! < err <what went wrong>
//! ```
//!
//! Only `std` here: the peer packages include this file by path.

use std::io::{BufRead, Write};

/// What a request measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// CPU time of one run (a [`crate::shared::measure::sample`]).
    Time,
    /// Live heap bytes per task.
    Bytes,
    /// Resident-memory growth of one run in a fresh process.
    Peak,
}

impl Measure {
    fn word(self) -> &'static str {
        match self {
            Measure::Time => "time",
            Measure::Bytes => "bytes",
            Measure::Peak => "peak",
        }
    }
}

/// One request: measure `workload` at `size`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// What to measure.
    pub measure: Measure,
    /// The workload's name (`spawn_join`, `stream`, ...).
    pub workload: String,
    /// Its size (tasks, messages, runs: see the workload).
    pub size: u64,
}

impl Request {
    /// Parses `time spawn_join 1000`.
    ///
    /// ```
    /// use seedloop_bench::shared::protocol::{Measure, Request};
    /// let r = Request::parse("time stream 10").unwrap();
    /// assert_eq!((r.measure, r.workload.as_str(), r.size), (Measure::Time, "stream", 10));
    /// assert_eq!(r.line(), "time stream 10");
    /// assert!(Request::parse("time stream ten").is_err());
    /// ```
    pub fn parse(line: &str) -> Result<Request, String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [measure, workload, size] = words[..] else {
            return Err(format!(
                "expected `<time|bytes|peak> <workload> <size>`, got `{line}`"
            ));
        };
        let measure = match measure {
            "time" => Measure::Time,
            "bytes" => Measure::Bytes,
            "peak" => Measure::Peak,
            other => return Err(format!("unknown measure `{other}` (time, bytes or peak)")),
        };
        let size = size
            .parse()
            .map_err(|_| format!("size `{size}` is not a whole number"))?;
        Ok(Request {
            measure,
            workload: workload.to_string(),
            size,
        })
    }

    /// The request as one line.
    pub fn line(&self) -> String {
        format!("{} {} {}", self.measure.word(), self.workload, self.size)
    }
}

/// One reply.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The measured value (ns per run, or bytes) and the workload's checksum.
    Ok(f64, u64),
    /// No equivalent in this system, and why.
    None(String),
    /// The measurement failed.
    Err(String),
}

impl Reply {
    /// Parses a reply line.
    ///
    /// ```
    /// use seedloop_bench::shared::protocol::Reply;
    /// assert_eq!(Reply::parse("ok 12.5 7"), Reply::Ok(12.5, 7));
    /// assert_eq!(Reply::parse(&Reply::None("no timers".into()).line()), Reply::None("no timers".into()));
    /// assert!(matches!(Reply::parse("garbage"), Reply::Err(_)));
    /// ```
    pub fn parse(line: &str) -> Reply {
        let line = line.trim();
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "ok" => {
                let mut it = rest.split_whitespace();
                match (
                    it.next().and_then(|v| v.parse().ok()),
                    it.next().and_then(|c| c.parse().ok()),
                ) {
                    (Some(v), Some(c)) => Reply::Ok(v, c),
                    _ => Reply::Err(format!("malformed reply `{line}`")),
                }
            }
            "none" => Reply::None(rest.to_string()),
            "err" => Reply::Err(rest.to_string()),
            _ => Reply::Err(format!("malformed reply `{line}`")),
        }
    }

    /// The reply as one line (newlines in a message become spaces).
    pub fn line(&self) -> String {
        let flat = |s: &str| s.replace(['\n', '\r'], " ");
        match self {
            Reply::Ok(v, c) => format!("ok {v} {c}"),
            Reply::None(why) => format!("none {}", flat(why)),
            Reply::Err(what) => format!("err {}", flat(what)),
        }
    }
}

/// Answers requests from stdin until it closes: the main loop of a peer process. A panic in
/// `handle` becomes an `err` reply (the process keeps serving).
pub fn serve(mut handle: impl FnMut(&Request) -> Reply) {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { return };
        if line.trim().is_empty() {
            continue;
        }
        let reply = match Request::parse(&line) {
            Ok(req) => {
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(&req))) {
                    Ok(reply) => reply,
                    Err(panic) => Reply::Err(panic_text(&*panic)),
                }
            }
            Err(e) => Reply::Err(e),
        };
        if writeln!(out, "{}", reply.line())
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

/// The message of a caught panic.
pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        format!("panicked: {s}")
    } else if let Some(s) = panic.downcast_ref::<String>() {
        format!("panicked: {s}")
    } else {
        "panicked".to_string()
    }
}

/// Why a system has no equivalent of a workload (printed as `—` with this reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoEquivalent(pub String);

impl NoEquivalent {
    /// The answer for a workload name nobody knows.
    pub fn unknown(workload: &str) -> NoEquivalent {
        NoEquivalent(format!("no workload `{workload}`"))
    }
}

/// Answers one request with a system's two entry points: `run(workload, size)` runs a workload
/// once and returns its checksum; `parked(n)` returns the live heap bytes per task while `n`
/// tasks are parked, and how many it parked (a peer may park fewer; the reply's checksum says). `probe` says whether `run` supports a workload without running it.
pub fn answer(
    req: &Request,
    probe: impl Fn(&str) -> Result<(), NoEquivalent>,
    run: impl Fn(&str, u64) -> Result<u64, NoEquivalent>,
    parked: impl Fn(u64) -> Result<(u64, u64), NoEquivalent>,
) -> Reply {
    use crate::shared::measure;
    let unwrap = |r: Result<u64, NoEquivalent>| r.expect("probed workload refused to run");
    match req.measure {
        Measure::Bytes => match parked(req.size) {
            Ok((bytes, tasks)) => Reply::Ok(bytes as f64, tasks),
            Err(NoEquivalent(why)) => Reply::None(why),
        },
        _ => {
            if let Err(NoEquivalent(why)) = probe(&req.workload) {
                return Reply::None(why);
            }
            if req.measure == Measure::Time {
                let (per_run, checksum) = measure::sample(|| unwrap(run(&req.workload, req.size)));
                Reply::Ok(per_run.as_nanos() as f64, checksum)
            } else {
                match measure::peak_growth(|| unwrap(run(&req.workload, req.size))) {
                    Some((bytes, checksum)) => Reply::Ok(bytes as f64, checksum),
                    None => Reply::None("no /proc/self/status here".into()),
                }
            }
        }
    }
}
