//! `Sleep`: waiting for the virtual clock, with tokio's rules.

use std::future::Future;
use std::marker::PhantomPinned;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::Instant;

/// Waits until `duration` of virtual time has passed (tokio's `sleep`). A zero duration
/// completes at once (after a preemption point), as tokio's does.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{sleep, Duration, Instant};
/// let t = Instant::now();
/// sleep(Duration::from_millis(100)).await;
/// assert_eq!(t.elapsed(), Duration::from_millis(100));
/// # });
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let deadline = if sim::in_simulation() {
        Deadline::At(
            Instant::now()
                .checked_add(duration)
                .unwrap_or_else(Instant::far_future),
        )
    } else {
        Deadline::After(duration)
    };
    Sleep::new(deadline, Location::caller())
}

/// Waits until the clock reads `deadline` (at once, after a preemption point, if it has
/// passed).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{sleep_until, Duration, Instant};
/// let at = Instant::now() + Duration::from_secs(1);
/// sleep_until(at).await;
/// assert_eq!(Instant::now(), at);
/// # });
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(Deadline::At(deadline), Location::caller())
}

/// A deadline, or a span from the first poll for a sleep created outside a simulation.
#[derive(Clone, Copy, Debug)]
enum Deadline {
    At(Instant),
    After(Duration),
}

pin_project! {
    /// Future of [`sleep`] and [`sleep_until`]; like tokio's, it is `!Unpin` (pin it with
    /// `tokio::pin!` or `Box::pin` to poll it by reference, e.g. in a `select!` loop).
    ///
    /// ```
    /// # use seedloop_tokio as tokio;
    /// # tokio::__seedloop::doc_run(async {
    /// use tokio::time::{sleep, Duration, Instant};
    /// let s = sleep(Duration::from_secs(1));
    /// tokio::pin!(s);
    /// s.as_mut().reset(Instant::now() + Duration::from_secs(3));
    /// s.as_mut().await;
    /// assert!(s.is_elapsed());
    /// # });
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Sleep {
        deadline: Deadline,
        timer: Option<sim::time::Sleep>,
        // The preemption point of a sleep whose deadline has already passed.
        due: Option<sim::task::MaybeYield>,
        fired: bool,
        site: &'static Location<'static>,
        #[pin]
        _pin: PhantomPinned,
    }
}

impl Sleep {
    fn new(deadline: Deadline, site: &'static Location<'static>) -> Sleep {
        Sleep {
            deadline,
            timer: None,
            due: None,
            fired: false,
            site,
            _pin: PhantomPinned,
        }
    }

    /// The instant this sleep ends.
    pub fn deadline(&self) -> Instant {
        match self.deadline {
            Deadline::At(t) => t,
            Deadline::After(d) if sim::in_simulation() => Instant::now()
                .checked_add(d)
                .unwrap_or_else(Instant::far_future),
            Deadline::After(_) => Instant::far_future(),
        }
    }

    /// True once the deadline has been reached.
    pub fn is_elapsed(&self) -> bool {
        self.fired
            || matches!(self.deadline, Deadline::At(t) if sim::in_simulation() && t <= Instant::now())
    }

    /// Moves the deadline; the sleep waits (again) for the new one.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.project();
        *this.deadline = Deadline::At(deadline);
        *this.timer = None;
        *this.due = None;
        *this.fired = false;
    }

    /// The deadline, fixed now if it was relative to the first poll.
    pub(crate) fn fix_deadline(self: Pin<&mut Self>) -> Instant {
        let this = self.project();
        match *this.deadline {
            Deadline::At(t) => t,
            Deadline::After(d) => {
                let t = Instant::now()
                    .checked_add(d)
                    .unwrap_or_else(Instant::far_future);
                *this.deadline = Deadline::At(t);
                t
            }
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        if *this.fired {
            return Poll::Ready(());
        }
        let now = Instant::now();
        let deadline = match *this.deadline {
            Deadline::At(t) => t,
            Deadline::After(d) => {
                let t = now.checked_add(d).unwrap_or_else(Instant::far_future);
                *this.deadline = Deadline::At(t);
                t
            }
        };
        if deadline <= now && this.timer.is_none() {
            // Already due: tokio completes at once; the simulation adds its preemption point.
            let due = this.due.get_or_insert_with(sim::task::maybe_yield);
            if Pin::new(due).poll(cx).is_pending() {
                return Poll::Pending;
            }
            *this.due = None;
            *this.fired = true;
            return Poll::Ready(());
        }
        let timer = this
            .timer
            .get_or_insert_with(|| sim::time::sleep_until(deadline.to_sim()));
        match Pin::new(timer).poll(cx) {
            Poll::Ready(()) => {
                *this.timer = None;
                *this.fired = true;
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
