//! How a sample is taken, the same in the bench and in the peer processes: CPU time of the
//! process (every system here runs its tasks on the calling thread), repeated until it is long
//! enough to read; and the resident-memory high-water mark for peaks.
//!
//! Only `std` here: the peer packages include this file by path.

use std::time::{Duration, Instant};

/// Linux accounts CPU time at scheduler ticks (a few ms), so a sample repeats its workload until
/// it has used at least this much.
pub const MIN_CPU: Duration = Duration::from_millis(200);

/// CPU time used so far by every thread of this process (`/proc/self/task/*/schedstat`,
/// nanoseconds); `None` where Linux does not report it. On a shared machine it counts the work
/// done, where wall-clock time also counts waiting for a core.
///
/// ```
/// if let Some(before) = seedloop_bench::shared::measure::cpu_time() {
///     let mut x = 0u64;
///     for i in 0..1_000_000u64 { x = x.wrapping_add(std::hint::black_box(i)); }
///     assert!(seedloop_bench::shared::measure::cpu_time().unwrap() > before, "{x}");
/// }
/// ```
pub fn cpu_time() -> Option<Duration> {
    let mut total = 0u64;
    for entry in std::fs::read_dir("/proc/self/task").ok()? {
        let path = entry.ok()?.path().join("schedstat");
        // A thread that ended between the listing and the read has nothing more to add.
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// What [`cpu_time`] measures here: said once in the bench's header.
pub fn clock_name() -> &'static str {
    if cpu_time().is_some() {
        "process CPU time (/proc/self/task/*/schedstat)"
    } else {
        "wall-clock time (no /proc here)"
    }
}

/// One sample: runs `f` until it has used [`MIN_CPU`] (once at least), and returns the time of
/// one run and the checksum every run returned.
///
/// # Panics
/// When two runs return different checksums (a nondeterministic workload).
pub fn sample(mut f: impl FnMut() -> u64) -> (Duration, u64) {
    let cpu_start = cpu_time();
    let wall_start = Instant::now();
    let mut runs = 0u32;
    let mut checksum = None;
    loop {
        let got = f();
        if let Some(c) = checksum {
            assert_eq!(
                got, c,
                "two runs of one workload computed different checksums"
            );
        }
        checksum = Some(got);
        runs += 1;
        let used = match (cpu_start, cpu_time()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => wall_start.elapsed(),
        };
        if used >= MIN_CPU {
            return (used / runs, got);
        }
    }
}

/// Resident memory of this process now and at its peak (`VmRSS`, `VmHWM` of
/// `/proc/self/status`), in bytes.
pub fn resident() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The process's peak resident memory so far, in MiB (0 where `/proc` is missing), for the
/// examples that print it beside their figures.
pub fn peak_mib() -> u64 {
    resident().map_or(0, |(_, peak)| peak >> 20)
}

/// Runs `f` once and returns how far its resident memory rose above what the process held just
/// before (bytes), and `f`'s checksum. Meant for a fresh process that runs nothing else, so the
/// high-water mark is this workload's. `None` where `/proc` is missing.
pub fn peak_growth(f: impl FnOnce() -> u64) -> Option<(u64, u64)> {
    let (before, _) = resident()?;
    let checksum = f();
    let (_, peak) = resident()?;
    Some((peak.saturating_sub(before), checksum))
}
