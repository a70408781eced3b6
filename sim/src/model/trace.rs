//! The record of a run: events, decisions and task names, with a stable text form.
//!
//! Events are kept as a flight recorder: the last [`DEFAULT_KEPT_EVENTS`] (or
//! [`crate::SimBuilder::keep_events`]) of them. Older ones are counted and hashed as they
//! leave, so a run of any length records a bounded amount, and a trace that lost its beginning
//! says so in its first line. A short run (every test of this workspace) keeps every event.
//!
//! [`Trace`]'s `Display` is one event a line, `t=<time> step=<n> <task>: <what>`, with tasks
//! named `name#id` (`task#id` when unnamed). It contains no addresses, no wall-clock values and no
//! source paths, so it is byte-identical for the same program, seed and strategy on any machine:
//! ready for snapshot tests. [`Trace::digest`] hashes that text.

use std::cell::RefCell;
use std::fmt;
use std::hash::Hasher;

use super::{EventKind, IdMap, Instant, Schedule, TaskId, TaskInfo, TraceEvent};

/// Events a run keeps by default: the most recent ones, about 4 to 8 MiB of them (see
/// [`crate::SimBuilder::keep_events`]).
pub const DEFAULT_KEPT_EVENTS: usize = 1 << 16;

/// Receives every event of a run as its text line, as it happens: see
/// [`crate::SimBuilder::trace_sink`].
pub type Sink = std::rc::Rc<std::cell::RefCell<dyn FnMut(&str)>>;

/// How much a run records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TraceLevel {
    /// Every event, including log lines: for single runs, reports and snapshots. The most
    /// recent [`DEFAULT_KEPT_EVENTS`] are kept (a flight recorder), older ones counted.
    #[default]
    Full,
    /// Only the decisions (enough to replay the run) and counters: for sweeps, which re-run a
    /// failing seed at [`TraceLevel::Full`] to report it.
    Decisions,
}

/// Counters of a finished run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Task polls.
    pub steps: u64,
    /// Tasks spawned, main included.
    pub tasks: u64,
    /// Virtual time when the run ended.
    pub end_time: Instant,
    /// A hash of which task ran at each step: equal for equal interleavings, cheap at every
    /// trace level (for counting distinct interleavings in a sweep).
    pub interleaving: u64,
    /// Polls that returned `Pending` on a future `sim` does not control (`futures::channel`,
    /// `async-channel`, `futures::lock`, real tokio types, `std::future::pending`): no wait was
    /// noted and no wake-up was due. Such awaits run deterministically but are never preemption
    /// points, so races between them are invisible to every strategy.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, rx) = futures::channel::oneshot::channel::<u8>();
    ///     sim::spawn(async move { tx.send(1).unwrap() });
    ///     assert_eq!(rx.await.unwrap(), 1); // main parks on a foreign future
    /// }).unwrap();
    /// assert_eq!(sim.trace().stats().foreign_awaits, 1);
    /// ```
    pub foreign_awaits: u64,
}

/// A line written with [`crate::log!`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// When it was written.
    pub time: Instant,
    /// By which task.
    pub task: TaskId,
    /// The task's label (`name#id`).
    pub label: String,
    /// The text.
    pub text: String,
}

/// Everything recorded about one run.
///
/// ```
/// use std::time::Duration;
/// let mut sim = sim::Sim::builder().seed(1).strategy(sim::Strategy::fifo()).build();
/// sim.run(async {
///     sim::log!("hello");
///     sim::time::sleep(Duration::from_secs(1)).await;
///     sim::log!("world");
/// }).unwrap();
/// let logs: Vec<String> = sim.trace().logs().map(|l| format!("{} {}", l.time, l.text)).collect();
/// assert_eq!(logs, ["0s hello", "1s world"]);
/// assert!(sim.trace().to_string().contains("t=1s step=2 main#0: log: world"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub(crate) level: TraceLevel,
    /// The kept events, oldest first (recorded by a `Recorder` while the run goes on).
    pub(crate) events: Vec<TraceEvent>,
    /// Events recorded but not kept (the oldest).
    pub(crate) dropped: u64,
    /// A hash of the dropped events (their step, time, task and kind).
    pub(crate) dropped_hash: u64,
    pub(crate) schedule: Schedule,
    /// The infos of the tasks alive, and of the ended ones something kept may still name
    /// (see [`Trace::tasks`]).
    pub(crate) tasks: IdMap<Known>,
    pub(crate) stats: RunStats,
}

/// Entries (bytes for the schedule) past which a dropped trace's buffer is not kept.
const KEEP: usize = 4096;

/// The buffers of traces dropped on this thread, emptied, for the next run's trace.
#[derive(Default)]
struct Spare {
    schedule: Schedule,
    tasks: IdMap<Known>,
}

thread_local! {
    static SPARE: RefCell<Spare> = RefCell::default();
}

/// A trace's buffers (the task infos' map, the decisions' bytes) go to the next run on this
/// thread when it is dropped: a seed sweep drops one trace per seed and would otherwise allocate
/// both again for every run. Only their capacity carries over.
impl Drop for Trace {
    fn drop(&mut self) {
        if self.schedule.capacity() == 0 && self.tasks.capacity() == 0 {
            return;
        }
        // At thread exit, or while the spare is in use, the buffers are simply freed.
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut() {
                if spare.schedule.capacity() == 0 && self.schedule.capacity() <= KEEP {
                    std::mem::swap(&mut spare.schedule, &mut self.schedule);
                    spare.schedule.clear_keeping(KEEP, 0);
                }
                if spare.tasks.capacity() == 0 {
                    std::mem::swap(&mut spare.tasks, &mut self.tasks);
                    spare.tasks.clear_keeping(KEEP);
                }
            }
        });
    }
}

impl Trace {
    /// Empties the trace for a run at `level`, keeping the buffers unless they grew past `keep`
    /// entries (bytes for the schedule, which gets room for at least `min_schedule`). Buffers it
    /// lacks come from the traces dropped on this thread, if any.
    pub(crate) fn clear_for(&mut self, level: TraceLevel, keep: usize, min_schedule: usize) {
        let Trace {
            level: l,
            events,
            dropped,
            dropped_hash,
            schedule,
            tasks,
            stats,
        } = self;
        *l = level;
        *events = Vec::new();
        *dropped = 0;
        *dropped_hash = 0;
        if schedule.capacity() == 0 || tasks.capacity() == 0 {
            let _ = SPARE.try_with(|spare| {
                if let Ok(mut spare) = spare.try_borrow_mut() {
                    if schedule.capacity() == 0 {
                        std::mem::swap(schedule, &mut spare.schedule);
                    }
                    if tasks.capacity() == 0 {
                        std::mem::swap(tasks, &mut spare.tasks);
                    }
                }
            });
        }
        schedule.clear_keeping(keep, min_schedule);
        tasks.clear_keeping(keep);
        *stats = RunStats::default();
    }

    /// The recording level the run used.
    pub fn level(&self) -> TraceLevel {
        self.level
    }

    /// The kept events in order: all of them for a run that recorded no more than it keeps
    /// (see [`Trace::dropped_events`]); empty at [`TraceLevel::Decisions`].
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// Events recorded before the kept ones and not kept: 0 when [`Trace::events`] is the
    /// whole run. To see every event of a longer run, replay it with
    /// [`crate::SimBuilder::trace_sink`] (each event as a text line, as it happens) or a larger
    /// [`crate::SimBuilder::keep_events`].
    ///
    /// ```
    /// let mut sim = sim::Sim::builder().keep_events(10).build();
    /// sim.run(async { for _ in 0..20 { sim::task::yield_now().await } }).unwrap();
    /// let trace = sim.trace();
    /// assert_eq!(trace.events().len(), 10);
    /// assert!(trace.dropped_events() > 0);
    /// assert!(trace.to_string().starts_with("… "));
    /// ```
    pub fn dropped_events(&self) -> u64 {
        self.dropped
    }

    /// Events recorded in all: kept plus dropped.
    pub fn event_count(&self) -> u64 {
        self.dropped + self.events.len() as u64
    }

    /// The decisions taken; [`crate::Strategy::replay`] reproduces the run from them.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The tasks the trace knows, in id order: every task of a run whose events were all kept
    /// (see [`Trace::dropped_events`]). A longer run keeps the tasks still alive when it ended,
    /// those its kept events name, and those that panicked, so that its memory follows the tasks
    /// alive rather than every task it ever spawned; at [`TraceLevel::Decisions`], which keeps no
    /// events, the tasks alive and those of the last few steps. [`RunStats::tasks`] counts them
    /// all.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async { sim::spawn_named("worker", async {}).await.unwrap() }).unwrap();
    /// let labels: Vec<String> = sim.trace().tasks().map(|t| t.label()).collect();
    /// assert_eq!(labels, ["main#0", "worker#1"]);
    /// ```
    pub fn tasks(&self) -> impl ExactSizeIterator<Item = &TaskInfo> + '_ {
        Counted {
            left: self.tasks.len(),
            inner: self.tasks.iter().map(|(_, known)| &known.info),
        }
    }

    /// The task with this id, if the trace knows it (see [`Trace::tasks`]).
    pub fn task(&self, id: TaskId) -> Option<&TaskInfo> {
        self.tasks.get(id.as_u64()).map(|known| &known.info)
    }

    /// Counters.
    pub fn stats(&self) -> RunStats {
        self.stats
    }

    /// The [`crate::log!`] lines, in order.
    pub fn logs(&self) -> impl Iterator<Item = LogLine> + '_ {
        self.events.iter().filter_map(|e| match &e.kind {
            EventKind::Log(text) => {
                let task = e.task.unwrap_or(TaskId::MAIN);
                Some(LogLine {
                    time: e.time,
                    task,
                    label: self.label(task),
                    text: text.clone(),
                })
            }
            _ => None,
        })
    }

    /// `name#id` of a task.
    pub fn label(&self, id: TaskId) -> String {
        match self.task(id) {
            Some(info) => info.label(),
            None => id.to_string(),
        }
    }

    /// A stable 64-bit FNV-1a hash of the text form. Equal digests mean byte-identical traces.
    pub fn digest(&self) -> u64 {
        let mut h = Fnv::new();
        if let Some(head) = self.dropped_line() {
            h.write(head.as_bytes());
            h.write(b"\n");
        }
        for e in &self.events {
            h.write(self.render(e).as_bytes());
            h.write(b"\n");
        }
        h.write(self.schedule.to_string().as_bytes());
        h.finish()
    }

    /// The first line of a trace that lost its beginning.
    fn dropped_line(&self) -> Option<String> {
        (self.dropped > 0).then(|| {
            format!(
                "… {} earlier events not kept (hash {:016x})",
                self.dropped, self.dropped_hash
            )
        })
    }

    /// One event as its text line.
    pub fn render(&self, e: &TraceEvent) -> String {
        let who = match e.task {
            Some(t) => self.label(t),
            None => "sim".to_string(),
        };
        let what = match &e.kind {
            EventKind::Spawn { child } => format!("spawn {}", self.label(*child)),
            EventKind::Wake { target } => format!("wake {}", self.label(*target)),
            EventKind::AbortRequested { target } => format!("abort {}", self.label(*target)),
            EventKind::Decision(d) => format!("decide {d}"),
            other => other.to_string(),
        };
        format!("t={} step={} {who}: {what}", e.time, e.step)
    }

    /// The last `n` events as text lines (for failure reports).
    pub fn tail(&self, n: usize) -> Vec<String> {
        let start = self.events.len().saturating_sub(n);
        self.events[start..]
            .iter()
            .map(|e| self.render(e))
            .collect()
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(head) = self.dropped_line() {
            writeln!(f, "{head}")?;
        }
        for e in &self.events {
            writeln!(f, "{}", self.render(e))?;
        }
        Ok(())
    }
}

/// A task the trace knows, and the slot it has (or had: slots are reused) in the run's task
/// table, which finds a task by id ([`Trace::tasks`] is the run's one map by id).
#[derive(Clone, Debug)]
pub(crate) struct Known {
    pub(crate) info: TaskInfo,
    pub(crate) slot: u32,
}

/// An iterator that knows how many items it has left.
struct Counted<I> {
    left: usize,
    inner: I,
}

impl<I: Iterator> Iterator for Counted<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let item = self.inner.next()?;
        self.left -= 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<I: Iterator> ExactSizeIterator for Counted<I> {}

/// 64-bit FNV-1a: tiny, stable across Rust versions and platforms (unlike `DefaultHasher`).
pub(crate) struct Fnv(pub(crate) u64);

impl Fnv {
    pub(crate) const fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

/// The interleaving hash ([`RunStats::interleaving`]) after one more step on `task`: a
/// rotate, a xor and a multiply, since it is taken at every step (equal sequences of tasks
/// give equal hashes; distinct ones, distinct hashes but for a 2^-64 chance).
#[inline]
pub(crate) fn mix_step(hash: u64, task: u64) -> u64 {
    (hash.rotate_left(5) ^ task).wrapping_mul(0x517c_c1b7_2722_0a95)
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        Fnv::write(self, bytes);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
