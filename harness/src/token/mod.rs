//! Replay tokens: one execution as a short, versioned, checksummed, shell-safe string.
//!
//! Format: `sl2.<payload>.<checksum>`, where `sl2` names the format version, `<payload>` is
//! lowercase base32 (RFC 4648 alphabet, no padding) of a varint encoding of the seed, some
//! facts for the report (strategy name, schedules tried, preemptions before shrinking, a hash of
//! the test's name), the run's options as `(key, value)` pairs ([`sim::RunOptions::to_pairs`]:
//! only those that differ from the default, by their stable keys) and every decision of the
//! schedule, and `<checksum>` is eight base32 characters of a 64-bit FNV-1a hash of the payload
//! bytes. Repeated decisions (a task continuing through its preemption points) are run-length
//! encoded, at most [`MAX_REPEAT`] copies an entry. After the version prefix only `a-z`, `2-7`
//! and `.` appear: a token survives a shell, a URL and a line break in a CI log.
//!
//! Because the options travel as self-describing pairs, a new run option is one edit in `sim`
//! and no change here; a token naming an option this version does not know is refused as made
//! by a newer seedloop. Version 1 tokens (a fixed list of three limits) still replay.
//!
//! Nothing read from a token is trusted before it is bounded by what the token's bytes can
//! encode: a name by the bytes that remain, the option list by two bytes a pair, the decision
//! count by [`DECISIONS_PER_BYTE`] decisions per payload byte. Decoding a crafted token costs
//! memory in proportion to its length, whatever numbers it holds.
//!
//! The decisions are the whole [`Schedule`], so replaying a token is [`sim::Strategy::replay`]:
//! when the program changed, the run stops where decisions stop fitting and says so.
//!
//! What a strategy learned from the program lives in its name, not in an option: a PCT
//! strategy's `k` ([`sim::Strategy::learned`]) makes the name `pct2(k=6)`, which
//! [`crate::parse_strategy`] reads back, so `SEEDLOOP_SEED` with `SEEDLOOP_STRATEGY` set to the
//! token's strategy rebuilds the very strategy that ran the seed (and a check learns the same `k`
//! again anyway: it comes from a Fifo run of seed 0). Tokens written before PCT learned `k` name
//! `pct2` for what was `k = 64` (`pct2(k=64)` today); they replay exactly all the same, since
//! replay follows the recorded decisions and never rebuilds the strategy.

use std::fmt;
use std::time::Duration;

use sim::RunOptions;
use sim::options::OptionError;
use sim::schedule::{Decision, Schedule};
use sim::task::TaskId;

const PREFIX: &str = "sl";
/// The format this version writes.
const VERSION: u64 = 2;
/// The oldest format this version reads.
const OLDEST: u64 = 1;
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
const CHECKSUM_CHARS: usize = 8;

/// Copies of a decision one repeat entry stands for, at most: its varint then fits two bytes.
///
/// ```
/// // A long run of equal decisions costs a few bytes in a token, not one entry per decision.
/// let outcome = harness::Check::new().seeds(1).strategy(sim::Strategy::fifo()).no_regressions()
///     .explore(|| async {
///         let other = sim::spawn(async {}); // runnable throughout: each point is a decision
///         for _ in 0..10 * harness::MAX_REPEAT { sim::task::maybe_yield().await; }
///         other.await.unwrap();
///         Err::<(), _>("stop")
///     });
/// let report = outcome.report.unwrap();
/// assert!(report.token.schedule.len() as u64 >= 10 * harness::MAX_REPEAT);
/// assert!(report.token_text.len() < 200, "{}", report.token_text);
/// ```
pub const MAX_REPEAT: u64 = (1 << (14 - TAG_BITS)) - 1;

/// Decisions a token may hold per byte of its payload. Every decision costs at least two bytes
/// and a repeat entry at most two bytes for [`MAX_REPEAT`] copies, so whatever this version
/// encodes is within the bound, and a decoded schedule never outgrows its text by more.
///
/// ```
/// let report = harness::Check::new().seeds(1).no_regressions()
///     .explore(|| async { Err::<(), _>(sim::rand::range(0..9u64)) }).report.unwrap();
/// let token = harness::Token::parse(&report.token_text).unwrap();
/// let payload = report.token_text.len() * 5 / 8; // base32: five bits a character
/// assert!(token.schedule.len() <= harness::DECISIONS_PER_BYTE * payload);
/// ```
pub const DECISIONS_PER_BYTE: usize = 1024;

/// Everything needed to replay one execution and to report it as it was first reported.
///
/// ```
/// use sim::schedule::{Decision, Schedule};
/// let token = harness::Token {
///     seed: 7,
///     strategy: "random".into(),
///     schedules_run: 3,
///     preemptions_before: 1,
///     test: 0,
///     options: sim::RunOptions::default().max_steps(500),
///     schedule: Schedule::from(vec![Decision::Value { value: 42, bound: 100 }]),
/// };
/// let text = token.encode();
/// assert!(text.starts_with("sl2."));
/// assert_eq!(harness::Token::parse(&text).unwrap(), token);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The seed of the run.
    pub seed: u64,
    /// The strategy that found the failure, by the name that rebuilds it ([`crate::parse_strategy`];
    /// a learned PCT carries its `k`: `pct2(k=6)`). Replay follows the schedule, not this.
    pub strategy: String,
    /// Schedules the sweep ran up to and including the failing one (0 if unknown).
    pub schedules_run: u64,
    /// Preemptions in the schedule as found, before shrinking.
    pub preemptions_before: u64,
    /// A hash of the name of the test that found it ([`test_name_hash`]; 0 = unknown), so that
    /// `SEEDLOOP_REPLAY` replays only in that test when a whole suite runs.
    pub test: u32,
    /// The limits and policies the run had: a replay runs under the same.
    pub options: RunOptions,
    /// The decisions to replay.
    pub schedule: Schedule,
}

/// Why a string is not a usable token.
///
/// ```
/// use harness::{Token, TokenError};
/// assert_eq!(Token::parse(""), Err(TokenError::NotAToken));
/// assert!(matches!(Token::parse("sl9.aaaa.bbbbbbbb"), Err(TokenError::WrongVersion { .. })));
/// let report = harness::Check::new().seeds(1).no_regressions()
///     .explore(|| async { Err::<(), _>("no") }).report.unwrap();
/// let (head, sum) = report.token_text.rsplit_once('.').unwrap();
/// let other_sum = if sum.starts_with('a') { sum.replacen('a', "b", 1) } else { format!("a{}", &sum[1..]) };
/// assert_eq!(Token::parse(&format!("{head}.{other_sum}")), Err(TokenError::Checksum));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// Empty, or does not start with `sl<version>.`.
    NotAToken,
    /// A token of a format version this seedloop does not read.
    WrongVersion {
        /// The version found.
        found: String,
    },
    /// A token of an older format that this version cannot replay faithfully.
    MadeByOlder {
        /// What it holds that this version refuses.
        why: &'static str,
    },
    /// Parts are missing or the payload ends early.
    Truncated,
    /// A character outside the token alphabet.
    BadCharacter {
        /// The character.
        ch: char,
        /// Its byte offset in the token.
        at: usize,
    },
    /// The checksum does not match the payload.
    Checksum,
    /// The run options cannot be read (one this version does not know, a bad value).
    Options(OptionError),
    /// The payload decodes to something impossible.
    Malformed(&'static str),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let again = "copy the whole token again from the failure report";
        let resweep = "re-run the seed sweep with this version to get a new token";
        match self {
            TokenError::NotAToken => write!(
                f,
                "not a seedloop replay token: tokens look like `sl{VERSION}.<letters and digits>.<checksum>`; {again}"
            ),
            TokenError::WrongVersion { found } => {
                let age = match found.parse::<u64>() {
                    Ok(v) if v > VERSION => "it was made by a newer seedloop",
                    Ok(_) => "it was made by an older seedloop",
                    Err(_) => "no seedloop makes that version",
                };
                write!(
                    f,
                    "replay token of format version `{found}`, but this seedloop reads versions \
                     {OLDEST} to {VERSION} (`sl{VERSION}.`): {age}; {resweep}"
                )
            }
            TokenError::MadeByOlder { why } => write!(
                f,
                "replay token was made by an older seedloop (format 1) and {why}; {resweep}"
            ),
            TokenError::Truncated => {
                write!(f, "replay token is truncated (parts are missing); {again}")
            }
            TokenError::BadCharacter { ch, at } => write!(
                f,
                "replay token has {ch:?} at byte {at}, which no token contains (only a-z, 2-7 and \
                 `.`); {again}"
            ),
            TokenError::Checksum => write!(
                f,
                "replay token checksum does not match: the token was truncated or altered; {again}"
            ),
            TokenError::Options(e @ OptionError::UnknownKey(_)) => write!(
                f,
                "replay token sets a run option this seedloop does not know ({e}): it was made by \
                 a newer seedloop; replay it with that version, or {resweep}"
            ),
            TokenError::Options(e) => write!(
                f,
                "replay token passes its checksum but its run options are invalid ({e}); it was \
                 not written by this seedloop"
            ),
            TokenError::Malformed(what) => write!(
                f,
                "replay token passes its checksum but its content is invalid ({what}); it was not \
                 written by this seedloop"
            ),
        }
    }
}

impl std::error::Error for TokenError {}

impl Token {
    pub(crate) fn new(
        seed: u64,
        strategy: &str,
        schedules_run: u64,
        preemptions_before: u64,
        options: RunOptions,
        schedule: Schedule,
    ) -> Token {
        Token {
            seed,
            strategy: strategy.to_string(),
            schedules_run,
            preemptions_before,
            test: 0,
            options,
            schedule,
        }
    }

    /// The same token, marked as belonging to test `name`.
    pub(crate) fn for_test(mut self, name: Option<&str>) -> Token {
        self.test = name.map_or(0, test_name_hash);
        self
    }

    /// True when the token names its test and that is not `name`.
    pub(crate) fn recorded_by_another(&self, name: &str) -> bool {
        self.test != 0 && self.test != test_name_hash(name)
    }

    /// The token's text (format version 2).
    ///
    /// ```
    /// let token = harness::Token {
    ///     seed: 1,
    ///     strategy: "fifo".into(),
    ///     schedules_run: 1,
    ///     preemptions_before: 0,
    ///     test: 0,
    ///     options: sim::RunOptions::default(),
    ///     schedule: sim::schedule::Schedule::new(),
    /// };
    /// assert_eq!(harness::Token::parse(&token.encode()).unwrap(), token);
    /// ```
    pub fn encode(&self) -> String {
        let mut w = Vec::new();
        put(&mut w, self.seed);
        put(&mut w, self.strategy.len() as u64);
        w.extend_from_slice(self.strategy.as_bytes());
        put(&mut w, self.schedules_run);
        put(&mut w, self.preemptions_before);
        put(&mut w, u64::from(self.test));
        let pairs = self.options.to_pairs();
        put(&mut w, pairs.len() as u64);
        for (key, value) in pairs {
            put(&mut w, u64::from(key));
            put(&mut w, value);
        }
        put(&mut w, self.schedule.len() as u64);
        put_decisions(&mut w, &self.schedule.to_vec());
        let sum = checksum(&w);
        format!("{PREFIX}{VERSION}.{}.{sum}", base32(&w))
    }

    /// Reads a token (format version 2, or 1 from an older seedloop).
    ///
    /// ```
    /// use harness::{Token, TokenError};
    /// assert_eq!(Token::parse("hello"), Err(TokenError::NotAToken));
    /// let newer = Token::parse("sl9.abc.abcdefgh").unwrap_err();
    /// assert!(newer.to_string().contains("made by a newer seedloop"));
    /// assert_eq!(Token::parse("sl2.aaaa"), Err(TokenError::Truncated));
    /// ```
    ///
    /// # Errors
    /// A [`TokenError`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Token, TokenError> {
        let text = text.trim();
        let rest = text.strip_prefix(PREFIX).ok_or(TokenError::NotAToken)?;
        let (version, rest) = match rest.split_once('.') {
            Some(parts) => parts,
            None if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(TokenError::Truncated);
            }
            None => return Err(TokenError::NotAToken),
        };
        if version.is_empty() || !version.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TokenError::NotAToken);
        }
        let number = version
            .parse::<u64>()
            .ok()
            .filter(|v| (OLDEST..=VERSION).contains(v) && version == v.to_string())
            .ok_or_else(|| TokenError::WrongVersion {
                found: version.to_string(),
            })?;
        let offset = PREFIX.len() + version.len() + 1;
        if let Some((i, ch)) = rest
            .char_indices()
            .find(|(_, c)| *c != '.' && !ALPHABET.contains(&(*c as u8)) || !c.is_ascii())
        {
            return Err(TokenError::BadCharacter { ch, at: offset + i });
        }
        let (payload, sum) = rest.split_once('.').ok_or(TokenError::Truncated)?;
        if sum.len() != CHECKSUM_CHARS || sum.contains('.') {
            return Err(TokenError::Truncated);
        }
        let bytes = unbase32(payload).ok_or(TokenError::Truncated)?;
        if checksum(&bytes) != sum {
            return Err(TokenError::Checksum);
        }
        decode(number, &bytes)
    }

    /// A small valid token, for the unit tests.
    #[cfg(test)]
    pub(crate) fn example() -> Token {
        Token::new(
            7,
            "random",
            3,
            1,
            RunOptions::default(),
            Schedule::from(vec![
                Decision::Run {
                    task: TaskId::from_u64(2),
                    of: 2,
                },
                Decision::Preempt {
                    task: Some(TaskId::from_u64(1)),
                    of: 2,
                },
                Decision::Value {
                    value: 42,
                    bound: 100,
                },
            ]),
        )
    }
}

fn decode(version: u64, bytes: &[u8]) -> Result<Token, TokenError> {
    let mut r = Reader { bytes, at: 0 };
    let seed = r.get()?;
    let len = r.get()?;
    let name = r.take(len)?;
    let strategy = String::from_utf8(name.to_vec())
        .map_err(|_| TokenError::Malformed("strategy name is not text"))?;
    let schedules_run = r.get()?;
    let preemptions_before = r.get()?;
    let test = u32::try_from(r.get()?).map_err(|_| TokenError::Malformed("test name hash"))?;
    let options = if version == 1 {
        r.v1_options()?
    } else {
        r.options()?
    };
    let n = r.get()?;
    let most = DECISIONS_PER_BYTE.saturating_mul(bytes.len());
    let n = usize::try_from(n)
        .ok()
        .filter(|n| *n <= most)
        .ok_or(if version == 1 {
            TokenError::MadeByOlder {
                why: "holds more decisions than this version decodes from a token that short",
            }
        } else {
            TokenError::Malformed("more decisions than its bytes can hold")
        })?;
    let mut decisions: Vec<Decision> = Vec::with_capacity(n);
    while decisions.len() < n {
        let head = r.get()?;
        if head & TAG_MASK == REPEAT {
            let last = *decisions
                .last()
                .ok_or(TokenError::Malformed("a repeat before any decision"))?;
            let times = usize::try_from(head >> TAG_BITS)
                .ok()
                .filter(|t| *t <= n - decisions.len())
                .ok_or(TokenError::Malformed("a repeat past the decision count"))?;
            decisions.extend(std::iter::repeat_n(last, times));
        } else {
            decisions.push(r.decision(head)?);
        }
    }
    if r.at != bytes.len() {
        return Err(TokenError::Malformed("bytes after the last decision"));
    }
    Ok(Token {
        seed,
        strategy,
        schedules_run,
        preemptions_before,
        test,
        options,
        schedule: Schedule::from(decisions),
    })
}

// Decision tags live in the low three bits of the first varint, so a common `r2/3` is two
// bytes. `REPEAT n` stands for n more copies of the previous decision: long runs of `p-/2`
// (a task continuing through its preemption points) cost two bytes.
const TAG_BITS: u32 = 3;
const RUN: u64 = 0;
const PREEMPT: u64 = 1;
const BRANCH: u64 = 2;
const VALUE: u64 = 3;
const REPEAT: u64 = 4;
/// Added after version 2 first shipped: an older seedloop refuses it as a tag it does not know.
const CANCEL: u64 = 5;
const TAG_MASK: u64 = (1 << TAG_BITS) - 1;

fn put_decisions(w: &mut Vec<u8>, decisions: &[Decision]) {
    let mut i = 0;
    while i < decisions.len() {
        let d = decisions[i];
        put_decision(w, &d);
        let same = decisions[i + 1..].iter().take_while(|x| **x == d).count();
        let mut left = same as u64;
        while left > 0 {
            let copies = left.min(MAX_REPEAT);
            put(w, (copies << TAG_BITS) | REPEAT);
            left -= copies;
        }
        i += 1 + same;
    }
}

fn put_decision(w: &mut Vec<u8>, d: &Decision) {
    match *d {
        Decision::Run { task, of } => {
            put(w, (task.as_u64() << TAG_BITS) | RUN);
            put(w, u64::from(of));
        }
        Decision::Preempt { task, of } => {
            let t = task.map_or(0, |t| t.as_u64() + 1);
            put(w, (t << TAG_BITS) | PREEMPT);
            put(w, u64::from(of));
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
        Decision::Cancel { cancelled } => {
            // Its option count, always 2, keeps every decision at two bytes or more.
            put(w, (u64::from(cancelled) << TAG_BITS) | CANCEL);
            put(w, 2);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn get(&mut self) -> Result<u64, TokenError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or(TokenError::Truncated)?;
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(TokenError::Malformed("a number longer than 64 bits"))
    }

    fn small(&mut self) -> Result<u32, TokenError> {
        u32::try_from(self.get()?).map_err(|_| TokenError::Malformed("an option count"))
    }

    /// The next `n` bytes; a length past the end is refused before anything is allocated.
    fn take(&mut self, n: u64) -> Result<&[u8], TokenError> {
        let n = usize::try_from(n).map_err(|_| TokenError::Truncated)?;
        let end = self.at.checked_add(n).ok_or(TokenError::Truncated)?;
        let s = self.bytes.get(self.at..end).ok_or(TokenError::Truncated)?;
        self.at = end;
        Ok(s)
    }

    /// Version 2: a count, then `(key, value)` pairs applied over the defaults.
    fn options(&mut self) -> Result<RunOptions, TokenError> {
        let count = self.get()?;
        // A pair takes two bytes at least: a longer list than the rest can hold is a lie.
        if count > (self.bytes.len() - self.at) as u64 / 2 {
            return Err(TokenError::Truncated);
        }
        let mut pairs = Vec::new();
        for _ in 0..count {
            let key = u32::try_from(self.get()?)
                .map_err(|_| TokenError::Options(OptionError::UnknownKey(u32::MAX)))?;
            pairs.push((key, self.get()?));
        }
        RunOptions::from_pairs(&pairs).map_err(TokenError::Options)
    }

    /// Version 1: the step limit, the time limit (nanoseconds plus one, 0 = none) and the
    /// leftover-tasks flag, every other option at its default.
    fn v1_options(&mut self) -> Result<RunOptions, TokenError> {
        let max_steps = self.get()?;
        let max_time = self.get()?.checked_sub(1).map(Duration::from_nanos);
        let flags = self.get()?;
        if flags > 1 {
            return Err(TokenError::Malformed("unknown option flags"));
        }
        Ok(RunOptions {
            max_steps,
            max_time,
            fail_on_leftover_tasks: flags == 1,
            ..RunOptions::default()
        })
    }

    fn decision(&mut self, head: u64) -> Result<Decision, TokenError> {
        let body = head >> TAG_BITS;
        Ok(match head & TAG_MASK {
            RUN => Decision::Run {
                task: TaskId::from_u64(body),
                of: self.small()?,
            },
            PREEMPT => Decision::Preempt {
                task: body.checked_sub(1).map(TaskId::from_u64),
                of: self.small()?,
            },
            BRANCH => Decision::Branch {
                index: u32::try_from(body).map_err(|_| TokenError::Malformed("a branch index"))?,
                of: self.small()?,
            },
            VALUE => {
                if body != 0 {
                    return Err(TokenError::Malformed("a random-value decision"));
                }
                Decision::Value {
                    value: self.get()?,
                    bound: self.get()?,
                }
            }
            CANCEL => match (body, self.small()?) {
                (0, 2) => Decision::Cancel { cancelled: false },
                (1, 2) => Decision::Cancel { cancelled: true },
                _ => return Err(TokenError::Malformed("a cancellation decision")),
            },
            _ => {
                return Err(TokenError::Malformed(
                    "a decision of a kind this seedloop does not know (a newer seedloop may have \
                     written it)",
                ));
            }
        })
    }
}

fn put(w: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            w.push(b);
            return;
        }
        w.push(b | 0x80);
    }
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits are padding and must be zero; 5 or more leftover bits cannot come from
    // encoding whole bytes, so the text was cut.
    (bits < 5 && acc == 0).then_some(out)
}

/// A 32-bit hash of a test's name, as tokens record it (never 0).
///
/// ```
/// assert_eq!(harness::test_name_hash("adds"), harness::test_name_hash("adds"));
/// assert_ne!(harness::test_name_hash("adds"), harness::test_name_hash("subtracts"));
/// ```
pub fn test_name_hash(name: &str) -> u32 {
    let h = fnv(name.as_bytes());
    ((h >> 32) as u32 ^ h as u32).max(1)
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn checksum(bytes: &[u8]) -> String {
    let h = fnv(bytes);
    let mut out = String::with_capacity(CHECKSUM_CHARS);
    for i in 0..CHECKSUM_CHARS {
        out.push(ALPHABET[((h >> (5 * i)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests;
