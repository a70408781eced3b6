//! `gather2`, `gather3`: [`gather`](super::gather) for futures of different output types.
//!
//! Same contract as `gather`: each future runs as a child task spawned at the first poll, the
//! outputs come back in argument order (as a tuple), a child panic is resumed in the awaiter at
//! once with the siblings detached, and dropping the future aborts the unfinished children.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::rt::primitives;
use crate::task::{JoinError, JoinHandle, spawn_inner};

/// One child's state.
enum Slot<F: Future> {
    Unspawned(Option<F>),
    Running(JoinHandle<F::Output>),
    Done(Option<F::Output>),
    Detached,
}

impl<F: Future> Slot<F>
where
    F::Output: 'static,
{
    fn start(&mut self, site: &'static Location<'static>)
    where
        F: 'static,
        F::Output: 'static,
    {
        if let Slot::Unspawned(f) = self {
            let f = f.take().expect("an unspawned slot holds its future");
            *self = Slot::Running(spawn_inner("sim::gather", f, None, site));
        }
    }

    /// `Ok(true)` once the child's output is in.
    fn poll(&mut self, cx: &mut Context<'_>) -> Result<bool, JoinError> {
        let Slot::Running(h) = self else {
            return Ok(true);
        };
        match Pin::new(h).poll(cx) {
            Poll::Ready(Ok(v)) => {
                *self = Slot::Done(Some(v));
                Ok(true)
            }
            Poll::Ready(Err(e)) => {
                *self = Slot::Detached;
                Err(e)
            }
            Poll::Pending => Ok(false),
        }
    }

    fn is_finished(&self) -> bool {
        match self {
            Slot::Running(h) => h.is_finished(),
            _ => true,
        }
    }
}

impl<F: Future> Slot<F> {
    fn take(&mut self) -> F::Output {
        match std::mem::replace(self, Slot::Detached) {
            Slot::Done(Some(v)) => v,
            _ => unreachable!("a finished gather takes each output once"),
        }
    }

    /// Drops the handle: the task runs on unobserved.
    fn detach(&mut self) {
        if let Slot::Running(_) = self {
            *self = Slot::Detached;
        }
    }

    fn abort(&self) {
        if let Slot::Running(h) = self {
            h.abort_if_in_run();
        }
    }
}

fn child_failed(err: JoinError) -> ! {
    let err = match err.try_into_panic() {
        Ok(panic) => primitives::resume_panic(panic),
        Err(cancelled) => cancelled,
    };
    panic!("a child of a gather was cancelled from outside the gather: {err}")
}

macro_rules! tuple_gather {
    ($(#[$doc:meta])* $name:ident, $Ty:ident, $($arg:ident: $F:ident . $i:tt),+) => {
        $(#[$doc])*
        #[track_caller]
        pub fn $name<$($F),+>($($arg: $F),+) -> $Ty<$($F),+>
        where
            $($F: Future + 'static, $F::Output: 'static,)+
        {
            $Ty {
                slots: ($(Slot::Unspawned(Some($arg)),)+),
                site: Location::caller(),
                polled: false,
            }
        }

        #[doc = concat!("Future of [`", stringify!($name), "`]; see there for an example.")]
        #[must_use = "futures do nothing unless awaited; dropping a gather aborts its children"]
        pub struct $Ty<$($F: Future),+> {
            slots: ($(Slot<$F>,)+),
            site: &'static Location<'static>,
            polled: bool,
        }

        // Never pinned structurally: the futures are moved into tasks, never polled in place.
        impl<$($F: Future),+> Unpin for $Ty<$($F),+> {}

        impl<$($F),+> Future for $Ty<$($F),+>
        where
            $($F: Future + 'static, $F::Output: 'static,)+
        {
            type Output = ($($F::Output,)+);

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                let this = self.get_mut();
                $( this.slots.$i.start(this.site); )+
                if !std::mem::replace(&mut this.polled, true)
                    && true $( && this.slots.$i.is_finished() )+
                    && primitives::preemption_point(cx)
                {
                    return Poll::Pending;
                }
                let mut all = true;
                let mut failed = None;
                $(
                    if failed.is_none() {
                        match this.slots.$i.poll(cx) {
                            Ok(done) => all &= done,
                            Err(e) => failed = Some(e),
                        }
                    }
                )+
                if let Some(e) = failed {
                    $( this.slots.$i.detach(); )+
                    child_failed(e);
                }
                if !all {
                    primitives::wait_on(stringify!($name), None, Some(this.site));
                    return Poll::Pending;
                }
                Poll::Ready(($( this.slots.$i.take(), )+))
            }
        }

        impl<$($F: Future),+> Drop for $Ty<$($F),+> {
            fn drop(&mut self) {
                $( self.slots.$i.abort(); )+
            }
        }
    };
}

tuple_gather!(
    /// [`gather`](super::gather) for two futures of different output types: resolves to
    /// `(a's output, b's output)`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sim::time::sleep;
    ///
    /// let mut sim = sim::Sim::new(0);
    /// let out = sim.run(async {
    ///     let name = async { sleep(Duration::from_secs(2)).await; "ada" };
    ///     let age = async { sleep(Duration::from_secs(1)).await; 36u8 };
    ///     sim::concurrency::gather2(name, age).await
    /// }).unwrap();
    /// assert_eq!(out, ("ada", 36));
    /// ```
    ///
    /// # Panics
    /// Awaiting it panics (with the child's payload) when a child panicked.
    gather2, Gather2, a: A.0, b: B.1
);

tuple_gather!(
    /// [`gather`](super::gather) for three futures of different output types.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// let out = sim.run(sim::concurrency::gather3(async { 1u8 }, async { "two" }, async { 3.0f64 }))
    ///     .unwrap();
    /// assert_eq!(out, (1, "two", 3.0));
    /// ```
    ///
    /// # Panics
    /// Awaiting it panics (with the child's payload) when a child panicked.
    gather3, Gather3, a: A.0, b: B.1, c: C.2
);
