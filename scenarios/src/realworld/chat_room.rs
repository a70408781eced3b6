//! A chat room broadcasting to members who join and leave.
//!
//! The room keeps each member's inbox (an unbounded mpsc sender) and numbers every message it
//! broadcasts. [`MEMBERS`] members join and leave at seeded instants on a 10 ms grid while
//! [`POSTERS`] posters each post [`MESSAGES_EACH`] messages on the same grid, so joins, leaves
//! and posts often fall in the same instant and the scheduler decides their order. A member
//! reads its inbox until its leave time (`timeout_at`), unsubscribes, then drains what was
//! already delivered.
//!
//! Invariant: every member receives every message broadcast while it was a member (from its
//! join to its unsubscribe), in broadcast order, and nothing else.
//!
//! **The planted bug** ([`Version::Buggy`]): the leaving member unsubscribes and drops its inbox
//! without draining it. When a post lands in the same instant as the member's leave timer and
//! the timer wins, the message delivered just before the unsubscribe is lost. Fifo never loses
//! it (it polls the read before the timer); an exploring strategy does within a few seeds.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use sim::channel::mpsc;
use sim::time::{Instant, now, sleep_until, timeout_at};

use super::Version;

/// Members per run.
pub const MEMBERS: usize = 4;
/// Posters per run.
pub const POSTERS: usize = 2;
/// Messages per poster, one per tick from tick 1.
pub const MESSAGES_EACH: u64 = 8;
/// The grid everything happens on.
pub const TICK: Duration = Duration::from_millis(10);

/// A broadcast message.
#[derive(Clone, Debug)]
struct Message {
    seq: u64,
    text: String,
}

#[derive(Default)]
struct Room {
    next_seq: u64,
    members: BTreeMap<usize, mpsc::UnboundedSender<Message>>,
    texts: Vec<String>,
}

impl Room {
    /// Subscribes `id`: its inbox, and the number of the first message it must receive.
    fn join(&mut self, id: usize) -> (mpsc::UnboundedReceiver<Message>, u64) {
        let (tx, rx) = mpsc::unbounded_channel();
        self.members.insert(id, tx);
        (rx, self.next_seq)
    }

    /// Unsubscribes `id`: the number of the first message it must not receive.
    fn leave(&mut self, id: usize) -> u64 {
        self.members.remove(&id);
        self.next_seq
    }

    fn post(&mut self, text: String) {
        let msg = Message {
            seq: self.next_seq,
            text,
        };
        self.next_seq += 1;
        self.texts.push(msg.text.clone());
        for inbox in self.members.values() {
            // A member's inbox lives until it leaves, and leaving unsubscribes first.
            inbox
                .send(msg.clone())
                .expect("members read until they leave");
        }
    }
}

/// One member's stay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stay {
    /// When it joined (seeded).
    pub joined: Instant,
    /// When its leave timer fired (seeded).
    pub left: Instant,
    /// First message number it had to receive.
    pub first: u64,
    /// First message number it must not receive.
    pub end: u64,
    /// The message numbers it received, in order.
    pub received: Vec<u64>,
    /// How many of them it read after unsubscribing (delivered in its last instant; always 0
    /// under Fifo, which lets the read win over the leave timer).
    pub drained: usize,
}

/// What a run did.
#[derive(Debug)]
pub struct Report {
    /// Messages broadcast.
    pub sent: u64,
    /// Each member's stay, by member.
    pub stays: Vec<Stay>,
    /// When the run ended.
    pub end: Instant,
}

fn tick(n: u64) -> Instant {
    Instant::ZERO + TICK * u32::try_from(n).expect("small tick")
}

async fn member(
    id: usize,
    room: Rc<RefCell<Room>>,
    join_at: Instant,
    leave_at: Instant,
    version: Version,
) -> Result<Stay, String> {
    sleep_until(join_at).await;
    let (mut inbox, first) = room.borrow_mut().join(id);
    let check = |msg: Message, room: &Room| {
        if room.texts.get(msg.seq as usize) == Some(&msg.text) {
            Ok(msg.seq)
        } else {
            Err(format!(
                "member {id} got message {} with a garbled text {:?}",
                msg.seq, msg.text
            ))
        }
    };
    let mut received = Vec::new();
    while let Ok(Some(msg)) = timeout_at(leave_at, inbox.recv()).await {
        received.push(check(msg, &room.borrow())?);
    }
    let end = room.borrow_mut().leave(id);
    let read = received.len();
    if version == Version::Correct {
        // Unsubscribed: nothing new can arrive, but what was delivered before is ours.
        while let Ok(msg) = inbox.try_recv() {
            received.push(check(msg, &room.borrow())?);
        }
    }
    Ok(Stay {
        joined: join_at,
        left: leave_at,
        first,
        end,
        drained: received.len() - read,
        received,
    })
}

/// Runs the room: [`MEMBERS`] members, [`POSTERS`] posters.
///
/// ```
/// use scenarios::realworld::{Version, chat_room};
/// let mut sim = sim::Sim::new(1);
/// let r = sim.run(chat_room::run(Version::Correct)).unwrap().unwrap();
/// assert_eq!(r.sent, 16);
/// assert!(r.stays.iter().all(|s| s.received.len() as u64 == s.end - s.first));
/// ```
pub async fn run(version: Version) -> Result<Report, String> {
    let room = Rc::new(RefCell::new(Room::default()));
    let members: Vec<_> = (0..MEMBERS)
        .map(|id| {
            let join = sim::rand::range(0..=4);
            let stay = sim::rand::range(2..=6);
            let room = room.clone();
            sim::spawn_named(
                format!("member {id}"),
                member(id, room, tick(join), tick(join + stay), version),
            )
        })
        .collect();
    let posters: Vec<_> = (0..POSTERS)
        .map(|p| {
            let room = room.clone();
            sim::spawn_named(format!("poster {p}"), async move {
                for k in 0..MESSAGES_EACH {
                    sleep_until(tick(k + 1)).await;
                    room.borrow_mut().post(format!("poster {p} says {k}"));
                }
            })
        })
        .collect();
    for p in posters {
        p.await.map_err(|e| e.to_string())?;
    }
    let mut stays = Vec::new();
    for (id, m) in members.into_iter().enumerate() {
        let stay = m.await.map_err(|e| e.to_string())??;
        let expected: Vec<u64> = (stay.first..stay.end).collect();
        if stay.received != expected {
            let lost: Vec<u64> = expected
                .iter()
                .filter(|s| !stay.received.contains(s))
                .copied()
                .collect();
            return Err(format!(
                "member {id} must receive every message sent while it was in ({}..{}), in order: \
                 got {:?}{}",
                stay.first,
                stay.end,
                stay.received,
                if lost.is_empty() {
                    String::new()
                } else {
                    format!(", lost {lost:?}")
                }
            ));
        }
        stays.push(stay);
    }
    let sent = room.borrow().next_seq;
    Ok(Report {
        sent,
        stays,
        end: now(),
    })
}
