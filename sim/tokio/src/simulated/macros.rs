//! `select!`, `join!`, `try_join!` and `pin!` (the first three hand their input, with this
//! crate's path, to the procedural macros of `seedloop-tokio-macros`).

/// Waits on several branches at once and runs the handler of the first to complete (tokio's
/// `select!`, full syntax: `pattern = future, if precondition => handler`, `else => ...`,
/// `biased;`). The futures are dropped before the handler runs. Which ready branch is polled
/// first is a recorded decision of the simulation (the first listed under Fifo), so every
/// winner is explored and replayable; `biased;` polls them in order.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{sleep, Duration};
/// let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(1);
/// tx.send(7).await.unwrap();
/// let got = tokio::select! {
///     Some(v) = rx.recv() => v,
///     _ = sleep(Duration::from_secs(1)) => 0,
/// };
/// assert_eq!(got, 7);
/// # });
/// ```
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {
        $crate::__seedloop::select_impl!({ $crate } $($tokens)*)
    };
}

/// Runs several futures concurrently in the current task and returns all their outputs
/// (tokio's `join!`).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let (a, b) = tokio::join!(async { 1 }, async { "two" });
/// assert_eq!((a, b), (1, "two"));
/// # });
/// ```
#[macro_export]
macro_rules! join {
    ($($tokens:tt)*) => {
        $crate::__seedloop::join_impl!({ $crate } $($tokens)*)
    };
}

/// Like [`join!`] over futures returning `Result`s, stopping at the first `Err` (tokio's
/// `try_join!`).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let ok: Result<(u8, u8), &str> = tokio::try_join!(async { Ok(1) }, async { Ok(2) });
/// assert_eq!(ok, Ok((1, 2)));
/// let bad: Result<(u8, u8), &str> = tokio::try_join!(async { Ok(1) }, async { Err("no") });
/// assert_eq!(bad, Err("no"));
/// # });
/// ```
#[macro_export]
macro_rules! try_join {
    ($($tokens:tt)*) => {
        $crate::__seedloop::try_join_impl!({ $crate } $($tokens)*)
    };
}

/// Pins values on the stack (tokio's `pin!`, through `std::pin::pin!`): `pin!(a, b);` shadows
/// the variables with pinned references; `pin! { let x = expr; }` declares pinned ones.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let sleep = tokio::time::sleep(tokio::time::Duration::from_millis(1));
/// tokio::pin!(sleep);
/// (&mut sleep).await;
/// tokio::pin! {
///     let later = async { 5 };
/// }
/// assert_eq!(later.await, 5);
/// # });
/// ```
#[macro_export]
macro_rules! pin {
    ($($x:ident),* $(,)?) => { $(
        #[allow(unused_mut)]
        let mut $x = ::core::pin::pin!($x);
    )* };
    ($(let $x:ident = $init:expr;)*) => { $(
        #[allow(unused_mut)]
        let mut $x = ::core::pin::pin!($init);
    )* };
}
