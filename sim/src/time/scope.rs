//! A deadline for a scope of code that the code itself can read and move: asyncio's
//! `asyncio.timeout()` context manager (`when()`, `reschedule()`, `expired()`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::timeout::Elapsed;
use super::{Instant, Sleep, sleep_until};
use crate::rt::context;

/// A deadline shared by a scope and the code inside it (asyncio's `asyncio.timeout()`):
/// [`run`](TimeoutScope::run) bounds a future by it, and anybody holding a clone can read it
/// ([`when`](TimeoutScope::when)), move it or remove it
/// ([`reschedule`](TimeoutScope::reschedule)) while the future runs, and ask afterwards whether
/// it fired ([`expired`](TimeoutScope::expired)). When it fires, the future is dropped at that
/// virtual instant and `run` returns [`Elapsed`].
///
/// ```
/// use std::time::Duration;
/// use sim::time::{TimeoutScope, sleep, now};
///
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let scope = TimeoutScope::after(Some(Duration::from_secs(1)));
///     let inner = scope.clone();
///     let out = scope.run(async move {
///         // Half-way, the work asks for more time.
///         sleep(Duration::from_millis(500)).await;
///         inner.reschedule(Some(now() + Duration::from_secs(2)));
///         sleep(Duration::from_secs(1)).await;
///         "done"
///     }).await;
///     assert_eq!(out, Ok("done"));
///     assert!(!scope.expired());
///
///     let scope = TimeoutScope::after(Some(Duration::from_secs(1)));
///     assert!(scope.run(sleep(Duration::from_secs(5))).await.is_err());
///     assert!(scope.expired());
/// }).unwrap();
/// ```
#[derive(Clone)]
pub struct TimeoutScope {
    state: Arc<Mutex<State>>,
}

struct State {
    /// `None`: no deadline (yet, or any more); before the first poll of a scope made outside
    /// a simulation, `after` is still to be added to the clock.
    when: Option<Instant>,
    after: Option<Duration>,
    expired: bool,
    /// The running scope's task, woken when the deadline moves.
    waker: Option<Waker>,
}

impl TimeoutScope {
    /// A scope whose deadline is `delay` from now (`None`: no deadline until one is set with
    /// [`reschedule`](TimeoutScope::reschedule)), like `asyncio.timeout(delay)`.
    pub fn after(delay: Option<Duration>) -> Self {
        let when = delay.and_then(|d| context::try_with(|core| core.now() + d));
        TimeoutScope::make(when, if when.is_none() { delay } else { None })
    }

    /// A scope whose deadline is the instant `when` (`asyncio.timeout_at`).
    ///
    /// ```
    /// let scope = sim::time::TimeoutScope::at(Some(sim::time::Instant::from_nanos(5)));
    /// assert_eq!(scope.when(), Some(sim::time::Instant::from_nanos(5)));
    /// ```
    pub fn at(when: Option<Instant>) -> Self {
        TimeoutScope::make(when, None)
    }

    fn make(when: Option<Instant>, after: Option<Duration>) -> Self {
        TimeoutScope {
            state: Arc::new(Mutex::new(State {
                when,
                after,
                expired: false,
                waker: None,
            })),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The deadline, if there is one.
    pub fn when(&self) -> Option<Instant> {
        self.state().when
    }

    /// Moves the deadline to `when`, or removes it (`None`); also from inside the scope. A
    /// deadline moved into the past fires at the scope's next poll.
    ///
    /// ```
    /// let scope = sim::time::TimeoutScope::after(None);
    /// scope.reschedule(Some(sim::time::Instant::from_nanos(9)));
    /// assert_eq!(scope.when(), Some(sim::time::Instant::from_nanos(9)));
    /// scope.reschedule(None);
    /// assert_eq!(scope.when(), None);
    /// ```
    pub fn reschedule(&self, when: Option<Instant>) {
        let waker = {
            let mut st = self.state();
            st.when = when;
            st.after = None;
            st.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// True once the deadline fired and the scope's future was dropped.
    pub fn expired(&self) -> bool {
        self.state().expired
    }

    /// Runs `fut` under this deadline: its output, or [`Elapsed`] when the deadline fired first
    /// (the future is then dropped). As with [`timeout`](super::timeout), a deadline already
    /// past at the first poll still polls the future once, and a deadline that falls while the
    /// future is also ready is a recorded decision.
    pub fn run<F: Future>(&self, fut: F) -> Scoped<F> {
        Scoped {
            fut: Some(fut),
            scope: self.clone(),
            sleep: None,
            polled: false,
        }
    }
}

impl fmt::Debug for TimeoutScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state();
        f.debug_struct("TimeoutScope")
            .field("when", &st.when)
            .field("expired", &st.expired)
            .finish()
    }
}

pin_project! {
    /// Future of [`TimeoutScope::run`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct Scoped<F> {
        #[pin]
        fut: Option<F>,
        scope: TimeoutScope,
        sleep: Option<Sleep>,
        polled: bool,
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let now = context::with("TimeoutScope::run", |core| core.now());
        let when = {
            let mut st = this.scope.state();
            if let Some(after) = st.after.take() {
                st.when = Some(now + after);
            }
            st.when
        };
        let due = when.is_some_and(|w| now >= w);
        let raced = due && *this.polled;
        *this.polled = true;
        let deadline_first =
            raced && context::with("TimeoutScope::run", |core| core.branch(2) == 1);
        if !deadline_first {
            let Some(fut) = this.fut.as_mut().as_pin_mut() else {
                panic!("a TimeoutScope's run future was polled after it completed");
            };
            if let Poll::Ready(v) = fut.poll(cx) {
                this.fut.set(None);
                return Poll::Ready(Ok(v));
            }
        }
        // The body may have moved the deadline while it ran.
        let when = this.scope.when();
        if let Some(deadline) = when.filter(|w| now >= *w) {
            this.fut.set(None);
            this.scope.state().expired = true;
            return Poll::Ready(Err(Elapsed::at(deadline)));
        }
        this.scope.state().waker = Some(cx.waker().clone());
        match when {
            Some(deadline) => {
                let sleep = this.sleep.get_or_insert_with(|| sleep_until(deadline));
                if sleep.deadline() != deadline {
                    sleep.reset(deadline);
                }
                // The sleep only wakes this task at the deadline; the check above decides.
                let _ = Pin::new(sleep).poll(cx);
            }
            None => *this.sleep = None,
        }
        Poll::Pending
    }
}
