//! The workloads every system runs, defined once: their sizes, their task bodies (generic over
//! the system's `yield_now` and `sleep`) and the checksum each must compute, so a system that
//! skipped work is caught on every run.
//!
//! Only `std` here: the peer packages (`bench/peers/*`) include this file by path.

use std::future::Future;
use std::time::Duration;

/// Tasks of the explore scenario (each run is one seed on a fresh executor).
pub const EXPLORE_TASKS: u64 = 3;
/// Yields of each explore task.
pub const EXPLORE_YIELDS: u64 = 3;
/// Tasks of one run of the scale scenario.
pub const SCALE_TASKS: u64 = 100;
/// Yields of each scale task.
pub const SCALE_YIELDS: u64 = 10;
/// Tasks of the guarded scenario (the explore_facade row), each taking a permit of a
/// semaphore of [`GUARDED_PERMITS`], then a lock, then sending on a channel of
/// [`GUARDED_CAPACITY`], [`GUARDED_ROUNDS`] times; the main task receives everything.
pub const GUARDED_TASKS: u64 = 4;
/// Rounds of each guarded task (it sends `0..GUARDED_ROUNDS`).
pub const GUARDED_ROUNDS: u64 = 8;
/// Permits of the guarded scenario's semaphore.
pub const GUARDED_PERMITS: usize = 2;
/// Capacity of the guarded scenario's channel.
pub const GUARDED_CAPACITY: usize = 4;
/// Capacity of the ping-pong channels.
pub const PINGPONG_CAPACITY: usize = 1;
/// Capacity of the stream channel.
pub const STREAM_CAPACITY: usize = 128;
/// Tasks of the timer workload (each sleeps `sleeps / TIMER_TASKS` times).
pub const TIMER_TASKS: u64 = 1000;
/// Sleeps are drawn from 1..=`MAX_SLEEP_MS` milliseconds.
pub const MAX_SLEEP_MS: u64 = 1000;
/// Bytes in one message of the io workload.
pub const MESSAGE_BYTES: usize = 64;
/// Port the io workload's reader listens on.
pub const IO_PORT: u16 = 9;

/// The checksum of `runs` runs of a counting scenario of `tasks` tasks × `yields` yields: every
/// yield is followed by one increment of a shared counter, and a run returns the counter.
///
/// ```
/// use seedloop_bench::shared::workload::*;
/// assert_eq!(counting_sum(2, EXPLORE_TASKS, EXPLORE_YIELDS), 18);
/// ```
pub fn counting_sum(runs: u64, tasks: u64, yields: u64) -> u64 {
    runs * tasks * yields
}

/// The checksum of `runs` runs of the guarded scenario: every run's main task sums what it
/// received, and the runs add up.
///
/// ```
/// assert_eq!(seedloop_bench::shared::workload::guarded_sum(2), 2 * 4 * 28);
/// ```
pub fn guarded_sum(runs: u64) -> u64 {
    runs * GUARDED_TASKS * sum_below(GUARDED_ROUNDS)
}

/// One task of a counting scenario: `yields` times, yield and then `count()`.
pub async fn counter<Y: Future<Output = ()>>(
    yields: u64,
    yield_now: impl Fn() -> Y,
    count: impl Fn(),
) {
    for _ in 0..yields {
        yield_now().await;
        count();
    }
}

/// Task `i` of spawn_join: yields once, then returns `i`.
pub async fn yielder<Y: Future<Output = ()>>(i: u64, yield_now: impl FnOnce() -> Y) -> u64 {
    yield_now().await;
    i
}

/// `0 + 1 + … + (n - 1)`: the checksum of spawn_join (task outputs), pingpong (echoed numbers),
/// stream (items), io (message numbers) and blocked (task indices).
///
/// ```
/// assert_eq!(seedloop_bench::shared::workload::sum_below(4), 6);
/// ```
pub fn sum_below(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// SplitMix64: a tiny fixed-seed generator, so every system sleeps the same durations.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    /// The generator of task number `task`.
    pub fn for_task(task: u64) -> Self {
        SplitMix(task.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5EED)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A sleep length in 1..=[`MAX_SLEEP_MS`] milliseconds.
    pub fn sleep_ms(&mut self) -> u64 {
        1 + self.next_u64() % MAX_SLEEP_MS
    }
}

/// How the timer workload splits `sleeps` sleeps: ([`TIMER_TASKS`] or fewer) tasks × sleeps each.
///
/// ```
/// assert_eq!(seedloop_bench::shared::workload::timer_split(1_000_000), (1000, 1000));
/// ```
pub fn timer_split(sleeps: u64) -> (u64, u64) {
    let tasks = TIMER_TASKS.min(sleeps.max(1));
    (tasks, (sleeps / tasks).max(1))
}

/// Task `i` of the timer workload: `sleeps` sleeps of seeded random length; returns the total
/// milliseconds slept.
pub async fn sleeper<S: Future<Output = ()>>(
    i: u64,
    sleeps: u64,
    sleep: impl Fn(Duration) -> S,
) -> u64 {
    let mut rng = SplitMix::for_task(i);
    let mut total = 0;
    for _ in 0..sleeps {
        let ms = rng.sleep_ms();
        sleep(Duration::from_millis(ms)).await;
        total += ms;
    }
    total
}

/// The checksum of the timer workload for `sleeps` sleeps (split by [`timer_split`]): the
/// milliseconds slept in all.
pub fn timers_sum(sleeps: u64) -> u64 {
    let (tasks, each) = timer_split(sleeps);
    (0..tasks)
        .map(|i| {
            let mut rng = SplitMix::for_task(i);
            (0..each).map(|_| rng.sleep_ms()).sum::<u64>()
        })
        .sum()
}

/// Message `i` of the io workload: `i` little-endian, then padding.
pub fn message(i: u64) -> [u8; MESSAGE_BYTES] {
    let mut m = [0xa5; MESSAGE_BYTES];
    m[..8].copy_from_slice(&i.to_le_bytes());
    m
}

/// The number message `m` carries.
pub fn message_number(m: &[u8; MESSAGE_BYTES]) -> u64 {
    let mut n = [0; 8];
    n.copy_from_slice(&m[..8]);
    u64::from_le_bytes(n)
}

/// Waits forever without registering anywhere: a live, parked task whose future holds nothing,
/// so the bytes it costs are the executor's own.
pub async fn parked(started: impl FnOnce()) {
    started();
    std::future::pending::<()>().await;
}

/// The checksum a run of `workload` at `size` must return (`None`: no such workload). Sizes:
/// runs for `explore` and `scale`, tasks for `spawn_join` and `blocked`, messages for
/// `pingpong` (half of them round trips), items for `stream`, sleeps for `timers`, messages for
/// `io`.
///
/// ```
/// use seedloop_bench::shared::workload::checksum;
/// assert_eq!(checksum("pingpong", 8), Some(6)); // 4 round trips echo 0..4
/// assert_eq!(checksum("nope", 8), None);
/// ```
pub fn checksum(workload: &str, size: u64) -> Option<u64> {
    Some(match workload {
        "explore" => counting_sum(size, EXPLORE_TASKS, EXPLORE_YIELDS),
        "scale" => counting_sum(size, SCALE_TASKS, SCALE_YIELDS),
        "explore_facade" => guarded_sum(size),
        "spawn_join" | "stream" | "io" | "blocked" => sum_below(size),
        "pingpong" => sum_below(size / 2),
        "timers" => timers_sum(size),
        "parked" => size,
        _ => return None,
    })
}
