//! The type-erased task: one heap block holding a task's future, then its output.
//!
//! A spawned task is a [`TaskCell`], boxed once at spawn. Its stages, every transition here:
//!
//! ```text
//! Running{future} --poll: Ready(v)--> (future dropped) --> Finished{Ok(v)} --take_output--> Gone
//!        |                                                 ^
//!        +--cancel(err): panicked or aborted-> (dropped) --+
//! ```
//!
//! The future is dropped in place, inside the block, the moment the task ends; the output then
//! takes its room until the task's `JoinHandle` takes it. The run calls `returned` between the
//! future's `Ready` and its drop, so the joiner is woken before the future's `Drop` runs (the
//! order the trace records). The future of `main` is a [`MainTask`]: it lives on the run's
//! stack (it need not be `'static`), keeps its output for the run to return, and its future
//! is dropped only when the run ends.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::model::JoinError;

/// What dropping a task's future gave: `Err` with the payload when its `Drop` panicked.
pub(crate) type Dropped = Result<(), Box<dyn Any + Send>>;

/// What the run needs from a task, whatever its output type.
pub(crate) trait RawTask {
    /// Polls the future once. On `Ready`, `returned` has been called, then the future dropped
    /// (the result says whether its `Drop` panicked) and the output stored.
    fn poll(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        returned: &mut dyn FnMut(),
    ) -> Poll<Dropped>;

    /// Ends the task without polling it again (it panicked, was aborted, or the run ended):
    /// drops its future and stores `err` for the joiner.
    fn cancel(self: Pin<&mut Self>, err: JoinError) -> Dropped;

    /// Moves the output into `out`, an `Option<Result<T, JoinError>>` of the task's output type
    /// `T` (anything else is left untouched).
    fn take_output(self: Pin<&mut Self>, out: &mut dyn Any);
}

/// Drops the value in `slot` in place (it is pinned), catching a panicking `Drop`.
fn drop_in_place<S>(slot: Pin<&mut S>, empty: S) -> Dropped {
    let mut slot = slot;
    catch_unwind(AssertUnwindSafe(|| slot.set(empty)))
}

pin_project! {
    /// A spawned task's block.
    #[project = CellProj]
    pub(crate) enum TaskCell<F: Future> {
        /// The future, polled until it ends.
        Running { #[pin] fut: F },
        /// The output, waiting for the `JoinHandle`. The error is boxed: it is rare and large.
        Finished { output: Option<Result<F::Output, Box<JoinError>>> },
        /// The future was dropped and there is no output (yet, or any more).
        Gone,
    }
}

impl<F: Future> TaskCell<F> {
    pub(crate) fn new(fut: F) -> Self {
        TaskCell::Running { fut }
    }

    /// Drops the future and stores `output`.
    fn end(mut self: Pin<&mut Self>, output: Result<F::Output, JoinError>) -> Dropped {
        let dropped = drop_in_place(self.as_mut(), TaskCell::Gone);
        self.set(TaskCell::Finished {
            output: Some(output.map_err(Box::new)),
        });
        dropped
    }
}

impl<F> RawTask for TaskCell<F>
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        returned: &mut dyn FnMut(),
    ) -> Poll<Dropped> {
        let CellProj::Running { fut } = self.as_mut().project() else {
            unreachable!("the run polls only running tasks");
        };
        match fut.poll(cx) {
            Poll::Ready(v) => {
                returned();
                Poll::Ready(self.end(Ok(v)))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn cancel(self: Pin<&mut Self>, err: JoinError) -> Dropped {
        self.end(Err(err))
    }

    fn take_output(mut self: Pin<&mut Self>, out: &mut dyn Any) {
        let Some(out) = out.downcast_mut::<Option<Result<F::Output, JoinError>>>() else {
            return;
        };
        if let CellProj::Finished { output } = self.as_mut().project() {
            *out = output.take().map(|r| r.map_err(|e| *e));
            self.set(TaskCell::Gone);
        }
    }
}

pin_project! {
    /// The future given to `Sim::run`, and its output once it returned.
    pub(crate) struct MainTask<F: Future> {
        fut: Option<Pin<Box<F>>>,
        output: Option<F::Output>,
    }
}

impl<F: Future> MainTask<F> {
    pub(crate) fn new(fut: F) -> Self {
        MainTask {
            fut: Some(Box::pin(fut)),
            output: None,
        }
    }

    /// Drops main's future (when the run ends), catching a panicking `Drop`.
    pub(crate) fn drop_future(self: Pin<&mut Self>) -> Dropped {
        let fut = self.project().fut.take();
        catch_unwind(AssertUnwindSafe(move || drop(fut)))
    }

    /// The output, once main returned.
    pub(crate) fn output(self: Pin<&mut Self>) -> Option<F::Output> {
        self.project().output.take()
    }
}

impl<F: Future> RawTask for MainTask<F> {
    fn poll(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        returned: &mut dyn FnMut(),
    ) -> Poll<Dropped> {
        let this = self.project();
        let fut = this.fut.as_mut().expect("main is polled until it returns");
        match fut.as_mut().poll(cx) {
            Poll::Ready(v) => {
                returned();
                *this.output = Some(v);
                // The future stays until the run ends: it may hold what leftover tasks use.
                Poll::Ready(Ok(()))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn cancel(self: Pin<&mut Self>, _err: JoinError) -> Dropped {
        self.drop_future()
    }

    fn take_output(self: Pin<&mut Self>, _out: &mut dyn Any) {
        // Main has no JoinHandle: the run returns its output.
    }
}
