//! Task handles are names, not shares: the auto traits they have, checked at compile time.
//!
//! `JoinHandle<T>` is `Send` and `Sync` exactly when `T: Send` (as tokio's), `AbortHandle`
//! always; both are `Unpin`. A negative bound cannot be written in Rust, so `!Send` is checked
//! with the trait-ambiguity trick: `AmbiguousIfSend<_>` has one impl for every type and one more
//! for `Send` types, so naming its item for a type compiles only when the second does not
//! apply. If `JoinHandle<Rc<()>>` ever became `Send`, this file would stop compiling.

use std::marker::PhantomPinned;
use std::rc::Rc;

use sim::JoinHandle;
use sim::task::AbortHandle;

fn assert_send_sync<T: Send + Sync>() {}
fn assert_unpin<T: Unpin>() {}

trait AmbiguousIfSend<A> {
    fn some_item() {}
}
impl<T: ?Sized> AmbiguousIfSend<()> for T {}
impl<T: ?Sized + Send> AmbiguousIfSend<u8> for T {}

trait AmbiguousIfSync<A> {
    fn some_item() {}
}
impl<T: ?Sized> AmbiguousIfSync<()> for T {}
impl<T: ?Sized + Sync> AmbiguousIfSync<u8> for T {}

#[test]
fn handles_have_tokios_auto_traits() {
    assert_send_sync::<JoinHandle<u32>>();
    assert_send_sync::<JoinHandle<Vec<String>>>();
    // Send + !Sync output: the handle is still Sync (nobody reads the output by reference).
    assert_send_sync::<JoinHandle<std::cell::Cell<u8>>>();
    assert_send_sync::<AbortHandle>();
    assert_unpin::<JoinHandle<PhantomPinned>>();
    assert_unpin::<AbortHandle>();
    // A !Send output makes the handle neither Send nor Sync.
    <JoinHandle<Rc<()>> as AmbiguousIfSend<_>>::some_item();
    <JoinHandle<Rc<()>> as AmbiguousIfSync<_>>::some_item();
    // The trick itself: for a Send + Sync type the same line would be ambiguous; for a type that
    // is neither it resolves, as it does above.
    <Rc<()> as AmbiguousIfSend<_>>::some_item();
}

#[test]
fn a_handle_can_cross_threads_inside_its_run_only_as_a_value() {
    // Sent to another thread and back: still the same task, awaited in its run.
    let mut sim = sim::Sim::new(0);
    let v = sim
        .run(async {
            let h = sim::spawn(async { 41 + 1 });
            let h = std::thread::scope(|s| s.spawn(move || h).join().unwrap());
            h.await.unwrap()
        })
        .unwrap();
    assert_eq!(v, 42);
}
