//! The runtime: under the simulation, `Runtime::block_on` runs its future as one simulation
//! (seed `SEEDLOOP_SEED`, default 0; strategy `SEEDLOOP_STRATEGY`, default random), and
//! `Handle` reaches the running one.
//!
//! Each `block_on` is a run of its own: sockets, files and tasks of one run do not survive into
//! the next, so a program that calls `block_on` repeatedly on one runtime (a blocking client)
//! cannot carry simulated state between the calls.
//!
//! ```
//! use seedloop_tokio as tokio;
//! let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
//! let v = rt.block_on(async {
//!     let h = tokio::spawn(async { 20 });
//!     h.await.unwrap() + 1
//! });
//! assert_eq!(v, 21);
//! ```

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::time::Duration;

pub use tokio::runtime::RuntimeFlavor;

use crate::task::JoinHandle;

/// Configures a [`Runtime`] (tokio's `runtime::Builder`). Every setting is accepted; none
/// changes the simulation, which always runs tasks on one thread with virtual time.
pub struct Builder {
    multi_thread: bool,
}

macro_rules! ignored {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $t:ty),*);)*) => {$(
        $(#[$doc])*
        pub fn $name(&mut self, $($arg: $t),*) -> &mut Self {
            $(let _ = $arg;)*
            self
        }
    )*};
}

impl Builder {
    /// A single-threaded runtime.
    pub fn new_current_thread() -> Builder {
        Builder {
            multi_thread: false,
        }
    }

    /// A multi-threaded runtime (simulated on one thread, where races between tasks are explored
    /// at every await on a `tokio::sync` type).
    pub fn new_multi_thread() -> Builder {
        Builder { multi_thread: true }
    }

    ignored! {
        /// Accepted: I/O and time are always simulated.
        enable_all();
        /// Accepted: I/O is always simulated.
        enable_io();
        /// Accepted: time is always simulated.
        enable_time();
        /// Accepted and ignored.
        worker_threads(val: usize);
        /// Accepted and ignored.
        max_blocking_threads(val: usize);
        /// Accepted and ignored.
        thread_stack_size(val: usize);
        /// Accepted and ignored: time is always paused (virtual).
        start_paused(start_paused: bool);
        /// Accepted and ignored.
        event_interval(val: u32);
        /// Accepted and ignored.
        global_queue_interval(val: u32);
        /// Accepted and ignored.
        max_io_events_per_tick(capacity: usize);
        /// Accepted and ignored.
        thread_keep_alive(duration: Duration);
    }

    /// Accepted and ignored.
    pub fn thread_name(&mut self, val: impl Into<String>) -> &mut Self {
        let _ = val.into();
        self
    }

    /// Accepted and ignored.
    pub fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        drop(f);
        self
    }

    /// Accepted and ignored (no thread is started).
    pub fn on_thread_start<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        drop(f);
        self
    }

    /// Accepted and ignored (no thread is started).
    pub fn on_thread_stop<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        drop(f);
        self
    }

    /// Accepted and ignored.
    pub fn on_thread_park<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        drop(f);
        self
    }

    /// Accepted and ignored.
    pub fn on_thread_unpark<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        drop(f);
        self
    }

    /// The runtime.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn build(&mut self) -> io::Result<Runtime> {
        Ok(Runtime {
            multi_thread: self.multi_thread,
            handle: Handle { _p: () },
        })
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("multi_thread", &self.multi_thread)
            .finish()
    }
}

/// Runs futures as simulations (tokio's `runtime::Runtime`).
pub struct Runtime {
    multi_thread: bool,
    handle: Handle,
}

impl Runtime {
    /// A runtime (multi-threaded in name).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().build()
    }

    /// Runs `future` to completion as one simulation and returns its output.
    ///
    /// # Panics
    /// Inside a running simulation (await the future there instead); when the simulation fails
    /// (a panic in `future` is resumed; a deadlock or a panic nobody awaited is reported).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        crate::__seedloop::run_one("Runtime::block_on", future, false)
    }

    /// Spawns `future` on the running simulation.
    ///
    /// # Panics
    /// Outside a simulation (spawn from inside `block_on`).
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        crate::task::spawn(future)
    }

    /// Like [`crate::task::spawn_blocking`].
    ///
    /// # Panics
    /// Outside a simulation.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + 'static,
        R: 'static,
    {
        crate::task::spawn_blocking(func)
    }

    /// A handle to this runtime.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// A guard for code that needs a current runtime (nothing to set up here).
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _handle: PhantomData,
        }
    }

    /// Drops the runtime (the simulation of a `block_on` ends with it).
    pub fn shutdown_timeout(self, duration: Duration) {
        let _ = duration;
    }

    /// Drops the runtime.
    pub fn shutdown_background(self) {}
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("multi_thread", &self.multi_thread)
            .finish()
    }
}

/// A handle to the running simulation (tokio's `runtime::Handle`).
#[derive(Clone, Debug)]
pub struct Handle {
    _p: (),
}

impl Handle {
    /// The running simulation's handle.
    ///
    /// # Panics
    /// Outside a simulation.
    #[track_caller]
    pub fn current() -> Handle {
        Handle::try_current().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The running simulation's handle, if there is one.
    ///
    /// # Errors
    /// [`TryCurrentError`] outside a simulation.
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        if sim::in_simulation() {
            Ok(Handle { _p: () })
        } else {
            Err(TryCurrentError(()))
        }
    }

    /// Spawns `future` on the running simulation.
    ///
    /// # Panics
    /// Outside a simulation.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        crate::task::spawn(future)
    }

    /// Like [`crate::task::spawn_blocking`].
    ///
    /// # Panics
    /// Outside a simulation.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + 'static,
        R: 'static,
    {
        crate::task::spawn_blocking(func)
    }

    /// Runs `future` as a simulation of its own.
    ///
    /// # Panics
    /// Inside a running simulation: the simulated thread cannot block; `.await` the future.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        crate::__seedloop::run_one("Handle::block_on", future, false)
    }

    /// A guard for code that needs a current runtime (nothing to set up here).
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _handle: PhantomData,
        }
    }

    /// Always `CurrentThread`: the simulation runs every task on one thread.
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        RuntimeFlavor::CurrentThread
    }
}

/// Returned by `enter`.
#[derive(Debug)]
pub struct EnterGuard<'a> {
    _handle: PhantomData<&'a Handle>,
}

/// No simulation is running (tokio's `runtime::TryCurrentError`).
#[derive(Debug)]
pub struct TryCurrentError(());

impl TryCurrentError {
    /// True: the error is always that no runtime is running.
    pub fn is_missing_context(&self) -> bool {
        true
    }

    /// False: thread-locals are never destroyed under the simulation's feet.
    pub fn is_thread_local_destroyed(&self) -> bool {
        false
    }
}

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "there is no simulation running: under `--cfg seedloop` the runtime is seedloop's \
             simulation. Call this inside #[tokio::test], #[tokio::main] or Runtime::block_on",
        )
    }
}

impl std::error::Error for TryCurrentError {}
