//! Why a run failed: each failure the loop can end with, built from the run's state, in
//! rustc's voice (a headline, details, a `help:` line).

use std::panic::Location;

use super::core::Core;
use super::table::{WaitKind, WaitNote};
use crate::model::{BlockedTask, Instant, Panic, SimError, SimErrorKind, TaskId};

fn error(core: &Core, kind: SimErrorKind, headline: String) -> SimError {
    SimError::new(kind, core.now(), core.step(), headline)
}

pub(super) fn nested_run(site: &'static Location<'static>) -> SimError {
    SimError::new(
        SimErrorKind::NestedRun,
        Instant::ZERO,
        0,
        format!(
            "Sim::run called at {}:{} inside a running simulation; nothing was run",
            site.file(),
            site.line()
        ),
    )
    .with_help(
        "a simulation runs one program on one thread: `.await` the future inside the running \
         simulation (or `sim::spawn` it) instead of starting another run",
    )
}

pub(super) fn deadlock(core: &Core) -> SimError {
    let mut e = error(
        core,
        SimErrorKind::Deadlock,
        format!(
            "deadlock at t={} (step {}): no task can run and no timer will fire, but main has \
             not returned",
            core.now(),
            core.step()
        ),
    )
    .with_help(
        "each task above waits for something no running task will provide: a lock held \
         across an await, a channel whose other end is idle, a JoinHandle of a task that \
         waits for its joiner, or a sleep with no end",
    );
    e.repr_mut().blocked = core
        .tasks
        .borrow()
        .unfinished_with_waits()
        .into_iter()
        .filter_map(|(id, waits)| {
            Some(BlockedTask {
                task: core.info(id)?,
                waits: waits.iter().map(|w| describe_wait(core, w)).collect(),
            })
        })
        .collect();
    e
}

pub(super) fn step_limit(core: &Core) -> SimError {
    let recent: Vec<String> = core
        .recent_tasks()
        .into_iter()
        .map(|t| core.label(t))
        .collect();
    let mut e = error(
        core,
        SimErrorKind::StepLimit,
        format!(
            "step limit reached: {} steps (task polls, and awaits of operations that could \
             complete at once) at t={} without main returning",
            core.options.max_steps,
            core.now()
        ),
    );
    if let Some(a) = core.last_await.get() {
        let spawned = core
            .info(a.task)
            .map(|i| {
                format!(
                    " (spawned at {}:{})",
                    i.spawned_at.file(),
                    i.spawned_at.line()
                )
            })
            .unwrap_or_default();
        let at = a
            .site
            .map(|s| format!(" at {}:{}", s.file(), s.line()))
            .unwrap_or_default();
        e = e.with_detail(format!(
            "task {}{spawned} last awaited `{}`{at}",
            core.label(a.task),
            a.op
        ));
    }
    e.with_detail(format!("the last polls ran: {}", recent.join(", ")))
        .with_detail(format!(
            "{} tasks alive, {} timers pending",
            core.tasks.borrow().unfinished_count(),
            core.timers_pending()
        ))
        .with_help(
            "a spin loop? await something that can block (a sleep, a channel, a lock another \
             task holds, a JoinHandle) instead of looping on yield_now, maybe_yield or an \
             operation that completes at once: virtual time only moves when every task waits. \
             If the program really needs more steps, raise the limit with \
             SimBuilder::max_steps",
        )
}

pub(super) fn time_limit(core: &Core, next: Instant) -> SimError {
    error(
        core,
        SimErrorKind::TimeLimit,
        format!(
            "virtual-time limit reached: the next timer is due at t={next}, past the limit of t={}",
            Instant::from_nanos(core.options.max_time_nanos())
        ),
    )
    .with_detail(format!(
        "{} tasks alive, {} timers pending",
        core.tasks.borrow().unfinished_count(),
        core.timers_pending()
    ))
    .with_help(
        "a loop that sleeps or ticks an interval forever keeps the run going; stop it when \
         main is done, or raise the limit with SimBuilder::max_time",
    )
}

pub(super) fn main_panicked(core: &Core, p: Panic) -> SimError {
    let mut e = error(
        core,
        SimErrorKind::MainPanicked,
        format!(
            "main panicked at t={} (step {}): {p}",
            core.now(),
            core.step()
        ),
    );
    let cause = core.cause_of(&p, TaskId::MAIN);
    let r = e.repr_mut();
    r.task = core.info(TaskId::MAIN);
    r.cause = core.info(cause);
    r.panic_message = Some(p.message().to_string());
    r.panic = Some(p);
    e
}

pub(super) fn unobserved_panic(core: &Core) -> Option<SimError> {
    if !core.options.fail_on_unobserved_panic {
        return None;
    }
    let panics = core.panics.borrow();
    let unobserved: Vec<_> = panics.iter().filter(|p| !p.observed).collect();
    let first = unobserved.first()?;
    let info = core.info(first.task);
    let label = core.label(first.task);
    let at = first
        .location
        .as_deref()
        .map(|l| format!(" at {l}"))
        .unwrap_or_default();
    let headline = if first.context.is_empty() {
        format!(
            "task {label} panicked at t={} (step {}) and nobody awaited it: '{}'{at}",
            first.time, first.step, first.message
        )
    } else {
        // A panic in `Drop` reaches no joiner: say where it happened, and what the joiner saw.
        let message = first
            .message
            .strip_suffix(&format!(" ({})", first.context))
            .unwrap_or(&first.message);
        let context = if first.context == super::tasks::ABORTING {
            "in Drop while being cancelled"
        } else {
            first.context
        };
        let seen = if first.joiner_saw_cancel {
            "; its joiner observed the task as Cancelled, so nothing else could see the panic"
        } else {
            ""
        };
        format!(
            "task {label} panicked {context} at t={} (step {}): '{message}'{at}{seen}",
            first.time, first.step
        )
    };
    let mut e = SimError::new(
        SimErrorKind::UnobservedPanic,
        first.time,
        first.step,
        headline,
    );
    if let Some(i) = &info {
        e = e.with_detail(format!(
            "{label} was spawned at {}:{}",
            i.spawned_at.file(),
            i.spawned_at.line()
        ));
    }
    for other in unobserved.iter().skip(1) {
        e = e.with_detail(format!(
            "also: task {} panicked at t={}: '{}'",
            core.label(other.task),
            other.time,
            other.message
        ));
    }
    let help = if first.context.is_empty() {
        "await the task's JoinHandle to handle its failure, or build the Sim with \
         fail_on_unobserved_panic(false) if losing it is intended"
    } else {
        "a Drop implementation panicked; Drop runs when a task is aborted, finishes or is \
         dropped at shutdown, and must not panic"
    };
    let r = e.repr_mut();
    r.task = info;
    r.cause = core.info(first.origin);
    r.panic_message = Some(first.message.clone());
    drop(panics);
    Some(e.with_help(help))
}

pub(super) fn leftovers(core: &Core, n: usize) -> SimError {
    error(
        core,
        SimErrorKind::LeftoverTasks,
        format!("main returned at t={} with {n} task(s) still running; they were dropped", core.now()),
    )
    .with_help("await or abort every task before main returns, or allow leftovers with fail_on_leftover_tasks(false)")
}

pub(super) fn starvation(core: &Core, task: TaskId, busy: u64) -> SimError {
    let label = core.label(task);
    let mut e = error(
        core,
        SimErrorKind::Starvation,
        format!(
            "task {label} held the executor for {} of CPU-bound work in one poll (limit {}), ending at t={}",
            Instant::from_nanos(busy),
            Instant::from_nanos(core.options.max_poll_nanos()),
            core.now()
        ),
    )
    .with_help(
        "no other task can run while one computes without awaiting: split the work with \
         yield_now between chunks, or move it off the event loop",
    );
    let r = e.repr_mut();
    r.task = core.info(task);
    r.cause = r.task.clone();
    e
}

pub(super) fn stopped(core: &Core) -> SimError {
    if let Some(d) = core.divergence.borrow().clone() {
        return error(
            core,
            SimErrorKind::Diverged,
            format!(
                "replay diverged at step {} (t={}): {d}",
                core.step(),
                core.now()
            ),
        )
        .with_help(
            "the program, its inputs or seedloop changed since the schedule was recorded; \
             re-run the seed sweep to find a fresh failing schedule",
        );
    }
    error(
        core,
        SimErrorKind::ForeignWake,
        format!(
            "a simulated task's waker was woken from thread `{}` at t={} (step {})",
            core.foreign.thread(),
            core.now(),
            core.step()
        ),
    )
    .with_help(
        "something outside the simulation (a real thread, a tokio runtime, a blocking pool) holds \
         a simulated task's waker; runs would depend on real thread timing. Use sim:: primitives \
         inside the simulation",
    )
}

/// Formats a wait for reports.
fn describe_wait(core: &Core, w: &WaitNote) -> String {
    let what = match &w.kind {
        WaitKind::Sleep { until } if *until == Instant::MAX => "sleep forever".to_string(),
        WaitKind::Sleep { until } => format!("sleep until t={until}"),
        WaitKind::Join { task } => format!("JoinHandle of {}", core.label(*task)),
        WaitKind::Resource { op, name: Some(n) } => format!("{op} on `{n}`"),
        WaitKind::Resource { op, name: None } => (*op).to_string(),
    };
    match w.site {
        Some(site) => format!("{what} at {}:{}", site.file(), site.line()),
        None => what,
    }
}
