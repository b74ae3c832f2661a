"""A folder written under a temporary name beside its target and moved into place whole.

The temporary name is `.NAME.<pid>.<hex>.partial`, the command line's convention for its
outputs (`AtomicOutput`): a run stopped by SIGINT or SIGTERM removes its own partial folder; one
killed outright (SIGKILL, a power cut) cannot, so the next run to the same target removes the
partial folders whose writer is no longer alive, and never those of a running one.
"""
import os
import re
import secrets
import shutil
from pathlib import Path

from . import stops


def partial_pattern(target):
    return re.compile(re.escape(f".{Path(target).name}.") + r"(\d{1,18})\.[0-9a-f]+\.partial")


def partial_path(target):
    target = Path(target)
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(8)}.partial")


def writer_is_dead(pid):
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's live process
        return False
    except OverflowError:  # no process can have it
        return True
    return False


def remove_dead_partials(target):
    """Removes what writers of `target` that are no longer alive left; returns those paths."""
    folder = Path(target).parent
    if not folder.is_dir():
        return []
    pattern = partial_pattern(target)
    removed = []
    for path in folder.iterdir():
        found = pattern.fullmatch(path.name)
        if found and writer_is_dead(int(found.group(1))):
            remove(path)
            removed.append(path)
    return removed


def remove(path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


class PartialFolder:
    """`path` is written; `commit()` replaces `target` by it as a whole; `discard()` removes it.

    Use: `create()` inside the `try` whose handler calls `discard()`, so no signal can land
    between the folder's creation and the handler that removes it."""

    def __init__(self, target):
        self.target = Path(target)
        self.path = None
        self.made = []  # the target's parent folders this run created, deepest first

    def create(self):
        """Creates the partial folder (and the target's missing parents, removed again by
        `discard()` when they are still empty)."""
        with stops.deferred():
            self.made = missing_folders(self.target.parent)
            self.target.parent.mkdir(parents=True, exist_ok=True)
            remove_dead_partials(self.target)
            path = partial_path(self.target)
            path.mkdir()
            self.path = path
        return path

    def commit(self):
        """Moves the folder into place; a stop that lands during the move puts the old target
        back (the caller's `discard()` then removes the new one)."""
        old = None
        with stops.deferred():
            stops.check()
            if self.target.exists():
                old = partial_path(self.target)
                self.target.rename(old)
            try:
                stops.reached("move")
                self.path.rename(self.target)
            except BaseException:
                if old is not None:
                    old.rename(self.target)
                raise
            if stops.received() is not None:
                self.target.rename(self.path)
                if old is not None:
                    old.rename(self.target)
            else:
                stops.past_the_point_of_no_return()
                self.path = None
                self.made = []
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self):
        with stops.deferred():
            if self.path is not None:
                shutil.rmtree(self.path, ignore_errors=True)
                self.path = None
            for folder in self.made:
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
            self.made = []

    def done(self):
        """Removes the partial folder once its content was moved into place by the caller (the
        target's parents hold the result and stay)."""
        self.made = []
        self.discard()


def missing_folders(path):
    """`path` and its missing parents, deepest first."""
    path = Path(path).absolute()
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    return missing
