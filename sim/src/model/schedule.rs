//! [`Schedule`]: a run's decisions, kept compactly.
//!
//! A run takes up to one decision per step, so its schedule is the one record that grows with
//! the run's length. It is kept as bytes: each decision a varint or two (a tag in the low three
//! bits of the first), and a run of equal decisions (a task continuing through its preemption
//! points: `p-/2 p-/2 ...`) one repeat entry whose count grows in place. A `Run` among a few
//! tasks takes two bytes, a repeat of any length two to five.
//!
//! A run records its schedule up to a byte budget ([`DEFAULT_SCHEDULE_BYTES`]); past it the
//! decisions are counted, not kept ([`Schedule::omitted`]), so a run's memory stays bounded
//! whatever its length. Such a run is still reproducible: a seeded strategy takes the same
//! decisions from the same seed, so its seed and strategy replay it whole.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use super::{Decision, ParseScheduleError, TaskId};

/// Bytes of encoded decisions a run keeps by default (16 MiB: some 8 million decisions of a
/// random schedule, any number of repeats); see [`crate::SimBuilder::max_schedule_bytes`].
pub const DEFAULT_SCHEDULE_BYTES: usize = 16 << 20;

const TAG_BITS: u32 = 3;
const TAG_MASK: u64 = (1 << TAG_BITS) - 1;
const RUN: u64 = 0;
const PREEMPT: u64 = 1;
const BRANCH: u64 = 2;
const VALUE: u64 = 3;
/// `n` more copies of the previous decision.
const REPEAT: u64 = 4;
const CANCEL: u64 = 5;

/// The decisions of one run, in order. [`crate::Strategy::replay`] follows it to reproduce the
/// run exactly.
///
/// Its text form is the decisions separated by spaces; it parses back losslessly:
///
/// ```
/// use sim::schedule::{Decision, Schedule};
/// let s: Schedule = "r2/3 p-/2 b1/2 v7/10 c1/2".parse().unwrap();
/// assert_eq!(s.len(), 5);
/// assert_eq!(s.to_string(), "r2/3 p-/2 b1/2 v7/10 c1/2");
/// assert_eq!(s.cancellations(), 1);
/// assert_eq!(s.iter().nth(2), Some(Decision::Branch { index: 1, of: 2 }));
/// assert!("r2/3 x".parse::<Schedule>().is_err());
///
/// // A million equal decisions take a few bytes.
/// let keep = Decision::Preempt { task: None, of: 2 };
/// let long = Schedule::from(vec![keep; 1_000_000]);
/// assert_eq!(long.len(), 1_000_000);
/// assert!(long.encoded_len() < 8);
/// ```
#[derive(Clone, Default)]
pub struct Schedule {
    /// The encoded decisions (see the module docs).
    bytes: Vec<u8>,
    /// Decisions kept.
    len: usize,
    /// The last decision kept, which a repeat entry copies.
    last: Option<Decision>,
    /// The repeat entry that ends `bytes`, if the last push made one: its offset and count.
    repeat: Option<(usize, u64)>,
    /// Preemptions among the kept decisions.
    preemptions: usize,
    /// Cancellations among the kept decisions.
    cancellations: usize,
    /// Decisions taken past the byte budget, counted, not kept.
    omitted: u64,
}

impl Schedule {
    /// An empty schedule (replaying it is the same as running under Fifo).
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the schedule for another run, keeping its buffer unless it grew past `keep`
    /// bytes (then it starts again with room for `min` bytes).
    pub(crate) fn clear_keeping(&mut self, keep: usize, min: usize) {
        let Schedule {
            bytes,
            len,
            last,
            repeat,
            preemptions,
            cancellations,
            omitted,
        } = self;
        if bytes.capacity() > keep || bytes.capacity() < min {
            *bytes = Vec::with_capacity(min);
        } else {
            bytes.clear();
        }
        *len = 0;
        *last = None;
        *repeat = None;
        *preemptions = 0;
        *cancellations = 0;
        *omitted = 0;
    }

    /// Bytes the schedule holds room for.
    pub(crate) fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// The decisions in order, decoded as they are read.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            bytes: &self.bytes,
            cursor: Cursor::default(),
        }
    }

    /// The decisions as a vector (a decoded copy: O(len)).
    pub fn to_vec(&self) -> Vec<Decision> {
        let mut v = Vec::with_capacity(self.len);
        v.extend(self.iter());
        v
    }

    /// Number of decisions kept.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no decision was kept.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the decisions take in memory (their encoding).
    pub fn encoded_len(&self) -> usize {
        self.bytes.len()
    }

    /// Decisions the run took past its byte budget, not kept: 0 for a complete schedule. A
    /// schedule with omitted decisions replays only up to where it stops; the run's seed and
    /// strategy reproduce it whole.
    pub fn omitted(&self) -> u64 {
        self.omitted
    }

    /// True when every decision of the run was kept.
    pub fn is_complete(&self) -> bool {
        self.omitted == 0
    }

    /// Appends a decision.
    pub fn push(&mut self, d: Decision) {
        let same = self.last == Some(d);
        self.push_as(d, same);
    }

    /// Appends `d`, which is `same` as the last decision kept or not (a decision is taken at
    /// nearly every step: this is written for speed).
    #[inline(always)]
    fn push_as(&mut self, d: Decision, same: bool) {
        // Room for the longest encoding, so the pushes below never grow the buffer.
        self.bytes.reserve(MAX_ENCODED);
        if same {
            let (at, copies) = match self.repeat {
                Some((at, n)) => (at, n + 1),
                None => (self.bytes.len(), 1),
            };
            let entry = (copies << TAG_BITS) | REPEAT;
            if entry < 0x80 && at < self.bytes.len() {
                // A one-byte count replaced by a one-byte count: the entry ends `bytes`.
                self.bytes[at] = entry as u8;
            } else {
                self.bytes.truncate(at);
                put(&mut self.bytes, entry);
            }
            self.repeat = Some((at, copies));
        } else {
            put_decision(&mut self.bytes, d);
            self.last = Some(d);
            self.repeat = None;
        }
        self.len += 1;
        if d.is_preemption() {
            self.preemptions += 1;
        }
        if d.is_cancellation() {
            self.cancellations += 1;
        }
    }

    /// Appends a decision while the encoding is within `budget` bytes (a repeat already under
    /// way goes on growing in place, a byte now and then); past it, counts it as omitted, and
    /// every later one (a schedule with a gap would replay a different run).
    // Inlined into each caller, which knows the decision's kind: the comparison with the last
    // one and the encoding then reduce to that kind's.
    #[inline(always)]
    pub(crate) fn record(&mut self, d: Decision, budget: usize) {
        if self.omitted == 0 {
            let same = self.last == Some(d);
            if self.bytes.len() < budget || (same && self.repeat.is_some()) {
                self.push_as(d, same);
                return;
            }
        }
        self.omitted += 1;
    }

    /// How many preemptions (switches away from a task that could continue) it contains.
    pub fn preemptions(&self) -> usize {
        self.preemptions
    }

    /// How many cancellable futures it dropped at an await.
    pub fn cancellations(&self) -> usize {
        self.cancellations
    }
}

impl From<Vec<Decision>> for Schedule {
    fn from(decisions: Vec<Decision>) -> Self {
        decisions.into_iter().collect()
    }
}

impl FromIterator<Decision> for Schedule {
    fn from_iter<I: IntoIterator<Item = Decision>>(iter: I) -> Self {
        let mut s = Schedule::new();
        for d in iter {
            s.push(d);
        }
        s
    }
}

impl<'a> IntoIterator for &'a Schedule {
    type Item = Decision;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

// The encoding is canonical (equal decisions always repeat-encode the same way), so equal
// schedules have equal bytes.
impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.omitted == other.omitted && self.bytes == other.bytes
    }
}

impl Eq for Schedule {}

impl Hash for Schedule {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
        self.len.hash(state);
        self.omitted.hash(state);
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Schedule(\"{self}\")")
    }
}

impl fmt::Display for Schedule {
    /// The decisions separated by spaces; a schedule with omitted decisions ends with
    /// ` …(N more decisions not kept)`, which does not parse back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{d}")?;
        }
        if self.omitted > 0 {
            write!(f, " …({} more decisions not kept)", self.omitted)?;
        }
        Ok(())
    }
}

impl FromStr for Schedule {
    type Err = ParseScheduleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = Schedule::new();
        for (position, t) in s.split_whitespace().enumerate() {
            let d = t
                .parse::<Decision>()
                .map_err(|e| ParseScheduleError { position, ..e })?;
            out.push(d);
        }
        Ok(out)
    }
}

/// The decisions of a [`Schedule`], in order: see [`Schedule::iter`].
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    bytes: &'a [u8],
    cursor: Cursor,
}

impl Iterator for Iter<'_> {
    type Item = Decision;

    #[inline]
    fn next(&mut self) -> Option<Decision> {
        self.cursor.next(self.bytes)
    }
}

/// A place in a schedule's encoding, kept apart from the schedule (a replaying strategy holds
/// both): the next decision is `cursor.next(schedule)`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cursor {
    at: usize,
    last: Option<Decision>,
    /// Copies of `last` still to yield.
    copies: u64,
    /// Decisions read so far.
    read: usize,
}

impl Cursor {
    /// Decisions read so far (the index of the next one).
    pub(crate) fn read(&self) -> usize {
        self.read
    }

    /// The next decision of `schedule`.
    #[inline]
    pub(crate) fn next_of(&mut self, schedule: &Schedule) -> Option<Decision> {
        self.next(&schedule.bytes)
    }

    // The bytes come from `put_decision` and `push`: well formed by construction.
    fn get(&mut self, bytes: &[u8]) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = bytes[self.at];
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return v;
            }
            shift += 7;
        }
    }

    #[inline]
    fn next(&mut self, bytes: &[u8]) -> Option<Decision> {
        if self.copies > 0 {
            self.copies -= 1;
            self.read += 1;
            return self.last;
        }
        if self.at >= bytes.len() {
            return None;
        }
        let head = self.get(bytes);
        let payload = head >> TAG_BITS;
        let d = match head & TAG_MASK {
            RUN => Decision::Run {
                task: TaskId::from_u64(payload),
                of: self.get(bytes) as u32,
            },
            PREEMPT => Decision::Preempt {
                task: payload.checked_sub(1).map(TaskId::from_u64),
                of: self.get(bytes) as u32,
            },
            BRANCH => Decision::Branch {
                index: payload as u32,
                of: self.get(bytes) as u32,
            },
            VALUE => Decision::Value {
                value: self.get(bytes),
                bound: self.get(bytes),
            },
            CANCEL => Decision::Cancel {
                cancelled: payload == 1,
            },
            _ => {
                // A repeat entry: `payload` copies of the previous decision, this one included.
                self.copies = payload - 1;
                self.read += 1;
                return self.last;
            }
        };
        self.last = Some(d);
        self.read += 1;
        Some(d)
    }
}

/// The longest encoding of a decision: three varints of a `u64`.
const MAX_ENCODED: usize = 30;

#[inline(always)]
fn put(w: &mut Vec<u8>, v: u64) {
    if v < 0x80 {
        w.push(v as u8);
    } else {
        put_long(w, v);
    }
}

/// `put(a)` then `put(b)`, the bytes written at once when `b` fits in one and `a` in one or
/// two (a task id below 2048: nearly every `Run` and `Preempt`).
#[inline(always)]
fn put2(w: &mut Vec<u8>, a: u64, b: u64) {
    if b < 0x80 {
        if a < 0x80 {
            w.extend_from_slice(&[a as u8, b as u8]);
            return;
        }
        if a < 0x4000 {
            w.extend_from_slice(&[(a as u8) | 0x80, (a >> 7) as u8, b as u8]);
            return;
        }
    }
    put2_long(w, a, b);
}

/// `put2` for wide fields, out of line: inlined, it would make every caller's hot path (the
/// choice of the next task) longer for the runs of thousands of tasks that need it.
#[cold]
#[inline(never)]
fn put2_long(w: &mut Vec<u8>, a: u64, b: u64) {
    let mut buf = [0u8; 20];
    let n = encode(&mut buf, 0, a);
    let n = encode(&mut buf, n, b);
    w.extend_from_slice(&buf[..n]);
}

/// `put` for a value of two bytes or more, written with one `extend` instead of a `push` (and
/// its capacity check) per byte: the decisions of runs with thousands of tasks are mostly these.
fn put_long(w: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 10];
    let n = encode(&mut buf, 0, v);
    w.extend_from_slice(&buf[..n]);
}

/// Writes `v`'s varint into `buf` from `at`, returning where it ends.
#[inline(always)]
fn encode<const N: usize>(buf: &mut [u8; N], mut at: usize, mut v: u64) -> usize {
    while v >= 0x80 {
        buf[at] = (v as u8) | 0x80;
        v >>= 7;
        at += 1;
    }
    buf[at] = v as u8;
    at + 1
}

#[inline(always)]
fn put_decision(w: &mut Vec<u8>, d: Decision) {
    match d {
        Decision::Run { task, of } => put2(w, (task.as_u64() << TAG_BITS) | RUN, u64::from(of)),
        Decision::Preempt { task, of } => {
            let t = task.map_or(0, |t| t.as_u64() + 1);
            put2(w, (t << TAG_BITS) | PREEMPT, u64::from(of));
        }
        Decision::Branch { index, of } => {
            put(w, (u64::from(index) << TAG_BITS) | BRANCH);
            put(w, u64::from(of));
        }
        Decision::Value { value, bound } => {
            put(w, VALUE);
            put(w, value);
            put(w, bound);
        }
        Decision::Cancel { cancelled } => put(w, (u64::from(cancelled) << TAG_BITS) | CANCEL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Decision> {
        let keep = Decision::Preempt { task: None, of: 2 };
        let mut v = vec![
            Decision::Run {
                task: TaskId::from_u64(3),
                of: 4,
            },
            keep,
            keep,
            keep,
            Decision::Preempt {
                task: Some(TaskId::from_u64(1_000_000)),
                of: 3,
            },
            Decision::Value {
                value: u64::MAX,
                bound: 0,
            },
            Decision::Branch { index: 1, of: 2 },
            Decision::Branch { index: 1, of: 2 },
            Decision::Cancel { cancelled: false },
            Decision::Cancel { cancelled: true },
            keep,
        ];
        v.extend(std::iter::repeat_n(keep, 100_000));
        v
    }

    #[test]
    fn decisions_read_back_in_order_with_repeats_collapsed() {
        let v = sample();
        let s = Schedule::from(v.clone());
        assert_eq!(s.len(), v.len());
        assert_eq!(s.to_vec(), v);
        assert_eq!(s.iter().count(), v.len());
        assert!(s.encoded_len() < 40, "{} bytes", s.encoded_len());
        assert_eq!((s.preemptions(), s.cancellations()), (1, 1));
        assert_eq!(s.to_string().parse::<Schedule>().unwrap(), s);
    }

    #[test]
    fn past_the_budget_decisions_are_counted_not_kept() {
        let mut s = Schedule::new();
        for (i, d) in sample().into_iter().enumerate() {
            s.record(d, 8);
            assert!(s.encoded_len() <= 8 + 10, "after {i}");
        }
        assert!(!s.is_complete());
        assert_eq!(s.len() as u64 + s.omitted(), sample().len() as u64);
        assert!(s.to_string().ends_with("more decisions not kept)"));
        assert_eq!(s.to_vec(), sample()[..s.len()]);
    }

    /// The encoding written the plain way: each decision's varints, a repeat entry rewritten
    /// from scratch at every copy.
    fn reference_bytes(decisions: &[Decision]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut last = None;
        let mut repeat: Option<(usize, u64)> = None;
        for &d in decisions {
            if last == Some(d) {
                let (at, n) = repeat.map_or((out.len(), 1), |(at, n)| (at, n + 1));
                out.truncate(at);
                plain(&mut out, (n << TAG_BITS) | REPEAT);
                repeat = Some((at, n));
            } else {
                match d {
                    Decision::Run { task, of } => {
                        plain(&mut out, (task.as_u64() << TAG_BITS) | RUN);
                        plain(&mut out, u64::from(of));
                    }
                    Decision::Preempt { task, of } => {
                        let t = task.map_or(0, |t| t.as_u64() + 1);
                        plain(&mut out, (t << TAG_BITS) | PREEMPT);
                        plain(&mut out, u64::from(of));
                    }
                    Decision::Branch { index, of } => {
                        plain(&mut out, (u64::from(index) << TAG_BITS) | BRANCH);
                        plain(&mut out, u64::from(of));
                    }
                    Decision::Value { value, bound } => {
                        plain(&mut out, VALUE);
                        plain(&mut out, value);
                        plain(&mut out, bound);
                    }
                    Decision::Cancel { cancelled } => {
                        plain(&mut out, (u64::from(cancelled) << TAG_BITS) | CANCEL);
                    }
                }
                last = Some(d);
                repeat = None;
            }
        }
        out
    }

    /// A varint written a byte at a time: seven bits per byte, low bits first, the top bit set
    /// on every byte but the last.
    fn plain(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    #[test]
    fn repeats_of_every_length_and_wide_fields_encode_as_written_plainly() {
        let keep = Decision::Preempt { task: None, of: 2 };
        let mut v = Vec::new();
        for n in 1..=300 {
            v.extend(std::iter::repeat_n(keep, n));
            let task = TaskId::from_u64(n as u64 * 37);
            v.push(Decision::Preempt {
                task: Some(task),
                of: n as u32,
            });
            v.push(Decision::Run { task, of: 3 });
            v.push(Decision::Run { task, of: 3 });
        }
        // Each side of the one-, two- and three-byte boundaries of both fields.
        for t in [15, 16, 2047, 2048, 262_143, 262_144] {
            for of in [127, 128, 16_383, 16_384] {
                let task = TaskId::from_u64(t);
                v.push(Decision::Run { task, of });
                v.push(Decision::Preempt {
                    task: Some(task),
                    of,
                });
            }
        }
        // The longest fields: ten-byte values, widest counts and branches, a task past 2^40.
        let task = TaskId::from_u64(1 << 40);
        v.extend([
            Decision::Value {
                value: u64::MAX,
                bound: 0,
            },
            Decision::Value {
                value: 1 << 63,
                bound: u64::MAX,
            },
            Decision::Branch {
                index: u32::MAX - 1,
                of: u32::MAX,
            },
            Decision::Run { task, of: u32::MAX },
            Decision::Preempt {
                task: Some(task),
                of: u32::MAX,
            },
        ]);
        let s = Schedule::from(v.clone());
        assert_eq!(s.bytes, reference_bytes(&v));
        assert_eq!(s.to_vec(), v);
    }
}
