//! Modelling CPU-bound work.

use std::time::Duration;

use crate::rt::context;

/// Simulates `duration` of CPU-bound work in the current task: the virtual clock moves forward by
/// `duration` *while the task keeps the executor*, so no other task runs and every timer that
/// falls due meanwhile fires late, exactly as a long computation on a single-threaded event loop
/// delays everything else (the asyncio guide's first limitation).
///
/// It does not yield. Use it where real code would compute (parse, hash, compress) to see the
/// starvation in the trace; build the simulation with
/// [`SimBuilder::max_poll_time`](crate::SimBuilder::max_poll_time) to fail runs where one poll
/// holds the executor too long.
///
/// ```
/// use std::time::Duration;
/// use sim::time::{now, sleep};
///
/// let mut sim = sim::Sim::builder().strategy(sim::Strategy::fifo()).build();
/// let late = sim.run(async {
///     let ticker = sim::spawn(async {
///         sleep(Duration::from_millis(10)).await;
///         now() // wants to run at t=10ms
///     });
///     sim::task::yield_now().await; // let the ticker start its sleep
///     sim::task::block_for(Duration::from_secs(1)); // a CPU-bound second, no await
///     ticker.await.unwrap()
/// }).unwrap();
/// assert_eq!(late.as_nanos(), 1_000_000_000); // it woke a full second late
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn block_for(duration: Duration) {
    context::with("sim::task::block_for", |core| core.block(duration));
}
