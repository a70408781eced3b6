//! A FIFO list of waiters with direct hand-off: the building block of every blocking `sim`
//! primitive (locks, semaphores, events, channels, queues), and [`WaitSlot`], the state machine
//! of one waiting future on it.
//!
//! A waiter is *waiting* until the resource is handed to it (`grant_front`/`grant_all`), then
//! *granted* until its future takes the grant (`take_grant`). Hand-off is direct: a released
//! resource goes to the oldest waiter, never to a newcomer that happens to run first (no
//! barging). A waiter whose future is dropped calls `cancel`: if it was already granted, the
//! grant comes back so the primitive passes it on; nothing is lost or duplicated.
//!
//! Methods that would wake return the `Waker` instead, so the caller wakes it after releasing
//! its own `RefCell` borrow.
//!
//! `G` is what a waiter is handed (`()` for a lock, a permit count, a queue item); `M` is what it
//! asked for (e.g. how many permits), visible to the primitive while it waits.

mod slot;

use std::collections::VecDeque;
use std::task::Waker;

pub(crate) use slot::{Handed, WaitSlot};

/// Identifies a waiter in one list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WaiterId(u64);

struct Waiter<M> {
    id: WaiterId,
    /// `None` once cancelled: a tombstone, kept in place until it reaches an end of the list
    /// or the list is compacted.
    live: Option<Live<M>>,
}

struct Live<M> {
    waker: Waker,
    meta: M,
}

/// Lookups of a waiting waiter are O(log n): ids are handed out in increasing order and
/// `waiting` keeps that order (waiters leave from the ends or by `cancel`, never reorder), so
/// it can be binary-searched. A waiter cancelled from the middle (a timeout storm: thousands of
/// waiters dropped in random order) leaves a tombstone instead of shifting the others, which
/// made cancelling n waiters O(n^2); the ends of `waiting` are never tombstones, and once
/// tombstones outnumber the live waiters they are swept out in one pass. Grants not yet taken are found in O(1): `granted` holds one entry
/// per id from `base` on (`None` for an id not granted, or granted and taken), so a grant's
/// place is its id minus `base`. A grant usually goes to the front waiter, whose id is larger
/// than any granted before, so it is appended (after empty entries for the ids between, which
/// left without a grant); the oldest, usually the one taken next, is at the front. A grant
/// taken from the middle (a million waiters released at once run in random order) leaves an
/// empty entry rather than shifting the others; empty entries at either end are dropped as
/// they appear.
pub(crate) struct WaitList<G, M = ()> {
    next: u64,
    waiting: VecDeque<Waiter<M>>,
    /// Waiters in `waiting` that are not tombstones.
    live: usize,
    /// Entry `i` is the grant of waiter `base + i`, if it has one not yet taken.
    granted: VecDeque<Option<G>>,
    /// The id of `granted`'s first entry.
    base: u64,
}

impl<G, M> Default for WaitList<G, M> {
    fn default() -> Self {
        WaitList {
            next: 0,
            waiting: VecDeque::new(),
            live: 0,
            granted: VecDeque::new(),
            base: 0,
        }
    }
}

impl<G, M> WaitList<G, M> {
    /// Where waiter `id` waits (`None` when it does not: granted, cancelled, or never here).
    #[inline]
    fn position(&self, id: WaiterId) -> Option<usize> {
        let i = self.waiting.binary_search_by_key(&id, |w| w.id).ok()?;
        self.waiting[i].live.is_some().then_some(i)
    }

    /// Drops the tombstones at both ends, so that the ends are live waiters.
    #[inline]
    fn trim(&mut self) {
        while self.waiting.front().is_some_and(|w| w.live.is_none()) {
            self.waiting.pop_front();
        }
        while self.waiting.back().is_some_and(|w| w.live.is_none()) {
            self.waiting.pop_back();
        }
    }

    /// Takes the oldest waiter out (the front is live: see `trim`).
    #[inline]
    fn pop_front_live(&mut self) -> Option<(WaiterId, Live<M>)> {
        let w = self.waiting.pop_front()?;
        self.live -= 1;
        self.trim();
        Some((w.id, w.live.expect("the ends of the list are live waiters")))
    }

    /// Keeps `grant` for `id` until it is taken (in id order; see the type's docs).
    #[inline]
    fn grant(&mut self, id: WaiterId, grant: G) {
        let id = id.0;
        if self.granted.is_empty() {
            self.base = id;
        }
        if id < self.base {
            // Older than every grant kept (a newest-first grant came before): room in front.
            for _ in id + 1..self.base {
                self.granted.push_front(None);
            }
            self.granted.push_front(Some(grant));
            self.base = id;
            return;
        }
        let at = usize::try_from(id - self.base).expect("fewer waiters than memory");
        while self.granted.len() <= at {
            self.granted.push_back(None);
        }
        debug_assert!(self.granted[at].is_none(), "a waiter is granted once");
        self.granted[at] = Some(grant);
    }

    /// Adds a waiter at the back.
    #[inline]
    pub(crate) fn register(&mut self, waker: &Waker, meta: M) -> WaiterId {
        let id = WaiterId(self.next);
        self.next += 1;
        self.waiting.push_back(Waiter {
            id,
            live: Some(Live {
                waker: waker.clone(),
                meta,
            }),
        });
        self.live += 1;
        id
    }

    /// Refreshes the waker of a waiting waiter (a future may be polled with a new waker).
    #[inline]
    pub(crate) fn update_waker(&mut self, id: WaiterId, waker: &Waker) {
        if let Some(w) = self
            .position(id)
            .and_then(|i| self.waiting[i].live.as_mut())
        {
            if !w.waker.will_wake(waker) {
                w.waker = waker.clone();
            }
        }
    }

    /// True while `id` waits (registered, not yet granted, not cancelled).
    #[inline]
    pub(crate) fn is_waiting(&self, id: WaiterId) -> bool {
        self.position(id).is_some()
    }

    /// Takes the grant handed to `id`, if any (the waiter then leaves the list).
    #[inline]
    pub(crate) fn take_grant(&mut self, id: WaiterId) -> Option<G> {
        let i = usize::try_from(id.0.checked_sub(self.base)?).ok()?;
        let grant = self.granted.get_mut(i)?.take()?;
        while self.granted.front().is_some_and(Option::is_none) {
            self.granted.pop_front();
            self.base += 1;
        }
        while self.granted.back().is_some_and(Option::is_none) {
            self.granted.pop_back();
        }
        Some(grant)
    }

    /// Removes `id` (its future was dropped). Returns its grant if it had one it never took:
    /// the caller must pass it on.
    #[inline]
    pub(crate) fn cancel(&mut self, id: WaiterId) -> Option<G> {
        if let Some(i) = self.position(id) {
            self.waiting[i].live = None;
            self.live -= 1;
            self.trim();
            if self.waiting.len() > 2 * self.live + 16 {
                self.waiting.retain(|w| w.live.is_some());
            }
            return None;
        }
        self.take_grant(id)
    }

    /// The grants handed out but not yet taken, oldest first, to rewrite in place (e.g. a queue
    /// shut down at once takes back the items it handed to getters that have not run yet).
    pub(crate) fn grants_mut(&mut self) -> impl Iterator<Item = &mut G> {
        self.granted.iter_mut().filter_map(Option::as_mut)
    }

    /// Number of waiters still waiting.
    #[inline]
    pub(crate) fn waiting(&self) -> usize {
        self.live
    }

    /// True when nobody waits.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// What the oldest waiter asked for.
    #[inline]
    pub(crate) fn front_meta(&self) -> Option<&M> {
        self.waiting
            .front()
            .and_then(|w| w.live.as_ref())
            .map(|w| &w.meta)
    }

    /// Hands `grant` to the oldest waiter and returns its waker, or gives `grant` back when
    /// nobody waits.
    #[inline]
    pub(crate) fn grant_front(&mut self, grant: G) -> Result<Waker, G> {
        if self.live == 0 {
            return Err(grant);
        }
        let (id, w) = self.pop_front_live().expect("a live waiter waits");
        self.grant(id, grant);
        Ok(w.waker)
    }

    /// Hands `grant` to the newest waiter (tokio's `notify_last`) and returns its waker, or
    /// gives `grant` back when nobody waits.
    pub(crate) fn grant_back(&mut self, grant: G) -> Result<Waker, G> {
        match self.waiting.pop_back() {
            Some(w) => {
                self.live -= 1;
                self.trim();
                let live = w.live.expect("the ends of the list are live waiters");
                self.grant(w.id, grant);
                Ok(live.waker)
            }
            None => Err(grant),
        }
    }

    /// Hands the oldest waiter a grant computed from what it asked for and its waker (e.g. a
    /// place in another list, where the waker is registered in turn); returns its waker, or
    /// `None` when nobody waits.
    pub(crate) fn grant_front_with(&mut self, make: impl FnOnce(&M, &Waker) -> G) -> Option<Waker> {
        let (id, w) = self.pop_front_live()?;
        let grant = make(&w.meta, &w.waker);
        self.grant(id, grant);
        Some(w.waker)
    }

    /// Hands every waiting waiter a grant made from what it asked for, oldest first; returns
    /// the wakers in that order.
    pub(crate) fn grant_all(&mut self, mut make: impl FnMut(&M) -> G) -> Vec<Waker> {
        let mut wakers = Vec::with_capacity(self.live);
        while let Some(w) = self.waiting.pop_front() {
            if let Some(live) = w.live {
                self.grant(w.id, make(&live.meta));
                wakers.push(live.waker);
            }
        }
        self.live = 0;
        wakers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn waker() -> (Arc<Count>, Waker) {
        let c = Arc::new(Count(AtomicUsize::new(0)));
        (c.clone(), Waker::from(c))
    }

    #[test]
    fn grants_go_to_the_oldest_waiter_and_come_back_on_cancel() {
        let mut list: WaitList<u32> = WaitList::default();
        let (ca, wa) = waker();
        let (_cb, wb) = waker();
        let a = list.register(&wa, ());
        let b = list.register(&wb, ());
        list.grant_front(7).unwrap().wake();
        assert_eq!(ca.0.load(Ordering::Relaxed), 1);
        assert!(!list.is_waiting(a) && list.is_waiting(b));
        // a is dropped before taking its grant: the grant comes back to pass on.
        assert_eq!(list.cancel(a), Some(7));
        assert!(list.grant_front(8).is_ok());
        assert_eq!(list.take_grant(b), Some(8));
        assert_eq!(list.take_grant(b), None);
        assert_eq!(list.grant_front(9).unwrap_err(), 9);
    }

    #[test]
    fn lookups_by_id_survive_removals_in_the_middle() {
        let mut list: WaitList<usize, usize> = WaitList::default();
        let (_c, w) = waker();
        let ids: Vec<_> = (0..6).map(|i| list.register(&w, i)).collect();
        assert_eq!(list.cancel(ids[1]), None);
        assert_eq!(list.cancel(ids[4]), None);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(list.is_waiting(*id), i != 1 && i != 4, "waiter {i}");
        }
        list.update_waker(ids[3], &w);
        assert!(list.grant_front(10).is_ok());
        assert!(list.grant_front(12).is_ok());
        assert!(!list.is_waiting(ids[2]) && list.is_waiting(ids[3]));
        assert_eq!(list.take_grant(ids[2]), Some(12));
        assert_eq!(list.cancel(ids[0]), Some(10));
        assert_eq!(list.front_meta(), Some(&3));
        assert_eq!(list.waiting(), 2);
    }

    #[test]
    fn cancelling_a_waiting_waiter_returns_nothing_and_keeps_order() {
        let mut list: WaitList<(), usize> = WaitList::default();
        let (_c, w) = waker();
        let a = list.register(&w, 1);
        let _b = list.register(&w, 2);
        let c = list.register(&w, 3);
        assert_eq!(list.cancel(a), None);
        assert_eq!(list.front_meta(), Some(&2));
        let wakers = list.grant_all(|m| assert!(*m >= 2));
        assert_eq!(wakers.len(), 2);
        assert_eq!(list.take_grant(c), Some(()));
        assert!(list.is_empty());
    }

    /// Random registrations, grants to the oldest and to the newest waiter, takes and cancels
    /// against a plain model: every grant reaches its waiter once, whatever the order.
    #[test]
    fn grants_in_any_order_are_found_by_id() {
        use std::collections::BTreeMap;
        let (_c, w) = waker();
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let mut list: WaitList<u64> = WaitList::default();
        // By waiter: None while waiting, Some(g) once granted and not taken.
        let mut model: BTreeMap<WaiterId, Option<u64>> = BTreeMap::new();
        for step in 0..20_000u64 {
            match next(6) {
                0 | 1 => {
                    model.insert(list.register(&w, ()), None);
                }
                2 => {
                    let oldest = model.iter().find(|(_, g)| g.is_none()).map(|(id, _)| *id);
                    assert_eq!(list.grant_front(step).is_ok(), oldest.is_some());
                    if let Some(id) = oldest {
                        model.insert(id, Some(step));
                    }
                }
                3 => {
                    let newest = model
                        .iter()
                        .rev()
                        .find(|(_, g)| g.is_none())
                        .map(|(id, _)| *id);
                    assert_eq!(list.grant_back(step).is_ok(), newest.is_some());
                    if let Some(id) = newest {
                        model.insert(id, Some(step));
                    }
                }
                k => {
                    let Some(&id) = model.keys().nth(next(model.len().max(1) as u64) as usize)
                    else {
                        continue;
                    };
                    let expected = model.remove(&id).flatten();
                    let got = if k == 4 {
                        let g = list.take_grant(id);
                        if g.is_none() && expected.is_none() {
                            // Still waiting: it stays.
                            model.insert(id, None);
                        }
                        g
                    } else {
                        list.cancel(id)
                    };
                    assert_eq!(got, expected, "step {step}, waiter {id:?}");
                }
            }
            assert_eq!(
                list.waiting(),
                model.values().filter(|g| g.is_none()).count()
            );
            if let Some((&id, g)) = model.iter().nth(next(model.len().max(1) as u64) as usize) {
                assert_eq!(
                    list.is_waiting(id),
                    g.is_none(),
                    "step {step}, waiter {id:?}"
                );
            }
        }
    }

    /// Waiters cancelled from the middle in any order (tombstones, swept out once they
    /// outnumber the live ones) leave the others waiting in order, counted and found.
    #[test]
    fn cancels_from_the_middle_keep_the_rest_in_order() {
        let (_c, w) = waker();
        let mut list: WaitList<(), usize> = WaitList::default();
        let ids: Vec<_> = (0..200).map(|i| list.register(&w, i)).collect();
        // Cancel all but every seventh, in a scrambled order, the first and last among them.
        let mut gone: Vec<usize> = (0..200).filter(|i| i % 7 != 3).collect();
        gone.sort_by_key(|i| (i * 37) % 200);
        for (n, &i) in gone.iter().enumerate() {
            assert_eq!(list.cancel(ids[i]), None);
            assert!(!list.is_waiting(ids[i]));
            assert_eq!(list.waiting(), 200 - n - 1);
        }
        let kept: Vec<usize> = (0..200).filter(|i| i % 7 == 3).collect();
        assert!(kept.iter().all(|&i| list.is_waiting(ids[i])));
        assert_eq!(list.front_meta(), Some(&kept[0]));
        assert!(list.grant_back(()).is_ok());
        assert!(!list.is_waiting(ids[*kept.last().unwrap()]));
        let mut order = Vec::new();
        let wakers = list.grant_all(|m| order.push(*m));
        assert_eq!(wakers.len(), kept.len() - 1);
        assert_eq!(order, kept[..kept.len() - 1]);
        assert!(list.is_empty() && list.front_meta().is_none());
    }
}
