//! Progress of a long sweep on stderr: `SEEDLOOP_SEEDS=0..100000` under `cargo test` runs for
//! minutes, and a test that prints nothing for minutes looks hung. The lines go to stderr past
//! libtest's output capture, so they show while the test runs, without `--nocapture`.
//!
//! Nothing is printed for a sweep that ends within [`FIRST_AFTER`] of real time (every default
//! sweep), then a line every [`EVERY`]: seeds done of the total, the rate, and failures so far
//! (more than one only with [`crate::Check::keep_going`]), and a last line when the sweep ends.
//! Real time is read by the harness only, between runs: it decides when to print, never what a
//! run does or how it is judged.

use std::time::{Duration, Instant};

use crate::origin::plural;

/// Real time a sweep runs before its first progress line.
pub(crate) const FIRST_AFTER: Duration = Duration::from_secs(3);

/// Real time between two progress lines.
pub(crate) const EVERY: Duration = Duration::from_secs(5);

/// Work (a unit per run and per step) between two reads of the clock. A read costs about as
/// much as a short run's bookkeeping, and a sweep of short runs does hundreds of thousands of
/// runs a second: the clock is read every 16 runs of a few steps, after every run of a
/// thousand steps or more.
const CLOCK_EVERY: u64 = 1024;

/// The work a run counts besides its steps.
const RUN_WORK: u64 = 64;

/// The progress of one sweep.
pub(crate) struct Progress {
    who: String,
    total: u64,
    strategy: String,
    started: Instant,
    next: Duration,
    shown: bool,
    /// Work since the clock was last read (see [`CLOCK_EVERY`]).
    work: u64,
}

impl Progress {
    /// A sweep of `total` seeds by `who` (`` `test_name` `` or `this check`), starting now,
    /// whose first line is due `after` it starts.
    pub(crate) fn new(who: String, total: u64, strategy: String, after: Duration) -> Progress {
        Progress {
            who,
            total,
            strategy,
            started: Instant::now(),
            next: after,
            shown: false,
            // The first tick reads the clock.
            work: CLOCK_EVERY,
        }
    }

    /// Before a seed, after one of `last_steps` steps (0 before the first): the line to print,
    /// when one is due.
    pub(crate) fn tick(&mut self, done: u64, failures: u64, last_steps: u64) -> Option<String> {
        self.work = self
            .work
            .saturating_add(last_steps.saturating_add(RUN_WORK));
        if self.work < CLOCK_EVERY {
            return None;
        }
        self.work = 0;
        self.tick_at(self.started.elapsed(), done, failures)
    }

    /// At the end of the sweep: the last line, when progress was shown.
    pub(crate) fn finish(&self, done: u64, failures: u64) -> Option<String> {
        self.finish_at(self.started.elapsed(), done, failures)
    }

    fn tick_at(&mut self, elapsed: Duration, done: u64, failures: u64) -> Option<String> {
        if elapsed < self.next {
            return None;
        }
        self.shown = true;
        self.next = elapsed + EVERY;
        let pct = done.saturating_mul(100) / self.total.max(1);
        Some(format!(
            "seedloop: {}: {done} of {} seeds ({pct}%) in {}, {}, {} so far (strategy {})",
            self.who,
            self.total,
            secs(elapsed),
            rate(done, elapsed),
            plural(failures, "failure"),
            self.strategy
        ))
    }

    fn finish_at(&self, elapsed: Duration, done: u64, failures: u64) -> Option<String> {
        self.shown.then(|| {
            format!(
                "seedloop: {}: swept {} in {}, {}, {}",
                self.who,
                plural(done, "seed"),
                secs(elapsed),
                rate(done, elapsed),
                plural(failures, "failure")
            )
        })
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn rate(done: u64, elapsed: Duration) -> String {
    let per_sec = done as f64 / elapsed.as_secs_f64().max(1e-9);
    format!("{per_sec:.0} seeds/s")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress() -> Progress {
        Progress::new(
            "`sweep`".to_string(),
            100_000,
            "random".to_string(),
            FIRST_AFTER,
        )
    }

    #[test]
    fn the_clock_is_read_at_the_first_tick_then_after_enough_work() {
        let mut p = progress();
        p.next = Duration::ZERO;
        assert!(p.tick(0, 0, 0).is_some(), "the first tick reads the clock");
        // Due at once again: a tick that reads the clock prints.
        p.next = Duration::ZERO;
        for done in 1..16 {
            assert_eq!(
                p.tick(done, 0, 3),
                None,
                "after run {done}: too little work"
            );
        }
        assert!(p.tick(16, 0, 3).is_some(), "sixteen short runs read it");
        p.next = Duration::ZERO;
        assert!(
            p.tick(17, 0, 5_000).is_some(),
            "a long run reads it at once"
        );
    }

    #[test]
    fn a_short_sweep_prints_nothing() {
        let mut p = progress();
        assert_eq!(p.tick_at(Duration::from_millis(2_900), 64, 0), None);
        assert_eq!(p.finish_at(Duration::from_millis(2_950), 64, 0), None);
    }

    #[test]
    fn a_long_sweep_prints_every_few_seconds_and_at_the_end() {
        let mut p = progress();
        let s = Duration::from_secs;
        assert_eq!(
            p.tick_at(s(3), 12_000, 0).as_deref(),
            Some(
                "seedloop: `sweep`: 12000 of 100000 seeds (12%) in 3.0 s, 4000 seeds/s, \
                 0 failures so far (strategy random)"
            )
        );
        assert_eq!(p.tick_at(s(7), 28_000, 1), None, "not before 5 s more");
        assert_eq!(
            p.tick_at(s(8), 32_000, 1).as_deref(),
            Some(
                "seedloop: `sweep`: 32000 of 100000 seeds (32%) in 8.0 s, 4000 seeds/s, \
                 1 failure so far (strategy random)"
            )
        );
        assert_eq!(
            p.finish_at(s(25), 100_000, 2).as_deref(),
            Some("seedloop: `sweep`: swept 100000 seeds in 25.0 s, 4000 seeds/s, 2 failures")
        );
    }
}
