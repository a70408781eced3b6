//! Leftover tasks at the end of a run (main returned first): runnable ones never polled and
//! parked ones are all dropped, in spawn order, including one woken by another's `Drop` while
//! the run shuts down. (The run empties its ready queue at once when it shuts down.)

use std::cell::RefCell;
use std::rc::Rc;
use std::task::{Poll, Waker};

use sim::task::TaskId;
use sim::trace::EventKind;

type Shared = Rc<RefCell<Option<Waker>>>;

/// Logs its id when dropped, then wakes the waker in `wake`, if any.
struct Guard {
    id: u64,
    log: Rc<RefCell<Vec<u64>>>,
    wake: Option<Shared>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.log.borrow_mut().push(self.id);
        if let Some(w) = self.wake.take().and_then(|w| w.borrow_mut().take()) {
            w.wake();
        }
    }
}

#[test]
fn runnable_and_parked_leftovers_are_dropped_in_spawn_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let seen = log.clone();
    let mut sim = sim::Sim::builder().strategy(sim::Strategy::fifo()).build();
    sim.run(async move {
        // Task 1 parks; its guard wakes task 2, parked too, when task 1 is dropped.
        let waker_of_2: Shared = Rc::default();
        let parked = |id, wake: Option<Shared>, keep: Option<Shared>| {
            let g = Guard {
                id,
                log: log.clone(),
                wake,
            };
            async move {
                let _g = g;
                std::future::poll_fn(|cx| {
                    if let Some(k) = &keep {
                        *k.borrow_mut() = Some(cx.waker().clone());
                    }
                    Poll::<()>::Pending
                })
                .await;
            }
        };
        drop(sim::spawn(parked(1, Some(waker_of_2.clone()), None)));
        drop(sim::spawn(parked(2, None, Some(waker_of_2))));
        sim::task::yield_now().await;
        // Tasks 3 to 5 are still in the ready queue when main returns.
        for id in 3..6 {
            drop(sim::spawn(parked(id, None, None)));
        }
    })
    .unwrap();
    assert_eq!(*seen.borrow(), [1, 2, 3, 4, 5]);
    let events = sim.trace().events();
    let left: Vec<TaskId> = events
        .iter()
        .filter(|e| e.kind == EventKind::Leftover)
        .filter_map(|e| e.task)
        .collect();
    assert_eq!(left, (1..6).map(TaskId::from_u64).collect::<Vec<_>>());
    let woken_at_shutdown = events.iter().any(|e| {
        e.task == Some(TaskId::from_u64(1))
            && matches!(e.kind, EventKind::Wake { target } if target == TaskId::from_u64(2))
    });
    assert!(woken_at_shutdown, "{}", sim.trace());
}
