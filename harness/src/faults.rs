//! Faults the harness injects into every run, and the faults a run's trace shows happened.
//!
//! [`FaultConfig`] sets the simulated network's and disks' fault configuration at the start of
//! every run of a check (sweep, confirmation, shrinking and replay alike), so each seed explores
//! a different draw of latencies, lost datagrams and torn writes; every draw is a recorded
//! decision, replayed by the token and shrunk like any interleaving.
//!
//! The failure report names the faults that happened in the reported run on one
//! `note: faults:` line: crashes, partitions, holds, lost datagrams, read errors and what each
//! file kept at a crash, as `sim::net`, `sim::fs` and `sim::host` log them in the trace.

use sim::Trace;
use sim::fs::FsConfig;
use sim::net::NetConfig;

/// Faults to explore: applied at the start of every run of a [`crate::Check`].
///
/// ```
/// use std::time::Duration;
/// use harness::FaultConfig;
/// let faults = FaultConfig::new()
///     .net(sim::net::NetConfig::default().latency(Duration::ZERO..=Duration::from_millis(5)).loss(0.1))
///     .fs(sim::fs::FsConfig::default().torn_writes(true));
/// let outcome = harness::Check::new().seeds(4).no_regressions().faults(faults).explore(|| async {
///     assert!(sim::fs::config().has_torn_writes());
///     assert_eq!(sim::net::config().latency_range(), Duration::ZERO..=Duration::from_millis(5));
/// });
/// assert!(outcome.passed());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultConfig {
    net: Option<NetConfig>,
    fs: Option<FsConfig>,
}

impl FaultConfig {
    /// No faults beyond what the program configures itself.
    ///
    /// ```
    /// assert_eq!(harness::FaultConfig::new(), harness::FaultConfig::default());
    /// ```
    pub fn new() -> FaultConfig {
        FaultConfig::default()
    }

    /// Links behave as `config` says (`sim::net::configure` at the start of every run).
    ///
    /// ```
    /// let f = harness::FaultConfig::new().net(sim::net::NetConfig::default().loss(0.2));
    /// # let _ = f;
    /// ```
    pub fn net(mut self, config: NetConfig) -> FaultConfig {
        self.net = Some(config);
        self
    }

    /// Disks fault as `config` says (`sim::fs::configure` at the start of every run).
    ///
    /// ```
    /// let f = harness::FaultConfig::new().fs(sim::fs::FsConfig::default().read_errors(0.01));
    /// # let _ = f;
    /// ```
    pub fn fs(mut self, config: FsConfig) -> FaultConfig {
        self.fs = Some(config);
        self
    }

    /// Applies the configuration to the running simulation (before the test body starts).
    pub(crate) fn apply(&self) {
        if let Some(c) = &self.net {
            sim::net::configure(c.clone());
        }
        if let Some(c) = &self.fs {
            sim::fs::configure(c.clone());
        }
    }
}

/// At most this many faults are named one by one in a report.
const NAMED_FAULTS: usize = 12;

/// True for a trace log line that records an injected fault.
fn is_fault(text: &str) -> bool {
    (text.starts_with("host ") && text.ends_with(" crashed"))
        || text.starts_with("fs: crash of ")
        || text.starts_with("fs: read error")
        || text.starts_with("net: partition ")
        || text.starts_with("net: hold ")
        || (text.starts_with("net: datagram ") && text.contains(" lost"))
}

/// The faults of a (full) trace, `t=<time> <what>` each, in order.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     let h = sim::host::host("db");
///     h.crash();
/// }).unwrap();
/// assert_eq!(harness::faults_in(sim.trace()), ["t=0s host db crashed"]);
/// ```
pub fn faults_in(trace: &Trace) -> Vec<String> {
    trace
        .logs()
        .filter(|l| is_fault(&l.text))
        .map(|l| format!("t={} {}", l.time, l.text))
        .collect()
}

/// The `faults:` note's text: every fault, or the first few and how many more.
pub(crate) fn faults_note(trace: &Trace) -> Option<String> {
    let all = faults_in(trace);
    if all.is_empty() {
        return None;
    }
    let mut text = all[..all.len().min(NAMED_FAULTS)].join("; ");
    if all.len() > NAMED_FAULTS {
        text.push_str(&format!("; and {} more", all.len() - NAMED_FAULTS));
    }
    Some(text)
}
