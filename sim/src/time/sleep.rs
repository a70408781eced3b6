//! Waiting for the virtual clock.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::Instant;
use super::timer_queue::TimerKey;
use crate::context;
use crate::task::table::WaitKind;
use crate::trace::EventKind;

/// Waits until `duration` of virtual time has passed. The deadline is fixed when `sleep` is
/// called. It costs no real time: when every task waits, the clock jumps to the next deadline.
///
/// `sleep(Duration::ZERO)` (or a deadline already past) still suspends once: the timer fires at
/// the start of the next round, as asyncio's `sleep(0)` yields.
///
/// Dropping the future cancels the timer, so an aborted sleeper does not keep the clock going.
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
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let now = context::with("sim::time::sleep", |core| core.now());
    Sleep::new(now + duration, Location::caller())
}

/// Waits until the clock reads `deadline` (at least one round, even if it is already past).
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    context::with("sim::time::sleep_until", |_| ());
    Sleep::new(deadline, Location::caller())
}

/// Future of [`sleep`] and [`sleep_until`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    timer: Option<TimerKey>,
    fired: bool,
    site: &'static Location<'static>,
}

impl Sleep {
    fn new(deadline: Instant, site: &'static Location<'static>) -> Sleep {
        Sleep {
            deadline,
            timer: None,
            fired: false,
            site,
        }
    }

    /// The instant this sleep ends.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// True once the timer fired.
    pub fn is_elapsed(&self) -> bool {
        self.fired
    }

    /// Moves the deadline; the sleep waits (again) for the new one.
    pub fn reset(&mut self, deadline: Instant) {
        self.cancel();
        self.deadline = deadline;
        self.fired = false;
    }

    fn cancel(&mut self) {
        if let Some(key) = self.timer.take() {
            let waker = context::try_with(|core| core.timers.borrow_mut().cancel(key)).flatten();
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
        let ready = context::with("Sleep::poll", |core| match this.timer {
            Some(key) => {
                let mut timers = core.timers.borrow_mut();
                if timers.is_pending(key) {
                    timers.set_waker(key, cx.waker());
                    drop(timers);
                    core.note_wait(
                        WaitKind::Sleep {
                            until: this.deadline,
                        },
                        Some(this.site),
                    );
                    false
                } else {
                    true
                }
            }
            None => {
                let key = core
                    .timers
                    .borrow_mut()
                    .register(this.deadline.as_nanos(), cx.waker().clone());
                this.timer = Some(key);
                core.event(EventKind::Sleep {
                    until: this.deadline,
                });
                core.note_wait(
                    WaitKind::Sleep {
                        until: this.deadline,
                    },
                    Some(this.site),
                );
                false
            }
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
