//! Channels and queues between tasks: [`mpsc`] (bounded and unbounded), [`Queue`] (asyncio's
//! queue, with `task_done`/`join`/`shutdown`), [`oneshot`], [`broadcast`] and [`watch`].
//!
//! # Model
//!
//! [`mpsc`] and [`Queue`] are FIFOs with **direct hand-off**. A value sent while a receiver waits is
//! handed to the oldest waiting receiver; a slot freed while senders wait is handed to the
//! oldest waiting sender. A task that arrives later never takes what was handed to an earlier
//! one (no barging), so the order of completion is the order of arrival.
//!
//! # Invariants
//!
//! - **Every async operation is a preemption point** on its first poll, even when it can complete
//!   at once: an exploring strategy may switch tasks there; `Fifo` never does.
//! - **Cancellation is drop, and nothing is lost or duplicated.** A waiter whose future is
//!   dropped leaves its line. If something had already been handed to it, it passes on: a slot
//!   to the next sender, a value to the next receiver (or back to the front of the buffer). A
//!   dropped send never delivered its value.
//! - **Blocked waits are named** (`"mpsc::Sender::send"`, ..., with the channel's name if
//!   it has one and the source line of the call), so a deadlock report says what each task waits
//!   on and where.
//! - Wakers are woken and values dropped only after the channel's internal borrow is released,
//!   so a `Drop` or a waker may use the channel again.
//!
//! [`broadcast`] and [`watch`] give every receiver its own view (every value, or the latest
//! one), so there is nothing to hand off; their waits are still named, cancel-safe and
//! preemption points. [`oneshot`] carries one value.
//!
//! | need                                   | use                                   |
//! |----------------------------------------|---------------------------------------|
//! | work queue, many producers and workers | [`Queue`] (asyncio.Queue)             |
//! | stream of values to one consumer       | [`mpsc::channel`], [`mpsc::unbounded_channel`] |
//! | one reply                              | [`oneshot::channel`]                  |
//! | every value to every subscriber        | [`broadcast::channel`]                |
//! | latest state, change notification      | [`watch::channel`]                    |
//!
//! ```
//! use sim::channel::{Queue, oneshot};
//! let mut sim = sim::Sim::new(11);
//! let answers = sim.run(async {
//!     // Requests carry a oneshot sender for the reply.
//!     let requests: Queue<(u32, oneshot::Sender<u32>)> = Queue::named("requests", 4);
//!     let server = requests.clone();
//!     sim::spawn(async move {
//!         while let Ok((x, reply)) = server.get().await {
//!             let _ = reply.send(x * x);
//!         }
//!     });
//!     let mut answers = Vec::new();
//!     for x in 1..=3 {
//!         let (tx, rx) = oneshot::channel();
//!         requests.put((x, tx)).await.unwrap();
//!         answers.push(rx.await.unwrap());
//!     }
//!     requests.shutdown(false);
//!     answers
//! }).unwrap();
//! assert_eq!(answers, [1, 4, 9]);
//! ```

pub mod broadcast;
mod chan;
pub mod mpsc;
pub mod oneshot;
mod pending;
pub mod queue;
pub mod watch;

pub use queue::Queue;
