//! Virtual instants: integer nanoseconds since the run began.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};
use std::time::Duration;

/// A point in virtual time: whole nanoseconds since the simulation started.
///
/// Unlike `std::time::Instant`, it has a known epoch (zero at the start of every run), so two runs
/// of the same seed print the same instants. Arithmetic saturates instead of overflowing:
/// `Instant::MAX` means "never".
///
/// ```
/// use sim::time::Instant;
/// use std::time::Duration;
///
/// let t = Instant::ZERO + Duration::from_millis(1500);
/// assert_eq!(t.as_nanos(), 1_500_000_000);
/// assert_eq!(t.to_string(), "1.5s");
/// assert_eq!(t - Instant::ZERO, Duration::from_millis(1500));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The start of every run.
    pub const ZERO: Instant = Instant(0);
    /// The end of virtual time; a deadline here never fires.
    pub const MAX: Instant = Instant(u64::MAX);

    /// An instant `nanos` nanoseconds after the start of the run.
    pub const fn from_nanos(nanos: u64) -> Instant {
        Instant(nanos)
    }

    /// Nanoseconds since the start of the run.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// The span from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// `self + d`, or `None` past the end of virtual time.
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        let nanos = u64::try_from(d.as_nanos()).ok()?;
        self.0.checked_add(nanos).map(Instant)
    }

    /// `self + d`, clamped to [`Instant::MAX`].
    pub fn saturating_add(self, d: Duration) -> Instant {
        self.checked_add(d).unwrap_or(Instant::MAX)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    /// Saturates at [`Instant::MAX`] ("never").
    fn add(self, d: Duration) -> Instant {
        self.saturating_add(d)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub for Instant {
    type Output = Duration;
    /// Saturates at zero when `rhs` is later.
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_duration_since(rhs)
    }
}

impl fmt::Display for Instant {
    /// Seconds with trailing zeros trimmed: `0s`, `1.5s`, `0.000000001s`; `never` for `MAX`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == u64::MAX {
            return f.write_str("never");
        }
        fmt_secs(self.0, f)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={self}")
    }
}

/// Writes `nanos` as seconds with the fraction's trailing zeros removed.
pub(crate) fn fmt_secs(nanos: u64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let secs = nanos / 1_000_000_000;
    let frac = nanos % 1_000_000_000;
    if frac == 0 {
        write!(f, "{secs}s")
    } else {
        let digits = format!("{frac:09}");
        write!(f, "{secs}.{}s", digits.trim_end_matches('0'))
    }
}
