//! `Instant`: tokio's shape over the simulation's virtual clock.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::sync::OnceLock;
use std::time::Duration;

/// Where virtual time zero sits on this crate's `Instant` scale: far enough from zero that
/// code computing "a minute ago" at the start of a run (`Instant::now() - 60s`) does not
/// underflow, as it never does with a real clock.
const EPOCH_NANOS: u64 = 1_000_000 * 1_000_000_000;

/// A point in virtual time, as `tokio::time::Instant` is a point in (possibly paused) time.
///
/// Two runs of the same seed read the same instants. It is `Copy`, ordered and hashable, and
/// supports the same arithmetic as tokio's (adding and subtracting `Duration`s, the span
/// between two instants).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{Duration, Instant};
/// let start = Instant::now();
/// let later = start + Duration::from_secs(2);
/// assert_eq!(later - start, Duration::from_secs(2));
/// assert_eq!(start.checked_duration_since(later), None);
/// assert_eq!(start.saturating_duration_since(later), Duration::ZERO);
/// tokio::time::sleep_until(later).await;
/// assert_eq!(Instant::now(), later);
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    nanos: u64,
}

impl Instant {
    /// The current virtual time.
    ///
    /// # Panics
    /// Outside a simulation (there is no virtual clock to read).
    #[track_caller]
    pub fn now() -> Instant {
        if !sim::in_simulation() {
            panic!(
                "tokio::time::Instant::now() was called outside a simulation: under \
                 `--cfg seedloop` time is the simulation's virtual clock. Call it inside \
                 #[tokio::test], #[tokio::main] or Runtime::block_on"
            );
        }
        Instant::from_sim(sim::time::now())
    }

    pub(crate) fn from_sim(t: sim::time::Instant) -> Instant {
        Instant {
            nanos: t.as_nanos().saturating_add(EPOCH_NANOS),
        }
    }

    /// The simulation's instant (instants before the run began are its start).
    pub(crate) fn to_sim(self) -> sim::time::Instant {
        sim::time::Instant::from_nanos(self.nanos.saturating_sub(EPOCH_NANOS))
    }

    /// An instant far in the future, used where tokio uses one ("never").
    pub(crate) fn far_future() -> Instant {
        Instant {
            nanos: EPOCH_NANOS + 86_400 * 365 * 30 * 1_000_000_000,
        }
    }

    /// Converts a `std::time::Instant`, measured against the moment this process first converted
    /// an instant; only differences between converted instants mean anything.
    ///
    /// ```
    /// use tokio::time::Instant;
    /// let now = std::time::Instant::now();
    /// let a = Instant::from_std(now);
    /// let b = Instant::from_std(now + std::time::Duration::from_secs(1));
    /// assert_eq!(b - a, std::time::Duration::from_secs(1));
    /// ```
    pub fn from_std(std: std::time::Instant) -> Instant {
        let base = std_base();
        let nanos = match std.checked_duration_since(base) {
            Some(d) => EPOCH_NANOS.saturating_add(duration_nanos(d)),
            None => EPOCH_NANOS.saturating_sub(duration_nanos(base - std)),
        };
        Instant { nanos }
    }

    /// The matching `std::time::Instant` (see [`Instant::from_std`]).
    ///
    /// ```
    /// use tokio::time::Instant;
    /// let s = std::time::Instant::now();
    /// assert_eq!(Instant::from_std(s).into_std(), s);
    /// ```
    pub fn into_std(self) -> std::time::Instant {
        let base = std_base();
        if self.nanos >= EPOCH_NANOS {
            base + Duration::from_nanos(self.nanos - EPOCH_NANOS)
        } else {
            base - Duration::from_nanos(EPOCH_NANOS - self.nanos)
        }
    }

    /// The span since `earlier`, zero if `earlier` is later (as tokio's).
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// The span since `earlier`, or `None` if `earlier` is later.
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.nanos
            .checked_sub(earlier.nanos)
            .map(Duration::from_nanos)
    }

    /// The span since `earlier`, zero if `earlier` is later.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.nanos.saturating_sub(earlier.nanos))
    }

    /// Virtual time elapsed since this instant.
    ///
    /// # Panics
    /// Outside a simulation.
    #[track_caller]
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// `self + duration`, or `None` on overflow.
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        let d = u64::try_from(duration.as_nanos()).ok()?;
        self.nanos.checked_add(d).map(|nanos| Instant { nanos })
    }

    /// `self - duration`, or `None` before the start of the scale.
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        let d = u64::try_from(duration.as_nanos()).ok()?;
        self.nanos.checked_sub(d).map(|nanos| Instant { nanos })
    }
}

fn duration_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The real instant `from_std`/`into_std` measure against. Reading the real clock here only
/// serves those conversions: nothing in a simulated run depends on it.
fn std_base() -> std::time::Instant {
    static BASE: OnceLock<std::time::Instant> = OnceLock::new();
    #[expect(
        clippy::disallowed_methods,
        reason = "the one real-clock read anchors from_std/into_std; runs never depend on it"
    )]
    *BASE.get_or_init(std::time::Instant::now)
}

impl Add<Duration> for Instant {
    type Output = Instant;
    /// # Panics
    /// On overflow, as tokio's.
    fn add(self, rhs: Duration) -> Instant {
        self.checked_add(rhs)
            .expect("overflow when adding duration to instant")
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    /// # Panics
    /// On underflow, as tokio's.
    fn sub(self, rhs: Duration) -> Instant {
        self.checked_sub(rhs)
            .expect("overflow when subtracting duration from instant")
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    /// Zero when `rhs` is later, as tokio's.
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_duration_since(rhs)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(time: std::time::Instant) -> Instant {
        Instant::from_std(time)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(time: Instant) -> std::time::Instant {
        time.into_std()
    }
}

impl fmt::Debug for Instant {
    /// Virtual time since the run began: `Instant(t=1.5s)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Instant({:?})", self.to_sim())
    }
}
