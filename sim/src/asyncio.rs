//! # From asyncio to seedloop
//!
//! A documentation-only module: how each piece of Python's asyncio toolkit reads in seedloop,
//! and where the two models differ. The names are asyncio's meanings under Rust's naming; the
//! behaviour cases behind each row are tested in the `tests` package.
//!
//! ## Running, tasks, time
//!
//! | asyncio | seedloop | notes |
//! |---|---|---|
//! | `asyncio.run(main())` | [`Sim::run`](crate::Sim::run) | one deterministic execution; `Sim::new(seed)` picks the interleaving |
//! | `asyncio.create_task(coro)` | [`spawn`](crate::spawn), [`spawn_named`](crate::spawn_named) | lazy start: the task first runs when the spawner suspends, as in asyncio |
//! | `await task` | `handle.await` on a [`JoinHandle`](crate::JoinHandle) | `Result<T, JoinError>`: a panic or an abort is a [`JoinError`](crate::JoinError), not an exception |
//! | `task.cancel()` | [`JoinHandle::abort`](crate::JoinHandle::abort) | the future is dropped before its next poll; returns whether it took effect; see *Cancellation* below |
//! | `task.done()` | [`JoinHandle::is_finished`](crate::JoinHandle::is_finished) | |
//! | dropping the last reference to a task | dropping the `JoinHandle` | *detaches*: the task runs on (asyncio may garbage-collect it) |
//! | `asyncio.current_task()` | [`task::id`](crate::task::id), [`task::label`](crate::task::label) | |
//! | `await asyncio.sleep(0)` | [`task::yield_now`](crate::task::yield_now) | always suspends once |
//! | `await asyncio.sleep(s)` | [`time::sleep`](crate::time::sleep), [`time::sleep_until`](crate::time::sleep_until) | virtual time: costs nothing, the clock jumps |
//! | `loop.time()` | [`time::now`](crate::time::now), [`time::elapsed`](crate::time::elapsed) | integer nanoseconds since the run began |
//! | `asyncio.wait_for(aw, t)` | [`time::timeout`](crate::time::timeout) | the inner future is dropped at the deadline; `Err(Elapsed)` |
//! | `async with asyncio.timeout(t) as cm` | [`time::TimeoutScope`](crate::time::TimeoutScope) | `cm.when()`, `cm.reschedule()`, `cm.expired()` are `when`, `reschedule`, `expired` |
//! | `asyncio.timeout_at(when)` | [`time::timeout_at`](crate::time::timeout_at) | |
//! | a periodic loop with `sleep` | [`time::interval`](crate::time::interval) | missed ticks come in a burst |
//! | `random.random()` in a test | [`rand`](crate::rand) | seeded and recorded, so a run replays |
//!
//! ## Running several things at once
//!
//! | asyncio | seedloop | cancels what it did not finish? |
//! |---|---|---|
//! | `asyncio.gather(*aws)` | [`gather`](crate::gather) | when dropped: yes; on a child's failure: no (siblings run on) |
//! | `gather(..., return_exceptions=True)` | [`gather_settled`](crate::gather_settled) | when dropped: yes |
//! | `gather` of awaitables that may fail | [`try_gather`](crate::try_gather) (first `Err` returns at once) | when dropped: yes; on the `Err`: no |
//! | `async with asyncio.TaskGroup() as tg` | [`TaskGroup`](crate::TaskGroup), [`TaskGroup::join`](crate::concurrency::TaskGroup::join) | yes: the first failure aborts all siblings at that instant |
//! | `asyncio.wait(aws, return_when=...)` | [`concurrency::wait`](crate::concurrency::wait) with [`WaitFor`](crate::concurrency::WaitFor) | never: pending handles are returned |
//! | `asyncio.as_completed(aws, timeout=...)` | [`concurrency::as_completed`](crate::concurrency::as_completed) (a `Stream`) | never |
//! | `asyncio.shield(aw)` | [`shield`](crate::shield) | never: that is its point |
//! | `wait(..., FIRST_COMPLETED)` over coroutines | [`concurrency::select`](crate::concurrency::select), [`concurrency::select_all`](crate::concurrency::select_all) | returns the losers to the caller |
//!
//! ## Synchronisation and queues
//!
//! All are FIFO with direct hand-off (a released lock goes to the longest waiter; no barging),
//! and a waiter that is cancelled leaves the queue without losing or duplicating anything.
//!
//! | asyncio | seedloop |
//! |---|---|
//! | `asyncio.Lock` | [`sync::Mutex`](crate::sync::Mutex) (the guard unlocks on drop; no `release()` to forget) |
//! | `asyncio.Semaphore`, `BoundedSemaphore` | [`sync::Semaphore::new`](crate::sync::Semaphore::new), [`sync::Semaphore::bounded`](crate::sync::Semaphore::bounded) |
//! | `asyncio.Event` | [`sync::Event`](crate::sync::Event) |
//! | `asyncio.Condition` | [`sync::Condvar`](crate::sync::Condvar) |
//! | `asyncio.Barrier` | [`sync::Barrier`](crate::sync::Barrier) |
//! | (no asyncio equivalent) | [`sync::RwLock`](crate::sync::RwLock), [`sync::Notify`](crate::sync::Notify) |
//! | `asyncio.Queue` (with `join`, `task_done`, `shutdown`) | `sim::channel::Queue` |
//! | catching `CancelledError` to clean up asynchronously | [`sync::CancelToken`](crate::sync::CancelToken) (see below) |
//!
//! ## Cancellation: `CancelledError` versus drop
//!
//! In asyncio, `task.cancel()` raises `CancelledError` inside the task at its current `await`;
//! the task may run `finally` blocks, `await` more things while cleaning up, or even swallow the
//! error and carry on. In Rust (and so in seedloop), cancelling a task *drops its future*: no
//! more code of it runs, except the `Drop` implementations of what it held, and those cannot
//! `.await`. The three asyncio idioms map as follows:
//!
//! - **`try: ... finally: cleanup()`** becomes a `Drop` guard. It runs at the virtual instant of
//!   the abort, before the clock moves:
//!
//! ```
//! use std::time::Duration;
//! use sim::time::sleep;
//!
//! struct Cleanup;
//! impl Drop for Cleanup {
//!     fn drop(&mut self) { sim::log!("cleanup") }
//! }
//!
//! let mut sim = sim::Sim::new(0);
//! sim.run(async {
//!     let task = sim::spawn(async {
//!         let _guard = Cleanup;
//!         sleep(Duration::from_secs(3600)).await; // asyncio: CancelledError raised here
//!     });
//!     sleep(Duration::from_secs(1)).await;
//!     task.abort();
//!     assert!(task.await.unwrap_err().is_cancelled());
//! }).unwrap();
//! let lines: Vec<String> = sim.trace().logs().map(|l| format!("{} {}", l.time, l.text)).collect();
//! assert_eq!(lines, ["1s cleanup"]); // at the abort, not at t=3600
//! ```
//!
//! - **`except CancelledError: await cleanup(); raise`** (cleanup that must await) and
//!   **refusing or delaying a cancellation** need the task's cooperation: pass it a
//!   [`sync::CancelToken`](crate::sync::CancelToken), have it await the token alongside its
//!   work (e.g. with [`concurrency::select`](crate::concurrency::select)), and let it clean up,
//!   or decide to go on, when the token fires. Abort stays the hard stop.
//!
//! ```
//! use std::time::Duration;
//! use sim::concurrency::{Either, select};
//! use sim::sync::CancelToken;
//! use sim::time::{elapsed, sleep};
//!
//! let mut sim = sim::Sim::new(0);
//! sim.run(async {
//!     let token = CancelToken::new();
//!     let t = token.clone();
//!     let worker = sim::spawn(async move {
//!         let work = Box::pin(sleep(Duration::from_secs(3600)));
//!         match select(work, Box::pin(t.cancelled())).await {
//!             Either::Left(_) => "finished",
//!             Either::Right(_) => {
//!                 sleep(Duration::from_secs(1)).await; // asynchronous cleanup
//!                 "cleaned up"
//!             }
//!         }
//!     });
//!     sleep(Duration::from_secs(1)).await;
//!     token.cancel();
//!     assert_eq!(worker.await.unwrap(), "cleaned up");
//!     assert_eq!(elapsed(), Duration::from_secs(2));
//! }).unwrap();
//! ```
//! - **`asyncio.shield(aw)`** becomes [`shield`](crate::shield): the work runs as its own task,
//!   so dropping the awaiter detaches it instead of dropping it.
//!
//! Structured combinators cancel by drop too: when a [`gather`](crate::gather) or a
//! [`TaskGroup`](crate::TaskGroup) is dropped (because its awaiter was aborted, or a
//! [`time::timeout`](crate::time::timeout) around it expired), it aborts the child tasks it owns,
//! and their guards run at that instant. Combinators that only observe tasks the caller spawned
//! ([`concurrency::wait`](crate::concurrency::wait),
//! [`concurrency::as_completed`](crate::concurrency::as_completed)) never cancel them.
//!
//! ## Failures
//!
//! An exception escaping a task is a panic in seedloop: caught per task, reported to whoever
//! awaits the [`JoinHandle`](crate::JoinHandle), and, when nobody ever does, reported at the
//! end of the run (asyncio's "Task exception was never retrieved"), failing it by default.
//! Errors you expect travel as `Result` values: [`try_gather`](crate::try_gather) and
//! [`TaskGroup`](crate::TaskGroup) treat an `Err` as a failure.
//!
//! ## The guide's gather example
//!
//! ```
//! use std::time::Duration;
//! use sim::{Sim, Strategy, time::sleep};
//!
//! async fn task(name: &'static str, delay: u64) -> &'static str {
//!     sim::log!("Task {name} started");
//!     sleep(Duration::from_secs(delay)).await;
//!     sim::log!("Task {name} finished");
//!     name
//! }
//!
//! let mut sim = Sim::builder().strategy(Strategy::fifo()).build();
//! let names = sim.run(sim::gather([task("A", 2), task("B", 1), task("C", 3)])).unwrap();
//! assert_eq!(names, ["A", "B", "C"]);
//! let lines: Vec<String> = sim.trace().logs().map(|l| format!("{} {}", l.time, l.text)).collect();
//! assert_eq!(lines, [
//!     "0s Task A started", "0s Task B started", "0s Task C started",
//!     "1s Task B finished", "2s Task A finished", "3s Task C finished",
//! ]);
//! ```
