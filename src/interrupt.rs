//! Ctrl-C (SIGINT) during a long command: the first one asks the work to stop at
//! the next safe point (a search stops after its current batch and saves its state);
//! a second one ends the process at once (exit 130).

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The process was interrupted (exit code 130); what to do next is already printed.
#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

#[cfg(unix)]
extern "C" fn on_sigint(_: libc::c_int) {
    const MSG: &[u8] =
        b"\nomnimix: stopping after the current batch (press Ctrl-C again to quit at once)\n";
    if REQUESTED.swap(true, Ordering::SeqCst) {
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(130) }
    }
    // SAFETY: write(2) is async-signal-safe; MSG is a static buffer.
    unsafe {
        libc::write(2, MSG.as_ptr().cast(), MSG.len());
    }
}

/// From now on, Ctrl-C sets [`requested`] instead of ending the process.
pub fn catch() {
    #[cfg(unix)]
    // SAFETY: the handler only touches an atomic and calls async-signal-safe functions.
    unsafe {
        libc::signal(libc::SIGINT, on_sigint as *const () as libc::sighandler_t);
    }
}

/// True once Ctrl-C was pressed (after [`catch`]).
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
