//! Channels and queues between tasks: [`mpsc`] (bounded and unbounded), [`Queue`] (asyncio's
//! queue, with `task_done`/`join`/`shutdown`), [`oneshot`], [`broadcast`] and [`watch`].
//!
//! # Model
//!
//! Every channel here is a FIFO with **direct hand-off**. A value sent while a receiver waits is
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

pub mod broadcast;
mod chan;
pub mod mpsc;
pub mod oneshot;
pub mod queue;
mod wait;
pub mod watch;

pub use queue::Queue;
