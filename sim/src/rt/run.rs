//! The loop of one run.
//!
//! In full: fire due timers at the start of each round; ask the scheduler which runnable task
//! to poll; poll it; when nothing is runnable, jump the clock to the earliest deadline; when there
//! is no deadline either and main has not returned, report a deadlock. When main returns, drop
//! every leftover task (their `Drop` guards run at that instant) and report unobserved panics.

use std::future::Future;
use std::panic::Location;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::core::{Core, Idle};
use super::failure;
use super::panic_hook::QuietGuard;
use super::raw::{MainTask, RawTask};
use super::tasks::{Polled, Turn};
use super::{RunSetup, Scheduler, context};
use crate::model::{SimError, TaskId, Trace};

/// Process-unique run numbers, so a waker from one run never wakes a task of another.
/// (Never part of a trace: it does not affect determinism.)
static NEXT_SIM_ID: AtomicU64 = AtomicU64::new(1);

/// Runs `main` to completion as task 0 under `setup`. Returns its output or why the run failed,
/// and puts the run's trace in `trace`, whose buffers (the last run's trace) the run reuses;
/// `trace` is left as it was when nothing ran (a run nested in another). The run's scheduler
/// goes to `spare`, if given, for the next run to reseed.
pub(crate) fn run<F: Future>(
    setup: RunSetup,
    main: F,
    site: &'static Location<'static>,
    trace: &mut Trace,
    spare: Option<&mut Option<Box<dyn Scheduler>>>,
) -> Result<F::Output, SimError> {
    if context::in_sim() {
        return Err(failure::nested_run(site));
    }
    let sim_id = NEXT_SIM_ID.fetch_add(1, Ordering::Relaxed);
    let core = Core::start(sim_id, setup, trace);
    // Main's block (its waker with it) goes at the end of this block, before the run's state
    // is retired: main's waker is then the waker pool's alone, reused by the next run.
    let out = {
        let main = pin!(MainTask::new(main));
        run_on(&core, main, site, trace)
    };
    if let Some(spare) = spare {
        *spare = Some(core.take_scheduler());
    }
    // Main's future, the thread's reference and the quiet panic hook are gone: what is left of
    // the run's state goes to the next run on this thread.
    Core::retire(core);
    out
}

fn run_on<F: Future>(
    core: &Rc<Core>,
    mut main: Pin<&mut MainTask<F>>,
    site: &'static Location<'static>,
    trace: &mut Trace,
) -> Result<F::Output, SimError> {
    let Ok(_entered) = context::enter(core.clone()) else {
        return Err(failure::nested_run(site));
    };
    let _quiet = QuietGuard::new();
    let (main_key, main_waker) = core.register_main(site);
    main.as_mut().set_waker(main_waker);

    let outcome: Result<(), SimError> = loop {
        // A divergence taken by `next_task`'s choice stops the run before that task runs.
        let next = core.next_task();
        if core.must_stop() {
            break Err(failure::stopped(core));
        }
        let Some(key) = next else {
            match core.advance() {
                Idle::Advanced => continue,
                Idle::Deadlock => break Err(failure::deadlock(core)),
                Idle::TimeLimit(at) => break Err(failure::time_limit(core, at)),
            }
        };
        if core.at_step_limit() {
            break Err(failure::step_limit(core));
        }
        let Some(turn) = core.begin_step(key) else {
            continue;
        };
        // Progress for watchers on other threads: written, never read by the run.
        if let Some(beacon) = &core.beacon {
            beacon.note_poll(key.id(), core.step(), core.now(), || core.info(key.id()));
        }
        let mut main_returned = false;
        match turn {
            Turn::Main => {
                match core.poll(key, main.as_mut()) {
                    Polled::Pending => core.main_pending(key),
                    Polled::Returned(_) => main_returned = true,
                    Polled::Panicked(p) => {
                        core.current.set(None);
                        break Err(failure::main_panicked(core, p));
                    }
                }
                core.current.set(None);
            }
            Turn::Poll(body) => core.run_task(key, body),
            Turn::Abort(body) => core.run_abort(key, body),
        }
        let busy = core.take_poll_busy();
        // Almost every poll blocks for no virtual time: no limit to look up then.
        if busy > 0 && busy > core.options.max_poll_nanos() {
            break Err(failure::starvation(core, key.id(), busy));
        }
        if main_returned {
            break Ok(());
        }
        // A poll that spun on awaits up to the limit suspended there: stop now.
        if core.at_step_limit() {
            break Err(failure::step_limit(core));
        }
        // A divergence or foreign wake during this poll stops the run before the next choice.
        if core.must_stop() {
            break Err(failure::stopped(core));
        }
    };
    // A divergence or foreign wake noticed during main's last poll must not be lost just
    // because main returned in that same poll.
    if outcome.is_ok() {
        core.finish_schedule();
    }
    let outcome = match outcome {
        Ok(()) if core.must_stop() => Err(failure::stopped(core)),
        other => other,
    };

    // Main's future goes first (it may hold guards the others wait on), as main.
    core.current.set(Some(main_key));
    let output = main.as_mut().output();
    if let Err(payload) = main.as_mut().drop_future() {
        core.drop_panicked(TaskId::MAIN, payload, "in Drop of main's future");
    }
    core.current.set(None);
    let leftovers = core.shutdown();
    let result = match outcome {
        Ok(()) => match failure::unobserved_panic(core) {
            Some(e) => Err(e),
            None if leftovers > 0 && core.options.fail_on_leftover_tasks => {
                Err(failure::leftovers(core, leftovers))
            }
            None => Ok(output.expect("main completed")),
        },
        Err(e) => Err(e),
    };
    core.take_trace_into(trace);
    // Outputs no handle took go now, while `sim` calls in their `Drop` still find the run.
    core.drop_outputs();
    result
}
