//! What `sim`'s own primitives (sync, channels, combinators) use to take part in scheduling:
//! preemption points, tie-breaking decisions, and naming what a blocked task waits on.
//!
//! A primitive's `poll` follows one pattern:
//!
//! ```text
//! if !self.checked { self.checked = true; if hooks::preemption_point(cx) { return Pending } }
//! if <can complete> { return Ready(..) }
//! <register cx.waker() in the primitive's FIFO wait queue>
//! hooks::wait_on("Mutex::lock", self.name, self.site);
//! Pending
//! ```

use std::panic::Location;
use std::rc::Rc;

use crate::context;
use crate::task::table::WaitKind;

pub(crate) use crate::task::preemption_point;

/// Records that the current task is about to wait on `op` (e.g. `"Mutex::lock"`) of the resource
/// called `name`, awaited at `site`; deadlock reports print it.
pub(crate) fn wait_on(
    op: &'static str,
    name: Option<&Rc<str>>,
    site: Option<&'static Location<'static>>,
) {
    context::try_with(|core| {
        core.note_wait(
            WaitKind::Resource {
                op,
                name: name.cloned(),
            },
            site,
        );
    });
}

/// A recorded choice among `of` simultaneous events (0 is the default order).
pub(crate) fn branch(of: u32) -> u32 {
    context::with("a sim operation", |core| core.branch(of))
}
