//! Waiting for the virtual clock.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::Instant;
use crate::rt::timers::TimerKey;
use crate::rt::{WaitKind, context};

/// Waits until `duration` of virtual time has passed. The deadline is fixed when `sleep` is
/// called. It costs no real time: when every task waits, the clock jumps to the next deadline.
///
/// `sleep(Duration::ZERO)` (or a deadline already past) still suspends once: the timer fires at
/// the start of the next round, as asyncio's `sleep(0)` yields.
///
/// Dropping the future cancels the timer, so an aborted sleeper does not keep the clock going.
///
/// Created outside a simulation (as in `sim.run(sleep(d))`, asyncio's
/// `run_until_complete(sleep(1))`), the deadline is `duration` after its first poll.
///
/// ```
/// use std::time::Duration;
/// let mut sim = sim::Sim::new(0);
/// let t = sim.run(async {
///     sim::time::sleep(Duration::from_secs(3600)).await;
///     sim::time::now()
/// }).unwrap();
/// assert_eq!(t.as_nanos(), 3_600_000_000_000);
/// ```
///
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let deadline = match context::try_with(|core| core.now()) {
        Some(now) => Deadline::At(now + duration),
        None => Deadline::After(duration),
    };
    Sleep {
        deadline,
        timer: None,
        fired: false,
        site: Location::caller(),
    }
}

/// Waits until the clock reads `deadline` (at least one round, even if it is already past).
///
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline: Deadline::At(deadline),
        timer: None,
        fired: false,
        site: Location::caller(),
    }
}

/// A deadline fixed at creation, or relative to the first poll for a sleep created outside a
/// simulation.
#[derive(Clone, Copy, Debug)]
enum Deadline {
    At(Instant),
    After(Duration),
}

/// Future of [`sleep`] and [`sleep_until`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    deadline: Deadline,
    /// The run that registered the timer (a process-unique sim id) and the timer's key there:
    /// a `Sleep` kept past its run must not touch another run's timers.
    timer: Option<(u64, TimerKey)>,
    fired: bool,
    site: &'static Location<'static>,
}

impl Sleep {
    /// The instant this sleep ends ([`Instant::MAX`] for a sleep created outside a simulation
    /// and not yet polled, whose deadline is still relative).
    pub fn deadline(&self) -> Instant {
        match self.deadline {
            Deadline::At(t) => t,
            Deadline::After(_) => Instant::MAX,
        }
    }

    /// True once the timer fired.
    pub fn is_elapsed(&self) -> bool {
        self.fired
    }

    /// Moves the deadline; the sleep waits (again) for the new one.
    pub fn reset(&mut self, deadline: Instant) {
        self.cancel();
        self.deadline = Deadline::At(deadline);
        self.fired = false;
    }

    fn cancel(&mut self) {
        if let Some((sim, key)) = self.timer.take() {
            let waker = context::try_with_run(sim, |core| core.cancel_timer(key)).flatten();
            drop(waker);
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.fired {
            return Poll::Ready(());
        }
        let this = &mut *self;
        let ready = context::with("Sleep::poll", |core| {
            let until = match this.deadline {
                Deadline::At(t) => t,
                Deadline::After(d) => core.now() + d,
            };
            this.deadline = Deadline::At(until);
            let pending = match this.timer {
                Some((sim, key)) if sim == core.sim_id() => core.timer_pending(key, cx.waker()),
                _ => {
                    let key = core.register_timer(until, cx.waker().clone());
                    this.timer = Some((core.sim_id(), key));
                    true
                }
            };
            if pending {
                core.note_wait(WaitKind::Sleep { until }, Some(this.site));
            }
            !pending
        });
        if ready {
            this.timer = None;
            this.fired = true;
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel();
    }
}
