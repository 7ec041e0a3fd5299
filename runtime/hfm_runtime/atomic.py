"""Write a folder all at once: build it beside its destination, swap it into place when complete.

Crash safety (a writer killed at any point, e.g. SIGKILL):
- `dest` is never partly written: the new folder is built in `.<name>.tmp-<random>` beside it and
  exchanged with `dest` in one atomic `renameat2(RENAME_EXCHANGE)` (Linux), so `dest` is never
  missing either. Where the system or the file system refuses that call (an old kernel, NFS, vfat),
  `dest` is renamed to `.<name>.old` and the new folder into place, one writer at a time (threads
  and processes); a reader between the two renames finds no `dest`, and a writer killed between
  them leaves `.<name>.old`, which `recover` renames back to `dest`. A `.<name>.old` that no writer
  registered (the user's) is never replaced: that swap fails with an error naming it.
- The file `.<name>.lock` beside `dest` is the writers' register: each writer holds a shared `flock`
  on it while it works, and appends the name of each folder it is about to make (its temporary
  folder, the fallback's `.<name>.old`) before making it. A writer that takes the lock alone (no
  other writer alive: a killed one's lock died with it) deletes every registered folder still there
  (restoring a `.<name>.old` that `ours` accepts if `dest` is missing), then the file: the next
  writer on its way in, the last writer on its way out, and `recover(dest)`. So only folders a
  writer registered are ever deleted, never a live writer's, and a folder of the user's named like
  ours is never touched; the file stays only while a writer works or after one was killed. Where
  flock is refused (or there is no `fcntl`) nothing is locked or registered, and only a
  `.<name>.old` left instead of `dest` is put back.
Readers of `dest` therefore see the old folder or the new one (in the fallback's window none:
`settled` waits it out, as the store's loader and `hfm-score --store` do); one that opened the old
folder may find its files deleted once the writer has swapped it out (hfm_runtime.store's loader
reads through one directory handle and retries).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import secrets
import shutil
import struct
import threading
import time
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


class _NoLocks(Exception):
    """flock is not available here (e.g. a file system without it): write without the register."""


def _locked(dest: Path, mode: int, create: bool) -> int | None:
    """An open descriptor of `.<name>.lock` holding the flock `mode`; None where the file is missing
    (and not `create`) or a non-blocking lock is held by another process. A file that a writer on
    its way out removed while we waited for it is let go, and the one now at the path taken."""
    lock = _lock_path(dest)
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_APPEND | (os.O_CREAT if create else 0), 0o644)
        except FileNotFoundError:
            if create:  # the folder is gone, or a dangling link: nothing to retry
                raise
            return None
        try:
            fcntl.flock(fd, mode)
        except BlockingIOError:
            os.close(fd)
            return None
        except OSError as exc:
            os.close(fd)
            raise _NoLocks(str(exc)) from exc
        if _current(fd, lock):
            return fd
        os.close(fd)  # removed meanwhile (at most once per writer's exit): open the new one


def _current(fd: int, lock: Path) -> bool:
    """Whether `fd` is still the file at `lock` (a writer on its way out may have removed it)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(lock))
    except FileNotFoundError:
        return False


def _register(fd: int, folder: Path) -> None:
    os.write(fd, os.fsencode(folder.name) + b"\n")  # O_APPEND: one write, whole, whatever the other writers do


def _registered(fd: int) -> list[str]:
    """The names in the register, each once, in order."""
    os.lseek(fd, 0, os.SEEK_SET)
    text = b""
    while chunk := os.read(fd, 1 << 16):
        text += chunk
    return list(dict.fromkeys(os.fsdecode(n) for n in text.split(b"\n") if n))


def _clean(fd: int, dest: Path, ours: Callable[[Path], bool], remove: bool = True) -> list[Path]:
    """Under the exclusive lock (no writer alive but us): delete each registered folder still there,
    except a `.<name>.old` that `ours` does not recognise, which is restored when `dest` is missing;
    then remove the register (`remove`) or empty it. Returns the paths deleted or restored."""
    done = []
    prefix = f".{dest.name}."
    for name in _registered(fd):
        if not name.startswith(prefix) or "/" in name:
            continue  # not a name a writer of `dest` registers
        folder = dest.with_name(name)
        if not folder.is_dir() or folder.is_symlink():
            continue
        if name == f"{prefix}old":
            if not ours(folder):
                continue
            if not dest.exists():
                folder.rename(dest)
                done.append(folder)
                continue
        shutil.rmtree(folder, ignore_errors=True)
        done.append(folder)
    if remove:
        os.unlink(_lock_path(dest))
    else:
        os.ftruncate(fd, 0)
    return done


def _release(fd: int, dest: Path, ours: Callable[[Path], bool]) -> None:
    """Let go of the lock; the last writer out cleans what killed ones registered and removes the file."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a failed try drops our shared lock: fine, we are done
        if _current(fd, _lock_path(dest)):
            _clean(fd, dest, ours)
    except OSError:
        pass  # another writer is at work: the last one out cleans
    finally:
        os.close(fd)


def recover(dest: str | Path, ours: Callable[[Path], bool] = lambda old: True) -> list[Path]:
    """Put right what killed writers of `dest` left, when no writer of it is alive: every registered
    folder still there deleted, a `.<name>.old` restored when `dest` is missing. `ours(old)`: whether
    `.<name>.old` is a copy of `dest` (a store checks for its file). Returns the paths deleted or
    restored; nothing is touched while a writer works."""
    dest = Path(dest)
    fd = None
    if fcntl is not None:
        try:
            fd = _locked(dest, fcntl.LOCK_EX | fcntl.LOCK_NB, create=dest.parent.is_dir())
        except _NoLocks:
            _unlink_empty(dest)
        else:
            if fd is None:
                return []
    if fd is None:  # nothing registered: only the fallback swap's `.old`, when `dest` is missing
        old = dest.with_name(f".{dest.name}.old")
        if not dest.exists() and old.is_dir() and ours(old):
            old.rename(dest)
            return [old]
        return []
    try:
        return _clean(fd, dest, ours)
    finally:
        os.close(fd)


def settled(dest: str | Path, timeout: float = 5.0) -> bool:
    """Whether `dest` exists, after waiting (up to `timeout` seconds) while a writer is between the
    fallback's two renames (`dest` missing, `.<name>.old` there, the register locked by a live
    writer); for readers, which would otherwise take a store in that window for no store at all."""
    dest = Path(dest).absolute()  # "." has no name to put beside it
    old = dest.with_name(f".{dest.name}.old")
    end = time.monotonic() + timeout
    while not dest.exists() and old.is_dir() and _writer_at_work(dest) and time.monotonic() < end:
        time.sleep(0.01)
    return dest.exists()


def _writer_at_work(dest: Path) -> bool:
    """Whether a live writer holds the register (a killed one's file is there, but unlocked)."""
    if fcntl is None:
        return False
    try:
        fd = os.open(_lock_path(dest), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _enter(dest: Path, ours: Callable[[Path], bool]) -> int | None:
    """Join the writers of `dest`: a descriptor holding the shared lock (None: no locks here)."""
    if fcntl is None:
        return None
    try:
        while True:
            fd = _locked(dest, fcntl.LOCK_EX | fcntl.LOCK_NB, create=True)
            if fd is not None:  # alone: what is registered, killed writers left
                try:
                    _clean(fd, dest, ours, remove=False)
                    fcntl.flock(fd, fcntl.LOCK_SH)  # not atomic: a writer leaving meanwhile may remove the file
                except BaseException:
                    os.close(fd)  # else the exclusive lock would block every other writer
                    raise
            else:
                fd = _locked(dest, fcntl.LOCK_SH, create=True)
                if fd is None:
                    continue
            if _current(fd, _lock_path(dest)):
                return fd
            os.close(fd)
    except _NoLocks:
        _unlink_empty(dest)
        return None


def _unlink_empty(dest: Path) -> None:
    """Remove a register nobody could lock (flock refused here) and nobody wrote to."""
    try:
        if os.stat(_lock_path(dest)).st_size == 0:
            os.unlink(_lock_path(dest))
    except OSError:
        pass


def check_replaceable(dest: str | Path, is_ours: Callable[[Path], bool], kind: str) -> None:
    """Refuse a `dest` that `atomic_dir` must not replace (it swaps the folder out whole): a file, a
    folder holding anything but a `kind` (`is_ours` false: a user's notes, a run folder given as a
    bundle's, a runs folder given as a run's), or the current directory or one above it (the process,
    and the shell that started it, would be left in a deleted folder). Call it before the work."""
    from hfm_runtime.errors import HFMInputError

    dest = Path(dest)
    if dest.is_file() or (dest.is_dir() and not is_ours(dest) and any(dest.iterdir())):
        what = "a file" if dest.is_file() else f"a folder that is not a {kind}"
        raise HFMInputError(f"{dest}: {what}, which writing would replace whole (everything in it lost): write "
                            f"the {kind} to a new or empty folder, or over a {kind}")
    if Path.cwd().resolve().is_relative_to(dest.resolve()):
        raise HFMInputError(f"{dest}: the current directory or a folder above it, which writing would swap out "
                            "(leaving you in a deleted folder): run from outside it")


@contextmanager
def atomic_dir(dest: str | Path, ours: Callable[[Path], bool] = lambda old: True) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces `dest`, on error it is deleted.

    An existing `dest` stays untouched until the new one is complete, so a failed or killed write
    loses nothing; what a killed writer left is cleaned first (as `recover(dest, ours)` does).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = _enter(dest, ours)
    try:
        while True:
            tmp = dest.with_name(f".{dest.name}.tmp-{secrets.token_hex(4)}")
            if fd is not None:
                _register(fd, tmp)
            try:
                tmp.mkdir()
                break
            except FileExistsError:
                continue
        try:
            yield tmp
            _swap(tmp, dest, fd)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        if fd is not None:
            _release(fd, dest, ours)


_FALLBACK = threading.Lock()  # the fallback's swaps one at a time within this process


def _swap_lock(fd: int, kind: int) -> None:
    """Take (F_WRLCK) or drop (F_UNLCK) the fallback's swap lock, a record lock on the register."""
    if hasattr(fcntl, "F_OFD_SETLKW"):  # held by this descriptor: another one's close does not drop it
        fcntl.fcntl(fd, fcntl.F_OFD_SETLKW, struct.pack("hhqqi", kind, 0, 0, 0, 0))
    else:
        fcntl.lockf(fd, fcntl.LOCK_EX if kind == fcntl.F_WRLCK else fcntl.LOCK_UN)


def _swap(tmp: Path, dest: Path, fd: int | None) -> None:
    """Put the complete `tmp` in `dest`'s place (module docstring)."""
    if dest.exists() and _exchange(tmp, dest):
        shutil.rmtree(tmp, ignore_errors=True)  # now the previous folder
        return
    # `dest` missing, or no exchange on this file system: one writer at a time (this process's threads
    # by _FALLBACK, processes by a lock on the register's descriptor; an exchange needs no lock)
    old = dest.with_name(f".{dest.name}.old")
    with _FALLBACK:
        if fd is not None:
            _swap_lock(fd, fcntl.F_WRLCK)
        try:
            if not dest.exists():
                tmp.rename(dest)
                return
            if _exchange(tmp, dest):  # another writer made `dest` meanwhile
                shutil.rmtree(tmp, ignore_errors=True)
                return
            if old.exists():  # a killed writer's (registered) goes; anything else is the user's
                if fd is None or old.name not in _registered(fd):
                    raise FileExistsError(f"{old}: in the way of the swap into {dest}, and no writer's (move it)")
                shutil.rmtree(old)
            if fd is not None:
                _register(fd, old)
            dest.rename(old)
            tmp.rename(dest)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            if fd is not None:
                _swap_lock(fd, fcntl.F_UNLCK)
