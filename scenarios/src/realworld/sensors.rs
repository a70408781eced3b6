//! An IoT sensor stream with a deadline per reading and a rolling aggregate.
//!
//! [`SENSORS`] sensors each send [`READINGS`] readings, one per [`PERIOD`], over their own
//! bounded channel. Each reading is seeded to arrive on time (within [`GRACE`] of its slot),
//! late, or not at all. The gateway runs one task per sensor that waits for each reading until
//! its deadline (`timeout_at`), drops late ones as stale, archives each on-time reading (an
//! await on the archive channel) and adds it to a shared rolling aggregate: the mean of the last
//! [`WINDOW`] readings and a count of all of them.
//!
//! Invariant: the aggregate counts exactly the readings sent on time, its running sum is the sum
//! of its window, and its window holds the last [`WINDOW`] readings archived.
//!
//! **The planted bug** ([`Version::Buggy`]): the gateway copies the aggregate, awaits the
//! archive, then stores its updated copy (a read-modify-write across an await). When two
//! sensors' readings arrive in the same instant and the scheduler switches at the archive
//! send, one update overwrites the other: a lost update. Fifo never switches there and misses
//! it; an exploring strategy finds it.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use sim::channel::mpsc;
use sim::time::{Instant, now, sleep_until, timeout_at};

use super::Version;

/// Sensors per run.
pub const SENSORS: usize = 4;
/// Readings per sensor.
pub const READINGS: u32 = 8;
/// One reading per period; reading `k` belongs to the slot starting at `(k + 1) * PERIOD`.
pub const PERIOD: Duration = Duration::from_millis(50);
/// A reading is on time when it arrives within `GRACE` of its slot's start.
pub const GRACE: Duration = Duration::from_millis(20);
/// Readings in the rolling mean.
pub const WINDOW: usize = 5;

/// One measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Which sensor.
    pub sensor: usize,
    /// Its number at that sensor.
    pub seq: u32,
    /// The value, in tenths of a degree.
    pub value: i64,
}

/// The rolling aggregate.
#[derive(Clone, Debug, Default)]
pub struct Rolling {
    /// The last [`WINDOW`] readings.
    pub window: VecDeque<Reading>,
    /// Sum of the window's values.
    pub sum: i64,
    /// Readings counted since the start.
    pub count: u64,
}

impl Rolling {
    fn push(&mut self, r: Reading) {
        self.window.push_back(r);
        self.sum += r.value;
        self.count += 1;
        if self.window.len() > WINDOW {
            let old = self.window.pop_front().expect("longer than WINDOW");
            self.sum -= old.value;
        }
    }

    /// The rolling mean, if any reading arrived.
    pub fn mean(&self) -> Option<f64> {
        (!self.window.is_empty()).then(|| self.sum as f64 / self.window.len() as f64)
    }
}

/// When a sensor sends a reading (seeded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Send {
    /// This long after its slot starts, within [`GRACE`].
    OnTime(Duration),
    /// This long after its slot starts, after [`GRACE`].
    Late(Duration),
    /// Never.
    Skipped,
}

/// What a run did.
#[derive(Debug)]
pub struct Report {
    /// Per sensor, when each reading was sent.
    pub plan: Vec<Vec<Send>>,
    /// The aggregate at the end.
    pub aggregate: Rolling,
    /// Readings the gateway waited for in vain.
    pub missed: u64,
    /// Late readings the gateway dropped.
    pub stale: u64,
    /// When the run ended.
    pub end: Instant,
}

fn slot(k: u32) -> Instant {
    Instant::ZERO + PERIOD * (k + 1)
}

fn draw_send() -> Send {
    match sim::rand::range(0..20) {
        0..=1 => Send::Skipped,
        2..=4 => Send::Late(Duration::from_millis(sim::rand::range(5..=6) * 5)),
        _ => Send::OnTime(Duration::from_millis(sim::rand::range(0..=3) * 5)),
    }
}

async fn sensor(id: usize, plan: Vec<Send>, values: Vec<i64>, tx: mpsc::Sender<Reading>) {
    for (k, send) in (0..READINGS).zip(plan) {
        let after = match send {
            Send::OnTime(d) | Send::Late(d) => d,
            Send::Skipped => continue,
        };
        sleep_until(slot(k) + after).await;
        let r = Reading {
            sensor: id,
            seq: k,
            value: values[k as usize],
        };
        if tx.send(r).await.is_err() {
            return; // the gateway stopped listening
        }
    }
}

struct Gateway {
    aggregate: RefCell<Rolling>,
    archive: mpsc::Sender<Reading>,
    version: Version,
}

impl Gateway {
    async fn record(&self, r: Reading) {
        match self.version {
            Version::Correct => {
                self.archive.send(r).await.expect("the archive outlives us");
                // No await between reading and writing the aggregate.
                self.aggregate.borrow_mut().push(r);
            }
            Version::Buggy => {
                let mut stats = self.aggregate.borrow().clone();
                self.archive.send(r).await.expect("the archive outlives us");
                stats.push(r);
                *self.aggregate.borrow_mut() = stats;
            }
        }
    }

    /// Waits for each of one sensor's readings until its deadline: (missed, stale).
    async fn listen(&self, mut rx: mpsc::Receiver<Reading>) -> (u64, u64) {
        let (mut missed, mut stale) = (0, 0);
        for k in 0..READINGS {
            let deadline = slot(k) + GRACE;
            loop {
                match timeout_at(deadline, rx.recv()).await {
                    Ok(Some(r)) if r.seq < k => stale += 1,
                    Ok(Some(r)) => {
                        self.record(r).await;
                        break;
                    }
                    Ok(None) | Err(_) => {
                        missed += 1;
                        break;
                    }
                }
            }
        }
        (missed, stale)
    }
}

/// Runs [`SENSORS`] sensors into one gateway.
///
/// ```
/// use scenarios::realworld::{Version, sensors};
/// let mut sim = sim::Sim::new(1);
/// let r = sim.run(sensors::run(Version::Correct)).unwrap().unwrap();
/// assert!(r.aggregate.window.len() <= sensors::WINDOW);
/// assert!(r.aggregate.mean().is_some());
/// ```
pub async fn run(version: Version) -> Result<Report, String> {
    let plan: Vec<Vec<Send>> = (0..SENSORS)
        .map(|_| (0..READINGS).map(|_| draw_send()).collect())
        .collect();
    let (archive, mut archived) = mpsc::channel(64);
    let archivist = sim::spawn_named("archive", async move {
        let mut log = Vec::new();
        while let Some(r) = archived.recv().await {
            log.push(r);
        }
        log
    });
    let gateway = Rc::new(Gateway {
        aggregate: RefCell::default(),
        archive,
        version,
    });
    let mut listeners = Vec::new();
    for (id, sends) in plan.iter().enumerate() {
        let values = (0..READINGS)
            .map(|_| 150 + sim::rand::range(0..=100) as i64)
            .collect();
        let (tx, rx) = mpsc::channel(2);
        sim::spawn_named(
            format!("sensor {id}"),
            sensor(id, sends.clone(), values, tx),
        );
        let gw = gateway.clone();
        listeners.push(sim::spawn_named(format!("gateway {id}"), async move {
            gw.listen(rx).await
        }));
    }
    let (mut missed, mut stale) = (0, 0);
    for l in listeners {
        let (m, s) = l.await.map_err(|e| e.to_string())?;
        missed += m;
        stale += s;
    }
    let gateway = Rc::into_inner(gateway).expect("the listeners are done");
    let aggregate = gateway.aggregate.into_inner();
    drop(gateway.archive);
    let log = archivist.await.map_err(|e| e.to_string())?;

    let on_time = plan
        .iter()
        .flatten()
        .filter(|s| matches!(s, Send::OnTime(_)))
        .count() as u64;
    if aggregate.count != on_time {
        return Err(format!(
            "lost update: the aggregate counted {} readings, but {on_time} arrived on time \
             (the archive holds {})",
            aggregate.count,
            log.len()
        ));
    }
    let window_sum: i64 = aggregate.window.iter().map(|r| r.value).sum();
    if aggregate.sum != window_sum {
        return Err(format!(
            "inconsistent aggregate: running sum {} but its window sums to {window_sum}",
            aggregate.sum
        ));
    }
    let last: Vec<Reading> = log.iter().rev().take(WINDOW).rev().copied().collect();
    if !aggregate.window.iter().eq(last.iter()) {
        return Err(format!(
            "the rolling window {:?} is not the last {WINDOW} readings archived {last:?}",
            aggregate.window
        ));
    }
    Ok(Report {
        plan,
        aggregate,
        missed,
        stale,
        end: now(),
    })
}
