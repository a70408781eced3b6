//! The flight recorder: the events of a run at [`TraceLevel::Full`](super::TraceLevel), the
//! most recent ones kept, compactly, while the run goes on.
//!
//! A run at the Full level records a few events per step (a poll, a yield, a wake), so their
//! cost is most of a step's. A [`TraceEvent`] owns what some kinds carry (a message, a name),
//! so keeping one means moving it and, later, dropping it; the recorder keeps each event as
//! plain copyable fields instead: its step, time and task, and its kind as a tag with one or
//! two numbers, or an operation's text and line. The few kinds that carry more (a log line, a
//! panic message, an operation on a named primitive, a random value) are kept whole, in a
//! queue beside. The kept events form a ring: once `keep` are held, a new one takes
//! the oldest's place and the oldest is counted and hashed as it leaves, exactly as the trace
//! hashed dropped events before (see [`Trace::dropped_events`](super::Trace::dropped_events)).
//! When the run ends, [`Recorder::finish`] gives the kept events back as `TraceEvent`s, in order.

use std::collections::VecDeque;
use std::hash::Hasher;
use std::panic::Location;

use super::{Decision, EventKind, Instant, TaskId, TraceEvent};

/// One kept event, compactly (see the module docs).
#[derive(Clone, Copy)]
struct Packed {
    step: u64,
    time: u64,
    /// What the kind carries: a task id, a time, a decision's first number.
    a: u64,
    /// A decision's second number.
    b: u32,
    /// An operation's text (`Mutex::lock`), for the operation kinds.
    op: &'static str,
    /// An operation's line, for the operation kinds.
    site: Option<&'static Location<'static>>,
    /// The acting task's id + 1, 0 for the executor (ids past `u32::MAX - 1` go whole).
    task: u32,
    /// Which kind (see `tag`), or [`WHOLE`]: the event is the next one of `whole`.
    tag: u8,
}

/// The event is kept whole, in [`Recorder::whole`].
const WHOLE: u8 = u8::MAX;

// Tags: the kinds kept compactly, and the decisions.
const SPAWN: u8 = 0;
const POLL: u8 = 1;
const WAKE: u8 = 2;
const YIELD: u8 = 3;
const SLEEP: u8 = 4;
const TIMER_FIRED: u8 = 5;
const CLOCK_ADVANCED: u8 = 6;
const COMPLETE: u8 = 7;
const ABORT_REQUESTED: u8 = 8;
const ABORTED: u8 = 9;
const LEFTOVER: u8 = 10;
const RUN: u8 = 11;
const PREEMPT_KEEP: u8 = 12;
const PREEMPT_SWITCH: u8 = 13;
const BRANCH: u8 = 14;
const OP: u8 = 15;
const WAIT: u8 = 16;
const SIGNAL: u8 = 17;

/// The events of a run being recorded (see the module docs).
#[derive(Default)]
pub(crate) struct Recorder {
    ring: Vec<Packed>,
    /// Where the oldest kept event is, once the ring is full.
    head: usize,
    /// The events kept whole, oldest first (each one has a [`WHOLE`] entry in the ring).
    whole: VecDeque<TraceEvent>,
    /// Events recorded and not kept.
    dropped: u64,
    /// A hash of the dropped events.
    dropped_hash: u64,
}

/// What [`Recorder::finish`] gives back.
pub(crate) struct Recorded {
    /// The kept events, oldest first.
    pub(crate) events: Vec<TraceEvent>,
    pub(crate) dropped: u64,
    pub(crate) dropped_hash: u64,
}

impl Recorder {
    /// Records an event of `task` (`None`: the executor) at `step` and `time`, keeping the last
    /// `keep`. (Always inlined into the run's one caller: an event is recorded a few times a
    /// step at the Full level. The oldest event is hashed where it lies and the new one
    /// written over it, field by field.)
    #[inline(always)]
    pub(crate) fn record(
        &mut self,
        step: u64,
        time: Instant,
        task: Option<TaskId>,
        kind: EventKind,
        keep: usize,
    ) {
        let packed_task = match task {
            None => Some(0),
            Some(t) => u32::try_from(t.as_u64() + 1).ok(),
        };
        let (k, task) = match (packed_task, pack(kind)) {
            (Some(task), Ok(k)) => (k, task),
            (_, kind) => {
                let p = self.keep_whole(step, time, task, kind);
                return self.place(p, keep);
            }
        };
        let i = if self.ring.len() < keep {
            self.ring.push(Kind::plain(WHOLE, 0, 0).packed(0, 0, 0));
            self.ring.len() - 1
        } else if keep == 0 {
            return self.place(k.packed(step, time.as_nanos(), task), keep);
        } else {
            let i = self.head;
            self.head = if i + 1 == keep { 0 } else { i + 1 };
            let old = &self.ring[i];
            if old.tag == WHOLE {
                self.drop_whole();
            } else {
                let mut h = WordMix(self.dropped_hash);
                h.write_u64(old.step);
                h.write_u64(old.time);
                h.write_u64(u64::from(old.task));
                h.write_u64(tag_kind_index(old.tag));
                self.dropped_hash = h.0;
                self.dropped += 1;
            }
            i
        };
        let p = &mut self.ring[i];
        p.step = step;
        p.time = time.as_nanos();
        p.a = k.a;
        p.b = k.b;
        p.op = k.op;
        p.site = k.site;
        p.task = task;
        p.tag = k.tag;
    }

    /// Keeps an event that does not pack in `whole`; returns its entry for the ring.
    #[cold]
    fn keep_whole(
        &mut self,
        step: u64,
        time: Instant,
        task: Option<TaskId>,
        kind: Result<Kind, EventKind>,
    ) -> Packed {
        let kind = match kind {
            Err(kind) => kind,
            Ok(k) => unpack(k.packed(step, 0, 0)).kind,
        };
        self.whole.push_back(TraceEvent {
            step,
            time,
            task,
            kind,
        });
        Kind::plain(WHOLE, 0, 0).packed(step, 0, 0)
    }

    /// Puts `packed` in the ring (an event kept whole, or any event when nothing is kept).
    #[cold]
    fn place(&mut self, packed: Packed, keep: usize) {
        if self.ring.len() < keep {
            self.ring.push(packed);
            return;
        }
        let old = if keep == 0 {
            packed
        } else {
            let old = std::mem::replace(&mut self.ring[self.head], packed);
            self.head = if self.head + 1 == keep {
                0
            } else {
                self.head + 1
            };
            old
        };
        if old.tag == WHOLE {
            return self.drop_whole();
        }
        let mut h = WordMix(self.dropped_hash);
        h.write_u64(old.step);
        h.write_u64(old.time);
        h.write_u64(u64::from(old.task));
        h.write_u64(tag_kind_index(old.tag));
        self.dropped_hash = h.0;
        self.dropped += 1;
    }

    /// Counts and hashes the oldest whole event, which leaves.
    #[cold]
    fn drop_whole(&mut self) {
        let e = self
            .whole
            .pop_front()
            .expect("every whole entry of the ring has its event");
        let mut h = WordMix(self.dropped_hash);
        h.write_u64(e.step);
        h.write_u64(e.time.as_nanos());
        h.write_u64(e.task.map_or(0, |t| t.as_u64() + 1));
        h.write_u64(kind_index(&e.kind));
        self.dropped_hash = h.0;
        self.dropped += 1;
    }

    /// Events recorded so far, kept or not.
    pub(crate) fn recorded(&self) -> u64 {
        self.dropped + self.ring.len() as u64
    }

    /// Events recorded so far and not kept (the oldest).
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The kept events in order, and what was dropped.
    pub(crate) fn finish(self) -> Recorded {
        let Recorder {
            mut ring,
            head,
            mut whole,
            dropped,
            dropped_hash,
        } = self;
        ring.rotate_left(head);
        let events = ring
            .into_iter()
            .map(|p| match p.tag {
                WHOLE => whole
                    .pop_front()
                    .expect("every whole entry of the ring has its event"),
                _ => unpack(p),
            })
            .collect();
        Recorded {
            events,
            dropped,
            dropped_hash,
        }
    }
}

/// A packed kind: its tag and what it carries.
struct Kind {
    tag: u8,
    a: u64,
    b: u32,
    op: &'static str,
    site: Option<&'static Location<'static>>,
}

impl Kind {
    #[inline(always)]
    fn plain(tag: u8, a: u64, b: u32) -> Kind {
        Kind {
            tag,
            a,
            b,
            op: "",
            site: None,
        }
    }

    #[inline(always)]
    fn packed(self, step: u64, time: u64, task: u32) -> Packed {
        Packed {
            step,
            time,
            a: self.a,
            b: self.b,
            op: self.op,
            site: self.site,
            task,
            tag: self.tag,
        }
    }
}

/// A kind as a tag and what it carries, or the kind back when it carries more (a text, a
/// name, a value too large).
#[inline(always)]
fn pack(kind: EventKind) -> Result<Kind, EventKind> {
    let op = |tag, op, site| Kind {
        tag,
        a: 0,
        b: 0,
        op,
        site: Some(site),
    };
    Ok(match kind {
        EventKind::Spawn { child } => Kind::plain(SPAWN, child.as_u64(), 0),
        EventKind::Poll => Kind::plain(POLL, 0, 0),
        EventKind::Wake { target } => Kind::plain(WAKE, target.as_u64(), 0),
        EventKind::Yield => Kind::plain(YIELD, 0, 0),
        EventKind::Sleep { until } => Kind::plain(SLEEP, until.as_nanos(), 0),
        EventKind::TimerFired { deadline } => Kind::plain(TIMER_FIRED, deadline.as_nanos(), 0),
        EventKind::ClockAdvanced { to } => Kind::plain(CLOCK_ADVANCED, to.as_nanos(), 0),
        EventKind::Complete => Kind::plain(COMPLETE, 0, 0),
        EventKind::AbortRequested { target } => Kind::plain(ABORT_REQUESTED, target.as_u64(), 0),
        EventKind::Aborted => Kind::plain(ABORTED, 0, 0),
        EventKind::Leftover => Kind::plain(LEFTOVER, 0, 0),
        EventKind::Decision(Decision::Run { task, of }) => Kind::plain(RUN, task.as_u64(), of),
        EventKind::Decision(Decision::Preempt { task: None, of }) => {
            Kind::plain(PREEMPT_KEEP, 0, of)
        }
        EventKind::Decision(Decision::Preempt { task: Some(t), of }) => {
            Kind::plain(PREEMPT_SWITCH, t.as_u64(), of)
        }
        EventKind::Decision(Decision::Branch { index, of }) => {
            Kind::plain(BRANCH, u64::from(index), of)
        }
        EventKind::Op {
            op: o,
            name: None,
            site,
        } => op(OP, o, site),
        EventKind::Wait {
            op: o,
            name: None,
            site,
        } => op(WAIT, o, site),
        EventKind::Signal {
            op: o,
            name: None,
            site,
        } => op(SIGNAL, o, site),
        other => return Err(other),
    })
}

fn unpack(p: Packed) -> TraceEvent {
    let id = TaskId::from_u64;
    let kind = match p.tag {
        SPAWN => EventKind::Spawn { child: id(p.a) },
        POLL => EventKind::Poll,
        WAKE => EventKind::Wake { target: id(p.a) },
        YIELD => EventKind::Yield,
        SLEEP => EventKind::Sleep {
            until: Instant::from_nanos(p.a),
        },
        TIMER_FIRED => EventKind::TimerFired {
            deadline: Instant::from_nanos(p.a),
        },
        CLOCK_ADVANCED => EventKind::ClockAdvanced {
            to: Instant::from_nanos(p.a),
        },
        COMPLETE => EventKind::Complete,
        ABORT_REQUESTED => EventKind::AbortRequested { target: id(p.a) },
        ABORTED => EventKind::Aborted,
        LEFTOVER => EventKind::Leftover,
        RUN => EventKind::Decision(Decision::Run {
            task: id(p.a),
            of: p.b,
        }),
        PREEMPT_KEEP => EventKind::Decision(Decision::Preempt {
            task: None,
            of: p.b,
        }),
        PREEMPT_SWITCH => EventKind::Decision(Decision::Preempt {
            task: Some(id(p.a)),
            of: p.b,
        }),
        BRANCH => EventKind::Decision(Decision::Branch {
            index: p.a as u32,
            of: p.b,
        }),
        OP | WAIT | SIGNAL => {
            let (op, site) = (p.op, p.site.expect("an operation is packed with its line"));
            match p.tag {
                OP => EventKind::Op {
                    op,
                    name: None,
                    site,
                },
                WAIT => EventKind::Wait {
                    op,
                    name: None,
                    site,
                },
                _ => EventKind::Signal {
                    op,
                    name: None,
                    site,
                },
            }
        }
        _ => unreachable!("the recorder packs only the kinds above"),
    };
    TraceEvent {
        step: p.step,
        time: Instant::from_nanos(p.time),
        task: p.task.checked_sub(1).map(|t| id(u64::from(t))),
        kind,
    }
}

/// The place of `kind`'s variant in [`EventKind`]'s declaration: what the hash of a dropped
/// event takes (the value `std::mem::discriminant` hashes; a test holds them equal).
fn kind_index(kind: &EventKind) -> u64 {
    match kind {
        EventKind::Spawn { .. } => 0,
        EventKind::Poll => 1,
        EventKind::Wake { .. } => 2,
        EventKind::Yield => 3,
        EventKind::Sleep { .. } => 4,
        EventKind::TimerFired { .. } => 5,
        EventKind::ClockAdvanced { .. } => 6,
        EventKind::Complete => 7,
        EventKind::AbortRequested { .. } => 8,
        EventKind::Aborted => 9,
        EventKind::Panicked { .. } => 10,
        EventKind::Decision(_) => 11,
        EventKind::Log(_) => 12,
        EventKind::Leftover => 13,
        EventKind::Op { .. } => 14,
        EventKind::Wait { .. } => 15,
        EventKind::Signal { .. } => 16,
        EventKind::Blocked { .. } => 17,
    }
}

/// [`kind_index`] of a packed event's kind.
fn tag_kind_index(tag: u8) -> u64 {
    match tag {
        SPAWN..=ABORTED => u64::from(tag),
        LEFTOVER => 13,
        RUN..=BRANCH => 11,
        OP => 14,
        WAIT => 15,
        SIGNAL => 16,
        _ => unreachable!("a whole event is hashed from its kind"),
    }
}

/// FNV's step a word at a time: the hash of dropped events, taken for every event a long run
/// records, costs a multiply a field.
pub(crate) struct WordMix(pub(crate) u64);

impl Hasher for WordMix {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x0000_0100_0000_01b3);
    }

    #[inline]
    fn write_isize(&mut self, v: isize) {
        self.write_u64(v as u64);
    }

    #[inline]
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use std::hash::Hash;
    use std::panic::Location;

    use super::*;

    /// Every kind, once.
    fn kinds() -> Vec<EventKind> {
        let t = TaskId::from_u64(3);
        let at = Instant::from_nanos(5);
        vec![
            EventKind::Spawn { child: t },
            EventKind::Poll,
            EventKind::Wake { target: t },
            EventKind::Yield,
            EventKind::Sleep { until: at },
            EventKind::TimerFired { deadline: at },
            EventKind::ClockAdvanced { to: at },
            EventKind::Complete,
            EventKind::AbortRequested { target: t },
            EventKind::Aborted,
            EventKind::Panicked {
                message: "boom".into(),
            },
            EventKind::Decision(Decision::Run { task: t, of: 4 }),
            EventKind::Decision(Decision::Preempt { task: None, of: 2 }),
            EventKind::Decision(Decision::Preempt {
                task: Some(t),
                of: 3,
            }),
            EventKind::Decision(Decision::Branch { index: 1, of: 2 }),
            EventKind::Decision(Decision::Value {
                value: 7,
                bound: 10,
            }),
            EventKind::Log("hello".into()),
            EventKind::Leftover,
            EventKind::Op {
                op: "Mutex::lock",
                name: Some("db".into()),
                site: Location::caller(),
            },
            EventKind::Op {
                op: "Mutex::lock",
                name: None,
                site: Location::caller(),
            },
            EventKind::Wait {
                op: "Mutex::lock",
                name: None,
                site: Location::caller(),
            },
            EventKind::Signal {
                op: "Notify::notify_one",
                name: None,
                site: Location::caller(),
            },
            EventKind::Blocked {
                duration: std::time::Duration::from_millis(3),
            },
        ]
    }

    fn event(i: usize, kinds: &[EventKind]) -> TraceEvent {
        TraceEvent {
            step: i as u64 / 3,
            time: Instant::from_nanos(i as u64 * 7),
            // Now and then a task id too large to pack: the event is kept whole.
            task: (i % 4 != 0)
                .then(|| TaskId::from_u64(if i % 11 == 3 { 1 << 40 } else { i as u64 % 5 })),
            kind: kinds[i % kinds.len()].clone(),
        }
    }

    #[test]
    fn a_kind_hashes_as_its_discriminant() {
        for k in kinds() {
            let mut by_discriminant = WordMix(17);
            std::mem::discriminant(&k).hash(&mut by_discriminant);
            let mut by_index = WordMix(17);
            by_index.write_u64(kind_index(&k));
            assert_eq!(by_discriminant.0, by_index.0, "{k:?}");
            if let Ok(p) = pack(k.clone()) {
                assert_eq!(tag_kind_index(p.tag), kind_index(&k), "{k:?}");
                assert_eq!(unpack(p.packed(1, 2, 0)).kind, k);
            }
        }
    }

    /// The recorder keeps and hashes what a plain vector of events, its oldest dropped and
    /// hashed by `std::mem::discriminant` as the trace did before, keeps and hashes.
    #[test]
    fn the_ring_keeps_and_hashes_what_a_growing_vector_did() {
        let kinds = kinds();
        for keep in [0, 1, 2, 5, 64] {
            for n in [0, 1, 4, 5, 6, 63, 64, 65, 200, 1000] {
                let mut r = Recorder::default();
                let mut all = Vec::new();
                for i in 0..n {
                    let e = event(i, &kinds);
                    r.record(e.step, e.time, e.task, e.kind.clone(), keep);
                    all.push(e);
                }
                let split = n.saturating_sub(keep);
                let mut h = WordMix(0);
                for e in &all[..split] {
                    h.write_u64(e.step);
                    h.write_u64(e.time.as_nanos());
                    h.write_u64(e.task.map_or(0, |t| t.as_u64() + 1));
                    std::mem::discriminant(&e.kind).hash(&mut h);
                }
                let got = r.finish();
                assert_eq!(got.events, all[split..], "keep {keep}, {n} events");
                assert_eq!(got.dropped, split as u64);
                assert_eq!(got.dropped_hash, h.0);
            }
        }
    }
}
