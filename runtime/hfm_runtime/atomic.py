"""Write a folder all at once: build it beside its destination, swap it into place when complete.

Crash safety (a writer killed at any point, e.g. SIGKILL):
- `dest` is never missing or partly written: the new folder is built in `.<name>.tmp-<random>` beside
  it and exchanged with `dest` in one atomic `renameat2(RENAME_EXCHANGE)` (Linux); where that call
  is not available, `dest` is renamed to `.<name>.old` and the new folder into place, and a writer
  killed between the two renames leaves `.<name>.old`, which the next write (or `recover`) renames
  back to `dest`.
- Every writer holds a shared `flock` on the file `.<name>.lock` beside `dest` from before it makes
  its temporary folder until the swap is done, and removes the file when it finishes with no other
  writer at work; the lock dies with the process, so a killed writer leaves the file unlocked.
  Leftovers are cleaned only under that file's exclusive lock, so only when no writer of `dest` is
  alive: the next `atomic_dir` on the same destination, or `recover(dest)`, deletes a killed writer's
  temporary folder and restores or deletes its `.<name>.old`, then removes the file. Where there is no
  `.<name>.lock`, no writer was killed there and nothing is touched (a user's own `.<name>.old` is
  not ours). On a system without `fcntl` nothing is locked, and only a `.<name>.old` left instead of
  `dest` is put back.
Readers of `dest` therefore see the old folder or the new one; one that opened the old folder may
find its files deleted once the writer has swapped it out (hfm_runtime.store's loader reads through
one directory handle and retries).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import glob
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no locks, no clean-up of a killed writer's temporary folder
    fcntl = None

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    if not hasattr(os, "O_DIRECTORY"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap the two paths atomically; False where the system cannot (then nothing changed)."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # old kernel or a file system without it
        return False
    raise OSError(err, f"renameat2({a}, {b}, RENAME_EXCHANGE): {os.strerror(err)}")


def _lock_path(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.lock")


def _locked(dest: Path, mode: int, create: bool) -> tuple[int, bool] | None:
    """An open descriptor of `.<name>.lock` holding the flock `mode`, and whether this call made the
    file (then no killed writer left anything); None where the file is missing (and not `create`) or
    a non-blocking lock is held by another process. A file that a finishing writer removed while we
    waited for it is let go, and the one now at the path taken instead."""
    lock = _lock_path(dest)
    while True:
        made = False
        try:
            if create:
                try:
                    fd, made = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644), True
                except FileExistsError:
                    fd = os.open(lock, os.O_RDWR)
            else:
                fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            if create:
                continue  # removed between the two opens
            return None
        try:
            fcntl.flock(fd, mode)
        except OSError:
            os.close(fd)
            return None
        if _current(fd, lock):
            return fd, made
        os.close(fd)


def _current(fd: int, lock: Path) -> bool:
    """Whether `fd` is still the file at `lock` (a finishing writer may have removed it)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(lock))
    except FileNotFoundError:
        return False


def _release(fd: int, dest: Path) -> None:
    """Let go of the lock; remove the file when no other writer holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if _current(fd, _lock_path(dest)):
            os.unlink(_lock_path(dest))
    except OSError:
        pass  # another writer holds it: the last one out removes it
    finally:
        os.close(fd)


def _clean(dest: Path, ours: Callable[[Path], bool]) -> list[Path]:
    """Restore or delete `.<name>.old` (when `ours` says it is a copy of `dest`) and delete every
    `.<name>.tmp-*` folder: only called under the exclusive lock, so no live writer owns them."""
    done = []
    old = dest.with_name(f".{dest.name}.old")
    if old.is_dir() and not old.is_symlink() and ours(old):
        if not dest.exists():
            old.rename(dest)
        else:
            shutil.rmtree(old, ignore_errors=True)
        done.append(old)
    for tmp in dest.parent.glob(f".{glob.escape(dest.name)}.tmp-*"):
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
            done.append(tmp)
    return done


def recover(dest: str | Path, ours: Callable[[Path], bool] = lambda old: True) -> list[Path]:
    """Put right what killed writers of `dest` left, when no writer of it is alive: `.<name>.old`
    renamed back when `dest` is missing (else deleted), and every `.<name>.tmp-*` folder deleted.
    Nothing is touched where no writer was killed (no `.<name>.lock`), or while a writer is at work.
    `ours(old)`: whether `.<name>.old` is a copy of `dest` (a store checks for its file). Returns the
    paths deleted or restored."""
    dest = Path(dest)
    if fcntl is None:  # no locks: only the fallback swap's `.old`, when `dest` is missing
        old = dest.with_name(f".{dest.name}.old")
        if not dest.exists() and old.is_dir() and ours(old):
            old.rename(dest)
            return [old]
        return []
    got = _locked(dest, fcntl.LOCK_EX | fcntl.LOCK_NB, create=False)
    if got is None:
        return []
    try:
        return _clean(dest, ours)
    finally:
        _release(got[0], dest)


@contextmanager
def atomic_dir(dest: str | Path, ours: Callable[[Path], bool] = lambda old: True) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces `dest`, on error it is deleted.

    An existing `dest` stays untouched until the new one is complete, so a failed or killed write
    loses nothing; what a killed writer left is cleaned first (as `recover(dest, ours)` does).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = None
    try:
        while fcntl is not None:
            got = _locked(dest, fcntl.LOCK_EX | fcntl.LOCK_NB, create=True)
            if got is not None:  # no other writer alive
                fd, made = got
                if not made:  # the file a killed writer left: so may be a folder
                    _clean(dest, ours)
                fcntl.flock(fd, fcntl.LOCK_SH)  # shared with later writers; no `recover` runs meanwhile
            else:  # another writer is at work: what lies there may be its
                got = _locked(dest, fcntl.LOCK_SH, create=True)
                if got is None:
                    continue
                fd = got[0]
            if _current(fd, _lock_path(dest)):
                break
            os.close(fd)  # removed while the lock was converted: start again
            fd = None
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if dest.exists() and _exchange(tmp, dest):
            shutil.rmtree(tmp, ignore_errors=True)  # now the previous folder
            return
        old = dest.with_name(f".{dest.name}.old")
        if dest.exists():
            shutil.rmtree(old, ignore_errors=True)
            dest.rename(old)
        tmp.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if fd is not None:
            _release(fd, dest)
