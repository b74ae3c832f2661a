"""Stopping a model tool by Ctrl-C (SIGINT) or SIGTERM: one line, its exit status, nothing left.

Python runs a signal handler wherever the main thread happens to be, and an exception raised
there can surface wrapped in another one: inside `torch.onnx.export` the tracer turns it into a
`RuntimeError`. So the handler records the signal before raising `Stopped`, and the program's
top level asks `StopSignals.received` rather than trusting the exception it gets. A section that
must not be cut (a move into place, the removal of a partial folder) runs under `deferred()`:
a signal there is recorded and raised when the section ends.

Tests land a stop at a defined point: with `DIFFRIS_STOP_AT=POINT[:SIGNAL]` (SIGNAL one of
TERM, INT, KILL; TERM when left out) a run sends itself the signal when it reaches
`reached(POINT)`, whatever the machine's speed.
"""
import os
import signal
from contextlib import contextmanager

# The shell's convention: 128 + the signal's number.
EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}
TEST_HOOK = "DIFFRIS_STOP_AT"


class Stopped(BaseException):
    """Raised where a stop signal lands (a BaseException, as KeyboardInterrupt is, so that
    `except Exception` in a library does not swallow it)."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopSignals:
    """Installs the SIGINT and SIGTERM handlers for a `with` block and restores the old ones."""

    def __init__(self):
        self.received = None  # the first stop signal, kept whatever became of its exception
        self._deferring = 0
        self._done = False  # past the point of no return: a stop is recorded, never raised
        self._previous = {}

    def __enter__(self):
        global _ACTIVE
        for signum in EXIT_STATUS:
            self._previous[signum] = signal.signal(signum, self._handle)
        _ACTIVE = self
        return self

    def __exit__(self, *exc):
        global _ACTIVE
        _ACTIVE = None
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        return False

    def _handle(self, signum, frame):
        if self.received is None:
            self.received = signum
        if not self._deferring and not self._done:
            raise Stopped(signum)

    def exit_status(self):
        return EXIT_STATUS[self.received]

    def name(self):
        return "Ctrl-C" if self.received == signal.SIGINT else signal.Signals(self.received).name


_ACTIVE = None


def check():
    """Raises `Stopped` when a stop was received and its exception got lost on the way (a
    library that caught it); called between the steps of a run."""
    if _ACTIVE is not None and _ACTIVE.received is not None and not _ACTIVE._done:
        raise Stopped(_ACTIVE.received)


@contextmanager
def deferred():
    """A section a stop must not cut: a signal landing in it is raised when it ends (unless the
    section already ends with an exception). Without `StopSignals` installed, no effect."""
    active = _ACTIVE
    if active is None:
        yield
        return
    active._deferring += 1
    try:
        yield
    finally:
        active._deferring -= 1
    if not active._deferring and active.received is not None and not active._done:
        raise Stopped(active.received)


def past_the_point_of_no_return():
    """The result is in place: a stop from now on is too late to undo it, and the run ends as it
    would have (the stop is still recorded)."""
    if _ACTIVE is not None:
        _ACTIVE._done = True


def received():
    """The stop signal received so far, or None."""
    return None if _ACTIVE is None else _ACTIVE.received


def wanted(point):
    """Whether a test asks for a signal at `point`."""
    return os.environ.get(TEST_HOOK, "").partition(":")[0] == point


def reached(point):
    """A defined point of a run where a test may land a signal (see the module's note)."""
    if wanted(point):
        sig = os.environ[TEST_HOOK].partition(":")[2] or "TERM"
        os.kill(os.getpid(), getattr(signal, "SIG" + sig))
