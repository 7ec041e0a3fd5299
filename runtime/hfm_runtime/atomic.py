"""Write a folder all at once: build it beside its destination, swap it into place when complete.

Crash safety (a writer killed at any point, e.g. SIGKILL):
- `dest` is never missing or partly written: the new folder is built in `.<name>.tmp-<random>` beside
  it and exchanged with `dest` in one atomic `renameat2(RENAME_EXCHANGE)` (Linux); where that call
  is not available, `dest` is renamed to `.<name>.old` and the new folder into place, and a writer
  killed between the two renames leaves `.<name>.old`, which the next write (or `recover`) renames
  back to `dest`.
- Each writer holds an exclusive `flock` on its temporary folder while it builds it; the lock dies
  with the process. A temporary folder whose lock can be taken belongs to no live writer (a killed
  one): the next `atomic_dir` on the same destination, or `recover(dest)`, deletes it. (On a system
  without `fcntl` nothing is locked and such leftovers stay.)
Readers of `dest` therefore see the old folder or the new one; one that opened the old folder may
find its files deleted once the writer has swapped it out (hfm_runtime.store's loader reads through
one directory handle and retries).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
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


def _lock(folder: Path) -> int | None:
    """An open descriptor holding an exclusive flock on `folder`, or None if another process holds it
    (or locks are unavailable)."""
    if fcntl is None:
        return None
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def recover(dest: str | Path) -> list[Path]:
    """Put right what killed writers of `dest` left: `.<name>.old` renamed back when `dest` is missing
    (else deleted), and every `.<name>.tmp-*` folder no live writer holds deleted. Returns the paths
    deleted or restored."""
    dest = Path(dest)
    done = []
    if not dest.parent.is_dir():
        return done
    old = dest.with_name(f".{dest.name}.old")
    if old.exists():
        if not dest.exists():
            old.rename(dest)
        else:
            shutil.rmtree(old, ignore_errors=True)
        done.append(old)
    if fcntl is None:
        return done
    for tmp in dest.parent.glob(f".{dest.name}.tmp-*"):
        fd = _lock(tmp)
        if fd is None:  # a live writer's
            continue
        try:
            shutil.rmtree(tmp, ignore_errors=True)
        finally:
            os.close(fd)
        done.append(tmp)
    return done


@contextmanager
def atomic_dir(dest: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces `dest`, on error it is deleted.

    An existing `dest` stays untouched until the new one is complete, so a failed or killed write
    loses nothing; what a killed writer left is cleaned first (`recover`).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    recover(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    fd = _lock(tmp)
    try:
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
            os.close(fd)
