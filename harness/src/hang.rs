//! The real-time hang guard: `SEEDLOOP_HANG_SECS`.
//!
//! A task that computes without awaiting never hands the thread back, and a single-threaded
//! executor cannot take it back: no step or time limit fires, and CI sees a job killed by its
//! timeout, with no word of where. With `SEEDLOOP_HANG_SECS=N`, each [`crate::Check`] starts a
//! watchdog thread; every run of the check (sweep, confirmation, shrinking, regression replays)
//! publishes its progress through a [`sim::Beacon`], and when one run has taken more than `N`
//! seconds of real time the watchdog prints the task being polled, its spawn site, the virtual
//! time, the step, the seed and the strategy, and ends the process with status 101 (a failed
//! test binary), so the CI log says what hung.
//!
//! The guard only watches: the beacon is never read by the run, so a run that finishes within
//! the budget has exactly the verdict, trace and report it has without the guard. A run that
//! is merely slow (still polling, but past the budget) is ended too, with a line saying it was
//! still making progress: raise the budget for such tests.

use std::cell::RefCell;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sim::task::TaskId;
use sim::{Beacon, Progress};

/// Exit status when the guard ends the process: what a failed test binary returns.
const EXIT_STATUS: i32 = 101;

thread_local! {
    /// The guard of the check running on this thread, if it has one.
    static GUARD: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
}

struct Shared {
    budget: Duration,
    /// The variable's text, for the message.
    setting: String,
    /// The test's name, when known.
    test: Option<String>,
    /// The command that runs the test alone.
    command: String,
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    current: Option<Run>,
    stop: bool,
}

struct Run {
    beacon: Arc<Beacon>,
    started: Instant,
    seed: u64,
    strategy: String,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The guard of one check: installed on its thread until dropped.
pub(crate) struct Guard {
    shared: Arc<Shared>,
    previous: Option<Arc<Shared>>,
    watchdog: Option<JoinHandle<()>>,
}

/// Starts a watchdog for the runs of the check on this thread.
pub(crate) fn install(
    budget: Duration,
    setting: &str,
    test: Option<&str>,
    command: String,
) -> Guard {
    let shared = Arc::new(Shared {
        budget,
        setting: setting.to_string(),
        test: test.map(str::to_string),
        command,
        state: Mutex::new(State::default()),
        wake: Condvar::new(),
    });
    let watched = shared.clone();
    let watchdog = std::thread::Builder::new()
        .name("seedloop-hang-guard".into())
        .spawn(move || watch(&watched))
        .expect("seedloop: could not start the SEEDLOOP_HANG_SECS watchdog thread");
    let previous = GUARD.with(|g| g.borrow_mut().replace(shared.clone()));
    Guard {
        shared,
        previous,
        watchdog: Some(watchdog),
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        GUARD.with(|g| *g.borrow_mut() = self.previous.take());
        self.shared.state().stop = true;
        self.shared.wake.notify_all();
        if let Some(w) = self.watchdog.take() {
            let _ = w.join();
        }
    }
}

/// One run under watch: ends the watch when dropped.
pub(crate) struct RunWatch {
    shared: Arc<Shared>,
    beacon: Arc<Beacon>,
}

impl RunWatch {
    /// The beacon the run must publish into.
    pub(crate) fn beacon(&self) -> Arc<Beacon> {
        self.beacon.clone()
    }
}

impl Drop for RunWatch {
    fn drop(&mut self) {
        // No wake-up: see `watch`.
        self.shared.state().current = None;
    }
}

/// Starts watching a run of `seed` under `strategy`, when this thread's check has a guard.
pub(crate) fn watch_run(seed: u64, strategy: &sim::Strategy) -> Option<RunWatch> {
    let shared = GUARD.with(|g| g.borrow().clone())?;
    let beacon = Arc::new(Beacon::default());
    shared.state().current = Some(Run {
        beacon: beacon.clone(),
        started: Instant::now(),
        seed,
        strategy: strategy.name().to_string(),
    });
    // No wake-up: see `watch`.
    Some(RunWatch { shared, beacon })
}

/// The watchdog: sleeps until the current run's deadline, and ends the process if that run is
/// still going then.
///
/// Runs starting and ending do not wake it (a sweep runs hundreds of thousands of runs a
/// second: a wake-up of this thread each time cost the sweep a third of its speed). It wakes at
/// the deadline of the run it last saw, or a budget after it saw none; either comes no later
/// than the deadline of any run that started since, so a hang is caught as soon as before.
fn watch(shared: &Shared) {
    let mut state = shared.state();
    loop {
        if state.stop {
            return;
        }
        let wait = match &state.current {
            None => None,
            Some(run) => shared.budget.checked_sub(run.started.elapsed()),
        };
        state = match (&state.current, wait) {
            (None, _) => {
                shared
                    .wake
                    .wait_timeout(state, shared.budget)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            (Some(_), Some(left)) if !left.is_zero() => {
                shared
                    .wake
                    .wait_timeout(state, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            (Some(run), _) => {
                let first = run.beacon.read();
                let beacon = run.beacon.clone();
                drop(state);
                // A second look shows whether the run is inside one poll or still moving.
                let gap = (shared.budget / 10).min(Duration::from_millis(200));
                std::thread::sleep(gap);
                let state = shared.state();
                let same_run = state
                    .current
                    .as_ref()
                    .is_some_and(|r| Arc::ptr_eq(&r.beacon, &beacon));
                if same_run {
                    let run = state.current.as_ref().expect("checked above");
                    eprintln!("{}", hang_report(shared, run, first, gap));
                    std::process::exit(EXIT_STATUS);
                }
                state
            }
        };
    }
}

fn hang_report(shared: &Shared, run: &Run, first: Option<Progress>, gap: Duration) -> String {
    let now = run.beacon.read();
    let who = shared
        .test
        .as_deref()
        .map_or_else(|| "a check".to_string(), |t| format!("`{t}`"));
    let mut out = format!(
        "error: seedloop: hang guard: a run of {who} took more than {:?} of real time \
         (SEEDLOOP_HANG_SECS={}); ending the process",
        shared.budget, shared.setting
    );
    let place = |p: &Progress| {
        let site = if p.task.id == TaskId::MAIN {
            "the test body".to_string()
        } else {
            let s = p.site();
            format!("spawned at {}:{}:{}", s.file(), s.line(), s.column())
        };
        format!("{} ({site}) at t={}, step {}", p.task, p.time, p.step)
    };
    match (&first, &now) {
        (_, None) => {
            out.push_str("\nnote: no task was polled yet: the run is stuck before its first poll")
        }
        (Some(a), Some(b)) if a.polls == b.polls => out.push_str(&format!(
            "\nnote: it is inside one poll of task {}, which has not returned to the executor",
            place(b)
        )),
        (_, Some(b)) => out.push_str(&format!(
            "\nnote: it is still polling ({} polls in the last {gap:?}); the last poll is of \
             task {}: the run is long rather than stuck",
            b.polls - first.as_ref().map_or(0, |a| a.polls),
            place(b)
        )),
    }
    if matches!(run.strategy.as_str(), "replay" | "shrink") {
        out.push_str(&format!(
            "\nnote: seed {}, following a recorded schedule ({}: confirming, shrinking or \
             replaying a saved failure); the test: {}",
            run.seed, run.strategy, shared.command
        ));
    } else {
        out.push_str(&format!(
            "\nnote: seed {} (strategy {}); to run that seed alone:\n      SEEDLOOP_SEED={} \
             SEEDLOOP_STRATEGY='{}' {}",
            run.seed, run.strategy, run.seed, run.strategy, shared.command
        ));
    }
    out.push_str(
        "\nhelp: a task that computes without awaiting (a loop with no `.await`, a busy-wait, a \
         blocking call) never gives the thread back, and a single-threaded executor cannot stop \
         it: make the loop await something, or simulate the work with sim::task::block_for; if \
         the run is only slow, raise SEEDLOOP_HANG_SECS",
    );
    out
}
