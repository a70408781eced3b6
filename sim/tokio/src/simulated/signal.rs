//! Signals: nobody sends a simulated program a signal, so waiting for one never ends (a program
//! whose only way out is Ctrl-C runs until the simulation finds nothing left to do and reports
//! it).

use std::io;

/// Waits for Ctrl-C, which never comes in a simulation. The wait is named in deadlock reports.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{timeout, Duration};
/// assert!(timeout(Duration::from_secs(60), tokio::signal::ctrl_c()).await.is_err());
/// # });
/// ```
///
/// # Errors
/// Never: it never returns.
pub async fn ctrl_c() -> io::Result<()> {
    never("tokio::signal::ctrl_c").await;
    Ok(())
}

/// Waits on a `sim` primitive nobody signals, so the simulation knows the task waits.
pub(crate) async fn never(what: &str) {
    let nobody = sim::sync::Notify::named(what);
    nobody.notified().await;
    unreachable!("{what}: a notify nobody holds was notified");
}

/// Unix signals (tokio's `signal::unix`): none ever arrives.
#[cfg(unix)]
pub mod unix {
    use std::io;
    use std::task::{Context, Poll};

    /// A kind of signal.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SignalKind(i32);

    impl SignalKind {
        /// The signal with number `signum`.
        pub const fn from_raw(signum: i32) -> SignalKind {
            SignalKind(signum)
        }

        /// The signal's number.
        pub const fn as_raw_value(&self) -> i32 {
            self.0
        }

        /// SIGALRM.
        pub const fn alarm() -> SignalKind {
            SignalKind(14)
        }

        /// SIGCHLD.
        pub const fn child() -> SignalKind {
            SignalKind(17)
        }

        /// SIGHUP.
        pub const fn hangup() -> SignalKind {
            SignalKind(1)
        }

        /// SIGINT.
        pub const fn interrupt() -> SignalKind {
            SignalKind(2)
        }

        /// SIGIO.
        pub const fn io() -> SignalKind {
            SignalKind(29)
        }

        /// SIGPIPE.
        pub const fn pipe() -> SignalKind {
            SignalKind(13)
        }

        /// SIGQUIT.
        pub const fn quit() -> SignalKind {
            SignalKind(3)
        }

        /// SIGTERM.
        pub const fn terminate() -> SignalKind {
            SignalKind(15)
        }

        /// SIGUSR1.
        pub const fn user_defined1() -> SignalKind {
            SignalKind(10)
        }

        /// SIGUSR2.
        pub const fn user_defined2() -> SignalKind {
            SignalKind(12)
        }

        /// SIGWINCH.
        pub const fn window_change() -> SignalKind {
            SignalKind(28)
        }
    }

    impl From<i32> for SignalKind {
        fn from(signum: i32) -> SignalKind {
            SignalKind(signum)
        }
    }

    impl From<SignalKind> for i32 {
        fn from(kind: SignalKind) -> i32 {
            kind.0
        }
    }

    /// A stream of one kind of signal, which never yields in a simulation.
    #[derive(Debug)]
    pub struct Signal {
        kind: SignalKind,
    }

    /// Listens for `kind`.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn signal(kind: SignalKind) -> io::Result<Signal> {
        Ok(Signal { kind })
    }

    impl Signal {
        /// Waits for the next signal: never.
        pub async fn recv(&mut self) -> Option<()> {
            super::never("tokio::signal::unix::Signal::recv").await;
            let _ = self.kind;
            None
        }

        /// Polls for the next signal: always pending (and never woken).
        pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
            let _ = cx;
            Poll::Pending
        }
    }
}
