//! The rows of the bench (issue 13's table): what each runs, at what size, in what unit, against
//! which goal; [`crate::runner`] measures them. To add a row: give the
//! workload a name in `shared::workload::checksum` and in each system's `run` (a system without
//! an equivalent returns `NoEquivalent` with the reason), then add a [`Spec`] to [`specs`].

use sim::TraceLevel;

use crate::shared::protocol::Measure;
use crate::table::{Better, Goal};

/// The columns, in order; seedloop is column 0.
pub const COLUMNS: [&str; 6] = [
    "seedloop",
    "tokio",
    "LocalPool",
    "shuttle",
    "madsim",
    "facade",
];
/// Column of tokio.
pub const TOKIO: usize = 1;
/// Column of `LocalPool`.
pub const LOCALPOOL: usize = 2;
/// Column of shuttle.
pub const SHUTTLE: usize = 3;
/// Column of madsim.
pub const MADSIM: usize = 4;
/// Column of the tokio facade (`seedloop-tokio` under `--cfg seedloop`, in its peer process).
pub const FACADE: usize = 5;
/// The columns seedloop's ratio is printed against.
pub const COMPARED: [usize; 4] = [TOKIO, MADSIM, SHUTTLE, FACADE];

/// The size of the two explore rows: seeds per sweep.
pub const EXPLORE_RUNS: u64 = 1_000;

/// How a row's samples become the printed figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unit {
    /// `ops / s` from the time of one run of `ops` operations.
    Rate(&'static str, f64),
    /// `ns per op` from the time of one run of `ops` operations.
    NanosPer(&'static str, f64),
    /// Bytes per task as measured.
    Bytes(&'static str),
    /// MiB from bytes.
    Mib,
}

impl Unit {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Unit::Rate(n, _) | Unit::NanosPer(n, _) | Unit::Bytes(n) => n,
            Unit::Mib => "MiB",
        }
    }

    pub(crate) fn better(self) -> Better {
        match self {
            Unit::Rate(..) => Better::Higher,
            _ => Better::Lower,
        }
    }

    pub(crate) fn figure(self, raw: f64) -> f64 {
        match self {
            Unit::Rate(_, ops) => ops * 1e9 / raw,
            Unit::NanosPer(_, ops) => raw / ops,
            Unit::Bytes(_) => raw,
            Unit::Mib => raw / (1024.0 * 1024.0),
        }
    }
}

/// One row to measure.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The key `cargo bench -p seedloop-bench -- KEY` selects it by.
    pub key: &'static str,
    /// The printed label.
    pub label: String,
    /// What is measured.
    pub measure: Measure,
    /// The workload's name.
    pub workload: &'static str,
    /// Its size.
    pub size: u64,
    /// seedloop's trace level for this row (`None`: `Sim`'s default).
    pub level: Option<TraceLevel>,
    /// The unit.
    pub unit: Unit,
    /// The goal.
    pub goal: Goal,
    /// Which process answers each column.
    pub answers: Answers,
}

/// Which process answers each column of a row. Whatever answers, every figure of the row is
/// held to the row's workload's checksum.
#[derive(Clone, Debug, PartialEq)]
pub enum Answers {
    /// Every column's own system runs the row's workload (in this process or its peer's).
    Own,
    /// Only the listed columns have a figure, each `(column, the column whose process runs it,
    /// the workload it runs there)`; the others show `—` with the reason.
    Only(Vec<(usize, usize, &'static str)>, &'static str),
}

impl Spec {
    /// Who measures column `col`: the column whose process runs it and the workload it is
    /// asked, or why the column has no figure in this row.
    ///
    /// ```
    /// use seedloop_bench::rows::{FACADE, TOKIO, specs};
    /// let specs = specs(10_000);
    /// let explore = specs.iter().find(|s| s.key == "explore").unwrap();
    /// assert_eq!(explore.asked(TOKIO), Ok((TOKIO, "explore")));
    /// let facade = specs.iter().find(|s| s.key == "explore_facade").unwrap();
    /// assert_eq!(facade.asked(0), Ok((FACADE, "explore_sim")));
    /// assert_eq!(facade.asked(FACADE), Ok((FACADE, "explore_facade")));
    /// assert!(facade.asked(TOKIO).is_err());
    /// ```
    pub fn asked(&self, col: usize) -> Result<(usize, &'static str), &'static str> {
        match &self.answers {
            Answers::Own => Ok((col, self.workload)),
            Answers::Only(cells, why) => cells
                .iter()
                .find(|&&(c, _, _)| c == col)
                .map(|&(_, process, workload)| (process, workload))
                .ok_or(*why),
        }
    }
}

/// `10^k` for printing sizes: `1000000` → `1M`.
fn size_text(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// The blocked row's sizes: `10^3, 10^4, …` up to `n` (at most 10^6).
pub fn blocked_sizes(n: u64) -> Vec<u64> {
    let mut sizes = vec![];
    let mut s = 1_000;
    while s <= n.clamp(1_000, 1_000_000) {
        sizes.push(s);
        s *= 10;
    }
    sizes
}

/// Every row for base size `n`, in print order.
///
/// ```
/// let specs = seedloop_bench::rows::specs(1_000_000);
/// let spawn = specs.iter().find(|s| s.key == "spawn_join").unwrap();
/// assert_eq!(spawn.size, 1_000_000);
/// let stream = specs.iter().find(|s| s.key == "stream").unwrap();
/// assert_eq!(stream.size, 10_000_000);
/// ```
pub fn specs(n: u64) -> Vec<Spec> {
    use Goal::Ratios;
    let dec = Some(TraceLevel::Decisions);
    let time = |key, label: String, workload, size, unit, goal| Spec {
        key,
        label,
        measure: Measure::Time,
        workload,
        size,
        level: dec,
        unit,
        goal,
        answers: Answers::Own,
    };
    let explore_runs = EXPLORE_RUNS;
    let scale_runs = 100;
    let pingpong = 4 * n;
    let stream = 10 * n;
    let io = (n / 5).max(1);
    let mut specs = vec![
        time(
            "explore",
            format!("explore: 3 tasks x 3 yields, fresh executor per seed ({explore_runs} seeds)"),
            "explore",
            explore_runs,
            Unit::Rate("runs/s", explore_runs as f64),
            Ratios(vec![(MADSIM, 2.0), (SHUTTLE, 6.0), (TOKIO, 1.5)]),
        ),
        // The facade's overhead: one scenario, written against tokio's API and against `sim`,
        // both swept by `harness::Check` in the facade peer's process (built with
        // `--cfg seedloop`), so the ratio compares one binary with itself.
        Spec {
            answers: Answers::Only(
                vec![
                    (0, FACADE, "explore_sim"),
                    (FACADE, FACADE, "explore_facade"),
                ],
                "explore_facade compares seedloop through the tokio facade with sim directly",
            ),
            ..time(
                "explore_facade",
                format!(
                    "explore through the tokio facade: {} tasks x {} lock+permit+send ({explore_runs} seeds)",
                    crate::shared::workload::GUARDED_TASKS,
                    crate::shared::workload::GUARDED_ROUNDS,
                ),
                "explore_facade",
                explore_runs,
                Unit::Rate("runs/s", explore_runs as f64),
                Goal::PeerAtLeast(FACADE, 0.9),
            )
        },
        time(
            "scale",
            format!("scale: 100 tasks x 10 yields per run ({scale_runs} seeds)"),
            "scale",
            scale_runs,
            Unit::Rate("runs/s", scale_runs as f64),
            Ratios(vec![(TOKIO, 1.0)]),
        ),
        time(
            "spawn_join",
            format!("spawn_join {}, Random, decisions recorded", size_text(n)),
            "spawn_join",
            n,
            Unit::Rate("tasks/s", n as f64),
            Ratios(vec![(TOKIO, 0.8), (MADSIM, 1.5)]),
        ),
        time(
            "pingpong",
            format!(
                "pingpong {} msgs (capacity 1), Decisions",
                size_text(pingpong)
            ),
            "pingpong",
            pingpong,
            Unit::Rate("msgs/s", (pingpong / 2 * 2) as f64),
            Ratios(vec![(TOKIO, 1.0)]),
        ),
        time(
            "stream",
            format!(
                "stream {} items (capacity 128), Decisions",
                size_text(stream)
            ),
            "stream",
            stream,
            Unit::Rate("items/s", stream as f64),
            Ratios(vec![(MADSIM, 1.0)]),
        ),
        time(
            "timers",
            format!("timers {} sleeps (1000 tasks), Decisions", size_text(n)),
            "timers",
            n,
            Unit::Rate(
                "sleeps/s",
                (crate::shared::workload::timer_split(n).0
                    * crate::shared::workload::timer_split(n).1) as f64,
            ),
            Ratios(vec![(TOKIO, 1.0)]),
        ),
        time(
            "io",
            format!(
                "io: {} msgs of 64 B over a stream, 2 hosts (tokio: duplex)",
                size_text(io)
            ),
            "io",
            io,
            Unit::Rate("msgs/s", io as f64),
            Ratios(vec![(TOKIO, 0.5)]),
        ),
    ];
    for size in blocked_sizes(n) {
        specs.push(time(
            "blocked",
            format!(
                "blocked: {} tasks on one semaphore, released",
                size_text(size)
            ),
            "blocked",
            size,
            Unit::NanosPer("ns/task", size as f64),
            Goal::None,
        ));
    }
    specs.push(Spec {
        key: "peak",
        label: format!(
            "peak memory, stream {} items, default level",
            size_text(stream)
        ),
        measure: Measure::Peak,
        workload: "stream",
        size: stream,
        level: None,
        unit: Unit::Mib,
        answers: Answers::Own,
        // "At any run length": a small run meeting it says nothing, so it is judged at 10M.
        goal: if stream >= 10_000_000 {
            Goal::AtMost(64.0)
        } else {
            Goal::None
        },
    });
    for (level, name, goal) in [
        (None, "default level", Goal::AtMost(256.0)),
        (dec, "Decisions", Goal::None),
    ] {
        specs.push(Spec {
            key: "parked",
            label: format!("bytes per parked task ({} tasks), {name}", size_text(n)),
            measure: Measure::Bytes,
            workload: "parked",
            size: n,
            level,
            unit: Unit::Bytes("B/task"),
            goal,
            answers: Answers::Own,
        });
    }
    specs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_sizes_are_powers_of_ten_up_to_a_million() {
        assert_eq!(blocked_sizes(10_000), [1_000, 10_000]);
        assert_eq!(blocked_sizes(50), [1_000]);
        assert_eq!(blocked_sizes(u64::MAX).last(), Some(&1_000_000));
    }
}
