//! The task bodies every executor runs, generic over the executor's `yield` and `sleep`, so all
//! of them do exactly the same work.

use std::cell::Cell;
use std::future::Future;
use std::time::Duration;

/// Sleeps are drawn from 1..=`MAX_SLEEP_MS` milliseconds.
pub const MAX_SLEEP_MS: u64 = 1000;

/// SplitMix64: a tiny fixed-seed generator, so every executor sleeps the same durations.
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

/// Task `i` of the spawn benchmark: yields once, then returns `i`.
pub async fn yielder<Y: Future<Output = ()>>(i: u64, yield_now: impl FnOnce() -> Y) -> u64 {
    yield_now().await;
    i
}

/// The checksum of [`yielder`] tasks `0..n`.
pub fn yielders_sum(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Task `i` of the timer benchmark: `sleeps` sleeps of seeded random length; returns the total
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

/// The checksum of [`sleeper`] tasks `0..tasks`: the milliseconds they sleep in all.
pub fn sleepers_sum(tasks: u64, sleeps: u64) -> u64 {
    (0..tasks)
        .map(|i| {
            let mut rng = SplitMix::for_task(i);
            (0..sleeps).map(|_| rng.sleep_ms()).sum::<u64>()
        })
        .sum()
}

/// The checksum of a ping-pong of `round_trips` (each echoes `0..round_trips` back).
pub fn ping_pong_sum(round_trips: u64) -> u64 {
    yielders_sum(round_trips)
}

/// Capacity of the queue in the producer/consumer benchmark.
pub const QUEUE_CAPACITY: usize = 64;

/// The checksum of the producer/consumer benchmark: the sum of `0..items`.
pub fn queue_sum(items: u64) -> u64 {
    yielders_sum(items)
}

/// The checksum of the mutex benchmark: every lock increments the counter once.
pub fn mutex_sum(tasks: u64, locks: u64) -> u64 {
    tasks * locks
}

thread_local! {
    static PARKED: Cell<usize> = const { Cell::new(0) };
}

/// Counts itself, then waits forever without registering anywhere: a live, parked task whose
/// future holds nothing, so the bytes it costs are the executor's own.
pub async fn parked() {
    PARKED.with(|p| p.set(p.get() + 1));
    std::future::pending::<()>().await;
}

/// Counts itself, then sleeps an hour: a parked task as real programs have them, holding a
/// timer (and, in seedloop, a noted wait for deadlock reports).
pub async fn asleep<S: Future<Output = ()>>(sleep: impl FnOnce(Duration) -> S) {
    PARKED.with(|p| p.set(p.get() + 1));
    sleep(Duration::from_secs(3600)).await;
}

/// How many [`parked`] or [`asleep`] tasks have started on this thread since the last [`reset_parked`].
pub fn parked_count() -> usize {
    PARKED.with(Cell::get)
}

/// Starts a fresh count of [`parked`] tasks.
pub fn reset_parked() {
    PARKED.with(|p| p.set(0));
}

/// Live heap bytes, from the bench binary's counting allocator.
pub type LiveBytes = fn() -> usize;

/// CPU time this thread has run so far, from Linux's scheduler accounting
/// (`/proc/thread-self/schedstat`, nanoseconds); `None` elsewhere. On a shared machine it
/// measures the work done, where wall-clock time also counts waiting for a core.
///
/// ```
/// if let Some(before) = seedloop_bench::workload::thread_cpu_time() {
///     let mut x = 0u64;
///     for i in 0..1_000_000u64 { x = x.wrapping_add(std::hint::black_box(i)); }
///     assert!(seedloop_bench::workload::thread_cpu_time().unwrap() > before, "{x}");
/// }
/// ```
pub fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Bytes in one message of the stream benchmark.
pub const MESSAGE_BYTES: usize = 64;

/// Message `i` of the stream benchmark: `i` little-endian, then padding.
pub fn message(i: u64) -> [u8; MESSAGE_BYTES] {
    let mut m = [0xa5; MESSAGE_BYTES];
    m[..8].copy_from_slice(&i.to_le_bytes());
    m
}

/// The number message `m` carries.
pub fn message_number(m: &[u8; MESSAGE_BYTES]) -> u64 {
    u64::from_le_bytes(m[..8].try_into().expect("8 bytes"))
}

/// What the stream benchmark's reader sums over `messages` messages.
///
/// ```
/// assert_eq!(seedloop_bench::workload::stream_sum(4), 6);
/// ```
pub fn stream_sum(messages: u64) -> u64 {
    messages * messages.saturating_sub(1) / 2
}
