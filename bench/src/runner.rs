//! Measuring the rows: the systems of a run (in this process, in peer processes, in fresh
//! processes for memory), timed rows interleaved rep by rep with the median kept, memory rows
//! once per system in a fresh process, and the table they make.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use sim::TraceLevel;

use crate::peer::Peer;
use crate::rows::{COLUMNS, COMPARED, LOCALPOOL, Spec, TOKIO, specs};
use crate::shared::protocol::{Measure, Reply, Request};
use crate::shared::workload::checksum;
use crate::table::{Better, Cell, Goal, Row, Table};
use crate::{InProc, LiveBytes};

/// A system measured no more than this per row once it has one sample (a run of minutes is
/// sampled once, and the table says so).
pub const ROW_BUDGET: Duration = Duration::from_secs(30);

/// The bench's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The base size: spawn_join's task count (rows scale from it, see [`specs`]).
    pub n: u64,
    /// Interleaved repetitions of every timed row (the median is reported).
    pub reps: usize,
    /// Only rows whose key contains one of these words (empty: every row).
    pub filter: Vec<String>,
}

/// The systems of a bench run: seedloop, tokio and `LocalPool` in this process, the peers in
/// theirs, and how to start a fresh process of each for the memory rows.
#[derive(Debug)]
pub struct Systems {
    /// Peer processes by column (`None` for in-process columns).
    pub peers: Vec<Option<Peer>>,
    /// The peer binaries by column, for fresh processes (`None`: in-process or unavailable).
    pub peer_bins: Vec<Option<PathBuf>>,
    /// The bench binary, started with `--child NAME` for an in-process system's fresh process.
    pub bench_exe: Option<PathBuf>,
    /// Live heap bytes of this process.
    pub live: LiveBytes,
}

impl Systems {
    fn in_proc(col: usize, level: Option<TraceLevel>) -> Option<InProc> {
        match col {
            0 => Some(InProc::Seedloop(level)),
            TOKIO => Some(InProc::Tokio),
            LOCALPOOL => Some(InProc::LocalPool),
            _ => None,
        }
    }

    /// One sample of `req` on column `col`, in this process or the peer's.
    fn ask(
        &mut self,
        col: usize,
        level: Option<TraceLevel>,
        req: &Request,
    ) -> Result<Reply, String> {
        if let Some(sys) = Self::in_proc(col, level) {
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                sys.answer(req, self.live)
            }));
            return Ok(run.unwrap_or_else(|p| Reply::Err(crate::shared::protocol::panic_text(&*p))));
        }
        match &mut self.peers[col] {
            Some(peer) => peer.ask(req),
            None => Err("no process".into()),
        }
    }

    /// `req` in a fresh process of column `col` (memory rows).
    fn ask_fresh(
        &self,
        col: usize,
        level: Option<TraceLevel>,
        req: &Request,
    ) -> Result<Reply, String> {
        let command = match Self::in_proc(col, level) {
            Some(sys) => {
                let exe = self
                    .bench_exe
                    .as_ref()
                    .ok_or("the bench binary's path is unknown")?;
                let mut c = Command::new(exe);
                c.args(["--child", sys.name()]);
                c
            }
            None => match (&self.peer_bins[col], &self.peers[col]) {
                (Some(bin), _) => Command::new(bin),
                (None, Some(peer)) => {
                    return Err(peer.unavailable_reason().unwrap_or("not built").to_string());
                }
                (None, None) => return Err("no process".into()),
            },
        };
        Peer::ask_once(COLUMNS[col], command, req)
    }
}

/// What happened while measuring one row (printed under the table).
#[derive(Clone, Debug, Default)]
pub struct RowLog {
    /// Samples taken per column.
    pub samples: Vec<usize>,
    /// Wall-clock seconds the row took.
    pub seconds: f64,
    /// Whether the row is timed (reps apply).
    pub timed: bool,
    /// What the table cannot show (a peer that measured fewer tasks than asked).
    pub notes: Vec<String>,
}

fn cell_of(reply: Result<Reply, String>, expect: Option<u64>) -> Result<f64, Cell> {
    match reply {
        Ok(Reply::Ok(v, sum)) if expect.is_none_or(|e| e == sum) => Ok(v),
        Ok(Reply::Ok(_, sum)) => Err(Cell::Failed(format!(
            "checksum {sum}, expected {}",
            expect.unwrap_or_default()
        ))),
        Ok(Reply::None(why)) => Err(Cell::NoEquivalent(why)),
        Ok(Reply::Err(what)) => Err(Cell::Failed(what)),
        Err(why) => Err(Cell::Unavailable(why)),
    }
}

/// Measures one row: timed rows interleave the systems rep by rep and keep the median; memory
/// rows run once per system, each in a fresh process.
pub fn measure(spec: &Spec, systems: &mut Systems, reps: usize) -> (Row, RowLog) {
    let started = Instant::now();
    let req = Request {
        measure: spec.measure,
        workload: spec.workload.to_string(),
        size: spec.size,
    };
    // Every column is held to the row's checksum, whichever workload it is asked.
    let expect = match spec.measure {
        Measure::Peak | Measure::Time => checksum(spec.workload, spec.size),
        // Peers may measure fewer parked tasks than asked (shuttle: see its docs).
        Measure::Bytes => None,
    };
    let cols = COLUMNS.len();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cols];
    // A column this row does not ask starts done, with the reason.
    let mut done: Vec<Option<Cell>> = (0..cols)
        .map(|c| {
            spec.asked(c)
                .err()
                .map(|why| Cell::NoEquivalent(why.into()))
        })
        .collect();
    let mut spent = vec![Duration::ZERO; cols];
    let mut notes = Vec::new();
    let rounds = if spec.measure == Measure::Time {
        reps
    } else {
        1
    };
    for _ in 0..rounds {
        for col in 0..cols {
            if done[col].is_some() || (!samples[col].is_empty() && spent[col] >= ROW_BUDGET) {
                continue;
            }
            let Ok((process, workload)) = spec.asked(col) else {
                continue;
            };
            let req = Request {
                workload: workload.to_string(),
                ..req.clone()
            };
            let t = Instant::now();
            let reply = match spec.measure {
                Measure::Time => systems.ask(process, spec.level, &req),
                Measure::Peak | Measure::Bytes => systems.ask_fresh(process, spec.level, &req),
            };
            spent[col] += t.elapsed();
            if let (Measure::Bytes, Ok(Reply::Ok(_, tasks))) = (spec.measure, &reply) {
                if *tasks != spec.size {
                    notes.push(format!(
                        "{}: `{}` measured on {tasks} tasks, not {}",
                        COLUMNS[col], spec.label, spec.size
                    ));
                }
            }
            match cell_of(reply, expect) {
                Ok(v) => samples[col].push(v),
                Err(cell) => done[col] = Some(cell),
            }
        }
    }
    let cells = (0..cols)
        .map(|c| match done[c].take() {
            Some(cell) => cell,
            None => Cell::Value(spec.unit.figure(median(&mut samples[c]))),
        })
        .collect();
    let row = Row {
        label: spec.label.clone(),
        unit: spec.unit.name(),
        better: spec.unit.better(),
        cells,
        goal: spec.goal.clone(),
        compare: true,
    };
    let log = RowLog {
        samples: samples.iter().map(Vec::len).collect(),
        seconds: started.elapsed().as_secs_f64(),
        timed: spec.measure == Measure::Time,
        notes,
    };
    (row, log)
}

/// The median (the mean of the middle two for an even count).
///
/// ```
/// assert_eq!(seedloop_bench::runner::median(&mut [3.0, 1.0, 2.0]), 2.0);
/// assert_eq!(seedloop_bench::runner::median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
/// ```
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The linearity row of the blocked rows: each system's cost per task at the largest size over
/// its cost at the smallest (1.0 is linear). The goal (≤ 1.5) is stated for 10^6 against 10^3,
/// so it is judged only when the rows reach `largest` = 10^6.
pub fn linearity(blocked: &[Row], largest: u64) -> Option<Row> {
    let (first, last) = (blocked.first()?, blocked.last()?);
    if blocked.len() < 2 {
        return None;
    }
    let cells = first
        .cells
        .iter()
        .zip(&last.cells)
        .map(|(a, b)| match (a.value(), b.value()) {
            (Some(a), Some(b)) => Cell::Value(b / a),
            _ if !matches!(b, Cell::Value(_)) => b.clone(),
            _ => a.clone(),
        })
        .collect();
    Some(Row {
        label: format!(
            "blocked: per-task cost, largest / smallest size ({} rows)",
            blocked.len()
        ),
        unit: "×",
        better: Better::Lower,
        cells,
        goal: if largest >= 1_000_000 {
            Goal::AtMost(1.5)
        } else {
            Goal::None
        },
        compare: false,
    })
}

/// Measures every selected row into a table, printing progress to stderr.
pub fn run_all(cfg: &Config, systems: &mut Systems) -> (Table, Vec<(String, RowLog)>) {
    let mut table = Table::new(
        COLUMNS.iter().map(|c| c.to_string()).collect(),
        COMPARED.to_vec(),
    );
    let mut logs = Vec::new();
    let mut blocked = Vec::new();
    let selected: Vec<Spec> = specs(cfg.n)
        .into_iter()
        .filter(|s| cfg.filter.is_empty() || cfg.filter.iter().any(|f| s.key.contains(f.as_str())))
        .collect();
    let last_blocked = selected.iter().rposition(|s| s.key == "blocked");
    for (i, spec) in selected.iter().enumerate() {
        eprintln!("measuring: {}", spec.label);
        let (row, log) = measure(spec, systems, cfg.reps);
        if spec.key == "blocked" {
            blocked.push(row.clone());
        }
        table.push(row);
        logs.push((spec.label.clone(), log));
        if Some(i) == last_blocked {
            if let Some(row) = linearity(&blocked, spec.size) {
                table.push(row);
            }
        }
    }
    (table, logs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::{FACADE, MADSIM, SHUTTLE};

    #[test]
    fn a_reply_becomes_a_figure_only_with_the_right_checksum() {
        assert_eq!(cell_of(Ok(Reply::Ok(2.0, 6)), Some(6)), Ok(2.0));
        assert_eq!(
            cell_of(Ok(Reply::Ok(2.0, 5)), Some(6)),
            Err(Cell::Failed("checksum 5, expected 6".into()))
        );
        assert_eq!(
            cell_of(Ok(Reply::None("no timers".into())), Some(6)),
            Err(Cell::NoEquivalent("no timers".into()))
        );
        assert_eq!(
            cell_of(Err("build failed".into()), None),
            Err(Cell::Unavailable("build failed".into()))
        );
    }

    /// A facade peer that answers both of its workloads (sim directly 1 ms per run of 1000
    /// seeds, the facade 1.25 ms) and refuses anything else.
    fn fake_facade(sum: u64) -> Peer {
        let script = format!(
            "while read m w s; do case \"$m $w\" in \
             'time explore_sim') echo 'ok 1000000 {sum}';; \
             'time explore_facade') echo 'ok 1250000 {sum}';; \
             *) echo \"err asked $m $w\";; esac; done"
        );
        let mut c = Command::new("sh");
        c.args(["-c", &script]);
        Peer::start("facade", c)
    }

    fn systems_with(col: usize, peer: Peer) -> Systems {
        let mut peers: Vec<Option<Peer>> = COLUMNS.iter().map(|_| None).collect();
        peers[col] = Some(peer);
        Systems {
            peers,
            peer_bins: vec![None; COLUMNS.len()],
            bench_exe: None,
            live: || 0,
        }
    }

    #[test]
    fn the_facade_row_asks_the_facade_peer_for_both_of_its_columns() {
        let spec = specs(10_000)
            .into_iter()
            .find(|s| s.key == "explore_facade")
            .expect("an explore_facade row");
        let sum = checksum(spec.workload, spec.size).expect("a checksum");
        let mut systems = systems_with(FACADE, fake_facade(sum));
        let (row, log) = measure(&spec, &mut systems, 2);
        let runs = spec.size as f64;
        assert_eq!(row.cells[0], Cell::Value(runs * 1e3), "{row:?}");
        assert_eq!(row.cells[FACADE], Cell::Value(runs * 0.8e3), "{row:?}");
        for col in [TOKIO, LOCALPOOL, SHUTTLE, MADSIM] {
            assert!(
                matches!(&row.cells[col], Cell::NoEquivalent(why) if why.contains("sim directly")),
                "{row:?}"
            );
        }
        assert_eq!(log.samples[0], 2);
        assert_eq!(log.samples[FACADE], 2);
        assert_eq!(row.ratio(FACADE), Some(1.25));
        assert_eq!(row.met(), Some(false), "the facade keeps 0.8 of sim's rate");
    }

    #[test]
    fn a_routed_column_is_held_to_the_row_checksum() {
        let spec = specs(10_000)
            .into_iter()
            .find(|s| s.key == "explore_facade")
            .expect("an explore_facade row");
        let sum = checksum(spec.workload, spec.size).expect("a checksum");
        let mut systems = systems_with(FACADE, fake_facade(sum + 1));
        let (row, _) = measure(&spec, &mut systems, 1);
        assert!(matches!(row.cells[0], Cell::Failed(_)), "{row:?}");
        assert!(matches!(row.cells[FACADE], Cell::Failed(_)), "{row:?}");
    }

    #[test]
    fn linearity_divides_the_largest_size_by_the_smallest() {
        let row = |a: f64, b: Cell| Row {
            label: "b".into(),
            unit: "ns/task",
            better: Better::Lower,
            cells: vec![Cell::Value(a), b],
            goal: Goal::None,
            compare: true,
        };
        let rows = [
            row(100.0, Cell::Value(10.0)),
            row(400.0, Cell::NoEquivalent("too many".into())),
        ];
        let lin = linearity(&rows, 1_000_000).expect("two rows");
        assert_eq!(lin.cells[0], Cell::Value(4.0));
        assert_eq!(lin.cells[1], Cell::NoEquivalent("too many".into()));
        assert_eq!(lin.met(), Some(false));
        assert_eq!(linearity(&rows, 10_000).expect("two rows").goal, Goal::None);
    }
}
