//! The type-erased task: one heap block holding a task's waker and its future, then its output.
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
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

use super::waker::WakerId;
use crate::model::JoinError;

/// What dropping a task's future gave: `Err` with the payload when its `Drop` panicked.
pub(crate) type Dropped = Result<(), Box<dyn Any + Send>>;

/// What the run needs from a task, whatever its output type.
pub(crate) trait RawTask {
    /// Gives the task the waker it is polled with (once, when the run registers it).
    fn set_waker(self: Pin<&mut Self>, waker: Waker);

    /// Which waker it is polled with.
    fn waker_id(&self) -> WakerId;

    /// Polls the future once, with the task's waker. On `Ready`, `returned` has been called,
    /// then the future dropped (the result says whether its `Drop` panicked) and the output
    /// stored.
    fn poll(self: Pin<&mut Self>, returned: &mut dyn FnMut()) -> Poll<Dropped>;

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
    /// Where a spawned task is in its life.
    #[project = StageProj]
    enum Stage<F: Future> {
        /// The future, polled until it ends.
        Running { #[pin] fut: F },
        /// The output, waiting for the `JoinHandle`. The error is boxed: it is rare and large.
        Finished { output: Option<Result<F::Output, Box<JoinError>>> },
        /// The future was dropped and there is no output (yet, or any more).
        Gone,
    }
}

pin_project! {
    /// A spawned task's block.
    pub(crate) struct TaskCell<F: Future> {
        // Names the task to the run; set when the run registers it.
        waker: Option<Waker>,
        #[pin]
        stage: Stage<F>,
    }
}

impl<F: Future> TaskCell<F> {
    pub(crate) fn new(fut: F) -> Self {
        TaskCell {
            waker: None,
            stage: Stage::Running { fut },
        }
    }
}

impl<F: Future> Stage<F> {
    /// Drops the future and stores `output`.
    fn end(mut self: Pin<&mut Self>, output: Result<F::Output, JoinError>) -> Dropped {
        let dropped = drop_in_place(self.as_mut(), Stage::Gone);
        self.set(Stage::Finished {
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
    fn set_waker(self: Pin<&mut Self>, waker: Waker) {
        *self.project().waker = Some(waker);
    }

    #[inline]
    fn waker_id(&self) -> WakerId {
        self.waker.as_ref().map_or(WakerId::NONE, WakerId::of)
    }

    fn poll(self: Pin<&mut Self>, returned: &mut dyn FnMut()) -> Poll<Dropped> {
        let this = self.project();
        let waker = this
            .waker
            .as_ref()
            .expect("the run sets a task's waker at spawn");
        let mut stage = this.stage;
        let StageProj::Running { fut } = stage.as_mut().project() else {
            unreachable!("the run polls only running tasks");
        };
        match fut.poll(&mut Context::from_waker(waker)) {
            Poll::Ready(v) => {
                returned();
                Poll::Ready(stage.end(Ok(v)))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn cancel(self: Pin<&mut Self>, err: JoinError) -> Dropped {
        self.project().stage.end(Err(err))
    }

    fn take_output(self: Pin<&mut Self>, out: &mut dyn Any) {
        let Some(out) = out.downcast_mut::<Option<Result<F::Output, JoinError>>>() else {
            return;
        };
        let mut stage = self.project().stage;
        if let StageProj::Finished { output } = stage.as_mut().project() {
            *out = output.take().map(|r| r.map_err(|e| *e));
            stage.set(Stage::Gone);
        }
    }
}

pin_project! {
    /// Main's future, in place on the run's stack until the run drops it.
    #[project = MainFutProj]
    enum MainFut<F> {
        Live { #[pin] fut: F },
        Dropped,
    }
}

pin_project! {
    /// The future given to `Sim::run`, and its output once it returned. The future lives in
    /// place (pinned on the run's stack), not in a box of its own.
    pub(crate) struct MainTask<F: Future> {
        waker: Option<Waker>,
        #[pin]
        fut: MainFut<F>,
        output: Option<F::Output>,
    }
}

impl<F: Future> MainTask<F> {
    pub(crate) fn new(fut: F) -> Self {
        MainTask {
            waker: None,
            fut: MainFut::Live { fut },
            output: None,
        }
    }

    /// Drops main's future (when the run ends), catching a panicking `Drop`.
    pub(crate) fn drop_future(self: Pin<&mut Self>) -> Dropped {
        drop_in_place(self.project().fut, MainFut::Dropped)
    }

    /// The output, once main returned.
    pub(crate) fn output(self: Pin<&mut Self>) -> Option<F::Output> {
        self.project().output.take()
    }
}

impl<F: Future> RawTask for MainTask<F> {
    fn set_waker(self: Pin<&mut Self>, waker: Waker) {
        *self.project().waker = Some(waker);
    }

    #[inline]
    fn waker_id(&self) -> WakerId {
        self.waker.as_ref().map_or(WakerId::NONE, WakerId::of)
    }

    fn poll(self: Pin<&mut Self>, returned: &mut dyn FnMut()) -> Poll<Dropped> {
        let this = self.project();
        let waker = this.waker.as_ref().expect("the run sets main's waker");
        let MainFutProj::Live { fut } = this.fut.project() else {
            unreachable!("main is polled until it returns");
        };
        match fut.poll(&mut Context::from_waker(waker)) {
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
