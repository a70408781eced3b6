//! Which seeds a sweep runs, and how sweeps split across machines.

use std::fmt;
use std::ops::{Range, RangeInclusive};
use std::str::FromStr;

/// How many seeds `check` runs when neither the test nor `SEEDLOOP_SEEDS` says: small, so a
/// plain `cargo test` stays fast, and fixed, so it is reproducible.
///
/// ```
/// let outcome = harness::Check::new().no_regressions().explore(|| async {});
/// assert_eq!(outcome.schedules_run, harness::DEFAULT_SEEDS);
/// ```
pub const DEFAULT_SEEDS: u64 = 64;

/// An ordered list of seeds: a range or explicit values.
///
/// `Seeds::from(100)` is `0..100`; ranges and vectors convert too.
///
/// ```
/// use harness::Seeds;
/// assert_eq!(Seeds::from(3).to_vec(), [0, 1, 2]);
/// assert_eq!(Seeds::from(5..7).to_vec(), [5, 6]);
/// assert_eq!(Seeds::from(vec![9, 4]).to_vec(), [9, 4]);
/// assert_eq!("10".parse::<Seeds>().unwrap().len(), 10);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seeds {
    /// `start..end`.
    Range(u64, u64),
    /// These seeds, in this order.
    List(Vec<u64>),
}

impl Seeds {
    /// Explicit seeds.
    ///
    /// ```
    /// assert_eq!(harness::Seeds::list([3, 1, 2]).to_vec(), [3, 1, 2]);
    /// ```
    pub fn list(seeds: impl IntoIterator<Item = u64>) -> Seeds {
        Seeds::List(seeds.into_iter().collect())
    }

    /// How many seeds.
    ///
    /// ```
    /// assert_eq!(harness::Seeds::from(5..9).len(), 4);
    /// assert_eq!(harness::Seeds::from(9..5).len(), 0);
    /// ```
    pub fn len(&self) -> u64 {
        match self {
            Seeds::Range(a, b) => b.saturating_sub(*a),
            Seeds::List(v) => v.len() as u64,
        }
    }

    /// True when there is no seed.
    ///
    /// ```
    /// assert!(harness::Seeds::list([]).is_empty());
    /// assert!(!harness::Seeds::from(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The seeds in order.
    ///
    /// ```
    /// let odd: Vec<u64> = harness::Seeds::from(0..6).iter().filter(|s| s % 2 == 1).collect();
    /// assert_eq!(odd, [1, 3, 5]);
    /// ```
    pub fn iter(&self) -> Box<dyn Iterator<Item = u64> + '_> {
        match self {
            Seeds::Range(a, b) => Box::new(*a..*b),
            Seeds::List(v) => Box::new(v.iter().copied()),
        }
    }

    /// The seeds in order, collected.
    ///
    /// ```
    /// assert_eq!(harness::Seeds::from(2..4).to_vec(), [2, 3]);
    /// ```
    pub fn to_vec(&self) -> Vec<u64> {
        self.iter().collect()
    }
}

impl Default for Seeds {
    fn default() -> Self {
        Seeds::Range(0, DEFAULT_SEEDS)
    }
}

impl From<u64> for Seeds {
    fn from(n: u64) -> Self {
        Seeds::Range(0, n)
    }
}

impl From<u32> for Seeds {
    fn from(n: u32) -> Self {
        Seeds::Range(0, u64::from(n))
    }
}

impl From<i32> for Seeds {
    /// So that `.seeds(100)` works with an unsuffixed literal.
    ///
    /// # Panics
    /// On a negative count.
    fn from(n: i32) -> Self {
        let n = u64::try_from(n)
            .unwrap_or_else(|_| panic!("seedloop: a seed count must not be negative, got {n}"));
        Seeds::Range(0, n)
    }
}

impl From<Range<u64>> for Seeds {
    /// As written: a reversed range such as `5..3` holds no seed, and a sweep of it says so
    /// (naming `5..3`) instead of passing in silence.
    fn from(r: Range<u64>) -> Self {
        Seeds::Range(r.start, r.end)
    }
}

impl From<RangeInclusive<u64>> for Seeds {
    fn from(r: RangeInclusive<u64>) -> Self {
        let (a, b) = r.into_inner();
        if b < a {
            Seeds::Range(a, b)
        } else {
            Seeds::list(a..=b)
        }
    }
}

impl From<Vec<u64>> for Seeds {
    fn from(v: Vec<u64>) -> Self {
        Seeds::List(v)
    }
}

impl From<&[u64]> for Seeds {
    fn from(v: &[u64]) -> Self {
        Seeds::List(v.to_vec())
    }
}

impl FromStr for Seeds {
    type Err = String;
    /// `N` (seeds `0..N`) or `A..B`.
    fn from_str(s: &str) -> Result<Self, String> {
        let num = |t: &str| {
            t.trim()
                .replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("`{t}` is not a number"))
        };
        match s.split_once("..") {
            Some((a, b)) => Ok(Seeds::from(num(a)?..num(b)?)),
            None => Ok(Seeds::from(num(s)?)),
        }
    }
}

impl fmt::Display for Seeds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seeds::Range(a, b) => write!(f, "{a}..{b}"),
            Seeds::List(v) if v.len() == 1 => write!(f, "{}", v[0]),
            Seeds::List(v) => write!(f, "{} listed seeds", v.len()),
        }
    }
}

/// Part `index` (1-based) of `count`: a sweep runs the seeds at positions `i` of its list with
/// `i % count == index - 1`, so shards `1/N` … `N/N` together run each seed exactly once.
///
/// ```
/// let s: harness::Shard = "2/3".parse().unwrap();
/// assert!(s.takes(1) && s.takes(4) && !s.takes(0));
/// assert!("0/3".parse::<harness::Shard>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    /// Shard `index` of `count`, 1-based.
    ///
    /// # Panics
    /// Unless `1 <= index <= count`.
    ///
    /// ```
    /// let second = harness::Shard::new(2, 3);
    /// assert!(second.takes(1) && second.takes(4) && !second.takes(0));
    /// assert!(std::panic::catch_unwind(|| harness::Shard::new(4, 3)).is_err());
    /// ```
    pub fn new(index: u64, count: u64) -> Shard {
        assert!(
            count >= 1 && (1..=count).contains(&index),
            "seedloop: shard {index}/{count} does not exist: shards are numbered 1/N to N/N"
        );
        Shard { index, count }
    }

    /// Whether the seed at `position` in the list belongs to this shard.
    ///
    /// ```
    /// let first = harness::Shard::new(1, 2);
    /// assert_eq!((0..6).filter(|&p| first.takes(p)).collect::<Vec<_>>(), [0, 2, 4]);
    /// ```
    pub fn takes(&self, position: u64) -> bool {
        position % self.count == self.index - 1
    }

    /// How many of the positions `0..len` this shard takes.
    ///
    /// ```
    /// let s = harness::Shard::new(2, 3);
    /// assert_eq!(s.count_of(7), 2); // positions 1 and 4
    /// assert_eq!(s.count_of(1), 0);
    /// ```
    pub fn count_of(&self, len: u64) -> u64 {
        let first = self.index - 1;
        if len <= first {
            0
        } else {
            (len - first).div_ceil(self.count)
        }
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let expected = "`K/N` with 1 <= K <= N, such as `1/4`";
        let (k, n) = s.split_once('/').ok_or_else(|| expected.to_string())?;
        let k = k.trim().parse::<u64>().map_err(|_| expected.to_string())?;
        let n = n.trim().parse::<u64>().map_err(|_| expected.to_string())?;
        if n == 0 || k == 0 || k > n {
            return Err(expected.to_string());
        }
        Ok(Shard { index: k, count: n })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}
